//! Helpers for the end-to-end tests: building the binary and plugins with
//! the same cargo that runs the tests, and the fixture files.
//!
//! Built-in plugins land next to the binary (`target/<profile>/`), where it
//! finds them by default. Test plugins and the example plugin are built into
//! `target/test-plugins/` instead, so they are never loaded by default.

#![allow(clippy::expect_used, clippy::panic)] // test support: failing loudly is the point

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn fixture(name: &str) -> PathBuf {
    workspace_root().join("tests/fixtures").join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture readable")
}

/// Builds `packages` and returns the files of their artifacts.
fn cargo_build(packages: &[&str], target_dir: Option<&Path>) -> Vec<PathBuf> {
    // One cargo at a time: parallel tests would only queue on cargo's lock.
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root()).args(["build", "--message-format=json-render-diagnostics"]);
    // Benchmarks are built optimised; the plugins they load must be too.
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    for p in packages {
        cmd.args(["-p", p]);
    }
    if let Some(dir) = target_dir {
        cmd.arg("--target-dir").arg(dir);
    }
    let output = cmd.output().expect("cargo runs");
    assert!(output.status.success(), "cargo build {packages:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut files = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let Some(exe) = message["executable"].as_str() {
            files.push(PathBuf::from(exe));
        }
        let is_cdylib = message["target"]["kind"].as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "cdylib"));
        for f in message["filenames"].as_array().into_iter().flatten().filter(|_| is_cdylib) {
            if let Some(f) = f.as_str().filter(|f| f.ends_with(std::env::consts::DLL_SUFFIX)) {
                files.push(PathBuf::from(f));
            }
        }
    }
    files
}

fn built(cell: &'static OnceLock<Vec<PathBuf>>, packages: &[&str], target_dir: Option<&Path>) -> &'static [PathBuf] {
    cell.get_or_init(|| cargo_build(packages, target_dir))
}

/// The built-in plugins: the `plugins/NAME` entries of the workspace's
/// `default-members` — the one list, which `cargo build --release` follows —
/// as (plugin name, package name). A plugin's directory is its name
/// (tests/e2e/tidy.rs checks the rest of the repository agrees).
pub fn builtin_plugins() -> &'static [(String, String)] {
    static CELL: OnceLock<Vec<(String, String)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let root = workspace_root();
        let manifest: toml::Table =
            std::fs::read_to_string(root.join("Cargo.toml")).expect("root manifest").parse().expect("root manifest parses");
        let members = manifest["workspace"]["default-members"].as_array().expect("default-members");
        members
            .iter()
            .filter_map(|m| m.as_str()?.strip_prefix("plugins/"))
            .map(|dir| {
                let package: toml::Table = std::fs::read_to_string(root.join("plugins").join(dir).join("Cargo.toml"))
                    .expect("plugin manifest")
                    .parse()
                    .expect("parses");
                let name = package["package"]["name"].as_str().expect("package name").to_owned();
                (dir.to_owned(), name)
            })
            .collect()
    })
}

/// The `claimdesk` binary, with the built-in plugins built next to it.
pub fn claimdesk_bin() -> &'static Path {
    static CELL: OnceLock<Vec<PathBuf>> = OnceLock::new();
    let mut packages = vec!["claimdesk"];
    packages.extend(builtin_plugins().iter().map(|(_, package)| package.as_str()));
    let files = built(&CELL, &packages, None);
    files.iter().find(|f| f.file_name().is_some_and(|n| n == "claimdesk")).expect("claimdesk binary built")
}

/// The directory holding the built-in plugins (the binary's own).
pub fn builtin_plugins_dir() -> &'static Path {
    claimdesk_bin().parent().expect("binary has a directory")
}

pub fn test_plugins_target() -> PathBuf {
    workspace_root().join("target/test-plugins")
}

/// A test or example plugin's `.so`, built apart from the binary.
pub fn isolated_plugin(package: &'static str) -> &'static Path {
    static CELLS: OnceLock<Mutex<Vec<(&'static str, &'static Path)>>> = OnceLock::new();
    let cells = CELLS.get_or_init(|| Mutex::new(Vec::new()));
    let mut cells = cells.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = cells.iter().find(|(p, _)| *p == package) {
        return path;
    }
    let files = cargo_build(&[package], Some(&test_plugins_target()));
    let path: &'static Path = Box::leak(
        files
            .into_iter()
            .find(|f| f.extension().is_some_and(|e| e == "so" || e == "dylib" || e == "dll"))
            .expect("plugin library built")
            .into_boxed_path(),
    );
    cells.push((package, path));
    path
}

/// A fresh empty directory under `target/tmp` for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = workspace_root().join("target/tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A directory holding copies of the given plugin files, and nothing else.
pub fn plugin_dir(name: &str, plugins: &[&Path]) -> PathBuf {
    let dir = temp_dir(name);
    for p in plugins {
        std::fs::copy(p, dir.join(p.file_name().expect("file name"))).expect("copy plugin");
    }
    dir
}

/// Benchmarks: where to time, and on what.
pub mod bench {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    /// The LIAR statements (`../shared/data/verdicts/liar_train.tsv`, or
    /// `$CLAIMDESK_LIAR`), or `None` when the file is not there.
    pub fn liar_statements() -> Option<Vec<String>> {
        let path = std::env::var_os("CLAIMDESK_LIAR")
            .map(PathBuf::from)
            .unwrap_or_else(|| super::workspace_root().join("../shared/data/verdicts/liar_train.tsv"));
        let tsv = std::fs::read_to_string(&path).ok()?;
        Some(tsv.lines().filter_map(|line| line.split('\t').nth(2)).map(str::to_owned).collect())
    }

    /// Statements joined into paragraphs of five, repeated until the text
    /// reaches `bytes`: news-like structure at corpus volume.
    pub fn corpus(statements: &[String], bytes: usize) -> String {
        let mut text = String::with_capacity(bytes + 4096);
        'outer: loop {
            for (i, s) in statements.iter().enumerate() {
                text.push_str(s);
                text.push_str(if i % 5 == 4 { "\n\n" } else { " " });
                if text.len() >= bytes {
                    break 'outer;
                }
            }
        }
        text
    }

    /// Runs `f` `rounds` times and returns the median duration.
    pub fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        times.sort();
        times[times.len() / 2]
    }

    pub fn mb_per_s(bytes: usize, time: Duration) -> f64 {
        bytes as f64 / 1e6 / time.as_secs_f64()
    }
}

/// The databases a store test runs on: a fresh SQLite file always, and a
/// fresh PostgreSQL database when `CLAIMDESK_TEST_POSTGRES` names a server
/// (as `.ci/run` does). Without it the PostgreSQL half is skipped, loudly.
pub fn test_database_urls(name: &str) -> Vec<String> {
    let dir = temp_dir(&format!("db-{name}"));
    let mut urls = vec![format!("sqlite://{}?mode=rwc", dir.join("claimdesk.db").display())];
    match std::env::var("CLAIMDESK_TEST_POSTGRES") {
        Ok(server) if !server.is_empty() => {
            let runtime = tokio_runtime();
            let db = format!("cdtest_{name}_{}", std::process::id());
            let url = runtime
                .block_on(claimdesk_store::testing::fresh_postgres_database(&server, &db))
                .unwrap_or_else(|e| panic!("CLAIMDESK_TEST_POSTGRES={server} is set but unusable: {e}"));
            urls.push(url);
        }
        _ => eprintln!(
            "SKIPPED: the PostgreSQL half of store test {name:?}; set CLAIMDESK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test to run it"
        ),
    }
    urls
}

pub fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}
