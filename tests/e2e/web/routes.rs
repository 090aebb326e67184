//! Every route and role: anonymous callers go to the login (pages) or get
//! 401 (API), a wrong role gets 403, a POST without the CSRF token 403.

use super::{Client, Server, claim_id_with, form_value};

const PAGES: [&str; 9] = ["/queue", "/claims/1", "/documents", "/documents/1", "/plugins", "/users", "/reports", "/logout", "/"];

#[test]
fn anonymous_callers_are_sent_to_login_or_refused() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_anonymous")[0], &[]);
    let anon = server.client();
    for page in PAGES {
        let resp = anon.get(page);
        assert_eq!(resp.status, 303, "{page}");
        let location = resp.location.unwrap();
        assert!(location.starts_with("/login") || location == "/queue", "{page} → {location}");
    }
    assert_eq!(anon.get("/queue?status=new").location.as_deref(), Some("/login?next=/queue%3Fstatus%3Dnew"));
    for path in ["/api/v1/documents", "/api/v1/documents/1", "/api/v1/claims", "/api/v1/claims/1"] {
        let resp = anon.get(path);
        assert_eq!(resp.status, 401, "{path}");
        assert!(resp.json()["message"].as_str().unwrap().contains("Bearer"));
    }
    for path in ["/api/v1/claims/1/assign", "/api/v1/claims/1/verdict", "/api/v1/documents"] {
        assert_eq!(anon.post_json(path, &serde_json::json!({"version": 0})).status, 401, "{path}");
    }
    let bogus = Client::with_token(&server.base, "not-a-real-token");
    assert_eq!(bogus.get("/api/v1/claims").status, 401);
    for open in ["/healthz", "/login", "/static/app.css", "/static/app.js", "/api/v1/openapi.json"] {
        assert_eq!(anon.get(open).status, 200, "{open}");
    }
    // Posting to a page route without a session is refused too.
    assert_eq!(anon.post_form("/claims/1/verdict", &[("csrf_token", "x"), ("version", "0")]).status, 303);
}

#[test]
fn roles_are_enforced_on_every_route() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_roles")[0], &[]);
    let checker = server.user("carla", "checker");
    let editor = server.user("eddie", "editor");
    let admin = server.admin();
    for page in ["/queue", "/claims/1", "/documents", "/documents/1", "/reports", "/logout"] {
        for (who, client) in [("checker", &checker), ("editor", &editor), ("admin", &admin)] {
            assert_eq!(client.get(page).status, 200, "{who} {page}");
        }
    }
    for page in ["/plugins", "/users"] {
        assert_eq!(checker.get(page).status, 403, "checker {page}");
        assert_eq!(editor.get(page).status, 403, "editor {page}");
        assert_eq!(admin.get(page).status, 200, "admin {page}");
    }
    // Admin-only forms, posted with a valid CSRF token by the wrong role.
    for client in [&checker, &editor] {
        let token = client.csrf();
        let add =
            client.post_form("/users", &[("csrf_token", &token), ("name", "mallory"), ("role", "admin"), ("password", "0123456789ab")]);
        assert_eq!(add.status, 403);
        let promote = client.post_form("/users/2", &[("csrf_token", &token), ("role", "admin"), ("active", "true")]);
        assert_eq!(promote.status, 403);
        assert_eq!(client.post_form("/settings", &[("csrf_token", &token), ("second_review", "true")]).status, 403);
    }
    assert!(!admin.get("/users").body.contains("mallory"));

    // Editors' claim actions: refused to a checker (and nothing changes), allowed to an editor.
    let id = claim_id_with(&checker, "reserves");
    let page = checker.get(&format!("/claims/{id}")).body;
    assert!(!page.contains(&format!("action=\"/claims/{id}/dismiss\"")), "the checker is not offered dismissal");
    let version = form_value(&page, &format!("/claims/{id}/evidence"), "version").unwrap();
    let token = checker.csrf();
    let refused = checker.post_form(&format!("/claims/{id}/dismiss"), &[("csrf_token", &token), ("version", &version), ("reason", "dup")]);
    assert_eq!(refused.status, 403);
    assert!(checker.get(&format!("/claims/{id}")).body.contains("s-new"), "still new");
    let token = editor.csrf();
    let done =
        editor.post_form(&format!("/claims/{id}/dismiss"), &[("csrf_token", &token), ("version", &version), ("reason", "duplicate")]);
    assert_eq!(done.status, 303, "{}", done.body);

    // The API, by token.
    let checker_api = Client::with_token(&server.base, &server.token("carla"));
    let editor_api = Client::with_token(&server.base, &server.token("eddie"));
    let claim = checker_api.get("/api/v1/claims?status=new&limit=1").json()["claims"][0].clone();
    let (cid, v) = (claim["id"].as_i64().unwrap(), claim["version"].as_i64().unwrap());
    let dismiss = serde_json::json!({"version": v, "reason": "off topic"});
    assert_eq!(checker_api.post_json(&format!("/api/v1/claims/{cid}/dismiss"), &dismiss).status, 403);
    assert_eq!(checker_api.post_json(&format!("/api/v1/claims/{cid}/publish"), &serde_json::json!({"version": v})).status, 403);
    assert_eq!(editor_api.post_json(&format!("/api/v1/claims/{cid}/dismiss"), &dismiss).status, 200);
    // A deactivated user's session and token stop working at once.
    let token = admin.csrf();
    let users = admin.get("/users").body;
    let carla_form = users.split("<tr>").find(|row| row.contains("carla")).unwrap();
    let carla_id = carla_form.split("action=\"/users/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let off = admin.post_form(&format!("/users/{carla_id}"), &[("csrf_token", &token), ("role", "checker"), ("active", "false")]);
    assert_eq!(off.status, 303);
    assert_eq!(checker.get("/queue").status, 303);
    assert_eq!(checker_api.get("/api/v1/claims").status, 401);
}

#[test]
fn posts_without_a_csrf_token_are_refused() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_csrf")[0], &[]);
    let admin = server.admin();
    let id = claim_id_with(&admin, "stadium");
    let before = admin.get(&format!("/claims/{id}")).body;
    let version = form_value(&before, &format!("/claims/{id}/evidence"), "version").unwrap();
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/claims/{id}/assign"), vec![("version", &version), ("to", "admin")]),
        (format!("/claims/{id}/start"), vec![("version", &version)]),
        (format!("/claims/{id}/evidence"), vec![("url", "https://example.org/"), ("stance", "supports")]),
        (format!("/claims/{id}/verdict"), vec![("version", &version), ("rating", "false"), ("explanation", "no")]),
        (format!("/claims/{id}/dismiss"), vec![("version", &version), ("reason", "no")]),
        (format!("/claims/{id}/publish"), vec![("version", &version)]),
        (format!("/claims/{id}/reopen"), vec![("version", &version)]),
        ("/users".to_owned(), vec![("name", "eve"), ("role", "admin"), ("password", "0123456789ab")]),
        ("/users/1".to_owned(), vec![("role", "checker"), ("active", "false")]),
        ("/settings".to_owned(), vec![("second_review", "true")]),
        ("/logout".to_owned(), vec![]),
        ("/login".to_owned(), vec![("name", "admin"), ("password", &server.admin_password)]),
    ];
    for (path, fields) in &posts {
        assert_eq!(admin.post_form(path, fields).status, 403, "{path} without a token");
        let mut forged = fields.clone();
        forged.push(("csrf_token", "0000000000000000000000000000000000000000000000000000000000000000"));
        assert_eq!(admin.post_form(path, &forged).status, 403, "{path} with a forged token");
    }
    let ingest = admin.post_multipart("/documents", &[("title", "Forged"), ("body", "A forged article said prices doubled.")], None);
    assert_eq!(ingest.status, 403);
    // Nothing changed: same claim page, no forged user or document, still logged in.
    let after = admin.get(&format!("/claims/{id}")).body;
    assert_eq!(form_value(&after, &format!("/claims/{id}/evidence"), "version").unwrap(), version);
    assert!(after.contains("No evidence yet."));
    assert!(!admin.get("/users").body.contains("eve"));
    assert!(!admin.get("/documents").body.contains("Forged"));
    assert_eq!(admin.get("/queue").status, 200);
}

#[test]
fn session_cookie_is_http_only_and_same_site_and_secure_when_asked() {
    let db = &claimdesk_tests::test_database_urls("web_cookie")[0];
    let server = Server::start(db, &[]);
    let login = server.client().get("/login");
    let cookie = login.set_cookie.iter().find(|c| c.starts_with("claimdesk_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    drop(server);
    let secure = Server::start(db, &["--secure-cookies"]);
    let login = secure.client().get("/login");
    let cookie = login.set_cookie.iter().find(|c| c.starts_with("claimdesk_session=")).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[test]
fn logins_are_throttled_after_repeated_failures() {
    let server = Server::start(&claimdesk_tests::test_database_urls("web_throttle")[0], &[]);
    let client = server.client();
    for _ in 0..5 {
        let token = super::csrf_in(&client.get("/login").body).unwrap();
        let resp = client.post_form("/login", &[("csrf_token", &token), ("name", "admin"), ("password", "wrong password")]);
        assert_eq!(resp.status, 401);
        assert!(resp.body.contains("Wrong name or password"));
    }
    let token = super::csrf_in(&client.get("/login").body).unwrap();
    let locked = client.post_form("/login", &[("csrf_token", &token), ("name", "admin"), ("password", &server.admin_password)]);
    assert_eq!(locked.status, 429, "even the right password waits out the lockout");
    assert!(locked.body.contains("try again in"));
}
