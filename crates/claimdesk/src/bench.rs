//! `claimdesk bench …`: figures for docs/PERFORMANCE.md, printed.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use claimdesk_core::{Claim, Document, Flag, Kind, Severity, Span, Status};
use claimdesk_store::{ClaimFilter, NewDocument, NewSentence, QueueOrder, Stored};

use crate::db::{block_on, open};

#[derive(Debug, clap::Subcommand)]
pub enum BenchCommand {
    /// Fill the database with synthetic claims for scale tests.
    Seed {
        #[arg(long, default_value_t = 10_000)]
        claims: usize,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// Latency of the review queue's default page.
    Queue {
        #[arg(long, default_value_t = 200)]
        runs: usize,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// Throughput of bulk flag inserts.
    Flags {
        #[arg(long, default_value_t = 200_000)]
        rows: usize,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
    /// The library's vector search: queries against N generated library
    /// vectors (one thread), p50 and p95 over the queries.
    Match {
        /// Library sizes to measure (comma-separated).
        #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 100_000, 1_000_000])]
        items: Vec<usize>,
        #[arg(long, default_value_t = 50)]
        queries: usize,
    },
    /// HTML ingestion time against adversarial nesting, by input size.
    Html {
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Report generation over this many published claims (published first
    /// through the real workflow if the database has fewer), every format.
    Report {
        #[arg(long, default_value_t = 10_000)]
        claims: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        #[command(flatten)]
        database: crate::DatabaseArg,
    },
}

/// Runs one benchmark.
pub fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Seed { claims, database } => seed(&database.url, claims),
        BenchCommand::Queue { runs, database } => queue(&database.url, runs),
        BenchCommand::Flags { rows, database } => flags(&database.url, rows),
        BenchCommand::Report { claims, runs, database } => report(&database.url, claims, runs),
        BenchCommand::Html { runs } => html(runs),
        BenchCommand::Match { items, queries } => matching(&items, queries),
    }
}

const SUBJECTS: &[&str] = &["The city", "The ministry", "Northline", "The council", "Officials", "The union", "The port", "The agency"];
const VERBS: &[&str] = &["spent", "cut", "raised", "lost", "promised", "reported", "doubled", "saved"];
const OBJECTS: &[&str] = &["jobs", "million dollars", "percent of its budget", "new homes", "hospital beds", "tonnes of grain"];

/// A realistic-looking document of `claims` flagged sentences, unique per `n`.
fn synthetic(n: usize, claims: usize) -> (Document, Vec<NewSentence>, Vec<Claim>) {
    let mut body = String::new();
    let mut sentences = Vec::new();
    let mut claim_list = Vec::new();
    let plugin: Arc<str> = Arc::from("numbers");
    let version: Arc<str> = Arc::from("0.1.0");
    let rules: [Arc<str>; 2] = [Arc::from("numbers.quantity"), Arc::from("numbers.duration")];
    let message: Arc<str> = Arc::from("A figure is asserted.");
    let question: Arc<str> = Arc::from("Who counted this, how, and is the figure current?");
    for i in 0..claims {
        let k = n * 31 + i * 7;
        let start = body.len();
        let figure = format!("{}", 10 + (k * 37) % 9000);
        body.push_str(&format!(
            "{} {} {} {} over {} years, edition {n}. ",
            SUBJECTS[k % SUBJECTS.len()],
            VERBS[k % VERBS.len()],
            figure,
            OBJECTS[k % OBJECTS.len()],
            2 + k % 12
        ));
        let span = Span::new(start, body.len() - 1);
        let number_at = body[start..].find(&figure).map_or(start, |p| start + p);
        let flags: Vec<Flag> = rules
            .iter()
            .enumerate()
            .map(|(r, rule)| Flag {
                plugin: plugin.clone(),
                plugin_version: version.clone(),
                rule: rule.clone(),
                kind: Kind::Numeric,
                severity: if r == 0 { Severity::Info } else { Severity::Warning },
                span: Span::new(number_at, number_at + figure.len()),
                score: 0.3 + ((k + r) % 70) as f32 / 100.0,
                message: message.clone(),
                question: question.clone(),
                quoted_speaker: None,
            })
            .collect();
        sentences.push(NewSentence { span, checkworthiness: 0.0, why: String::new(), speaker: None, anonymous: false });
        claim_list.push(Claim::new(i, span, &body[span.start..span.end], flags));
    }
    (
        Document { title: Some(format!("Synthetic {n}")), outlet: Some(format!("Outlet {}", n % 20)), ..Document::new(body) },
        sentences,
        claim_list,
    )
}

/// Fills the database with `claims` claims (20 per document, 2 flags each).
pub fn seed(url: &str, claims: usize) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        let started = Instant::now();
        let (_, before, _) = store.counts().await?;
        seed_into(&store, claims).await?;
        let s = started.elapsed().as_secs_f64();
        let (docs, total_claims, flags) = store.counts().await?;
        let stored = total_claims - before;
        println!(
            "seeded {stored} claims in {s:.1} s ({:.0} claims/s); database now holds {docs} documents, {total_claims} claims, {flags} flags",
            stored as f64 / s
        );
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i].as_secs_f64() * 1e3
}

/// Latency of the default queue page (status new, by priority, 50 rows):
/// the first page and a page 20 pages deep, reached by keyset.
pub fn queue(url: &str, runs: usize) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        let (_, claims, _) = store.counts().await?;
        let filter = ClaimFilter { status: Some(Status::New), ..ClaimFilter::default() };
        let mut cursor = None;
        for _ in 0..20 {
            let page = store.list_claims(&filter, QueueOrder::Priority, cursor, 50).await?;
            cursor = page.last().map(|c| c.cursor()).or(cursor);
        }
        for (label, after) in [("first page", None), ("page 21 (keyset)", cursor)] {
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let t = Instant::now();
                let page = store.list_claims(&filter, QueueOrder::Priority, after, 50).await?;
                times.push(t.elapsed());
                anyhow::ensure!(page.len() == 50 || claims < 1100, "short page");
            }
            println!(
                "queue {label:<17} over {claims} claims: p50 {:.3} ms, p99 {:.3} ms ({runs} runs)",
                percentile(&mut times, 0.5),
                percentile(&mut times, 0.99)
            );
        }
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Bulk flag insertion: `rows` flags in one transaction, batched.
pub fn flags(url: &str, rows: usize) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        let (doc, sentences, claims) = synthetic(usize::MAX / 2 - rows, 1);
        let flags: Vec<Flag> = (0..rows).map(|i| claims[0].flags[i % 2].clone()).collect();
        let new = NewDocument { document: &doc, origin: None, sentences, claims };
        let id = match store.store_document(&new).await? {
            Stored::New { id, .. } | Stored::Duplicate { id } => id,
        };
        let claim = store.list_claims(&ClaimFilter { document_id: Some(id), ..Default::default() }, QueueOrder::Age, None, 1).await?;
        let claim_id = claim.first().map(|c| c.id).unwrap_or_default();
        let t = Instant::now();
        store.insert_flags(id, claim_id, &flags).await?;
        let s = t.elapsed().as_secs_f64();
        println!("inserted {rows} flag rows in {s:.3} s: {:.0} rows/s ({:?})", rows as f64 / s, store.backend());
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Publishes new claims through the real workflow (evidence, review,
/// verdict, publication: one transaction each, as checkers would) until
/// `want` claims are published.
async fn publish_claims(store: &claimdesk_store::Store, want: usize) -> anyhow::Result<()> {
    use claimdesk_core::{Action, Policy};
    let have = store.report_rows(&claimdesk_store::ReportFilter::default()).await?.len();
    if have >= want {
        return Ok(());
    }
    let mut missing = want - have;
    let (_, claims, _) = store.counts().await?;
    if (claims as usize) < want {
        seed_into(store, want - claims as usize).await?;
    }
    let policy = Policy::default();
    let ratings: Vec<String> = policy.scale.ratings.iter().map(|r| r.key.clone()).collect();
    let started = Instant::now();
    let new = ClaimFilter { status: Some(Status::New), ..ClaimFilter::default() };
    while missing > 0 {
        let page = store.list_claims(&new, QueueOrder::Age, None, 500).await?;
        anyhow::ensure!(!page.is_empty(), "not enough new claims to publish");
        for claim in page.into_iter().take(missing) {
            let evidence = claimdesk_store::NewEvidence {
                archived_url: None,
                url: format!("https://records.example/{}", claim.id),
                title: Some(format!("Record {}", claim.id)),
                quoted_passage: Some("The figure in the record, with context.".to_owned()),
                note: None,
                stance: claimdesk_core::Stance::ALL[claim.id as usize % 3],
            };
            store.add_evidence(claim.id, &evidence, "bench").await?;
            let rating = ratings[claim.id as usize % ratings.len()].clone();
            let steps = vec![
                Action::StartReview,
                Action::Resolve { rating, explanation: "Checked against the public record; see the evidence.".to_owned() },
                Action::Publish,
            ];
            store.apply_claim_actions(claim.id, claim.version, steps, "bench", &policy).await?;
            missing -= 1;
        }
    }
    eprintln!("published {} claims through the workflow in {:.1} s", want - have, started.elapsed().as_secs_f64());
    Ok(())
}

/// Stores `claims` synthetic claims, 20 per document.
async fn seed_into(store: &claimdesk_store::Store, claims: usize) -> anyhow::Result<()> {
    let (start_docs, _, _) = store.counts().await?;
    let per_doc = 20;
    for n in 0..claims.div_ceil(per_doc) {
        let (doc, sentences, claim_list) = synthetic(start_docs as usize + n, per_doc.min(claims - n * per_doc));
        store.store_document(&NewDocument { document: &doc, origin: Some("bench seed".into()), sentences, claims: claim_list }).await?;
        if n % 250 == 249 {
            eprintln!("  {} claims…", (n + 1) * per_doc);
        }
    }
    Ok(())
}

fn median(times: &mut [Duration]) -> f64 {
    percentile(times, 0.5)
}

/// Report generation over `claims` published claims: reading them (store
/// queries and building the report) and rendering each format.
pub fn report(url: &str, claims: usize, runs: usize) -> anyhow::Result<ExitCode> {
    use claimdesk_report::{Format, ReportRequest};
    block_on(async {
        let store = open(url).await?;
        publish_claims(&store, claims).await?;
        let request = ReportRequest { base_url: Some("https://checks.example".to_owned()), ..Default::default() };
        let mut load_times = Vec::with_capacity(runs);
        let mut report = None;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            report = Some(claimdesk_report::load(&store, &request).await?);
            load_times.push(t.elapsed());
        }
        let report = report.ok_or_else(|| anyhow::anyhow!("no run"))?;
        let load_ms = median(&mut load_times);
        println!("report over {} published claims: load (queries + build) median {load_ms:.1} ms ({runs} runs)", report.claims.len());
        for &format in Format::ALL {
            let mut times = Vec::with_capacity(runs);
            let mut bytes = 0;
            for _ in 0..runs.max(1) {
                let t = Instant::now();
                bytes = claimdesk_report::render(&report, format)?.len();
                times.push(t.elapsed());
            }
            let render_ms = median(&mut times);
            println!(
                "  {:<12} render median {render_ms:>7.1} ms, load + render {:>7.1} ms, {:>6.1} MB",
                format.as_str(),
                load_ms + render_ms,
                bytes as f64 / 1e6
            );
        }
        store.close().await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `bench html`: how long reading adversarial HTML takes as it grows.
/// Deep nesting past the limit is refused after a linear tokenizer pass;
/// nesting up to the limit, repeated, is parsed in full. Both should cost
/// the same per megabyte at every size.
pub fn html(runs: usize) -> anyhow::Result<ExitCode> {
    use claimdesk_html::MAX_DEPTH as MAX_HTML_DEPTH;
    use claimdesk_ingest::{Format, parse_documents};
    let time = |html: &str| -> (Duration, String) {
        let mut best = Duration::MAX;
        let mut outcome = String::new();
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let result = parse_documents(html.to_owned(), Format::Html);
            best = best.min(started.elapsed());
            outcome = match result {
                Ok(docs) => format!("parsed ({} bytes of text)", docs.first().and_then(|d| d.as_ref().ok()).map_or(0, |d| d.body.len())),
                Err(e) => format!("refused: {e}"),
            };
        }
        (best, outcome)
    };
    println!("input\tbytes\tbest of {runs} (ms)\tms per MB\toutcome");
    for levels in [25_000, 50_000, 100_000, 200_000, 400_000] {
        let html = format!("<html><body>{}Costs doubled.{}</body></html>", "<div>".repeat(levels), "</div>".repeat(levels));
        let (t, outcome) = time(&html);
        let mb = html.len() as f64 / 1e6;
        println!("{levels} nested divs\t{}\t{:.1}\t{:.1}\t{outcome}", html.len(), t.as_secs_f64() * 1e3, t.as_secs_f64() * 1e3 / mb);
    }
    let block =
        format!("{}<p>The council said costs doubled.</p>{}", "<div>".repeat(MAX_HTML_DEPTH - 3), "</div>".repeat(MAX_HTML_DEPTH - 3));
    for megabytes in [1, 2, 4, 8] {
        let copies = megabytes * 1_000_000 / block.len();
        let html = format!("<html><body>{}</body></html>", block.repeat(copies));
        let (t, outcome) = time(&html);
        let mb = html.len() as f64 / 1e6;
        println!(
            "{copies} blocks nested {} deep\t{}\t{:.1}\t{:.1}\t{outcome}",
            MAX_HTML_DEPTH - 3,
            html.len(),
            t.as_secs_f64() * 1e3,
            t.as_secs_f64() * 1e3 / mb
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// A deterministic unit vector (splitmix64 noise), for generated libraries.
fn generated_vector(seed: u64, dimension: usize) -> Vec<f32> {
    let mut x = seed;
    let mut v: Vec<f32> = (0..dimension)
        .map(|_| {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect();
    let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt();
    v.iter_mut().for_each(|a| *a /= norm);
    v
}

/// `bench match`: the top-100 search over generated libraries, one
/// thread: the shipped search (exact up to `EXACT_UP_TO` items, through the
/// sign-bit shortlist beyond) and, where they differ, the exact scan. Each
/// query is a library item with as much noise again added (cosine about
/// 0.9 to it), so "found" counts the queries whose item came first.
pub fn matching(sizes: &[usize], queries: usize) -> anyhow::Result<ExitCode> {
    use claimdesk_match::VectorIndex;
    let dimension = claimdesk_server::library::DIMENSION;
    let queries = queries.max(1);
    println!("library items\tsearch\tindex MB\tbuild s\tp50 ms\tp95 ms\tfound\t(top 100, {queries} queries, one thread)");
    for &size in sizes {
        let started = Instant::now();
        let mut index = VectorIndex::new(dimension);
        for i in 0..size {
            index.insert(i as i64, &generated_vector(i as u64, dimension));
        }
        let build = started.elapsed().as_secs_f64();
        let planted = |q: usize| (q as u64 * 7919) % size.max(1) as u64;
        let query_vectors: Vec<Vec<f32>> = (0..queries)
            .map(|q| {
                let item = generated_vector(planted(q), dimension);
                let noise = generated_vector(u64::MAX - q as u64, dimension);
                let mut v: Vec<f32> = item.iter().zip(&noise).map(|(a, b)| a + 0.5 * b).collect();
                let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt();
                v.iter_mut().for_each(|a| *a /= norm);
                v
            })
            .collect();
        let megabytes = (size * (dimension + dimension / 8 + 4 + 8)) as f64 / 1e6;
        let modes: &[(&str, usize)] = if size > claimdesk_match::EXACT_UP_TO {
            &[("shortlist (ships)", claimdesk_match::EXACT_UP_TO), ("exact", usize::MAX)]
        } else {
            &[("exact (ships)", claimdesk_match::EXACT_UP_TO)]
        };
        for &(name, exact_up_to) in modes {
            index = index.with_exact_up_to(exact_up_to);
            let mut found = 0;
            let mut times: Vec<Duration> = query_vectors
                .iter()
                .enumerate()
                .map(|(q, query)| {
                    let started = Instant::now();
                    let top = index.top(query, 100);
                    let elapsed = started.elapsed();
                    found += usize::from(top.first().is_some_and(|(id, _)| *id as u64 == planted(q)));
                    std::hint::black_box(top);
                    elapsed
                })
                .collect();
            times.sort();
            let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
            println!("{size}\t{name}\t{megabytes:.0}\t{build:.1}\t{:.2}\t{:.2}\t{found}/{queries}", at(0.5), at(0.95));
        }
    }
    Ok(ExitCode::SUCCESS)
}
