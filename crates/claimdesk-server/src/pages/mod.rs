//! Server-rendered pages. Each works without JavaScript; `app.js` only adds
//! keyboard shortcuts.

pub(crate) mod admin;
pub(crate) mod claim;
pub(crate) mod dashboard;
mod documents;
pub(crate) mod feeds;
mod library;
mod login;
pub(crate) mod notes;
mod public;
pub(crate) mod queue;
mod reports;
mod triage;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_session::Session;
use actix_web::http::header::{ContentType, LOCATION};
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::AppState;
use crate::auth::{Role, Viewer};
use crate::error::AppError;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/", || async { HttpResponse::SeeOther().insert_header((LOCATION, "/queue")).finish() })
        .get("/healthz", healthz)
        .get("/live", crate::live::stream)
        .get("/metrics", crate::metrics::scrape)
        .include(login::routes)
        .include(queue::routes)
        // Before the claim page's `/claims/{id}/{action}`.
        .include(notes::routes)
        .include(claim::routes)
        .include(documents::routes)
        .include(admin::routes)
        .include(feeds::routes)
        .include(library::routes)
        .include(reports::routes)
        .include(public::routes)
        .include(dashboard::routes)
        .include(triage::routes);
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
    pub counts: StatusCounts,
    pub flash: Option<String>,
    /// The viewer's saved queue views, for the navigation.
    pub views: Vec<claimdesk_store::SavedView>,
    /// The viewer's unread notifications.
    pub unread: u64,
}

impl Chrome {
    pub fn is_admin(&self) -> bool {
        self.viewer.role >= Role::Admin
    }
}

/// Navigation counts. Counting every claim on every page view would cost
/// more than the page itself, so pages show counts at most ten seconds old:
/// an older value is shown once more while a background task recounts
/// (no request waits for it), and a change made on this node drops the
/// value so the next page counts afresh.
#[derive(Debug, Default)]
pub struct CountsCache {
    value: Mutex<Option<(Instant, StatusCounts)>>,
    refreshing: std::sync::atomic::AtomicBool,
}

type StatusCounts = Vec<(claimdesk_core::Status, i64)>;

impl CountsCache {
    const FRESH: Duration = Duration::from_secs(10);

    pub fn invalidate(&self) {
        if let Ok(mut c) = self.value.lock() {
            *c = None;
        }
    }

    fn cached(&self) -> Option<(bool, StatusCounts)> {
        let c = self.value.lock().ok()?;
        c.as_ref().map(|(at, v)| (at.elapsed() < Self::FRESH, v.clone()))
    }

    fn store(&self, counts: StatusCounts) {
        if let Ok(mut c) = self.value.lock() {
            *c = Some((Instant::now(), counts));
        }
    }
}

pub async fn chrome(state: &web::Data<AppState>, session: &Session, viewer: Viewer, section: &'static str) -> Result<Chrome, AppError> {
    use std::sync::atomic::Ordering;
    let counts = match state.counts.cached() {
        Some((true, counts)) => counts,
        Some((false, counts)) => {
            if !state.counts.refreshing.swap(true, Ordering::AcqRel) {
                let state = state.clone();
                actix_web::rt::spawn(async move {
                    if let Ok(fresh) = state.store.status_counts().await {
                        state.counts.store(fresh);
                    }
                    state.counts.refreshing.store(false, Ordering::Release);
                });
            }
            counts
        }
        None => {
            let counts = state.store.status_counts().await?;
            state.counts.store(counts.clone());
            counts
        }
    };
    // Only touch the session when there is a message: a changed session is
    // re-encrypted and sent back as a cookie with the response.
    let flash = match session.get::<String>("flash") {
        Ok(Some(message)) => {
            session.remove("flash");
            Some(message)
        }
        _ => None,
    };
    let (views, unread) = state.nav.get(&state.store, viewer.id).await?;
    Ok(Chrome { viewer, section, counts, flash, views, unread })
}

/// `s` with its first letter in upper case (messages built from errors).
pub fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

pub fn set_flash(session: &Session, message: &str) {
    let _ = session.insert("flash", message);
}

pub fn html(status: actix_web::http::StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status).content_type(ContentType::html()).body(page.render()?))
}

pub fn ok(page: &impl Template) -> Result<HttpResponse, AppError> {
    html(actix_web::http::StatusCode::OK, page)
}

pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((LOCATION, to.to_owned())).finish()
}

/// A form that carries nothing but its CSRF token (log out, switch back).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct CsrfOnly {
    pub csrf_token: Option<String>,
}

/// Unix seconds as `YYYY-MM-DD HH:MM` UTC.
pub fn when(secs: impl std::borrow::Borrow<i64>) -> String {
    let secs = *secs.borrow();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&format).ok()).unwrap_or_else(|| secs.to_string())
}

/// A snake_case name for people: `in_review` → `in review` (written
/// straight into the page, without an allocation per row).
pub fn human<S: std::fmt::Display>(name: S) -> Human<S> {
    Human(name)
}

pub struct Human<S>(S);

/// Writes through to a formatter with `_` turned into spaces.
struct Spaced<'a, 'b>(&'a mut std::fmt::Formatter<'b>);

impl std::fmt::Write for Spaced<'_, '_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for (i, part) in s.split('_').enumerate() {
            if i > 0 {
                self.0.write_str(" ")?;
            }
            self.0.write_str(part)?;
        }
        Ok(())
    }
}

impl<S: std::fmt::Display> std::fmt::Display for Human<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Write::write_fmt(&mut Spaced(f), format_args!("{}", self.0))
    }
}

/// A score in [0, 1] with two decimals, by integer arithmetic (float
/// formatting with a precision is slow, and the queue prints 50 a page).
pub fn score(x: impl std::borrow::Borrow<f64>) -> String {
    let hundredths = (x.borrow().clamp(0.0, 1.0) * 100.0).round() as u32;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

pub use claimdesk_core::input::is_web_url;

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
        assert_eq!(super::human("in_review").to_string(), "in review");
        assert_eq!((super::score(0.955), super::score(1.0), super::score(0.04)), ("0.96".into(), "1.00".into(), "0.04".into()));
    }
}
