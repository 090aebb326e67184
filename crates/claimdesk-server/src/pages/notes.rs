//! Internal notes on a claim (`/claims/{id}/notes`), and each user's
//! notifications (`/notifications`): a note tells the users it mentions
//! (`@name`), the claim's assignee and whoever reviewed it; an edit tells
//! only the users it newly mentions. Notes are never published.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_core::{MAX_NOTE, NotificationKind, mentions};
use claimdesk_store::{NotificationRow, Recipients};

use super::{Chrome, chrome, html, redirect, set_flash};
use crate::auth::Viewer;
use crate::error::AppError;
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.post("/claims/{id}/notes", add)
        .post("/claims/{id}/notes/{note}", edit)
        .get("/notifications", list)
        .budget(1)
        .post("/notifications/read", read_all);
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct NoteForm {
    csrf_token: Option<String>,
    body: String,
}

/// The note's text as kept: trimmed, 1 to [`MAX_NOTE`] characters.
fn note_text(body: &str) -> Result<String, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::BadRequest("A note needs some text.".to_owned()));
    }
    let n = body.chars().count();
    if n > MAX_NOTE {
        return Err(AppError::BadRequest(format!("A note is at most {MAX_NOTE} characters; this one has {n}.")));
    }
    Ok(body.to_owned())
}

/// Who hears of `body` by `author` on claim `claim_id`: the active users
/// it mentions (and, with `earlier`, did not mention before), and for a
/// new note the claim's followers; never the author, each user once.
pub(crate) async fn recipients(
    state: &AppState,
    claim_id: i64,
    author: &str,
    body: &str,
    earlier: Option<&str>,
) -> Result<Recipients, AppError> {
    let before = earlier.map(mentions).unwrap_or_default();
    let mut out: Recipients = Vec::new();
    let mut seen = vec![author.to_owned()];
    for name in mentions(body).into_iter().filter(|n| !before.contains(n)) {
        if let Some(user) = state.store.user_by_name(&name).await?
            && user.active
            && !seen.contains(&user.name)
        {
            seen.push(user.name.clone());
            out.push((user.id, NotificationKind::Mention));
        }
    }
    if earlier.is_none() {
        for (id, name) in state.store.claim_followers(claim_id).await? {
            if !seen.contains(&name) {
                seen.push(name);
                out.push((id, NotificationKind::Note));
            }
        }
    }
    Ok(out)
}

/// Adds a note (shared by the page and the API).
pub(crate) async fn add_note(state: &AppState, author: &str, claim_id: i64, body: &str) -> Result<claimdesk_store::NoteRow, AppError> {
    let body = note_text(body)?;
    state.store.claim(claim_id).await?;
    let to = recipients(state, claim_id, author, &body, None).await?;
    let note = state.store.add_note(claim_id, author, &body, &to).await?;
    state.nav.forget_all();
    Ok(note)
}

/// Edits the author's own note (shared by the page and the API).
pub(crate) async fn edit_note(state: &AppState, author: &str, claim_id: i64, note: i64, body: &str) -> Result<(), AppError> {
    let body = note_text(body)?;
    let earlier = state.store.claim_notes(claim_id).await?.into_iter().find(|n| n.id == note).map(|n| n.body);
    let earlier = earlier.ok_or_else(|| AppError::NotFound(format!("Claim {claim_id} has no note {note}.")))?;
    let to = recipients(state, claim_id, author, &body, Some(&earlier)).await?;
    let edited = state.store.edit_note(claim_id, note, author, &body, &to).await?;
    state.nav.forget_all();
    match edited {
        Some(()) => Ok(()),
        None => Err(AppError::Forbidden("Only a note's author edits it.".to_owned())),
    }
}

async fn add(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let id = id.into_inner();
    let note = add_note(&state, &viewer.name, id, &form.body).await?;
    set_flash(&session, "Note added.");
    Ok(redirect(&format!("/claims/{id}#note-{}", note.id)))
}

async fn edit(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    path: web::Path<(i64, i64)>,
    form: crate::input::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let (id, note) = path.into_inner();
    edit_note(&state, &viewer.name, id, note, &form.body).await?;
    set_flash(&session, "Note saved; its earlier text is kept.");
    Ok(redirect(&format!("/claims/{id}#note-{note}")))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    notifications: Vec<NotificationRow>,
}

async fn list(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    let notifications = state.store.notifications(viewer.id, 200).await?;
    let page = NotificationsPage { chrome: chrome(&state, &session, viewer, "notifications").await?, notifications };
    html(StatusCode::OK, &page)
}

async fn read_all(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<super::CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    let n = state.store.mark_notifications_read(viewer.id).await?;
    state.nav.forget(viewer.id);
    set_flash(&session, &format!("{n} notification{} marked read.", if n == 1 { "" } else { "s" }));
    Ok(redirect("/notifications"))
}
