//! `rules`: rule packs in TOML, so a newsroom adds its own word lists
//! without writing Rust — existence rules (flag these words or patterns)
//! and substitution rules (flag this, suggest that), in the manner of Vale,
//! with kind, severity, message, question, case sensitivity, word
//! boundaries and scope (everywhere, inside quotes, outside quotes).
//!
//! The built-in pack (`packs/claimdesk.toml`, embedded) holds the plain word
//! lists; lists that need context beyond a pattern (an intensifier merged
//! into the flag, a model deciding) stay in their plugins. Config, `;`
//! separated: `packs=PATH[:PATH…]` adds pack files or directories of
//! `.toml` files; `builtin=off` drops the built-in pack. A broken pack is
//! reported with its file and line and skipped; the other packs load.
//!
//! Tokens and swap keys are literals (case-insensitive for ASCII letters
//! when `ignorecase`); `patterns` are regular expressions (Rust `regex`
//! syntax, linear time). Rule ids are `pack.rule`; they are declared per instance (ABI v1.1
//! instance rules), so `claimdesk plugins list` shows the packs' rules.

mod pack;

use std::path::{Path, PathBuf};

use claimdesk_plugin_api::{Checker, DynamicRule, Flags, Text, export_plugin};

pub use pack::{Action, CompiledRule, PackError, Scope, parse_pack};

static BUILTIN: &str = include_str!("../packs/claimdesk.toml");

#[derive(Debug)]
pub struct Rules {
    rules: Vec<CompiledRule>,
    declared: Vec<DynamicRule>,
    warnings: Vec<String>,
}

/// The `.toml` files `path` names: itself, or a directory's, sorted.
fn pack_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: cannot read rule pack: {e}", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| format!("{}: cannot read rule pack directory: {e}", path.display()))?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    files.sort();
    Ok(files)
}

impl Rules {
    /// Builds the checker from pack sources; broken ones become warnings.
    pub fn from_sources(sources: &[(String, Result<String, String>)]) -> Rules {
        let mut rules: Vec<CompiledRule> = Vec::new();
        let mut warnings = Vec::new();
        for (name, source) in sources {
            let parsed = match source {
                Ok(text) => parse_pack(name, text).map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            };
            match parsed {
                Ok(pack) => {
                    if let Some(clash) = pack.iter().find(|r| rules.iter().any(|seen| seen.id == r.id)) {
                        warnings.push(format!("{name}: rule {:?} is already defined by an earlier pack; pack skipped", clash.id));
                        continue;
                    }
                    rules.extend(pack);
                }
                Err(e) => warnings.push(format!("{e}; pack skipped")),
            }
        }
        let declared = rules
            .iter()
            .map(|r| DynamicRule { id: r.id.clone(), kind: r.kind, severity: r.severity, description: r.description.clone() })
            .collect();
        Rules { rules, declared, warnings }
    }

    /// Message with `{match}` and `{suggestion}` filled in.
    fn message(rule: &CompiledRule, found: &str, suggestion: Option<&str>) -> String {
        rule.message.replace("{match}", found).replace("{suggestion}", suggestion.unwrap_or(""))
    }
}

impl Checker for Rules {
    const NAME: &'static str = "rules";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Existence and substitution rules from TOML rule packs (the built-in pack plus a newsroom's own).";
    const RULES: &'static [claimdesk_plugin_api::Rule] = &[];

    fn new(config: &str) -> Result<Self, String> {
        let mut builtin = true;
        let mut paths: Vec<PathBuf> = Vec::new();
        for setting in config.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match setting.split_once('=') {
                Some(("builtin", "off")) => builtin = false,
                Some(("builtin", "on")) => builtin = true,
                Some(("packs", list)) => paths.extend(list.split(':').filter(|p| !p.is_empty()).map(PathBuf::from)),
                _ => return Err(format!("unknown config {setting:?}; expected packs=PATH[:PATH…] or builtin=off")),
            }
        }
        let mut sources: Vec<(String, Result<String, String>)> = Vec::new();
        if builtin {
            sources.push(("<built-in claimdesk.toml>".to_owned(), Ok(BUILTIN.to_owned())));
        }
        for path in paths {
            match pack_files(&path) {
                Ok(files) => {
                    for file in files {
                        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: cannot read rule pack: {e}", file.display()));
                        sources.push((file.display().to_string(), text));
                    }
                }
                Err(e) => sources.push((path.display().to_string(), Err(e))),
            }
        }
        Ok(Rules::from_sources(&sources))
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for (index, rule) in self.rules.iter().enumerate() {
            for (start, end) in rule.find(text) {
                let found = &text[start..end];
                let quoted = doc.quote_at(start).is_some_and(|q| q.inner.start <= start && end <= q.inner.end);
                match rule.scope {
                    Scope::InsideQuotes if !quoted => continue,
                    Scope::OutsideQuotes if quoted => continue,
                    _ => {}
                }
                let suggestion = match &rule.action {
                    Action::Existence => None,
                    Action::Substitution(swap) => swap.get(&rule.key(found)).map(String::as_str),
                };
                let message = Rules::message(rule, found, suggestion);
                out.raise_dynamic(
                    index,
                    &self.declared[index],
                    claimdesk_plugin_api::Hit { start, end, score: rule.score, message: &message, question: &rule.question },
                );
            }
        }
    }

    fn instance_rules(&self) -> &[DynamicRule] {
        &self.declared
    }

    fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }
}

export_plugin!(Rules);

#[cfg(test)]
mod tests;
