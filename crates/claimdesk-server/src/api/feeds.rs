//! Feeds (admins): list, add, poll soon, remove. Same rules as `/feeds`.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ErrorOut};
use crate::AppState;
use crate::auth::{ApiUser, Role};

/// A monitored feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedOut {
    pub id: i64,
    pub url: String,
    pub outlet: Option<String>,
    /// The feed's own title, from its last successful poll.
    pub title: Option<String>,
    /// Seconds between polls.
    pub every_secs: i64,
    /// Items stored (or found already stored) and items failed.
    pub items: i64,
    pub failed_items: i64,
    /// Unix seconds.
    pub next_poll_at: i64,
    pub last_polled_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    /// Polls failed in a row.
    pub failures: i32,
    pub created_at: i64,
}

impl From<claimdesk_store::Feed> for FeedOut {
    fn from(f: claimdesk_store::Feed) -> Self {
        FeedOut {
            id: f.id,
            url: f.url,
            outlet: f.outlet,
            title: f.title,
            every_secs: f.every_secs,
            items: f.items,
            failed_items: f.failed_items,
            next_poll_at: f.next_poll_at,
            last_polled_at: f.last_polled_at,
            last_success_at: f.last_success_at,
            last_error: f.last_error,
            failures: f.failures,
            created_at: f.created_at,
        }
    }
}

/// A feed to monitor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedIn {
    /// http or https; loopback and private addresses are refused unless
    /// the server allows them.
    #[schema(max_length = 2048)]
    pub url: String,
    #[schema(max_length = 200)]
    pub outlet: Option<String>,
    /// `90s`, `15m`, `2h`, `1d`: one minute to a week (default `15m`).
    pub every: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/feeds", responses((status = 200, body = [FeedOut]), (status = 403, body = ErrorOut)))]
pub(super) async fn list(user: ApiUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let feeds: Vec<FeedOut> = state.store.feeds().await.map_err(crate::error::AppError::from)?.into_iter().map(FeedOut::from).collect();
    Ok(HttpResponse::Ok().json(feeds))
}

#[utoipa::path(post, path = "/api/v1/feeds", request_body = FeedIn, responses((status = 201, body = FeedOut), (status = 400, body = ErrorOut), (status = 403, body = ErrorOut)))]
pub(super) async fn add(user: ApiUser, state: web::Data<AppState>, body: crate::input::Json<FeedIn>) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    let feed = crate::pages::feeds::add_feed(&state, &body.url, body.outlet.as_deref(), body.every.as_deref()).await?;
    tracing::info!(admin = %user.name, feed = feed.id, url = %feed.url, "feed added");
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/feeds/{}", feed.id))).json(FeedOut::from(feed)))
}

/// Makes the feed due now: it is polled within seconds.
#[utoipa::path(post, path = "/api/v1/feeds/{id}/poll", params(("id" = i64, Path, minimum = 1, description = "The feed's id")), responses((status = 202, body = FeedOut), (status = 403, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub(super) async fn poll(user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    state.store.poll_feed_soon(*id).await.map_err(crate::error::AppError::from)?;
    let feed = state.store.feed(*id).await.map_err(crate::error::AppError::from)?;
    Ok(HttpResponse::Accepted().json(FeedOut::from(feed)))
}

/// Stops monitoring the feed; the documents it brought stay.
#[utoipa::path(delete, path = "/api/v1/feeds/{id}", params(("id" = i64, Path, minimum = 1, description = "The feed's id")), responses((status = 204, description = "removed"), (status = 403, body = ErrorOut), (status = 404, body = ErrorOut)))]
pub(super) async fn remove(user: ApiUser, state: web::Data<AppState>, id: web::Path<i64>) -> Result<HttpResponse, ApiError> {
    user.require(Role::Admin)?;
    state.store.remove_feed(*id).await.map_err(crate::error::AppError::from)?;
    tracing::info!(admin = %user.name, feed = *id, "feed removed");
    Ok(HttpResponse::NoContent().finish())
}
