//! Bad input through the web: markup is escaped wherever shown, oversized
//! bodies get 413, unknown ids 404, malformed fields 400 with the input
//! kept, search text is only ever a parameter.

use super::{Client, Server, claim_id_with, form_value};

const SCRIPT: &str = "<script>alert('x')</script>";

/// askama writes `<` as `&#60;`; either spelling is fine.
fn normalized(html: &str) -> String {
    html.replace("&#60;", "&lt;").replace("&#62;", "&gt;")
}

fn no_live_markup(html: &str) {
    assert!(!html.contains("<script>alert"), "unescaped script in page");
    assert!(!html.contains("<img src=x"), "unescaped img in page");
}

#[test]
fn markup_in_every_text_field_is_escaped_wherever_shown() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_escape")[0], &[]);
    let admin = server.admin();
    let token = admin.csrf();
    let body = format!(
        "The mayor said the budget doubled {SCRIPT} in a year. Critics argue <img src=x onerror=alert(1)> it is the largest rise ever."
    );
    let ingest = admin.post_multipart(
        "/documents",
        &[
            ("csrf_token", &token),
            ("title", &format!("Budget {SCRIPT}")),
            ("outlet", "<b>Outlet</b>"),
            ("author", &format!("A. {SCRIPT}")),
            ("url", "https://example.org/a\"onmouseover=\"alert(1)"),
            ("body", &body),
        ],
        None,
    );
    assert_eq!(ingest.status, 303, "{}", ingest.body);
    let doc = admin.get(ingest.location.as_deref().unwrap());
    assert_eq!(doc.status, 200);
    no_live_markup(&doc.body);
    assert!(normalized(&doc.body).contains("&lt;script&gt;alert("), "shown, escaped");
    assert!(!doc.body.contains("\"onmouseover=\"alert"), "attribute not broken out of");
    no_live_markup(&admin.get("/documents").body);

    let id = claim_id_with(&admin, "budget doubled");
    let claim = admin.get(&format!("/claims/{id}"));
    no_live_markup(&claim.body);
    let page = claim.body;
    let version = form_value(&page, &format!("/claims/{id}/evidence"), "version").unwrap();
    let evidence = admin.post_form(
        &format!("/claims/{id}/evidence"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("url", "https://example.org/x?q=\"><script>alert(1)</script>"),
            ("title", SCRIPT),
            ("quoted_passage", SCRIPT),
            ("note", "<img src=x onerror=alert(1)>"),
            ("stance", "context"),
        ],
    );
    assert_eq!(evidence.status, 303, "{}", evidence.body);
    let verdict = admin.post_form(
        &format!("/claims/{id}/verdict"),
        &[("csrf_token", &token), ("version", &version), ("rating", "false"), ("explanation", SCRIPT)],
    );
    assert_eq!(verdict.status, 303, "{}", verdict.body);
    let shown = admin.get(&format!("/claims/{id}")).body;
    no_live_markup(&shown);
    assert!(normalized(&shown).matches("&lt;script&gt;").count() >= 4, "title, passage, explanation and history are escaped");
    no_live_markup(&admin.get("/queue").body);
    // User names are restricted, and a refused one is shown escaped.
    let user = admin.post_form("/users", &[("csrf_token", &token), ("name", SCRIPT), ("role", "checker"), ("password", "0123456789ab")]);
    assert_eq!(user.status, 400);
    no_live_markup(&user.body);
    assert!(normalized(&user.body).contains("&lt;script&gt;"));
    // The login form re-shows the name escaped.
    let fresh = server.client();
    let t = super::csrf_in(&fresh.get("/login").body).unwrap();
    let login = fresh.post_form("/login", &[("csrf_token", &t), ("name", SCRIPT), ("password", "x")]);
    assert_eq!(login.status, 401);
    no_live_markup(&login.body);
    // Error pages escape what they echo.
    let missing = admin.get("/%3Cscript%3Ealert('x')%3C/script%3E");
    assert_eq!(missing.status, 404);
    no_live_markup(&missing.body);
}

#[test]
fn oversized_bodies_and_uploads_get_413_and_store_nothing() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_413")[0], &[]);
    let admin = server.admin();
    let token = admin.csrf();
    let before = admin.get("/documents").body.matches("<tr>").count();
    let huge = "The council said costs doubled. ".repeat(11 * 1024 * 1024 / 32);
    let pasted = admin.post_multipart("/documents", &[("csrf_token", &token), ("body", &huge)], None);
    assert_eq!(pasted.status, 413);
    assert!(pasted.body.contains("limited to 10 MiB"));
    let upload = admin.post_multipart("/documents", &[("csrf_token", &token)], Some(("big.txt", huge.as_bytes())));
    assert_eq!(upload.status, 413);
    let id = claim_id_with(&admin, "stadium");
    let form = admin.post_form(&format!("/claims/{id}/evidence"), &[("csrf_token", &token), ("note", &"n".repeat(400 * 1024))]);
    assert_eq!(form.status, 413);
    let api = Client::with_token(&server.base, &server.token("admin"));
    let json = api.post_json("/api/v1/documents", &serde_json::json!({ "body": huge }));
    assert_eq!(json.status, 413);
    assert!(json.json()["message"].is_string());
    assert_eq!(admin.get("/documents").body.matches("<tr>").count(), before, "nothing was stored");
    assert!(admin.get(&format!("/claims/{id}")).body.contains("No evidence yet."));
}

#[test]
fn unknown_ids_get_a_404_page_not_a_500() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_404")[0], &[]);
    let admin = server.admin();
    for path in [
        "/claims/999999", "/claims/abc", "/claims/-1", "/documents/999999", "/documents/1x", "/no/such/page",
        "/claims/99999999999999999999",
    ] {
        let resp = admin.get(path);
        assert_eq!(resp.status, 404, "{path}");
        assert!(resp.content_type.starts_with("text/html"), "{path}: {}", resp.content_type);
        assert!(resp.body.contains("404 Not Found"), "{path}");
    }
    let token = admin.csrf();
    assert_eq!(admin.post_form("/claims/999999/verdict", &[("csrf_token", &token), ("version", "0")]).status, 404);
    assert_eq!(admin.post_form("/users/999999", &[("csrf_token", &token), ("role", "checker"), ("active", "true")]).status, 404);
    let id = claim_id_with(&admin, "stadium");
    assert_eq!(admin.post_form(&format!("/claims/{id}/explode"), &[("csrf_token", &token), ("version", "0")]).status, 404);
    let api = Client::with_token(&server.base, &server.token("admin"));
    for path in ["/api/v1/claims/999999", "/api/v1/documents/999999", "/api/v1/claims/abc", "/api/v1/nothing"] {
        let resp = api.get(path);
        assert_eq!(resp.status, 404, "{path}");
        assert!(resp.json()["message"].is_string(), "{path}");
    }
}

#[test]
fn malformed_fields_get_400_with_the_form_shown_again_and_the_input_kept() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_400")[0], &[]);
    let admin = server.admin();
    let token = admin.csrf();
    let id = claim_id_with(&admin, "stadium");
    let page = admin.get(&format!("/claims/{id}")).body;
    let version = form_value(&page, &format!("/claims/{id}/evidence"), "version").unwrap();
    let bad_url = admin.post_form(
        &format!("/claims/{id}/evidence"),
        &[("csrf_token", &token), ("url", "not a web address"), ("stance", "supports"), ("note", "My careful note on the docklands")],
    );
    assert_eq!(bad_url.status, 400);
    assert!(bad_url.body.contains("http:// or https://"));
    assert!(bad_url.body.contains("My careful note on the docklands") && bad_url.body.contains("not a web address"), "input kept");
    let bad_stance =
        admin.post_form(&format!("/claims/{id}/evidence"), &[("csrf_token", &token), ("url", "https://ok.example/"), ("stance", "maybe")]);
    assert_eq!(bad_stance.status, 400);
    let bad_rating = admin.post_form(
        &format!("/claims/{id}/verdict"),
        &[("csrf_token", &token), ("version", &version), ("rating", "pants_on_fire"), ("explanation", "Kept explanation text")],
    );
    assert_eq!(bad_rating.status, 400);
    assert!(bad_rating.body.contains("Choose a rating") && bad_rating.body.contains("Kept explanation text"));
    let no_explanation = admin.post_form(
        &format!("/claims/{id}/verdict"),
        &[("csrf_token", &token), ("version", &version), ("rating", "false"), ("explanation", "  ")],
    );
    assert_eq!(no_explanation.status, 400);
    let bad_version = admin.post_form(&format!("/claims/{id}/start"), &[("csrf_token", &token), ("version", "seven")]);
    assert_eq!(bad_version.status, 400);
    let no_reason = admin.post_form(&format!("/claims/{id}/dismiss"), &[("csrf_token", &token), ("version", &version), ("reason", "")]);
    assert_eq!(no_reason.status, 400);
    let nobody = admin.post_form(&format!("/claims/{id}/assign"), &[("csrf_token", &token), ("version", &version), ("to", "ghost")]);
    assert_eq!(nobody.status, 400);
    assert!(nobody.body.contains("no active user"));
    assert!(admin.get(&format!("/claims/{id}")).body.contains("Nothing has happened to this claim yet."), "no change was applied");

    let bad_date = admin.post_multipart(
        "/documents",
        &[
            ("csrf_token", &token),
            ("title", "Kept Title Here"),
            ("published", "last Tuesday"),
            ("url", "ftp://x"),
            ("body", "Prices doubled, he said."),
        ],
        None,
    );
    assert_eq!(bad_date.status, 400);
    assert!(bad_date.body.contains("YYYY-MM-DD") && bad_date.body.contains("http:// or https://"));
    assert!(bad_date.body.contains("Kept Title Here") && bad_date.body.contains("Prices doubled, he said."));
    let empty = admin.post_multipart("/documents", &[("csrf_token", &token), ("body", "   ")], None);
    assert_eq!(empty.status, 400);
    let binary = admin.post_multipart("/documents", &[("csrf_token", &token)], Some(("x.txt", b"abc\0def")));
    assert_eq!(binary.status, 400);
    assert!(binary.body.contains("binary"), "{}", binary.body);
    let latin1 = admin.post_multipart("/documents", &[("csrf_token", &token)], Some(("x.txt", b"caf\xe9 prices doubled")));
    assert_eq!(latin1.status, 400);

    let queue = admin.get("/queue?status=bogus&q=kept+search&document=x");
    assert_eq!(queue.status, 400);
    assert!(queue.body.contains("unknown status") && queue.body.contains("document must be a number"));
    assert!(queue.body.contains("value=\"kept search\""), "filters kept");
    assert_eq!(admin.get("/queue?after=garbage").status, 400);
    let add = admin.post_form("/users", &[("csrf_token", &token), ("name", "newbie"), ("role", "overlord"), ("password", "short")]);
    assert_eq!(add.status, 400);
    assert!(add.body.contains("value=\"newbie\"") && add.body.contains("at least 10 characters"));
}

#[test]
fn free_text_search_is_a_parameter_whatever_it_holds() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_search")[0], &[]);
    let admin = server.admin();
    let api = Client::with_token(&server.base, &server.token("admin"));
    let body = "Rents rose 50% in a single year, officials said. The fund_total reportedly reached a record high.";
    assert_eq!(api.post_json("/api/v1/documents", &serde_json::json!({ "body": body, "title": "Rents" })).status, 201);
    let texts: Vec<String> = api.get("/api/v1/claims?limit=200").json()["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();
    let expected = |q: &str| texts.iter().filter(|t| t.contains(q)).count();
    let count = |q: &str| {
        let resp = api.get(&format!("/api/v1/claims?limit=200&q={}", claimdesk_tests_encode(q)));
        assert_eq!(resp.status, 200, "{q}");
        resp.json()["claims"].as_array().unwrap().len()
    };
    assert_eq!(count("50%"), 1, "% matches itself");
    assert_eq!(count("5_%"), 0, "_ is not a wildcard");
    assert_eq!(count("fund_total"), 1);
    assert!(expected("%") > 1, "the demo articles hold other percentages");
    assert_eq!(count("%"), expected("%"), "only claims holding a percent sign");
    assert_eq!(count("_"), expected("_"));
    for hostile in ["'; DROP TABLE claims; --", "\" OR 1=1 --", "') OR ('1'='1", "\\", "%' UNION SELECT * FROM users --"] {
        assert_eq!(count(hostile), 0, "{hostile}");
        let page = admin.get(&format!("/queue?q={}", claimdesk_tests_encode(hostile)));
        assert_eq!(page.status, 200, "{hostile}");
        assert!(page.body.contains("No claims match"));
    }
    assert_eq!(api.get("/api/v1/claims?limit=200").json()["claims"].as_array().unwrap().len(), texts.len(), "nothing dropped");
}

fn claimdesk_tests_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
