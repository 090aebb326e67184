//! The JSON API under `/api/v1`, for bearer-token clients; its OpenAPI
//! document is generated from these handlers by utoipa.

use actix_web::{HttpResponse, web};
use claimdesk_core::Document;
use claimdesk_store::Stored;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};

mod claims;
mod feeds;
mod jobs;
mod matching;
mod notes;

use claims::ClaimOut;

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/openapi.json", openapi)
        .get("/documents", list_documents)
        .post("/documents", create_document)
        .get("/documents/{id}", get_document)
        .post("/documents/{id}/claims", claims::add_by_hand)
        .get("/claims", claims::list_claims)
        // 4: a flag-kind filter reads the rules' ids first (as /queue).
        .budget(4)
        .post("/claims/bulk", claims::bulk)
        .get("/claims/{id}", claims::get_claim)
        .budget(6)
        .post("/claims/{id}/assign", claims::assign)
        .post("/claims/{id}/start", claims::start)
        .post("/claims/{id}/evidence", claims::add_evidence)
        .put("/claims/{id}/evidence/{evidence}", claims::edit_evidence)
        .delete("/claims/{id}/evidence/{evidence}", claims::delete_evidence)
        .post("/claims/{id}/verdict", claims::verdict)
        .post("/claims/{id}/approve", claims::approve)
        .post("/claims/{id}/dismiss", claims::dismiss)
        .post("/claims/{id}/reopen", claims::reopen)
        .post("/claims/{id}/publish", claims::publish)
        .post("/claims/{id}/unpublish", claims::unpublish)
        .post("/claims/{id}/summarize", claims::summarize)
        .post("/claims/{id}/speaker", claims::speaker)
        .get("/claims/{id}/matches", matching::claim_matches)
        .get("/claims/{id}/notes", notes::list)
        .post("/claims/{id}/notes", notes::add)
        .put("/claims/{id}/notes/{note}", notes::edit)
        .get("/notifications", notes::notifications)
        .post("/notifications/read", notes::read_all)
        .get("/stats", notes::stats)
        .get("/jobs/{id}", jobs::get_job)
        .get("/feeds", feeds::list)
        .post("/feeds", feeds::add)
        .delete("/feeds/{id}", feeds::remove)
        .post("/feeds/{id}/poll", feeds::poll)
        .post("/claims/{id}/copies/dismiss", matching::dismiss_copies)
        .post("/match", matching::match_text);
}

#[derive(OpenApi)]
#[openapi(
    info(title = "claimdesk API", version = "1", description = "Documents, claims and the review workflow. Authenticate with `Authorization: Bearer TOKEN` (`claimdesk token create --user NAME`)."),
    paths(list_documents, create_document, get_document, claims::add_by_hand, claims::list_claims, claims::bulk, claims::get_claim, claims::assign, claims::start, claims::add_evidence, claims::edit_evidence, claims::delete_evidence, claims::verdict, claims::approve, claims::dismiss, claims::reopen, claims::publish, claims::unpublish, claims::summarize, claims::speaker, matching::match_text, matching::claim_matches, notes::list, notes::add, notes::edit, notes::notifications, notes::read_all, notes::stats, matching::dismiss_copies, jobs::get_job, feeds::list, feeds::add, feeds::poll, feeds::remove),
    components(schemas(DocumentOut, DocumentDetail, NewDocumentIn, IngestOut, claims::ClaimOut, claims::ClaimDetail, claims::ClaimPage, claims::FlagOut, claims::EvidenceOut, claims::EventOut, claims::AssignIn, claims::EvidenceIn, claims::VerdictIn, claims::DismissIn, claims::SummarizeIn, claims::SpeakerIn, claims::VersionIn, matching::MatchIn, matching::MatchOut, matching::MatchesOut, crate::claims::CopiesDismissed, crate::claims::SkippedCopy, crate::claims::BulkOutcome, claims::BulkIn, claims::BulkClaim, claims::HandClaimIn, notes::NoteOut, notes::NoteIn, notes::NotificationOut, jobs::JobOut, jobs::JobQueuedOut, feeds::FeedOut, feeds::FeedIn, ErrorOut)),
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
            let operations =
                [("get", item.get.as_mut()), ("post", item.post.as_mut()), ("put", item.put.as_mut()), ("delete", item.delete.as_mut())];
            for (method, operation) in operations {
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
                    (413, matches!(method, "post" | "put"), "the body is over the size limit"),
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

impl From<claimdesk_store::DocumentSummary> for DocumentOut {
    fn from(d: claimdesk_store::DocumentSummary) -> Self {
        let claimdesk_store::DocumentSummary { id, title, outlet, author, published, created_at, claims, open_claims, published_claims } =
            d;
        DocumentOut { id, title, outlet, author, published, created_at, claims, open_claims, published_claims }
    }
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
    let before = page_cursor(query.before)?;
    let docs = state.store.documents(before, limit).await?;
    Ok(HttpResponse::Ok().json(docs.into_iter().map(DocumentOut::from).collect::<Vec<_>>()))
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
    /// An earlier document this one nearly repeats (same text with another
    /// headline or byline, or small edits); linked on both documents.
    pub near_duplicate_of: Option<i64>,
    /// The share of sentences the two have in common, 0..1.
    pub near_share: Option<f64>,
}

#[utoipa::path(post, path = "/api/v1/documents", request_body = NewDocumentIn, responses((status = 201, body = IngestOut), (status = 200, description = "already stored", body = IngestOut), (status = 202, description = "queued for a worker (`serve --no-inline-work`); follow `url`", body = jobs::JobQueuedOut), (status = 400, body = ErrorOut), (status = 413, body = ErrorOut)))]
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
    let stored = match crate::ingest::ingest_or_queue(&state, doc, "api").await? {
        crate::Ingested::Stored(stored) => stored,
        crate::Ingested::Queued(job) => {
            let out = jobs::JobQueuedOut::new(job);
            return Ok(HttpResponse::Accepted().insert_header((actix_web::http::header::LOCATION, out.url.clone())).json(out));
        }
    };
    state.counts.invalidate();
    Ok(match stored {
        Stored::New { id, claims, flags, near_duplicate } => HttpResponse::Created().json(IngestOut {
            id,
            duplicate: false,
            claims,
            flags,
            near_duplicate_of: near_duplicate.map(|n| n.of),
            near_share: near_duplicate.map(|n| n.share()),
        }),
        Stored::Duplicate { id } => {
            HttpResponse::Ok().json(IngestOut { id, duplicate: true, claims: 0, flags: 0, near_duplicate_of: None, near_share: None })
        }
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
    /// The earlier document this one nearly repeats.
    pub near_duplicate_of: Option<i64>,
    /// Later documents that nearly repeat this one.
    pub near_duplicates: Vec<i64>,
}

#[utoipa::path(get, path = "/api/v1/documents/{id}", params(("id" = i64, Path, minimum = 1, description = "The record's id")), responses((status = 200, body = DocumentDetail), (status = 404, body = ErrorOut)))]
async fn get_document(_user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let d = state.store.document(id).await?;
    let claims = state.store.document_claims(id).await?.into_iter().map(ClaimOut::from).collect();
    let near_duplicates = state.store.near_duplicates_of(id).await?.into_iter().map(|(id, _)| id).collect();
    let claimdesk_store::DocumentRow {
        id, title, source_url, outlet, author, published, origin, created_at, body, near_duplicate_of, ..
    } = d;
    Ok(HttpResponse::Ok().json(DocumentDetail {
        id,
        title,
        url: source_url,
        outlet,
        author,
        published,
        origin,
        created_at,
        body,
        claims,
        near_duplicate_of: near_duplicate_of.map(|(of, _)| of),
        near_duplicates,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// `limit` as given, or 50; outside 1 to 200 is a 400, as the schema says.
/// A `before` cursor: an id, so 1 or more (as the schema says).
pub(crate) fn page_cursor(before: Option<i64>) -> Result<Option<i64>, ApiError> {
    match before {
        Some(n) if n < 1 => Err(AppError::BadRequest(format!("before must be 1 or more, not {n}")).into()),
        other => Ok(other),
    }
}

pub(crate) fn page_limit(limit: Option<u64>) -> Result<u64, ApiError> {
    match limit.unwrap_or(50) {
        n @ 1..=200 => Ok(n),
        n => Err(AppError::BadRequest(format!("limit must be between 1 and 200, not {n}")).into()),
    }
}
