//! The one way a route is added: through [`Routes`], which registers it
//! with actix and records it, so [`route_table`] lists exactly what the
//! server serves. Tests derive their route-complete checks (CSRF on every
//! page POST, the OpenAPI document on every API route) from that table,
//! so a new route is covered without anyone remembering to list it.
//!
//! A page or API read that matters for speed declares its **query
//! budget** beside it: `r.get("/queue", queue).budget(3)`, the SQL
//! statements one view issues once the per-node caches are warm. The
//! query-budget test (`tests/e2e/web/budget.rs`) views each budgeted route
//! on SQLite and PostgreSQL and fails when a view issues more — or fewer,
//! so a budget never hides slack. A change that needs one more statement
//! raises the budget in the same commit and says why beside it.

use actix_web::dev::Handler;
use actix_web::http::Method;
use actix_web::{FromRequest, Responder, Route, web};

/// One route: its method and full path pattern (`/claims/{id}/notes`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: String,
    /// SQL statements one request may issue, caches warm (see the module
    /// documentation); `None` where no budget is declared.
    pub statements: Option<u32>,
}

impl RouteInfo {
    /// An API route (bearer token), as opposed to a page or public one.
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

/// One method per HTTP method a route may answer: `r.get(path, handler)`.
macro_rules! verbs {
    ($($name:ident $method:ident),*) => {$(
        pub(crate) fn $name<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            self.add(Method::$method, stringify!($method), path, web::route().to(handler))
        }
    )*};
}

/// Adds routes to actix's config (when there is one) and to the table.
pub struct Routes<'a> {
    cfg: Option<&'a mut web::ServiceConfig>,
    prefix: &'static str,
    table: &'a mut Vec<RouteInfo>,
}

impl std::fmt::Debug for Routes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Routes").field("prefix", &self.prefix).field("routes", &self.table.len()).finish()
    }
}

impl<'a> Routes<'a> {
    /// Routes under `prefix` (a scope's path), added to `cfg` if given.
    pub(crate) fn new(cfg: Option<&'a mut web::ServiceConfig>, prefix: &'static str, table: &'a mut Vec<RouteInfo>) -> Self {
        Routes { cfg, prefix, table }
    }

    verbs! { get GET, post POST, put PUT, delete DELETE }

    /// Adds the routes `add` adds (a module's), in order.
    pub(crate) fn include(&mut self, add: fn(&mut Routes<'_>)) -> &mut Self {
        add(self);
        self
    }

    /// Actix's config, for what is not a route (`app_data`); `None` when
    /// only the table is being made.
    pub(crate) fn config(&mut self) -> Option<&mut web::ServiceConfig> {
        self.cfg.as_deref_mut()
    }

    /// Declares the query budget of the route added last.
    pub(crate) fn budget(&mut self, statements: u32) -> &mut Self {
        if let Some(last) = self.table.last_mut() {
            last.statements = Some(statements);
        }
        self
    }

    fn add(&mut self, method: Method, name: &'static str, path: &'static str, route: Route) -> &mut Self {
        self.table.push(RouteInfo { method: name, path: format!("{}{path}", self.prefix), statements: None });
        if let Some(cfg) = self.cfg.as_deref_mut() {
            cfg.route(path, route.method(method));
        }
        self
    }
}

/// Every route the server serves, in the order they are matched; `HEAD`
/// is served on every `GET` route besides.
pub fn route_table() -> Vec<RouteInfo> {
    let mut table = Vec::new();
    crate::add_routes(&mut Routes::new(None, "", &mut table));
    crate::api::routes(&mut Routes::new(None, crate::API_PREFIX, &mut table));
    table
}
