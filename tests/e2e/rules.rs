//! The `rules` plugin through the real binary and the ABI: a newsroom's own
//! pack, a broken pack beside it, instance rules in `plugins list`.

use crate::{check_json, claimdesk, path_str, stderr, stdout};

const PACK: &str = r#"
name = "desk"

[[rule]]
id = "jargon"
type = "substitution"
kind = "other"
severity = "info"
message = "Say “{suggestion}” rather than “{match}”."
question = "Would a reader know this word?"
swap = { "stakeholders" = "people affected", "leverage" = "use" }

[[rule]]
id = "quoted-maybe"
kind = "hedge"
severity = "warning"
message = "The speaker hedges: {match}."
tokens = ["maybe", "perhaps"]
scope = "inside_quotes"
"#;

const BROKEN: &str = "name = \"broken\"\n\n[[rule]]\nid = \"x\"\nkind = \"vague\"\nmessage = \"m\"\npatterns = [\"(unclosed\"]\n";

#[test]
fn a_newsroom_pack_flags_and_a_broken_one_is_reported_with_file_and_line() {
    let dir = claimdesk_tests::temp_dir("rule-packs");
    std::fs::write(dir.join("desk.toml"), PACK).unwrap();
    std::fs::write(dir.join("broken.toml"), BROKEN).unwrap();
    let article = dir.join("article.txt");
    // One flag per rule and sentence: the two jargon words are in two sentences.
    std::fs::write(&article, "The council will leverage its reserves. Stakeholders were told, “maybe next year,” perhaps.\n").unwrap();
    let config = format!("rules=packs={}", dir.display());
    let (json, output) = check_json(&[path_str(&article), "--plugin-config", &config]);
    assert!(output.status.success(), "{}", stderr(&output));
    let flags: Vec<(String, String)> = json["documents"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["plugin"] == "rules")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        flags,
        [
            ("desk.jargon".to_owned(), "Say “use” rather than “leverage”.".to_owned()),
            ("desk.jargon".to_owned(), "Say “people affected” rather than “Stakeholders”.".to_owned()),
            ("desk.quoted-maybe".to_owned(), "The speaker hedges: maybe.".to_owned()),
        ],
        "the reporter's 'perhaps' is outside the quote"
    );
    let load_errors = json["load_errors"].as_array().unwrap();
    assert_eq!(load_errors.len(), 1, "{load_errors:?}");
    let error = load_errors[0]["error"].as_str().unwrap();
    let broken = dir.join("broken.toml");
    assert!(error.contains(&format!("{}:7: rule \"x\": invalid pattern", broken.display())), "{error}");
    assert!(error.contains("pack skipped"), "{error}");

    // Text output warns on stderr and still checks.
    let output = claimdesk(&["check", path_str(&article), "--plugin-config", &config]);
    assert!(output.status.success());
    assert!(stderr(&output).contains("plugin loaded with a problem"), "{}", stderr(&output));
    assert!(stdout(&output).contains("desk.jargon"), "{}", stdout(&output));

    // The pack's rules are the plugin's rules.
    let list = claimdesk(&["plugins", "list", "--plugin-config", &config]);
    let out = stdout(&list);
    assert!(out.contains("desk.jargon") && out.contains("desk.quoted-maybe") && out.contains("claimdesk.loaded-verb"), "{out}");
    assert!(out.contains("warning: ") && out.contains("broken.toml:7"), "{out}");
}
