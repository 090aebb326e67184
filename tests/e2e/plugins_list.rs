use claimdesk_tests::{isolated_plugin, plugin_dir};

use crate::{claimdesk, path_str, stdout};

#[test]
fn lists_plugins_with_versions_abi_and_rules() {
    let output = claimdesk(&["plugins", "list"]);
    assert!(output.status.success());
    let out = stdout(&output);
    let version = env!("CARGO_PKG_VERSION");
    for (name, _) in claimdesk_tests::builtin_plugins() {
        assert!(out.contains(&format!("{name} {version} (ABI v1)")), "{out}");
    }
    // The rules plugin's rules come from its packs (ABI v1.1 instance rules).
    for rule in ["vague.progress", "hedge.comparison", "numbers.duration", "subjectivity.sentence", "claimdesk.disagreement"] {
        assert!(out.contains(rule), "{out}");
    }
}

#[test]
fn lists_load_errors_and_extra_directories_in_json() {
    let dir = plugin_dir("list-broken", &[isolated_plugin("claimdesk-testplugin-wrong-abi")]);
    let output = claimdesk(&["plugins", "list", "--format", "json", "--plugins", path_str(&dir)]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["plugins"].as_array().unwrap().len(), 10);
    let error = &json["errors"][0];
    assert!(error["path"].as_str().unwrap().contains("wrong_abi"));
    assert!(error["error"].as_str().unwrap().contains("plugin ABI version 2"), "{error}");
    let rules = &json["plugins"][0]["rules"][0];
    for key in ["id", "kind", "severity", "description"] {
        assert!(rules[key].is_string(), "{rules}");
    }
}

#[test]
fn a_binary_without_plugins_says_so() {
    let dir = claimdesk_tests::temp_dir("lonely-binary");
    let lonely = dir.join("claimdesk");
    std::fs::copy(claimdesk_tests::claimdesk_bin(), &lonely).unwrap();
    let sample = claimdesk_tests::fixture("harbour.txt");
    let output = std::process::Command::new(&lonely).args(["check", path_str(&sample)]).env_remove("CLAIMDESK_PLUGINS").output().unwrap();
    assert!(output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no plugins loaded") && err.contains("cargo build --release"), "{err}");
}
