use claimdesk_plugin_api::testing::run;
use claimdesk_plugin_api::{Kind, Severity};

use super::*;

/// `(rule id, flagged text, message)` for each flag.
fn flags(rules: &Rules, text: &str) -> Vec<(String, String, String)> {
    run(rules, text).unwrap_or_default().into_iter().map(|r| (rules.declared[r.index as usize].id.clone(), r.text, r.message)).collect()
}

fn pack(source: &str) -> Rules {
    Rules::from_sources(&[("test.toml".to_owned(), Ok(source.to_owned()))])
}

const NEWSROOM: &str = r#"
name = "newsroom"

[[rule]]
id = "hype"
kind = "vague"
severity = "warning"
message = "Hype: {match}."
question = "What exactly happened?"
tokens = ["game-changer", "historic", "-like"]
patterns = ['sweeping (reforms?|changes?)']

[[rule]]
id = "utilise"
type = "substitution"
kind = "other"
severity = "info"
message = "Write {suggestion}, not {match}."
swap = { "utilise" = "use", "in order to" = "to" }
ignorecase = false

[[rule]]
id = "quoted-hedge"
kind = "hedge"
message = "The speaker hedges: {match}."
tokens = ["maybe"]
scope = "inside_quotes"

[[rule]]
id = "reporter-hedge"
kind = "hedge"
message = "The reporter hedges: {match}."
tokens = ["maybe"]
scope = "outside_quotes"

[[rule]]
id = "exact-case"
kind = "other"
message = "Shouting: {match}."
tokens = ["NATO"]
ignorecase = false
word_boundaries = false
"#;

#[test]
fn existence_substitution_case_boundaries_and_scope() {
    let rules = pack(NEWSROOM);
    assert!(rules.warnings.is_empty(), "{:?}", rules.warnings);
    let ids: Vec<&str> = rules.declared.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["newsroom.hype", "newsroom.utilise", "newsroom.quoted-hedge", "newsroom.reporter-hedge", "newsroom.exact-case"]);
    assert_eq!((rules.declared[0].kind, rules.declared[0].severity), (Kind::Vague, Severity::Warning));

    let got = flags(&rules, "A HISTORIC game-changer: Sweeping reforms, an Article 5-like pledge. Prehistoric tools.");
    let found: Vec<&str> = got.iter().map(|(_, text, _)| text.as_str()).collect();
    assert_eq!(found, ["HISTORIC", "game-changer", "Sweeping reforms", "-like"], "case-insensitive, word boundaries: not 'Prehistoric'");
    assert_eq!(got[0].2, "Hype: HISTORIC.");

    let got = flags(&rules, "We utilise tools in order to win. Utilise is capitalised here.");
    assert_eq!(
        got,
        [
            ("newsroom.utilise".to_owned(), "utilise".to_owned(), "Write use, not utilise.".to_owned()),
            ("newsroom.utilise".to_owned(), "in order to".to_owned(), "Write to, not in order to.".to_owned()),
        ],
        "case-sensitive substitution"
    );

    let got = flags(&rules, "Maybe it works, the mayor said: “maybe by June.”");
    assert_eq!(
        got.iter().map(|(id, text, _)| (id.as_str(), text.as_str())).collect::<Vec<_>>(),
        [("newsroom.quoted-hedge", "maybe"), ("newsroom.reporter-hedge", "Maybe")],
        "the speaker's hedge and the reporter's are told apart"
    );

    let got = flags(&rules, "NATOS and Nato and NATO.");
    assert_eq!(got.iter().filter(|(id, _, _)| id == "newsroom.exact-case").count(), 2, "no word boundaries, exact case: {got:?}");
}

#[test]
fn the_builtin_pack_loads_and_flags() {
    let rules = Rules::new("").unwrap();
    assert!(rules.warnings.is_empty(), "{:?}", rules.warnings);
    let got = flags(&rules, "He added, “There remain some big areas of disagreement.” Critics slammed the plan, which clearly failed.");
    let ids: Vec<&str> = got.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, ["claimdesk.disagreement", "claimdesk.loaded-verb", "claimdesk.asserted-certainty"], "{got:?}");
    assert_eq!(got[1].2, "“slammed” characterises; a neutral word would be “criticised”.");
    let quoted = flags(&rules, "“They slammed us,” she said.");
    assert!(quoted.is_empty(), "loaded verbs count only in the reporter's words: {quoted:?}");
    assert!(Rules::new("builtin=off").unwrap().declared.is_empty());
}

/// Each broken pack: the error names the file and the line, and says what.
#[test]
fn broken_packs_name_file_and_line() {
    let cases: &[(&str, usize, &str)] = &[
        ("name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = [\"a\"\n", 6, "invalid rule pack"),
        ("name = \"x\"\n\n[[rule]]\nid = \"a\"\nkind = \"vage\"\nmessage = \"m\"\ntokens = [\"a\"]\n", 5, "unknown kind \"vage\""),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\npatterns = [\"(unclosed\"]\n",
            6,
            "invalid pattern \"(unclosed\"",
        ),
        ("name = \"x\"\n[[rule]]\nid = \"empty\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = []\n", 3, "no `tokens` and no `patterns`"),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nseverity = \"loud\"\nmessage = \"m\"\ntokens = [\"a\"]\n",
            5,
            "unknown severity",
        ),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = [\"a\"]\nscope = \"nearby\"\n",
            7,
            "unknown scope",
        ),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\ntype = \"substitution\"\nkind = \"other\"\nmessage = \"m\"\nswap = {}\n",
            7,
            "`swap` table is empty",
        ),
        ("name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\npatterns = [\"a*\"]\n", 6, "matches the empty string"),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = [\"a\"]\ncolour = \"red\"\n",
            7,
            "unknown field `colour`",
        ),
        (
            "name = \"x\"\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = [\"a\"]\n[[rule]]\nid = \"a\"\nkind = \"vague\"\nmessage = \"m\"\ntokens = [\"b\"]\n",
            8,
            "already used",
        ),
    ];
    for (source, line, problem) in cases {
        let error = parse_pack("packs/bad.toml", source).expect_err(source);
        assert_eq!((error.file.as_str(), error.line), ("packs/bad.toml", *line), "{error}");
        assert!(error.problem.contains(problem), "{error} lacks {problem:?}");
        assert!(error.to_string().starts_with(&format!("packs/bad.toml:{line}: ")), "{error}");
    }
}

#[test]
fn a_broken_pack_is_skipped_and_the_others_still_load() {
    let rules = Rules::from_sources(&[
        ("good.toml".to_owned(), Ok(NEWSROOM.to_owned())),
        (
            "bad.toml".to_owned(),
            Ok("name = \"bad\"\n[[rule]]\nid = \"a\"\nkind = \"nope\"\nmessage = \"m\"\ntokens = [\"a\"]\n".to_owned()),
        ),
        ("missing.toml".to_owned(), Err("missing.toml: cannot read rule pack: not found".to_owned())),
        ("clash.toml".to_owned(), Ok(NEWSROOM.to_owned())),
    ]);
    assert_eq!(rules.declared.len(), 5, "the good pack loaded once");
    assert_eq!(rules.warnings.len(), 3, "{:?}", rules.warnings);
    assert!(rules.warnings[0].starts_with("bad.toml:4: rule \"a\": unknown kind \"nope\""), "{}", rules.warnings[0]);
    assert!(rules.warnings[1].contains("cannot read rule pack"));
    assert!(rules.warnings[2].contains("already defined by an earlier pack"));
}

#[test]
fn packs_load_from_files_and_directories_and_config_errors_are_clear() {
    let dir = std::env::temp_dir().join(format!("claimdesk-rules-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("newsroom.toml"), NEWSROOM).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a pack").unwrap();
    let rules = Rules::new(&format!("builtin=off; packs={}", dir.display())).unwrap();
    assert_eq!(rules.declared.len(), 5);
    assert!(rules.warnings.is_empty(), "{:?}", rules.warnings);
    let missing = Rules::new("packs=/nonexistent/packs").unwrap();
    assert!(missing.warnings[0].contains("/nonexistent/packs: cannot read rule pack"), "{:?}", missing.warnings);
    assert!(!missing.declared.is_empty(), "the built-in pack still loads");
    assert!(Rules::new("colour=red").unwrap_err().contains("unknown config"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_long_sentence_without_punctuation_is_checked_in_linear_time() {
    let rules = pack(NEWSROOM);
    let text = format!("{} historic", "word ".repeat(20_000)); // 100 KB, one sentence
    let got = flags(&rules, &text);
    assert_eq!(got.len(), 1);
}
