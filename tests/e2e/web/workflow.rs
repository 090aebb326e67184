//! The review workflow through the pages, on every configured database:
//! assign, evidence, verdict, second review, publish, reopen, dismiss — each
//! an event in the history — and concurrent verdicts.

use super::{act, claim_id_with, form_value, servers};

#[test]
fn a_claim_goes_from_new_to_published_with_its_history() {
    for server in servers("workflow") {
        let checker = server.user("chloe", "checker");
        let second = server.user("sami", "checker");
        let editor = server.user("edith", "editor");
        let admin = server.admin();
        let id = claim_id_with(&checker, "waiting lists");

        let assigned = act(&checker, id, "assign", &[("to", "chloe")]);
        assert_eq!((assigned.status, assigned.location.as_deref()), (303, Some(format!("/claims/{id}").as_str())));
        let page = checker.get(&format!("/claims/{id}")).body;
        assert!(page.contains("Assigned to chloe."), "flash message");
        assert!(checker.get("/queue?assignee=me").body.contains(&format!("/claims/{id}\"")), "in my queue");
        assert_eq!(act(&checker, id, "start", &[]).status, 303);
        let evidence = act(
            &checker,
            id,
            "evidence",
            &[
                ("url", "https://stats.example/health/waiting-times-2026"),
                ("title", "Waiting times, third quarter"),
                ("quoted_passage", "Median wait fell from 41 to 26 days."),
                ("stance", "refutes"),
                ("note", "A 37% fall, not a half."),
            ],
        );
        assert_eq!(evidence.status, 303);

        // Evidence is corrected (an archived copy added), a wrong item deleted;
        // the history keeps both. Bad input is refused with the input kept.
        let items = |page: &str| -> Vec<String> {
            let html = scraper::Html::parse_document(page);
            let select = scraper::Selector::parse(r#"form.evidence-edit input[name="evidence_id"]"#).unwrap();
            html.select(&select).map(|i| i.value().attr("value").unwrap().to_owned()).collect()
        };
        let first = items(&checker.get(&format!("/claims/{id}")).body)[0].clone();
        let fields = |archived: &'static str| {
            [
                ("evidence_id", first.clone()),
                ("url", "https://stats.example/health/waiting-times-2026".to_owned()),
                ("archived_url", archived.to_owned()),
                ("title", "Waiting times, third quarter".to_owned()),
                ("quoted_passage", "Median wait fell from 41 to 26 days.".to_owned()),
                ("stance", "refutes".to_owned()),
                ("note", "A 37% fall, not a half.".to_owned()),
            ]
        };
        let pairs = |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let bad = pairs(&fields("javascript:alert(1)"));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = act(&checker, id, "edit_evidence", &bad);
        assert_eq!(refused.status, 400);
        assert!(refused.body.contains("archived copy needs a web address") && refused.body.contains("javascript:alert(1)"), "kept");
        let good = pairs(&fields("https://archive.example/stats/waiting-times"));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(act(&checker, id, "edit_evidence", &good).status, 303);
        let wrong = act(&checker, id, "evidence", &[("url", "https://wrong.example/other-story"), ("stance", "supports")]);
        assert_eq!(wrong.status, 303);
        let listed = items(&checker.get(&format!("/claims/{id}")).body);
        assert_eq!(listed.len(), 2);
        assert_eq!(act(&checker, id, "edit_evidence", &[("evidence_id", "999999"), ("delete", "1")]).status, 404);
        assert_eq!(act(&checker, id, "edit_evidence", &[("evidence_id", &listed[1]), ("delete", "1")]).status, 303);
        let page = checker.get(&format!("/claims/{id}")).body;
        let (evidence_part, history) = page.split_once("<h2>History</h2>").unwrap();
        assert!(!evidence_part.contains("wrong.example") && evidence_part.contains("https://archive.example/stats/waiting-times"));
        assert!(history.contains("<b>chloe</b> delete evidence") && history.contains("was https://wrong.example/other-story"), "{history}");
        assert!(history.contains("<b>chloe</b> edit evidence"), "{history}");

        let verdict = act(
            &checker,
            id,
            "verdict",
            &[("rating", "mostly_false"), ("explanation", "The median wait fell by about a third, not by half.")],
        );
        assert_eq!(verdict.status, 303, "{}", verdict.body);

        // A second review, once an admin asks for one.
        let token = admin.csrf();
        assert_eq!(admin.post_form("/settings", &[("csrf_token", &token), ("second_review", "true")]).status, 303);
        let refused = act(&editor, id, "publish", &[]);
        assert_eq!(refused.status, 409);
        assert!(refused.body.contains("second review"), "{}", refused.body);
        // Buttons that would answer 409 are not offered: the editor sees why
        // Publish is disabled, the verdict's author gets no Approve.
        let page = editor.get(&format!("/claims/{id}")).body;
        assert!(!page.contains(&format!("action=\"/claims/{id}/publish\"")) && page.contains("id=\"publish-blocked\""));
        assert!(page.contains("requires a second review"), "the reason is on the page");
        assert!(!checker.get(&format!("/claims/{id}")).body.contains(&format!("action=\"/claims/{id}/approve\"")));
        assert!(second.get(&format!("/claims/{id}")).body.contains(&format!("action=\"/claims/{id}/approve\"")));
        let own = act(&checker, id, "approve", &[]);
        assert_eq!(own.status, 409, "the one who gave the verdict cannot approve it");
        assert_eq!(act(&second, id, "approve", &[]).status, 303);
        assert_eq!(act(&checker, id, "publish", &[]).status, 403, "checkers do not publish");
        assert_eq!(act(&editor, id, "publish", &[]).status, 303);

        let page = editor.get(&format!("/claims/{id}")).body;
        assert!(page.contains("s-published"));
        assert!(page.contains("Mostly false") && page.contains("not by half"));
        assert!(page.contains("Waiting times, third quarter") && page.contains("A 37% fall, not a half."));
        let history = page.split("<h2>History</h2>").nth(1).unwrap();
        for (actor, action) in [
            ("chloe", "assign"),
            ("chloe", "start review"),
            ("chloe", "add evidence"),
            ("chloe", "resolve"),
            ("sami", "approve"),
            ("edith", "publish"),
        ] {
            assert!(history.contains(&format!("<b>{actor}</b> {action}")), "history lacks {actor} {action}:\n{history}");
        }
        assert!(history.contains("in review → resolved") && history.contains("resolved → published"));
        assert!(editor.get("/reports").body.contains("/documents/"), "the report list shows the document");
        assert!(editor.get("/queue?status=published").body.contains(&format!("/claims/{id}\"")));

        // Unpublish and reopen go back through the history too.
        assert_eq!(act(&editor, id, "unpublish", &[]).status, 303);
        assert_eq!(act(&checker, id, "reopen", &[]).status, 303);
        let history = editor.get(&format!("/claims/{id}")).body;
        assert!(history.contains("published → resolved") && history.contains("resolved → in review"));

        // An editor dismisses another claim with a reason.
        let other = claim_id_with(&editor, "stadium");
        assert_eq!(act(&editor, other, "dismiss", &[("reason", "An opinion, not a checkable claim.")]).status, 303);
        assert!(editor.get(&format!("/claims/{other}")).body.contains("An opinion, not a checkable claim."));
    }
}

#[test]
fn concurrent_verdicts_one_wins_the_other_is_told_and_keeps_its_input() {
    for server in servers("concurrent") {
        let alice = server.user("alice", "checker");
        let bob = server.user("bob", "checker");
        let id = claim_id_with(&alice, "largest venue");
        let page_a = alice.get(&format!("/claims/{id}")).body;
        let page_b = bob.get(&format!("/claims/{id}")).body;
        let form = |page: &str, explanation: &'static str, rating: &'static str| {
            let action = format!("/claims/{id}/verdict");
            vec![
                ("csrf_token".to_owned(), super::csrf_in(page).unwrap()),
                ("version".to_owned(), form_value(page, &action, "version").unwrap()),
                ("seen".to_owned(), form_value(page, &action, "seen").unwrap()),
                ("rating".to_owned(), rating.to_owned()),
                ("explanation".to_owned(), explanation.to_owned()),
            ]
        };
        let fa = form(&page_a, "Alice's careful reasoning about venues", "true");
        let fb = form(&page_b, "Bob's careful reasoning about venues", "false");
        let barrier = std::sync::Barrier::new(2);
        let (ra, rb) = std::thread::scope(|s| {
            let a = s.spawn(|| {
                barrier.wait();
                alice.post_form(&format!("/claims/{id}/verdict"), &fa.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
            });
            let b = s.spawn(|| {
                barrier.wait();
                bob.post_form(&format!("/claims/{id}/verdict"), &fb.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())
            });
            (a.join().unwrap(), b.join().unwrap())
        });
        let mut statuses = [ra.status, rb.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 409], "one wins, one is refused");
        let (loser, loser_text, winner) =
            if ra.status == 409 { (&ra, "Alice's careful reasoning", "bob") } else { (&rb, "Bob's careful reasoning", "alice") };
        assert!(loser.body.contains("Someone changed this claim after you opened it"), "{}", loser.body);
        let loser_body = loser.body.replace("&#39;", "'").replace("&#x27;", "'");
        assert!(loser_body.contains(loser_text), "the loser's explanation is kept in the form");
        assert!(loser.body.contains(&format!("<b>{winner}</b>")), "the loser sees who changed it");
        let page = alice.get(&format!("/claims/{id}")).body;
        let history = page.split("<h2>History</h2>").nth(1).unwrap();
        assert_eq!(history.matches("</b> resolve:").count(), 1, "exactly one verdict recorded:\n{history}");
        // Resubmitting from the re-shown form (it carries the new version) works.
        let resubmit = super::form_value(&loser.body, &format!("/claims/{id}/evidence"), "version").unwrap();
        let current = form_value(&page, &format!("/claims/{id}/evidence"), "version").unwrap();
        assert_eq!(resubmit, current, "the re-shown form carries the current version");
    }
}

#[test]
fn the_ingest_form_takes_pasted_text_and_uploaded_files() {
    let server = super::Server::start(&claimdesk_tests::test_database_urls("web_ingest_form")[0], &[]);
    let checker = server.user("ivy", "checker");
    let token = checker.csrf();
    let pasted = checker.post_multipart(
        "/documents",
        &[
            ("csrf_token", &token),
            ("title", "Ferry fares"),
            ("url", "https://isle.example/ferry"),
            ("outlet", "Isle Gazette"),
            ("author", "R. Moss"),
            ("published", "2026-11-03"),
            ("body", "Ferry fares have tripled since 2020, according to islanders. The operator says it runs the most reliable service in Europe."),
        ],
        None,
    );
    assert_eq!(pasted.status, 303, "{}", pasted.body);
    let doc = checker.get(pasted.location.as_deref().unwrap()).body;
    assert!(doc.contains("Ferry fares") && doc.contains("Isle Gazette") && doc.contains("R. Moss") && doc.contains("2026-11-03"));
    assert!(doc.contains("Document ingested and checked."));
    assert!(doc.contains("class=\"kind k-superlative\"") && doc.contains("<mark class=\"k-"), "flags highlighted with a legend");
    let again = checker.post_multipart("/documents", &[("csrf_token", &token), ("body", "Ferry fares have tripled since 2020, according to islanders. The operator says it runs the most reliable service in Europe.")], None);
    assert_eq!(again.location, pasted.location, "the same text leads to the stored document");
    assert!(checker.get(again.location.as_deref().unwrap()).body.contains("already ingested"));

    let markdown = b"# Tram extension\n\nThe tram extension will *reportedly* cost **twice** the estimate, officials said.\n";
    let upload = checker.post_multipart("/documents", &[("csrf_token", &token), ("outlet", "Metro Weekly")], Some(("tram.md", markdown)));
    assert_eq!(upload.status, 303, "{}", upload.body);
    let doc = checker.get(upload.location.as_deref().unwrap()).body;
    assert!(doc.contains("Metro Weekly") && doc.contains("reportedly") && !doc.contains("**twice**"), "Markdown read as text");
    let lines = b"{\"title\": \"One\", \"body\": \"Rents rose 12% last year, the agency said.\"}\n{\"title\": \"Two\", \"body\": \"The council will build the largest library ever.\"}\n";
    let jsonl = checker.post_multipart("/documents", &[("csrf_token", &token)], Some(("batch.jsonl", lines)));
    assert_eq!((jsonl.status, jsonl.location.as_deref()), (303, Some("/documents")));
    let list = checker.get("/documents").body;
    assert!(list.contains("2 documents ingested") && list.contains(">One<") && list.contains(">Two<"));
}
