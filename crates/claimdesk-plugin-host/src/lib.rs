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
#[cfg(target_os = "linux")]
mod elf;
mod encoder;
mod error;
mod native;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use claimdesk_core::{Analysis, Flag};
use claimdesk_plugin_api::DocBuffers;

pub use backend::{CheckerBackend, PluginInfo, RuleMeta};
pub use collect::Collector;
pub use discover::{candidates, default_dir};
pub use encoder::{DeskEncoder, Profile};
pub use error::{LoadError, LoadProblem, RunError, RunProblem};
pub use native::NativePlugin;

/// Options for loading plugins.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// Config string per plugin name, passed to its `create`; empty if absent.
    pub configs: HashMap<String, String>,
}

/// Turns sentences into vectors for the plugins (ABI v1.2's
/// `embeddings`): the desk profile's encoder, run once per sentence and
/// lent to every plugin.
pub trait SentenceEncoder: Send + Sync {
    /// The id plugins match their weights against.
    fn model(&self) -> &str;
    /// Components per vector.
    fn dimension(&self) -> usize;
    /// One vector per sentence, concatenated, or why none could be made.
    fn vectors(&self, sentences: &[&str]) -> Result<Vec<f32>, String>;
}

/// The loaded plugins and the errors met while loading.
#[derive(Default)]
pub struct PluginHost {
    plugins: Vec<Box<dyn CheckerBackend>>,
    /// Set in the desk profile: vectors for every document's sentences.
    encoder: Option<Arc<dyn SentenceEncoder>>,
    /// One per plugin, same order: what its runs since start came to.
    health: Vec<Health>,
    load_errors: Vec<LoadError>,
}

impl std::fmt::Debug for PluginHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginHost")
            .field("plugins", &self.plugins.len())
            .field("encoder", &self.encoder_model())
            .field("load_errors", &self.load_errors)
            .finish()
    }
}

/// A plugin's runs since the host started, counted as they happen.
#[derive(Debug, Default)]
struct Health {
    runs: AtomicU64,
    failures: AtomicU64,
    last_error: Mutex<Option<String>>,
}

/// What [`PluginHost::health`] reports for one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthReport {
    /// Documents checked (including failed runs).
    pub runs: u64,
    /// Runs that failed: a panic, an error, or a broken contract.
    pub failures: u64,
    pub last_error: Option<String>,
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
        for warning in plugin.warnings() {
            self.load_errors.push(LoadError { path: info.path.clone(), problem: LoadProblem::StartedWithProblem(warning.clone()) });
        }
        if let Some(first) = self.plugins.iter().find(|p| p.info().name == info.name) {
            self.load_errors.push(LoadError {
                path: info.path.clone(),
                problem: LoadProblem::Duplicate { name: info.name.to_string(), first: first.info().path.clone() },
            });
            return;
        }
        self.plugins.push(plugin);
        self.health.push(Health::default());
    }

    /// Each plugin with its runs and failures since the host started.
    pub fn health(&self) -> impl Iterator<Item = (&PluginInfo, HealthReport)> {
        self.plugins.iter().zip(&self.health).map(|(p, h)| {
            let report = HealthReport {
                runs: h.runs.load(Ordering::Relaxed),
                failures: h.failures.load(Ordering::Relaxed),
                last_error: h.last_error.lock().ok().and_then(|e| e.clone()),
            };
            (p.info(), report)
        })
    }

    pub fn plugins(&self) -> impl Iterator<Item = &PluginInfo> {
        self.plugins.iter().map(|p| p.info())
    }

    pub fn load_errors(&self) -> &[LoadError] {
        &self.load_errors
    }

    /// Lends every document's sentence vectors from `encoder` to the
    /// plugins from now on (the desk profile).
    pub fn set_encoder(&mut self, encoder: Arc<dyn SentenceEncoder>) {
        self.encoder = Some(encoder);
    }

    /// The encoder's model id, when the host has one.
    pub fn encoder_model(&self) -> Option<&str> {
        self.encoder.as_deref().map(SentenceEncoder::model)
    }

    /// Runs every plugin over `text`, analysed as `analysis`. With an
    /// encoder, the sentences are encoded once first; if that fails the
    /// plugins run without vectors and the failure is reported as the
    /// `encoder`'s error for this document.
    pub fn check(&self, text: &str, analysis: &Analysis) -> CheckOutcome {
        let mut buffers = DocBuffers::new(analysis);
        let mut outcome = CheckOutcome::default();
        if let Some(encoder) = &self.encoder {
            let sentences: Vec<&str> = analysis.sentences.iter().map(|s| text.get(s.span.start..s.span.end).unwrap_or("")).collect();
            let lent = encoder.vectors(&sentences).and_then(|vectors| {
                if buffers.set_embeddings(encoder.model(), encoder.dimension(), vectors) {
                    Ok(())
                } else {
                    Err("the encoder returned the wrong number of vectors".to_owned())
                }
            });
            if let Err(message) = lent {
                outcome.errors.push(RunError { plugin: "encoder".to_owned(), path: PathBuf::new(), error: RunProblem::Encoder(message) });
            }
        }
        let view = buffers.view(text);
        for (plugin, health) in self.plugins.iter().zip(&self.health) {
            health.runs.fetch_add(1, Ordering::Relaxed);
            match plugin.check(text, &view) {
                Ok(flags) => outcome.flags.extend(flags),
                Err(error) => {
                    let info = plugin.info();
                    let error = RunError { plugin: info.name.to_string(), path: info.path.clone(), error };
                    health.failures.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut last) = health.last_error.lock() {
                        *last = Some(error.error.to_string());
                    }
                    outcome.errors.push(error);
                }
            }
        }
        // Unstable sort: no scratch buffer, and the key leaves no ties that matter.
        outcome
            .flags
            .sort_unstable_by(|a, b| (a.span.start, a.span.end, &a.plugin, &a.rule).cmp(&(b.span.start, b.span.end, &b.plugin, &b.rule)));
        one_per_rule_and_sentence(analysis, &mut outcome.flags);
        attribute_quoted(text, analysis, &mut outcome.flags);
        outcome
    }
}

/// Keeps, for each sentence, only the highest-scoring flag of each rule (the
/// first one on a tie), so repeated cues do not flood the queue.
fn one_per_rule_and_sentence(analysis: &Analysis, flags: &mut Vec<Flag>) {
    /// (sentence, plugin, rule)
    type Key = (usize, Arc<str>, Arc<str>);
    let mut best: foldhash::HashMap<Key, (usize, f32)> = foldhash::HashMap::default();
    // Flags outside every sentence are kept as they are.
    let mut keep = vec![true; flags.len()];
    for (i, flag) in flags.iter().enumerate() {
        let Some(sentence) = analysis.sentence_holding(flag.span) else { continue };
        keep[i] = false;
        let entry = best.entry((sentence.index, flag.plugin.clone(), flag.rule.clone())).or_insert((i, flag.score));
        if flag.score > entry.1 {
            *entry = (i, flag.score);
        }
    }
    for &(i, _) in best.values() {
        keep[i] = true;
    }
    let mut keep = keep.into_iter();
    flags.retain(|_| keep.next().unwrap_or(true));
}

/// Marks each flag inside a quotation with the quotation's speaker: the
/// words are theirs, not the reporter's.
fn attribute_quoted(text: &str, analysis: &Analysis, flags: &mut [Flag]) {
    let quotes = &analysis.quotes;
    let mut names: foldhash::HashMap<usize, Arc<str>> = foldhash::HashMap::default();
    for flag in flags.iter_mut() {
        let i = quotes.partition_point(|q| q.span.end <= flag.span.start);
        let Some(quote) = quotes.get(i).filter(|q| q.inner.start <= flag.span.start && flag.span.end <= q.inner.end) else { continue };
        let name = match quote.speaker {
            Some(a) => names
                .entry(a)
                .or_insert_with(|| {
                    Arc::from(analysis.attributions.get(a).and_then(|at| at.speaker_name(text, &analysis.attributions)).unwrap_or(""))
                })
                .clone(),
            None => Arc::from(""),
        };
        flag.quoted_speaker = Some(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(start: usize, end: usize, rule: &str, score: f32) -> Flag {
        Flag {
            plugin: Arc::from("p"),
            plugin_version: Arc::from("1"),
            rule: Arc::from(rule),
            kind: claimdesk_core::Kind::Vague,
            severity: claimdesk_core::Severity::Info,
            span: claimdesk_core::Span::new(start, end),
            score,
            message: Arc::from("m"),
            question: Arc::from("q"),
            quoted_speaker: None,
        }
    }

    #[test]
    fn one_flag_per_rule_and_sentence_and_quoted_speakers() {
        let text = "Big gains and huge gains, said Ana Ruiz. “A total triumph,” Ruiz told us. Huge gains.";
        let analysis = claimdesk_core::analyze(text);
        let at = |needle: &str| text.find(needle).unwrap();
        let mut flags = vec![
            flag(0, 9, "v.p", 0.5),
            flag(at("huge gains"), at("huge gains") + 10, "v.p", 0.9),
            flag(at("huge gains"), at("huge gains") + 4, "v.other", 0.3),
            flag(at("total"), at("total") + 13, "v.p", 0.8),
            flag(at("Huge gains."), at("Huge gains.") + 10, "v.p", 0.5),
        ];
        one_per_rule_and_sentence(&analysis, &mut flags);
        let kept: Vec<_> = flags.iter().map(|f| (&text[f.span.start..f.span.end], &*f.rule)).collect();
        assert_eq!(kept, [("huge gains", "v.p"), ("huge", "v.other"), ("total triumph", "v.p"), ("Huge gains", "v.p")]);
        attribute_quoted(text, &analysis, &mut flags);
        let speakers: Vec<_> = flags.iter().map(|f| f.quoted_speaker.as_deref()).collect();
        assert_eq!(speakers, [None, None, Some("Ruiz"), None]);
    }
}
