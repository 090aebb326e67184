//! The fact-check library through the real binary, on every test database:
//! `import fact-checks` (idempotent, bad records reported by number),
//! `match` (hybrid search with the shipped encoder) and
//! `eval --task matching`; and a broken model turning matching off.

use claimdesk_tests::{fixture, temp_dir, test_database_urls};

use crate::{claimdesk, stderr, stdout};

fn path(name: &str) -> String {
    fixture(&format!("library/{name}")).display().to_string()
}

#[test]
fn import_then_match_on_each_database() {
    for url in test_database_urls("library") {
        let checks = path("checks.json");
        let first = claimdesk(&["import", "fact-checks", &checks, "--database", &url]);
        // One record (no url, no @id) is refused: exit 1, the others kept.
        assert_eq!(first.status.code(), Some(1), "{url}: {}", stderr(&first));
        assert!(stderr(&first).contains("refused: ") && stderr(&first).contains("record 5: no url and no @id"), "{}", stderr(&first));
        assert!(stdout(&first).contains("4 added, 0 updated"), "{}", stdout(&first));
        assert!(stderr(&first).contains("4 encoded"), "{}", stderr(&first));

        // Again: the same URLs update, nothing is added or re-encoded.
        let again = claimdesk(&["import", "fact-checks", &checks, "--database", &url]);
        assert!(stdout(&again).contains("0 added, 4 updated"), "{}", stdout(&again));
        assert!(stderr(&again).contains("0 encoded") && stderr(&again).contains("the library holds 4"), "{}", stderr(&again));

        let run = claimdesk(&["match", &path("queries.tsv"), "--top", "2", "--format", "trec", "--database", &url]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
        let lines: Vec<Vec<String>> = stdout(&run).lines().map(|l| l.split(' ').map(str::to_owned).collect()).collect();
        let first_for = |q: &str| lines.iter().find(|l| l[0] == q && l[3] == "1").map(|l| l[2].clone());
        assert_eq!(first_for("q1").as_deref(), Some("https://checks.example/bridge-budget"), "{url}: {lines:?}");
        assert_eq!(first_for("q2").as_deref(), Some("https://checks.example/teachers-pay"), "{url}: {lines:?}");
        assert_eq!(first_for("q3").as_deref(), Some("https://checks.example/shark-mall"), "{url}: {lines:?}");
        // A blank query matches nothing, without an error.
        assert!(!lines.iter().any(|l| l[0] == "q4"));
        assert!(lines.iter().all(|l| l.len() == 6 && l[1] == "Q0" && l[5] == "claimdesk"));

        let json = claimdesk(&["match", &path("queries.tsv"), "--top", "1", "--database", &url]);
        let first: serde_json::Value =
            serde_json::from_str(stdout(&json).lines().next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {}", stdout(&json)));
        assert_eq!(first["query"], "q1");
        assert_eq!(first["matches"][0]["rating"], "Mostly true");
        assert_eq!(first["matches"][0]["publisher"], "Harbour Checks");
        assert!(first["matches"][0]["similarity"].as_f64().unwrap_or(0.0) > 0.5, "{first}");
    }
}

#[test]
fn eval_prints_the_retrieval_measures() {
    let out = claimdesk(&[
        "eval",
        "--task",
        "matching",
        "--fact-checks",
        &path("checks.json"),
        "--queries",
        &path("queries.tsv"),
        "--qrels",
        &path("queries.qrels"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("queries 3  MAP@1 1.000  MAP@5 1.000  MRR 1.000  Recall@5 1.000"), "{}", stdout(&out));
    let missing = claimdesk(&["eval", "--task", "matching", "--fact-checks", &path("checks.json")]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_broken_model_turns_matching_off_with_a_clear_error() {
    let dir = temp_dir("broken-model");
    std::fs::write(dir.join("config.json"), b"{ not json").unwrap();
    let dir = dir.display().to_string();
    let db = temp_dir("broken-model-db").join("x.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let out = claimdesk(&["import", "fact-checks", &path("checks.json"), "--encoder", &dir, "--database", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("encoder cannot be used") && stderr(&out).contains("config.json"), "{}", stderr(&out));
}
