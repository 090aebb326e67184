//! The desk's memory over HTTP (#12): claims matched at ingest (queue chip
//! and filter), the same claim in several documents (chip, filter, list,
//! bulk "resolve as duplicates"), "Use this verdict", and documents
//! recognised again despite line endings or a new headline, on every
//! database, against the real binary with the real encoder.

use std::time::{Duration, Instant};

use claimdesk_tests::{fixture, test_database_urls};

use super::{Client, Server, claim_in, csrf_in};

const BRIDGE: &str = "The new harbour bridge cost twice its original budget of $40 million, the audit office said on Monday.";

fn audit() -> String {
    format!(
        "Audit office questions harbour spending\n\n{BRIDGE} Officials had promised the works would be finished in 2021. \
         The final bill reached $81 million after two redesigns and a long delay. Councillor Mara Vint said the overrun \
         was the largest in the history of the city. The mayor's office said every payment had been approved by the council.\n"
    )
}

fn election() -> String {
    format!(
        "Council election: what the candidates say\n\nVoters will choose a new council in March after a bitter campaign. \
         {BRIDGE} Candidate Ivo Brandt promised to cut the transport department's staff by 200 people. Turnout in the last \
         election was 38 percent, the lowest since 1990.\n"
    )
}

fn ingest(api: &Client, title: &str, body: &str) -> serde_json::Value {
    let resp = api.post_json("/api/v1/documents", &serde_json::json!({"title": title, "body": body}));
    assert!(resp.status == 200 || resp.status == 201, "{title}: {} {}", resp.status, resp.body);
    resp.json()
}

#[test]
fn the_desk_remembers_claims_and_documents() {
    for db in test_database_urls("web_memory") {
        let checks = fixture("library/checks.json").display().to_string();
        crate::claimdesk(&["import", "fact-checks", &checks, "--database", &db]);
        let server = Server::start(&db, &[]);
        let checker = server.user("cara", "checker");
        let editor = server.user("edna", "editor");
        let api = Client::with_token(&server.base, &server.token("cara"));
        let a = ingest(&api, "Harbour audit", &audit())["id"].as_i64().unwrap_or_default();
        let b = ingest(&api, "Election guide", &election())["id"].as_i64().unwrap_or_default();
        let (in_a, in_b) = (claim_in(&api, a, "harbour bridge"), claim_in(&api, b, "harbour bridge"));

        // Matched at ingest, in the background: the queue's chip and filter.
        let deadline = Instant::now() + Duration::from_secs(60);
        // (The two copies are one row: whichever the queue lists first.)
        let strong = || checker.get("/queue?matched=strong").body;
        let listed = |queue: &str| [in_a, in_b].into_iter().find(|id| queue.contains(&format!("data-href=\"/claims/{id}\"")));
        while listed(&strong()).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(250));
        }
        let queue = strong();
        let shown = listed(&queue).unwrap_or(in_a);
        assert!(queue.contains(&format!("href=\"/claims/{shown}#checked-before\"")), "{db}: strong-match chip: {queue}");
        assert!(!queue.contains("Voters will choose"), "{db}: only strong matches are listed");
        assert_eq!(checker.get("/queue?matched=weak").status, 400);

        // The same claim in two documents: chip, filter, list on the claim page.
        let copies = checker.get("/queue?copies=yes").body;
        let chip = |id: i64| format!("href=\"/claims/{id}#copies\">also in 1 document<");
        assert!(copies.contains(&chip(in_a)) != copies.contains(&chip(in_b)), "{db}: one row, with its chip: {copies}");
        assert!(!copies.contains("Turnout in the last"), "{db}: claims without copies are filtered out");
        // The queue groups the copies: one row, the other reached through it.
        let queue = checker.get("/queue").body;
        let rows = [in_a, in_b].iter().filter(|id| queue.contains(&format!("data-href=\"/claims/{id}\""))).count();
        assert_eq!(rows, 1, "{db}: one row for the two copies: {queue}");
        let page = checker.get(&format!("/claims/{in_b}")).body;
        assert!(page.contains("Also in 1 other document") && page.contains(&format!("href=\"/claims/{in_a}\"")), "{page}");
        assert!(!page.contains("id=\"dismiss-copies\""), "checkers may not dismiss");

        // "Use this verdict": evidence added, verdict proposed, nothing decided.
        let matches = api.get(&format!("/api/v1/claims/{in_a}/matches?top=1")).json();
        assert_eq!(matches["matches"][0]["url"], "https://checks.example/bridge-budget", "{matches}");
        assert_eq!(matches["matches"][0]["strong"], true);
        let item = matches["matches"][0]["id"].as_i64().unwrap_or_default();
        let page = checker.get(&format!("/claims/{in_a}")).body;
        let token = csrf_in(&page).unwrap_or_default();
        assert!(page.contains(&format!("action=\"/claims/{in_a}/use/{item}\"")), "{page}");
        let used = checker.post_form(&format!("/claims/{in_a}/use/{item}"), &[("csrf_token", &token)]);
        assert_eq!(used.status, 200, "{}", used.body);
        assert!(used.body.contains("The earlier fact-check was added as evidence"), "{}", used.body);
        assert!(used.body.contains("selected>Mostly true</option>"), "the rating is proposed: {}", used.body);
        assert!(used.body.contains("Harbour Checks (2026-02-11)"), "{}", used.body);
        let claim = api.get(&format!("/api/v1/claims/{in_a}")).json();
        assert_eq!(claim["claim"]["status"], "new", "{db}: the verdict waits for the checker");
        assert_eq!(claim["evidence"][0]["url"], "https://checks.example/bridge-budget", "{claim}");
        assert_eq!(claim["evidence"][0]["stance"], "supports");
        assert_eq!(checker.post_form(&format!("/claims/{in_a}/use/999999"), &[("csrf_token", &token)]).status, 404);
        assert_ne!(checker.post_form(&format!("/claims/{in_a}/use/{item}"), &[("csrf_token", "forged")]).status, 200);

        // Resolving the copies: checkers may not, editors may.
        let refused = api.post_json(&format!("/api/v1/claims/{in_b}/copies/dismiss"), &serde_json::json!({}));
        assert_eq!((refused.status, refused.json()["code"].clone()), (403, "forbidden".into()), "{}", refused.body);
        let page = editor.get(&format!("/claims/{in_b}")).body;
        assert!(page.contains("id=\"dismiss-copies\""), "{page}");
        let done = editor.post_form(&format!("/claims/{in_b}/copies/dismiss"), &[("csrf_token", &csrf_in(&page).unwrap_or_default())]);
        assert_eq!(done.status, 303, "{}", done.body);
        let copy = api.get(&format!("/api/v1/claims/{in_a}")).json();
        assert_eq!(copy["claim"]["status"], "dismissed", "{copy}");
        assert_eq!(copy["claim"]["dismissal_reason"], format!("Duplicate of claim #{in_b}"));
        assert_eq!(api.get(&format!("/api/v1/claims/{in_b}")).json()["claim"]["status"], "new");
        let editor_api = Client::with_token(&server.base, &server.token("edna"));
        let again = editor_api.post_json(&format!("/api/v1/claims/{in_b}/copies/dismiss"), &serde_json::json!({})).json();
        assert_eq!((again["dismissed"].as_array().map(Vec::len), again["skipped"][0]["id"].as_i64()), (Some(0), Some(in_a)), "{again}");

        // Documents: other line endings and spacing are the same text; a new
        // headline, a byline and an edited sentence make a near duplicate.
        let crlf = ingest(&api, "Harbour audit (CRLF)", &audit().replace('\n', "\r\n").replace(". ", ".  "));
        assert_eq!((crlf["duplicate"].as_bool(), crlf["id"].as_i64()), (Some(true), Some(a)), "{crlf}");
        let edited = audit()
            .replace("Audit office questions harbour spending", "Bridge overrun: auditors speak out\n\nBy Jo Reyes")
            .replace("after two redesigns and a long delay", "after two redesigns and a delay of a year");
        let near = ingest(&api, "Bridge overrun", &edited);
        assert_eq!((near["duplicate"].as_bool(), near["near_duplicate_of"].as_i64()), (Some(false), Some(a)), "{near}");
        let c = near["id"].as_i64().unwrap_or_default();
        assert!(checker.get(&format!("/documents/{c}")).body.contains(&format!("Nearly repeats <a href=\"/documents/{a}\">")));
        assert!(checker.get(&format!("/documents/{a}")).body.contains(&format!("<a href=\"/documents/{c}\">document {c}</a>")));
        assert_eq!(api.get(&format!("/api/v1/documents/{a}")).json()["near_duplicates"], serde_json::json!([c]));
        let reworded = ingest(&api, "Election guide", &election().replace("March", "April"));
        assert_eq!(reworded["near_duplicate_of"].as_i64(), Some(b), "{reworded}");
    }
}

/// Claims already in the queue are re-matched when fact-checks are
/// imported later (the /library upload wakes the matcher).
#[test]
fn importing_fact_checks_rematches_open_claims() {
    for db in test_database_urls("web_rematch") {
        let server = Server::start(&db, &[]);
        let admin = server.admin();
        let api = Client::with_token(&server.base, &server.token("admin"));
        let a = ingest(&api, "Harbour audit", &audit())["id"].as_i64().unwrap_or_default();
        let claim = claim_in(&api, a, "harbour bridge");
        // Encoded at ingest against an empty library: nothing to match yet.
        let deadline = Instant::now() + Duration::from_secs(60);
        let matched = || admin.get("/queue?matched=strong").body.contains(&format!("data-href=\"/claims/{claim}\""));
        let runtime = claimdesk_tests::tokio_runtime();
        let encoded = || {
            runtime.block_on(async {
                let store = claimdesk_store::Store::open(&db).await.unwrap_or_else(|e| panic!("{db}: {e}"));
                let found = store.claim_vector(claim).await.ok().flatten().is_some();
                let _ = store.close().await;
                found
            })
        };
        while !encoded() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(250));
        }
        assert!(encoded(), "{db}: the claim was encoded after ingest");
        assert!(!matched(), "{db}: no library, no strong match");
        let page = admin.get("/library");
        let token = csrf_in(&page.body).unwrap_or_default();
        let bytes = std::fs::read(fixture("library/checks.json")).unwrap_or_default();
        let done = admin.post_multipart("/library", &[("csrf_token", &token)], Some(("checks.json", &bytes)));
        assert_eq!(done.status, 200, "{}", done.body);
        while !matched() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(250));
        }
        assert!(matched(), "{db}: the open claim was re-matched after the import");
    }
}
