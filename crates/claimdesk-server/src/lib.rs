//! The review web UI and the JSON API: actix-web routes, askama pages from
//! the workspace's `templates/`, sessions, CSRF and roles. Only this crate
//! knows HTTP.
//!
//! Invariants:
//! - every route checks the caller's role on the server (pages: session
//!   cookie; API: bearer token); templates only hide what a role cannot do;
//! - every state-changing form carries the session's `csrf_token`, checked
//!   before anything else happens;
//! - a claim change names the version it was made against; a stale one is
//!   refused with what changed, never applied.

mod api;
mod assets;
pub mod auth;
mod cache;
pub mod checking;
mod claims;
mod csrf;
mod error;
mod highlight;
mod ingest;
mod input;
pub mod library;
pub mod live;
mod metrics;
mod pages;
pub use pages::when;
mod request_id;
mod routes;
mod state;

use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::{App, HttpServer, web};

pub use auth::SessionPolicy;
pub use ingest::{Ingested, ingest, ingest_or_queue};
pub use pages::admin::{MIN_PASSWORD, valid_user_name};
pub use routes::{RouteInfo, route_table};
pub use state::{AppState, PublicUrl, PublicUrlSource, ServerOptions, Work};

/// Largest form body accepted, other than document ingestion.
pub const FORM_LIMIT: usize = 256 * 1024;

/// Builds the routes on `state`.
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(state)
            .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(error::form_error))
            .app_data(web::JsonConfig::default().limit(claimdesk_ingest::MAX_BYTES + 64 * 1024).error_handler(error::json_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .configure(|cfg| add_routes(&mut routes::Routes::new(Some(cfg), "", &mut Vec::new())))
            .service(
                web::scope(API_PREFIX)
                    .wrap(actix_web::middleware::from_fn(auth::authenticate_first))
                    .configure(|cfg| api::routes(&mut routes::Routes::new(Some(cfg), API_PREFIX, &mut Vec::new()))),
            )
            .default_service(web::to(error::not_found));
    }
}

/// Where the JSON API's routes live.
pub(crate) const API_PREFIX: &str = "/api/v1";

/// The routes outside the API: assets, pages, public pages.
fn add_routes(r: &mut routes::Routes<'_>) {
    r.include(assets::routes).include(pages::routes);
}

/// Binds `options.bind` (port 0 picks a free port) and returns the server,
/// to be awaited, with the addresses it listens on.
pub fn bind(state: AppState, options: &ServerOptions) -> std::io::Result<(actix_web::dev::Server, Vec<std::net::SocketAddr>)> {
    let mut state = state;
    state.session_policy = options.sessions;
    state.trusted_proxies.clone_from(&options.trusted_proxies);
    state.server_timing = options.server_timing;
    let key = Key::derive_from(state.session_secret.as_bytes());
    let secure = options.secure_cookies;
    let csp = content_security_policy();
    let state = web::Data::new(state);
    let fallback_state = state.clone();
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(CookieSessionStore::default(), key.clone())
            .cookie_name("claimdesk_session".to_owned())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(secure)
            .cookie_content_security(CookieContentSecurity::Private)
            .build();
        let headers = actix_web::middleware::DefaultHeaders::new()
            .add(("Content-Security-Policy", csp.clone()))
            .add(("X-Content-Type-Options", "nosniff"))
            .add(("Referrer-Policy", "same-origin"))
            .add(("X-Frame-Options", "DENY"));
        App::new()
            .wrap(actix_web::middleware::from_fn(head_as_get))
            .wrap(sessions)
            .wrap(headers)
            .wrap(actix_web::middleware::from_fn(metrics::middleware))
            .wrap(actix_web::middleware::from_fn(request_id::middleware))
            .configure(configure(state.clone()))
    });
    let server = match options.workers {
        Some(n) => server.workers(n),
        None => server,
    };
    let server = server.bind(&options.bind)?;
    let addrs = server.addrs();
    let fallback = match &options.public_url {
        Some(url) => state::PublicUrl { url: url.clone(), source: state::PublicUrlSource::Option },
        None => state::PublicUrl {
            url: addrs.first().map_or_else(|| "http://localhost".to_owned(), |a| format!("http://{a}")),
            source: state::PublicUrlSource::Bind,
        },
    };
    // Set once, before the first request.
    let _ = fallback_state.fallback_url.set(fallback);
    Ok((server.run(), addrs))
}

/// `HEAD` is answered as `GET` is, without the body: routed as a `GET`
/// (every GET route has its HEAD, none written twice); the connection
/// still knows the request was a HEAD and sends the headers only, with the
/// GET's length. Innermost, so the metrics still count it as `HEAD`.
async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}

/// The Content-Security-Policy of every response: scripts, styles, images
/// and fonts only from this site (no inline script, no `eval`), forms only
/// to this site, never framed. The one inline style allowed is the verdict
/// report's own style sheet, by its SHA-256, so a report page renders as
/// its downloaded file does. JSON-LD `<script type="application/ld+json">`
/// blocks are data, not scripts: the policy does not apply to them.
pub fn content_security_policy() -> String {
    use base64::Engine;
    use sha2::Digest;
    let report_css = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(claimdesk_report::REPORT_CSS.as_bytes()));
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-{report_css}'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The plugins, shared by every request of the process.
pub type SharedHost = Arc<checking::Checking>;
