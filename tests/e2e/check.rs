use claimdesk_tests::{fixture, fixture_text};

use crate::{check_json, claimdesk, claimdesk_with, flag_pairs, path_str, stdout};

fn has(pairs: &[(String, String)], rule: &str, text: &str) -> bool {
    pairs.iter().any(|(r, t)| r == rule && t == text)
}

#[test]
fn built_in_plugins_flag_the_fixture_article() {
    let path = fixture("harbour.txt");
    let (json, output) = check_json(&[path_str(&path)]);
    assert!(output.status.success());
    let pairs = flag_pairs(&json);
    for (rule, text) in [
        ("vague.progress", "huge progress"),
        ("vague.agreement", "framework"),
        ("hedge.commitment", "agreed to consider"),
        ("hedge.comparison", "akin to"),
        ("hedge.comparison", "Rail-Accord-like"),
        ("hedge.weasel", "It is believed"),
        ("numbers.duration", "over six years"),
        ("numbers.percentage", "14%"),
        ("numbers.money", "$45 million"),
        ("numbers.quantity", "3,000 jobs"),
    ] {
        assert!(has(&pairs, rule, text), "missing {rule} on {text:?}; got {pairs:?}");
    }
    // Labels are not figures: "2019" is a year.
    assert!(!pairs.iter().any(|(_, t)| t.contains("2019")), "{pairs:?}");
}

#[test]
fn json_follows_the_contract() {
    let path = fixture("harbour.txt");
    let text = fixture_text("harbour.txt");
    let (json, _) = check_json(&[path_str(&path)]);
    let doc = &json["documents"][0];
    assert_eq!(doc["path"], path_str(&path));
    assert_eq!(doc["errors"], serde_json::json!([]));
    let sentences = doc["sentences"].as_array().unwrap();
    assert_eq!(sentences.len(), 11);
    for s in sentences {
        let (start, end) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
        assert_eq!(s["text"], text[start..end]);
        let score = s["checkworthiness"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(s.get("attribution").is_some());
    }
    // The scorer's per-sentence flags become these scores, not flags.
    let score_of = |needle: &str| {
        sentences.iter().find(|s| s["text"].as_str().unwrap().contains(needle)).unwrap()["checkworthiness"].as_f64().unwrap()
    };
    assert!(score_of("3,000 jobs") > 0.5, "a sentence full of figures is check-worthy");
    assert!(score_of("3,000 jobs") > score_of("She added"), "and ranks above a quoted remark");
    assert_eq!(sentences[1]["attribution"], serde_json::json!({"speaker": "Ines Calder", "anonymous": false}));
    // Quote awareness: the reporter's words and the quoted speaker's are told apart.
    let flags = doc["flags"].as_array().unwrap();
    let by_text = |t: &str| flags.iter().find(|f| f["text"] == t).unwrap_or_else(|| panic!("no flag on {t:?}"));
    assert_eq!(
        (by_text("huge progress")["quoted"].clone(), by_text("huge progress")["speaker"].clone()),
        (true.into(), "Ines Calder".into())
    );
    assert_eq!(
        (by_text("over six years")["quoted"].clone(), by_text("over six years")["speaker"].clone()),
        (false.into(), serde_json::Value::Null)
    );
    assert_eq!(sentences[4]["attribution"], serde_json::json!({"speaker": "officials", "anonymous": true}));
    for f in doc["flags"].as_array().unwrap() {
        assert_ne!(f["kind"], "checkworthy");
        assert!(f["quoted"].is_boolean());
        for key in ["plugin", "plugin_version", "rule", "kind", "severity", "text", "message", "question"] {
            assert!(f[key].as_str().is_some_and(|v| !v.is_empty()), "flag field {key} missing in {f}");
        }
        let (start, end) = (f["start"].as_u64().unwrap() as usize, f["end"].as_u64().unwrap() as usize);
        assert_eq!(f["text"], text[start..end], "offsets are byte offsets into the file");
        let score = f["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(["info", "warning", "error"].contains(&f["severity"].as_str().unwrap()));
    }
    assert_eq!(json["load_errors"], serde_json::json!([]));
}

#[test]
fn text_output_is_rustc_style() {
    let path = fixture("harbour.txt");
    let text = fixture_text("harbour.txt");
    let output = claimdesk(&["check", path_str(&path)]);
    assert!(output.status.success());
    let out = stdout(&output);
    // "over six years" is on line 4; its column counts characters.
    let line = text.lines().nth(3).unwrap();
    let col = line[..line.find("over six years").unwrap()].chars().count() + 1;
    let location = format!("--> {}:4:{col}", path_str(&path));
    let block = out.split("\n\n").find(|b| b.contains(&location)).unwrap_or_else(|| panic!("no diagnostic at {location}:\n{out}"));
    assert!(block.starts_with("warning[numbers.duration]: A time span is asserted."), "{block}");
    assert!(block.contains("^^^^^^^^^^^^^^"), "a caret line under the 14-char span: {block}");
    assert!(block.contains("question: Is the span exact"), "{block}");
    assert!(out.trim_end().ends_with("sentences"), "summary line last: {out}");
    // Overlapping flags are one diagnostic with every reason, the strongest first.
    let merged = out.split("\n\n").find(|b| b.contains("huge progress")).unwrap();
    assert!(merged.starts_with("warning[vague.progress, quote.scare]: An outcome is asserted and inflated"), "{merged}");
    assert!(merged.contains("note: inside a quotation: these are Ines Calder's words"), "{merged}");
    assert!(merged.contains("question (vague.progress):") && merged.contains("question (quote.scare):"), "{merged}");
}

#[test]
fn stdin_is_read_for_dash() {
    let output = claimdesk_with(&["check", "--format", "json", "-"], Some("Sales rose 14% in a year, officials said.".as_bytes()));
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["documents"][0]["path"], "<stdin>");
    assert!(flag_pairs(&json).iter().any(|(r, t)| r == "numbers.percentage" && t == "14%"));
}

#[test]
fn min_score_filters_flags() {
    let path = fixture("harbour.txt");
    let (all, _) = check_json(&[path_str(&path)]);
    let (high, _) = check_json(&["--min-score", "0.8", path_str(&path)]);
    let all = all["documents"][0]["flags"].as_array().unwrap().clone();
    let high = high["documents"][0]["flags"].as_array().unwrap().clone();
    assert!(high.len() < all.len() && !high.is_empty());
    assert!(high.iter().all(|f| f["score"].as_f64().unwrap() >= 0.8 - 1e-6));
    let bad = claimdesk(&["check", "--min-score", "2", path_str(&path)]);
    assert!(!bad.status.success());
    assert!(crate::stderr(&bad).contains("not between 0 and 1"));
}
