//! Claim matching over HTTP (#12): the API endpoints, the claim page's
//! "Checked before" panel and the status on /plugins, on every database,
//! with the library imported by the real binary before the server starts.

use claimdesk_tests::{fixture, temp_dir, test_database_urls};

use super::{Client, Server, claim_id_with};

fn import(db: &str) {
    let checks = fixture("library/checks.json").display().to_string();
    let out = crate::claimdesk(&["import", "fact-checks", &checks, "--database", db]);
    assert_eq!(out.status.code(), Some(1), "one record of the fixture is refused: {}", crate::stderr(&out));
}

#[test]
fn the_api_and_the_claim_page_find_earlier_fact_checks() {
    for db in test_database_urls("web_matching") {
        import(&db);
        let server = Server::start(&db, &[]);
        server.user("matcher", "checker");
        let api = Client::with_token(&server.base, &server.token("matcher"));
        let found =
            api.post_json("/api/v1/match", &serde_json::json!({"text": "the bridge over the harbour cost double its budget", "top": 2}));
        assert_eq!(found.status, 200, "{}", found.body);
        let json = found.json();
        assert_eq!(json["matches"][0]["url"], "https://checks.example/bridge-budget", "{json}");
        assert_eq!(json["matches"][0]["rating"], "Mostly true");
        assert!(json["matches"].as_array().map_or(0, Vec::len) <= 2);
        assert_eq!(json["truncated"], false);

        // Blank text: nothing, no error. Non-English: matched, and flagged.
        let blank = api.post_json("/api/v1/match", &serde_json::json!({"text": "   "}));
        assert_eq!((blank.status, blank.json()["matches"].as_array().map(Vec::len)), (200, Some(0)));
        let french = api.post_json(
            "/api/v1/match",
            &serde_json::json!({"text": "Le nouveau pont du port a coûté deux fois son budget initial, selon la mairie."}),
        );
        assert_eq!(french.status, 200);
        assert_eq!(french.json()["language"], "French", "{}", french.body);
        // Bad input is a 400 with a code, not a panic.
        for bad in [serde_json::json!({"text": "x", "top": 0}), serde_json::json!({"text": "x", "top": 51}), serde_json::json!({"top": 3})]
        {
            let resp = api.post_json("/api/v1/match", &bad);
            assert_eq!(resp.status, 400, "{bad}: {}", resp.body);
        }
        let long = api.post_json("/api/v1/match", &serde_json::json!({"text": "word ".repeat(3000)}));
        assert_eq!(long.status, 400);

        // A claim's matches, and the panel on its page.
        let admin = server.admin();
        let id = claim_id_with(&admin, "");
        let matches = api.get(&format!("/api/v1/claims/{id}/matches?top=3"));
        assert_eq!(matches.status, 200, "{}", matches.body);
        assert!(matches.json()["matches"].as_array().is_some_and(|m| m.len() <= 3));
        assert_eq!(api.get("/api/v1/claims/999999/matches").status, 404);
        let page = admin.get(&format!("/claims/{id}"));
        assert!(page.body.contains("id=\"checked-before\""), "{}", page.body);
        let plugins = admin.get("/plugins");
        assert!(plugins.body.contains("On: all-MiniLM-L6-v2 over 4 library item(s)"), "{}", plugins.body);

        // A published claim joins the library with its verdict; unpublished, it leaves.
        server.user("edna", "editor");
        let editor = Client::with_token(&server.base, &server.token("edna"));
        let claim = editor.get(&format!("/api/v1/claims/{id}")).json()["claim"].clone();
        let text = claim["text"].as_str().unwrap_or_default().to_owned();
        let step = |action: &str, body: serde_json::Value| {
            let version = editor.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].clone();
            let mut body = body;
            body["version"] = version;
            let resp = editor.post_json(&format!("/api/v1/claims/{id}/{action}"), &body);
            assert_eq!(resp.status, 200, "{action}: {}", resp.body);
        };
        let evidence = serde_json::json!({ "url": "https://records.example/fees", "stance": "refutes" });
        assert_eq!(editor.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence).status, 200);
        step("verdict", serde_json::json!({"rating": "false", "explanation": "The records say otherwise."}));
        step("publish", serde_json::json!({}));
        let own = |api: &Client| {
            let found = api.post_json("/api/v1/match", &serde_json::json!({"text": text, "top": 5})).json();
            found["matches"].as_array().cloned().unwrap_or_default().into_iter().find(|m| m["claim_id"] == id)
        };
        let ours = own(&api).unwrap_or_else(|| panic!("{db}: the published claim is in the library"));
        assert_eq!(ours["rating"], "False");
        // Its own matches leave it out: it is no earlier check of itself.
        let itself = api.get(&format!("/api/v1/claims/{id}/matches")).json();
        assert!(!itself["matches"].as_array().is_some_and(|m| m.iter().any(|m| m["claim_id"] == id)), "{itself}");
        step("unpublish", serde_json::json!({}));
        assert!(own(&api).is_none(), "{db}: an unpublished claim leaves the library");
    }
}

#[test]
fn without_an_encoder_matching_is_off_and_everything_else_works() {
    let dir = temp_dir("web-no-encoder");
    let db = format!("sqlite://{}?mode=rwc", dir.join("x.db").display());
    let missing = dir.join("no-model").display().to_string();
    let server = Server::start(&db, &["--encoder", &missing]);
    let admin = server.admin();
    let plugins = admin.get("/plugins");
    assert!(plugins.body.contains("Off: <code>") && plugins.body.contains("config.json"), "{}", plugins.body);
    server.user("matcher", "checker");
    let api = Client::with_token(&server.base, &server.token("matcher"));
    let off = api.post_json("/api/v1/match", &serde_json::json!({"text": "anything"}));
    assert_eq!(off.status, 503, "{}", off.body);
    assert_eq!(off.json()["code"], "unavailable");
    let id = claim_id_with(&admin, "");
    let page = admin.get(&format!("/claims/{id}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Matching is unavailable"));
}

#[test]
fn admins_import_fact_checks_on_the_library_page() {
    for db in test_database_urls("web_library_page") {
        let server = Server::start(&db, &[]);
        let admin = server.admin();
        let page = admin.get("/library");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("0 fact-check(s) in the library"), "{}", page.body);
        let token = super::csrf_in(&page.body).unwrap_or_default();
        let bytes = std::fs::read(fixture("library/checks.json")).unwrap_or_default();
        let done = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("checks.json", &bytes)));
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("checks.json: 4 added, 0 updated, 1 refused."), "{}", done.body);
        assert!(done.body.contains("Refused: record 5: no url and no @id"), "{}", done.body);
        let again = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("checks.json", &bytes)));
        assert!(again.body.contains("0 added, 4 updated"), "{}", again.body);
        // Encoded in the background, then found by the API.
        server.user("reader", "checker");
        let api = Client::with_token(&server.base, &server.token("reader"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let first = || {
            api.post_json("/api/v1/match", &serde_json::json!({"text": "flu shots put tracking microchips in people", "top": 1})).json()
                ["matches"][0]["url"]
                .clone()
        };
        while first() != "https://checks.example/vaccine-chips" && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        assert_eq!(first(), "https://checks.example/vaccine-chips");
        // Bad files and other roles.
        let junk = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("x.json", b"{\"a\": ")));
        assert_eq!(junk.status, 400);
        assert!(junk.body.contains("x.json cannot be imported: not JSON"), "{}", junk.body);
        let none = admin.post_multipart("/library", &[("csrf_token", &token)], None);
        assert_eq!(none.status, 400);
        let checker = server.user("cid", "checker");
        assert_eq!(checker.get("/library").status, 403);
        let forged = admin.post_multipart("/library", &[("csrf_token", "forged")], Some(("checks.json", &bytes)));
        assert_ne!(forged.status, 200);
    }
}
