//! The example plugin of docs/PLUGINS.md, built and loaded as a user would.

use claimdesk_tests::{fixture, isolated_plugin, plugin_dir};

use crate::{check_json, claimdesk, flag_pairs, path_str, stderr, stdout};

#[test]
fn example_plugin_flags_shouting_with_its_speaker() {
    let dir = plugin_dir("example", &[isolated_plugin("claimdesk-plugin-example")]);
    let path = fixture("harbour.txt");
    let (json, output) = check_json(&["--plugins", path_str(&dir), path_str(&path)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pairs = flag_pairs(&json);
    // The quotation is one sentence, so the run of capitals crosses its full stop.
    assert!(pairs.contains(&("shouting.caps".into(), "HARBOUR DEAL IS CLOSE. BIG NEWS SOON".into())), "{pairs:?}");
    let flag = json["documents"][0]["flags"].as_array().unwrap().iter().find(|f| f["rule"] == "shouting.caps").unwrap();
    assert_eq!(flag["message"], "Calder writes this in capitals.");
    // The built-ins still run beside it: --plugins adds to the default directory.
    assert!(pairs.iter().any(|(r, _)| r == "vague.progress"));
}

#[test]
fn example_plugin_config_is_validated() {
    let dir = plugin_dir("example-config", &[isolated_plugin("claimdesk-plugin-example")]);
    let ok = claimdesk(&["plugins", "list", "--plugins", path_str(&dir), "--plugin-config", "shouting=min_words=2"]);
    assert!(stdout(&ok).contains("shouting 0.1.0 (ABI v1)"), "{}", stdout(&ok));
    let bad = claimdesk(&["plugins", "list", "--plugins", path_str(&dir), "--plugin-config", "shouting=loud"]);
    assert!(stdout(&bad).contains("refused to start: unknown config \"loud\""), "{}", stdout(&bad));
}

#[test]
fn plugins_may_be_given_several_times() {
    let example = plugin_dir("several-example", &[isolated_plugin("claimdesk-plugin-example")]);
    let faulty = plugin_dir("several-faulty", &[isolated_plugin("claimdesk-testplugin-misbehave")]);
    let path = fixture("harbour.txt");
    let (json, output) = check_json(&[
        "--plugins",
        path_str(&example),
        "--plugins",
        path_str(&faulty),
        "--plugin-config",
        "misbehave=panic",
        path_str(&path),
    ]);
    assert!(output.status.success(), "a failing plugin is reported, not fatal: {}", stderr(&output));
    let pairs = flag_pairs(&json);
    assert!(pairs.iter().any(|(r, _)| r == "shouting.caps"), "{pairs:?}");
    assert!(pairs.iter().any(|(r, _)| r == "numbers.duration"), "{pairs:?}");
    let errors = json["documents"][0]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["plugin"], "misbehave");
    assert!(errors[0]["error"].as_str().unwrap().starts_with("panicked: deliberate panic in check"), "{errors:?}");
    // The same in text output, after the diagnostics.
    let text = claimdesk(&["check", "--plugins", path_str(&faulty), "--plugin-config", "misbehave=panic", path_str(&path)]);
    assert!(stdout(&text).contains("plugin misbehave: panicked: deliberate panic in check"), "{}", stdout(&text));
}
