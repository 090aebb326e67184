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
