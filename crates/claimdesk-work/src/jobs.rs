//! The job kinds, their arguments, and the handle through which the server
//! and the CLI push jobs and read their state.

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::{TaskBuilder, TaskId, TaskSink};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use claimdesk_core::Document;
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

use crate::{WorkError, WorkErrorKind};

/// Attempts a job gets (the first run and its retries, on any worker)
/// before it is left failed with its last error.
pub const MAX_ATTEMPTS: usize = 3;

/// How long a query waits for a connection, or a locked SQLite file.
const WAIT: Duration = Duration::from_secs(10);

/// Every kind of job, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Check and store one document ([`IngestJob`]).
    Ingest,
    /// Check a stored document again with today's plugins ([`RecheckJob`]).
    Recheck,
    /// Poll one monitored feed and ingest its new items ([`FeedPollJob`]).
    FeedPoll,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Ingest, Kind::Recheck, Kind::FeedPoll];

    /// The name shown to users and in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ingest => "ingest",
            Kind::Recheck => "recheck",
            Kind::FeedPoll => "feed_poll",
        }
    }

    /// The apalis queue the kind's jobs wait in (`job_type` in its tables).
    pub(crate) fn queue(self) -> &'static str {
        match self {
            Kind::Ingest => "claimdesk.ingest",
            Kind::Recheck => "claimdesk.recheck",
            Kind::FeedPoll => "claimdesk.feed_poll",
        }
    }

    fn of_queue(queue: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.queue() == queue)
    }
}

/// Check and store `document`, as an upload or an API post would have.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestJob {
    pub document: Document,
    /// Where it came from (`upload`, `api`, a feed).
    pub origin: String,
    /// The request that queued it, for the logs.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Poll feed `feed` (its id in the store) now. Taken from the store's
/// due feeds, so a feed is polled by one worker at a time.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedPollJob {
    pub feed: i64,
}

/// Check stored document `document` again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecheckJob {
    pub document: i64,
    #[serde(default)]
    pub request_id: Option<String>,
}

/// Where a job is, in the words the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker (new, or to be retried).
    Queued,
    /// Taken by a worker.
    Running,
    Done,
    /// Failed every attempt; the error is kept.
    Failed,
}

impl JobState {
    pub const ALL: [JobState; 4] = [JobState::Queued, JobState::Running, JobState::Done, JobState::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// The same rule as [`JobState::of`], as an SQL condition on apalis's
    /// `status`, `attempts` and `max_attempts` (constant text, the same on
    /// both engines).
    fn sql(self) -> &'static str {
        match self {
            JobState::Queued => "(status IN ('Pending', 'Queued') OR (status = 'Failed' AND attempts < max_attempts))",
            JobState::Running => "status = 'Running'",
            JobState::Done => "status = 'Done'",
            JobState::Failed => "(status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts))",
        }
    }

    /// From apalis's status and attempts: a failed attempt with attempts
    /// left waits for its retry.
    fn of(status: &str, attempts: i64, max_attempts: i64) -> JobState {
        match status {
            "Done" => JobState::Done,
            "Running" => JobState::Running,
            "Failed" if attempts < max_attempts => JobState::Queued,
            "Failed" | "Killed" => JobState::Failed,
            // Pending, and Queued (fetched by a worker, not yet started).
            _ => JobState::Queued,
        }
    }
}

/// A job as the API and the documents page show it.
#[derive(Debug, Clone, Serialize)]
pub struct JobView {
    pub id: String,
    pub kind: &'static str,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    /// The last attempt's error, if it failed.
    pub error: Option<String>,
    /// What the job produced (e.g. the stored document's id), once done.
    pub result: Option<serde_json::Value>,
    /// When it was queued (or is due), Unix seconds.
    pub run_at: i64,
    /// When it finished, Unix seconds.
    pub done_at: Option<i64>,
}

/// Jobs per kind and state, for metrics and the documents page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobCounts {
    pub counts: Vec<(&'static str, JobState, i64)>,
}

impl JobCounts {
    pub fn of_state(&self, state: JobState) -> i64 {
        self.counts.iter().filter(|(_, s, _)| *s == state).map(|(_, _, n)| n).sum()
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Engine {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// The job engine on one database: push jobs, read their state. Cheap to
/// clone (a connection pool of its own, apart from the store's: apalis
/// keeps connections for its heartbeats and listener).
#[derive(Debug, Clone)]
pub struct Jobs {
    pub(crate) engine: Engine,
}

impl Jobs {
    /// Connects to the database at `url` (the store's URL) and brings
    /// apalis's tables up to date (its migrations are idempotent and, on
    /// PostgreSQL, serialised by an advisory lock, so nodes may race).
    pub async fn open(url: &str) -> Result<Jobs, WorkError> {
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new().max_connections(6).acquire_timeout(WAIT).connect_with(options).await?;
            PostgresStorage::setup(&pool).await?;
            Engine::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(WAIT)
                .create_if_missing(true)
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new().max_connections(4).acquire_timeout(WAIT).connect_with(options).await?;
            SqliteStorage::setup(&pool).await?;
            Engine::Sqlite(pool)
        } else {
            return Err(WorkError::new(WorkErrorKind::Config, format!("{url:?} is neither a sqlite: nor a postgres:// URL")));
        };
        Ok(Jobs { engine })
    }

    /// Queues an ingest; returns the job's id.
    pub async fn push_ingest(&self, job: IngestJob) -> Result<String, WorkError> {
        self.push(Kind::Ingest, job).await
    }

    /// Queues a recheck; returns the job's id.
    pub async fn push_recheck(&self, job: RecheckJob) -> Result<String, WorkError> {
        self.push(Kind::Recheck, job).await
    }

    /// Queues a feed poll; returns the job's id.
    pub async fn push_feed_poll(&self, job: FeedPollJob) -> Result<String, WorkError> {
        self.push(Kind::FeedPoll, job).await
    }

    async fn push<A>(&self, kind: Kind, args: A) -> Result<String, WorkError>
    where
        A: Serialize + for<'de> Deserialize<'de> + Send + Sync + Unpin + 'static,
    {
        let id = ulid::Ulid::new().to_string();
        let task = TaskBuilder::new(args).task_id(TaskId::from_string(id.clone())).max_attempts(MAX_ATTEMPTS).build();
        let queueing = |e: String| WorkError::new(WorkErrorKind::Database, format!("queueing a {} job: {e}", kind.as_str()));
        match &self.engine {
            Engine::Postgres(pool) => {
                let mut storage = PostgresStorage::<A>::new(pool).with_config(crate::run::pg_config(kind));
                storage.push_task(task).await.map_err(|e| queueing(e.to_string()))?;
            }
            Engine::Sqlite(pool) => {
                let mut storage = SqliteStorage::<A>::new(pool).with_config(crate::run::sqlite_config(kind));
                storage.push_task(task).await.map_err(|e| queueing(e.to_string()))?;
            }
        }
        tracing::debug!(job = %id, kind = kind.as_str(), "job queued");
        Ok(id)
    }

    /// One job by id; `None` if there is none (or it is not ours).
    pub async fn job(&self, id: &str) -> Result<Option<JobView>, WorkError> {
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        Ok(self.select(Some(id), None, 1).await?.into_iter().next())
    }

    /// The newest jobs in `state` (queued includes retries due), newest
    /// first.
    pub async fn recent(&self, state: JobState, limit: u32) -> Result<Vec<JobView>, WorkError> {
        self.select(None, Some(state), limit).await
    }

    async fn select(&self, id: Option<&str>, state: Option<JobState>, limit: u32) -> Result<Vec<JobView>, WorkError> {
        let state = state.map_or("TRUE", JobState::sql);
        // Every kind's queue is `claimdesk.<kind>`; `view` drops any other.
        let rows: Vec<Raw> = match &self.engine {
            Engine::Postgres(pool) => {
                let sql = format!(
                    "SELECT id, job_type, status, attempts::bigint, max_attempts::bigint, last_result::text, \
                     EXTRACT(EPOCH FROM run_at)::bigint, EXTRACT(EPOCH FROM done_at)::bigint \
                     FROM apalis.jobs WHERE job_type LIKE 'claimdesk.%' AND ($1::text IS NULL OR id = $1) AND {state} \
                     ORDER BY run_at DESC, id DESC LIMIT $2"
                );
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(i64::from(limit)).fetch_all(pool).await?
            }
            Engine::Sqlite(pool) => {
                let sql = format!(
                    "SELECT id, job_type, status, attempts, max_attempts, last_result, run_at, done_at \
                     FROM Jobs WHERE job_type LIKE 'claimdesk.%' AND (?1 IS NULL OR id = ?1) AND {state} \
                     ORDER BY run_at DESC, id DESC LIMIT ?2"
                );
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(i64::from(limit)).fetch_all(pool).await?
            }
        };
        Ok(rows.into_iter().filter_map(view).collect())
    }

    /// Seconds from queued to done of the last `limit` done jobs of `kind`.
    pub async fn latencies(&self, kind: Kind, limit: u32) -> Result<Vec<i64>, WorkError> {
        let rows: Vec<(i64,)> = match &self.engine {
            Engine::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT EXTRACT(EPOCH FROM (done_at - run_at))::bigint FROM apalis.jobs \
                     WHERE job_type = $1 AND status = 'Done' AND done_at IS NOT NULL ORDER BY done_at DESC LIMIT $2",
                )
                .bind(kind.queue())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
            }
            Engine::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT done_at - run_at FROM Jobs WHERE job_type = ?1 AND status = 'Done' AND done_at IS NOT NULL \
                     ORDER BY done_at DESC LIMIT ?2",
                )
                .bind(kind.queue())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows.into_iter().map(|(s,)| s.max(0)).collect())
    }

    /// Jobs per kind and state.
    pub async fn counts(&self) -> Result<JobCounts, WorkError> {
        let rows: Vec<(String, String, i64, i64, i64)> = match &self.engine {
            Engine::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT job_type, status, attempts::bigint, max_attempts::bigint, COUNT(*)::bigint \
                     FROM apalis.jobs GROUP BY 1, 2, 3, 4",
                )
                .fetch_all(pool)
                .await?
            }
            Engine::Sqlite(pool) => {
                sqlx::query_as("SELECT job_type, status, attempts, max_attempts, COUNT(*) FROM Jobs GROUP BY 1, 2, 3, 4")
                    .fetch_all(pool)
                    .await?
            }
        };
        let mut counts: Vec<(&'static str, JobState, i64)> = Vec::new();
        for (queue, status, attempts, max_attempts, n) in rows {
            let Some(kind) = Kind::of_queue(&queue) else { continue };
            let state = JobState::of(&status, attempts, max_attempts);
            match counts.iter_mut().find(|(k, s, _)| *k == kind.as_str() && *s == state) {
                Some(entry) => entry.2 += n,
                None => counts.push((kind.as_str(), state, n)),
            }
        }
        Ok(JobCounts { counts })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Postgres(pool) => pool.close().await,
            Engine::Sqlite(pool) => pool.close().await,
        }
    }
}

/// A job row as both engines' queries select it: id, queue, status,
/// attempts, max attempts, last result (JSON text), run at, done at.
type Raw = (String, String, String, i64, i64, Option<String>, i64, Option<i64>);

/// apalis keeps the last attempt's outcome as `{"Ok": value}` or
/// `{"Err": "message"}`.
fn view((id, queue, status, attempts, max_attempts, last, run_at, done_at): Raw) -> Option<JobView> {
    let kind = Kind::of_queue(&queue)?;
    let state = JobState::of(&status, attempts, max_attempts);
    let last: Option<serde_json::Value> = last.and_then(|text| serde_json::from_str(&text).ok());
    let (mut result, mut error) = (None, None);
    if let Some(serde_json::Value::Object(map)) = last {
        if let Some(ok) = map.get("Ok") {
            result = Some(ok.clone());
        }
        if let Some(err) = map.get("Err") {
            error = Some(err.as_str().map_or_else(|| err.to_string(), str::to_owned));
        }
    }
    if state == JobState::Done {
        error = None;
    }
    Some(JobView { id, kind: kind.as_str(), state, attempts, max_attempts, error, result, run_at, done_at })
}
