use std::path::PathBuf;
use std::sync::Arc;

use claimdesk_core::{Flag, Kind, Severity};
use claimdesk_plugin_api::abi::DocViewV1;

use crate::RunProblem;

/// A rule a plugin declared.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMeta {
    pub id: Arc<str>,
    pub kind: Kind,
    pub severity: Severity,
    pub description: String,
}

/// What the host knows about a loaded plugin.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginInfo {
    pub name: Arc<str>,
    pub version: Arc<str>,
    pub description: String,
    pub abi_version: u32,
    pub path: PathBuf,
    pub rules: Vec<RuleMeta>,
}

/// A loaded checker, however it runs. Implementations must validate every
/// flag (see [`crate::Collector`]) before returning it.
pub trait CheckerBackend: Send + Sync + std::fmt::Debug {
    fn info(&self) -> &PluginInfo;

    /// What the plugin reported while starting without refusing to start.
    fn warnings(&self) -> &[String] {
        &[]
    }

    /// Checks one document; `view` describes `text` and its analysis.
    fn check(&self, text: &str, view: &DocViewV1) -> Result<Vec<Flag>, RunProblem>;
}
