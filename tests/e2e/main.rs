//! End-to-end tests: the real `claimdesk` binary and real plugin `.so`
//! files loaded through the ABI. One test binary, modules by area.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test binary: failing loudly is the point

mod bad_input;
mod check;
mod example_plugin;
mod host;
mod ingest;
mod library;
mod plugins_list;
mod profiles;
mod rules;
mod segmentation;
mod store;
mod tidy;
mod training;
mod web;

use std::path::Path;
use std::process::{Command, Output};

use claimdesk_tests::claimdesk_bin;

/// Runs `claimdesk ARGS` and returns its output.
pub fn claimdesk(args: &[&str]) -> Output {
    claimdesk_with(args, None)
}

/// Runs `claimdesk ARGS`, feeding `stdin` if given.
pub fn claimdesk_with(args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(claimdesk_bin());
    // The fast profile unless a test asks for `--profile desk`: the desk
    // profile encodes every sentence, which the bulk tests cannot afford.
    cmd.args(args).env_remove("CLAIMDESK_PLUGINS").env("NO_COLOR", "1").env("CLAIMDESK_PROFILE", "fast");
    cmd.stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() });
    cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("claimdesk starts");
    if let Some(input) = stdin {
        child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    }
    child.wait_with_output().expect("claimdesk finishes")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `claimdesk check --format json ARGS`, parsed.
pub fn check_json(args: &[&str]) -> (serde_json::Value, Output) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = claimdesk(&all);
    let json =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("JSON output ({e}): {}\n{}", stdout(&output), stderr(&output)));
    (json, output)
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// (rule, flagged text) of every flag of the first document.
pub fn flag_pairs(json: &serde_json::Value) -> Vec<(String, String)> {
    json["documents"][0]["flags"]
        .as_array()
        .expect("flags array")
        .iter()
        .map(|f| (f["rule"].as_str().unwrap_or_default().to_owned(), f["text"].as_str().unwrap_or_default().to_owned()))
        .collect()
}
