//! Learning from the desk (detectors-that-generalise issue, part 5): the
//! desk's verdicts and its dismissals as not check-worthy retrain the
//! check-worthiness head (`claimdesk train --from-database`), measured
//! against the shipped head by cross-validation on those decisions; the
//! head is stored in the database, `ingest` scores with it, and an admin
//! switches back to the shipped one. On every database, with the real
//! binary and the real desk model.

use claimdesk_tests::{temp_dir, test_database_urls};

use super::{Client, Server, act, claim_in, csrf_in};
use crate::claimdesk;

const STREETS: [&str; 14] = [
    "Mill Lane", "Quay Street", "Orchard Road", "Station Hill", "Bridge Row", "Castle Way", "Elm Grove", "Market Square", "Dock Road",
    "Chapel Walk", "Harbour View", "King Street", "Meadow Close", "West End",
];

/// The desk's habit the test teaches: school funding is worth checking,
/// parking charges are not (a rule no shipped model knows).
fn school(i: usize) -> String {
    format!("The primary school on {} received £{}.{} million from the county in {}.", STREETS[i], i + 1, i % 10, 2010 + i)
}

fn parking(i: usize) -> String {
    format!("Parking on {} now costs £{}.{}0 an hour, up from £{} in {}.", STREETS[i], i + 2, i % 10, i + 1, 2010 + i)
}

fn version(api: &Client, id: i64) -> i64 {
    api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].as_i64().unwrap_or_default()
}

fn train(db: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["train", "--from-database", "--database", db];
    args.extend_from_slice(extra);
    let out = claimdesk(&args);
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The check-worthiness the claim page shows for claim `id`.
fn score(client: &Client, id: i64) -> f64 {
    let page = client.get(&format!("/claims/{id}")).body;
    let at = page.find("<dd id=\"why-score\">").unwrap_or_else(|| panic!("no score on claim {id}: {page}")) + 19;
    page[at..at + 4].parse().unwrap()
}

#[test]
fn the_desks_decisions_retrain_the_checkworthiness_head_and_an_admin_switches_back() {
    for db in test_database_urls("web_learning") {
        let server = Server::start(&db, &[]);
        let web = server.user("edna", "editor");
        let api = Client::with_token(&server.base, &server.token("edna"));
        let (ok, _, err) = train(&db, &[]);
        assert!(!ok && err.contains("too few decisions to learn from"), "{db}: {err}");

        let body: String = (0..STREETS.len()).map(|i| format!("{}\n{}\n", school(i), parking(i))).collect();
        let resp = api.post_json("/api/v1/documents", &serde_json::json!({"title": "Town notes", "body": body}));
        assert_eq!(resp.status, 201, "{db}: {}", resp.body);
        let doc = resp.json()["id"].as_i64().unwrap();
        for (i, street) in STREETS.iter().enumerate() {
            let id = claim_in(&api, doc, &format!("primary school on {street}"));
            let verdict = serde_json::json!({"version": version(&api, id), "rating": "true", "explanation": "Council accounts."});
            assert_eq!(api.post_json(&format!("/api/v1/claims/{id}/verdict"), &verdict).status, 200, "{db}");
            let id = claim_in(&api, doc, &format!("Parking on {street}"));
            // One dismissed for another reason: no label.
            let kind = if i == 0 { "other" } else { "not_checkworthy" };
            if i == 1 {
                // The page's form: a kind nobody offers is refused with a message, then the real one.
                let resp = act(&web, id, "dismiss", &[("dismissal_kind", "boring"), ("reason", "")]);
                assert!(resp.status == 400 && resp.body.contains("Choose why the claim is dismissed"), "{db}: {}", resp.status);
                let resp = act(&web, id, "dismiss", &[("dismissal_kind", kind), ("reason", "")]);
                assert_eq!(resp.status, 303, "{db}: {}", resp.body);
                assert!(web.get(&format!("/claims/{id}")).body.contains("<dt>Dismissed</dt><dd>Not check-worthy</dd>"), "{db}");
            } else {
                let reason = if i == 0 { "Out of area" } else { "" };
                let dismiss = serde_json::json!({"version": version(&api, id), "kind": kind, "reason": reason});
                let resp = api.post_json(&format!("/api/v1/claims/{id}/dismiss"), &dismiss);
                assert_eq!(resp.status, 200, "{db}: {}", resp.body);
            }
            let claim = api.get(&format!("/api/v1/claims/{id}")).json();
            assert_eq!(claim["claim"]["dismissal_kind"], kind, "{db}: {claim}");
            if i > 0 {
                assert_eq!(claim["claim"]["dismissal_reason"], "Not check-worthy", "{db}: a bare kind is its own reason");
            }
        }
        let bad = api.post_json(
            &format!("/api/v1/claims/{}/dismiss", claim_in(&api, doc, "school on Mill")),
            &serde_json::json!({"version": 0, "kind": "boring"}),
        );
        assert_eq!(bad.status, 400, "{db}: an unknown kind is refused: {}", bad.body);

        let (ok, out, err) = train(&db, &[]);
        assert!(ok, "{db}: {out}\n{err}");
        println!("{db}:\n{out}");
        assert!(out.contains("dismissed as not check-worthy") && out.contains(", 13 dismissed"), "{db}: {out}");
        let line = out.lines().find(|l| l.contains("cross-validation on the desk's decisions")).unwrap_or_default();
        let figures: Vec<f64> =
            line.split_whitespace().filter_map(|w| w.trim_end_matches(',').parse().ok()).filter(|x: &f64| *x <= 1.0).collect();
        let [before, after] = figures[..] else { panic!("{db}: {line}") };
        assert!(after > before && after >= 0.9, "{db}: the desk's head learned its habit: {line}");
        assert!(out.contains("stored the desk's check-worthiness head"), "{db}: {out}");

        // `ingest` into this database scores with the desk's head.
        let dir = temp_dir("learning");
        let article = dir.join("new.txt");
        std::fs::write(&article, format!("{}\n{}\n", school(13).replace("2023", "2025"), parking(13).replace("2023", "2025"))).unwrap();
        let out = claimdesk(&["ingest", "--profile", "desk", "--database", &db, article.to_str().unwrap()]);
        assert!(out.status.success(), "{db}: {}", String::from_utf8_lossy(&out.stderr));
        let checker = server.user("cal", "checker");
        let newest = api.get("/api/v1/documents?limit=1").json();
        let new_doc = newest["documents"][0]["id"].as_i64().or_else(|| newest[0]["id"].as_i64()).unwrap_or_else(|| panic!("{newest}"));
        let (s, p) = (score(&checker, claim_in(&api, new_doc, "primary school")), score(&checker, claim_in(&api, new_doc, "Parking")));
        assert!(s >= 0.5 && p < 0.5, "{db}: school {s}, parking {p}");

        // A head trained for another desk model (an upgrade since) is set
        // aside with a warning, never applied to vectors it does not read.
        let stale = "UPDATE settings SET value = REPLACE(value, 'model ', 'model stale') WHERE key = 'desk.checkworthiness_head'";
        claimdesk_tests::tokio_runtime().block_on(claimdesk_store::testing::execute_sql(&db, stale)).unwrap();
        std::fs::write(&article, "The harbour wall on Dock Road cost £3.1 million in 2024.\n").unwrap();
        let out = claimdesk(&["ingest", "--profile", "desk", "--database", &db, article.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.contains("was trained for desk model \"stale"), "{db}: {err}");
        // A damaged one too, and the check-worthiness plugin still loads.
        let damaged = "UPDATE settings SET value = 'garbage' WHERE key = 'desk.checkworthiness_head'";
        claimdesk_tests::tokio_runtime().block_on(claimdesk_store::testing::execute_sql(&db, damaged)).unwrap();
        std::fs::write(&article, "The harbour wall on Quay Street cost £4.2 million in 2024.\n").unwrap();
        let out = claimdesk(&["ingest", "--profile", "desk", "--database", &db, article.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.contains("head is damaged") && !err.contains("plugin not loaded"), "{db}: {err}");

        // The admin sees it and switches back; the server follows at once.
        let admin = server.admin();
        let page = admin.get("/plugins").body;
        assert!(page.contains("The desk&#x27;s own head, trained on") || page.contains("The desk's own head, trained on"), "{db}: {page}");
        let token = csrf_in(&page).unwrap();
        let resp = admin.post_form("/plugins/desk-head/restore", &[("csrf_token", "wrong")]);
        assert_eq!(resp.status, 403, "{db}: CSRF is checked");
        assert!(admin.get("/plugins").body.contains("own head, trained on"), "{db}: nothing changed");
        let resp = admin.post_form("/plugins/desk-head/restore", &[("csrf_token", &token)]);
        assert_eq!(resp.status, 303, "{db}: {}", resp.body);
        let page = admin.get("/plugins").body;
        assert!(
            page.contains("Check-worthiness is scored with the shipped model again") && page.contains("The shipped head."),
            "{db}: {page}"
        );
        assert_eq!(
            checker.post_form("/plugins/desk-head/restore", &[("csrf_token", &csrf_in(&checker.get("/queue").body).unwrap())]).status,
            403
        );
        let (ok, out, _) = train(&db, &["--restore-shipped"]);
        assert!(ok && out.contains("already used the shipped"), "{db}: {out}");
    }
}
