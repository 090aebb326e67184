//! `claimdesk worker`: runs queued jobs (ingests, rechecks, feed polls) from the job
//! engine on the database, beside any number of other workers and nodes.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use claimdesk_work::{Jobs, WorkContext, WorkerOptions};

use crate::{PluginArgs, plugins};

/// `claimdesk worker`'s arguments.
#[derive(Debug, clap::Args)]
pub struct WorkerCommand {
    #[command(flatten)]
    database: crate::DatabaseArg,
    #[command(flatten)]
    plugins: PluginArgs,
    /// Jobs of one kind this worker runs at once (checking runs on
    /// blocking threads, so one per core is a good start).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// This worker's name, unique among the workers on the database
    /// (default: host name and process id).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[command(flatten)]
    private: crate::feed::PrivateFeeds,
    #[command(flatten)]
    model_dir: crate::library::ModelArg,
}

pub fn worker(args: WorkerCommand) -> anyhow::Result<ExitCode> {
    let host = Arc::new(claimdesk_server::checking::Checking::new(plugins::loader(&args.plugins)));
    // The host follows the desk's head on a local task, as in `serve`.
    actix_web::rt::System::new().block_on(async move {
        let store = match crate::db::open_for_service(&args.database.url).await {
            Ok(store) => store,
            Err(code) => return Ok(code),
        };
        let jobs = Jobs::open(&args.database.url).await.context("cannot open the job engine")?;
        host.follow(&store).await?;
        host.watch(store.clone(), claimdesk_server::checking::FOLLOW_EVERY);
        // Claims this worker (or any process) stored are matched here, on
        // one low-priority thread: `serve --no-inline-work` leaves it to us.
        let library = claimdesk_server::library::Library::load(args.model_dir.dir.as_deref());
        match library.status() {
            Ok(()) => {
                library.load_index(&store).await?;
                library.watch(&store, crate::serve::MATCHER_EVERY);
            }
            Err(reason) => tracing::info!(%reason, "claim matching is off in this worker"),
        }
        let name = args.name.unwrap_or_else(default_name);
        let context = WorkContext { store: store.clone(), host, feeds: Arc::new(claimdesk_feed::Fetcher::new(args.private.allow)) };
        let options = WorkerOptions { name, concurrency: usize::from(args.concurrency) };
        claimdesk_work::run_worker(&jobs, context, options).await?;
        tracing::info!("worker stopped");
        jobs.close().await;
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let host = if host.is_empty() { "worker".to_owned() } else { host };
    format!("{host}-{}", std::process::id())
}
