//! Server-rendered pages. Each works without JavaScript; `app.js` only adds
//! keyboard shortcuts.

pub(crate) mod admin;
pub(crate) mod claim;
mod documents;
mod login;
pub(crate) mod queue;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::header::{ContentType, LOCATION};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::AppState;
use crate::auth::{Role, Viewer};
use crate::error::PageError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(|| async { HttpResponse::SeeOther().insert_header((LOCATION, "/queue")).finish() }))
        .route("/healthz", web::get().to(healthz))
        .configure(login::routes)
        .configure(queue::routes)
        .configure(claim::routes)
        .configure(documents::routes)
        .configure(admin::routes);
}

/// For load balancers: 200 when the database answers.
async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.store.user_count().await {
        Ok(_) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(e) => HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable", "error": e.to_string() })),
    }
}

/// What every page's frame shows: who is logged in, the navigation with
/// counts per status, and a message left by the previous request.
#[derive(Debug)]
pub struct Chrome {
    pub viewer: Viewer,
    pub section: &'static str,
    pub counts: Vec<(String, i64)>,
    pub flash: Option<String>,
}

impl Chrome {
    pub fn is_admin(&self) -> bool {
        self.viewer.role >= Role::Admin
    }
}

/// Navigation counts, recomputed at most every two seconds: counting every
/// claim on every page view would cost more than the page itself.
#[derive(Debug, Default)]
pub struct CountsCache(Mutex<Option<(Instant, StatusCounts)>>);

type StatusCounts = Vec<(String, i64)>;

impl CountsCache {
    const FRESH: Duration = Duration::from_secs(2);

    pub fn invalidate(&self) {
        if let Ok(mut c) = self.0.lock() {
            *c = None;
        }
    }
}

const STATUSES: [&str; 5] = ["new", "in_review", "resolved", "published", "dismissed"];

pub async fn chrome(state: &AppState, session: &Session, viewer: Viewer, section: &'static str) -> Result<Chrome, PageError> {
    let cached =
        state.counts.0.lock().ok().and_then(|c| c.as_ref().filter(|(at, _)| at.elapsed() < CountsCache::FRESH).map(|(_, v)| v.clone()));
    let counts = match cached {
        Some(counts) => counts,
        None => {
            let raw = state.store.status_counts().await?;
            let counts: Vec<(String, i64)> =
                STATUSES.iter().map(|s| ((*s).to_owned(), raw.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n))).collect();
            if let Ok(mut c) = state.counts.0.lock() {
                *c = Some((Instant::now(), counts.clone()));
            }
            counts
        }
    };
    let flash = session.remove_as::<String>("flash").and_then(Result::ok);
    Ok(Chrome { viewer, section, counts, flash })
}

pub fn set_flash(session: &Session, message: &str) {
    let _ = session.insert("flash", message);
}

pub fn html(status: actix_web::http::StatusCode, page: &impl Template) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::build(status).content_type(ContentType::html()).body(page.render()?))
}

pub fn ok(page: &impl Template) -> Result<HttpResponse, PageError> {
    html(actix_web::http::StatusCode::OK, page)
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, to.to_owned())).finish()
}

/// Unix seconds as `YYYY-MM-DD HH:MM` UTC.
pub fn when(secs: impl std::borrow::Borrow<i64>) -> String {
    let secs = *secs.borrow();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&format).ok()).unwrap_or_else(|| secs.to_string())
}

/// A snake_case name for people: `in_review` → `in review`.
pub fn human(name: impl AsRef<str>) -> String {
    name.as_ref().replace('_', " ")
}

/// Whether `s` is an absolute http(s) address with a host and no spaces.
pub fn is_web_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) && !s.chars().any(char::is_whitespace) && s.len() <= 2048
}

/// Whether `s` is a calendar date `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// An optional form field: blank means absent.
pub fn field(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_render_in_utc() {
        assert_eq!(super::when(0), "1970-01-01 00:00");
        assert_eq!(super::when(1_795_000_000), "2026-11-18 11:06");
        assert!(super::is_web_url("https://a.example/x?y=1") && !super::is_web_url("https:///x") && !super::is_web_url("ftp://a"));
        assert!(!super::is_web_url("javascript:alert(1)") && !super::is_web_url("https://a.example/ b"));
        assert!(super::is_date("2024-02-29") && !super::is_date("2023-02-29") && !super::is_date("yesterday"));
    }
}
