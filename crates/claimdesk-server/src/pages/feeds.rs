//! `/feeds` (admins): the monitored feeds, their last success and last
//! error, and the items that failed; add, poll now, remove. The rules
//! (what a feed URL may be) are `claimdesk_work::NewFeed`'s, shared with
//! the CLI and the API.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use claimdesk_store::{Feed, FeedItemRow, FeedItemState};
use serde::Deserialize;

use super::{Chrome, chrome, html, redirect, set_flash};
use crate::auth::{Role, Viewer};
use crate::error::AppError;
use crate::{AppState, csrf};

pub fn routes(r: &mut crate::routes::Routes<'_>) {
    r.get("/feeds", feeds).post("/feeds", add).post("/feeds/{id}/poll", poll_now).post("/feeds/{id}/remove", remove);
}

/// Failed items shown per feed.
const FAILED_SHOWN: u64 = 5;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FeedForm {
    csrf_token: Option<String>,
    pub url: String,
    pub outlet: String,
    pub every: String,
}

pub struct FeedRow {
    pub feed: Feed,
    pub every: String,
    /// Its latest failed items.
    pub failed: Vec<FeedItemRow>,
}

#[derive(Template)]
#[template(path = "feeds.html")]
struct FeedsPage {
    chrome: Chrome,
    feeds: Vec<FeedRow>,
    input: FeedForm,
    errors: Vec<String>,
    /// Polled by this server (else by `claimdesk worker`).
    inline: bool,
}

/// Adds a feed by the shared rules; a refused one is a `BadRequest`
/// saying why, a URL already monitored a `Duplicate`.
pub async fn add_feed(state: &AppState, url: &str, outlet: Option<&str>, every: Option<&str>) -> Result<Feed, AppError> {
    let every = every.map(str::trim).filter(|e| !e.is_empty()).unwrap_or(claimdesk_feed::DEFAULT_EVERY);
    let (url, outlet, every, allow) = (url.to_owned(), outlet.map(str::to_owned), every.to_owned(), state.work.allow_private_feeds);
    // Resolving the feed's host blocks: off the request workers.
    let new = web::block(move || claimdesk_work::NewFeed::check(&url, outlet.as_deref(), &every, allow))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(state.store.add_feed(&new.url, new.outlet.as_deref(), new.every_secs).await?)
}

async fn page(
    state: &web::Data<AppState>,
    session: &Session,
    viewer: Viewer,
    input: FeedForm,
    errors: Vec<String>,
) -> Result<FeedsPage, AppError> {
    let mut feeds = Vec::new();
    for feed in state.store.feeds().await? {
        let failed = match feed.failed_items {
            0 => Vec::new(),
            _ => state.store.feed_items(feed.id, Some(FeedItemState::Failed), FAILED_SHOWN).await?,
        };
        feeds.push(FeedRow { every: claimdesk_feed::every_text(feed.every_secs), feed, failed });
    }
    Ok(FeedsPage { chrome: chrome(state, session, viewer, "feeds").await?, feeds, input, errors, inline: !state.work.queue_ingests })
}

async fn feeds(state: web::Data<AppState>, session: Session, viewer: Viewer) -> Result<HttpResponse, AppError> {
    viewer.require(Role::Admin)?;
    let input = FeedForm { every: claimdesk_feed::DEFAULT_EVERY.to_owned(), ..FeedForm::default() };
    html(StatusCode::OK, &page(&state, &session, viewer, input, Vec::new()).await?)
}

async fn add(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    form: crate::input::Form<FeedForm>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    let input = form.into_inner();
    match add_feed(&state, &input.url, Some(&input.outlet), Some(&input.every)).await {
        Ok(feed) => {
            tracing::info!(admin = %viewer.name, feed = feed.id, url = %feed.url, "feed added");
            set_flash(&session, &format!("Feed {} added; its first poll is due now.", feed.url));
            Ok(redirect("/feeds"))
        }
        Err(AppError::BadRequest(e) | AppError::Duplicate(e)) => {
            html(StatusCode::BAD_REQUEST, &page(&state, &session, viewer, input, vec![e]).await?)
        }
        Err(e) => Err(e),
    }
}

async fn poll_now(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<super::CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    state.store.poll_feed_soon(*id).await?;
    set_flash(&session, "The feed will be polled within seconds.");
    Ok(redirect("/feeds"))
}

async fn remove(
    state: web::Data<AppState>,
    session: Session,
    viewer: Viewer,
    id: web::Path<i64>,
    form: crate::input::Form<super::CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    csrf::verify(&session, form.csrf_token.as_deref())?;
    viewer.require(Role::Admin)?;
    state.store.remove_feed(*id).await?;
    tracing::info!(admin = %viewer.name, feed = *id, "feed removed");
    set_flash(&session, "Feed removed; the documents it brought stay.");
    Ok(redirect("/feeds"))
}
