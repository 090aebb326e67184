//! The fact-check library from the command line: `import fact-checks`,
//! `match`, and `eval --task matching`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use claimdesk_match::{Judged, read_qrels};
use claimdesk_server::library::{Library, Matches};
use claimdesk_store::{FactCheckRow, Store};

use crate::db::{block_on, open};

#[derive(Debug, clap::Subcommand)]
pub enum ImportCommand {
    /// Fact-checks into the library (then encoded for matching).
    FactChecks {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        database: crate::DatabaseArg,
        #[command(flatten)]
        model_dir: ModelArg,
    },
}

/// Where the sentence encoder's files are.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArg {
    /// Directory with model.safetensors, tokenizer.json and config.json
    /// (default: models/all-minilm-l6-v2 beside the executable, else in
    /// the source tree).
    #[arg(long = "encoder", value_name = "DIR", env = "CLAIMDESK_ENCODER")]
    pub dir: Option<PathBuf>,
}

/// Loads the encoder, failing with its reason when it cannot be used.
fn library(model: Option<&Path>) -> anyhow::Result<Library> {
    let library = Library::load(model);
    if let Err(reason) = library.status() {
        bail!("the sentence encoder cannot be used: {reason}");
    }
    Ok(library)
}

/// `ingest --match`: encodes the claims that have no vector yet and records
/// each one's closest library item; says what it cost per document.
pub async fn match_claims(store: &Store, model: Option<&Path>, documents: usize) -> anyhow::Result<()> {
    let library = library(model)?;
    let indexed = library.load_index(store).await?;
    let started = Instant::now();
    let claims = library.match_new_claims(store).await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "matched {claims} claim(s) against {indexed} library item(s) in {seconds:.2} s: {:.0} claims/s, {:.1} ms per document stored",
        claims as f64 / seconds.max(1e-9),
        seconds * 1e3 / documents.max(1) as f64,
    );
    Ok(())
}

/// Imports every file's records, then encodes what has no vector yet.
/// Problems are printed as `FILE: record N: …`; exit 1 if any record or
/// file was refused.
pub fn import(url: &str, files: &[PathBuf], model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let library = library(model)?;
    block_on(async {
        let store = open(url).await?;
        let started = Instant::now();
        let (mut added, mut updated, mut refused, mut warnings) = (0, 0, 0, 0);
        for file in files {
            let name = file.display().to_string();
            let bytes = match std::fs::read(file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    refused += 1;
                    continue;
                }
            };
            let parsed = match claimdesk_match::parse(&name, &bytes) {
                Ok(parsed) => parsed,
                Err(e) => {
                    eprintln!("error: {name}: {e}");
                    refused += 1;
                    continue;
                }
            };
            for problem in &parsed.problems {
                let what = if problem.refused { "refused" } else { "warning" };
                eprintln!("{what}: {name}: record {}: {}", problem.record, problem.message);
                if problem.refused {
                    refused += 1;
                } else {
                    warnings += 1;
                }
            }
            let done = library.import(&store, parsed.items).await?;
            println!("{name}: {} added, {} updated", done.added, done.updated);
            (added, updated) = (added + done.added, updated + done.updated);
        }
        let encode_started = Instant::now();
        let encoded = library
            .encode_missing(&store, &|n| {
                if n % 2560 == 0 {
                    eprintln!("encoded {n}")
                }
            })
            .await?;
        let encode_seconds = encode_started.elapsed().as_secs_f64();
        eprintln!(
            "{added} added, {updated} updated, {refused} refused, {warnings} warning(s); {encoded} encoded in {encode_seconds:.1} s \
             ({:.0} items/s); {:.1} s in all; the library holds {}",
            encoded as f64 / encode_seconds.max(1e-9),
            started.elapsed().as_secs_f64(),
            store.fact_check_count().await?,
        );
        store.close().await?;
        Ok(if refused == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}

/// Reads `id<TAB>text` lines after a header.
fn read_queries(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let Some((id, query)) = line.split_once('\t') else {
            bail!("{}: line {}: expected `id<TAB>text`", path.display(), n + 1);
        };
        out.push((id.trim().to_owned(), query.to_owned()));
    }
    Ok(out)
}

/// The name of a library item in a run file: its id in the file it came
/// from (`scope#id` keys), else its source key.
fn item_name(item: &FactCheckRow) -> &str {
    match (&item.url, item.source_key.rsplit_once('#')) {
        (None, Some((_, id))) => id,
        _ => &item.source_key,
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum RunFormat {
    /// One JSON object per query.
    Json,
    /// TREC run lines: `qid Q0 docid rank score tag`.
    Trec,
}

async fn search_all(library: &Library, store: &Store, queries: &[(String, String)], top: usize) -> anyhow::Result<(Vec<Matches>, f64)> {
    let started = Instant::now();
    let mut out = Vec::with_capacity(queries.len());
    for (_, text) in queries {
        out.push(library.search(store, text, top).await?);
    }
    Ok((out, started.elapsed().as_secs_f64()))
}

/// `claimdesk match`: each query's closest library items.
pub fn run_match(url: &str, queries: &Path, top: usize, format: RunFormat, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let library = library(model)?;
    let queries = read_queries(queries)?;
    block_on(async {
        let store = open(url).await?;
        library.load_index(&store).await?;
        let (results, seconds) = search_all(&library, &store, &queries, top).await?;
        let mut out = std::io::stdout().lock();
        for ((qid, _), found) in queries.iter().zip(&results) {
            match format {
                RunFormat::Trec => {
                    for (rank, m) in found.matches.iter().enumerate() {
                        writeln!(out, "{qid} Q0 {} {} {:.6} claimdesk", item_name(&m.item), rank + 1, m.score)?;
                    }
                }
                RunFormat::Json => {
                    let matches: Vec<serde_json::Value> = found
                        .matches
                        .iter()
                        .map(|m| {
                            serde_json::json!({
                                "id": item_name(&m.item), "claim": m.item.claim, "title": m.item.title,
                                "rating": m.item.rating_label, "url": m.item.url, "publisher": m.item.publisher,
                                "similarity": m.cosine, "score": m.score, "strong": m.strong,
                            })
                        })
                        .collect();
                    let line = serde_json::json!({
                        "query": qid, "matches": matches, "truncated": found.truncated, "language": found.foreign_language,
                    });
                    writeln!(out, "{line}")?;
                }
            }
        }
        eprintln!("{} queries in {seconds:.2} s ({:.1} ms each)", queries.len(), 1000.0 * seconds / queries.len().max(1) as f64);
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// What `eval --task matching` reads.
#[derive(Debug)]
pub struct EvalFiles<'a> {
    pub fact_checks: &'a [PathBuf],
    pub queries: &'a Path,
    pub qrels: &'a Path,
    pub lexical_weight: Option<f64>,
    /// Force a sign-bit shortlist of this many items.
    pub shortlist: Option<u32>,
}

/// Imports the fact-checks into a scratch SQLite database, matches every
/// query and prints MAP@1, MAP@5, MRR and Recall@5.
pub fn eval(files: &EvalFiles<'_>, model: Option<&Path>) -> anyhow::Result<ExitCode> {
    let mut library = library(model)?;
    if let Some(w) = files.lexical_weight {
        library = library.with_fusion(claimdesk_match::Fusion { lexical_weight: w });
    }
    if let Some(items) = files.shortlist {
        library = library.with_shortlist(items as usize);
    }
    let queries = read_queries(files.queries)?;
    let qrels_text = std::fs::read_to_string(files.qrels).with_context(|| format!("cannot read {}", files.qrels.display()))?;
    let qrels = read_qrels(&qrels_text).map_err(|e| anyhow::anyhow!("{}: {e}", files.qrels.display()))?;
    let scratch = std::env::temp_dir().join(format!("claimdesk-eval-{}.db", std::process::id()));
    let url = format!("sqlite://{}?mode=rwc", scratch.display());
    let result = block_on(async {
        let store = open(&url).await?;
        let started = Instant::now();
        for file in files.fact_checks {
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let parsed = claimdesk_match::parse(&file.display().to_string(), &bytes).with_context(|| file.display().to_string())?;
            library.import(&store, parsed.items).await?;
        }
        let encoded = library.encode_missing(&store, &|_| {}).await?;
        let encode_seconds = started.elapsed().as_secs_f64();
        let (results, seconds) = search_all(&library, &store, &queries, 5).await?;
        let judged: Vec<Judged> = queries
            .iter()
            .zip(&results)
            .filter_map(|((qid, _), found)| {
                qrels.get(qid).map(|relevant| Judged {
                    ranking: found.matches.iter().map(|m| item_name(&m.item).to_owned()).collect(),
                    relevant: relevant.clone(),
                })
            })
            .collect();
        let s = claimdesk_match::score(&judged);
        println!(
            "queries {}  MAP@1 {:.3}  MAP@5 {:.3}  MRR {:.3}  Recall@5 {:.3}",
            s.queries, s.map_at_1, s.map_at_5, s.mrr, s.recall_at_5
        );
        eprintln!(
            "library: {encoded} items encoded in {encode_seconds:.1} s; {} queries matched in {seconds:.1} s ({:.1} ms each)",
            queries.len(),
            1000.0 * seconds / queries.len().max(1) as f64
        );
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    });
    for suffix in ["", "-wal", "-shm"] {
        std::fs::remove_file(format!("{}{suffix}", scratch.display())).ok();
    }
    result
}
