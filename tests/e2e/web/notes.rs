//! Notes, mentions and notifications over real HTTP on every configured
//! database: who is told, unread counts, mark all read, editing (own notes
//! only, every version kept), the API, and notes never reaching the public.

use serde_json::json;

use super::{Client, act, servers};

/// The viewer's unread count in the navigation (0 when none is shown).
fn unread(client: &Client) -> u64 {
    let page = client.get("/documents").body;
    let nav = page.split("id=\"nav-notifications\"").nth(1).unwrap().split("</a>").next().unwrap().to_owned();
    nav.split("<b class=\"unread\">").nth(1).map_or(0, |n| n.split('<').next().unwrap().parse().unwrap())
}

#[test]
fn notes_mention_and_notify_and_stay_internal() {
    for server in servers("notes") {
        let ann = server.user("ann", "checker");
        let bob = server.user("bob", "checker");
        let eve = server.user("eve", "editor");
        let api = Client::with_token(&server.base, &server.token("eve"));
        let claim = api.get("/api/v1/claims?order=age&limit=1").json()["claims"][0]["id"].as_i64().unwrap();
        assert_eq!(act(&ann, claim, "assign", &[("to", "ann")]).status, 303);
        assert_eq!(act(&ann, claim, "evidence", &[("url", "https://records.example/x"), ("stance", "refutes")]).status, 303);
        assert_eq!(act(&ann, claim, "verdict", &[("rating", "false"), ("explanation", "The records say otherwise.")]).status, 303);

        // bob's note mentions eve (and someone who does not exist): eve is
        // told of the mention, ann (assignee, gave the verdict) of the note.
        let token = bob.csrf();
        let body = "Internal: the ministry's figure is from 2019. @eve please check; @nobody.";
        let added = bob.post_form(&format!("/claims/{claim}/notes"), &[("csrf_token", &token), ("body", body)]);
        assert_eq!(added.status, 303, "{}", added.body);
        let note: i64 = added.location.as_deref().unwrap().split("#note-").nth(1).unwrap().parse().unwrap();
        assert_eq!((unread(&eve), unread(&ann), unread(&bob)), (1, 1, 0));
        let list = eve.get("/notifications").body;
        assert!(list.contains("<b>bob</b> mentioned you in a note on") && list.contains(&format!("/claims/{claim}#note-{note}")), "{list}");
        assert!(ann.get("/notifications").body.contains("<b>bob</b> added a note to"));
        assert_eq!(eve.post_form("/notifications/read", &[("csrf_token", &eve.csrf())]).status, 303);
        assert!(eve.get("/notifications").body.contains("1 notification marked read."));
        assert_eq!(unread(&eve), 0);

        // Editing: its author only, the earlier text kept, only new mentions told.
        let edited = format!("{body} Also @ann, see the 2021 table.");
        let other = ann.post_form(&format!("/claims/{claim}/notes/{note}"), &[("csrf_token", &ann.csrf()), ("body", "mine now")]);
        assert_eq!(other.status, 403);
        let saved = bob.post_form(&format!("/claims/{claim}/notes/{note}"), &[("csrf_token", &token), ("body", &edited)]);
        assert_eq!(saved.status, 303);
        assert_eq!((unread(&eve), unread(&ann)), (0, 2), "eve was mentioned before; ann is newly mentioned");
        let page = ann.get(&format!("/claims/{claim}")).body;
        assert!(page.contains("Earlier versions (1)") && page.contains("the 2021 table"), "both texts on the page");
        let history = page.split("<h2>History</h2>").nth(1).unwrap();
        assert!(history.contains("<b>bob</b> add note") && history.contains("<b>bob</b> edit note"), "{history}");

        // Bad input.
        for (fields, status) in [(vec![("csrf_token", token.as_str()), ("body", "   ")], 400), (vec![("body", "no token")], 403)] {
            assert_eq!(bob.post_form(&format!("/claims/{claim}/notes"), &fields).status, status, "{fields:?}");
        }
        let long = "x".repeat(5001);
        assert_eq!(bob.post_form(&format!("/claims/{claim}/notes"), &[("csrf_token", &token), ("body", &long)]).status, 400);
        assert_eq!(bob.post_form("/claims/999999/notes", &[("csrf_token", &token), ("body", "x")]).status, 404);
        assert_eq!(bob.post_form(&format!("/claims/{claim}/notes/999999"), &[("csrf_token", &token), ("body", "x")]).status, 404);

        // The API: add, list, notifications, mark read.
        let created = api.post_json(&format!("/api/v1/claims/{claim}/notes"), &json!({ "body": "Publishing today, @bob." }));
        assert_eq!(created.status, 201, "{}", created.body);
        let notes = api.get(&format!("/api/v1/claims/{claim}/notes")).json();
        assert_eq!(notes.as_array().unwrap().len(), 2);
        assert_eq!(notes[0]["earlier"], json!([body]));
        let bob_api = Client::with_token(&server.base, &server.token("bob"));
        let told = bob_api.get("/api/v1/notifications").json();
        assert_eq!(
            (told[0]["kind"].as_str(), told[0]["actor"].as_str(), told[0]["read"].as_bool()),
            (Some("mention"), Some("eve"), Some(false))
        );
        assert_eq!(bob_api.post_json("/api/v1/notifications/read", &json!({})).json()["marked_read"], 1);
        let refused = bob_api.put_json(&format!("/api/v1/claims/{claim}/notes/{note}"), &json!({ "body": "" }));
        assert_eq!((refused.status, refused.json()["code"].as_str()), (400, Some("bad_request")));
        let not_hers = api.put_json(&format!("/api/v1/claims/{claim}/notes/{note}"), &json!({ "body": "eve's now" }));
        assert_eq!(not_hers.status, 403);

        // Published: the public page and the report hold no note.
        let version = api.get(&format!("/api/v1/claims/{claim}")).json()["claim"]["version"].clone();
        assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/publish"), &json!({ "version": version })).status, 200);
        let public = server.client().get(&format!("/fact-checks/{claim}"));
        assert_eq!(public.status, 200);
        assert!(!public.body.contains("2019") && !public.body.contains("Publishing today"), "notes are internal");
        let report = eve.get("/reports/period?format=json").body;
        assert!(!report.contains("Publishing today"), "nor in reports");

        // The dashboard counts today's work (editors only).
        let page = eve.get("/dashboard?days=7");
        assert_eq!(page.status, 200, "{}", page.body);
        assert_eq!(page.body.matches("<svg").count(), 4, "four charts drawn on the server");
        assert!(
            page.body.contains(&format!(
                "/claims/{}",
                ann.get("/queue?order=age").body.split("/claims/").nth(1).unwrap().split('"').next().unwrap()
            )),
            "oldest open claims listed"
        );
        assert_eq!(bob.get("/dashboard").status, 403);
        assert_eq!(eve.get("/dashboard?days=0").status, 400);
        let stats = api.get("/api/v1/stats?days=7").json();
        let days = stats["days"].as_array().unwrap();
        assert_eq!(days.len(), 7);
        let today = &days[6];
        assert!(
            today["claims_in"].as_u64().unwrap() >= 1 && today["verdicts"].as_u64() == Some(1) && today["published"].as_u64() == Some(1),
            "{today}"
        );
        assert_eq!(stats["to_verdict"]["count"], 1);
        assert!(stats["to_verdict"]["median_s"].as_i64().unwrap() >= 0);
        assert_eq!(stats["to_publication"]["count"], 1);
        assert!(stats["verdicts"].as_array().unwrap().contains(&json!(["false", 1])), "{}", stats["verdicts"]);
        let open: u64 = stats["open_by_assignee"].as_array().unwrap().iter().map(|p| p[1].as_u64().unwrap()).sum();
        assert_eq!(open, api.get("/api/v1/claims?status=open&limit=200").json()["claims"].as_array().unwrap().len() as u64);
        assert_eq!(api.get("/api/v1/stats?days=abc").status, 400);
        assert_eq!(bob_api.get("/api/v1/stats").status, 403);
    }
}
