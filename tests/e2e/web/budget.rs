//! The query budget (#31): each main page view and API read issues the
//! SQL statements its route declares (`Routes::budget`, beside the route),
//! no more and no fewer, on SQLite and PostgreSQL. Counted by the server
//! itself (`serve --server-timing` says each request's statements in its
//! `Server-Timing` header), with the per-node caches warm: each address is
//! viewed three times in a row and the fewest count.

use std::collections::BTreeMap;

use claimdesk_tests::test_database_urls;
use serde_json::json;

use super::{Client, Server};

/// The statements of one request, from its `Server-Timing` header.
fn statements(client: &Client, path: &str) -> u32 {
    let resp = client.get(path);
    assert_eq!(resp.status, 200, "{path}: {}", resp.body);
    let timing = resp.header("server-timing").unwrap_or_else(|| panic!("{path}: no Server-Timing header"));
    let desc = timing.split("desc=\"").nth(1).unwrap_or_else(|| panic!("{path}: {timing}"));
    desc.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{path}: {timing}"))
}

/// Fewest statements over three views in a row: the caches warm.
fn warm_statements(client: &Client, path: &str) -> u32 {
    (0..3).map(|_| statements(client, path)).min().unwrap()
}

#[test]
fn every_main_view_keeps_to_its_query_budget() {
    let table = claimdesk_server::route_table();
    let budgets: BTreeMap<String, u32> = table.iter().filter_map(|r| Some((r.path.clone(), r.statements?))).collect();
    for db in test_database_urls("query_budget") {
        let server = Server::start(&db, &["--server-timing"]);
        let web = server.user("eda", "editor");
        let api = Client::with_token(&server.base, &server.token("eda"));
        // A desk with a bit of everything the pages show: the demo
        // articles, a published fact-check with evidence, a note that
        // notifies, a saved view.
        let created = api.post_json(
            "/api/v1/documents",
            &json!({ "body": "The council said the ferry costs $4 million a year, twice what it cost in 2019.", "title": "Ferry", "outlet": "Harbour Post" }),
        );
        assert_eq!(created.status, 201, "{}", created.body);
        let document = created.json()["id"].as_i64().unwrap();
        let claim = api.get(&format!("/api/v1/documents/{document}")).json()["claims"][0]["id"].as_i64().unwrap();
        let version = |id: i64| api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].clone();
        let evidence = json!({ "url": "https://records.example/ferry", "stance": "refutes" });
        assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/evidence"), &evidence).status, 200);
        let verdict = json!({ "version": version(claim), "rating": "false", "explanation": "The ledger says $2 million." });
        assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/verdict"), &verdict).status, 200);
        let published = api.post_json(&format!("/api/v1/claims/{claim}/publish"), &json!({ "version": version(claim) }));
        assert_eq!(published.status, 200, "{}", published.body);
        server.user("bob", "checker");
        assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/notes"), &json!({ "body": "Seen this, @bob?" })).status, 201);
        let token = web.csrf();
        let saved = web.post_form("/views", &[("csrf_token", &token), ("name", "Hedges"), ("query", "kind=hedge")]);
        assert_eq!(saved.status, 303, "{}", saved.body);

        let reader = server.client();
        let views: Vec<(&str, String, &Client)> = vec![
            ("/queue", "/queue".to_owned(), &web),
            ("/queue", "/queue?kind=hedge&assignee=none&q=the".to_owned(), &web),
            ("/queue", "/queue?status=any&order=age&matched=strong&copies=yes&evidence=yes".to_owned(), &web),
            ("/claims/{id}", format!("/claims/{claim}"), &web),
            ("/documents", "/documents".to_owned(), &web),
            ("/documents/{id}", format!("/documents/{document}"), &web),
            ("/dashboard", "/dashboard".to_owned(), &web),
            ("/notifications", "/notifications".to_owned(), &web),
            ("/reports", "/reports".to_owned(), &web),
            ("/fact-checks", "/fact-checks".to_owned(), &reader),
            ("/fact-checks/{id}", format!("/fact-checks/{claim}"), &reader),
            ("/api/v1/claims", "/api/v1/claims".to_owned(), &api),
            ("/api/v1/claims", "/api/v1/claims?status=open&kind=hedge".to_owned(), &api),
            ("/api/v1/claims/{id}", format!("/api/v1/claims/{claim}"), &api),
        ];
        let mut most: BTreeMap<&str, (u32, String)> = BTreeMap::new();
        for (route, path, client) in &views {
            let n = warm_statements(client, path);
            let entry = most.entry(route).or_insert((0, String::new()));
            if n >= entry.0 {
                *entry = (n, path.clone());
            }
        }
        let mut problems = Vec::new();
        for (route, (n, path)) in &most {
            match budgets.get(*route) {
                None => problems.push(format!("{route} declares no budget (`.budget(N)` beside the route); {path} issues {n}")),
                Some(budget) if n > budget => problems.push(format!("{route}: {path} issues {n} statements, over its budget of {budget}")),
                Some(budget) if n < budget => {
                    problems.push(format!("{route}: at most {n} statements ({path}), under its budget of {budget}: lower the budget"))
                }
                Some(_) => {}
            }
        }
        for route in budgets.keys() {
            if !most.contains_key(route.as_str()) {
                problems.push(format!("{route} has a budget but this test views no address of it"));
            }
        }
        assert!(problems.is_empty(), "{db}:\n{}", problems.join("\n"));
    }
}
