//! Explained scores on the claim page (detectors-that-generalise issue):
//! why the claim's sentence scored as it did, in plain words, and the
//! claims the desk already resolved that it resembles; on every database,
//! against the real binary with the real encoder.

use std::time::{Duration, Instant};

use claimdesk_tests::test_database_urls;

use super::{Client, Server, claim_in};

fn ingest(api: &Client, title: &str, body: &str) -> i64 {
    let resp = api.post_json("/api/v1/documents", &serde_json::json!({"title": title, "body": body}));
    assert!(resp.status == 200 || resp.status == 201, "{title}: {} {}", resp.status, resp.body);
    resp.json()["id"].as_i64().unwrap_or_default()
}

#[test]
fn the_claim_page_says_why_a_claim_scored_and_which_checked_claims_it_resembles() {
    for db in test_database_urls("web_explained") {
        let server = Server::start(&db, &["--profile", "desk"]);
        let checker = server.user("cara", "checker");
        let api = Client::with_token(&server.base, &server.token("cara"));
        let first = ingest(
            &api,
            "Depot audit",
            "The council spent £2.4 million on the new bus depot in Greenhaven, twice the budget it approved in 2022.\n",
        );
        let depot = claim_in(&api, first, "bus depot");
        let page = checker.get(&format!("/claims/{depot}")).body;
        assert!(page.contains("<dt>Check-worthiness</dt>"), "{db}: {page}");
        assert!(page.contains("Check-worthiness (sentence encoder)") && page.contains("a figure"), "{db}: the why, in plain words: {page}");

        // Resolve it; a later claim much like it then points back to it.
        let version = api.get(&format!("/api/v1/claims/{depot}")).json()["claim"]["version"].as_i64().unwrap_or_default();
        let evidence = serde_json::json!({ "url": "https://council.example/accounts-2024.pdf", "stance": "refutes" });
        assert_eq!(api.post_json(&format!("/api/v1/claims/{depot}/evidence"), &evidence).status, 200);
        let verdict = serde_json::json!({ "version": version, "rating": "false", "explanation": "The depot cost £1.3 million." });
        let resolved = api.post_json(&format!("/api/v1/claims/{depot}/verdict"), &verdict);
        assert_eq!(resolved.status, 200, "{db}: {}", resolved.body);
        let second = ingest(
            &api,
            "Depot follow-up",
            "Greenhaven council spent £2.4 million on its new bus depot, double the budget approved in 2022.\n",
        );
        let again = claim_in(&api, second, "bus depot");
        // The matcher stores the new claim's vector in the background.
        let deadline = Instant::now() + Duration::from_secs(60);
        let page = loop {
            let page = checker.get(&format!("/claims/{again}")).body;
            if page.contains("Similar to claims you found worth checking") || Instant::now() > deadline {
                break page;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(page.contains("Similar to claims you found worth checking"), "{db}: {page}");
        assert!(page.contains(&format!("<a href=\"/claims/{depot}\">#{depot}</a>")) && page.contains("(resolved, cosine"), "{db}: {page}");
        let first_page = checker.get(&format!("/claims/{depot}")).body;
        assert!(!first_page.contains(&format!("<a href=\"/claims/{depot}\">#{depot}</a>")), "{db}: a claim is not similar to itself");
    }
}
