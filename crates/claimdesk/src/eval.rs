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

impl Task {
    /// Whether the flags of a sentence make it positive for this task.
    fn decide(self, kinds: &[Kind], checkworthiness: f32) -> bool {
        match self {
            Task::Checkworthiness => checkworthiness >= 0.5,
            Task::Hedges => kinds.iter().any(|k| matches!(k, Kind::Hedge | Kind::AnonymousSource)),
            Task::Subjectivity => kinds.iter().any(|k| matches!(k, Kind::Vague | Kind::Superlative | Kind::Hedge)),
        }
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

fn examples(rows: &[Labelled]) -> Vec<Example> {
    rows.iter().map(|r| Example { text: r.text.clone(), positive: r.positive }).collect()
}

/// Evaluates the loaded plugins on `data`, or cross-validates a freshly
/// trained check-worthiness model with `folds`.
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
        anyhow::ensure!(k >= 2 && k <= rows.len(), "--folds needs 2 ≤ k ≤ the number of sentences");
        let mut total = Scores::default();
        let mut scratch = Vec::new();
        for fold in 0..k {
            let (test, train_rows): (Vec<_>, Vec<_>) = rows.iter().enumerate().partition(|(i, _)| i % k == fold);
            let train_rows: Vec<Labelled> = train_rows.into_iter().map(|(_, r)| r.clone()).collect();
            let model = train(&examples(&train_rows), options);
            let mut scores = Scores::default();
            for (_, row) in test {
                scores.add(model.score(&row.text, &mut scratch) >= 0.5, row.positive);
            }
            report(task, &format!("fold {}/{k}", fold + 1), &scores);
            total.tp += scores.tp;
            total.fp += scores.fp;
            total.fn_ += scores.fn_;
            total.tn += scores.tn;
        }
        report(task, &format!("{k}-fold cross-validation, pooled"), &total);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = model {
        anyhow::ensure!(task == Task::Checkworthiness, "--model is a check-worthiness model");
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let model = claimdesk_linear::Model::from_bytes(&bytes).with_context(|| path.display().to_string())?;
        let mut scores = Scores::default();
        let mut scratch = Vec::new();
        for row in &rows {
            scores.add(model.score(&row.text, &mut scratch) >= 0.5, row.positive);
        }
        report(task, &format!("model {}", path.display()), &scores);
        return Ok(ExitCode::SUCCESS);
    }
    let host = plugins::load(plugin_args);
    for error in host.load_errors() {
        eprintln!("warning: plugin not loaded: {error}");
    }
    let started = Instant::now();
    let mut scores = Scores::default();
    for row in &rows {
        let analysis = analyze(&row.text);
        let mut flags = host.check(&row.text, &analysis).flags;
        let sentence_scores = take_sentence_scores(&analysis, &mut flags);
        let checkworthiness = sentence_scores.iter().copied().fold(0.0, f32::max);
        let kinds: Vec<Kind> = flags.iter().map(|f| f.kind).collect();
        scores.add(task.decide(&kinds, checkworthiness), row.positive);
    }
    report(task, &format!("plugins on {}", data.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")), &scores);
    eprintln!("{:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// Trains the check-worthiness model on `data` and writes it to `output`.
pub fn train_checkworthiness(data: &[PathBuf], output: &Path, options: TrainOptions) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for path in data {
        rows.extend(read(path)?);
    }
    let started = Instant::now();
    let model = train(&examples(&rows), options);
    std::fs::write(output, model.to_bytes()).with_context(|| format!("cannot write {}", output.display()))?;
    println!("trained on {} sentences in {:.1} s; wrote {}", rows.len(), started.elapsed().as_secs_f64(), output.display());
    Ok(ExitCode::SUCCESS)
}
