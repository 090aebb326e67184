//! Work queued for workers (`serve --no-inline-work` + `claimdesk worker`)
//! on every configured database: the API's 202 and job URL, the documents
//! page's job list, a worker that checks and stores, a second copy stored
//! once, a failing job retried then left failed with its error.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Client, Server, Worker, wait_for_job};

const ARTICLE: &str = "The harbour board said cargo volumes rose by 18% in the spring. \
    Its chair promised a new crane by March, and officials said the dredging would cost £2.4m.";

#[test]
fn queued_ingests_wait_for_a_worker() {
    for db in claimdesk_tests::test_database_urls("web_jobs") {
        let server = Server::start(&db, &["--no-inline-work"]);
        let api = Client::with_token(&server.base, &server.token("admin"));
        let admin = server.admin();
        let events = super::cluster::event_stream(&server.base, &admin.cookie().unwrap());
        assert_eq!(Client::new(&server.base).get("/live").status, 303, "the stream is for signed-in users");

        // The API queues and answers 202 with where to follow the job.
        let queued = api.post_json("/api/v1/documents", &json!({ "title": "Harbour board", "body": ARTICLE }));
        assert_eq!(queued.status, 202, "{}", queued.body);
        let out = queued.json();
        let url = out["url"].as_str().unwrap().to_owned();
        assert_eq!(url, format!("/api/v1/jobs/{}", out["job"].as_str().unwrap()));
        assert_eq!(queued.header("location").as_deref(), Some(url.as_str()));
        let job = api.get(&url).json();
        assert_eq!((job["kind"].as_str(), job["state"].as_str(), job["attempts"].as_i64()), (Some("ingest"), Some("queued"), Some(0)));
        // Bad input is still refused at the door, not queued.
        let bad = api.post_json("/api/v1/documents", &json!({ "body": ARTICLE, "url": "javascript:alert(1)" }));
        assert_eq!(bad.status, 400, "{}", bad.body);
        for missing in
            ["/api/v1/jobs/01NOSUCHJOB0000000000000000", "/api/v1/jobs/..%2F..%2Fetc", &format!("/api/v1/jobs/{}", "A".repeat(300))]
        {
            assert_eq!(api.get(missing).status, 404, "{missing}");
        }

        // A paste on the documents page is queued too, and listed there.
        let token = admin.csrf();
        let pasted = admin.post_multipart(
            "/documents",
            &[("csrf_token", &token), ("title", "Ferry timetable"), ("body", "The ferry company said fares would fall by 5% in June.")],
            None,
        );
        assert_eq!(pasted.status, 303, "{}", pasted.body);
        let page = admin.get("/documents").body;
        assert!(page.contains("1 document queued for checking"), "the flash says so");
        assert!(page.contains("<h2 id=\"jobs-h\">Jobs</h2>") && page.matches("<tr class=\"job-queued\">").count() == 2, "{page}");

        // A change to a claim reaches the open event stream (in process on
        // SQLite, through NOTIFY on PostgreSQL).
        let claim = api.get("/api/v1/claims?limit=1").json()["claims"][0].clone();
        let (claim_id, version) = (claim["id"].as_i64().unwrap(), claim["version"].as_i64().unwrap());
        let assigned = api.post_json(&format!("/api/v1/claims/{claim_id}/assign"), &json!({ "version": version, "to": "admin" }));
        assert_eq!(assigned.status, 200, "{}", assigned.body);
        let event = events.recv_timeout(Duration::from_secs(10)).expect("the assignment is heard");
        assert_eq!((event["change"].as_str(), &event["claims"]), (Some("claim"), &json!([claim_id])), "{event}");

        // A worker checks and stores them.
        let logs = claimdesk_tests::temp_dir("web-jobs-workers");
        let worker = Worker::start(&db, "worker-one", &logs);
        let done = wait_for_job(&api, &url, Duration::from_secs(60), &worker);
        assert_eq!((done["state"].as_str(), done["attempts"].as_i64(), &done["error"]), (Some("done"), Some(1), &json!(null)), "{done}");
        let document = done["result"]["document"].as_i64().unwrap();
        let stored = api.get(&format!("/api/v1/documents/{document}")).json();
        assert_eq!(stored["title"], "Harbour board");
        assert!(stored["claims"].as_array().unwrap().iter().any(|c| c["text"].as_str().unwrap().contains("18%")), "{stored}");
        assert_eq!(stored["origin"], "api");
        if db.starts_with("postgres") {
            // The worker, another process, tells the server's pages too.
            let heard = std::iter::from_fn(|| events.recv_timeout(Duration::from_secs(10)).ok()).find(|e| e["change"] == "ingest");
            assert!(heard.is_some_and(|e| e["document"].is_i64()), "the worker's ingest is heard");
        }

        // The same text again: a second job, the same document.
        let again = api.post_json("/api/v1/documents", &json!({ "title": "Harbour board", "body": ARTICLE })).json();
        let again = wait_for_job(&api, again["url"].as_str().unwrap(), Duration::from_secs(60), &worker);
        assert_eq!(
            (again["state"].as_str(), &again["result"]["document"], &again["result"]["duplicate"]),
            (Some("done"), &json!(document), &json!(true))
        );

        // A job that fails (a recheck of a document that does not exist) is
        // retried with backoff, then left failed with its error, listed.
        let runtime = claimdesk_tests::tokio_runtime();
        let id = runtime.block_on(async {
            let jobs = claimdesk_work::Jobs::open(&db).await.unwrap();
            let id = jobs.push_recheck(claimdesk_work::RecheckJob { document: 987_654, request_id: None }).await.unwrap();
            jobs.close().await;
            id
        });
        let started = Instant::now();
        let failed = wait_for_job(&api, &format!("/api/v1/jobs/{id}"), Duration::from_secs(90), &worker);
        assert_eq!((failed["state"].as_str(), failed["kind"].as_str()), (Some("failed"), Some("recheck")), "{failed}");
        assert_eq!(failed["attempts"], failed["max_attempts"], "{failed}");
        assert!(failed["error"].as_str().unwrap().contains("987654"), "{failed}");
        assert!(started.elapsed() >= Duration::from_millis(1500), "the retries waited (backoff): {:?}", started.elapsed());
        let page = admin.get("/documents").body;
        assert!(page.contains("<tr class=\"job-failed\">") && page.contains(&id), "{page}");

        // Metrics, for admins' scrapers.
        assert_eq!(Client::new(&server.base).get("/metrics").status, 401);
        super::add_user(&db, "jobsviewer", "checker", &super::password_of("jobsviewer"));
        assert_eq!(Client::with_token(&server.base, &server.token("jobsviewer")).get("/metrics").status, 403);
        let metrics = api.get("/metrics");
        assert_eq!(metrics.status, 200);
        assert!(metrics.content_type.starts_with("text/plain"), "{}", metrics.content_type);
        for line in [
            "claimdesk_http_requests_total{method=\"POST\",route=\"/api/v1/documents\",status=\"202\"} 2",
            "claimdesk_jobs{kind=\"ingest\",state=\"done\"} 3",
            "claimdesk_jobs{kind=\"recheck\",state=\"failed\"} 1",
            "claimdesk_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/jobs/{id}\"}",
            "claimdesk_claims{status=\"new\"}",
            "claimdesk_plugin_failures{plugin=\"numbers\"} 0",
            "claimdesk_job_latency_seconds{kind=\"ingest\",quantile=\"0.99\"}",
        ] {
            assert!(metrics.body.contains(line), "{line} in\n{}", metrics.body);
        }
        assert!(metrics.header("x-request-id").is_some_and(|id| id.len() >= 8), "every answer names its request");
        drop(worker);
    }
}

#[test]
fn an_unreachable_database_stops_serve_and_worker_with_exit_1() {
    // Nothing listens on port 1.
    let url = "postgres://postgres@127.0.0.1:1/claimdesk";
    for args in [vec!["worker", "--database", url], vec!["serve", "--database", url, "--bind", "127.0.0.1:0"]] {
        let out = crate::claimdesk(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", crate::stderr(&out));
        let said = crate::stderr(&out);
        assert!(said.contains("cannot start") && said.contains("127.0.0.1:1"), "{said}");
        assert!(!said.contains("panicked"), "{said}");
    }
}

#[test]
fn nodes_refuse_a_schema_newer_than_they_know() {
    let runtime = claimdesk_tests::tokio_runtime();
    for db in claimdesk_tests::test_database_urls("newer_schema") {
        runtime.block_on(async {
            claimdesk_store::Store::open(&db).await.unwrap().close().await.unwrap();
            claimdesk_store::testing::execute_sql(
                &db,
                "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m999_from_the_future', 1)",
            )
            .await
            .unwrap();
        });
        for args in [vec!["serve", "--database", &db, "--bind", "127.0.0.1:0"], vec!["worker", "--database", &db]] {
            let out = crate::claimdesk(&args);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", crate::stderr(&out));
            assert!(
                crate::stderr(&out).contains("newer than this claimdesk knows (applied: m999_from_the_future)"),
                "{}",
                crate::stderr(&out)
            );
        }
        let out = crate::claimdesk(&["migrate", "--database", &db]);
        assert_eq!(out.status.code(), Some(2), "{}", crate::stderr(&out));
    }
}

#[test]
fn a_sqlite_database_is_backed_up_while_served() {
    let db = claimdesk_tests::test_database_urls("backup").remove(0);
    let server = Server::start(&db, &[]);
    let api = Client::with_token(&server.base, &server.token("admin"));
    let dir = claimdesk_tests::temp_dir("backup-copies");
    let copy = dir.join("copy.db");
    let out = crate::claimdesk(&["backup", copy.to_str().unwrap(), "--database", &db]);
    assert!(out.status.success(), "{}", crate::stderr(&out));
    // The copy is a whole database: it opens, and holds what the server had.
    let runtime = claimdesk_tests::tokio_runtime();
    let copied = runtime.block_on(async {
        let store = claimdesk_store::Store::open(&format!("sqlite://{}?mode=ro", copy.display())).await.unwrap();
        store.document_ids().await.unwrap().len()
    });
    let served = api.get("/api/v1/documents?limit=200").json().as_array().unwrap().len();
    assert!(copied > 0 && copied == served, "{copied} copied, {served} served");
    // Never over an existing file; PostgreSQL has pg_dump.
    let again = crate::claimdesk(&["backup", copy.to_str().unwrap(), "--database", &db]);
    assert_eq!(again.status.code(), Some(2));
    assert!(crate::stderr(&again).contains("already exists"), "{}", crate::stderr(&again));
    let pg = crate::claimdesk(&["backup", dir.join("pg.db").to_str().unwrap(), "--database", "postgres://postgres@127.0.0.1:5432/x"]);
    assert_eq!(pg.status.code(), Some(2));
    assert!(crate::stderr(&pg).contains("pg_dump"), "{}", crate::stderr(&pg));
}

/// A TCP relay to PostgreSQL that can be cut: while cut, its port refuses
/// connections and every relayed connection is closed, as when the
/// database's host goes away.
struct Relay {
    port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Relay {
    fn start(target: &str) -> Relay {
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::atomic::Ordering;
        use std::sync::{Arc, Mutex};
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = first.local_addr().unwrap().port();
        let cut = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, target) = (cut.clone(), target.to_owned());
        std::thread::spawn(move || {
            let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
            let mut listener = Some(first);
            loop {
                if flag.load(Ordering::SeqCst) {
                    listener = None;
                    for s in open.lock().unwrap().drain(..) {
                        let _ = s.shutdown(Shutdown::Both);
                    }
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
                let l = listener.get_or_insert_with(|| TcpListener::bind(("127.0.0.1", port)).unwrap());
                l.set_nonblocking(true).unwrap();
                match l.accept() {
                    Ok((client, _)) => {
                        client.set_nonblocking(false).unwrap();
                        let Ok(server) = TcpStream::connect(&target) else { continue };
                        open.lock().unwrap().extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                        for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut to);
                                let _ = to.shutdown(Shutdown::Both);
                            });
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Relay { port, cut }
    }

    fn set_cut(&self, cut: bool) {
        self.cut.store(cut, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_worker_that_loses_postgres_reconnects_and_loses_no_job() {
    let Some(db) = claimdesk_tests::test_database_urls("web_pg_lost").into_iter().find(|u| u.starts_with("postgres")) else {
        return; // PostgreSQL only (said by test_database_urls).
    };
    // The worker reaches the database through the relay; the server directly.
    let (head, rest) = db.split_once('@').unwrap();
    let (address, name) = rest.split_once('/').unwrap();
    let relay = Relay::start(address);
    let relayed = format!("{head}@127.0.0.1:{}/{name}", relay.port);
    let server = Server::start(&db, &["--no-inline-work"]);
    let api = Client::with_token(&server.base, &server.token("admin"));
    let logs = claimdesk_tests::temp_dir("web-pg-lost");
    let mut worker = Worker::start(&relayed, "pg-lost", &logs);
    let post = |i: usize| {
        let body = format!("Ferry line {i} said fares rose by {i}% this year, the council reported.");
        let queued = api.post_json("/api/v1/documents", &json!({ "title": format!("Ferry {i}"), "body": body }));
        assert_eq!(queued.status, 202, "{}", queued.body);
        queued.json()["url"].as_str().unwrap().to_owned()
    };
    let before: Vec<String> = (0..4).map(post).collect();
    for url in &before {
        wait_for_job(&api, url, Duration::from_secs(60), &worker);
    }

    // The database goes away for longer than a connection is waited for
    // (10 s); work keeps arriving meanwhile.
    relay.set_cut(true);
    std::thread::sleep(Duration::from_secs(3));
    let during: Vec<String> = (4..10).map(post).collect();
    std::thread::sleep(Duration::from_secs(12));
    assert!(worker.running(), "the worker waits for the database: {}", worker.log_tail());
    relay.set_cut(false);

    for url in &during {
        let job = wait_for_job(&api, url, Duration::from_secs(90), &worker);
        assert_eq!(job["state"], "done", "{job}\n{}", worker.log_tail());
    }
    assert!(worker.running());
    let log = worker.log_tail();
    assert!(log.contains("starting it again"), "the worker says what happened:\n{log}");
    let stored = api.get("/api/v1/documents?limit=200").json();
    for i in 0..10 {
        let title = format!("Ferry {i}");
        assert_eq!(stored.as_array().unwrap().iter().filter(|d| d["title"] == title.as_str()).count(), 1, "{title} stored once");
    }
}
