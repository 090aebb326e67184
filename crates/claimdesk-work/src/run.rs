//! The worker: one apalis worker per job kind, each taking jobs from its
//! queue, with retries, heartbeats and panic capture.

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::{Attempt, BoxDynError, Data, Monitor, RetryPolicy, TaskId, WorkerBuilder, WorkerBuilderExt};
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use claimdesk_ingest::{CLAIM_THRESHOLD, check_document, prepare};
use claimdesk_plugin_host::PluginHost;
use claimdesk_store::{Store, Stored};
use serde_json::json;
use tower::retry::backoff::{ExponentialBackoffMaker, MakeBackoff};
use tower::util::rng::HasherRng;
use tracing::Instrument;

use crate::jobs::{Engine, FeedPollJob, IngestJob, Kind, MAX_ATTEMPTS, RecheckJob};
use crate::{Jobs, WorkError, WorkErrorKind};

/// How often a worker tells the engine it is alive. A worker silent for
/// [`MISSED_HEARTBEATS`] of these is dead: the next heartbeat of any live
/// worker on the same queue puts its jobs back (one attempt used). An idle
/// worker also looks for jobs at each heartbeat: in our measurements
/// (docs/PERFORMANCE.md) apalis 1.0's NOTIFY wake-up did not make an idle
/// worker fetch sooner, so this bounds the pick-up time too.
pub const HEARTBEAT: Duration = Duration::from_secs(1);
pub const MISSED_HEARTBEATS: usize = 5;

/// Longest one job may check a document for.
const JOB_BUDGET: Duration = Duration::from_secs(120);

/// The plugin host to check with now (the server's follows the desk's
/// head; a worker's too).
pub trait HostSource: Send + Sync + 'static {
    fn host(&self) -> Arc<PluginHost>;
}

/// What every job handler needs.
#[derive(Clone)]
pub struct WorkContext {
    pub store: Store,
    pub host: Arc<dyn HostSource>,
    /// Fetches feeds and article pages (one per process: it paces hosts).
    pub feeds: Arc<claimdesk_feed::Fetcher>,
}

impl std::fmt::Debug for WorkContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkContext").field("store", &self.store).finish_non_exhaustive()
    }
}

/// `claimdesk worker`'s settings.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Unique per worker process (the engine tracks liveness by it).
    pub name: String,
    /// Jobs of one kind run at once.
    pub concurrency: usize,
}

pub(crate) fn pg_config(kind: Kind) -> apalis_postgres::Config {
    apalis_postgres::Config::default().queue(kind.queue()).batch_size(1).heartbeat_interval(HEARTBEAT).missed_heartbeats(MISSED_HEARTBEATS)
}

pub(crate) fn sqlite_config(kind: Kind) -> apalis_sqlite::Config {
    apalis_sqlite::Config::default().queue(kind.queue()).batch_size(1).heartbeat_interval(HEARTBEAT).missed_heartbeats(MISSED_HEARTBEATS)
}

/// Retries after an error, waiting longer each time (from 1 s, jittered);
/// with the first run, [`MAX_ATTEMPTS`] in all.
fn retry_policy() -> Result<apalis::prelude::BackoffRetryPolicy<tower::retry::backoff::ExponentialBackoff>, WorkError> {
    let mut maker = ExponentialBackoffMaker::new(Duration::from_secs(1), Duration::from_secs(30), 0.5, HasherRng::default())
        .map_err(|e| WorkError::new(WorkErrorKind::Config, format!("the retry backoff: {e}")))?;
    Ok(RetryPolicy::retries(MAX_ATTEMPTS - 1).with_backoff(maker.make_backoff()))
}

/// A worker's builder with claimdesk's layers, in the order apalis wants:
/// concurrency → retry (with backoff) → panics caught as the job's error →
/// tracing. Used by [`run_worker`] and by the test that panics.
macro_rules! layered {
    ($name:expr, $storage:expr, $context:expr, $concurrency:expr, $policy:expr) => {
        WorkerBuilder::new($name).backend($storage).data($context).concurrency($concurrency).retry($policy).catch_panic().enable_tracing()
    };
}

/// Runs jobs of every kind until ctrl-c; returns when the workers stopped.
pub async fn run_worker(jobs: &Jobs, context: WorkContext, options: WorkerOptions) -> Result<(), WorkError> {
    let concurrency = options.concurrency.max(1);
    let policy = retry_policy()?;
    // A worker whose backend failed (a lost connection, a write refused)
    // is started again under a new name: the old name stops beating, so
    // the jobs it held count as orphaned and go back to the queue (one
    // attempt used) at the new worker's next heartbeat. Under the old name
    // they would stay "running" for ever, held by a name that still beats.
    let mut monitor = Monitor::new().shutdown_timeout(Duration::from_secs(30)).should_restart(|worker, error| {
        tracing::warn!(worker = worker.name(), restarts = worker.restarts(), error = %error, "worker stopped on an error; starting it again");
        true
    });
    macro_rules! worker {
        ($kind:expr, $handler:expr, $storage:expr) => {{
            let (name, context, storage, policy) =
                (format!("{}-{}", options.name, $kind.as_str()), context.clone(), $storage, policy.clone());
            monitor = monitor.register(move |restarts| {
                let name = if restarts == 0 { name.clone() } else { format!("{name}-restart{restarts}") };
                layered!(name, storage.clone(), context.clone(), concurrency, policy.clone()).build($handler)
            });
        }};
    }
    match &jobs.engine {
        Engine::Postgres(pool) => {
            worker!(Kind::Ingest, ingest, PostgresStorage::<IngestJob>::new(pool).with_config(pg_config(Kind::Ingest)).with_pubsub());
            worker!(Kind::Recheck, recheck, PostgresStorage::<RecheckJob>::new(pool).with_config(pg_config(Kind::Recheck)).with_pubsub());
            worker!(
                Kind::FeedPoll,
                feed_poll,
                PostgresStorage::<FeedPollJob>::new(pool).with_config(pg_config(Kind::FeedPoll)).with_pubsub()
            );
        }
        Engine::Sqlite(pool) => {
            worker!(Kind::Ingest, ingest, SqliteStorage::<IngestJob>::new(pool).with_config(sqlite_config(Kind::Ingest)));
            worker!(Kind::Recheck, recheck, SqliteStorage::<RecheckJob>::new(pool).with_config(sqlite_config(Kind::Recheck)));
            worker!(Kind::FeedPoll, feed_poll, SqliteStorage::<FeedPollJob>::new(pool).with_config(sqlite_config(Kind::FeedPoll)));
        }
    }
    tracing::info!(worker = %options.name, concurrency, "worker started");
    let scheduler = tokio::spawn(crate::feeds::schedule_feeds(context.clone(), jobs.clone()));
    let ran = monitor.run_with_signal(tokio::signal::ctrl_c()).await;
    scheduler.abort();
    ran.map_err(|e| WorkError::new(WorkErrorKind::Database, format!("the worker stopped: {e}")))
}

/// Runs CPU work (plugins) off the async threads, within [`JOB_BUDGET`].
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, BoxDynError> {
    match tokio::time::timeout(JOB_BUDGET, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(format!("checking failed: {e}").into()),
        Err(_) => Err(format!("checking took longer than {} s", JOB_BUDGET.as_secs()).into()),
    }
}

/// The span every log line of a job carries: its kind, id, attempt and
/// the request that queued it.
fn job_span(kind: Kind, id: &TaskId, attempt: &Attempt, request_id: Option<&str>) -> tracing::Span {
    tracing::info_span!("job", kind = kind.as_str(), job = %id, attempt = attempt.current(), request_id = request_id.unwrap_or(""))
}

async fn ingest(job: IngestJob, context: Data<WorkContext>, id: TaskId, attempt: Attempt) -> Result<serde_json::Value, BoxDynError> {
    let span = job_span(Kind::Ingest, &id, &attempt, job.request_id.as_deref());
    ingest_job(job, context).instrument(span).await
}

async fn ingest_job(job: IngestJob, context: Data<WorkContext>) -> Result<serde_json::Value, BoxDynError> {
    let IngestJob { document, origin, .. } = job;
    let (stored, plugin_errors) = ingest_document(&context, document, origin).await?;
    Ok(match stored {
        Stored::New { id: document, claims, flags, near_duplicate } => {
            json!({"document": document, "claims": claims, "flags": flags, "plugin_errors": plugin_errors,
                   "near_duplicate_of": near_duplicate.map(|n| n.of)})
        }
        Stored::Duplicate { id: document } => json!({"document": document, "duplicate": true}),
    })
}

/// Checks and stores one document (the same text twice is stored once),
/// and tells open pages of a new one. Returns what was stored and the
/// plugins' errors.
pub(crate) async fn ingest_document(
    context: &WorkContext,
    document: claimdesk_core::Document,
    origin: String,
) -> Result<(Stored, Vec<String>), BoxDynError> {
    document.validate().map_err(|e| e.to_string())?;
    let host = context.host.host();
    let stored_origin = origin.clone();
    let (document, sentences, claims, errors) = blocking(move || {
        let (new, errors) = prepare(&document, Some(origin), &host);
        let (sentences, claims) = (new.sentences, new.claims);
        (document, sentences, claims, errors)
    })
    .await?;
    let plugin_errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
    for e in &errors {
        tracing::warn!(plugin = %e.plugin, error = %e.error, "plugin failed while ingesting");
    }
    let new = claimdesk_store::NewDocument { document: &document, origin: Some(stored_origin), sentences, claims };
    let stored = context.store.store_document(&new).await.map_err(|e| e.to_string())?;
    if let Stored::New { id: document, claims, .. } = &stored {
        tracing::info!(document, claims, "document stored");
        // Open queue pages on every node hear of it (on SQLite, those of
        // this process).
        if let Err(e) = context.store.notify_live(&claimdesk_store::LiveEvent::new("ingest", Vec::new(), Some(*document))).await {
            tracing::warn!(error = %e, "could not announce the new claims");
        }
    }
    Ok((stored, plugin_errors))
}

async fn feed_poll(job: FeedPollJob, context: Data<WorkContext>, id: TaskId, attempt: Attempt) -> Result<serde_json::Value, BoxDynError> {
    let span = job_span(Kind::FeedPoll, &id, &attempt, None);
    let report = crate::feeds::poll_feed(&context, job.feed).instrument(span).await?;
    Ok(serde_json::to_value(report)?)
}

async fn recheck(job: RecheckJob, context: Data<WorkContext>, id: TaskId, attempt: Attempt) -> Result<serde_json::Value, BoxDynError> {
    let span = job_span(Kind::Recheck, &id, &attempt, job.request_id.as_deref());
    recheck_job(job, context).instrument(span).await
}

async fn recheck_job(job: RecheckJob, context: Data<WorkContext>) -> Result<serde_json::Value, BoxDynError> {
    let doc = context.store.document(job.document).await.map_err(|e| e.to_string())?;
    let host = context.host.host();
    let (_, claims, errors) = blocking(move || check_document(&host, &doc.body, CLAIM_THRESHOLD)).await?;
    for e in &errors {
        tracing::warn!(plugin = %e.plugin, error = %e.error, "plugin failed while rechecking");
    }
    let o = context.store.recheck_document(job.document, &claims).await.map_err(|e| e.to_string())?;
    Ok(json!({"document": job.document, "kept": o.kept, "new_flags": o.new_flags, "stale": o.stale, "new_claims": o.new_claims}))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    /// Panics the first time, succeeds the second.
    async fn panics_once(job: RecheckJob, _context: Data<u8>) -> Result<serde_json::Value, BoxDynError> {
        #[allow(clippy::panic)]
        if CALLS.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("a bug in a handler");
        }
        Ok(json!({"document": job.document}))
    }

    #[test]
    fn a_job_that_panics_is_retried_by_the_same_layers() {
        let dir = std::env::temp_dir().join(format!("claimdesk-work-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("jobs.db").display());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let jobs = Jobs::open(&url).await.unwrap();
            let id = jobs.push_recheck(RecheckJob { document: 7, request_id: None }).await.unwrap();
            let Engine::Sqlite(pool) = &jobs.engine else { unreachable!() };
            let storage = SqliteStorage::<RecheckJob>::new(pool).with_config(sqlite_config(Kind::Recheck));
            let policy = retry_policy().unwrap();
            let monitor =
                Monitor::new().register(move |_| layered!("panic-test", storage.clone(), 0_u8, 1, policy.clone()).build(panics_once));
            let watch = jobs.clone();
            let id_ = id.clone();
            let stop = async move {
                for _ in 0..200 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if watch.job(&id_).await.unwrap().is_some_and(|j| j.state == crate::JobState::Done) {
                        break;
                    }
                }
                Ok(())
            };
            monitor.run_with_signal(stop).await.unwrap();
            let job = jobs.job(&id).await.unwrap().unwrap();
            assert_eq!(job.state, crate::JobState::Done, "{job:?}");
            assert_eq!(job.attempts, 2, "the panic used the first attempt: {job:?}");
            assert_eq!(job.result, Some(json!({"document": 7})));
            assert_eq!(CALLS.load(Ordering::SeqCst), 2);
            jobs.close().await;
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
