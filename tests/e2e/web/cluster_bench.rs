//! The scale-out benchmark (PostgreSQL required; ignored by default, run
//! by hand, figures in docs/PERFORMANCE.md):
//!
//! ```text
//! CLAIMDESK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//!   cargo test --release -p claimdesk-tests --test e2e -- --ignored --nocapture cluster_bench
//! ```
//!
//! - ingest throughput with 1, 2 and 4 workers (`--concurrency 2` each)
//!   over the same 400 queued articles;
//! - queued-to-done time of single small jobs on an idle worker woken by
//!   LISTEN/NOTIFY (p50/p99 over 100 jobs, polled every 2 ms);
//! - fan-out: 500 open event streams (250 on each of two nodes) hear one
//!   verdict; p50/p99 of the time from the request to each stream's event.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Client, Server, Worker};

const ARTICLES: usize = 400;

/// An article of about ten sentences, different for each `n`.
fn article(n: usize) -> claimdesk_core::Document {
    let body = format!(
        "Bulletin {n}. The council said {n} new homes were approved this year, up {}% on last year. \
         Officials promised a decision on the ring road by March. The harbour board reported cargo volumes of {} tonnes. \
         According to a spokesperson, the ferry will run every {} minutes from June. Critics said the plan was the worst in a decade. \
         The mayor claimed crime fell by a third since 2021. Residents will vote on the scheme in May. \
         Experts warned that costs could double. The library reopens on Monday after repairs costing £{}k.",
        n % 90 + 5,
        1000 + n * 7,
        10 + n % 20,
        40 + n % 60
    );
    claimdesk_core::Document { title: Some(format!("Bulletin {n}")), ..claimdesk_core::Document::new(body) }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
#[ignore = "a benchmark: run by hand (see the module's doc)"]
fn cluster_bench() {
    let runtime = claimdesk_tests::tokio_runtime();
    let logs = claimdesk_tests::temp_dir("cluster-bench");
    let sentences: usize = claimdesk_core::analyze(&article(0).body).sentences.len();

    // Throughput with 1, 2, 4 workers.
    for workers in [1usize, 2, 4] {
        let Some(db) = claimdesk_tests::test_database_urls(&format!("bench_{workers}")).into_iter().find(|u| u.starts_with("postgres"))
        else {
            eprintln!("SKIPPED: needs CLAIMDESK_TEST_POSTGRES");
            return;
        };
        runtime.block_on(claimdesk_store::Store::open(&db)).unwrap();
        let jobs = runtime.block_on(claimdesk_work::Jobs::open(&db)).unwrap();
        let running: Vec<Worker> = (0..workers).map(|i| Worker::start(&db, &format!("bench-{workers}-{i}"), &logs)).collect();
        std::thread::sleep(Duration::from_secs(3));
        let started = Instant::now();
        runtime.block_on(async {
            for n in 0..ARTICLES {
                jobs.push_ingest(claimdesk_work::IngestJob { document: article(n), origin: "bench".into(), request_id: None })
                    .await
                    .unwrap();
            }
        });
        let pushed = started.elapsed();
        while runtime.block_on(jobs.counts()).unwrap().of_state(claimdesk_work::JobState::Done) < ARTICLES as i64 {
            std::thread::sleep(Duration::from_millis(20));
        }
        let took = started.elapsed();
        eprintln!(
            "BENCH ingest workers={workers}: {ARTICLES} articles ({} sentences) in {:.2} s = {:.1} documents/s, {:.0} sentences/s (queueing took {:.2} s)",
            ARTICLES * sentences,
            took.as_secs_f64(),
            ARTICLES as f64 / took.as_secs_f64(),
            (ARTICLES * sentences) as f64 / took.as_secs_f64(),
            pushed.as_secs_f64()
        );
        drop(running);
    }

    // Queued-to-done time of single jobs on an idle worker.
    let db = claimdesk_tests::test_database_urls("bench_pickup").into_iter().find(|u| u.starts_with("postgres")).unwrap();
    runtime.block_on(claimdesk_store::Store::open(&db)).unwrap();
    let jobs = runtime.block_on(claimdesk_work::Jobs::open(&db)).unwrap();
    let _worker = Worker::start(&db, "bench-pickup", &logs);
    std::thread::sleep(Duration::from_secs(3));
    let mut times = Vec::new();
    for n in 0..100 {
        let doc = claimdesk_core::Document::new(format!("Note {n}: the ferry leaves at {n} past the hour."));
        let started = Instant::now();
        let id = runtime
            .block_on(jobs.push_ingest(claimdesk_work::IngestJob { document: doc, origin: "bench".into(), request_id: None }))
            .unwrap();
        loop {
            if runtime.block_on(jobs.job(&id)).unwrap().unwrap().state == claimdesk_work::JobState::Done {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        times.push(started.elapsed());
    }
    times.sort();
    eprintln!(
        "BENCH pick-up (LISTEN/NOTIFY, queued to done, one small job at a time): p50 {:.1} ms, p99 {:.1} ms",
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0
    );

    // Fan-out: 500 streams on two nodes hear one verdict.
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let admin = a.admin();
    let cookie = admin.cookie().unwrap();
    let streams = 500;
    let ready = Arc::new(Barrier::new(streams + 1));
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 0..streams {
        let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
        let (cookie, ready, tx) = (cookie.clone(), ready.clone(), tx.clone());
        std::thread::spawn(move || {
            let events = super::cluster::event_stream(&base, &cookie);
            ready.wait();
            if let Ok(_event) = events.recv_timeout(Duration::from_secs(30)) {
                let _ = tx.send(Instant::now());
            }
        });
    }
    ready.wait();
    std::thread::sleep(Duration::from_millis(500));
    let api = Client::with_token(&a.base, &a.token("admin"));
    let claim = api.get("/api/v1/claims?limit=1").json()["claims"][0].clone();
    let started = Instant::now();
    let assigned = api.post_json(&format!("/api/v1/claims/{}/assign", claim["id"]), &json!({ "version": claim["version"], "to": "admin" }));
    assert_eq!(assigned.status, 200);
    let mut delivered: Vec<Duration> =
        (0..streams).filter_map(|_| rx.recv_timeout(Duration::from_secs(30)).ok()).map(|t| t - started).collect();
    delivered.sort();
    eprintln!(
        "BENCH fan-out: {} of {streams} streams (two nodes) heard the change; p50 {:.1} ms, p99 {:.1} ms, last {:.1} ms",
        delivered.len(),
        percentile(&delivered, 0.5).as_secs_f64() * 1000.0,
        percentile(&delivered, 0.99).as_secs_f64() * 1000.0,
        delivered.last().unwrap().as_secs_f64() * 1000.0
    );
    assert_eq!(delivered.len(), streams);
}
