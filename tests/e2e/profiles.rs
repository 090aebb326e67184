//! The two profiles of `check`: `desk` (the fine-tuned sentence encoder
//! lent to the plugins, the default) and `fast` (word models only), the
//! explained scores, the fallback when the desk model is missing, and the
//! misses a checker found, on an article written for the test.

use claimdesk_tests::{fixture, temp_dir};

use crate::{check_json, path_str, stderr};

fn sentence<'a>(json: &'a serde_json::Value, starts: &str) -> &'a serde_json::Value {
    json["documents"][0]["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["text"].as_str().unwrap_or_default().starts_with(starts))
        .unwrap_or_else(|| panic!("no sentence starting {starts:?}"))
}

fn flagged(json: &serde_json::Value, rule: &str) -> Vec<String> {
    json["documents"][0]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_desk_profile_scores_with_the_encoder_and_explains_why() {
    let article = fixture("recycling.txt");
    let (desk, output) = check_json(&["--profile", "desk", path_str(&article)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(desk["profile"], "desk", "{}", stderr(&output));
    let allegation = sentence(&desk, "Opposition councillors said");
    let why = allegation["why"].as_str().unwrap();
    assert!(why.starts_with("Check-worthiness (sentence encoder)"), "{why}");
    // A concrete, checkable allegation is worth checking; thanks are not.
    assert!(allegation["checkworthiness"].as_f64().unwrap() >= 0.5, "{allegation}");
    assert!(sentence(&desk, "Thank you")["checkworthiness"].as_f64().unwrap() < 0.5);
    // Figures and the other detectors' findings are named in plain words.
    let figures = sentence(&desk, "Support for the scheme")["why"].as_str().unwrap().to_owned();
    assert!(figures.contains("other detectors found a figure"), "{figures}");

    let (fast, output) = check_json(&["--profile", "fast", path_str(&article)]);
    assert!(output.status.success());
    assert_eq!(fast["profile"], "fast");
    let figures = sentence(&fast, "Support for the scheme");
    let why = figures["why"].as_str().unwrap_or_default();
    assert!(why.starts_with("Check-worthiness (word model); cues: a figure"), "{figures}");
    // Only check-worthy sentences are explained.
    assert!(sentence(&fast, "Thank you")["why"].is_null());
}

#[test]
fn the_desk_profile_is_the_default() {
    // (The test harness asks for the fast profile through the environment.)
    let output = std::process::Command::new(claimdesk_tests::claimdesk_bin())
        .args(["check", "--format", "json", path_str(&fixture("recycling.txt"))])
        .env_remove("CLAIMDESK_PROFILE")
        .env_remove("CLAIMDESK_PLUGINS")
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["profile"], "desk", "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_missing_desk_model_falls_back_to_the_fast_profile_and_says_so() {
    let article = fixture("recycling.txt");
    let (json, output) = check_json(&["--profile", "desk", "--desk-model", "/nonexistent/desk", path_str(&article)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("desk profile is unavailable")
            && err.contains("/nonexistent/desk")
            && err.contains("falling back to the fast profile"),
        "{err}"
    );
    assert_eq!(json["profile"], "fast");
    assert!(!flagged(&json, "numbers.percentage").is_empty(), "the fast plugins still run");
    // A damaged desk model the same way.
    let dir = temp_dir("broken-desk");
    std::fs::write(dir.join("desk.json"), "{ not json").unwrap();
    let (json, output) = check_json(&["--profile", "desk", "--desk-model", path_str(&dir), path_str(&article)]);
    assert!(output.status.success() && stderr(&output).contains("desk.json"), "{}", stderr(&output));
    assert_eq!(json["profile"], "fast");
}

#[test]
fn a_100_kb_sentence_is_cut_for_the_encoder_and_still_scored() {
    let dir = temp_dir("long-sentence");
    let path = dir.join("long.txt");
    std::fs::write(&path, "the levy raised more money than the council planned ".repeat(2000)).unwrap();
    let (json, output) = check_json(&["--profile", "desk", path_str(&path)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(json["profile"], "desk");
    let sentences = json["documents"][0]["sentences"].as_array().unwrap();
    assert!(sentences.iter().all(|s| s["checkworthiness"].is_f64()), "every sentence scored");
    assert!(json["documents"][0]["errors"].as_array().unwrap().is_empty(), "{json}");
}

#[test]
fn the_misses_a_checker_found_are_fixed() {
    let (json, output) = check_json(&["--profile", "fast", path_str(&fixture("recycling.txt"))]);
    assert!(output.status.success(), "{}", stderr(&output));
    let speaker = |starts: &str| sentence(&json, starts)["attribution"].clone();
    // "…huge success, city hall said…": attributed, so its figure is sourced.
    assert_eq!(speaker("Greenhaven's food-waste")["speaker"], "city hall");
    assert!(flagged(&json, "attribution.unsourced_figure").iter().all(|t| !t.starts_with("Greenhaven")));
    // A source whose name is withheld is anonymous, and the whole phrase.
    let withheld = speaker("According to a senior");
    assert_eq!((withheld["speaker"].as_str(), withheld["anonymous"].as_bool()), (Some("a senior council official"), Some(true)));
    // "the job estimates" is no speaker; the economists are.
    assert_eq!(speaker("Independent economists")["speaker"], "Independent economists");
    // "promised" reports.
    assert_eq!(speaker("The mayor promised")["speaker"], "The mayor");
    assert!(flagged(&json, "superlative.record").contains(&"cleanest".to_owned()));
    let percentages = flagged(&json, "numbers.percentage");
    assert!(percentages.iter().any(|t| t.contains("31%") && t.contains("58%")), "both figures flagged: {percentages:?}");
    assert!(flagged(&json, "numbers.money").contains(&"£84 a year".to_owned()));
    assert!(flagged(&json, "numbers.duration").iter().all(|t| t != "a year"), "the rate is the amount's, not a time span");
}
