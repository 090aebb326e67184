//! `claimdesk feed add|list|remove|poll`: the monitored feeds.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use claimdesk_work::{NewFeed, WorkContext};

use crate::{PluginArgs, plugins};

#[derive(Debug, clap::Subcommand)]
pub enum FeedCommand {
    /// Monitor a feed (RSS, Atom or JSON Feed): its new items are checked
    /// and stored by `serve` (or by workers with `--no-inline-work`).
    Add {
        /// The feed's address (http or https).
        #[arg(value_name = "URL")]
        feed_url: String,
        /// The outlet its documents are filed under (default: the feed's title).
        #[arg(long, value_name = "NAME")]
        outlet: Option<String>,
        /// How often to poll: 90s, 15m, 2h, 1d (one minute to a week).
        #[arg(long, value_name = "INTERVAL", default_value = claimdesk_feed::DEFAULT_EVERY)]
        every: String,
        #[command(flatten)]
        private: PrivateFeeds,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// The monitored feeds, their last success and last error.
    List {
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// Stop monitoring a feed (the documents it brought stay).
    Remove {
        /// The feed's id (see `feed list`).
        id: i64,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// Poll feeds now, in this process, and say what each brought: one
    /// feed, or every feed.
    Poll {
        id: Option<i64>,
        #[command(flatten)]
        private: PrivateFeeds,
        #[command(flatten)]
        plugins: PluginArgs,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
}

/// Shared by every command that adds or fetches feeds.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct PrivateFeeds {
    /// Allow feeds on loopback and private addresses (a feed fetcher must
    /// not be turned against the local network, so they are refused
    /// unless this is given).
    #[arg(long = "allow-private-feeds", env = "CLAIMDESK_ALLOW_PRIVATE_FEEDS")]
    pub allow: bool,
}

pub fn feed(command: FeedCommand) -> anyhow::Result<ExitCode> {
    match command {
        FeedCommand::Add { feed_url, outlet, every, private, database } => {
            let new = match NewFeed::check(&feed_url, outlet.as_deref(), &every, private.allow) {
                Ok(new) => new,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            crate::db::block_on(async {
                let store = crate::db::open(&database.url).await?;
                let feed = match store.add_feed(&new.url, new.outlet.as_deref(), new.every_secs).await {
                    Ok(feed) => feed,
                    Err(e @ claimdesk_store::StoreError::Duplicate { .. }) => {
                        eprintln!("error: {e}");
                        return Ok(ExitCode::from(2));
                    }
                    Err(e) => return Err(e.into()),
                };
                println!(
                    "feed {} added: {} (every {}); its first poll is due now",
                    feed.id,
                    feed.url,
                    claimdesk_feed::every_text(feed.every_secs)
                );
                Ok(ExitCode::SUCCESS)
            })
        }
        FeedCommand::List { database } => crate::db::block_on(async {
            let store = crate::db::open(&database.url).await?;
            let feeds = store.feeds().await?;
            if feeds.is_empty() {
                println!("no feeds (add one with `claimdesk feed add URL`)");
            }
            for f in feeds {
                let last = f.last_success_at.map_or_else(|| "never".to_owned(), |t| format!("{} UTC", claimdesk_server::when(t)));
                println!(
                    "{}\t{}\t{}\tevery {}\titems {} (failed {})\tlast success {last}",
                    f.id,
                    f.url,
                    f.outlet.or(f.title).unwrap_or_default(),
                    claimdesk_feed::every_text(f.every_secs),
                    f.items,
                    f.failed_items
                );
                if let Some(error) = f.last_error {
                    println!("\tlast error ({} in a row): {error}", f.failures);
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        FeedCommand::Remove { id, database } => crate::db::block_on(async {
            let store = crate::db::open(&database.url).await?;
            match store.remove_feed(id).await {
                Ok(()) => {
                    println!("feed {id} removed");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e @ claimdesk_store::StoreError::NotFound { .. }) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }),
        FeedCommand::Poll { id, private, plugins, database } => poll(id, private, &plugins, &database.url),
    }
}

fn poll(id: Option<i64>, private: PrivateFeeds, plugins: &PluginArgs, url: &str) -> anyhow::Result<ExitCode> {
    let host = Arc::new(claimdesk_server::checking::Checking::new(plugins::loader(plugins)));
    actix_web::rt::System::new().block_on(async move {
        let store = crate::db::open(url).await?;
        host.follow(&store).await?;
        let ids = match id {
            // An unknown id is an error here (a poll would skip it quietly).
            Some(id) => vec![store.feed(id).await.with_context(|| format!("feed {id}"))?.id],
            None => store.feeds().await?.into_iter().map(|f| f.id).collect(),
        };
        let context = WorkContext { store: store.clone(), host, feeds: Arc::new(claimdesk_feed::Fetcher::new(private.allow)) };
        let mut failed = false;
        for id in ids {
            let report = claimdesk_work::poll_feed(&context, id).await.map_err(anyhow::Error::msg)?;
            match &report.error {
                Some(error) => {
                    failed = true;
                    println!("feed {id}: error: {error}");
                }
                None if report.not_modified => println!("feed {id}: not modified"),
                None => println!(
                    "feed {id}: {} new, {} already stored, {} failed{}",
                    report.ingested,
                    report.duplicates,
                    report.failed,
                    if report.left > 0 { format!(", {} left for the next poll", report.left) } else { String::new() }
                ),
            }
        }
        store.close().await?;
        Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    })
}
