//! `/claims/{id}`: one claim in context, and every action on it.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_core::{Action, Rating};
use claimdesk_store::{ClaimRow, EvidenceRow, FlagView, NewEvidence, StoreError};
use serde::Deserialize;

use super::{Chrome, chrome, field, html, redirect, set_flash, when};
use crate::auth::{Role, Viewer};
use crate::error::PageError;
use crate::highlight::{Mark, Segment, paragraph_spans, segments};
use crate::{AppState, csrf};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/claims/{id}", web::get().to(show)).route("/claims/{id}/{action}", web::post().to(act));
}

/// Every field any claim form sends; each action reads the ones it needs.
/// All strings, so a malformed value is reported on the re-shown form
/// rather than rejected before the handler sees it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub csrf_token: Option<String>,
    pub version: String,
    /// The newest history entry the page showed, to tell what changed.
    pub seen: String,
    pub to: String,
    pub rating: String,
    pub explanation: String,
    pub reason: String,
    pub url: String,
    pub title: String,
    pub quoted_passage: String,
    pub note: String,
    pub stance: String,
    /// The short form reports publish (ClaimReview `claimReviewed`).
    pub claim_reviewed: String,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub before: String,
    pub after: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "claim.html")]
struct ClaimPage {
    chrome: Chrome,
    claim: ClaimRow,
    document_label: String,
    document_url: String,
    context: Vec<Segment>,
    flags: Vec<FlagView>,
    evidence: Vec<EvidenceRow>,
    events: Vec<EventView>,
    ratings: Vec<Rating>,
    verdict_label: String,
    users: Vec<String>,
    last_event: i64,
    form: ActionForm,
    /// Which form the kept input and the error belong to.
    form_action: String,
    error: Option<String>,
    changes: Vec<EventView>,
    second_review: bool,
}

impl ClaimPage {
    fn can(&self, action: &str) -> bool {
        let status = self.claim.status.as_str();
        let role = self.chrome.viewer.role;
        match action {
            "assign" => matches!(status, "new" | "in_review" | "resolved"),
            "start" => status == "new",
            "verdict" => matches!(status, "new" | "in_review"),
            "approve" => self.second_review && status == "resolved" && self.claim.approved_by.is_none(),
            "dismiss" => role >= Role::Editor && matches!(status, "new" | "in_review" | "resolved"),
            "reopen" => status == "resolved" || (role >= Role::Editor && matches!(status, "published" | "dismissed")),
            "publish" => role >= Role::Editor && status == "resolved",
            "unpublish" => role >= Role::Editor && status == "published",
            // A published short form is public: only editors change it.
            "summarize" => role >= Role::Editor || !matches!(status, "published" | "dismissed"),
            _ => false,
        }
    }

    /// The short form as reports show it now: the editor's, or the default.
    fn claim_reviewed(&self) -> String {
        self.claim.claim_reviewed.clone().unwrap_or_else(|| claimdesk_core::short_form(&self.claim.text))
    }

    /// The short form field's value: kept input after a refusal, else the current one.
    fn claim_reviewed_field(&self) -> String {
        if self.form_action == "summarize" { self.form.claim_reviewed.clone() } else { self.claim_reviewed() }
    }

    fn kept(&self, action: &str, value: &str) -> String {
        if self.form_action == action { value.to_owned() } else { String::new() }
    }

    fn error_for(&self, action: &str) -> Option<String> {
        if self.form_action == action { self.error.clone() } else { None }
    }

    /// Errors of the small forms, and every stale-version refusal, go at
    /// the top; the big forms show theirs beside their fields.
    fn top_error(&self) -> Option<String> {
        let beside_form = matches!(self.form_action.as_str(), "evidence" | "verdict" | "dismiss" | "summarize") && self.changes.is_empty();
        if beside_form { None } else { self.error.clone() }
    }
}

fn describe(action: &str, detail: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
    match action {
        "assign" => match v.get("to").and_then(|x| x.as_str()) {
            Some(to) => format!("assigned to {to}"),
            None => "unassigned".to_owned(),
        },
        "resolve" => format!("verdict {}: {}", s("rating"), s("explanation")),
        "dismiss" => format!("reason: {}", s("reason")),
        "add_evidence" => format!("{} ({})", s("url"), s("stance")),
        "summarize" if s("text").trim().is_empty() => "short form reset to the sentence".to_owned(),
        "summarize" => format!("short form: {}", s("text")),
        _ => String::new(),
    }
}

fn event_views(events: Vec<claimdesk_store::EventRow>) -> Vec<EventView> {
    events
        .into_iter()
        .map(|e| EventView {
            at: when(e.at),
            detail: describe(&e.action, &e.detail),
            actor: e.actor,
            action: e.action.replace('_', " "),
            before: e.before,
            after: e.after,
        })
        .collect()
}

async fn page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    id: i64,
    form: ActionForm,
    form_action: &str,
    error: Option<String>,
) -> Result<ClaimPage, PageError> {
    let claim = state.store.claim(id).await?;
    let document = state.store.document(claim.document_id).await?;
    let flags = state.store.claim_flags(id).await?;
    let evidence = state.store.claim_evidence(id).await?;
    let events = state.store.claim_events(id).await?;
    let policy = state.policy().await?;
    let users = state.store.users().await?.into_iter().filter(|u| u.active).map(|u| u.name).collect();
    let last_event = events.last().map_or(0, |e| e.id);
    let seen: i64 = form.seen.parse().unwrap_or(i64::MAX);
    let changes = if error.is_some() { event_views(events.iter().filter(|e| e.id > seen).cloned().collect()) } else { Vec::new() };
    // The paragraph holding the sentence, with the sentence and its flags marked.
    let (start, end) = (claim.start.max(0) as usize, claim.end.max(0) as usize);
    let (p_start, p_end) =
        paragraph_spans(&document.body).into_iter().find(|&(a, b)| a <= start && start < b.max(a + 1)).unwrap_or((start, end));
    let mut marks = vec![Mark { start, end, class: "sentence".to_owned(), title: String::new() }];
    marks.extend(flags.iter().filter(|f| !f.stale).map(|f| Mark {
        start: f.start as usize,
        end: f.end as usize,
        class: format!("k-{}", f.kind),
        title: format!("{}: {}", f.rule, f.message),
    }));
    let verdict_label =
        claim.verdict.as_deref().map(|v| policy.scale.get(v).map_or_else(|| v.to_owned(), |r| r.label.clone())).unwrap_or_default();
    Ok(ClaimPage {
        chrome: chrome(state, session, viewer, "queue").await?,
        context: segments(&document.body, p_start, p_end.max(end).min(document.body.len()), &marks),
        document_label: document.title.clone().or(document.origin.clone()).unwrap_or_else(|| format!("Document {}", document.id)),
        document_url: document.source_url.unwrap_or_default(),
        claim,
        flags,
        evidence,
        events: event_views(events),
        ratings: policy.scale.ratings,
        verdict_label,
        users,
        last_event,
        form,
        form_action: form_action.to_owned(),
        error,
        changes,
        second_review: policy.require_second_review,
    })
}

async fn show(state: web::Data<AppState>, session: Session, viewer: Viewer, id: web::Path<i64>) -> Result<HttpResponse, PageError> {
    let page = page(&state, &session, viewer, id.into_inner(), ActionForm::default(), "", None).await?;
    html(StatusCode::OK, &page)
}

/// A refusal shown on the re-rendered claim page, with the input kept (or
/// as the API's error).
pub(crate) struct Refusal {
    pub status: StatusCode,
    pub message: String,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Refusal {
    Refusal { status, message: message.into() }
}

fn validate_evidence(form: &ActionForm) -> Result<NewEvidence, Refusal> {
    let url = form.url.trim();
    let valid_url = super::is_web_url(url);
    if !valid_url {
        return Err(refuse(StatusCode::BAD_REQUEST, "The evidence needs a web address starting with http:// or https://."));
    }
    if !matches!(form.stance.as_str(), "supports" | "refutes" | "context") {
        return Err(refuse(StatusCode::BAD_REQUEST, "Choose whether the evidence supports, refutes or gives context to the claim."));
    }
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(NewEvidence {
        url: url.to_owned(),
        title: opt(&form.title),
        quoted_passage: opt(&form.quoted_passage),
        note: opt(&form.note),
        stance: form.stance.clone(),
    })
}

async fn act(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    path: web::Path<(i64, String)>,
    form: crate::input::Form<ActionForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let (id, action) = path.into_inner();
    let form = form.into_inner();
    let claim = state.store.claim(id).await?;
    match perform(&state, &viewer.name, viewer.role, &claim, &action, &form).await {
        Ok(message) => {
            state.counts.invalidate();
            set_flash(&session, &message);
            Ok(redirect(&format!("/claims/{id}")))
        }
        Err(refusal) => {
            let page = page(&state, &session, viewer, id, form, &action, Some(refusal.message)).await?;
            html(refusal.status, &page)
        }
    }
}

/// Applies `action` with the fields of `form` by `me`, whose role is
/// `role`: the one place where pages and API change claims.
pub(crate) async fn perform(
    state: &AppState,
    me: &str,
    role: Role,
    claim: &ClaimRow,
    action: &str,
    form: &ActionForm,
) -> Result<String, Refusal> {
    let needs_editor = matches!(action, "dismiss" | "publish" | "unpublish")
        || (matches!(action, "reopen" | "summarize") && matches!(claim.status.as_str(), "published" | "dismissed"));
    if needs_editor && role < Role::Editor {
        return Err(refuse(StatusCode::FORBIDDEN, "Only editors may do this."));
    }
    if action == "evidence" {
        let evidence = validate_evidence(form)?;
        state.store.add_evidence(claim.id, &evidence, me).await.map_err(store_refusal)?;
        return Ok("Evidence added.".to_owned());
    }
    let version: i32 =
        form.version.trim().parse().map_err(|_| refuse(StatusCode::BAD_REQUEST, "The form lost its version; reload the page."))?;
    let policy = state.policy().await.map_err(store_refusal)?;
    let (steps, message) = match action {
        "assign" => {
            let to = field(&Some(form.to.clone()));
            if let Some(name) = &to {
                match state.store.user_by_name(name).await.map_err(store_refusal)? {
                    Some(user) if user.active => {}
                    _ => return Err(refuse(StatusCode::BAD_REQUEST, format!("There is no active user {name:?}."))),
                }
            }
            let message = to.as_ref().map_or_else(|| "Unassigned.".to_owned(), |n| format!("Assigned to {n}."));
            (vec![Action::Assign { to }], message)
        }
        "start" => (vec![Action::StartReview], "Review started.".to_owned()),
        "verdict" => {
            if policy.scale.get(&form.rating).is_none() {
                return Err(refuse(StatusCode::BAD_REQUEST, "Choose a rating from the scale."));
            }
            if form.explanation.trim().is_empty() {
                return Err(refuse(StatusCode::BAD_REQUEST, "A verdict needs a rating explanation."));
            }
            let resolve = Action::Resolve { rating: form.rating.clone(), explanation: form.explanation.trim().to_owned() };
            // Giving a verdict on a new claim starts its review first.
            let steps = if claim.status == "new" { vec![Action::StartReview, resolve] } else { vec![resolve] };
            (steps, "Verdict saved.".to_owned())
        }
        "approve" => (vec![Action::Approve], "Second review recorded.".to_owned()),
        "dismiss" => {
            if form.reason.trim().is_empty() {
                return Err(refuse(StatusCode::BAD_REQUEST, "Dismissing a claim needs a reason."));
            }
            (vec![Action::Dismiss { reason: form.reason.trim().to_owned() }], "Claim dismissed.".to_owned())
        }
        "reopen" => (vec![Action::Reopen], "Claim reopened.".to_owned()),
        "publish" => (vec![Action::Publish], "Claim published.".to_owned()),
        "unpublish" => (vec![Action::Unpublish], "Claim unpublished.".to_owned()),
        "summarize" => {
            let text = form.claim_reviewed.split_whitespace().collect::<Vec<_>>().join(" ");
            let found = text.chars().count();
            if found > claimdesk_core::MAX_CLAIM_REVIEWED {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    format!("The short form is at most {} characters; this one has {found}.", claimdesk_core::MAX_CLAIM_REVIEWED),
                ));
            }
            // The default short form is stored as "none", so it follows the sentence.
            let text = if text == claimdesk_core::short_form(&claim.text) { String::new() } else { text };
            (vec![Action::Summarize { text }], "Short form saved.".to_owned())
        }
        other => return Err(refuse(StatusCode::NOT_FOUND, format!("There is no claim action {other:?}."))),
    };
    state.store.apply_claim_actions(claim.id, version, steps, me, &policy).await.map_err(store_refusal)?;
    Ok(message)
}

fn store_refusal(e: StoreError) -> Refusal {
    let status = crate::error::store_status(&e);
    let message = match e {
        StoreError::StaleVersion { .. } => "Someone changed this claim after you opened it, so your change was not applied. \
             What changed is listed below; your input is kept in the form — check it and submit again."
            .to_owned(),
        StoreError::Transition(t) => format!("Not possible now: {t}."),
        other if status == StatusCode::INTERNAL_SERVER_ERROR => format!("The change could not be saved: {other}"),
        other => other.to_string(),
    };
    refuse(status, message)
}
