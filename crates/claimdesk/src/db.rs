//! Subcommands that work on the database: migrate, ingest, recheck.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use claimdesk_ingest::{CLAIM_THRESHOLD, Format, InputError, check_document, collect_sources, prepare, read_documents};
use claimdesk_store::{Store, Stored};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{PluginArgs, plugins};

/// Runs `future` on a single-threaded runtime: the CLI does one thing at a time.
pub fn block_on<T>(future: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?.block_on(future)
}

/// Opens the database a long-running process (`serve`, `worker`) works on;
/// `Err(code)` when it cannot be reached: the reason is said and the
/// process should exit 1 (an operator's or supervisor's problem, not a
/// crash; other errors exit 2).
pub async fn open_for_service(url: &str) -> Result<Store, ExitCode> {
    match Store::open(url).await {
        Ok(store) => Ok(store),
        Err(e) => {
            tracing::error!(database = url, error = %e, "cannot start: the database cannot be opened");
            Err(ExitCode::from(1))
        }
    }
}

pub async fn open(url: &str) -> anyhow::Result<Store> {
    Store::open(url).await.with_context(|| format!("database {url}"))
}

pub fn backup(url: &str, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    let bytes = claimdesk_store::backup_sqlite(url, file)?;
    println!("{url}: copied to {} ({bytes} bytes)", file.display());
    Ok(ExitCode::SUCCESS)
}

pub fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = Store::open_without_migrating(url).await.with_context(|| format!("database {url}"))?;
        let applied = store.migrate().await?;
        println!(
            "{url}: {applied} migration(s) applied; schema at {}",
            store.applied_migrations().await?.last().map_or("none", String::as_str)
        );
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

pub struct IngestArgs<'a> {
    pub paths: &'a [PathBuf],
    pub url: &'a str,
    pub plugins: &'a PluginArgs,
    pub max_bytes: usize,
    /// `Some` (with the encoder's directory, if not the default): match the
    /// new claims against the library afterwards.
    pub encoder: Option<Option<&'a std::path::Path>>,
}

/// Ingests every document found, one transaction each. Prints one line per
/// document on stdout (`stored`, `duplicate` or `skipped`) as it goes, a
/// progress bar on a terminal, and a summary on stderr.
pub fn ingest(args: &IngestArgs<'_>) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(args.url).await?;
        let head = store.desk_head().await?;
        let host = plugins::load_with_head(args.plugins, head.as_ref().map(|h| h.head.as_str()));
        let started = Instant::now();
        let sources = collect_sources(args.paths);
        let progress = if std::io::stderr().is_terminal() { ProgressBar::new(sources.len() as u64) } else { ProgressBar::hidden() };
        progress
            .set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} files, {msg}").unwrap_or_else(|_| ProgressStyle::default_bar()));
        let mut out = std::io::stdout().lock();
        let (mut stored, mut duplicates, mut skipped, mut claims, mut flags, mut bytes) = (0, 0, 0, 0, 0, 0);
        let mut skip = |out: &mut std::io::StdoutLock, name: &str, error: &InputError| -> std::io::Result<()> {
            skipped += 1;
            progress.suspend(|| eprintln!("skipped {name}: {error}"));
            writeln!(out, "skipped\t{name}\t{error}")
        };
        for source in &sources {
            let name = source.name();
            progress.inc(1);
            let documents = match read_documents(source, args.max_bytes) {
                Ok(documents) => documents,
                Err(error) => {
                    skip(&mut out, &name, &error)?;
                    continue;
                }
            };
            // Records of a JSON Lines file are named by their position: `news.jsonl#3`.
            let numbered = !source.is_stdin() && Format::of(&source.path) == Format::JsonLines;
            for (i, doc) in documents.into_iter().enumerate() {
                let name = if numbered { format!("{name}#{}", i + 1) } else { name.clone() };
                let doc = match doc {
                    Ok(doc) => doc,
                    Err(error) => {
                        skip(&mut out, &name, &error)?;
                        continue;
                    }
                };
                let (new, errors) = prepare(&doc, Some(name.clone()), &host);
                for error in errors {
                    progress.suspend(|| eprintln!("warning: {name}: {error}"));
                }
                match store.store_document(&new).await.with_context(|| format!("storing {name}"))? {
                    Stored::New { id, claims: c, flags: f, near_duplicate } => {
                        (stored, claims, flags, bytes) = (stored + 1, claims + c, flags + f, bytes + doc.body.len());
                        writeln!(out, "stored\t{id}\t{c}\t{f}\t{name}")?;
                        if let Some(near) = near_duplicate {
                            let share = near.share() * 100.0;
                            progress.suspend(|| {
                                eprintln!("note: {name}: nearly repeats document {} ({share:.0}% of sentences shared)", near.of)
                            });
                        }
                    }
                    Stored::Duplicate { id } => {
                        duplicates += 1;
                        writeln!(out, "duplicate\t{id}\t{name}")?;
                    }
                }
                out.flush()?;
                progress.set_message(format!("{stored} stored"));
            }
        }
        progress.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "stored {stored} document(s) with {claims} claim(s) and {flags} flag(s); skipped {} ({duplicates} already stored, {skipped} unreadable); \
             {seconds:.2} s, {:.0} documents/s, {:.2} MB/s",
            duplicates + skipped,
            stored as f64 / seconds.max(1e-9),
            bytes as f64 / 1e6 / seconds.max(1e-9),
        );
        if let Some(dir) = args.encoder {
            crate::library::match_claims(&store, dir, stored).await?;
        }
        store.close().await?;
        Ok(if skipped == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}

/// Re-runs the plugins over stored documents, keeping reviewers' work.
pub fn recheck(url: &str, document: Option<i64>, plugin_args: &PluginArgs) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        let head = store.desk_head().await?;
        let host = plugins::load_with_head(plugin_args, head.as_ref().map(|h| h.head.as_str()));
        let ids = match document {
            Some(id) => vec![id],
            None => store.document_ids().await?,
        };
        let mut total = claimdesk_store::RecheckOutcome::default();
        for id in &ids {
            let doc = store.document(*id).await?;
            let (_, claims, errors) = check_document(&host, &doc.body, CLAIM_THRESHOLD);
            for error in errors {
                eprintln!("warning: document {id}: {error}");
            }
            let o = store.recheck_document(*id, &claims).await?;
            println!("document {id}: {} kept, {} new, {} stale flag(s); {} new claim(s)", o.kept, o.new_flags, o.stale, o.new_claims);
            total.kept += o.kept;
            total.new_flags += o.new_flags;
            total.stale += o.stale;
            total.new_claims += o.new_claims;
        }
        eprintln!(
            "rechecked {} document(s): {} flag(s) kept, {} new, {} stale; {} new claim(s)",
            ids.len(),
            total.kept,
            total.new_flags,
            total.stale,
            total.new_claims
        );
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}
