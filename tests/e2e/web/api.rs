//! The JSON API with bearer tokens, and its OpenAPI document.

use super::{Client, servers};

#[test]
fn the_api_ingests_lists_and_runs_the_workflow() {
    for server in servers("api") {
        server.user("cleo", "checker");
        server.user("ed", "editor");
        let checker = Client::with_token(&server.base, &server.token("cleo"));
        let editor = Client::with_token(&server.base, &server.token("ed"));

        let body =
            "Harbour fees doubled last year, according to officials. The port authority says it is the busiest harbour in the north.";
        let doc = serde_json::json!({ "body": body, "title": "Harbour fees", "outlet": "Coast Post", "published": "2026-11-20", "url": "https://coast.example/fees" });
        let created = checker.post_json("/api/v1/documents", &doc);
        assert_eq!(created.status, 201, "{}", created.body);
        let created = created.json();
        let doc_id = created["id"].as_i64().unwrap();
        assert!(created["claims"].as_u64().unwrap() >= 2 && created["flags"].as_u64().unwrap() >= 2, "{created}");
        let again = checker.post_json("/api/v1/documents", &doc);
        assert_eq!((again.status, again.json()["duplicate"].as_bool(), again.json()["id"].as_i64()), (200, Some(true), Some(doc_id)));

        let listed = checker.get("/api/v1/documents?limit=2").json();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert_eq!(listed[0]["id"].as_i64(), Some(doc_id), "newest first");
        let detail = checker.get(&format!("/api/v1/documents/{doc_id}")).json();
        assert_eq!(detail["outlet"], "Coast Post");
        assert_eq!(detail["body"], body);

        let page = checker.get(&format!("/api/v1/claims?document={doc_id}&kind=anonymous_source")).json();
        let claims = page["claims"].as_array().unwrap();
        assert_eq!(claims.len(), 1, "{page}");
        assert!(claims[0]["text"].as_str().unwrap().contains("according to officials"));
        let id = claims[0]["id"].as_i64().unwrap();
        let v = claims[0]["version"].as_i64().unwrap();
        let outlet = checker.get("/api/v1/claims?outlet=Coast%20Post").json();
        assert_eq!(outlet["claims"].as_array().unwrap().len(), created["claims"].as_u64().unwrap() as usize);

        // Keyset pagination walks every claim exactly once.
        let mut seen = std::collections::HashSet::new();
        let mut after = String::new();
        loop {
            let page = checker.get(&format!("/api/v1/claims?limit=7{after}")).json();
            for c in page["claims"].as_array().unwrap() {
                assert!(seen.insert(c["id"].as_i64().unwrap()), "claim listed twice");
            }
            match page["next"].as_str() {
                Some(next) => after = format!("&after={next}"),
                None => break,
            }
        }
        let everything = checker.get("/api/v1/claims?limit=200").json()["claims"].as_array().unwrap().len();
        assert_eq!(seen.len(), everything);

        let assigned = checker.post_json(&format!("/api/v1/claims/{id}/assign"), &serde_json::json!({ "version": v, "to": "cleo" }));
        assert_eq!(assigned.status, 200, "{}", assigned.body);
        assert_eq!(assigned.json()["claim"]["assignee"], "cleo");
        let v = assigned.json()["claim"]["version"].as_i64().unwrap();
        let stale = checker.post_json(
            &format!("/api/v1/claims/{id}/verdict"),
            &serde_json::json!({ "version": v - 1, "rating": "false", "explanation": "x" }),
        );
        assert_eq!(stale.status, 409);
        assert!(stale.json()["message"].as_str().unwrap().contains("changed"));
        let evidence = serde_json::json!({ "url": "https://port.example/fees-2025.pdf", "stance": "refutes", "title": "Fee schedule" });
        assert_eq!(checker.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence).status, 200);
        let verdict = serde_json::json!({ "version": v, "rating": "mostly_false", "explanation": "Fees rose 60%, they did not double." });
        let resolved = checker.post_json(&format!("/api/v1/claims/{id}/verdict"), &verdict);
        assert_eq!(resolved.status, 200, "{}", resolved.body);
        let resolved = resolved.json();
        assert_eq!(resolved["claim"]["status"], "resolved");
        let v = resolved["claim"]["version"].as_i64().unwrap();
        let published = editor.post_json(&format!("/api/v1/claims/{id}/publish"), &serde_json::json!({ "version": v }));
        assert_eq!(published.status, 200);
        let got = checker.get(&format!("/api/v1/claims/{id}")).json();
        assert_eq!(got["claim"]["status"], "published");
        assert_eq!(got["evidence"][0]["title"], "Fee schedule");
        let actions: Vec<&str> = got["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["assign", "add_evidence", "start_review", "resolve", "publish"]);
        assert_eq!(got["history"][3]["detail"]["rating"], "mostly_false");
        assert!(!got["flags"].as_array().unwrap().is_empty());
    }
}

/// Every claim action the pages offer is in the API too, through the same
/// command executor, and every refusal carries a stable code.
#[test]
fn every_claim_action_is_in_the_api_with_coded_refusals() {
    for server in servers("api_actions") {
        server.user("cleo", "checker");
        server.user("ed", "editor");
        let checker = Client::with_token(&server.base, &server.token("cleo"));
        let editor = Client::with_token(&server.base, &server.token("ed"));
        let doc = serde_json::json!({ "body": "Ferry tickets tripled in price last spring, officials said." });
        let doc_id = checker.post_json("/api/v1/documents", &doc).json()["id"].as_i64().unwrap();
        let claim = &checker.get(&format!("/api/v1/claims?document={doc_id}")).json()["claims"][0];
        let id = claim["id"].as_i64().unwrap();
        assert_eq!(claim["claim_reviewed"], "Ferry tickets tripled in price last spring, officials said.");
        assert_eq!(claim["claim_reviewed_set"], false);
        let post =
            |client: &Client, action: &str, body: serde_json::Value| client.post_json(&format!("/api/v1/claims/{id}/{action}"), &body);
        let version = |resp: &super::Response| resp.json()["claim"]["version"].as_i64().unwrap();

        let started = post(&checker, "start", serde_json::json!({ "version": 0 }));
        assert_eq!((started.status, started.json()["claim"]["status"].as_str()), (200, Some("in_review")), "{}", started.body);
        let again = post(&checker, "start", serde_json::json!({ "version": version(&started) }));
        assert_eq!((again.status, again.json()["code"].as_str()), (409, Some("not_allowed_now")), "{}", again.body);
        let summarized =
            post(&checker, "summarize", serde_json::json!({ "version": version(&started), "text": "  Ferry tickets  tripled " }));
        assert_eq!(summarized.status, 200, "{}", summarized.body);
        assert_eq!(
            (summarized.json()["claim"]["claim_reviewed"].as_str(), summarized.json()["claim"]["claim_reviewed_set"].as_bool()),
            (Some("Ferry tickets tripled"), Some(true))
        );
        let too_long = post(&checker, "summarize", serde_json::json!({ "version": version(&summarized), "text": "x".repeat(76) }));
        assert_eq!((too_long.status, too_long.json()["code"].as_str()), (400, Some("bad_request")));
        let stale = post(&checker, "summarize", serde_json::json!({ "version": 0, "text": "old" }));
        assert_eq!((stale.status, stale.json()["code"].as_str()), (409, Some("stale_version")));
        // Evidence: added, corrected (with an archived copy), a wrong one deleted.
        let item = |url: &str| serde_json::json!({ "url": url, "stance": "refutes", "title": "Fares 2026" });
        let added = post(&checker, "evidence", item("https://fares.example/2026"));
        assert_eq!(added.status, 200, "{}", added.body);
        let first = added.json()["evidence"][0]["id"].as_i64().unwrap();
        let mut corrected = item("https://fares.example/2026/tickets");
        corrected["archived_url"] = serde_json::json!("https://archive.example/fares-2026");
        let edited = checker.put_json(&format!("/api/v1/claims/{id}/evidence/{first}"), &corrected);
        assert_eq!(edited.status, 200, "{}", edited.body);
        let e = &edited.json()["evidence"][0];
        assert_eq!(
            (e["url"].as_str(), e["archived_url"].as_str()),
            (Some("https://fares.example/2026/tickets"), Some("https://archive.example/fares-2026"))
        );
        let mut bad = corrected.clone();
        bad["archived_url"] = serde_json::json!("ftp://archive.example/x");
        let refused = checker.put_json(&format!("/api/v1/claims/{id}/evidence/{first}"), &bad);
        assert_eq!((refused.status, refused.json()["code"].as_str()), (400, Some("bad_request")), "{}", refused.body);
        let wrong = post(&checker, "evidence", item("https://wrong.example/x")).json()["evidence"][1]["id"].as_i64().unwrap();
        assert_eq!(checker.delete(&format!("/api/v1/claims/{id}/evidence/999999")).status, 404);
        let deleted = checker.delete(&format!("/api/v1/claims/{id}/evidence/{wrong}"));
        assert_eq!((deleted.status, deleted.json()["evidence"].as_array().unwrap().len()), (200, 1), "{}", deleted.body);
        let actions: Vec<String> =
            deleted.json()["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert!(actions.contains(&"edit_evidence".to_owned()) && actions.contains(&"delete_evidence".to_owned()), "{actions:?}");

        let verdict = serde_json::json!({ "version": version(&summarized), "rating": "false", "explanation": "Prices rose by a third." });
        let resolved = post(&checker, "verdict", verdict);
        assert_eq!(resolved.status, 200, "{}", resolved.body);
        // No second review on this installation: approving is refused.
        let approve = post(&editor, "approve", serde_json::json!({ "version": version(&resolved) }));
        assert_eq!((approve.status, approve.json()["code"].as_str()), (409, Some("not_allowed_now")), "{}", approve.body);
        let by_checker = post(&checker, "publish", serde_json::json!({ "version": version(&resolved) }));
        assert_eq!((by_checker.status, by_checker.json()["code"].as_str()), (403, Some("forbidden")), "{}", by_checker.body);
        let published = post(&editor, "publish", serde_json::json!({ "version": version(&resolved) }));
        assert_eq!(published.json()["claim"]["status"], "published", "{}", published.body);
        let reopen_by_checker = post(&checker, "reopen", serde_json::json!({ "version": version(&published) }));
        assert_eq!(reopen_by_checker.status, 403, "a published claim is reopened by an editor");
        let unpublished = post(&editor, "unpublish", serde_json::json!({ "version": version(&published) }));
        assert_eq!(unpublished.json()["claim"]["status"], "resolved", "{}", unpublished.body);
        let reopened = post(&checker, "reopen", serde_json::json!({ "version": version(&unpublished) }));
        assert_eq!(reopened.json()["claim"]["status"], "in_review", "{}", reopened.body);
        let actions: Vec<String> =
            reopened.json()["history"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
        assert_eq!(
            actions,
            [
                "start_review", "summarize", "add_evidence", "edit_evidence", "add_evidence", "delete_evidence", "resolve", "publish",
                "unpublish", "reopen"
            ]
        );
        let missing = checker.post_json("/api/v1/claims/999999/start", &serde_json::json!({ "version": 0 }));
        assert_eq!((missing.status, missing.json()["code"].as_str()), (404, Some("not_found")));
        let anonymous = Client::new(&server.base).post_json(&format!("/api/v1/claims/{id}/start"), &serde_json::json!({ "version": 0 }));
        assert_eq!((anonymous.status, anonymous.json()["code"].as_str()), (401, Some("unauthorized")));
    }
}

#[test]
fn the_api_refuses_malformed_requests_with_json_errors() {
    let server = super::Server::start(&claimdesk_tests::test_database_urls("web_api_bad")[0], &[]);
    let api = Client::with_token(&server.base, &server.token("admin"));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("/api/v1/documents", b"{not json".to_vec()),
        ("/api/v1/documents", br#"{"body": "  "}"#.to_vec()),
        ("/api/v1/documents", br#"{"body": "x", "colour": "red"}"#.to_vec()),
        ("/api/v1/documents", br#"{"body": "Prices doubled.", "published": "soon"}"#.to_vec()),
        ("/api/v1/documents", br#"{"body": "Prices doubled.", "url": "javascript:alert(1)"}"#.to_vec()),
        ("/api/v1/claims/1/verdict", br#"{"version": "one"}"#.to_vec()),
        ("/api/v1/claims/1/verdict", br#"{"version": 0, "rating": "nope", "explanation": "x"}"#.to_vec()),
        ("/api/v1/claims/1/evidence", br#"{"url": "x", "stance": "supports"}"#.to_vec()),
    ];
    for (path, body) in cases {
        let resp = api.post_raw(path, "application/json", body.clone());
        assert_eq!(resp.status, 400, "{path} {}: {}", String::from_utf8_lossy(&body), resp.body);
        assert!(resp.json()["message"].is_string());
    }
    assert_eq!(api.get("/api/v1/claims?status=everything").status, 400);
    assert_eq!(api.get("/api/v1/claims?limit=-3").status, 400);
}

#[test]
fn the_openapi_document_describes_every_route() {
    let server = super::Server::start(&claimdesk_tests::test_database_urls("web_openapi")[0], &[]);
    let doc = server.client().get("/api/v1/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/documents", "get"),
        ("/api/v1/documents", "post"),
        ("/api/v1/documents/{id}", "get"),
        ("/api/v1/claims", "get"),
        ("/api/v1/claims/{id}", "get"),
        ("/api/v1/claims/{id}/assign", "post"),
        ("/api/v1/claims/{id}/evidence", "post"),
        ("/api/v1/claims/{id}/evidence/{evidence}", "put"),
        ("/api/v1/claims/{id}/evidence/{evidence}", "delete"),
        ("/api/v1/claims/{id}/verdict", "post"),
        ("/api/v1/claims/{id}/dismiss", "post"),
        ("/api/v1/claims/{id}/publish", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} missing");
    }
    let params: Vec<&str> =
        paths["/api/v1/claims"]["get"]["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for name in ["status", "kind", "plugin", "rule", "assignee", "document", "outlet", "q", "order", "after", "limit"] {
        assert!(params.contains(&name), "claims list lacks parameter {name}: {params:?}");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(doc["components"]["schemas"]["ClaimOut"]["properties"]["version"].is_object());
}
