//! Triage from the queue: saved views (a user's named filters, in the
//! navigation) and bulk actions on the rows a checker ticked.
//!
//! A bulk action is carried out claim by claim through
//! [`crate::claims::execute`], each against the version the page showed,
//! so each is permission-checked, version-checked and in its history; the
//! summary says what was done and what was refused, and why.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use claimdesk_core::{Command, DismissalKind};

use super::queue::QueueQuery;
use super::{redirect, set_flash};
use crate::auth::Viewer;
use crate::claims::BulkOutcome;
use crate::error::AppError;
use crate::{AppState, csrf};

/// Longest view name, in characters.
const MAX_VIEW_NAME: usize = 60;
/// Longest saved query string, in bytes.
const MAX_VIEW_QUERY: usize = 1000;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.post("/views", save_view).post("/views/{id}/delete", delete_view).post("/queue/bulk", bulk);
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct ViewForm {
    csrf_token: Option<String>,
    name: String,
    query: String,
}

/// `query` as a saved view keeps it: a valid queue query string, without
/// a page cursor, in its normal form.
fn view_query(query: &str, viewer: &str) -> Result<String, String> {
    let query = query.trim().trim_start_matches('?');
    if query.len() > MAX_VIEW_QUERY {
        return Err(format!("A view's filters are at most {MAX_VIEW_QUERY} characters."));
    }
    let parsed: QueueQuery = serde_urlencoded::from_str(query).map_err(|e| format!("These are not queue filters: {e}."))?;
    parsed.parse(viewer).map_err(|errors| format!("These filters do not work: {}.", errors.join("; ")))?;
    Ok(QueueQuery { after: None, ..parsed }.query_string())
}

async fn save_view(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<ViewForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_VIEW_NAME {
        return Err(AppError::BadRequest(format!("A view needs a name of 1 to {MAX_VIEW_NAME} characters.")));
    }
    let query = view_query(&form.query, &viewer.name).map_err(AppError::BadRequest)?;
    state.store.save_view(viewer.id, &name, &query).await?;
    state.nav.forget(viewer.id);
    set_flash(&session, &format!("View \u{201c}{name}\u{201d} saved; it is in the navigation."));
    Ok(redirect(&format!("/queue?{query}")))
}

async fn delete_view(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<super::CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    state.store.delete_view(viewer.id, id.into_inner()).await?;
    state.nav.forget(viewer.id);
    set_flash(&session, "View deleted.");
    Ok(redirect("/queue"))
}

/// The bulk form: repeated `claim=ID:VERSION` for the ticked rows, the
/// action and what it needs, and the queue's filters to go back to.
#[derive(Debug, Default)]
struct BulkForm {
    csrf_token: Option<String>,
    claims: Vec<String>,
    action: String,
    to: String,
    dismissal_kind: String,
    reason: String,
    back: String,
}

impl BulkForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> BulkForm {
        let mut form = BulkForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf_token" => form.csrf_token = Some(value),
                "claim" => form.claims.push(value),
                "action" => form.action = value,
                "to" => form.to = value,
                "dismissal_kind" => form.dismissal_kind = value,
                "reason" => form.reason = value,
                "back" => form.back = value,
                _ => {}
            }
        }
        form
    }

    /// The ticked claims with the versions the page showed.
    fn items(&self) -> Result<Vec<(i64, i32)>, AppError> {
        let bad = |v: &str| AppError::BadRequest(format!("{v:?} is not a claim of the queue page; reload it."));
        self.claims
            .iter()
            .map(|v| {
                let (id, version) = v.split_once(':').ok_or_else(|| bad(v))?;
                Ok((id.trim().parse().map_err(|_| bad(v))?, version.trim().parse().map_err(|_| bad(v))?))
            })
            .collect()
    }

    fn command(&self) -> Result<Command, AppError> {
        match self.action.as_str() {
            "assign" => Ok(Command::Assign { to: Some(self.to.clone()).filter(|t| !t.trim().is_empty()) }),
            "dismiss" => {
                let kind = if self.dismissal_kind.is_empty() { Ok(DismissalKind::Other) } else { self.dismissal_kind.parse() };
                let kind = kind.map_err(|_| AppError::BadRequest("Choose why the claims are dismissed.".to_owned()))?;
                Ok(Command::Dismiss { kind, reason: self.reason.clone() })
            }
            "publish" => Ok(Command::Publish),
            other => Err(AppError::BadRequest(format!("There is no bulk action {other:?}: assign, dismiss or publish."))),
        }
    }
}

/// What a bulk action did, in one sentence per outcome.
pub(crate) fn summary(action: &str, outcome: &BulkOutcome) -> String {
    let done = outcome.done.len();
    let mut text = format!("{action}: {done} claim{} done", if done == 1 { "" } else { "s" });
    if !outcome.done.is_empty() {
        let ids: Vec<String> = outcome.done.iter().map(|id| format!("#{id}")).collect();
        text.push_str(&format!(" ({})", ids.join(", ")));
    }
    text.push('.');
    if !outcome.refused.is_empty() {
        text.push_str(&format!(" {} refused:", outcome.refused.len()));
        for refusal in &outcome.refused {
            text.push_str(&format!(" #{}: {};", refusal.id, refusal.reason));
        }
        text.pop();
        text.push('.');
    }
    text
}

async fn bulk(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let form = BulkForm::from_pairs(form.into_inner());
    csrf::verify(&session, form.csrf_token.as_deref())?;
    // Back to the same filters: only a query string of the queue.
    let back = view_query(&form.back, &viewer.name).map(|q| format!("/queue?{q}")).unwrap_or_else(|_| "/queue".to_owned());
    let items = form.items()?;
    if items.len() > 500 {
        return Err(AppError::BadRequest("A bulk action takes at most 500 claims.".to_owned()));
    }
    if items.is_empty() {
        set_flash(&session, "Tick the claims to act on first.");
        return Ok(redirect(&back));
    }
    let command = form.command()?;
    let outcome = crate::claims::bulk(&state, &viewer.name, viewer.role, &items, &command).await?;
    set_flash(&session, &summary(&form.action, &outcome));
    Ok(redirect(&back))
}
