//! The attacks the hardening issue found, each replayed against the real
//! server (on SQLite and PostgreSQL where a database is involved): stored
//! XSS through source URLs, control characters, nested-HTML denial of
//! service, sessions that outlived a logout, the open redirect after login,
//! login throttling, duplicate-ingest races, CSV formula injection, and a
//! failing plugin that looked healthy.

use std::time::{Duration, Instant};

use claimdesk_tests::temp_dir;
use serde_json::json;

use super::{Client, Server, act, add_user, claim_id_with, csrf_in, password_of};
use crate::claimdesk;

fn databases(name: &str) -> Vec<String> {
    claimdesk_tests::test_database_urls(&format!("hard_{name}"))
}

/// Ingests `body` through the API as a fresh checker and returns the
/// document id.
fn ingest(api: &Client, body: &str, url: Option<&str>) -> i64 {
    let mut doc = json!({ "body": body, "title": "Fixture" });
    if let Some(url) = url {
        doc["url"] = json!(url);
    }
    let created = api.post_json("/api/v1/documents", &doc);
    assert_eq!(created.status, 201, "{}", created.body);
    created.json()["id"].as_i64().unwrap()
}

#[test]
fn unsafe_urls_bad_dates_and_control_characters_are_refused_where_they_enter() {
    for db in databases("input") {
        let server = Server::start(&db, &[]);
        server.user("ivy", "editor");
        let api = Client::with_token(&server.base, &server.token("ivy"));
        let web = server.client();
        web.login("ivy", &password_of("ivy"));

        // A JSON Lines upload: the bad line is named, the good one stored.
        let jsonl = concat!(
            "{\"body\":\"Officials said big progress on the bridge.\",\"url\":\"javascript:alert(document.domain)\"}\n",
            "{\"body\":\"The ferry fare rose by 40% in a year.\",\"title\":\"Ferry fares\",\"url\":\"https://coast.example/ferry\"}\n",
        );
        let upload = web.post_multipart("/documents", &[("csrf_token", &web.csrf())], Some(("feed.jsonl", jsonl.as_bytes())));
        assert_eq!(upload.status, 200, "{}", upload.body);
        assert!(upload.body.contains("line 1") && upload.body.contains("must start with http:// or https://"), "{}", upload.body);
        let listed = api.get("/api/v1/documents").json();
        let titles: Vec<&str> = listed.as_array().unwrap().iter().filter_map(|d| d["title"].as_str()).collect();
        assert!(titles.contains(&"Ferry fares"), "{titles:?}");
        for doc in listed.as_array().unwrap() {
            let detail = api.get(&format!("/api/v1/documents/{}", doc["id"])).json();
            assert!(!detail["url"].as_str().unwrap_or_default().starts_with("javascript"), "{detail}");
        }

        // The API refuses the stored-XSS document and a date that is none.
        let xss = json!({ "body": "Officials said big progress.", "url": "javascript:alert(document.domain)" });
        let refused = api.post_json("/api/v1/documents", &xss);
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.body.contains("must start with http:// or https://"), "{}", refused.body);
        let bad_date = api.post_json("/api/v1/documents", &json!({ "body": "Taxes fell by half.", "published": "not-a-date" }));
        assert_eq!(bad_date.status, 400, "{}", bad_date.body);
        let date_time =
            api.post_json("/api/v1/documents", &json!({ "body": "Taxes fell by a third.", "published": "2024-05-01T09:30:00Z" }));
        assert_eq!(date_time.status, 201, "a date-time is a date: {}", date_time.body);

        // `claimdesk ingest` alike: line 1 skipped, line 2 stored.
        let file = temp_dir(&format!("hard-input-{}", server.base.rsplit(':').next().unwrap())).join("wire.jsonl");
        std::fs::write(
            &file,
            "{\"body\":\"Water bills tripled, sources say.\",\"url\":\"javascript:alert(1)\"}\n{\"body\":\"Bus fares fell 10%.\",\"published\":\"2024-13-45\"}\n{\"body\":\"Rail use grew by a quarter.\",\"url\":\"https://rail.example/a\"}\n",
        )
        .unwrap();
        let out = claimdesk(&["ingest", file.to_str().unwrap(), "--database", &db]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("line 1: url \"javascript:alert(1)\" must start with http:// or https://"), "{stdout}");
        assert!(stdout.contains("line 2: published \"2024-13-45\" is not a date"), "{stdout}");
        assert_eq!(stdout.lines().filter(|l| l.starts_with("stored\t")).count(), 1, "{stdout}");

        // A row stored before validation existed renders as text.
        let old = ingest(&api, "The mayor said crime fell by half since 2020.", Some("https://city.example/crime"));
        let sql = format!("UPDATE documents SET source_url = 'javascript:alert(document.domain)' WHERE id = {old}");
        claimdesk_tests::tokio_runtime().block_on(claimdesk_store::testing::execute_sql(&db, &sql)).unwrap();
        let page = web.get(&format!("/documents/{old}"));
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("href=\"javascript:"), "a javascript: URL is never a link");
        assert!(page.body.contains("javascript:alert(document.domain)"), "but is shown as text");
        let claim = claim_id_with(&web, "crime fell by half");
        let claim_page = web.get(&format!("/claims/{claim}")).body;
        assert!(!claim_page.contains("href=\"javascript:") && claim_page.contains("javascript:alert(document.domain)"));

        // Control characters: 400 with the field named, nothing stored.
        let nul = api.post_json("/api/v1/documents", &json!({ "body": "a\u{0}b" }));
        assert_eq!(nul.status, 400, "{}", nul.body);
        assert!(nul.json()["message"].as_str().unwrap().contains("U+0000"), "{}", nul.body);
        for path in ["/api/v1/claims?q=a%00b", "/api/v1/claims?outlet=%0B"] {
            let r = api.get(path);
            assert_eq!(r.status, 400, "{path}: {}", r.body);
            assert!(r.content_type.starts_with("application/json"), "{path}");
        }
        for path in ["/queue?q=a%00b", "/reports/period?outlet=a%00b", "/documents?before=%00"] {
            let r = web.get(path);
            assert_eq!(r.status, 400, "{path}: {}", r.body);
            assert!(r.body.contains("U+0000"), "{path}: {}", r.body);
        }
        let pasted = web.post_multipart("/documents", &[("csrf_token", &web.csrf()), ("body", "Prices\u{0} rose 5%.")], None);
        assert_eq!(pasted.status, 400, "{}", pasted.body);
        let version_before = api.get(&format!("/api/v1/claims/{claim}")).json()["claim"]["version"].clone();
        for (action, fields) in [
            ("evidence", vec![("url", "https://e.example/a"), ("stance", "context"), ("note", "x\u{0}y")]),
            ("verdict", vec![("rating", "false"), ("explanation", "nul\u{0}here")]),
            ("dismiss", vec![("reason", "bell\u{7}")]),
        ] {
            let r = act(&web, claim, action, &fields);
            assert_eq!(r.status, 400, "{action}: {}", r.body);
        }
        let api_verdict = api.post_json(
            &format!("/api/v1/claims/{claim}/verdict"),
            &json!({ "version": version_before, "rating": "false", "explanation": "a\u{0}b" }),
        );
        assert_eq!(api_verdict.status, 400, "{}", api_verdict.body);
        let after = api.get(&format!("/api/v1/claims/{claim}")).json();
        assert_eq!(after["claim"]["version"], version_before, "nothing changed");
        assert!(after["evidence"].as_array().unwrap().is_empty());

        // Every answer carries the policy.
        for r in [web.get("/queue"), web.get(&format!("/documents/{old}")), api.get("/api/v1/documents"), server.client().get("/login")] {
            let csp = r.csp.expect("a Content-Security-Policy header");
            for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
                assert!(csp.contains(directive), "{csp}");
            }
            assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        }

        // CSV cells a spreadsheet would run are neutralised, end to end.
        let formula = "=cmd|' /C calc'!A0";
        let source = json!({ "url": "https://records.example/source", "stance": "refutes" });
        assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/evidence"), &source).status, 200);
        let version = after["claim"]["version"].clone();
        let resolved = api.post_json(
            &format!("/api/v1/claims/{claim}/verdict"),
            &json!({ "version": version, "rating": "false", "explanation": formula }),
        );
        assert_eq!(resolved.status, 200, "{}", resolved.body);
        let version = resolved.json()["claim"]["version"].clone();
        let published = api.post_json(&format!("/api/v1/claims/{claim}/publish"), &json!({ "version": version }));
        assert_eq!(published.status, 200, "{}", published.body);
        let csv = web.get(&format!("/reports/documents/{old}?format=csv"));
        assert_eq!(csv.status, 200, "{}", csv.body);
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let explanation = headers.iter().position(|h| h == "explanation").unwrap();
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[explanation], "'=cmd|' /C calc'!A0");
        // The Markdown report of the document whose URL was made unsafe.
        let md =
            claimdesk(&["report", "--document", &old.to_string(), "--format", "md", "--base-url", "https://c.example", "--database", &db]);
        let md = String::from_utf8_lossy(&md.stdout);
        assert!(md.contains("javascript:alert") && !md.contains("](javascript"), "{md}");
    }
}

#[test]
fn deeply_nested_html_is_refused_quickly_and_the_server_stays_up() {
    let db = &databases("nested")[0];
    let server = Server::start(db, &[]);
    let admin = server.admin();
    let nested = |n: usize| format!("<html><body>{}The council said costs doubled.{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
    let hostile = nested(200_000);
    // Two at once: before the fix, two such uploads starved a two-worker
    // server for minutes.
    let uploads: Vec<_> = (0..2)
        .map(|_| {
            let base = server.base.clone();
            let cookie = admin.cookie().unwrap();
            let token = admin.csrf();
            let hostile = hostile.clone();
            std::thread::spawn(move || {
                Client::with_cookie(&base, &cookie).post_multipart(
                    "/documents",
                    &[("csrf_token", &token)],
                    Some(("deep.html", hostile.as_bytes())),
                )
            })
        })
        .collect();
    let health = server.client().get("/healthz");
    assert_eq!(health.status, 200, "the server answers while the uploads are refused");
    for upload in uploads {
        let r = upload.join().unwrap();
        assert_eq!(r.status, 400, "{}", &r.body[..r.body.len().min(500)]);
        assert!(r.body.contains("document too deeply nested"), "{}", &r.body[..r.body.len().min(2000)]);
    }
    // Nesting within the limit still ingests.
    let fine = admin.post_multipart("/documents", &[("csrf_token", &admin.csrf())], Some(("ok.html", nested(200).as_bytes())));
    assert_eq!(fine.status, 303, "{}", fine.body);
    // The CLI says the same and goes on with the next file.
    let dir = temp_dir("hard-nested-cli");
    std::fs::write(dir.join("a-deep.html"), &hostile).unwrap();
    std::fs::write(dir.join("b-fine.html"), nested(10).replace("doubled", "tripled")).unwrap();
    let out = claimdesk(&["ingest", dir.to_str().unwrap(), "--database", db]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("document too deeply nested: HTML elements nest 200000 deep, over the limit of 256"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("stored\t") && l.ends_with("b-fine.html")), "{stdout}");
}

#[test]
fn sessions_end_on_logout_password_reset_role_change_and_deactivation() {
    for db in databases("sessions") {
        let server = Server::start(&db, &[]);
        let admin = server.admin();
        add_user(&db, "sam", "checker", &password_of("sam"));
        let users_page = admin.get("/users").body;
        let sam_id = users_page.split("action=\"/users/").find_map(|s| {
            let (id, rest) = s.split_once('"')?;
            rest.split("</form>").next()?.contains("sam").then(|| id.to_owned())
        });
        let sam_id = sam_id.expect("sam's row on /users");
        let login = || {
            let c = server.client();
            c.login("sam", &password_of("sam"));
            c
        };
        let alive = |c: &Client| c.get("/queue").status == 200;
        let update = |fields: &[(&str, &str)]| {
            let mut all = vec![("csrf_token", admin.csrf())];
            all.extend(fields.iter().map(|(k, v)| (*k, (*v).to_owned())));
            let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = admin.post_form(&format!("/users/{sam_id}"), &all);
            assert_eq!(r.status, 303, "{}", r.body);
        };

        // A cookie copied before logout is dead after it.
        let sam = login();
        let copy = Client::with_cookie(&server.base, &sam.cookie().unwrap());
        assert!(alive(&copy));
        let token = csrf_in(&sam.get("/logout").body).unwrap();
        assert_eq!(sam.post_form("/logout", &[("csrf_token", &token)]).status, 303);
        let after = copy.get("/queue");
        assert_eq!(after.status, 303, "the copied cookie no longer works");
        assert!(after.location.unwrap().starts_with("/login"));

        // Logging out one session leaves another (another browser) alone.
        let (one, two) = (login(), login());
        let token = csrf_in(&one.get("/logout").body).unwrap();
        one.post_form("/logout", &[("csrf_token", &token)]);
        assert!(alive(&two), "only that session ended");

        // A password reset ends every session of the user.
        update(&[("role", "checker"), ("active", "true"), ("password", "a-brand-new-password")]);
        assert!(!alive(&two), "old session after a password reset");
        let sam = server.client();
        sam.login("sam", "a-brand-new-password");
        assert!(alive(&sam));
        // So does a role change.
        update(&[("role", "editor"), ("active", "true"), ("password", "")]);
        assert!(!alive(&sam), "old session after a role change");
        let sam = server.client();
        sam.login("sam", "a-brand-new-password");
        // Saving the same role and state changes nothing.
        update(&[("role", "editor"), ("active", "true"), ("password", "")]);
        assert!(alive(&sam));

        // Deactivation ends sessions and revokes API tokens for good.
        let api = Client::with_token(&server.base, &server.token("sam"));
        assert_eq!(api.get("/api/v1/documents").status, 200);
        update(&[("role", "editor"), ("active", "false"), ("password", "")]);
        assert!(!alive(&sam));
        assert_eq!(api.get("/api/v1/documents").status, 401);
        update(&[("role", "editor"), ("active", "true"), ("password", "")]);
        assert_eq!(api.get("/api/v1/documents").status, 401, "reactivation does not revive old tokens");
        let fresh = server.client();
        fresh.login("sam", "a-brand-new-password");
        assert!(alive(&fresh), "the user may log in again");
    }
}

#[test]
fn sessions_time_out_when_idle_and_after_their_lifetime() {
    for db in databases("timeouts") {
        let idle = Server::start(&db, &["--session-idle", "2", "--session-lifetime", "600"]);
        let admin = idle.admin();
        assert_eq!(admin.get("/queue").status, 200);
        std::thread::sleep(Duration::from_millis(3200));
        assert_eq!(admin.get("/queue").status, 303, "idle for longer than --session-idle");
        drop(idle);

        let lifetime = Server::start(&db, &["--session-idle", "600", "--session-lifetime", "3"]);
        let admin = lifetime.user("tess", "checker");
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(2000) {
            assert_eq!(admin.get("/queue").status, 200, "busy, and within the lifetime");
            std::thread::sleep(Duration::from_millis(400));
        }
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(admin.get("/queue").status, 303, "past --session-lifetime, however busy");
    }
}

#[test]
fn login_sends_only_to_paths_on_this_site() {
    let db = &databases("redirect")[0];
    let server = Server::start(db, &[]);
    for hostile in [
        "/%09/evil.example/", "/%0a/evil.example/", "/%0d%0aSet-Cookie:%20x=1", "/%0b/evil.example/", "//evil.example/",
        "https://evil.example/", "/\\evil.example",
    ] {
        let page = server.client().get(&format!("/login?next={hostile}"));
        assert_eq!(page.status, 200, "{hostile}: {}", page.body);
        assert!(page.body.contains("name=\"next\" value=\"/queue\""), "{hostile} becomes the queue");
    }
    add_user(db, "nora", "checker", &password_of("nora"));
    for (next, expected) in [("//evil.example/", "/queue"), ("https://evil.example/x", "/queue"), ("/claims/1?x=1", "/claims/1?x=1")] {
        let c = server.client();
        let token = csrf_in(&c.get("/login").body).unwrap();
        let r = c.post_form("/login", &[("csrf_token", &token), ("name", "nora"), ("password", &password_of("nora")), ("next", next)]);
        assert_eq!((r.status, r.location.as_deref()), (303, Some(expected)), "{next}");
    }
    // Tab, line feeds and other control characters: the queue (a tab or a
    // line break passes the text policy; \x0b does not, and is a 400).
    for (next, status) in [("/\t/evil.example/", 303), ("/\r\n/evil.example/", 303), ("/\u{b}/evil.example/", 400)] {
        let c = server.client();
        let token = csrf_in(&c.get("/login").body).unwrap();
        let r = c.post_form("/login", &[("csrf_token", &token), ("name", "nora"), ("password", &password_of("nora")), ("next", next)]);
        assert_eq!(r.status, status, "{next:?}: {}", r.body);
        if status == 303 {
            assert_eq!(r.location.as_deref(), Some("/queue"), "{next:?}");
        }
    }
}

/// `curl` from another loopback address (127.0.0.2): another client
/// address for the throttle.
fn login_from(base: &str, address: &str, name: &str, password: &str) -> u16 {
    let jar = temp_dir(&format!("curl-{address}-{}", std::process::id())).join("jar");
    let run = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .args(["-s", "--interface", address, "-b", jar.to_str().unwrap(), "-c", jar.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "curl: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let page = run(&[&format!("{base}/login")]);
    let token = csrf_in(&page).unwrap();
    let status = run(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "--data-urlencode",
        &format!("csrf_token={token}"),
        "--data-urlencode",
        &format!("name={name}"),
        "--data-urlencode",
        &format!("password={password}"),
        &format!("{base}/login"),
    ]);
    status.trim().parse().unwrap()
}

#[test]
fn login_throttling_is_per_address_atomic_and_folds_names() {
    for db in databases("throttle") {
        let server = Server::start(&db, &[]);
        add_user(&db, "rita", "checker", &password_of("rita"));
        // 32 wrong passwords at once from one address: at most five are
        // checked, the rest refused.
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..32)
                .map(|_| {
                    scope.spawn(|| {
                        let c = server.client();
                        let token = csrf_in(&c.get("/login").body).unwrap();
                        c.post_form("/login", &[("csrf_token", &token), ("name", "rita"), ("password", "wrong-password")]).status
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 27, "{statuses:?}");
        // This address is now refused even with the right password…
        let c = server.client();
        let token = csrf_in(&c.get("/login").body).unwrap();
        let r = c.post_form("/login", &[("csrf_token", &token), ("name", "rita"), ("password", &password_of("rita"))]);
        assert_eq!(r.status, 429);
        // …but the real user, from another address, gets in.
        assert_eq!(login_from(&server.base, "127.0.0.2", "rita", &password_of("rita")), 303);
        // Names are compared after NFKC case folding.
        assert_eq!(login_from(&server.base, "127.0.0.3", "RITA", &password_of("rita")), 303);
        assert_eq!(login_from(&server.base, "127.0.0.3", "ＲＩＴＡ", &password_of("rita")), 303);

        // Look-alike and case-variant names are refused at creation.
        let admin = server.admin();
        for name in ["ADMIN", "\u{430}dmin", "Rita", "r\u{456}ta"] {
            let r = admin
                .post_form("/users", &[("csrf_token", &admin.csrf()), ("name", name), ("role", "checker"), ("password", "0123456789ab")]);
            assert_eq!(r.status, 400, "{name}: {}", r.status);
        }
        let out = claimdesk(&["user", "add", "\u{430}dmin", "--role", "admin", "--password-stdin", "--database", &db]);
        assert!(!out.status.success(), "the CLI refuses a look-alike too");
        let users = admin.get("/users").body;
        assert!(!users.contains("\u{430}dmin"));
    }
}

#[test]
fn concurrent_duplicate_ingest_is_a_duplicate_never_an_error() {
    for db in databases("race") {
        let server = Server::start(&db, &[]);
        server.user("dora", "checker");
        let token = server.token("dora");
        let body = "The tender drew two bidders, according to sources familiar with the tender. Costs rose 30% in a year.";
        let statuses: Vec<(u16, i64)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    scope.spawn(|| {
                        let r = Client::with_token(&server.base, &token).post_json("/api/v1/documents", &json!({ "body": body }));
                        (r.status, r.json()["id"].as_i64().unwrap_or(-1))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(statuses.iter().filter(|(s, _)| *s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|(s, _)| *s == 200).count(), 15, "{statuses:?}");
        assert!(statuses.windows(2).all(|w| w[0].1 == w[1].1), "all name one document: {statuses:?}");

        // Two `claimdesk ingest` processes over the same files.
        let dir = temp_dir(&format!("hard-race-{}", db.len()));
        for i in 0..20 {
            std::fs::write(dir.join(format!("{i:02}.txt")), format!("Article {i}: the harbour fee rose {i}% last year, officials said."))
                .unwrap();
        }
        let spawn = || {
            std::process::Command::new(claimdesk_tests::claimdesk_bin())
                .args(["ingest", dir.to_str().unwrap(), "--database", &db])
                .env_remove("CLAIMDESK_PLUGINS")
                .env("CLAIMDESK_PROFILE", "fast")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        for out in [&a, &b] {
            assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        let stored = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("stored\t")).count();
        let duplicate =
            |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).lines().filter(|l| l.starts_with("duplicate\t")).count();
        assert_eq!(stored(&a) + stored(&b), 20, "each file stored once");
        assert_eq!(duplicate(&a) + duplicate(&b), 20);
    }
}

#[test]
fn a_failing_plugin_shows_its_failures_on_the_plugins_page() {
    let faulty = claimdesk_tests::plugin_dir("hard-faulty", &[claimdesk_tests::isolated_plugin("claimdesk-testplugin-misbehave")]);
    let db = &databases("plugins")[0];
    let server = Server::start(db, &["--plugins", faulty.to_str().unwrap(), "--plugin-config", "misbehave=panic"]);
    let admin = server.admin();
    server.user("pia", "checker");
    let api = Client::with_token(&server.base, &server.token("pia"));
    for body in ["Costs doubled, officials said.", "Fares rose 9% in a year, critics say."] {
        ingest(&api, body, None);
    }
    let page = admin.get("/plugins").body;
    let section = page.split("<section class=\"plugin\">").skip(1).find(|s| s.contains("misbehave")).expect("misbehave is listed");
    assert!(section.contains("failing"), "{section}");
    // The demo articles and our two, every one a panic.
    let number_before = |marker: &str| -> u64 {
        let head = &section[..section.find(marker).unwrap_or_else(|| panic!("{marker:?} in {section}"))];
        head.trim_end().rsplit(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    let (runs, failures) = (number_before(" documents checked"), number_before(" failed</strong>"));
    assert!(runs >= 2 && failures == runs, "{runs} runs, {failures} failures: {section}");
    assert!(section.contains("deliberate panic in check"), "the last error is shown: {section}");
    let healthy = page.split("<section class=\"plugin\">").skip(1).find(|s| s.contains("<h2>vague")).expect("vague is listed");
    assert!(healthy.contains("0 failed") && !healthy.contains("failing"), "{healthy}");
}
