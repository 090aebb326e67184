//! The API's notes, notifications and desk figures: the same rules as
//! the pages (`crate::pages::notes`, `crate::pages::dashboard`).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorOut;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: i64,
    pub claim_id: i64,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Earlier texts, oldest first.
    pub earlier: Vec<String>,
}

impl From<claimdesk_store::NoteRow> for NoteOut {
    fn from(n: claimdesk_store::NoteRow) -> Self {
        let claimdesk_store::NoteRow { id, claim_id, author, body, created_at, updated_at, earlier } = n;
        NoteOut { id, claim_id, author, body, created_at, updated_at, earlier: earlier.into_iter().map(|(b, _)| b).collect() }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// At most 5,000 characters; `@name` tells that user.
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub claim_id: i64,
    pub note_id: Option<i64>,
    /// mention or note.
    #[schema(value_type = String, example = "mention")]
    pub kind: claimdesk_core::NotificationKind,
    pub actor: String,
    pub created_at: i64,
    pub read: bool,
}

const ID: &str = "The record's id";

async fn notes_of(state: &AppState, claim: i64) -> Result<Vec<NoteOut>, ApiError> {
    Ok(state.store.claim_notes(claim).await?.into_iter().map(NoteOut::from).collect())
}

/// The claim's internal notes, oldest first.
#[utoipa::path(get, path = "/api/v1/claims/{id}/notes", params(("id" = i64, Path, minimum = 1, description = ID)), responses((status = 200, body = [NoteOut]), (status = 404, body = ErrorOut)))]
pub(super) async fn list(_user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state.store.claim(id).await?;
    Ok(HttpResponse::Ok().json(notes_of(&state, id).await?))
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/notes", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = NoteIn, responses((status = 201, body = NoteOut), (status = 400, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub(super) async fn add(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<NoteIn>,
) -> Result<HttpResponse, ApiError> {
    let note = crate::pages::notes::add_note(&state, &user.name, id.into_inner(), &body.body).await?;
    Ok(HttpResponse::Created().json(NoteOut::from(note)))
}

/// Edits one's own note; its earlier text is kept.
#[utoipa::path(put, path = "/api/v1/claims/{id}/notes/{note}", params(("id" = i64, Path, minimum = 1, description = ID), ("note" = i64, Path, minimum = 1, description = "The note's id")), request_body = NoteIn, responses((status = 200, body = [NoteOut]), (status = 403, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub(super) async fn edit(
    user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: crate::input::Json<NoteIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, note) = path.into_inner();
    crate::pages::notes::edit_note(&state, &user.name, id, note, &body.body).await?;
    Ok(HttpResponse::Ok().json(notes_of(&state, id).await?))
}

/// The caller's latest notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", responses((status = 200, body = [NotificationOut])))]
pub(super) async fn notifications(user: ApiUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let rows = state.store.notifications(user.id, 200).await?;
    let out: Vec<NotificationOut> = rows
        .into_iter()
        .map(|n| NotificationOut {
            id: n.id,
            claim_id: n.claim_id,
            note_id: n.note_id,
            kind: n.kind,
            actor: n.actor,
            created_at: n.created_at,
            read: n.read,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", responses((status = 200, description = "how many were unread")))]
pub(super) async fn read_all(user: ApiUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let n = state.store.mark_notifications_read(user.id).await?;
    state.nav.forget(user.id);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "marked_read": n })))
}

/// The dashboard's figures (editors and admins): claims in and out per
/// day, times to verdict and publication (median, 90th percentile, in
/// seconds), open claims per assignee, verdicts given, oldest open claims.
#[utoipa::path(get, path = "/api/v1/stats", params(crate::pages::dashboard::StatsQuery), responses((status = 200, description = "the figures, as on /dashboard"), (status = 400, body = ErrorOut), (status = 403, body = ErrorOut)))]
pub(super) async fn stats(
    user: ApiUser,
    state: web::Data<AppState>,
    query: crate::input::Query<crate::pages::dashboard::StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(crate::auth::Role::Editor)?;
    let days = query.days()?;
    Ok(HttpResponse::Ok().json(crate::pages::dashboard::stats(&state, days).await?))
}
