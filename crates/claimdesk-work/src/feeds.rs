//! Polling a monitored feed: fetch it (conditionally), parse it, and
//! ingest each item not seen before, its article's main text fetched from
//! its page, or the feed's own text when the page holds none. One feed's
//! failure is recorded on that feed and stops nothing else.

use std::sync::Arc;
use std::time::Duration;

use claimdesk_core::Document;
use claimdesk_feed::{ARTICLE_LIMIT, FEED_LIMIT, FeedErrorKind, FeedItem, Fetched, Fetcher, Validators};
use claimdesk_store::{Feed, FeedItemState, FeedPolled, Stored};

use crate::{Jobs, WorkContext};

/// New items ingested per poll at most; the rest wait for the next poll
/// (which then reads the feed in full, not conditionally).
pub const MAX_ITEMS_PER_POLL: usize = 50;
/// How often due feeds are looked for.
pub const FEED_TICK: Duration = Duration::from_secs(5);
/// Feeds taken per look.
const TAKE: u64 = 20;

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PollReport {
    pub feed: i64,
    pub not_modified: bool,
    pub ingested: usize,
    pub duplicates: usize,
    pub failed: usize,
    /// Items left for the next poll (over [`MAX_ITEMS_PER_POLL`]).
    pub left: usize,
    /// Why the feed itself could not be read (recorded on the feed).
    pub error: Option<String>,
}

/// Polls feed `id` now. Errors of the feed (unreachable, malformed) are
/// recorded on it and reported, not returned; only the database failing
/// is an error (the job then retries).
pub async fn poll_feed(context: &WorkContext, id: i64) -> Result<PollReport, String> {
    let store = &context.store;
    let feed = match store.feed(id).await {
        Ok(feed) => feed,
        Err(claimdesk_store::StoreError::NotFound { .. }) => return Ok(PollReport { feed: id, ..PollReport::default() }),
        Err(e) => return Err(e.to_string()),
    };
    let mut report = PollReport { feed: id, ..PollReport::default() };
    let validators = Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
    let (fetcher, url) = (context.feeds.clone(), feed.url.clone());
    let fetched = blocking(move || fetcher.get(&url, Some(&validators), FEED_LIMIT)).await?;
    let (bytes, validators) = match fetched {
        Ok(Fetched::NotModified) => {
            report.not_modified = true;
            store.record_feed_poll(id, &FeedPolled::default()).await.map_err(|e| e.to_string())?;
            return Ok(report);
        }
        Ok(Fetched::Body { bytes, validators, .. }) => (bytes, validators),
        Err(e) => return failed(context, report, e.to_string()).await,
    };
    let parsed = match blocking(move || claimdesk_feed::parse_feed(&bytes)).await? {
        Ok(parsed) => parsed,
        Err(e) => return failed(context, report, e.to_string()).await,
    };
    let outlet = feed.outlet.clone().or(parsed.title.clone());
    // Feeds list the newest first; ingest the oldest first.
    let keys: Vec<(&str, Option<&str>)> = parsed.items.iter().rev().map(|i| (i.guid.as_str(), i.url.as_deref())).collect();
    let seen = store.feed_items_seen(id, &keys).await.map_err(|e| e.to_string())?;
    let fresh: Vec<FeedItem> = parsed.items.iter().rev().zip(seen).filter(|(_, seen)| !seen).map(|(item, _)| item.clone()).collect();
    report.left = fresh.len().saturating_sub(MAX_ITEMS_PER_POLL);
    for item in fresh.into_iter().take(MAX_ITEMS_PER_POLL) {
        let outcome = match item_document(context.feeds.clone(), &item, outlet.clone()).await? {
            Ok(document) => crate::run::ingest_document(context, document, origin(&feed))
                .await
                .map(|(stored, _)| match stored {
                    Stored::New { id, .. } => (FeedItemState::Ingested, id),
                    Stored::Duplicate { id } => (FeedItemState::Duplicate, id),
                })
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match &outcome {
            Ok((FeedItemState::Duplicate, _)) => report.duplicates += 1,
            Ok(_) => report.ingested += 1,
            Err(e) => {
                tracing::warn!(feed = id, item = %item.guid, error = %e, "feed item failed");
                report.failed += 1;
            }
        }
        store.record_feed_item(id, &item.guid, item.url.as_deref(), outcome).await.map_err(|e| e.to_string())?;
    }
    // Items left over must be read again next time, not answered by 304.
    let (etag, last_modified) = if report.left > 0 { (None, None) } else { (validators.etag, validators.last_modified) };
    let polled = FeedPolled { error: None, title: parsed.title, etag, last_modified, read: true };
    store.record_feed_poll(id, &polled).await.map_err(|e| e.to_string())?;
    tracing::info!(feed = id, ingested = report.ingested, duplicates = report.duplicates, failed = report.failed, "feed polled");
    Ok(report)
}

fn origin(feed: &Feed) -> String {
    format!("feed:{}", feed.id)
}

async fn failed(context: &WorkContext, mut report: PollReport, error: String) -> Result<PollReport, String> {
    tracing::warn!(feed = report.feed, error = %error, "feed poll failed");
    let polled = FeedPolled { error: Some(error.clone()), ..FeedPolled::default() };
    context.store.record_feed_poll(report.feed, &polled).await.map_err(|e| e.to_string())?;
    report.error = Some(error);
    Ok(report)
}

/// The document an item becomes: its page's main text when the page has
/// an article, else the feed's own text. A page too large or not text
/// fails the item; so does an item with no text at all.
async fn item_document(fetcher: Arc<Fetcher>, item: &FeedItem, outlet: Option<String>) -> Result<Result<Document, String>, String> {
    let page = match item.url.clone() {
        Some(url) => Some(blocking(move || fetcher.get(&url, None, ARTICLE_LIMIT)).await?),
        None => None,
    };
    let extracted = match page {
        Some(Ok(Fetched::Body { bytes, url: final_url, .. })) => {
            let html = String::from_utf8_lossy(&bytes).into_owned();
            match blocking(move || claimdesk_feed::article_text(&html, &final_url)).await? {
                Ok(extracted) => extracted,
                Err(e) => return Ok(Err(format!("the article page was refused: {e}"))),
            }
        }
        Some(Ok(Fetched::NotModified)) | None => None,
        Some(Err(e)) if matches!(e.kind, FeedErrorKind::TooLarge | FeedErrorKind::NotText | FeedErrorKind::Refused) => {
            return Ok(Err(e.to_string()));
        }
        Some(Err(e)) => {
            tracing::info!(item = %item.guid, error = %e, "article page unavailable; using the feed's text");
            None
        }
    };
    let (body, page_title, byline) = match extracted {
        Some(x) => (x.text, x.title, x.byline),
        None => (item.text.clone(), None, None),
    };
    if body.trim().is_empty() {
        return Ok(Err(match &item.refused {
            Some(why) => format!("the item's text was refused: {why}"),
            None => "the item has no text (no article on its page, none in the feed)".to_owned(),
        }));
    }
    let document = Document {
        title: item.title.clone().or(page_title),
        source_url: item.url.clone(),
        outlet,
        author: item.author.clone().or(byline),
        published: item.published.clone(),
        ..Document::new(body)
    };
    Ok(document.validate().map(|()| document).map_err(|e| format!("the item was refused: {e}")))
}

/// Runs fetching and parsing off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|e| format!("polling failed: {e}"))
}

/// The due feeds, taken (see `Store::take_due_feeds`); a database error
/// is logged and counts as none due.
async fn take_due(context: &WorkContext) -> Vec<i64> {
    context.store.take_due_feeds(TAKE).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "could not look for due feeds");
        Vec::new()
    })
}

/// A worker's feed scheduler: every [`FEED_TICK`], takes the due feeds
/// and queues a poll job for each (any worker may run it). Runs until
/// dropped.
pub async fn schedule_feeds(context: WorkContext, jobs: Jobs) {
    loop {
        for feed in take_due(&context).await {
            if let Err(e) = jobs.push_feed_poll(crate::FeedPollJob { feed }).await {
                tracing::warn!(feed, error = %e, "could not queue a feed poll; it is tried again after its lease");
            }
        }
        tokio::time::sleep(FEED_TICK).await;
    }
}

/// The one-process scheduler (`serve` without `--no-inline-work`): polls
/// the due feeds itself, one after another.
pub async fn poll_feeds_inline(context: WorkContext) {
    loop {
        for feed in take_due(&context).await {
            if let Err(e) = poll_feed(&context, feed).await {
                tracing::warn!(feed, error = %e, "feed poll failed; tried again after its lease");
            }
        }
        tokio::time::sleep(FEED_TICK).await;
    }
}

/// A feed to add, checked: the one rule for the CLI, the page and the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    pub url: String,
    pub outlet: Option<String>,
    pub every_secs: i64,
}

/// Longest outlet name.
const MAX_OUTLET: usize = 200;

impl NewFeed {
    /// Checks what a user gave: the URL (http(s), public unless
    /// `allow_private`: a host name is resolved now, and refused if any
    /// address it resolves to is not public), the outlet (short, no control
    /// characters; blank is none) and the interval (`15m`, one minute to a
    /// week). Blocks while a name is resolved.
    pub fn check(url: &str, outlet: Option<&str>, every: &str, allow_private: bool) -> Result<NewFeed, claimdesk_feed::FeedError> {
        use claimdesk_feed::FeedError;
        let every = claimdesk_feed::parse_every(every)?;
        let url = claimdesk_feed::check_feed_url_resolved(url, allow_private)?;
        let outlet = outlet.map(str::trim).filter(|o| !o.is_empty());
        if let Some(o) = outlet {
            claimdesk_core::input::check_text("outlet", o).map_err(|e| FeedError::new(FeedErrorKind::Invalid, e.to_string()))?;
            if o.chars().count() > MAX_OUTLET {
                return Err(FeedError::new(FeedErrorKind::Invalid, format!("the outlet name is longer than {MAX_OUTLET} characters")));
            }
        }
        Ok(NewFeed {
            url: url.to_string(),
            outlet: outlet.map(str::to_owned),
            every_secs: i64::try_from(every.as_secs()).unwrap_or(i64::MAX),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_feeds_are_checked() {
        // Allowed private feeds: the URL's name is not resolved (there is
        // no DNS for news.example here); the other rules still hold.
        let ok = NewFeed::check("https://news.example/rss", Some("  Harbour News "), "15m", true).unwrap();
        assert_eq!((ok.outlet.as_deref(), ok.every_secs), (Some("Harbour News"), 900));
        assert_eq!(NewFeed::check("https://news.example/rss", Some("   "), "1h", true).unwrap().outlet, None);
        for (url, outlet, every, allow) in [
            ("gopher://news.example/", None, "15m", true),
            ("http://192.168.0.10/rss", None, "15m", false),
            ("http://localhost.:8080/rss", None, "15m", false),
            ("https://news.example/rss", Some("bad\u{7}bell"), "15m", true),
            ("https://news.example/rss", None, "10s", true),
            ("https://news.example/rss", Some(&*"x".repeat(201)), "15m", true),
        ] {
            assert!(NewFeed::check(url, outlet, every, allow).is_err(), "{url} {outlet:?} {every}");
        }
    }
}
