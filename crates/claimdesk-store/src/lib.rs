//! Persistence: sea-orm entities, migrations and queries, on SQLite (the
//! embedded default) and PostgreSQL. Only this crate knows SQL.
//!
//! Invariants:
//! - a document and everything derived from it (sentences, claims, flags) is
//!   written in one transaction: after a crash a document is either wholly
//!   there or absent;
//! - a document's `content_hash` is unique: storing the same text again is
//!   reported as a duplicate, not stored twice;
//! - on SQLite every write transaction is `BEGIN IMMEDIATE` on the single
//!   writer connection, so writers queue on the busy timeout instead of
//!   failing when a read transaction tries to upgrade;
//! - the SQLite fast path (`fast.rs`) only reads, on read-only connections:
//!   rows it keeps are dropped at the first commit by any other connection
//!   (`PRAGMA data_version`), so a kept read is never older than the data.

mod backup;
mod by_hand;
mod desk;
mod entity;
mod error;
mod explained;
mod fast;
mod feeds;
mod library;
mod live;
mod memory;
pub mod meter;
mod migration;
mod notes;
mod open;
mod people;
mod queue;
mod recheck;
mod refs;
mod report;
mod review;
mod rows;
mod stats;
mod upkeep;
mod views;
mod workflow;
mod write;

pub use backup::backup_sqlite;
pub use by_hand::{HandSelection, MAX_HAND_SENTENCES};
pub use claimdesk_core::NewEvidence;
pub use desk::{DESK_HEAD, DESK_HEAD_INFO, DeskDecision, DeskHead, DeskHeadInfo, Figures};
pub use error::StoreError;
pub use explained::{CHECKED_CLAIMS_COMPARED, CheckedClaim, SentenceScore};
pub use feeds::{Feed, FeedItemRow, FeedItemState, FeedPolled, POLL_LEASE_SECS};
pub use library::{FactCheckRow, Upserted};
pub use live::{LIVE_CHANNEL, LiveEvent, MAX_LIVE_IDS};
pub use memory::{ClaimCopy, ClaimVector};
pub use migration::Migrator;
pub use notes::{NoteRow, NotificationRow, Recipients};
pub use open::{Backend, Store};
pub use queue::{ClaimFilter, Cursor, QueueOrder, QueueRow};
pub use recheck::RecheckOutcome;
pub use report::{ReportDocument, ReportFilter, ReportRow};
pub use review::DocumentSummary;
pub use rows::{ClaimRow, DocumentRow, EventRow, EvidenceRow, FlagView, Session, User};
pub use stats::{DayCounts, DeskStats, Durations, StatsVersion, WaitingClaim, quantile};
pub use views::SavedView;
pub use write::{KEYED_SENTENCE_WORDS, NEAR_DUPLICATE_SHARE, NearDuplicate, NewDocument, NewSentence, Stored, sentence_key};

/// Unix seconds now; the store's clock.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Helpers for tests that need a database of their own: dropping and
/// creating databases has no place in what ships, so they exist only with
/// the `testing` feature (enabled by the test crate alone).
#[cfg(feature = "testing")]
pub mod testing {
    use sea_orm::{ConnectionTrait, Database};

    use crate::StoreError;

    /// Creates (or recreates) database `name` on the PostgreSQL server at
    /// `server_url` and returns its URL.
    pub async fn fresh_postgres_database(server_url: &str, name: &str) -> Result<String, StoreError> {
        let admin =
            Database::connect(server_url).await.map_err(|e| StoreError::Open { url: server_url.to_owned(), reason: e.to_string() })?;
        let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        admin.close().await?;
        let base = server_url.rsplit_once('/').map_or(server_url, |(base, _)| base);
        Ok(format!("{base}/{name}"))
    }

    /// The schema of the database at `url`, one line per table, column and
    /// index in a stable order: what a fresh database gets, for the test
    /// that keeps released migrations from changing.
    pub async fn schema(url: &str) -> Result<String, StoreError> {
        let db = Database::connect(url).await.map_err(|e| StoreError::Open { url: url.to_owned(), reason: e.to_string() })?;
        let backend = db.get_database_backend();
        let queries: &[&str] = if backend == sea_orm::DbBackend::Postgres {
            &[
                "SELECT table_name || '.' || column_name || ' ' || data_type || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END \
                 || CASE WHEN is_identity = 'YES' THEN ' identity' ELSE '' END \
                 FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
            ]
        } else {
            &["SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"]
        };
        let mut lines = Vec::new();
        for query in queries {
            for row in db.query_all_raw(sea_orm::Statement::from_string(backend, *query)).await? {
                lines.push(row.try_get_by_index::<String>(0)?);
            }
        }
        db.close().await?;
        Ok(lines.join("\n") + "\n")
    }

    /// Runs `sql` as is on the database at `url`: for tests that must write
    /// rows in the shape an older schema had.
    pub async fn execute_sql(url: &str, sql: &str) -> Result<(), StoreError> {
        let db = Database::connect(url).await.map_err(|e| StoreError::Open { url: url.to_owned(), reason: e.to_string() })?;
        db.execute_unprepared(sql).await?;
        db.close().await?;
        Ok(())
    }
}
