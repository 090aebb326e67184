//! Beyond one machine, for real (PostgreSQL and nginx required): two
//! `claimdesk serve --no-inline-work` nodes behind nginx and two
//! `claimdesk worker`s. A session made through the proxy holds on both
//! nodes; a verdict given on node A reaches an event stream open on node B;
//! 500 documents posted through the proxy are all stored exactly once
//! although one worker is killed with SIGKILL halfway.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::json;

use super::{Client, Server, Worker};

const DOCUMENTS: usize = 500;

struct Nginx {
    child: Child,
    pub base: String,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn port_of(base: &str) -> &str {
    base.rsplit(':').next().unwrap()
}

/// nginx in front of `nodes`, round robin, with a config written here.
fn nginx(nodes: &[&Server]) -> Option<Nginx> {
    let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| std::path::Path::new(p).exists());
    let Some(binary) = binary else {
        assert!(
            std::env::var("CLAIMDESK_TEST_NGINX").as_deref() != Ok("require"),
            "CLAIMDESK_TEST_NGINX=require but nginx is not installed"
        );
        eprintln!("SKIPPED: the cluster test needs nginx (apt-get install nginx)");
        return None;
    };
    let dir = claimdesk_tests::temp_dir("cluster-nginx");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let upstreams: String = nodes.iter().map(|n| format!("server 127.0.0.1:{};", port_of(&n.base))).collect();
    let d = dir.display();
    let conf = format!(
        "worker_processes 1; daemon off; pid {d}/nginx.pid; error_log {d}/error.log warn;\n\
         events {{ worker_connections 2048; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n  \
         uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n  upstream claimdesk {{ {upstreams} }}\n  \
         server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size 11m;\n    location / {{\n      \
         proxy_pass http://claimdesk; proxy_http_version 1.1; proxy_set_header Connection \"\";\n      \
         proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n      \
         proxy_buffering off; proxy_read_timeout 1h; add_header X-Upstream $upstream_addr always;\n    }}\n  }}\n}}\n"
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(binary)
        .args(["-c", conf_path.to_str().unwrap(), "-p", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let proxy = Nginx { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && Client::new(&proxy.base).get("/healthz").status == 200 {
            return Some(proxy);
        }
        assert!(Instant::now() < deadline, "nginx did not come up: {}", std::fs::read_to_string(dir.join("error.log")).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Reads `base/live` with `cookie` as a browser's EventSource would; each
/// `data:` line arrives on the returned channel.
pub(super) fn event_stream(base: &str, cookie: &str) -> mpsc::Receiver<serde_json::Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let response = agent.get(format!("{base}/live")).header("Cookie", cookie).header("Accept", "text/event-stream").call().unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").unwrap().to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/event-stream"), "{content_type}");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(response.into_body().into_reader());
        for line in reader.lines().map_while(Result::ok) {
            if let Some(data) = line.strip_prefix("data: ")
                && tx.send(serde_json::from_str(data).unwrap()).is_err()
            {
                return;
            }
        }
    });
    rx
}

#[test]
fn two_nodes_behind_nginx_and_two_workers() {
    let Some(db) = claimdesk_tests::test_database_urls("cluster").into_iter().find(|u| u.starts_with("postgres")) else {
        eprintln!("SKIPPED: the cluster test needs PostgreSQL (CLAIMDESK_TEST_POSTGRES)");
        return;
    };
    let extra = ["--no-inline-work", "--trusted-proxy", "127.0.0.1"];
    let a = Server::start(&db, &extra);
    let b = Server::start(&db, &extra);
    let Some(proxy) = nginx(&[&a, &b]) else { return };

    // A checker's session, made through the proxy, holds whichever node answers.
    let checker = Client::new(&proxy.base);
    checker.login("admin", &a.admin_password);
    let mut nodes = HashSet::new();
    for _ in 0..12 {
        let page = checker.get("/queue");
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("Review queue") && page.body.contains("admin"), "still logged in");
        nodes.insert(page.header("x-upstream").expect("nginx names the node"));
    }
    assert_eq!(nodes.len(), 2, "both nodes answered: {nodes:?}");
    // The session cookie made through the proxy works on node B directly.
    assert_eq!(Client::with_cookie(&b.base, &checker.cookie().unwrap()).get("/queue").status, 200);

    // A verdict given on node A reaches a queue page's stream on node B.
    let events = event_stream(&b.base, &checker.cookie().unwrap());
    let on_a = Client::with_token(&a.base, &a.token("admin"));
    let claim = on_a.get("/api/v1/claims?limit=1").json()["claims"][0].clone();
    let (id, version) = (claim["id"].as_i64().unwrap(), claim["version"].as_i64().unwrap());
    let evidence = json!({ "url": "https://harbour.example/figures.pdf", "stance": "refutes", "title": "Figures" });
    assert_eq!(on_a.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence).status, 200);
    let given = Instant::now();
    let verdict = json!({ "version": version, "rating": "false", "explanation": "The figures say otherwise." });
    let resolved = on_a.post_json(&format!("/api/v1/claims/{id}/verdict"), &verdict);
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    let heard = loop {
        let event = events.recv_timeout(Duration::from_secs(10)).expect("node B's stream hears the verdict given on node A");
        if event["claims"].as_array().is_some_and(|c| c.contains(&json!(id))) {
            break given.elapsed();
        }
    };
    eprintln!("the verdict on node A reached node B's stream after {heard:?}");

    // 500 documents through the proxy, two workers, one killed halfway.
    let logs = claimdesk_tests::temp_dir("cluster-workers");
    let mut first = Worker::start(&db, "cluster-one", &logs);
    let _second = Worker::start(&db, "cluster-two", &logs);
    let token = a.token("admin");
    let posted: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (base, token) = (proxy.base.clone(), token.clone());
                scope.spawn(move || {
                    let api = Client::with_token(&base, &token);
                    (0..DOCUMENTS / 4)
                        .map(|i| {
                            let n = t * (DOCUMENTS / 4) + i;
                            let body = format!(
                                "Bulletin {n}: the council said {n} new homes were approved, up {}% on last year. \
                                 Officials promised a decision by March.",
                                n % 90 + 5
                            );
                            let queued = api.post_json("/api/v1/documents", &json!({ "title": format!("Bulletin {n}"), "body": body }));
                            assert_eq!(queued.status, 202, "{}", queued.body);
                            queued.json()["job"].as_str().unwrap().to_owned()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(posted.iter().collect::<HashSet<_>>().len(), DOCUMENTS);
    let runtime = claimdesk_tests::tokio_runtime();
    let jobs = runtime.block_on(claimdesk_work::Jobs::open(&db)).unwrap();
    let done = || runtime.block_on(jobs.counts()).unwrap().of_state(claimdesk_work::JobState::Done);
    let deadline = Instant::now() + Duration::from_secs(300);
    while done() < 100 {
        assert!(Instant::now() < deadline, "the workers stalled at {}", done());
        std::thread::sleep(Duration::from_millis(50));
    }
    first.kill();
    eprintln!("killed worker one with {} of {DOCUMENTS} jobs done", done());
    while done() < DOCUMENTS as i64 {
        assert!(Instant::now() < deadline, "only {} of {DOCUMENTS} jobs done after the kill", done());
        std::thread::sleep(Duration::from_millis(200));
    }
    let counts = runtime.block_on(jobs.counts()).unwrap();
    assert_eq!(counts.of_state(claimdesk_work::JobState::Failed), 0, "{counts:?}");
    let retried = runtime.block_on(async {
        let mut n = 0;
        for id in &posted {
            n += usize::from(jobs.job(id).await.unwrap().unwrap().attempts > 1);
        }
        n
    });
    eprintln!("{retried} job(s) ran again after the kill");
    // Every document stored exactly once.
    let store = runtime.block_on(claimdesk_store::Store::open(&db)).unwrap();
    let mut titles = Vec::new();
    runtime.block_on(async {
        for id in store.document_ids().await.unwrap() {
            let doc = store.document(id).await.unwrap();
            if doc.origin.as_deref() == Some("api") {
                titles.push(doc.title.unwrap());
            }
        }
    });
    assert_eq!(titles.len(), DOCUMENTS, "each posted document stored once");
    assert_eq!(titles.iter().collect::<HashSet<_>>().len(), DOCUMENTS);
}

/// `--trusted-proxy`: the login throttle counts the address in
/// `X-Forwarded-For` only for requests from the proxy; from anyone else the
/// header is ignored.
#[test]
fn the_login_throttle_believes_only_a_trusted_proxy() {
    let db = claimdesk_tests::test_database_urls("trusted_proxy").remove(0);
    let from = |server: &Server, address: &str| {
        let mut client = Client::new(&server.base);
        client.extra.push(("X-Forwarded-For".to_owned(), format!("203.0.113.9, {address}")));
        client
    };
    let attempt = |client: &Client, password: &str| {
        let token = super::csrf_in(&client.get("/login").body).unwrap();
        client.post_form("/login", &[("csrf_token", &token), ("name", "admin"), ("password", password), ("next", "/queue")]).status
    };
    // Behind the proxy (127.0.0.1 is trusted): five failures from one
    // client address lock that address out of the account, not another.
    let trusted = Server::start(&db, &["--trusted-proxy", "127.0.0.1"]);
    let one = from(&trusted, "198.51.100.1");
    for _ in 0..5 {
        assert_eq!(attempt(&one, "wrong-password"), 401);
    }
    assert_eq!(attempt(&one, &trusted.admin_password), 429, "that client is refused");
    assert_eq!(attempt(&from(&trusted, "198.51.100.2"), &trusted.admin_password), 303, "another client behind the proxy logs in");
    drop(trusted);
    // Without --trusted-proxy the header is the client's word: ignored, so
    // a changed header does not escape the lock on the real address.
    let db = claimdesk_tests::test_database_urls("untrusted_proxy").remove(0);
    let direct = Server::start(&db, &[]);
    let liar = from(&direct, "198.51.100.1");
    for _ in 0..5 {
        assert_eq!(attempt(&liar, "wrong-password"), 401);
    }
    assert_eq!(attempt(&from(&direct, "198.51.100.2"), &direct.admin_password), 429, "X-Forwarded-For from a client is not believed");
}
