//! Telling other nodes that claims changed: PostgreSQL `NOTIFY` on one
//! channel, ids only in the payload (pages fetch what they show through
//! the usual, access-checked routes). SQLite has no other nodes; the
//! server broadcasts in process there.

use sea_orm::{ConnectionTrait, Statement};
use serde::{Deserialize, Serialize};

use crate::{Backend, Store, StoreError};

/// The channel every node `LISTEN`s on.
pub const LIVE_CHANNEL: &str = "claimdesk_live";

/// The most claim ids one event names (PostgreSQL caps a payload at 8000
/// bytes); a bigger change says `claims: []` and `many: true`, and pages
/// reload.
pub const MAX_LIVE_IDS: usize = 200;

/// What changed, as ids: a claim changed (assigned, resolved, published…)
/// or a document was stored with new claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// `claim` (a reviewer's change) or `ingest` (new claims).
    pub change: String,
    pub claims: Vec<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<i64>,
    /// More claims changed than [`MAX_LIVE_IDS`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub many: bool,
}

impl LiveEvent {
    pub fn new(change: &str, mut claims: Vec<i64>, document: Option<i64>) -> LiveEvent {
        let many = claims.len() > MAX_LIVE_IDS;
        if many {
            claims.clear();
        }
        LiveEvent { change: change.to_owned(), claims, document, many }
    }

    /// "Changes may have been missed": pages reload (after a lost
    /// connection, or when a page fell behind).
    pub fn resync() -> LiveEvent {
        LiveEvent { many: true, ..LiveEvent::new("resync", Vec::new(), None) }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Store {
    /// Sends `event` to every listening node; `false` on SQLite, where
    /// nothing crosses processes.
    pub async fn notify_live(&self, event: &LiveEvent) -> Result<bool, StoreError> {
        if self.backend() != Backend::Postgres {
            return Ok(false);
        }
        let payload = event.to_json();
        let sql =
            Statement::from_sql_and_values(self.db_backend(), "SELECT pg_notify($1, $2)", [LIVE_CHANNEL.into(), payload.as_str().into()]);
        self.write.execute_raw(sql).await?;
        Ok(true)
    }
}
