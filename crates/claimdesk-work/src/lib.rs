//! Work done away from the request: claimdesk's jobs on the apalis job
//! engine and the worker that runs them (`claimdesk worker`).
//!
//! Invariants:
//! - Every job kind is listed once, in [`Kind`]; its queue, its arguments
//!   and its handler are found from there. Adding a kind means adding a
//!   variant, its arguments type and its arm in `run::worker`.
//! - The engine's tables are apalis's (schema `apalis` on PostgreSQL,
//!   `Jobs`/`Workers` in the SQLite file), created by apalis's own
//!   migrations through [`Jobs::open`]; our migrations never touch them and
//!   we only read them (job state for the API and pages, counts for
//!   metrics). Jobs are pushed and run through apalis only.
//! - A job may run more than once (a retry after an error, or after its
//!   worker died): every handler is idempotent. An ingest stores a document
//!   once per content hash; a recheck converges.
//! - Handlers never panic on bad arguments: an argument the store refuses is
//!   the job's error, kept on the job.

mod error;
mod feeds;
mod jobs;
mod run;

pub use error::{WorkError, WorkErrorKind};
pub use feeds::{FEED_TICK, MAX_ITEMS_PER_POLL, NewFeed, PollReport, poll_feed, poll_feeds_inline};
pub use jobs::{FeedPollJob, IngestJob, JobCounts, JobState, JobView, Jobs, Kind, MAX_ATTEMPTS, RecheckJob};
pub use run::{HostSource, WorkContext, WorkerOptions, run_worker};
