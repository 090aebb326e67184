//! Finds, loads, validates and calls plugins; contains their faults.
//!
//! Only this crate knows `libloading`. Plugins sit behind the
//! [`CheckerBackend`] trait so that an out-of-process or WASM backend can
//! replace in-process loading later without touching callers.
//!
//! Invariants:
//! - a plugin that fails to load is reported as a [`LoadError`] naming its
//!   file and skipped; every other plugin still loads;
//! - every flag that leaves [`PluginHost::check`] lies inside the text, on
//!   char boundaries, names a declared rule and has a score in `[0, 1]`; a
//!   plugin that breaks that contract, panics or reports an error gets one
//!   [`RunError`] for the document and contributes no flags to it;
//! - loaded libraries are never unloaded.

mod backend;
mod collect;
mod discover;
mod error;
mod native;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use claimdesk_core::{Analysis, Flag};
use claimdesk_plugin_api::DocBuffers;

pub use backend::{CheckerBackend, PluginInfo, RuleMeta};
pub use collect::Collector;
pub use discover::{candidates, default_dir};
pub use error::{LoadError, LoadProblem, RunError, RunProblem};
pub use native::NativePlugin;

/// Options for loading plugins.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// Config string per plugin name, passed to its `create`; empty if absent.
    pub configs: HashMap<String, String>,
}

/// The loaded plugins and the errors met while loading.
#[derive(Debug, Default)]
pub struct PluginHost {
    plugins: Vec<Box<dyn CheckerBackend>>,
    load_errors: Vec<LoadError>,
}

/// What running every plugin over one document produced.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    /// Sorted by position, then plugin.
    pub flags: Vec<Flag>,
    /// One per plugin that failed on this document.
    pub errors: Vec<RunError>,
}

impl PluginHost {
    /// Loads every plugin found in `dirs`, in order; a directory listed twice
    /// is read once. Load errors are kept, not returned.
    pub fn load(dirs: &[PathBuf], options: &HostOptions) -> PluginHost {
        let mut host = PluginHost::default();
        let (files, dir_errors) = candidates(dirs);
        host.load_errors.extend(dir_errors);
        for path in files {
            host.load_file(&path, options);
        }
        host
    }

    /// Loads one plugin file, recording an error if it fails.
    pub fn load_file(&mut self, path: &Path, options: &HostOptions) {
        let result = NativePlugin::load(path, |name| options.configs.get(name).map_or("", String::as_str));
        match result {
            Ok(plugin) => self.add(Box::new(plugin)),
            Err(problem) => self.load_errors.push(LoadError { path: path.to_path_buf(), problem }),
        }
    }

    /// Adds a loaded backend, refusing a second plugin of the same name.
    pub fn add(&mut self, plugin: Box<dyn CheckerBackend>) {
        let info = plugin.info();
        if let Some(first) = self.plugins.iter().find(|p| p.info().name == info.name) {
            self.load_errors.push(LoadError {
                path: info.path.clone(),
                problem: LoadProblem::Duplicate { name: info.name.to_string(), first: first.info().path.clone() },
            });
            return;
        }
        self.plugins.push(plugin);
    }

    pub fn plugins(&self) -> impl Iterator<Item = &PluginInfo> {
        self.plugins.iter().map(|p| p.info())
    }

    pub fn load_errors(&self) -> &[LoadError] {
        &self.load_errors
    }

    /// Runs every plugin over `text`, analysed as `analysis`.
    pub fn check(&self, text: &str, analysis: &Analysis) -> CheckOutcome {
        let buffers = DocBuffers::new(analysis);
        let view = buffers.view(text);
        let mut outcome = CheckOutcome::default();
        for plugin in &self.plugins {
            match plugin.check(text, &view) {
                Ok(flags) => outcome.flags.extend(flags),
                Err(error) => {
                    let info = plugin.info();
                    outcome.errors.push(RunError { plugin: info.name.to_string(), path: info.path.clone(), error });
                }
            }
        }
        // Unstable sort: no scratch buffer, and the key leaves no ties that matter.
        outcome
            .flags
            .sort_unstable_by(|a, b| (a.span.start, a.span.end, &a.plugin, &a.rule).cmp(&(b.span.start, b.span.end, &b.plugin, &b.rule)));
        outcome
    }
}
