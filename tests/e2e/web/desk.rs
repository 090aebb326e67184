//! The checker's desk (#15): what a working desk needs besides the review
//! loop, tested over real HTTP against the real binary.

use super::{claimdesk_with_password, password_of, servers};

/// Runs `claimdesk user reset-password NAME --password-stdin` with `password`.
fn reset_password(db: &str, name: &str, password: &str) -> std::process::Output {
    claimdesk_with_password(&["user", "reset-password", name, "--password-stdin", "--database", db], password)
}

/// A lost password has a way back on the command line, and the reset ends
/// every session the user had.
#[test]
fn a_lost_password_is_reset_from_the_command_line_and_ends_sessions() {
    for server in servers("desk_reset") {
        let old = server.user("rosa", "admin");
        assert_eq!(old.get("/queue").status, 200);
        let out = reset_password(&server.db, "rosa", "a-brand-new-passphrase");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("sessions are ended"));
        // Another process changed the database: each node notices within
        // its session cache's freshness (2 s).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
        while old.get("/queue").status == 200 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        assert_eq!(old.get("/queue").status, 303, "the old session is over");
        let fresh = server.client();
        fresh.login("rosa", "a-brand-new-passphrase");
        assert_eq!(fresh.get("/queue").status, 200);
        let stranger = server.client();
        let token = super::csrf_in(&stranger.get("/login").body).unwrap();
        let with_old = stranger.post_form("/login", &[("csrf_token", &token), ("name", "rosa"), ("password", &password_of("rosa"))]);
        assert_eq!(with_old.status, 401, "the old password no longer logs in: {}", with_old.body);
        // Mistakes are usage errors that change nothing.
        let missing = reset_password(&server.db, "nobody", "a-brand-new-passphrase");
        assert_eq!(missing.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&missing.stderr).contains("no user named \"nobody\""));
        let short = reset_password(&server.db, "rosa", "short");
        assert_eq!(short.status.code(), Some(2));
        let again = server.client();
        again.login("rosa", "a-brand-new-passphrase");
    }
}

/// The default short form is never a sentence cut mid-phrase when a whole
/// clause or the sentence without its attribution fits, and the claim page
/// warns when it had to drop words.
#[test]
fn default_short_forms_drop_the_attribution_and_warn_when_cut() {
    for server in servers("desk_short_form") {
        server.user("cleo", "checker");
        let api = super::Client::with_token(&server.base, &server.token("cleo"));
        let body = "According to sources familiar with the tender, two bidders have withdrawn from the harbour contract worth 40 million. \
                    The port authority says that the new terminal will cost less than any terminal built on the northern coast since 1990 and the years before it.";
        let created = api.post_json("/api/v1/documents", &serde_json::json!({ "body": body }));
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.json()["id"].as_i64().unwrap();
        let claims = api.get(&format!("/api/v1/claims?document={id}&order=age")).json();
        let claims = claims["claims"].as_array().unwrap().clone();
        let by_text = |needle: &str| {
            claims.iter().find(|c| c["text"].as_str().unwrap().contains(needle)).unwrap_or_else(|| panic!("{needle}: {claims:?}")).clone()
        };
        let tender = by_text("two bidders");
        assert_eq!(tender["claim_reviewed"], "Two bidders have withdrawn from the harbour contract worth 40 million.");
        let terminal = by_text("new terminal");
        let short = terminal["claim_reviewed"].as_str().unwrap();
        assert!(short.starts_with("The new terminal will cost less") && short.ends_with('…') && short.chars().count() <= 75, "{short}");
        let page = |claim: &serde_json::Value| server.admin().get(&format!("/claims/{}", claim["id"])).body;
        assert!(!page(&tender).contains("id=\"short-form-cut\""), "nothing of the assertion was dropped");
        assert!(page(&terminal).contains("id=\"short-form-cut\""), "the page warns about the cut");
    }
}

/// The speaker is corrected on the claim page or through the API, recorded
/// in the history, and ClaimReview's author follows it: a named speaker is
/// a Person; an unnamed source or no speaker is the outlet, never the
/// article's journalist.
#[test]
fn the_speaker_is_corrected_and_claimreview_credits_the_right_author() {
    use serde_json::{Value, json};
    for server in servers("desk_speaker") {
        server.user("ed", "editor");
        let api = super::Client::with_token(&server.base, &server.token("ed"));
        let body = "Officials said the harbour fees doubled last year. The new ferry carries 900 passengers every single day.";
        let doc = json!({ "body": body, "outlet": "Coast Post", "author": "Jo Byline" });
        let created = api.post_json("/api/v1/documents", &doc);
        assert_eq!(created.status, 201, "{}", created.body);
        let doc_id = created.json()["id"].as_i64().unwrap();
        let claims = api.get(&format!("/api/v1/claims?document={doc_id}")).json()["claims"].as_array().unwrap().clone();
        let find = |needle: &str| claims.iter().find(|c| c["text"].as_str().unwrap().contains(needle)).unwrap().clone();
        let (fees, ferry) = (find("harbour fees"), find("ferry"));
        assert_eq!((fees["speaker"].as_str(), fees["speaker_kind"].as_str()), (Some("Officials"), Some("anonymous")), "{fees}");
        assert_eq!((ferry["speaker"].as_str(), ferry["speaker_kind"].as_str()), (None, Some("outlet")), "{ferry}");

        let version = |id: &Value| api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].as_i64().unwrap();
        let publish = |id: &Value| {
            let evidence = json!({ "url": "https://records.example/fees", "stance": "refutes" });
            assert_eq!(api.post_json(&format!("/api/v1/claims/{id}/evidence"), &evidence).status, 200);
            let verdict = json!({ "version": version(id), "rating": "false", "explanation": "The records say otherwise." });
            assert_eq!(api.post_json(&format!("/api/v1/claims/{id}/verdict"), &verdict).status, 200);
            assert_eq!(api.post_json(&format!("/api/v1/claims/{id}/publish"), &json!({ "version": version(id) })).status, 200);
        };
        publish(&fees["id"]);
        publish(&ferry["id"]);
        let authors = || -> Vec<Value> {
            let reviews: Value = server.admin().get(&format!("/reports/documents/{doc_id}?format=claimreview")).json();
            let reviews = reviews.as_array().cloned().unwrap_or_else(|| vec![reviews.clone()]);
            reviews.iter().map(|r| r["itemReviewed"]["author"].clone()).collect()
        };
        let coast = json!({ "@type": "Organization", "name": "Coast Post" });
        assert_eq!(authors(), [coast.clone(), coast.clone()], "an unnamed source and the outlet's own claim: the outlet, not the byline");

        // On the page (an editor: the claim is published), with a refusal that keeps the input.
        let editor = server.client();
        editor.login("ed", &super::password_of("ed"));
        let id = fees["id"].as_i64().unwrap();
        let page = editor.get(&format!("/claims/{id}")).body;
        let form = |kind: &str, name: &str| {
            vec![
                ("csrf_token", super::csrf_in(&page).unwrap()),
                ("version", super::form_value(&page, &format!("/claims/{id}/speaker"), "version").unwrap()),
                ("speaker_kind", kind.to_owned()),
                ("speaker", name.to_owned()),
            ]
        };
        let post = |fields: Vec<(&str, String)>| {
            editor.post_form(&format!("/claims/{id}/speaker"), &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
        };
        let nameless = post(form("named", "  "));
        assert_eq!(nameless.status, 400, "{}", nameless.body);
        assert!(nameless.body.contains("needs a name"));
        let bogus = post(form("everyone", "Harbour Master Lee"));
        assert_eq!(bogus.status, 400);
        assert!(bogus.body.contains("Harbour Master Lee"), "the input is kept");
        assert_eq!(post(form("named", "Harbour Master Lee")).status, 303);
        let shown = editor.get(&format!("/claims/{id}")).body;
        assert!(shown.contains("speaker: Harbour Master Lee"), "the history records it");
        assert_eq!(authors()[0], json!({ "@type": "Person", "name": "Harbour Master Lee" }));

        // Through the API: the outlet itself.
        let outlet = api
            .post_json(&format!("/api/v1/claims/{id}/speaker"), &json!({ "version": version(&fees["id"]), "kind": "outlet", "name": "x" }));
        assert_eq!(outlet.status, 200, "{}", outlet.body);
        assert_eq!(
            (outlet.json()["claim"]["speaker"].clone(), outlet.json()["claim"]["speaker_kind"].clone()),
            (Value::Null, json!("outlet"))
        );
        let checker = super::Client::with_token(&server.base, &{
            server.user("cleo", "checker");
            server.token("cleo")
        });
        let refused = checker.post_json(
            &format!("/api/v1/claims/{id}/speaker"),
            &json!({ "version": version(&fees["id"]), "kind": "named", "name": "Someone" }),
        );
        assert_eq!(
            (refused.status, refused.json()["code"].as_str()),
            (403, Some("forbidden")),
            "a published claim's speaker is an editor's"
        );
    }
}
