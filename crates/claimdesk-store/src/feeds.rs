//! Monitored feeds and the items they listed. The fetching and parsing
//! live in `claimdesk-feed`; the polling in `claimdesk-work`.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{feed, feed_item};
use crate::error::is_unique_violation;
use crate::{Store, StoreError, now};

/// How long a poll may hold its feed before another worker may poll it.
pub const POLL_LEASE_SECS: i64 = 600;
/// Longest wait after failures (the backoff's ceiling).
const MAX_BACKOFF_SECS: i64 = 24 * 3600;

/// A monitored feed, with what its items became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub id: i64,
    pub url: String,
    pub outlet: Option<String>,
    pub title: Option<String>,
    pub every_secs: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub next_poll_at: i64,
    pub last_polled_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub failures: i32,
    pub created_at: i64,
    /// Items stored as documents (or found already stored).
    pub items: i64,
    /// Items that failed (too large, not text, no text).
    pub failed_items: i64,
}

impl Feed {
    fn of(m: feed::Model, items: i64, failed_items: i64) -> Feed {
        Feed {
            id: m.id,
            url: m.url,
            outlet: m.outlet,
            title: m.title,
            every_secs: m.every_secs,
            etag: m.etag,
            last_modified: m.last_modified,
            next_poll_at: m.next_poll_at,
            last_polled_at: m.last_polled_at,
            last_success_at: m.last_success_at,
            last_error: m.last_error,
            failures: m.failures,
            created_at: m.created_at,
            items,
            failed_items,
        }
    }
}

/// What became of a feed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedItemState {
    /// Stored as a new document.
    Ingested,
    /// Its text was already stored (another feed, an upload).
    Duplicate,
    /// Could not be fetched or held no text; `error` says why.
    Failed,
}

impl FeedItemState {
    pub const ALL: [FeedItemState; 3] = [FeedItemState::Ingested, FeedItemState::Duplicate, FeedItemState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedItemState::Ingested => "ingested",
            FeedItemState::Duplicate => "duplicate",
            FeedItemState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Result<FeedItemState, StoreError> {
        FeedItemState::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| StoreError::Corrupt {
            table: "feed_items",
            column: "state",
            reason: format!("unknown state {s:?}"),
        })
    }
}

/// The wait after `failures` failed polls in a row: the interval doubled
/// each time, at most a day (or the interval, when that is longer).
fn backoff(every_secs: i64, failures: i32) -> i64 {
    let doubled = every_secs.saturating_mul(1_i64 << failures.clamp(0, 20));
    std::cmp::min(doubled, std::cmp::max(MAX_BACKOFF_SECS, every_secs))
}

/// An item, for the feeds page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItemRow {
    pub guid: String,
    pub url: Option<String>,
    pub document_id: Option<i64>,
    pub state: FeedItemState,
    pub error: Option<String>,
    pub seen_at: i64,
}

/// How a poll of a feed went, to record.
#[derive(Debug, Clone, Default)]
pub struct FeedPolled {
    /// `None`: the feed was read (or was unchanged).
    pub error: Option<String>,
    /// The feed's title, when read.
    pub title: Option<String>,
    /// The server's validators, when read (kept when unchanged or failed).
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Whether validators came with this poll (a fresh read).
    pub read: bool,
}

impl Store {
    /// Adds a feed (the URL checked by the caller); a URL already
    /// monitored is a `Duplicate`. Its first poll is due now.
    pub async fn add_feed(&self, url: &str, outlet: Option<&str>, every_secs: i64) -> Result<Feed, StoreError> {
        let exists = feed::Entity::find().filter(feed::Column::Url.eq(url)).count(&self.read).await?;
        if exists > 0 {
            return Err(StoreError::Duplicate { what: "feed", name: url.to_owned() });
        }
        let t = now();
        let row = feed::ActiveModel {
            id: Default::default(),
            url: Set(url.to_owned()),
            outlet: Set(outlet.map(str::to_owned)),
            title: Set(None),
            every_secs: Set(every_secs),
            etag: Set(None),
            last_modified: Set(None),
            next_poll_at: Set(t),
            last_polled_at: Set(None),
            last_success_at: Set(None),
            last_error: Set(None),
            failures: Set(0),
            created_at: Set(t),
        }
        .insert(&self.write)
        .await
        .map_err(|e| {
            // Two adds of one URL at once: the unique index decides.
            if is_unique_violation(&e) { StoreError::Duplicate { what: "feed", name: url.to_owned() } } else { e.into() }
        })?;
        Ok(Feed::of(row, 0, 0))
    }

    /// Every feed, oldest first, with its item counts.
    pub async fn feeds(&self) -> Result<Vec<Feed>, StoreError> {
        let rows = feed::Entity::find().order_by_asc(feed::Column::Id).all(&self.read).await?;
        let counts: Vec<(i64, String, i64)> = feed_item::Entity::find()
            .select_only()
            .column(feed_item::Column::FeedId)
            .column(feed_item::Column::State)
            .column_as(Expr::col(feed_item::Column::Id).count(), "n")
            .group_by(feed_item::Column::FeedId)
            .group_by(feed_item::Column::State)
            .into_tuple()
            .all(&self.read)
            .await?;
        let count = |id: i64, failed: bool| {
            counts.iter().filter(|(f, s, _)| *f == id && (s == FeedItemState::Failed.as_str()) == failed).map(|(_, _, n)| n).sum()
        };
        Ok(rows.into_iter().map(|m| (count(m.id, false), count(m.id, true), m)).map(|(i, f, m)| Feed::of(m, i, f)).collect())
    }

    pub async fn feed(&self, id: i64) -> Result<Feed, StoreError> {
        let m = feed::Entity::find_by_id(id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "feed", id })?;
        let items = feed_item::Entity::find().filter(feed_item::Column::FeedId.eq(id));
        let failed = items.clone().filter(feed_item::Column::State.eq(FeedItemState::Failed.as_str())).count(&self.read).await?;
        let all = items.count(&self.read).await?;
        Ok(Feed::of(m, i64::try_from(all - failed).unwrap_or(i64::MAX), i64::try_from(failed).unwrap_or(i64::MAX)))
    }

    /// Stops monitoring a feed; the documents it brought stay.
    pub async fn remove_feed(&self, id: i64) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let done = feed::Entity::delete_by_id(id).exec(&txn).await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "feed", id });
        }
        feed_item::Entity::delete_many().filter(feed_item::Column::FeedId.eq(id)).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Makes a feed due now.
    pub async fn poll_feed_soon(&self, id: i64) -> Result<(), StoreError> {
        let done = feed::Entity::update_many()
            .col_expr(feed::Column::NextPollAt, Expr::value(now()))
            .filter(feed::Column::Id.eq(id))
            .exec(&self.write)
            .await?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound { what: "feed", id });
        }
        Ok(())
    }

    /// Takes up to `limit` feeds whose poll is due and returns their ids:
    /// each is held [`POLL_LEASE_SECS`] ahead, so no other node or worker
    /// takes it meanwhile (a conditional update: of two takers, one wins).
    pub async fn take_due_feeds(&self, limit: u64) -> Result<Vec<i64>, StoreError> {
        let t = now();
        let due: Vec<(i64, i64)> = feed::Entity::find()
            .select_only()
            .column(feed::Column::Id)
            .column(feed::Column::NextPollAt)
            .filter(feed::Column::NextPollAt.lte(t))
            .order_by_asc(feed::Column::NextPollAt)
            .limit(limit)
            .into_tuple()
            .all(&self.read)
            .await?;
        let mut taken = Vec::new();
        for (id, next_poll_at) in due {
            let won = feed::Entity::update_many()
                .col_expr(feed::Column::NextPollAt, Expr::value(t + POLL_LEASE_SECS))
                .filter(feed::Column::Id.eq(id))
                .filter(feed::Column::NextPollAt.eq(next_poll_at))
                .exec(&self.write)
                .await?;
            if won.rows_affected == 1 {
                taken.push(id);
            }
        }
        Ok(taken)
    }

    /// Records a poll: on success the next is due after the feed's
    /// interval; after `n` failures in a row, after `interval × 2^n`
    /// (at most a day).
    pub async fn record_feed_poll(&self, id: i64, polled: &FeedPolled) -> Result<(), StoreError> {
        let Some(m) = feed::Entity::find_by_id(id).one(&self.read).await? else {
            return Ok(()); // removed while polled: nothing to record.
        };
        let t = now();
        let mut row: feed::ActiveModel = m.clone().into();
        row.last_polled_at = Set(Some(t));
        match &polled.error {
            None => {
                row.failures = Set(0);
                row.last_success_at = Set(Some(t));
                row.last_error = Set(None);
                row.next_poll_at = Set(t + m.every_secs);
                if polled.title.is_some() {
                    row.title = Set(polled.title.clone());
                }
                if polled.read {
                    row.etag = Set(polled.etag.clone());
                    row.last_modified = Set(polled.last_modified.clone());
                }
            }
            Some(error) => {
                let failures = m.failures.saturating_add(1);
                let wait = backoff(m.every_secs, failures);
                row.failures = Set(failures);
                row.last_error = Set(Some(error.chars().take(2000).collect()));
                row.next_poll_at = Set(t + wait);
            }
        }
        row.update(&self.write).await?;
        Ok(())
    }

    /// Which of `items` (GUID, URL) were seen before: the GUID in this
    /// feed, or the URL in any feed. Two queries for the whole list.
    pub async fn feed_items_seen(&self, feed_id: i64, items: &[(&str, Option<&str>)]) -> Result<Vec<bool>, StoreError> {
        let mut guids = std::collections::HashSet::new();
        let mut urls = std::collections::HashSet::new();
        // Bounded IN lists (SQLite allows 32,766 parameters; PostgreSQL 65,535).
        for chunk in items.chunks(500) {
            let wanted: Vec<&str> = chunk.iter().map(|(guid, _)| *guid).collect();
            let found: Vec<String> = feed_item::Entity::find()
                .select_only()
                .column(feed_item::Column::Guid)
                .filter(feed_item::Column::FeedId.eq(feed_id))
                .filter(feed_item::Column::Guid.is_in(wanted))
                .into_tuple()
                .all(&self.read)
                .await?;
            guids.extend(found);
            let wanted: Vec<&str> = chunk.iter().filter_map(|(_, url)| *url).collect();
            if !wanted.is_empty() {
                let found: Vec<Option<String>> = feed_item::Entity::find()
                    .select_only()
                    .column(feed_item::Column::Url)
                    .filter(feed_item::Column::Url.is_in(wanted))
                    .into_tuple()
                    .all(&self.read)
                    .await?;
                urls.extend(found.into_iter().flatten());
            }
        }
        Ok(items.iter().map(|(guid, url)| guids.contains(*guid) || url.is_some_and(|u| urls.contains(u))).collect())
    }

    /// Records what became of an item (once: a second record of the same
    /// GUID, from a poll run twice, is ignored).
    pub async fn record_feed_item(
        &self,
        feed_id: i64,
        guid: &str,
        url: Option<&str>,
        outcome: Result<(FeedItemState, i64), String>,
    ) -> Result<(), StoreError> {
        let (state, document, error) = match outcome {
            Ok((state, document)) => (state, Some(document), None),
            Err(e) => (FeedItemState::Failed, None, Some(e.chars().take(2000).collect::<String>())),
        };
        let inserted = feed_item::ActiveModel {
            id: Default::default(),
            feed_id: Set(feed_id),
            guid: Set(guid.to_owned()),
            url: Set(url.map(str::to_owned)),
            document_id: Set(document),
            state: Set(state.as_str().to_owned()),
            error: Set(error),
            seen_at: Set(now()),
        }
        .insert(&self.write)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A feed's latest items (in `state`, when given), newest first.
    pub async fn feed_items(&self, feed_id: i64, state: Option<FeedItemState>, limit: u64) -> Result<Vec<FeedItemRow>, StoreError> {
        let mut query = feed_item::Entity::find().filter(feed_item::Column::FeedId.eq(feed_id));
        if let Some(state) = state {
            query = query.filter(feed_item::Column::State.eq(state.as_str()));
        }
        let rows = query.order_by_desc(feed_item::Column::Id).limit(limit).all(&self.read).await?;
        rows.into_iter()
            .map(|m| {
                Ok(FeedItemRow {
                    state: FeedItemState::parse(&m.state)?,
                    guid: m.guid,
                    url: m.url,
                    document_id: m.document_id,
                    error: m.error,
                    seen_at: m.seen_at,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failing_feeds_back_off() {
        assert_eq!(backoff(900, 1), 1800);
        assert_eq!(backoff(900, 3), 7200);
        assert_eq!(backoff(900, 40), MAX_BACKOFF_SECS);
        assert_eq!(backoff(7 * 86_400, 2), 7 * 86_400, "never sooner than the interval");
        for state in FeedItemState::ALL {
            assert_eq!(FeedItemState::parse(state.as_str()).unwrap(), state);
        }
        assert!(FeedItemState::parse("eaten").is_err());
    }
}
