//! Repository rules that no compiler checks.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        if entry.is_dir() {
            rust_files(&entry, out);
        } else if entry.extension().is_some_and(|e| e == "rs") {
            out.push(entry);
        }
    }
}

/// Library crates and plugins log through `tracing`; only the command-line
/// binary (`crates/claimdesk`), whose messages are its user interface,
/// prints to the terminal.
#[test]
fn libraries_log_through_tracing_not_print() {
    let root = claimdesk_tests::workspace_root();
    let mut files = Vec::new();
    for parent in ["crates", "plugins"] {
        for krate in std::fs::read_dir(root.join(parent)).unwrap().map(|e| e.unwrap().path()) {
            if krate.ends_with("crates/claimdesk") || !krate.join("src").is_dir() {
                continue;
            }
            rust_files(&krate.join("src"), &mut files);
        }
    }
    assert!(files.len() > 50, "found the sources ({} files)", files.len());
    let offenders: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("eprintln!(") || text.contains("println!(") || text.contains("dbg!(")
        })
        .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
        .collect();
    assert!(offenders.is_empty(), "print in a library crate; use tracing: {offenders:?}");
}

/// Every Rust source of the workspace (crates, plugins, tests).
fn workspace_sources() -> Vec<PathBuf> {
    let root = claimdesk_tests::workspace_root();
    let mut files = Vec::new();
    for parent in ["crates", "plugins", "tests"] {
        rust_files(&root.join(parent), &mut files);
    }
    files.retain(|f| !f.components().any(|c| c.as_os_str() == "target"));
    files
}

fn relative(file: &Path) -> String {
    let root = claimdesk_tests::workspace_root();
    file.strip_prefix(&root).unwrap_or(file).display().to_string()
}

/// Files stay small enough to read in one sitting: split a longer one by
/// concept rather than raising the limit.
#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = workspace_sources()
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > 600).then(|| format!("{} ({lines} lines)", relative(f)))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}

/// Every `unsafe` says why it is sound: a block or impl has a `SAFETY:`
/// comment just above it (clippy's `undocumented_unsafe_blocks` checks the
/// same for blocks), and an `unsafe fn` documents its contract under
/// `# Safety` or, for an FFI callback, in a comment above it.
#[test]
fn every_unsafe_is_explained() {
    let mut unexplained = Vec::new();
    for file in workspace_sources() {
        if file.ends_with("tests/e2e/tidy.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // A declaration (`unsafe fn name`), not a function-pointer type (`unsafe fn(`).
            let is_fn = code.contains("unsafe fn ") || code.contains("unsafe extern \"C\" fn ");
            let is_block_or_impl = code.contains("unsafe {") || code.contains("unsafe impl");
            if !is_fn && !is_block_or_impl {
                continue;
            }
            let reach = if is_fn { 12 } else { 4 };
            let above = &lines[i.saturating_sub(reach)..=i];
            let explained =
                above.iter().any(|l| l.contains("SAFETY") || l.contains("# Safety") || (is_fn && l.trim_start().starts_with("//")));
            if !explained {
                unexplained.push(format!("{}:{}", relative(&file), i + 1));
            }
        }
    }
    assert!(unexplained.is_empty(), "unsafe without a SAFETY comment or # Safety section: {unexplained:?}");
}

/// The built-in plugins are listed once, as the workspace's
/// `default-members`; every other plugin directory is the example. Each
/// plugin's directory is its name (`const NAME`), which is how the host
/// tests and `claimdesk plugins list` find them.
#[test]
fn every_plugin_directory_is_a_listed_built_in_named_as_its_directory() {
    let root = claimdesk_tests::workspace_root();
    let builtin: Vec<&str> = claimdesk_tests::builtin_plugins().iter().map(|(dir, _)| dir.as_str()).collect();
    let mut directories: Vec<String> =
        std::fs::read_dir(root.join("plugins")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    directories.sort();
    for dir in &directories {
        if dir == "example" {
            continue;
        }
        assert!(builtin.contains(&dir.as_str()), "plugins/{dir} is neither built in (default-members) nor the example");
        let lib = std::fs::read_to_string(root.join("plugins").join(dir).join("src/lib.rs")).unwrap();
        assert!(lib.contains(&format!("const NAME: &'static str = \"{dir}\";")), "plugins/{dir}: the checker's NAME is not {dir:?}");
    }
    assert_eq!(directories.len(), builtin.len() + 1, "default-members names a plugin directory that does not exist");
}

/// The command line's value lists come from the libraries' own: every
/// report format and every role is offered, and nothing else.
#[test]
fn the_command_line_offers_exactly_the_libraries_lists() {
    let help = |args: &[&str]| {
        let out = std::process::Command::new(claimdesk_tests::claimdesk_bin()).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = help(&["report", "--help"]);
    let formats: Vec<&str> = claimdesk_report::Format::ALL.iter().map(|f| f.as_str()).collect();
    assert!(report.contains(&format!("[possible values: {}]", formats.join(", "))), "{report}");
    let user = help(&["user", "add", "--help"]);
    let roles: Vec<&str> = claimdesk_core::Role::ALL.iter().map(|r| r.as_str()).collect();
    assert!(user.contains(&format!("[possible values: {}]", roles.join(", "))), "{user}");
}
