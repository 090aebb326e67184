//! Property-based tests of the JSON API from its own OpenAPI document:
//! schemathesis generates requests for every operation (valid ones and
//! ones the schema forbids) and fails on any 5xx, any response that does
//! not match its documented schema, and any undocumented status code.
//!
//! Needs `schemathesis` (`pip install schemathesis`; `.ci/run` installs
//! it). Without it the test says SKIPPED, unless
//! `CLAIMDESK_TEST_SCHEMATHESIS=require`.

use std::process::Command;

use super::{Client, servers};

fn schemathesis() -> Option<&'static str> {
    let found = Command::new("schemathesis").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        if std::env::var("CLAIMDESK_TEST_SCHEMATHESIS").as_deref() == Ok("require") {
            panic!("CLAIMDESK_TEST_SCHEMATHESIS=require but `schemathesis` is not installed (pip install schemathesis)");
        }
        eprintln!("SKIPPED: the schemathesis test needs `schemathesis` (pip install schemathesis)");
        return None;
    }
    Some("schemathesis")
}

#[test]
fn the_api_meets_its_openapi_document_under_generated_requests() {
    let Some(program) = schemathesis() else { return };
    for server in servers("schemathesis") {
        server.user("otto", "editor");
        let token = server.token("otto");
        // Something for the claim endpoints to find.
        let api = Client::with_token(&server.base, &token);
        let ingested = api.post_json(
            "/api/v1/documents",
            &serde_json::json!({ "body": "Officials said the bridge will cost $2 billion, double last year's estimate." }),
        );
        assert_eq!(ingested.status, 201, "{}", ingested.body);
        let out = Command::new(program)
            .args(["run", &format!("{}/api/v1/openapi.json", server.base), "--url", &server.base])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
            .args(["--max-examples", "25", "--seed", "1", "--no-color"])
            .env("SCHEMATHESIS_HOOKS", "")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "schemathesis found problems on {}:\n{stdout}\n{stderr}", server.db);
        assert!(stdout.contains("passed"), "{stdout}");
    }
}
