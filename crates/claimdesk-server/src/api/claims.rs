//! The API's claims: listing, reading, and every claim action, each parsed
//! into a [`Command`] and run by the executor pages use too.

use actix_web::{HttpResponse, web};
use claimdesk_core::{Command, DismissalKind, Kind, NewEvidence, Severity, SpeakerKind, Stance, Status};
use claimdesk_store::{ClaimRow, EventRow, EvidenceRow, FlagView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ErrorOut, LimitQuery, page_limit};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::pages::queue::QueueQuery;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimOut {
    pub id: i64,
    pub document_id: i64,
    pub sentence_index: i32,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub speaker: Option<String>,
    /// named, anonymous (an unnamed source) or outlet (no speaker: the
    /// outlet's own claim).
    #[schema(value_type = String, example = "named")]
    pub speaker_kind: SpeakerKind,
    pub priority: f64,
    #[schema(value_type = String, example = "in_review")]
    /// new, in_review, resolved, published or dismissed
    pub status: Status,
    pub assignee: Option<String>,
    pub verdict: Option<String>,
    pub explanation: Option<String>,
    pub resolved_by: Option<String>,
    pub approved_by: Option<String>,
    pub dismissal_reason: Option<String>,
    /// Set when dismissed: not_checkworthy, duplicate or other.
    #[schema(value_type = Option<String>, example = "not_checkworthy")]
    pub dismissal_kind: Option<DismissalKind>,
    /// The short form reports publish as ClaimReview `claimReviewed`: the
    /// editor's, or the default (the sentence, cut at 75 characters).
    pub claim_reviewed: String,
    /// Whether `claim_reviewed` was set by an editor (else it is the default).
    pub claim_reviewed_set: bool,
    /// Send it back with every change; a stale one gets 409.
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<ClaimRow> for ClaimOut {
    fn from(c: ClaimRow) -> Self {
        ClaimOut {
            claim_reviewed: c.claim_reviewed_or_default(),
            claim_reviewed_set: c.claim_reviewed.is_some(),
            id: c.id,
            document_id: c.document_id,
            sentence_index: c.sentence_index,
            start: c.start,
            end: c.end,
            text: c.text,
            speaker: c.speaker,
            speaker_kind: c.speaker_kind,
            priority: c.priority,
            status: c.status,
            assignee: c.assignee,
            verdict: c.verdict,
            explanation: c.explanation,
            resolved_by: c.resolved_by,
            approved_by: c.approved_by,
            dismissal_reason: c.dismissal_reason,
            dismissal_kind: c.dismissal_kind,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimPage {
    pub claims: Vec<ClaimOut>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/claims", params(QueueQuery, LimitQuery), responses((status = 200, body = ClaimPage), (status = 400, body = ErrorOut)))]
pub(super) async fn list_claims(
    user: ApiUser,
    state: web::Data<AppState>,
    filters: crate::input::Query<QueueQuery>,
    limit: crate::input::Query<LimitQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(limit.limit)?;
    let (filter, order, after) = filters.parse(&user.name).map_err(|errors| AppError::BadRequest(errors.join("; ")))?;
    let claims = state.store.list_claims(&filter, order, after, limit).await?;
    let next = (claims.len() as u64 == limit).then(|| claims.last().map(|c| format!("{}:{}", c.priority, c.id))).flatten();
    Ok(HttpResponse::Ok().json(ClaimPage { claims: claims.into_iter().map(ClaimOut::from).collect(), next }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FlagOut {
    pub plugin: String,
    pub plugin_version: String,
    pub rule: String,
    #[schema(value_type = String, example = "numeric")]
    pub kind: Kind,
    #[schema(value_type = String, example = "warning")]
    pub severity: Severity,
    pub start: i64,
    pub end: i64,
    pub score: f64,
    pub message: String,
    pub question: String,
    pub stale: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    pub id: i64,
    pub url: String,
    pub title: Option<String>,
    pub quoted_passage: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = String, example = "refutes")]
    pub stance: Stance,
    pub added_by: String,
    pub added_at: i64,
    /// An archive's copy of `url`.
    pub archived_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventOut {
    pub actor: String,
    pub at: i64,
    pub action: String,
    #[schema(value_type = String)]
    pub before: Status,
    #[schema(value_type = String)]
    pub after: Status,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimDetail {
    pub claim: ClaimOut,
    pub flags: Vec<FlagOut>,
    pub evidence: Vec<EvidenceOut>,
    pub history: Vec<EventOut>,
}

impl From<FlagView> for FlagOut {
    fn from(f: FlagView) -> Self {
        let FlagView { plugin, plugin_version, rule, kind, severity, start, end, score, message, question, stale, .. } = f;
        FlagOut { plugin, plugin_version, rule, kind, severity, start, end, score, message, question, stale }
    }
}

impl From<EvidenceRow> for EvidenceOut {
    fn from(e: EvidenceRow) -> Self {
        let EvidenceRow { id, url, title, quoted_passage, note, stance, added_by, added_at, archived_url, .. } = e;
        EvidenceOut { id, url, title, quoted_passage, note, stance, added_by, added_at, archived_url }
    }
}

impl From<EventRow> for EventOut {
    fn from(e: EventRow) -> Self {
        let detail = serde_json::from_str(&e.detail).unwrap_or_default();
        let EventRow { actor, at, action, before, after, .. } = e;
        EventOut { actor, at, action, before, after, detail }
    }
}

pub(super) async fn claim_detail(state: &AppState, id: i64) -> Result<ClaimDetail, ApiError> {
    let claim = state.store.claim(id).await?;
    let flags = state.store.claim_flags(id).await?;
    let evidence = state.store.claim_evidence(id).await?;
    let events = state.store.claim_events(id).await?;
    Ok(ClaimDetail {
        claim: claim.into(),
        flags: flags.into_iter().map(FlagOut::from).collect(),
        evidence: evidence.into_iter().map(EvidenceOut::from).collect(),
        history: events.into_iter().map(EventOut::from).collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", params(("id" = i64, Path, minimum = 1, description = "The record's id")), responses((status = 200, body = ClaimDetail), (status = 404, body = ErrorOut)))]
pub(super) async fn get_claim(_user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(claim_detail(&state, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    #[schema(minimum = 0)]
    pub version: i32,
    /// A user name; absent or null unassigns.
    pub to: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    pub url: String,
    pub title: Option<String>,
    pub quoted_passage: Option<String>,
    pub note: Option<String>,
    /// supports, refutes or context
    #[schema(value_type = String, example = "refutes")]
    pub stance: Stance,
    /// An archive's copy of `url` (a web address).
    #[serde(default)]
    pub archived_url: Option<String>,
}

impl From<EvidenceIn> for NewEvidence {
    fn from(e: EvidenceIn) -> Self {
        let EvidenceIn { url, title, quoted_passage, note, stance, archived_url } = e;
        NewEvidence { url, title, quoted_passage, note, stance, archived_url }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictIn {
    #[schema(minimum = 0)]
    pub version: i32,
    /// A key of the rating scale, e.g. `false`.
    pub rating: String,
    pub explanation: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissIn {
    #[schema(minimum = 0)]
    pub version: i32,
    /// not_checkworthy (a label the desk's check-worthiness model learns
    /// from), duplicate, or other (the default).
    #[schema(value_type = Option<String>, example = "not_checkworthy")]
    #[serde(default)]
    pub kind: Option<DismissalKind>,
    /// Free text; may be empty unless the kind is other.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionIn {
    #[schema(minimum = 0)]
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SummarizeIn {
    #[schema(minimum = 0)]
    pub version: i32,
    /// The short form, at most 75 characters; empty resets it to the default.
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerIn {
    #[schema(minimum = 0)]
    pub version: i32,
    /// named, anonymous or outlet.
    #[schema(value_type = String, example = "anonymous")]
    pub kind: SpeakerKind,
    /// The speaker's name (ignored for `outlet`).
    #[serde(default)]
    pub name: String,
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/speaker", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = SpeakerIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn speaker(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<SpeakerIn>,
) -> Result<HttpResponse, ApiError> {
    let SpeakerIn { version, kind, name } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::EditSpeaker { speaker: name, kind }).await
}

/// Runs `command` through the one executor pages use too, answering with
/// the claim's new state.
async fn act(state: &AppState, user: &ApiUser, id: i64, version: Option<i32>, command: Command) -> Result<HttpResponse, ApiError> {
    let claim = state.store.claim(id).await?;
    crate::claims::execute(state, &user.name, user.role, &claim, version, command).await?;
    Ok(HttpResponse::Ok().json(claim_detail(state, id).await?))
}

const ID: &str = "The record's id";

#[utoipa::path(post, path = "/api/v1/claims/{id}/assign", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = AssignIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn assign(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<AssignIn>,
) -> Result<HttpResponse, ApiError> {
    let AssignIn { version, to } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Assign { to }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/evidence", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = EvidenceIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn add_evidence(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<EvidenceIn>,
) -> Result<HttpResponse, ApiError> {
    act(&state, &user, id.into_inner(), None, Command::AddEvidence(body.into_inner().into())).await
}

#[utoipa::path(put, path = "/api/v1/claims/{id}/evidence/{evidence}", params(("id" = i64, Path, minimum = 1, description = ID), ("evidence" = i64, Path, minimum = 1, description = "The evidence item's id")), request_body = EvidenceIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn edit_evidence(
    user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: crate::input::Json<EvidenceIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence) = path.into_inner();
    act(&state, &user, id, None, Command::EditEvidence { id: evidence, evidence: body.into_inner().into() }).await
}

/// Deletes an evidence item; the claim's history keeps what it said.
#[utoipa::path(delete, path = "/api/v1/claims/{id}/evidence/{evidence}", params(("id" = i64, Path, minimum = 1, description = ID), ("evidence" = i64, Path, minimum = 1, description = "The evidence item's id")), responses((status = 200, body = ClaimDetail)))]
pub(super) async fn delete_evidence(
    user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, evidence) = path.into_inner();
    act(&state, &user, id, None, Command::DeleteEvidence { id: evidence }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/verdict", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = VerdictIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn verdict(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<VerdictIn>,
) -> Result<HttpResponse, ApiError> {
    let VerdictIn { version, rating, explanation } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Verdict { rating, explanation }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/dismiss", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = DismissIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn dismiss(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<DismissIn>,
) -> Result<HttpResponse, ApiError> {
    let DismissIn { version, kind, reason } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Dismiss { kind: kind.unwrap_or(DismissalKind::Other), reason }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/summarize", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = SummarizeIn, responses((status = 200, body = ClaimDetail)))]
pub(super) async fn summarize(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<SummarizeIn>,
) -> Result<HttpResponse, ApiError> {
    let SummarizeIn { version, text } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Summarize { text }).await
}

/// The actions that carry nothing but the version: one handler each, so
/// that each has its own OpenAPI operation.
macro_rules! version_only {
    ($($name:ident => $command:expr, $path:literal;)+) => {$(
        #[utoipa::path(post, path = $path, params(("id" = i64, Path, minimum = 1, description = ID)), request_body = VersionIn, responses((status = 200, body = ClaimDetail)))]
        pub(super) async fn $name(
            user: ApiUser,
            state: web::Data<AppState>,
            id: web::Path<i64>,
            body: crate::input::Json<VersionIn>,
        ) -> Result<HttpResponse, ApiError> {
            act(&state, &user, id.into_inner(), Some(body.version), $command).await
        }
    )+};
}

version_only! {
    start => Command::Start, "/api/v1/claims/{id}/start";
    approve => Command::Approve, "/api/v1/claims/{id}/approve";
    reopen => Command::Reopen, "/api/v1/claims/{id}/reopen";
    publish => Command::Publish, "/api/v1/claims/{id}/publish";
    unpublish => Command::Unpublish, "/api/v1/claims/{id}/unpublish";
}

/// One claim of a bulk action, with the version the client saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkClaim {
    #[schema(minimum = 1)]
    pub id: i64,
    #[schema(minimum = 0)]
    pub version: i32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIn {
    /// assign, dismiss (editors) or publish (editors).
    pub action: String,
    pub claims: Vec<BulkClaim>,
    /// assign: the user; absent or empty unassigns.
    #[serde(default)]
    pub to: Option<String>,
    /// dismiss: not_checkworthy, duplicate or other (the default).
    #[schema(value_type = Option<String>, example = "duplicate")]
    #[serde(default)]
    pub kind: Option<DismissalKind>,
    /// dismiss: free text; needed for other.
    #[serde(default)]
    pub reason: String,
}

/// Applies one action to many claims, claim by claim, each against its
/// version; refusals are listed with their reason, the rest go ahead.
#[utoipa::path(post, path = "/api/v1/claims/bulk", request_body = BulkIn, responses((status = 200, body = crate::claims::BulkOutcome), (status = 400, body = ErrorOut)))]
pub(super) async fn bulk(user: ApiUser, state: web::Data<AppState>, body: crate::input::Json<BulkIn>) -> Result<HttpResponse, ApiError> {
    let BulkIn { action, claims, to, kind, reason } = body.into_inner();
    let command = match action.as_str() {
        "assign" => Command::Assign { to },
        "dismiss" => Command::Dismiss { kind: kind.unwrap_or(DismissalKind::Other), reason },
        "publish" => Command::Publish,
        other => return Err(AppError::BadRequest(format!("There is no bulk action {other:?}: assign, dismiss or publish.")).into()),
    };
    if claims.len() > 500 {
        return Err(AppError::BadRequest("A bulk action takes at most 500 claims.".to_owned()).into());
    }
    let items: Vec<(i64, i32)> = claims.iter().map(|c| (c.id, c.version)).collect();
    let outcome = crate::claims::bulk(&state, &user.name, user.role, &items, &command).await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// A claim the detectors missed: a selection's text, or 1-based sentence
/// numbers (`to` defaults to `from`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandClaimIn {
    /// Text selected in the document; its sentences become the claim.
    #[serde(default)]
    pub quote: Option<String>,
    #[schema(minimum = 1)]
    #[serde(default)]
    pub from: Option<u32>,
    #[schema(minimum = 1)]
    #[serde(default)]
    pub to: Option<u32>,
    /// Why it was added (kept in the claim's history).
    #[serde(default)]
    pub note: Option<String>,
}

/// Adds a claim the detectors missed to the document; it enters the queue
/// as new, at the top, with an event saying who added it.
#[utoipa::path(post, path = "/api/v1/documents/{id}/claims", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = HandClaimIn, responses((status = 201, body = ClaimDetail), (status = 400, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub(super) async fn add_by_hand(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<HandClaimIn>,
) -> Result<HttpResponse, ApiError> {
    let HandClaimIn { quote, from, to, note } = body.into_inner();
    let text = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let input =
        crate::claims::HandInput { quote: quote.unwrap_or_default(), from: text(from), to: text(to), note: note.unwrap_or_default() };
    let claim = crate::claims::add_by_hand(&state, &user.name, id.into_inner(), &input).await?;
    Ok(HttpResponse::Created().json(claim_detail(&state, claim.id).await?))
}
