//! Counts the SQL statements a piece of work issues, and their time.
//!
//! Every statement the store runs — through sea-orm (its metric callback,
//! set on each connection in `open.rs`) or through the SQLite fast path —
//! is recorded here: in the [`Tally`] of the task that runs it, when that
//! task was started with [`metered`], and as a `trace` event on the
//! `claimdesk::sql` target with its time and text. The server meters each
//! request this way: the query-budget test and `serve --server-timing`
//! read the tally, and `RUST_LOG=claimdesk::sql=trace` shows every
//! statement of every request.
//!
//! Work spawned off a request (a background recount) is not the request's
//! and is not counted in its tally.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Statements and their summed time, for one metered task.
#[derive(Debug, Default)]
pub struct Tally {
    statements: AtomicU64,
    nanos: AtomicU64,
}

impl Tally {
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Time spent waiting for the database, summed over the statements.
    pub fn time(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }

    fn add(&self, elapsed: Duration) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        self.nanos.fetch_add(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

tokio::task_local! {
    static CURRENT: Arc<Tally>;
}

/// Runs `work`, counting the statements it issues into `tally`.
pub async fn metered<F: std::future::Future>(tally: Arc<Tally>, work: F) -> F::Output {
    CURRENT.scope(tally, work).await
}

/// Records one statement: into the current task's tally, if any, and as a
/// trace event.
pub(crate) fn record(sql: &str, elapsed: Duration, failed: bool) {
    let _ = CURRENT.try_with(|t| t.add(elapsed));
    tracing::trace!(target: "claimdesk::sql", micros = elapsed.as_micros() as u64, failed, "{sql}");
}

/// Installs [`record`] as `db`'s statement callback.
pub(crate) fn install(db: &mut sea_orm::DatabaseConnection) {
    db.set_metric_callback(|info| record(&info.statement.sql, info.elapsed, info.failed));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn statements_count_in_their_own_task_only() {
        let tally = Arc::new(Tally::default());
        metered(tally.clone(), async {
            record("SELECT 1", Duration::from_micros(30), false);
            record("SELECT 2", Duration::from_micros(20), true);
        })
        .await;
        // Outside any metered task: recorded nowhere, and no panic.
        record("SELECT 3", Duration::from_micros(5), false);
        assert_eq!(tally.statements(), 2);
        assert_eq!(tally.time(), Duration::from_micros(50));
    }
}
