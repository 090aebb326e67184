//! The plugin host against real `.so` files, built-in and faulty ones.

use std::path::{Path, PathBuf};

use claimdesk_core::analyze;
use claimdesk_plugin_host::{HostOptions, LoadProblem, PluginHost, RunProblem};
use claimdesk_tests::{builtin_plugins_dir, fixture_text, isolated_plugin, plugin_dir, temp_dir};

fn builtins() -> Vec<PathBuf> {
    vec![builtin_plugins_dir().to_path_buf()]
}

fn misbehave() -> &'static Path {
    isolated_plugin("claimdesk-testplugin-misbehave")
}

fn options(config: &str) -> HostOptions {
    HostOptions { configs: [("misbehave".to_owned(), config.to_owned())].into() }
}

/// Loads the built-ins plus the misbehaving plugin configured as `mode`,
/// runs them over the fixture, and returns the host and outcome.
fn run_with_misbehave(mode: &str) -> (PluginHost, claimdesk_plugin_host::CheckOutcome) {
    let dir = plugin_dir(&format!("misbehave-{mode}"), &[misbehave()]);
    let mut dirs = builtins();
    dirs.push(dir);
    let host = PluginHost::load(&dirs, &options(mode));
    assert!(host.load_errors().is_empty(), "{:?}", host.load_errors());
    let text = format!("Zoë’s {}", fixture_text("harbour.txt"));
    let outcome = host.check(&text, &analyze(&text));
    (host, outcome)
}

fn assert_builtins_still_flag(outcome: &claimdesk_plugin_host::CheckOutcome) {
    for plugin in ["vague", "hedges", "numbers"] {
        assert!(outcome.flags.iter().any(|f| &*f.plugin == plugin), "{plugin} flags missing");
    }
    assert!(!outcome.flags.iter().any(|f| &*f.plugin == "misbehave"), "a failed plugin contributes no flags");
}

#[test]
fn built_in_plugins_load_with_their_rules() {
    let host = PluginHost::load(&builtins(), &HostOptions::default());
    assert!(host.load_errors().is_empty(), "{:?}", host.load_errors());
    let names: Vec<_> = host.plugins().map(|p| p.name.to_string()).collect();
    let mut builtin: Vec<_> = claimdesk_tests::builtin_plugins().iter().map(|(name, _)| name.clone()).collect();
    builtin.sort();
    assert!(!names.is_empty());
    assert_eq!(names, builtin, "the host loads exactly the default members, by directory name");
    for p in host.plugins() {
        assert_eq!(p.abi_version, 1);
        assert!(!p.rules.is_empty());
        // Rule ids are namespaced by plugin ("vague.progress"), in the
        // singular for some; the rules plugin's by rule pack.
        let prefix = if &*p.name == "rules" { "claimdesk." } else { p.name.trim_end_matches('s') };
        assert!(p.rules.iter().all(|r| r.id.starts_with(prefix)), "{:?}", p.rules);
    }
}

#[test]
fn a_plugin_built_against_abi_1_0_still_loads_and_runs() {
    let dir = plugin_dir("abi-1-0", &[isolated_plugin("claimdesk-testplugin-abi-1-0")]);
    let host = PluginHost::load(&[dir], &HostOptions::default());
    assert!(host.load_errors().is_empty(), "{:?}", host.load_errors());
    let old = host.plugins().find(|p| &*p.name == "old-timer").expect("loaded");
    assert_eq!(old.rules.iter().map(|r| r.id.to_string()).collect::<Vec<_>>(), ["old.first-word"]);
    let text = "Some text.";
    let outcome = host.check(text, &analyze(text));
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(outcome.flags.iter().any(|f| &*f.rule == "old.first-word"), "{:?}", outcome.flags);
}

#[test]
fn a_well_behaved_run_of_the_test_plugin_passes_its_flag() {
    let (_, outcome) = run_with_misbehave("");
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert!(outcome.flags.iter().any(|f| &*f.plugin == "misbehave" && &*f.rule == "misbehave.any"));
}

#[test]
fn a_panicking_plugin_is_contained() {
    let (_, outcome) = run_with_misbehave("panic");
    assert_eq!(outcome.errors.len(), 1);
    assert_eq!(outcome.errors[0].plugin, "misbehave");
    assert_eq!(outcome.errors[0].error, RunProblem::Panicked("deliberate panic in check".into()));
    let message = outcome.errors[0].to_string();
    assert!(message.contains("misbehave") && message.contains("panicked: deliberate panic in check"), "{message}");
    assert!(
        message.contains(&libloading::library_filename("claimdesk_testplugin_misbehave").to_string_lossy().into_owned()),
        "names the file: {message}"
    );
    assert_builtins_still_flag(&outcome);
}

#[test]
fn spans_outside_the_text_are_refused() {
    let (_, outcome) = run_with_misbehave("out-of-range");
    assert!(matches!(outcome.errors[0].error, RunProblem::SpanOutOfRange { start: 0, .. }), "{:?}", outcome.errors);
    assert!(outcome.errors[0].to_string().contains("outside the text"));
    assert_builtins_still_flag(&outcome);
}

#[test]
fn spans_off_char_boundaries_are_refused() {
    let (_, outcome) = run_with_misbehave("off-boundary");
    assert!(matches!(outcome.errors[0].error, RunProblem::NotCharBoundary { .. }), "{:?}", outcome.errors);
    assert_builtins_still_flag(&outcome);
}

#[test]
fn bad_scores_unknown_kinds_and_reported_errors() {
    let (_, outcome) = run_with_misbehave("bad-score");
    assert_eq!(outcome.errors[0].error, RunProblem::BadScore(7.5));
    let (_, outcome) = run_with_misbehave("bad-kind");
    assert!(outcome.errors[0].to_string().contains("unknown kind code 99"), "{}", outcome.errors[0]);
    let (_, outcome) = run_with_misbehave("report-error");
    assert_eq!(outcome.errors[0].error, RunProblem::Reported("the model file is missing".into()));
    assert_builtins_still_flag(&outcome);
}

#[test]
fn a_plugin_that_refuses_to_start_is_a_load_error() {
    let dir = plugin_dir("misbehave-create", &[misbehave()]);
    for (config, expected) in [
        ("fail-create", "refusing to start: the config asks me to"),
        ("panic-create", "panicked while starting: panic while creating"),
        // Instance rules are read while starting: a panic there is caught too.
        ("panic-rules", "panicked while starting: panic while declaring rules"),
    ] {
        let host = PluginHost::load(std::slice::from_ref(&dir), &options(config));
        assert_eq!(host.plugins().count(), 0);
        let error = &host.load_errors()[0];
        assert_eq!(error.problem, LoadProblem::CreateFailed(expected.into()));
        assert!(error.to_string().starts_with(&dir.display().to_string()), "names the file: {error}");
    }
}

#[test]
fn every_broken_file_is_named_and_the_rest_still_load() {
    let dir = plugin_dir(
        "broken-plugins",
        &[isolated_plugin("claimdesk-testplugin-wrong-abi"), isolated_plugin("claimdesk-testplugin-no-symbol"), misbehave()],
    );
    std::fs::write(dir.join(libloading::library_filename("junk")), "this is a text file, not a library\n").unwrap();
    let mut dirs = builtins();
    dirs.push(dir.clone());
    let host = PluginHost::load(&dirs, &options("panic"));
    let problems: Vec<(String, &LoadProblem)> =
        host.load_errors().iter().map(|e| (e.path.file_name().unwrap().to_string_lossy().into_owned(), &e.problem)).collect();
    assert_eq!(problems.len(), 3, "{problems:?}");
    let find = |needle: &str| {
        problems.iter().find(|(f, _)| f.contains(needle)).map(|(_, p)| *p).unwrap_or_else(|| panic!("{needle}: {problems:?}"))
    };
    assert_eq!(*find("wrong_abi"), LoadProblem::AbiMismatch { found: 2, expected: 1 });
    assert_eq!(*find("no_symbol"), LoadProblem::MissingEntrySymbol);
    assert!(matches!(find("junk"), LoadProblem::NotALibrary(_)));
    let junk = host.load_errors().iter().find(|e| e.path.ends_with(libloading::library_filename("junk"))).unwrap();
    assert!(junk.to_string().contains("not a loadable shared library"), "{junk}");
    // The built-ins and the (loadable) misbehaving plugin are there, and a check still works.
    assert_eq!(host.plugins().count(), 11);
    let text = fixture_text("harbour.txt");
    let outcome = host.check(&text, &analyze(&text));
    assert_eq!(outcome.errors.len(), 1);
    assert_builtins_still_flag(&outcome);
}

#[test]
fn the_same_plugin_twice_is_refused_by_name() {
    let copy = temp_dir("duplicate-plugin");
    let vague = builtin_plugins_dir().join(libloading::library_filename("claimdesk_plugin_vague"));
    std::fs::copy(&vague, copy.join(libloading::library_filename("vague_copy"))).unwrap();
    let mut dirs = builtins();
    dirs.push(copy.clone());
    dirs.push(builtin_plugins_dir().to_path_buf()); // listed twice: read once
    let host = PluginHost::load(&dirs, &HostOptions::default());
    assert_eq!(host.plugins().count(), 10);
    assert_eq!(host.load_errors().len(), 1, "{:?}", host.load_errors());
    assert!(matches!(&host.load_errors()[0].problem, LoadProblem::Duplicate { name, .. } if name == "vague"));
}

#[test]
fn a_missing_plugin_directory_is_reported() {
    let missing = temp_dir("no-such-plugins").join("missing");
    let host = PluginHost::load(std::slice::from_ref(&missing), &HostOptions::default());
    assert!(matches!(host.load_errors()[0].problem, LoadProblem::UnreadableDirectory(_)));
    assert_eq!(host.load_errors()[0].path, missing);
}
