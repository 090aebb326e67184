//! Claim matching in the API: free text against the library, and a stored
//! claim's closest earlier fact-checks.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ErrorOut;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::library::{LibraryError, Matches};

/// Most matches one request may ask for.
pub const MAX_TOP: usize = 50;
/// Longest text `POST /match` accepts, in bytes.
pub const MAX_TEXT: usize = 10_000;

impl From<LibraryError> for AppError {
    fn from(e: LibraryError) -> Self {
        match e {
            LibraryError::Off(_) => AppError::Unavailable(e.to_string()),
            LibraryError::Store(e) => e.into(),
            LibraryError::Encoder(_) => AppError::Internal(e.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchIn {
    /// The text to match (at most 10,000 bytes); blank text matches nothing.
    #[schema(max_length = 10000)]
    pub text: String,
    /// How many matches (1 to 50, default 5).
    #[schema(minimum = 1, maximum = 50)]
    pub top: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchOut {
    pub id: i64,
    pub claim: String,
    pub title: Option<String>,
    pub rating: Option<String>,
    pub rating_value: Option<f64>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    /// Set when the item is one of claimdesk's own published claims.
    pub claim_id: Option<i64>,
    /// The encoder's cosine similarity, -1 to 1.
    pub similarity: f32,
    /// At least the "strong match" threshold.
    pub strong: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchesOut {
    pub matches: Vec<MatchOut>,
    /// The text was longer than the encoder reads; only its start counted.
    pub truncated: bool,
    /// The text's language when it is not English (the encoder's).
    pub language: Option<String>,
}

impl From<Matches> for MatchesOut {
    fn from(found: Matches) -> Self {
        let Matches { matches, truncated, foreign_language } = found;
        let matches = matches
            .into_iter()
            .map(|m| MatchOut {
                id: m.item.id,
                claim: m.item.claim,
                title: m.item.title,
                rating: m.item.rating_label,
                rating_value: m.item.rating_value,
                url: m.item.url,
                publisher: m.item.publisher,
                published: m.item.published,
                claim_id: m.item.claim_id,
                similarity: m.cosine,
                strong: m.strong,
            })
            .collect();
        MatchesOut { matches, truncated, language: foreign_language }
    }
}

#[derive(Debug, Deserialize)]
pub struct TopQuery {
    pub top: Option<usize>,
}

fn top(asked: Option<usize>) -> Result<usize, AppError> {
    match asked.unwrap_or(5) {
        n @ 1..=MAX_TOP => Ok(n),
        n => Err(AppError::BadRequest(format!("top must be between 1 and {MAX_TOP}, not {n}"))),
    }
}

#[utoipa::path(post, path = "/api/v1/match", request_body = MatchIn, responses((status = 200, body = MatchesOut), (status = 400, body = ErrorOut), (status = 503, body = ErrorOut)))]
pub(super) async fn match_text(
    _user: ApiUser,
    state: web::Data<AppState>,
    body: crate::input::Json<MatchIn>,
) -> Result<HttpResponse, ApiError> {
    let MatchIn { text, top: asked } = body.0;
    let top = top(asked)?;
    if text.len() > MAX_TEXT {
        return Err(AppError::BadRequest(format!("text is {} bytes; at most {MAX_TEXT}", text.len())).into());
    }
    let found = state.library.search(&state.store, &text, top).await.map_err(AppError::from)?;
    Ok(HttpResponse::Ok().json(MatchesOut::from(found)))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}/matches", params(("id" = i64, Path, minimum = 1, description = "The record's id"), ("top" = Option<usize>, Query, minimum = 1, maximum = 50)), responses((status = 200, body = MatchesOut), (status = 404, body = ErrorOut), (status = 503, body = ErrorOut)))]
pub(super) async fn claim_matches(
    _user: ApiUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: crate::input::Query<TopQuery>,
) -> Result<HttpResponse, ApiError> {
    let top = top(query.0.top)?;
    let claim = state.store.claim(id.into_inner()).await.map_err(AppError::from)?;
    let found = state.library.claim_matches(&state.store, &claim, top).await.map_err(AppError::from)?;
    Ok(HttpResponse::Ok().json(MatchesOut::from(found)))
}

#[utoipa::path(post, path = "/api/v1/claims/{id}/copies/dismiss", params(("id" = i64, Path, minimum = 1, description = "The record's id")), responses((status = 200, body = crate::claims::CopiesDismissed), (status = 403, body = ErrorOut), (status = 404, body = ErrorOut)))]
/// Dismisses the claim's copies in other documents (claims with the same
/// text) as its duplicates; each copy's history records it. Editors only.
pub(super) async fn dismiss_copies(user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    let claim = state.store.claim(id.into_inner()).await.map_err(AppError::from)?;
    let done = crate::claims::dismiss_copies(&state, &user.name, user.role, &claim).await?;
    Ok(HttpResponse::Ok().json(done))
}
