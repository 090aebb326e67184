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

        // A worker checks and stores them.
        let logs = claimdesk_tests::temp_dir("web-jobs-workers");
        let worker = Worker::start(&db, "worker-one", &logs);
        let done = wait_for_job(&api, &url, Duration::from_secs(60));
        assert_eq!((done["state"].as_str(), done["attempts"].as_i64(), &done["error"]), (Some("done"), Some(1), &json!(null)), "{done}");
        let document = done["result"]["document"].as_i64().unwrap();
        let stored = api.get(&format!("/api/v1/documents/{document}")).json();
        assert_eq!(stored["title"], "Harbour board");
        assert!(stored["claims"].as_array().unwrap().iter().any(|c| c["text"].as_str().unwrap().contains("18%")), "{stored}");
        assert_eq!(stored["origin"], "api");

        // The same text again: a second job, the same document.
        let again = api.post_json("/api/v1/documents", &json!({ "title": "Harbour board", "body": ARTICLE })).json();
        let again = wait_for_job(&api, again["url"].as_str().unwrap(), Duration::from_secs(60));
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
        let failed = wait_for_job(&api, &format!("/api/v1/jobs/{id}"), Duration::from_secs(90));
        assert_eq!((failed["state"].as_str(), failed["kind"].as_str()), (Some("failed"), Some("recheck")), "{failed}");
        assert_eq!(failed["attempts"], failed["max_attempts"], "{failed}");
        assert!(failed["error"].as_str().unwrap().contains("987654"), "{failed}");
        assert!(started.elapsed() >= Duration::from_millis(1500), "the retries waited (backoff): {:?}", started.elapsed());
        let page = admin.get("/documents").body;
        assert!(page.contains("<tr class=\"job-failed\">") && page.contains(&id), "{page}");
        drop(worker);
    }
}
