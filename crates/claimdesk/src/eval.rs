//! `claimdesk eval` and `claimdesk train`: measuring detectors on labelled
//! data, and training the check-worthiness model.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use claimdesk_core::{Kind, analyze, take_sentence_scores};
use claimdesk_linear::{Example, TrainOptions, train};
use clap::ValueEnum;

use crate::datasets::{Labelled, Scores, read};
use crate::{PluginArgs, plugins};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    Checkworthiness,
    Hedges,
    Subjectivity,
}

/// What `claimdesk train` trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TrainTask {
    Checkworthiness,
    Hedges,
    Subjectivity,
    /// The combination of the check-worthiness model with the other
    /// detectors' flags (`claimdesk_core::stack`).
    Stack,
    /// The encoder's top layers fine-tuned with the check-worthiness and
    /// subjectivity heads (`claimdesk train --task desk`, `tune.rs`).
    Desk,
}

impl TrainTask {
    /// The task whose plugin model this trains, if it is one.
    pub fn model(self) -> Option<Task> {
        match self {
            TrainTask::Checkworthiness => Some(Task::Checkworthiness),
            TrainTask::Hedges => Some(Task::Hedges),
            TrainTask::Subjectivity => Some(Task::Subjectivity),
            TrainTask::Stack | TrainTask::Desk => None,
        }
    }
}

/// Where `train --task stack` writes the combination's weights (compiled
/// into claimdesk-core).
pub const STACK_WEIGHTS_FILE: &str = "crates/claimdesk-core/src/stack_weights.rs";

impl Task {
    /// How the model this task's plugin embeds was trained: the defaults of
    /// `claimdesk train --task` (docs/DETECTION.md gives the search).
    pub fn training(self) -> TrainOptions {
        use claimdesk_linear::{FeatureSet, Optimizer};
        match self {
            Task::Checkworthiness => TrainOptions::default(),
            Task::Hedges => TrainOptions {
                bits: 18,
                epochs: 300,
                learning_rate: 0.05,
                l2: 0.0006,
                positive_weight: 4.0,
                features: FeatureSet::Claims,
                optimizer: Optimizer::Batch,
                threshold: 0.40,
                ..TrainOptions::default()
            },
            Task::Subjectivity => TrainOptions {
                // The average word vector alone (only a bias is hashed).
                bits: 8,
                epochs: 300,
                learning_rate: 0.05,
                l2: 0.008,
                positive_weight: 1.5,
                features: FeatureSet::Vectors,
                optimizer: Optimizer::Batch,
                threshold: 0.5,
                ..TrainOptions::default()
            },
        }
    }

    /// The model file the task's plugin embeds.
    pub fn model_file(self) -> &'static str {
        match self {
            Task::Checkworthiness => "plugins/checkworthiness/model/checkworthiness.bin",
            Task::Hedges => "plugins/hedges/model/hedges.bin",
            Task::Subjectivity => "plugins/subjectivity/model/subjectivity.bin",
        }
    }

    /// The plugin whose embedded model `--folds` replaces by fold models.
    fn model_plugin(self) -> Option<&'static str> {
        match self {
            Task::Checkworthiness => None,
            Task::Hedges => Some("hedges"),
            Task::Subjectivity => Some("subjectivity"),
        }
    }

    /// Whether the flags of a sentence make it positive for this task.
    fn decide(self, kinds: &[Kind], checkworthiness: f32) -> bool {
        match self {
            Task::Checkworthiness => checkworthiness >= 0.5,
            Task::Hedges => kinds.iter().any(|k| matches!(k, Kind::Hedge | Kind::AnonymousSource)),
            // The `subjective` flag alone (the detectors issue's decision: vague,
            // superlative and hedge words are their own kinds, not opinion).
            Task::Subjectivity => kinds.contains(&Kind::Subjective),
        }
    }
}

/// How a model is trained; unset options take the task's defaults (those
/// of the model that ships, `Task::training`).
#[derive(Debug, clap::Args)]
pub struct TrainingArgs {
    /// Passes over the data (online) or steps (batch).
    #[arg(long)]
    pub(crate) epochs: Option<usize>,
    /// Weight of a positive example relative to a negative one.
    #[arg(long)]
    positive_weight: Option<f32>,
    #[arg(long)]
    pub(crate) learning_rate: Option<f32>,
    /// L2 regularisation strength.
    #[arg(long)]
    l2: Option<f32>,
    /// Features: `claims` (words, bigrams, claim-structure cues), `words`
    /// (words, bigrams, trigrams) or `vectors` (the average word vector;
    /// needs --vectors).
    #[arg(long, value_enum)]
    features: Option<FeaturesArg>,
    /// Word vectors in GloVe's text format (`word v1 … vN` per line, most
    /// frequent first), stored in the model: the only features with
    /// `--features vectors` (which needs them), added to the hashed ones
    /// otherwise (docs/DETECTION.md says where to get them).
    #[arg(long, value_name = "FILE")]
    vectors: Option<PathBuf>,
    /// How many of the vector file's first words the model keeps.
    #[arg(long, value_name = "N", default_value = "50000")]
    vocabulary: usize,
    /// Hash buckets as a power of two (the model file holds 4 × 2^BITS bytes).
    #[arg(long, value_name = "BITS", value_parser = clap::value_parser!(u32).range(8..=24))]
    bits: Option<u32>,
    /// Average the weights over the epochs.
    #[arg(long)]
    average: bool,
    /// `online` (AdaGrad, one sentence at a time) or `batch` (full-batch
    /// Adam).
    #[arg(long, value_enum)]
    optimizer: Option<OptimizerArg>,
    /// The score from which a sentence counts as positive (stored in the model).
    #[arg(long, value_parser = crate::parse_score)]
    threshold: Option<f32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OptimizerArg {
    Online,
    Batch,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FeaturesArg {
    Claims,
    Words,
    Vectors,
}

impl TrainingArgs {
    pub fn options(&self, task: Task) -> anyhow::Result<claimdesk_linear::TrainOptions> {
        let defaults = task.training();
        let vectors = match &self.vectors {
            Some(path) => {
                let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
                let vectors = claimdesk_linear::WordVectors::read_text(std::io::BufReader::new(file), self.vocabulary)
                    .with_context(|| path.display().to_string())?;
                Some(std::sync::Arc::new(vectors))
            }
            None => None,
        };
        Ok(claimdesk_linear::TrainOptions {
            epochs: self.epochs.unwrap_or(defaults.epochs),
            positive_weight: self.positive_weight.unwrap_or(defaults.positive_weight),
            learning_rate: self.learning_rate.unwrap_or(defaults.learning_rate),
            l2: self.l2.unwrap_or(defaults.l2),
            bits: self.bits.unwrap_or(defaults.bits),
            average: self.average || defaults.average,
            threshold: self.threshold.unwrap_or(defaults.threshold),
            optimizer: match self.optimizer {
                Some(OptimizerArg::Online) => claimdesk_linear::Optimizer::Online,
                Some(OptimizerArg::Batch) => claimdesk_linear::Optimizer::Batch,
                None => defaults.optimizer,
            },
            features: match self.features {
                Some(FeaturesArg::Words) => claimdesk_linear::FeatureSet::Words,
                Some(FeaturesArg::Claims) => claimdesk_linear::FeatureSet::Claims,
                Some(FeaturesArg::Vectors) => claimdesk_linear::FeatureSet::Vectors,
                None => defaults.features,
            },
            seed: defaults.seed,
            vectors,
        })
    }
}

fn report(task: Task, label: &str, scores: &Scores) {
    let (p, r, f) = scores.positive();
    let extra = if task == Task::Subjectivity { format!("  macro F1 {:.3}", scores.macro_f1()) } else { String::new() };
    println!(
        "{label}: precision {p:.3}  recall {r:.3}  F1 {f:.3}{extra}  (tp {} fp {} fn {} tn {})",
        scores.tp, scores.fp, scores.fn_, scores.tn
    );
}

pub(crate) fn examples(rows: &[Labelled]) -> Vec<Example> {
    rows.iter().map(|r| Example { text: r.text.clone(), positive: r.positive }).collect()
}

/// Each sentence's decision by the loaded plugins.
fn plugin_decisions(task: Task, rows: &[Labelled], plugin_args: &PluginArgs) -> Vec<bool> {
    let host = plugins::load(plugin_args);
    rows.iter()
        .map(|row| {
            let analysis = analyze(&row.text);
            let mut flags = host.check(&row.text, &analysis).flags;
            let sentence_scores = take_sentence_scores(&analysis, &mut flags);
            let checkworthiness = sentence_scores.iter().copied().fold(0.0, f32::max);
            let kinds: Vec<Kind> = flags.iter().map(|f| f.kind).collect();
            task.decide(&kinds, checkworthiness)
        })
        .collect()
}

fn add(total: &mut Scores, part: &Scores) {
    total.tp += part.tp;
    total.fp += part.fp;
    total.fn_ += part.fn_;
    total.tn += part.tn;
}

/// K-fold cross-validation of the task's model, trained afresh on each
/// fold's rest. For tasks whose plugin embeds the model, the figure that
/// counts is the whole plugin set's, with the plugin running each fold's
/// model (written to a temporary file, passed as `model=PATH`) in place of
/// its own: no sentence is judged by a model that saw it, and the plugin's
/// own logic around the model is what is measured.
fn cross_validate(task: Task, rows: &[Labelled], k: usize, options: TrainOptions, plugin_args: &PluginArgs) -> anyhow::Result<()> {
    anyhow::ensure!(k >= 2 && k <= rows.len(), "--folds needs 2 ≤ k ≤ the number of sentences");
    let threshold = options.threshold;
    let (mut model_total, mut plugins_total) = (Scores::default(), Scores::default());
    let mut scratch = Vec::new();
    // Every held-out sentence's score, to show how the threshold trades
    // precision for recall.
    let mut pooled: Vec<(f32, bool)> = Vec::with_capacity(rows.len());
    let fold_model = std::env::temp_dir().join(format!("claimdesk-fold-model-{}.bin", std::process::id()));
    for fold in 0..k {
        let (test, train_rows): (Vec<_>, Vec<_>) = rows.iter().enumerate().partition(|(i, _)| i % k == fold);
        let test: Vec<Labelled> = test.into_iter().map(|(_, r)| r.clone()).collect();
        let train_rows: Vec<Labelled> = train_rows.into_iter().map(|(_, r)| r.clone()).collect();
        let model = train(&examples(&train_rows), options.clone())?;
        let mut alone = Scores::default();
        for row in &test {
            let score = model.score(&row.text, &mut scratch);
            pooled.push((score, row.positive));
            alone.add(score >= threshold, row.positive);
        }
        report(task, &format!("fold {}/{k}, model alone", fold + 1), &alone);
        add(&mut model_total, &alone);
        if let Some(plugin) = task.model_plugin() {
            std::fs::write(&fold_model, model.to_bytes()).with_context(|| format!("cannot write {}", fold_model.display()))?;
            let mut args = plugin_args.clone();
            args.configs.retain(|(name, _)| name != plugin);
            args.configs.push((plugin.to_owned(), format!("model={}", fold_model.display())));
            let mut with_plugins = Scores::default();
            for (decision, row) in plugin_decisions(task, &test, &args).into_iter().zip(&test) {
                with_plugins.add(decision, row.positive);
            }
            report(task, &format!("fold {}/{k}, all plugins", fold + 1), &with_plugins);
            add(&mut plugins_total, &with_plugins);
        }
    }
    let _ = std::fs::remove_file(&fold_model);
    for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7] {
        let mut alone = Scores::default();
        for &(score, positive) in &pooled {
            alone.add(score >= t, positive);
        }
        report(task, &format!("  pooled at threshold {t:.2}, model alone"), &alone);
    }
    report(task, &format!("{k}-fold cross-validation at threshold {threshold:.2}, model alone, pooled"), &model_total);
    if task.model_plugin().is_some() {
        report(task, &format!("{k}-fold cross-validation at threshold {threshold:.2}, all plugins, pooled"), &plugins_total);
    }
    Ok(())
}

/// Evaluates the loaded plugins on `data`, cross-validates the task's
/// model with `folds`, or scores with a model file.
pub fn eval(
    task: Task,
    data: &[PathBuf],
    folds: Option<usize>,
    options: TrainOptions,
    model: Option<&Path>,
    plugin_args: &PluginArgs,
) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for path in data {
        rows.extend(read(path)?);
    }
    let positives = rows.iter().filter(|r| r.positive).count();
    println!("{task:?}: {} sentences, {positives} positive", rows.len());
    if let Some(k) = folds {
        cross_validate(task, &rows, k, options, plugin_args)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = model {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let model = claimdesk_linear::Model::from_bytes(&bytes).with_context(|| path.display().to_string())?;
        let mut scores = Scores::default();
        let mut scratch = Vec::new();
        for row in &rows {
            scores.add(model.decide(&row.text, &mut scratch).0, row.positive);
        }
        report(task, &format!("model {} alone", path.display()), &scores);
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let mut scores = Scores::default();
    for (decision, row) in plugin_decisions(task, &rows, plugin_args).into_iter().zip(&rows) {
        scores.add(decision, row.positive);
    }
    report(task, &format!("plugins on {}", data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")), &scores);
    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Trains a model on `data` and writes it to `output`.
pub fn train_model(data: &[PathBuf], output: &Path, options: TrainOptions) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for path in data {
        rows.extend(read(path)?);
    }
    let started = Instant::now();
    let model = train(&examples(&rows), options)?;
    std::fs::write(output, model.to_bytes()).with_context(|| format!("cannot write {}", output.display()))?;
    println!("trained on {} sentences in {:.1} s; wrote {}", rows.len(), started.elapsed().as_secs_f64(), output.display());
    Ok(ExitCode::SUCCESS)
}

/// Trains the combination of check-worthiness with the other detectors'
/// flags (`claimdesk_core::stack`): out-of-fold model scores on `data` (5
/// folds, so no score comes from a model that saw its sentence) and the
/// kinds of the loaded plugins' flags, fitted by logistic regression; writes
/// the weights as Rust to `output`.
pub fn train_stack(data: &[PathBuf], output: &Path, options: TrainOptions, plugin_args: &PluginArgs) -> anyhow::Result<ExitCode> {
    use claimdesk_core::stack::{STACK_WEIGHTS, stack_features, stack_score};
    let mut rows = Vec::new();
    for path in data {
        rows.extend(read(path)?);
    }
    let started = Instant::now();
    let k = 5;
    let mut model_scores = vec![0.0_f32; rows.len()];
    let mut scratch = Vec::new();
    for fold in 0..k {
        let train_rows: Vec<Labelled> = rows.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, r)| r.clone()).collect();
        let model = train(&examples(&train_rows), options.clone())?;
        for (i, row) in rows.iter().enumerate().filter(|(i, _)| i % k == fold) {
            model_scores[i] = model.score(&row.text, &mut scratch);
        }
    }
    let host = plugins::load(plugin_args);
    let kinds: Vec<Vec<Kind>> = rows.iter().map(|row| flag_kinds(&host, &row.text)).collect();
    let inputs: Vec<Vec<f32>> = model_scores.iter().zip(&kinds).map(|(s, k)| stack_features(*s, k).to_vec()).collect();
    let labels: Vec<bool> = rows.iter().map(|r| r.positive).collect();
    let mut start = [0.0_f32; STACK_WEIGHTS];
    start[1] = 1.0;
    let fitted = crate::combine::fit_logistic(&inputs, &labels, options.positive_weight, &start);
    let mut weights = start;
    weights.copy_from_slice(&fitted);
    let (mut before, mut after) = (Scores::default(), Scores::default());
    for ((score, kinds), row) in model_scores.iter().zip(&kinds).zip(&rows) {
        before.add(*score >= 0.5, row.positive);
        after.add(stack_score(&weights, *score, kinds) >= 0.5, row.positive);
    }
    report(Task::Checkworthiness, "out-of-fold model alone", &before);
    report(Task::Checkworthiness, "out-of-fold model + flags", &after);
    write_stack_weights(output, &weights, claimdesk_core::stack::Scorer::Encoder.weights())?;
    println!("trained the combination in {:.1} s; wrote {}", started.elapsed().as_secs_f64(), output.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes both scorers' combination weights as the Rust source of
/// `claimdesk_core::stack_weights` (each trainer passes the other's
/// shipped weights through unchanged).
pub fn write_stack_weights(output: &Path, words: &[f32], encoder: &[f32]) -> anyhow::Result<()> {
    // `{:?}` is the shortest text that reads back as the same f32.
    let list = |weights: &[f32]| weights.iter().map(|w| format!("{w:?}")).collect::<Vec<_>>().join(", ");
    let source = format!(
        "// Generated by `claimdesk train --task stack` (WEIGHTS, fitted to the word model's scores)\n\
         // and `claimdesk train --task stack --encoder-scores` (ENCODER_WEIGHTS, the encoder's);\n\
         // do not edit by hand. Order: bias, model logit, then claimdesk_core::stack::STACK_KINDS.\n\
         #[rustfmt::skip]\n\
         pub(crate) const WEIGHTS: [f32; crate::stack::STACK_WEIGHTS] = [{}];\n\
         #[rustfmt::skip]\n\
         pub(crate) const ENCODER_WEIGHTS: [f32; crate::stack::STACK_WEIGHTS] = [{}];\n",
        list(words),
        list(encoder)
    );
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(output, source).with_context(|| format!("cannot write {}", output.display()))
}

/// The kinds of the flags `host`'s plugins raise on `text`, besides the
/// check-worthiness scores, each once.
pub(crate) fn flag_kinds(host: &claimdesk_plugin_host::PluginHost, text: &str) -> Vec<Kind> {
    let analysis = analyze(text);
    let mut flags = host.check(text, &analysis).flags;
    claimdesk_core::take_model_scores(&analysis, &mut flags);
    let mut kinds: Vec<Kind> = flags.iter().map(|f| f.kind).collect();
    kinds.sort_by_key(|k| k.code());
    kinds.dedup();
    kinds
}
