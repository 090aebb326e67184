//! The JSON API under `/api/v1`, for bearer-token clients; its OpenAPI
//! document is generated from these handlers by utoipa.

use actix_web::{HttpResponse, web};
use claimdesk_core::{Command, Document, Kind, NewEvidence, Severity, Stance, Status};
use claimdesk_store::{ClaimRow, EventRow, EvidenceRow, FlagView, Stored};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::pages::queue::QueueQuery;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi))
        .route("/documents", web::get().to(list_documents))
        .route("/documents", web::post().to(create_document))
        .route("/documents/{id}", web::get().to(get_document))
        .route("/claims", web::get().to(list_claims))
        .route("/claims/{id}", web::get().to(get_claim))
        .route("/claims/{id}/assign", web::post().to(assign))
        .route("/claims/{id}/start", web::post().to(start))
        .route("/claims/{id}/evidence", web::post().to(add_evidence))
        .route("/claims/{id}/verdict", web::post().to(verdict))
        .route("/claims/{id}/approve", web::post().to(approve))
        .route("/claims/{id}/dismiss", web::post().to(dismiss))
        .route("/claims/{id}/reopen", web::post().to(reopen))
        .route("/claims/{id}/publish", web::post().to(publish))
        .route("/claims/{id}/unpublish", web::post().to(unpublish))
        .route("/claims/{id}/summarize", web::post().to(summarize));
}

#[derive(OpenApi)]
#[openapi(
    info(title = "claimdesk API", version = "1", description = "Documents, claims and the review workflow. Authenticate with `Authorization: Bearer TOKEN` (`claimdesk token create --user NAME`)."),
    paths(list_documents, create_document, get_document, list_claims, get_claim, assign, start, add_evidence, verdict, approve, dismiss, reopen, publish, unpublish, summarize),
    components(schemas(DocumentOut, DocumentDetail, NewDocumentIn, IngestOut, ClaimOut, ClaimDetail, ClaimPage, FlagOut, EvidenceOut, EventOut, AssignIn, EvidenceIn, VerdictIn, DismissIn, SummarizeIn, VersionIn, ErrorOut)),
    modifiers(&BearerAuth, &ErrorResponses),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// The error answers each endpoint can give, added to every operation from
/// one table so no endpoint forgets one: 401 everywhere (a bearer token is
/// required), 400 where there are parameters or a body (malformed input, a
/// control character), 404 where the path names a record, 413 and 503
/// (over the time budget) for ingestion, 403 and 409 for claim actions.
struct ErrorResponses;

impl utoipa::Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in [("get", item.get.as_mut()), ("post", item.post.as_mut())] {
                let Some(operation) = operation else { continue };
                let has_input = operation.request_body.is_some() || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let is_action = path.starts_with("/api/v1/claims/{id}/");
                let ingests = path == "/api/v1/documents" && method == "post";
                let errors = [
                    (400, has_input, "malformed or refused input: a bad parameter, body or control character"),
                    (401, true, "no bearer token, or an unknown or revoked one"),
                    (403, is_action, "the caller's role may not take this action"),
                    (404, path.contains("{id}"), "no such record"),
                    (409, is_action, "the claim changed since `version`, or the action does not apply to its state"),
                    (413, method == "post", "the body is over the size limit"),
                    (503, ingests, "checking took longer than the time budget, or the database is unavailable"),
                ];
                for (status, applies, description) in errors {
                    if !applies || operation.responses.responses.contains_key(&status.to_string()) {
                        continue;
                    }
                    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorOut"))).build();
                    let response = ResponseBuilder::new().description(description).content("application/json", content).build();
                    operation.responses.responses.insert(status.to_string(), response.into());
                }
            }
        }
    }
}

async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}

/// Every error answer: a stable `code` to match on, and a message for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorOut {
    /// One of: login_required, unauthorized, forbidden, not_found,
    /// bad_request, duplicate, stale_version, not_allowed_now, too_large,
    /// too_many_requests, unavailable, internal.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentOut {
    pub id: i64,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub created_at: i64,
    pub claims: i64,
    pub open_claims: i64,
    pub published_claims: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct DocumentsQuery {
    /// Return documents with ids below this (the previous page's last id).
    #[param(minimum = 1)]
    pub before: Option<i64>,
    /// At most this many (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/documents", params(DocumentsQuery), responses((status = 200, body = [DocumentOut]), (status = 401, body = ErrorOut)))]
async fn list_documents(
    _user: ApiUser,
    state: web::Data<AppState>,
    query: crate::input::Query<DocumentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = page_limit(query.limit)?;
    let docs = state.store.documents(query.before, limit).await?;
    let out: Vec<DocumentOut> = docs
        .into_iter()
        .map(|d| DocumentOut {
            id: d.id,
            title: d.title,
            outlet: d.outlet,
            author: d.author,
            published: d.published,
            created_at: d.created_at,
            claims: d.claims,
            open_claims: d.open_claims,
            published_claims: d.published_claims,
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocumentIn {
    pub body: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    /// YYYY-MM-DD
    pub published: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IngestOut {
    pub id: i64,
    /// The same text was already stored; `id` is that document.
    pub duplicate: bool,
    pub claims: usize,
    pub flags: usize,
}

#[utoipa::path(post, path = "/api/v1/documents", request_body = NewDocumentIn, responses((status = 201, body = IngestOut), (status = 200, description = "already stored", body = IngestOut), (status = 400, body = ErrorOut), (status = 413, body = ErrorOut)))]
async fn create_document(
    _user: ApiUser,
    state: web::Data<AppState>,
    body: crate::input::Json<NewDocumentIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    if input.body.trim().is_empty() {
        return Err(AppError::BadRequest("body is empty".to_owned()).into());
    }
    if input.body.len() > claimdesk_ingest::MAX_BYTES {
        return Err(AppError::TooLarge(format!("body is larger than {} bytes", claimdesk_ingest::MAX_BYTES)).into());
    }
    let doc = Document {
        title: input.title,
        source_url: input.url,
        outlet: input.outlet,
        author: input.author,
        published: input.published,
        ..Document::new(input.body)
    };
    // `ingest` validates the document (400 on an unsafe URL, a bad date, a
    // control character) before checking it.
    let stored = crate::ingest::ingest(&state, doc, "api").await?;
    state.counts.invalidate();
    Ok(match stored {
        Stored::New { id, claims, flags } => HttpResponse::Created().json(IngestOut { id, duplicate: false, claims, flags }),
        Stored::Duplicate { id } => HttpResponse::Ok().json(IngestOut { id, duplicate: true, claims: 0, flags: 0 }),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDetail {
    pub id: i64,
    pub title: Option<String>,
    pub url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub origin: Option<String>,
    pub created_at: i64,
    pub body: String,
    pub claims: Vec<ClaimOut>,
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", params(("id" = i64, Path, minimum = 1, description = "The record's id")), responses((status = 200, body = DocumentDetail), (status = 404, body = ErrorOut)))]
async fn get_document(_user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let d = state.store.document(id).await?;
    let claims = state.store.document_claims(id).await?.into_iter().map(ClaimOut::from).collect();
    Ok(HttpResponse::Ok().json(DocumentDetail {
        id: d.id,
        title: d.title,
        url: d.source_url,
        outlet: d.outlet,
        author: d.author,
        published: d.published,
        origin: d.origin,
        created_at: d.created_at,
        body: d.body,
        claims,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimOut {
    pub id: i64,
    pub document_id: i64,
    pub sentence_index: i32,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub speaker: Option<String>,
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
            id: c.id,
            document_id: c.document_id,
            claim_reviewed: c.claim_reviewed_or_default(),
            claim_reviewed_set: c.claim_reviewed.is_some(),
            sentence_index: c.sentence_index,
            start: c.start,
            end: c.end,
            text: c.text,
            speaker: c.speaker,
            priority: c.priority,
            status: c.status,
            assignee: c.assignee,
            verdict: c.verdict,
            explanation: c.explanation,
            resolved_by: c.resolved_by,
            approved_by: c.approved_by,
            dismissal_reason: c.dismissal_reason,
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// `limit` as given, or 50; outside 1 to 200 is a 400, as the schema says.
fn page_limit(limit: Option<u64>) -> Result<u64, ApiError> {
    match limit.unwrap_or(50) {
        n @ 1..=200 => Ok(n),
        n => Err(AppError::BadRequest(format!("limit must be between 1 and 200, not {n}")).into()),
    }
}

#[utoipa::path(get, path = "/api/v1/claims", params(QueueQuery, LimitQuery), responses((status = 200, body = ClaimPage), (status = 400, body = ErrorOut)))]
async fn list_claims(
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
        let EvidenceRow { id, url, title, quoted_passage, note, stance, added_by, added_at, .. } = e;
        EvidenceOut { id, url, title, quoted_passage, note, stance, added_by, added_at }
    }
}

impl From<EventRow> for EventOut {
    fn from(e: EventRow) -> Self {
        let detail = serde_json::from_str(&e.detail).unwrap_or_default();
        let EventRow { actor, at, action, before, after, .. } = e;
        EventOut { actor, at, action, before, after, detail }
    }
}

async fn claim_detail(state: &AppState, id: i64) -> Result<ClaimDetail, ApiError> {
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
async fn get_claim(_user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
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

/// Runs `command` through the one executor pages use too, answering with
/// the claim's new state.
async fn act(state: &AppState, user: &ApiUser, id: i64, version: Option<i32>, command: Command) -> Result<HttpResponse, ApiError> {
    let claim = state.store.claim(id).await?;
    crate::claims::execute(state, &user.name, user.role, &claim, version, command).await?;
    Ok(HttpResponse::Ok().json(claim_detail(state, id).await?))
}

const ID: &str = "The record's id";

#[utoipa::path(post, path = "/api/v1/claims/{id}/assign", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = AssignIn, responses((status = 200, body = ClaimDetail)))]
async fn assign(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<AssignIn>,
) -> Result<HttpResponse, ApiError> {
    let AssignIn { version, to } = body.into_inner();
    let to = to.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    act(&state, &user, id.into_inner(), Some(version), Command::Assign { to }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/evidence", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = EvidenceIn, responses((status = 200, body = ClaimDetail)))]
async fn add_evidence(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<EvidenceIn>,
) -> Result<HttpResponse, ApiError> {
    let e = body.into_inner();
    let url = e.url.trim().to_owned();
    if !claimdesk_core::input::is_web_url(&url) {
        return Err(AppError::BadRequest("The evidence needs a web address starting with http:// or https://.".to_owned()).into());
    }
    let opt = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let evidence = NewEvidence { url, title: opt(e.title), quoted_passage: opt(e.quoted_passage), note: opt(e.note), stance: e.stance };
    act(&state, &user, id.into_inner(), None, Command::AddEvidence(evidence)).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/verdict", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = VerdictIn, responses((status = 200, body = ClaimDetail)))]
async fn verdict(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<VerdictIn>,
) -> Result<HttpResponse, ApiError> {
    let VerdictIn { version, rating, explanation } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Verdict { rating, explanation }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/dismiss", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = DismissIn, responses((status = 200, body = ClaimDetail)))]
async fn dismiss(
    user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: crate::input::Json<DismissIn>,
) -> Result<HttpResponse, ApiError> {
    let DismissIn { version, reason } = body.into_inner();
    act(&state, &user, id.into_inner(), Some(version), Command::Dismiss { reason }).await
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/summarize", params(("id" = i64, Path, minimum = 1, description = ID)), request_body = SummarizeIn, responses((status = 200, body = ClaimDetail)))]
async fn summarize(
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
        async fn $name(
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
