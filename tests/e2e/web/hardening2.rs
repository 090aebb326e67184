//! The second hardening round's attacks (#32), each replayed against the
//! real server, on SQLite and PostgreSQL where a database is involved: a
//! checker changing a published fact-check, `/metrics` blown up by made-up
//! methods, nested HTML in the library, truncated plugin files, a live
//! stream outliving its user, logins in public output, the body read
//! before the token, SSRF through names and IPv6 forms; and the smaller
//! ones (multi-line TSV fields, HEAD, bad cursors and ids, white space in
//! the normal form), with the route-complete checks derived from the
//! server's own route table.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use claimdesk_tests::{builtin_plugins_dir, fixture, temp_dir, test_database_urls};
use serde_json::json;

use super::{Client, Server, Worker, act, csrf_in};
use crate::claimdesk;

fn databases(name: &str) -> Vec<String> {
    test_database_urls(&format!("hard2_{name}"))
}

fn ingest(api: &Client, body: &str) -> i64 {
    let created = api.post_json("/api/v1/documents", &json!({ "body": body, "title": "Fixture", "outlet": "Harbour Post" }));
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().unwrap()
}

fn version(api: &Client, id: i64) -> serde_json::Value {
    api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].clone()
}

/// The first claim of a new document made of `body`.
fn claim_of(api: &Client, body: &str) -> i64 {
    let doc = ingest(api, body);
    let detail = api.get(&format!("/api/v1/documents/{doc}")).json();
    detail["claims"][0]["id"].as_i64().unwrap_or_else(|| panic!("no claim in {detail}"))
}

/// Evidence, a verdict and publication, by `editor`.
fn publish(editor: &Client, id: i64) {
    let evidence = json!({ "url": "https://records.example/ferry", "stance": "refutes" });
    assert_eq!(editor.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence).status, 200);
    let verdict = json!({ "version": version(editor, id), "rating": "false", "explanation": "The ledger says otherwise." });
    assert_eq!(editor.post_json(&format!("/api/v1/claims/{id}/verdict"), &verdict).status, 200);
    let published = editor.post_json(&format!("/api/v1/claims/{id}/publish"), &json!({ "version": version(editor, id) }));
    assert_eq!(published.status, 200, "{}", published.body);
}

#[test]
fn a_published_or_dismissed_claim_is_an_editors_to_change() {
    for db in databases("published") {
        let checks = fixture("library/checks.json").display().to_string();
        let imported = claimdesk(&["import", "fact-checks", &checks, "--database", &db]);
        assert_eq!(imported.status.code(), Some(1), "{}", crate::stderr(&imported));
        let server = Server::start(&db, &[]);
        let checker_web = server.user("cora", "checker");
        server.user("eli", "editor");
        let checker = Client::with_token(&server.base, &server.token("cora"));
        let editor = Client::with_token(&server.base, &server.token("eli"));
        let published = claim_of(&editor, "The ferry fare doubled in 2023, the harbour board said.");
        publish(&editor, published);
        let dismissed = claim_of(&editor, "The new quay cost three times its budget, officials said.");
        let dismiss = json!({ "version": version(&editor, dismissed), "reason": "off topic" });
        assert_eq!(editor.post_json(&format!("/api/v1/claims/{dismissed}/dismiss"), &dismiss).status, 200);
        let public = server.client().get(&format!("/fact-checks/{published}"));
        assert_eq!(public.status, 200);

        for id in [published, dismissed] {
            let before = checker.get(&format!("/api/v1/claims/{id}")).json();
            // The API, the claim page's form and "Use this verdict".
            let evidence = json!({ "url": "https://blog.example/contrary", "stance": "supports" });
            let api = checker.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence);
            assert_eq!(api.status, 403, "{}", api.body);
            assert!(api.json()["message"].as_str().unwrap().contains("only editors"), "{}", api.body);
            let page = act(&checker_web, id, "evidence", &[("url", "https://blog.example/contrary"), ("stance", "supports")]);
            assert_eq!(page.status, 403, "{}", page.body);
            let token = csrf_in(&checker_web.get(&format!("/claims/{id}")).body).unwrap();
            let used = checker_web.post_form(&format!("/claims/{id}/use/1"), &[("csrf_token", &token)]);
            assert_eq!(used.status, 403, "{}", used.body);
            let v = &before["claim"]["version"];
            for (action, body) in [
                ("summarize", json!({ "version": v, "text": "Fares doubled." })),
                ("speaker", json!({ "version": v, "kind": "named", "name": "Someone" })),
            ] {
                let r = checker.post_json(&format!("/api/v1/claims/{id}/{action}"), &body);
                assert_eq!(r.status, 403, "{action}: {}", r.body);
            }
            let after = checker.get(&format!("/api/v1/claims/{id}")).json();
            assert_eq!(after["evidence"], before["evidence"], "nothing was added");
            assert_eq!(after["claim"]["version"], before["claim"]["version"]);
        }
        assert_eq!(server.client().get(&format!("/fact-checks/{published}")).body, public.body, "the public page did not change");
        // The editor still may (the same rule, one role up).
        let evidence = json!({ "url": "https://records.example/ledger", "stance": "refutes" });
        assert_eq!(editor.post_json(&format!("/api/v1/claims/{published}/evidence"), &evidence).status, 200);
    }
}

/// Sends `raw` as a whole HTTP/1.1 request and returns the answer.
fn raw_http(base: &str, raw: &str) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn metrics_labels_come_from_closed_sets() {
    let db = &databases("metrics")[0];
    let server = Server::start(db, &[]);
    let scraper = Client::with_token(&server.base, &server.token("admin"));
    let scrape = || {
        let r = scraper.get("/metrics");
        assert_eq!(r.status, 200);
        r.body
    };
    // Warm every series the flood will touch.
    raw_http(&server.base, "M1QQQQ /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    server.client().get("/nope/0");
    // The scrape's own series (its duration and statement histograms)
    // appear after the first scrape is answered.
    scrape();
    let before = scrape().len();
    for i in 0..300 {
        let method = format!("M{i}{}", "Q".repeat(40));
        let answer = raw_http(&server.base, &format!("{method} /nope/{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        server.client().get(&format!("/made-up/{i}?x={i}"));
    }
    let after = scrape();
    assert!(!after.contains("QQQQ") && !after.contains("made-up") && !after.contains("/nope/"), "no raw method or path is a label");
    assert!(after.contains("method=\"other\"") && after.contains("route=\"unmatched\""), "they are counted under bounded labels");
    // Same series, bigger counts: a few digits more at most.
    assert!(after.len() < before + 2_000, "the scrape grew from {before} to {} bytes", after.len());
}

#[test]
fn nested_html_in_the_library_is_refused_before_any_tree_is_built() {
    let nested = format!("<html><body>{}<p>Fares doubled.</p>{}</body></html>", "<div>".repeat(40_000), "</div>".repeat(40_000));
    for db in databases("library_html") {
        let dir = temp_dir(&format!("hard2-library-{}", db.len()));
        let file = dir.join("deep.html");
        std::fs::write(&file, &nested).unwrap();
        let cli = claimdesk(&["import", "fact-checks", file.to_str().unwrap(), "--database", &db]);
        assert_ne!(cli.status.code(), Some(0));
        assert!(crate::stderr(&cli).contains("too deeply nested"), "{}", crate::stderr(&cli));
        let server = Server::start(&db, &[]);
        let admin = server.admin();
        let token = admin.csrf();
        let page = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("deep.html", nested.as_bytes())));
        assert_eq!(page.status, 400, "{}", page.body);
        assert!(page.body.contains("too deeply nested"), "{}", page.body);
        // The same file as a document: the same entry point, the same answer.
        let doc = admin.post_multipart("/documents", &[("csrf_token", &token)], Some(("deep.html", nested.as_bytes())));
        assert!(doc.body.contains("too deeply nested"), "{}", doc.body);
        // An honest page still imports.
        let review = std::fs::read_to_string(fixture("library/checks.json")).unwrap();
        let honest = format!("<html><head><script type=\"application/ld+json\">{review}</script></head><body>ok</body></html>");
        let ok = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("page.html", honest.as_bytes())));
        assert_eq!(ok.status, 200, "{}", ok.body);
    }
}

/// A copy of a built-in plugin cut to each of `sizes`, and a directory
/// named like a library.
fn damaged_plugins(name: &str, sizes: &[usize]) -> std::path::PathBuf {
    let dir = temp_dir(name);
    let whole = std::fs::read_dir(builtin_plugins_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libclaimdesk_plugin_vague") && n.ends_with(".so")))
        .expect("the vague plugin is built");
    let bytes = std::fs::read(&whole).unwrap();
    for &size in sizes {
        std::fs::write(dir.join(format!("libcut_{size}.so")), &bytes[..size.min(bytes.len() - 1)]).unwrap();
    }
    std::fs::create_dir_all(dir.join("libfolder.so")).unwrap();
    dir
}

#[test]
fn truncated_plugins_are_refused_with_a_warning_not_a_crash() {
    let sizes = [1_000, 4_096, 60_000, 600_000];
    let dir = damaged_plugins("hard2-plugins", &sizes);
    let dir_s = dir.to_str().unwrap();
    let sample = fixture("harbour.txt");
    for args in [vec!["plugins", "list"], vec!["check", sample.to_str().unwrap()]] {
        let mut all = args.clone();
        all.extend(["--plugins", dir_s]);
        let out = claimdesk(&all);
        let err = format!("{}{}", crate::stdout(&out), crate::stderr(&out));
        assert!(out.status.code().is_some(), "{args:?} was killed by a signal: {:?}\n{err}", out.status);
        for size in sizes {
            assert!(err.contains(&format!("libcut_{size}.so")) && err.contains("damaged or truncated"), "{args:?}: {err}");
        }
        assert!(err.contains("libfolder.so") && err.contains("is not a file"), "{err}");
    }
    let listed = |extra: &[&str]| {
        let mut args = vec!["plugins", "list", "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_slice::<serde_json::Value>(&claimdesk(&args).stdout).unwrap()
    };
    let (whole, listed) = (listed(&[]), listed(&["--plugins", dir_s]));
    assert_eq!(listed["plugins"], whole["plugins"], "every whole plugin still loads");
    let errors = |v: &serde_json::Value| v["errors"].as_array().unwrap().len();
    assert_eq!(errors(&listed), errors(&whole) + sizes.len() + 1, "{listed}");

    // The server and the worker start and say so.
    let db = &databases("plugins")[0];
    let server = Server::start(db, &["--plugins", dir_s]);
    let page = server.admin().get("/plugins");
    assert!(page.body.contains("libcut_60000.so") && page.body.contains("damaged or truncated"), "{}", page.body);
    let logs = temp_dir("hard2-plugins-worker");
    let mut worker = Worker::start_with(db, "cut-worker", &logs, &["--plugins", dir_s]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !worker.log_tail().contains("libcut_600000.so") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(worker.running(), "the worker runs on: {}", worker.log_tail());
    assert!(worker.log_tail().contains("damaged or truncated"), "{}", worker.log_tail());
}

/// Opens `/live` with `cookie` and returns the stream once its first
/// line has come.
fn open_live(base: &str, cookie: &str) -> TcpStream {
    let mut stream = TcpStream::connect(base.trim_start_matches("http://")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(stream, "GET /live HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("retry: 2000") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the stream closed at once: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    stream
}

/// Reads until the server ends the stream; what came, and whether it ended.
fn read_to_end_within(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let deadline = Instant::now() + limit;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&seen).into_owned(), true),
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                // The chunked body's last chunk: the server ended the stream.
                if seen.ends_with(b"0\r\n\r\n") {
                    return (String::from_utf8_lossy(&seen).into_owned(), true);
                }
            }
            Err(_) => break,
        }
    }
    (String::from_utf8_lossy(&seen).into_owned(), false)
}

#[test]
fn a_live_stream_ends_with_its_user_or_session() {
    for db in databases("live") {
        let server = Server::start(&db, &[]);
        let admin = server.admin();
        let gone = server.user("gwen", "checker");
        let out = server.user("otto", "checker");
        let api = Client::with_token(&server.base, &server.token("admin"));
        let mut deactivated = open_live(&server.base, &gone.cookie().unwrap());
        let mut logged_out = open_live(&server.base, &out.cookie().unwrap());
        let mut stays = open_live(&server.base, &admin.cookie().unwrap());

        let token = admin.csrf();
        let users = admin.get("/users").body;
        let row = users.split("<tr>").find(|row| row.contains("gwen")).unwrap();
        let gwen = row.split("action=\"/users/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let off = admin.post_form(&format!("/users/{gwen}"), &[("csrf_token", &token), ("role", "checker"), ("active", "false")]);
        assert_eq!(off.status, 303);
        let otto_token = csrf_in(&out.get("/queue").body).unwrap();
        assert_eq!(out.post_form("/logout", &[("csrf_token", &otto_token)]).status, 303);
        // A change after both: neither stream may carry it.
        let doc = ingest(&api, "Harbour rents rose by 40% in a year, the council said.");

        let (seen, ended) = read_to_end_within(&mut deactivated, Duration::from_secs(15));
        assert!(ended, "{db}: the deactivated user's stream still runs: {seen}");
        assert!(!seen.contains(&format!("\"document\":{doc}")), "{seen}");
        let (seen, ended) = read_to_end_within(&mut logged_out, Duration::from_secs(15));
        assert!(ended, "{db}: the logged-out session's stream still runs: {seen}");
        // The admin's stream hears the change and goes on.
        stays.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let (seen, ended) = read_to_end_within(&mut stays, Duration::from_secs(3));
        assert!(!ended && seen.contains("event: claims"), "{db}: {seen}");
    }
}

#[test]
fn public_output_never_names_a_login() {
    for db in databases("public_names") {
        let server = Server::start(&db, &[]);
        server.user("zed_checker", "editor");
        let editor = Client::with_token(&server.base, &server.token("zed_checker"));
        let id = claim_of(&editor, "Bus fares in Kelmouth fell by a third since 2022, the mayor said.");
        publish(&editor, id);
        let reader = server.client();
        let atom = reader.get("/fact-checks.atom");
        assert_eq!(atom.status, 200);
        let feed: atom_syndication::Feed = atom.body.parse().unwrap();
        let entry = feed.entries().iter().find(|e| e.id().ends_with(&format!("/fact-checks/{id}"))).expect("the entry");
        let authors: Vec<&str> = entry.authors().iter().map(|a| a.name()).collect();
        assert_eq!(authors, [feed.authors()[0].name()], "the organisation signs the entry");
        for page in [atom.body, reader.get(&format!("/fact-checks/{id}")).body, reader.get("/fact-checks").body] {
            assert!(!page.contains("zed_checker"), "a login in public output: {page}");
        }
    }
}

#[test]
fn an_unknown_token_is_refused_before_the_body_is_read() {
    for db in databases("token_first") {
        let server = Server::start(&db, &[]);
        let revoked = Client::with_token(&server.base, "0123456789abcdef0123456789abcdef");
        let nobody = server.client();
        for (path, body) in [
            ("/api/v1/documents", "{\"title\": 3"),
            ("/api/v1/claims/1/evidence", "not json at all"),
            ("/api/v1/match", "{}"),
            ("/api/v1/claims/bulk", "[]"),
        ] {
            for client in [&revoked, &nobody] {
                let r = client.post_raw(path, "application/json", body.as_bytes().to_vec());
                assert_eq!(r.status, 401, "{path}: {}", r.body);
                assert_eq!(r.json()["code"], "unauthorized");
            }
        }
        let big = vec![b'x'; 5 * 1024 * 1024];
        assert_eq!(revoked.post_raw("/api/v1/documents", "application/json", big).status, 401);
        assert_eq!(nobody.get("/api/v1/openapi.json").status, 200, "the API's description stays public");
    }
}

/// The machine's own host name when the system resolves it to addresses
/// none of which is public (as Debian's `/etc/hosts` does), else `None`.
fn local_name() -> Option<String> {
    use std::net::ToSocketAddrs;
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?.trim().to_owned();
    let addresses: Vec<_> = (name.as_str(), 80).to_socket_addrs().ok()?.map(|a| a.ip()).collect();
    let local = |ip: &std::net::IpAddr| ip.is_loopback() || matches!(ip, std::net::IpAddr::V4(v4) if v4.is_private());
    (!addresses.is_empty() && addresses.iter().all(local)).then_some(name)
}

#[test]
fn feed_addresses_are_judged_by_what_they_resolve_to_and_every_special_range() {
    for db in databases("ssrf") {
        let server = Server::start(&db, &[]);
        let admin = Client::with_token(&server.base, &server.token("admin"));
        let mut refused =
            vec!["http://[64:ff9b::7f00:1]/rss", "http://[2002:7f00:1::]/rss", "http://[::127.0.0.1]/rss", "http://198.18.0.1/rss"]
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>();
        match local_name() {
            Some(name) => refused.push(format!("http://{name}:8080/rss")),
            None => eprintln!("SKIPPED: this machine's host name does not resolve to a local address; the name case is the unit test's"),
        }
        for url in &refused {
            let r = admin.post_json("/api/v1/feeds", &json!({ "url": url }));
            assert_eq!(r.status, 400, "{url}: {}", r.body);
            assert!(r.body.contains("--allow-private-feeds"), "{url}: {}", r.body);
            let cli = claimdesk(&["feed", "add", url, "--database", &db]);
            assert_ne!(cli.status.code(), Some(0), "{url}");
        }
        assert_eq!(admin.get("/api/v1/feeds").json().as_array().unwrap().len(), 0, "none was added");
    }
}

#[test]
fn a_quoted_tsv_field_spanning_lines_is_one_record() {
    let tsv = "\tvclaim\ttitle\n\
               0\tThe ferry fare doubled in 2023.\t\"Did the fare double?\nA look at the \"\"new\"\" tariff\"\n\
               1\tThe quay cost three times its budget.\tQuay costs\n\
               2\tRents rose by 40% in a year.\t\"Rents:\nthe\nfigures\"\n";
    for db in databases("tsv") {
        let file = temp_dir(&format!("hard2-tsv-{}", db.len())).join("verified_claims.tsv");
        std::fs::write(&file, tsv).unwrap();
        let out = claimdesk(&["import", "fact-checks", file.to_str().unwrap(), "--database", &db]);
        assert!(out.status.success(), "{}", crate::stderr(&out));
        assert!(crate::stdout(&out).contains("3 added"), "{}", crate::stdout(&out));
        let server = Server::start(&db, &[]);
        let found = Client::with_token(&server.base, &server.token("admin"))
            .post_json("/api/v1/match", &json!({ "text": "the ferry fare doubled", "top": 5 }))
            .json();
        let titles: Vec<&str> = found["matches"].as_array().unwrap().iter().filter_map(|m| m["title"].as_str()).collect();
        assert!(titles.iter().any(|t| t.contains("A look at the \"new\" tariff")), "{found}");
    }
}

/// `path` with every `{parameter}` filled: `1`, or each of `actions` for
/// the claim page's `{action}`.
fn concrete(path: &str, actions: &[&str]) -> Vec<String> {
    if path.contains("{action}") {
        return actions.iter().flat_map(|a| concrete(&path.replace("{action}", a), actions)).collect();
    }
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        out.push('1');
        rest = &rest[rest[start..].find('}').map_or(rest.len(), |e| start + e + 1)..];
    }
    out.push_str(rest);
    vec![out]
}

#[test]
fn head_is_answered_like_get_on_every_get_route() {
    let db = &databases("head")[0];
    let server = Server::start(db, &[]);
    let admin = server.admin();
    let api = Client::with_token(&server.base, &server.token("admin"));
    let routes = claimdesk_server::route_table();
    let gets: Vec<_> = routes.iter().filter(|r| r.method == "GET").collect();
    assert!(gets.len() > 30, "{gets:?}");
    for route in gets {
        for path in concrete(&route.path, &[]) {
            if path == "/live" {
                continue; // a stream: its GET never ends
            }
            let client = if route.is_api() { &api } else { &admin };
            let (get, head) = (client.get(&path), client.head(&path));
            assert_eq!(head.status, get.status, "HEAD {path}");
            assert!(head.body.is_empty(), "HEAD {path} has a body");
            assert_eq!(head.content_type, get.content_type, "HEAD {path}");
        }
    }
    assert_eq!(server.client().head("/healthz").status, 200);
}

#[test]
fn bad_cursors_padded_ids_and_white_space_variants() {
    for db in databases("small") {
        let server = Server::start(&db, &[]);
        let api = Client::with_token(&server.base, &server.token("admin"));
        for cursor in ["-1", "0"] {
            let r = api.get(&format!("/api/v1/documents?before={cursor}"));
            assert_eq!(r.status, 400, "{cursor}: {}", r.body);
        }
        assert_eq!(server.admin().get("/documents?before=-1").status, 400);
        let reader = server.client();
        for padded in ["+44", "044", "0044"] {
            let r = reader.get(&format!("/fact-checks/{padded}"));
            assert_eq!((r.status, r.location.as_deref()), (308, Some("/fact-checks/44")), "{padded}");
        }
        assert_eq!(reader.get("/fact-checks/-4").status, 404);
        // One text, its white space written four ways: one document.
        let first = api.post_json("/api/v1/documents", &json!({ "body": "Rents at the quay rose 12% last year. Fares fell by half." }));
        assert_eq!(first.status, 201);
        let id = first.json()["id"].clone();
        for body in [
            "Rents at the quay rose 12% last year.\r\nFares fell by half.",
            "Rents at the quay rose 12% last year.\nFares fell by half.\n",
            "Rents at the quay rose 12% last year.\u{a0}Fares fell by half.",
            " Rents at the quay rose 12% last year.\t\tFares fell by half.",
        ] {
            let again = api.post_json("/api/v1/documents", &json!({ "body": body }));
            assert_eq!((again.json()["duplicate"].clone(), again.json()["id"].clone()), (json!(true), id.clone()), "{body:?}");
        }
        let admin = server.admin();
        let pasted = admin.post_multipart(
            "/documents",
            &[("csrf_token", &admin.csrf()), ("body", "Rents at the quay rose 12% last year.\r\n\r\nFares fell by half.")],
            None,
        );
        assert!(pasted.status < 400, "{}", pasted.body);
        let listed = api.get("/api/v1/documents").json();
        assert_eq!(listed.as_array().unwrap().iter().filter(|d| d["id"] == id).count(), 1);
        let count = listed.as_array().unwrap().len();
        let upload = admin.post_multipart(
            "/documents",
            &[("csrf_token", &admin.csrf())],
            Some(("rents.txt", b"Rents at the quay rose 12% last year.\r\nFares fell by half.\r\n")),
        );
        assert!(upload.status < 400, "{}", upload.body);
        assert_eq!(api.get("/api/v1/documents").json().as_array().unwrap().len(), count, "no new document");
    }
}

#[test]
fn every_page_post_route_needs_the_csrf_token() {
    let server = Server::start(&databases("csrf_all")[0], &[]);
    let admin = server.admin();
    let actions: Vec<&str> = claimdesk_core::Verb::ALL.iter().map(|v| v.as_str()).collect();
    let posts: Vec<String> = claimdesk_server::route_table()
        .into_iter()
        .filter(|r| r.method == "POST" && !r.is_api())
        .flat_map(|r| concrete(&r.path, &actions))
        .collect();
    // 21 routes, one of them the claim page's `{action}` (one per verb).
    assert!(posts.len() >= 20 + actions.len(), "{posts:?}");
    let claim_before = admin.get("/claims/1").body;
    for path in &posts {
        let forged = "0000000000000000000000000000000000000000000000000000000000000000";
        let form = admin.post_form(path, &[("csrf_token", forged)]);
        let bare = admin.post_form(path, &[]);
        let multipart = admin.post_multipart(path, &[("csrf_token", forged)], Some(("x.txt", b"Fares doubled.")));
        let answers = [form.status, bare.status, multipart.status];
        // Whichever encoding the route reads is refused for its token; the
        // other is refused as unreadable. None gets through.
        assert!(answers.contains(&403), "{path}: {answers:?}\n{}", form.body);
        assert!(answers.iter().all(|s| *s == 403 || *s == 400 || *s == 415), "{path}: {answers:?}\n{}\n{}", form.body, multipart.body);
    }
    // Still logged in, nothing changed.
    assert_eq!(admin.get("/queue").status, 200);
    let claim_after = admin.get("/claims/1").body;
    let version = |page: &str| super::form_value(page, "/claims/1/evidence", "version");
    assert_eq!(version(&claim_after), version(&claim_before));
}

#[test]
fn the_openapi_document_describes_every_api_route() {
    let server = Server::start(&databases("openapi_all")[0], &[]);
    let doc = server.client().get("/api/v1/openapi.json").json();
    let paths = doc["paths"].as_object().unwrap();
    let routes: Vec<_> = claimdesk_server::route_table().into_iter().filter(|r| r.is_api() && r.path != "/api/v1/openapi.json").collect();
    assert!(routes.len() >= 30, "{routes:?}");
    for route in &routes {
        let method = route.method.to_ascii_lowercase();
        assert!(
            paths.get(&route.path).is_some_and(|p| p[&method].is_object()),
            "{} {} is not in the OpenAPI document",
            route.method,
            route.path
        );
    }
    let described: usize = paths.values().map(|p| p.as_object().map_or(0, |m| m.len())).sum();
    assert_eq!(described, routes.len(), "the document describes no route the server lacks");
}
