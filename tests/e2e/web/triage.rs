//! Triage in the queue, over real HTTP on every configured database: the
//! open default, the unassigned / evidence / assignee / outlet filters,
//! flag-kind chips, saved views, and bulk actions with their summary.

use serde_json::json;

use super::{Client, act, servers};

/// The claim ids the queue page lists for `query`.
fn listed(client: &Client, query: &str) -> Vec<i64> {
    let page = client.get(&format!("/queue?{query}"));
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    let html = scraper::Html::parse_document(&page.body);
    let select = scraper::Selector::parse(r#"input[name="claim"]"#).unwrap();
    html.select(&select).map(|i| i.value().attr("value").unwrap().split(':').next().unwrap().parse().unwrap()).collect()
}

/// The `ID:VERSION` the queue page shows for claim `id`.
fn ticked(client: &Client, id: i64) -> String {
    let page = client.get("/queue?status=any&order=age").body;
    let marker = format!("name=\"claim\" value=\"{id}:");
    let start = page.find(&marker).unwrap_or_else(|| panic!("claim {id} on the first page")) + marker.len() - format!("{id}:").len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// A claim the detectors missed, added from the document page (sentence
/// numbers, then a selection's text) and the API; bad input refused.
fn claims_by_hand(checker: &Client, api: &Client) {
    // Plain sentences the detectors pass over, and one they flag.
    let body = "The choir met at noon in the old hall. Volunteers painted the library door blue.\n\n\
        Crime fell by 40% last year, officials said. The bakery on Mill Street opened at seven. \
        Rain is expected on Friday. The parish fete moves to the school field.";
    let created = api.post_json("/api/v1/documents", &json!({ "body": body, "title": "Parish notes", "outlet": "Mill Gazette" }));
    assert_eq!(created.status, 201, "{}", created.body);
    let document = created.json()["id"].as_i64().unwrap();
    let page = checker.get(&format!("/documents/{document}")).body;
    assert!(page.contains("id=\"add-claim-form\""));
    let html = scraper::Html::parse_document(&page);
    let sentences: Vec<String> =
        html.select(&scraper::Selector::parse("ol.sentences li").unwrap()).map(|li| li.text().collect::<String>()).collect();
    assert!(sentences.len() >= 4, "the sentences are listed, numbered");
    // Sentences no claim stands for yet (one that is would be a duplicate).
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let claimed: Vec<String> = api.get(&format!("/api/v1/documents/{document}")).json()["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| flat(c["text"].as_str().unwrap()))
        .collect();
    let unclaimed: Vec<usize> = (0..sentences.len()).filter(|&i| !claimed.contains(&sentences[i])).collect();
    assert!(unclaimed.len() >= 2, "sentences the detectors passed over: {claimed:?}");
    let (u1, u2) = (unclaimed[0], unclaimed[1]);
    let token = checker.csrf();
    let post = |fields: &[(&str, &str)]| {
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        checker.post_form(&format!("/documents/{document}/claims"), &all)
    };
    // By sentence numbers, without JavaScript.
    let added = post(&[("from", "2"), ("to", "3"), ("note", "Two sentences the detectors let through.")]);
    assert_eq!(added.status, 303, "{}", added.body);
    let claim: i64 = added.location.as_deref().unwrap().trim_start_matches("/claims/").parse().unwrap();
    let detail = api.get(&format!("/api/v1/claims/{claim}")).json();
    let text = detail["claim"]["text"].as_str().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(text, format!("{} {}", sentences[1], sentences[2]), "the sentences, as the body has them");
    assert_eq!((detail["claim"]["status"].as_str(), detail["claim"]["priority"].as_f64()), (Some("new"), Some(1.0)));
    let history = checker.get(&format!("/claims/{claim}")).body;
    assert!(history.contains("<b>tina</b> add claim"), "who added it is in the history");
    assert!(listed(checker, "").first() == Some(&claim), "at the top of the open queue");
    // The same sentences again: a duplicate, said on the re-shown form.
    let again = post(&[("from", "2"), ("to", "3")]);
    assert_eq!(again.status, 400);
    assert!(again.body.contains(&format!("These sentences are already claim #{claim}")), "{}", again.body);
    // By a selection's text, white space as a browser gives it.
    let words: Vec<&str> = sentences[u1].split_whitespace().collect();
    let selection = format!("  {}\n{} ", words[..2].join(" "), words[2..words.len().min(4)].join("  "));
    let by_selection = post(&[("quote", &selection), ("from", "1")]);
    assert_eq!(by_selection.status, 303, "{}", by_selection.body);
    let id: i64 = by_selection.location.as_deref().unwrap().trim_start_matches("/claims/").parse().unwrap();
    let text = flat(api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["text"].as_str().unwrap());
    assert_eq!(text, sentences[u1], "the selection's sentence");
    // Bad input: a clear 400 with the input kept, never a claim.
    let n = sentences.len().to_string();
    for (fields, message) in [
        (vec![("quote", "words that are nowhere in it")], "not in this document"),
        (vec![("from", "0")], "number from 1"),
        (vec![("from", "x")], "number from 1"),
        (vec![("from", "999")], &format!("between 1 and {n}")[..]),
        (vec![("from", "3"), ("to", "2")], "the first not after the last"),
        (vec![("from", "1"), ("to", "6")], "at most 5 sentences"),
    ] {
        let refused = post(&fields);
        assert_eq!(refused.status, 400, "{fields:?}");
        assert!(refused.body.contains(message), "{fields:?}: {}", refused.body);
    }
    let long = "x".repeat(2001);
    assert_eq!(post(&[("from", "1"), ("note", &long)]).status, 400);
    assert_eq!(checker.post_form(&format!("/documents/{document}/claims"), &[("from", "1")]).status, 403, "CSRF");
    assert_eq!(checker.post_form("/documents/999999/claims", &[("csrf_token", &token), ("from", "1")]).status, 404);
    // The API does the same.
    let created = api.post_json(&format!("/api/v1/documents/{document}/claims"), &json!({ "from": u2 + 1, "note": "API" }));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(flat(created.json()["claim"]["text"].as_str().unwrap()), sentences[u2]);
    let refused = api.post_json(&format!("/api/v1/documents/{document}/claims"), &json!({ "from": 999 }));
    assert_eq!((refused.status, refused.json()["code"].as_str()), (400, Some("bad_request")));
}

#[test]
fn the_queue_filters_saves_views_and_acts_in_bulk() {
    for server in servers("triage") {
        let checker = server.user("tina", "checker");
        let editor = server.user("eddie", "editor");
        let api = Client::with_token(&server.base, &server.token("eddie"));
        let claims = api.get("/api/v1/claims?order=age&limit=200").json()["claims"].as_array().unwrap().clone();
        assert!(claims.len() >= 6, "the demo articles give claims to triage");
        let id = |i: usize| claims[i]["id"].as_i64().unwrap();
        let (a, b, c, d) = (id(0), id(1), id(2), id(3));

        // Open is the default view; `any` shows the rest.
        assert_eq!(act(&editor, d, "dismiss", &[("dismissal_kind", "not_checkworthy")]).status, 303);
        assert!(!listed(&checker, "").contains(&d) && listed(&checker, "status=any").contains(&d));
        assert!(listed(&checker, "status=open").contains(&a));
        let bad = checker.get("/queue?status=done");
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("open, any"), "the choices are named");

        // Unassigned, assignee, has evidence.
        assert_eq!(act(&checker, a, "assign", &[("to", "tina")]).status, 303);
        assert!(!listed(&checker, "assignee=none").contains(&a) && listed(&checker, "assignee=none").contains(&b));
        assert_eq!(listed(&checker, "assignee=tina"), [a]);
        assert_eq!(listed(&checker, "assignee=me"), [a]);
        assert_eq!(act(&checker, b, "evidence", &[("url", "https://records.example/b"), ("stance", "context")]).status, 303);
        assert_eq!(listed(&checker, "evidence=yes"), [b]);
        assert_eq!(checker.get("/queue?evidence=maybe").status, 400);

        // Outlets come from the data, and match in any case.
        let page = checker.get("/queue").body;
        assert!(page.contains("<option >Linthorpe Daily</option>") || page.contains("<option>Linthorpe Daily</option>"), "outlet choices");
        let from_linthorpe = listed(&checker, "outlet=Linthorpe+Daily");
        assert!(!from_linthorpe.is_empty());
        assert_eq!(listed(&checker, "outlet=linthorpe+daily"), from_linthorpe);

        // Flag-kind chips: every flagged row shows its kinds, linking to the kind's filter.
        let detail = claims
            .iter()
            .map(|c| api.get(&format!("/api/v1/claims/{}", c["id"])).json())
            .find(|d| d["flags"].as_array().is_some_and(|f| f.iter().any(|f| f["stale"] == false)))
            .expect("a flagged claim");
        let kind = detail["flags"][0]["kind"].as_str().unwrap();
        let flagged = detail["claim"]["id"].as_i64().unwrap();
        let row_html = checker.get("/queue?status=any&order=age").body;
        let row = row_html.split("<tr class=\"row\"").find(|r| r.contains(&format!("/claims/{flagged}\""))).unwrap();
        assert!(row.contains(&format!("chip kind k-{kind}")), "{row}");

        // Saved views: in the navigation, per user, validated.
        let token = checker.csrf();
        let saved = checker
            .post_form("/views", &[("csrf_token", &token), ("name", "My evidence"), ("query", "assignee=me&evidence=yes&after=0.5:3")]);
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.location.as_deref(), Some("/queue?assignee=me&evidence=yes"), "kept without its page cursor");
        let nav = checker.get("/documents").body;
        assert!(
            nav.contains(r#"<a class="view" href="/queue?assignee=me&amp;evidence=yes">My evidence</a>"#)
                || nav.contains(r#"<a class="view" href="/queue?assignee=me&#38;evidence=yes">My evidence</a>"#),
            "in the navigation: {nav}"
        );
        assert!(!editor.get("/documents").body.contains("My evidence"), "another user's view is not shown");
        let refused = checker.post_form("/views", &[("csrf_token", &token), ("name", "Broken"), ("query", "status=done")]);
        assert_eq!(refused.status, 400);
        assert_eq!(checker.post_form("/views", &[("csrf_token", &token), ("name", " "), ("query", "")]).status, 400);
        assert_eq!(checker.post_form("/views", &[("name", "No token"), ("query", "")]).status, 403);
        let view_id = {
            let nav = checker.get("/queue").body;
            let marker = "action=\"/views/";
            let start = nav.find(marker).unwrap() + marker.len();
            nav[start..].split('/').next().unwrap().to_owned()
        };
        let other = editor.post_form(&format!("/views/{view_id}/delete"), &[("csrf_token", &editor.csrf())]);
        assert_eq!(other.status, 404, "only its owner deletes a view");
        assert_eq!(checker.post_form(&format!("/views/{view_id}/delete"), &[("csrf_token", &token)]).status, 303);
        assert!(!checker.get("/documents").body.contains("My evidence"));

        // Bulk assign: claim by claim, each against the version the page showed.
        let (tb, tc) = (ticked(&editor, b), ticked(&editor, c));
        let stale = ticked(&editor, a);
        assert_eq!(act(&checker, a, "assign", &[("to", "")]).status, 303, "a changes after the page was loaded");
        let etoken = editor.csrf();
        let form = [
            ("csrf_token", etoken.as_str()),
            ("claim", tb.as_str()),
            ("claim", tc.as_str()),
            ("claim", stale.as_str()),
            ("action", "assign"),
            ("to", "tina"),
            ("back", "status=open&assignee=none"),
        ];
        let done = editor.post_form("/queue/bulk", &form);
        assert_eq!((done.status, done.location.as_deref()), (303, Some("/queue?status=open&assignee=none")));
        let message = editor.get("/queue").body;
        assert!(message.contains(&format!("assign: 2 claims done (#{b}, #{c}).")), "{message}");
        assert!(message.contains(&format!("#{a}: someone changed it after you loaded the page")), "{message}");
        for claim in [b, c] {
            assert_eq!(api.get(&format!("/api/v1/claims/{claim}")).json()["claim"]["assignee"], "tina");
        }
        let history = checker.get(&format!("/claims/{b}")).body;
        assert!(history.contains("<b>eddie</b> assign"), "each claim's history records it");

        // Bulk dismiss is an editor's: a checker is refused claim by claim.
        let ctoken = checker.csrf();
        let tb = ticked(&checker, b);
        let form = [("csrf_token", ctoken.as_str()), ("claim", tb.as_str()), ("action", "dismiss"), ("dismissal_kind", "duplicate")];
        assert_eq!(checker.post_form("/queue/bulk", &form).status, 303);
        assert!(checker.get("/queue").body.contains("only editors and above may dismiss"));
        assert_eq!(api.get(&format!("/api/v1/claims/{b}")).json()["claim"]["status"], "new");

        // Bulk publish: a resolved claim without evidence is refused, one with evidence published.
        for claim in [b, c] {
            let version = api.get(&format!("/api/v1/claims/{claim}")).json()["claim"]["version"].clone();
            let verdict = json!({ "version": version, "rating": "false", "explanation": "The records say otherwise." });
            assert_eq!(api.post_json(&format!("/api/v1/claims/{claim}/verdict"), &verdict).status, 200);
        }
        let (tb, tc) = (ticked(&editor, b), ticked(&editor, c));
        let form = [("csrf_token", etoken.as_str()), ("claim", tb.as_str()), ("claim", tc.as_str()), ("action", "publish")];
        assert_eq!(editor.post_form("/queue/bulk", &form).status, 303);
        let message = editor.get("/queue").body;
        assert!(message.contains(&format!("publish: 1 claim done (#{b}).")), "{message}");
        assert!(
            message.contains(&format!("#{c}: not possible now: publishing needs at least one evidence item"))
                || message.contains("needs at least one evidence item"),
            "{message}"
        );

        // The API does the same, with the same refusals.
        let version = |id: i64| api.get(&format!("/api/v1/claims/{id}")).json()["claim"]["version"].clone();
        let body = json!({ "action": "assign", "to": "eddie", "claims": [{ "id": a, "version": version(a) }, { "id": c, "version": 0 }, { "id": 999999, "version": 1 }] });
        let outcome = api.post_json("/api/v1/claims/bulk", &body);
        assert_eq!(outcome.status, 200, "{}", outcome.body);
        let outcome = outcome.json();
        assert_eq!(outcome["done"], json!([a]));
        let refused: Vec<i64> = outcome["refused"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
        assert_eq!(refused, [c, 999999], "{outcome}");
        let bad = api.post_json("/api/v1/claims/bulk", &json!({ "action": "explode", "claims": [] }));
        assert_eq!((bad.status, bad.json()["code"].as_str()), (400, Some("bad_request")));

        // Malformed bulk input is a clear 400; nothing ticked is a message.
        let bad = editor.post_form("/queue/bulk", &[("csrf_token", &etoken), ("claim", "x:y"), ("action", "assign")]);
        assert_eq!(bad.status, 400);
        let bad = editor.post_form("/queue/bulk", &[("csrf_token", &etoken), ("claim", &ticked(&editor, a)), ("action", "explode")]);
        assert_eq!(bad.status, 400);
        assert_eq!(editor.post_form("/queue/bulk", &[("csrf_token", &etoken), ("action", "assign")]).status, 303);
        assert!(editor.get("/queue").body.contains("Tick the claims to act on first."));
        assert_eq!(editor.post_form("/queue/bulk", &[("claim", &ticked(&editor, a)), ("action", "assign")]).status, 403);

        claims_by_hand(&checker, &api);
    }
}
