//! `claimdesk train --task stack --encoder-scores FILE`: what the desk
//! profile's two encoder heads are combined with, chosen by
//! cross-validation.
//!
//! Inputs: the encoder's out-of-fold probabilities that `train --task desk
//! --folds K --scores FILE` wrote (no probability comes from a model that
//! saw its sentence), the same folds' word-model scores (each fold's word
//! model trained on the other folds here) and, for check-worthiness, the
//! kinds of the other detectors' flags. Each candidate combination is a
//! logistic regression measured on those folds: each fold judged by
//! weights and a threshold fitted on the other folds alone, against the
//! encoder alone measured the same way. The best one ships (written into
//! the heads and `claimdesk_core::stack`'s encoder weights) only if it
//! beats the encoder alone by [`MIN_GAIN`]; otherwise the encoder's score
//! is used as it is.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use claimdesk_core::Kind;
use claimdesk_linear::{Example, Head, Model, sigmoid, train};

use crate::datasets::{Labelled, Scores, read};
use crate::eval::{Task, examples};
use crate::tune::{HEAD_FILES, Measured, best_threshold, f1, macro_f1, task_of};
use crate::{PluginArgs, plugins};

/// What `train --task stack --encoder-scores` was given.
#[derive(Debug)]
pub struct Combining<'a> {
    pub data: &'a [PathBuf],
    pub encoder_scores: &'a Path,
    pub plugins: &'a PluginArgs,
    /// The directory the heads and the weights are written under, at their
    /// places in the repository; `None`: measure only.
    pub output: Option<&'a Path>,
}

/// How much better than the encoder alone a combination must do to ship:
/// below it, the difference is within what another fold deal changes
/// (docs/DETECTION.md).
const MIN_GAIN: f64 = 0.005;

/// `train --task stack`'s own option.
#[derive(Debug, clap::Args)]
pub struct StackArgs {
    /// Combine the desk profile's encoder heads instead of the word model:
    /// FILE holds their out-of-fold scores (`train --task desk --scores`),
    /// --data the check-worthiness and subjectivity files they were made from.
    /// Writes the chosen combinations into the heads and the stack's weights
    /// (under --output DIR, default the repository itself).
    #[arg(long, value_name = "FILE")]
    pub encoder_scores: Option<PathBuf>,
    /// With --encoder-scores: measure only, write nothing.
    #[arg(long, requires = "encoder_scores")]
    pub measure_only: bool,
}

/// One candidate combination: whether it takes the word model's score and
/// the other detectors' flags beside the encoder's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Candidate {
    words: bool,
    flags: bool,
}

impl Candidate {
    const ALL: [Candidate; 4] = [
        Candidate { words: false, flags: false },
        Candidate { words: true, flags: false },
        Candidate { words: false, flags: true },
        Candidate { words: true, flags: true },
    ];

    fn name(self) -> &'static str {
        match (self.words, self.flags) {
            (false, false) => "encoder alone, refitted",
            (true, false) => "encoder + word model",
            (false, true) => "encoder + flags",
            (true, true) => "encoder + word model + flags",
        }
    }

    /// Whether the desk profile can run it: the subjectivity plugin decides
    /// on its own, without the other detectors' flags.
    fn runs_for(self, task: Task) -> bool {
        task == Task::Checkworthiness || !self.flags
    }
}

/// A probability's logit, clamped to ±9.2 so that a sentence scored 0 or 1
/// cannot outweigh the rest of a fit.
fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-4, 1.0 - 1e-4);
    (p / (1.0 - p)).ln()
}

/// A logistic regression's weights over `inputs` (the first column is the
/// bias's 1), fitted by full-batch Adam on the logistic loss with
/// positives weighted `positive_weight` and a little L2; few weights, so a
/// few thousand steps converge. Starts from `start`.
pub fn fit_logistic(inputs: &[Vec<f32>], labels: &[bool], positive_weight: f32, start: &[f32]) -> Vec<f32> {
    let width = start.len();
    let mut weights = start.to_vec();
    let (mut m, mut v) = (vec![0.0_f32; width], vec![0.0_f32; width]);
    let n = inputs.len().max(1) as f32;
    let mut gradient = vec![0.0_f32; width];
    for step in 1..=3000 {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        for (x, &label) in inputs.iter().zip(labels) {
            let p = apply(&weights, x);
            let (target, weight) = if label { (1.0, positive_weight) } else { (0.0, 1.0) };
            for (g, xi) in gradient.iter_mut().zip(x) {
                *g += (p - target) * weight * xi / n;
            }
        }
        let (c1, c2) = (1.0 - 0.9_f32.powi(step), 1.0 - 0.999_f32.powi(step));
        for i in 0..width {
            let g = gradient[i] + 1e-4 * weights[i];
            m[i] = 0.9 * m[i] + 0.1 * g;
            v[i] = 0.999 * v[i] + 0.001 * g * g;
            weights[i] -= 0.01 * (m[i] / c1) / ((v[i] / c2).sqrt() + 1e-8);
        }
    }
    weights
}

fn apply(weights: &[f32], x: &[f32]) -> f32 {
    sigmoid(x.iter().zip(weights).map(|(a, b)| a * b).sum())
}

/// A combination fitted on some sentences: its weights, with the threshold
/// those sentences choose folded into the bias (so it decides at 0.5).
fn fit(inputs: &[Vec<f32>], labels: &[bool], measure: fn(&Scores) -> f64) -> Vec<f32> {
    let mut start = vec![0.0; inputs.first().map_or(2, Vec::len)];
    start[1] = 1.0;
    let mut weights = fit_logistic(inputs, labels, 1.0, &start);
    let scores: Vec<f32> = inputs.iter().map(|x| apply(&weights, x)).collect();
    let (threshold, _) = best_threshold(&scores, labels, measure);
    weights[0] -= logit(threshold);
    weights
}

/// The combination's cross-validated figure on the scores' folds: each
/// fold judged by a combination fitted on the other folds, counts pooled;
/// and the per-fold figures.
fn cross_validate(inputs: &[Vec<f32>], labels: &[bool], fold_of: &[usize], folds: usize, measure: fn(&Scores) -> f64) -> (f64, Vec<f64>) {
    let mut pooled = Scores::default();
    let mut per_fold = Vec::new();
    for fold in 0..folds {
        let pick = |keep: bool| -> (Vec<Vec<f32>>, Vec<bool>) {
            (0..inputs.len()).filter(|&i| (fold_of[i] == fold) == keep).map(|i| (inputs[i].clone(), labels[i])).unzip()
        };
        let (train_x, train_y) = pick(false);
        let weights = fit(&train_x, &train_y, measure);
        let (test_x, test_y) = pick(true);
        let mut s = Scores::default();
        for (x, &y) in test_x.iter().zip(&test_y) {
            s.add(apply(&weights, x) >= 0.5, y);
        }
        per_fold.push(measure(&s));
        pooled.tp += s.tp;
        pooled.fp += s.fp;
        pooled.fn_ += s.fn_;
        pooled.tn += s.tn;
    }
    (measure(&pooled), per_fold)
}

/// One task's sentences with their out-of-fold encoder scores.
struct Scored {
    task: Task,
    rows: Vec<Labelled>,
    probability: Vec<f32>,
    fold_of: Vec<usize>,
}

/// Reads the rows of `task` from the scores file, checking them against
/// the data they claim to score.
fn scored(task: Task, rows: Vec<Labelled>, table: &str, path: &Path) -> anyhow::Result<Scored> {
    let name = match task {
        Task::Checkworthiness => "checkworthiness",
        Task::Subjectivity => "subjectivity",
        Task::Hedges => bail!("no encoder head for hedges"),
    };
    let mut probability = vec![f32::NAN; rows.len()];
    let mut fold_of = vec![usize::MAX; rows.len()];
    for (n, line) in table.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [t, sentence, part, label, p] = fields[..] else { bail!("{}:{}: not five columns", path.display(), n + 1) };
        if t != name {
            continue;
        }
        let bad = || format!("{}:{}: {line:?}", path.display(), n + 1);
        let i: usize = sentence.parse().with_context(bad)?;
        let fold: usize = part.strip_prefix("fold").and_then(|f| f.parse().ok()).filter(|f| *f >= 1).with_context(bad)?;
        let p: f32 = p.parse().ok().filter(|p: &f32| (0.0..=1.0).contains(p)).with_context(bad)?;
        let Some(row) = rows.get(i) else { bail!("{}: sentence {i} of {name} is not in the data", bad()) };
        if (label == "1") != row.positive {
            bail!("{}: the label differs from the data's (scores made from another file?)", bad());
        }
        probability[i] = p;
        fold_of[i] = fold - 1;
    }
    // Sentences the measurement did not reach (fewer runs than folds) are left out.
    let keep: Vec<usize> = (0..rows.len()).filter(|&i| !probability[i].is_nan()).collect();
    if keep.is_empty() {
        bail!("{}: no {name} scores", path.display());
    }
    Ok(Scored {
        task,
        rows: keep.iter().map(|&i| rows[i].clone()).collect(),
        probability: keep.iter().map(|&i| probability[i]).collect(),
        fold_of: keep.iter().map(|&i| fold_of[i]).collect(),
    })
}

/// The word model's out-of-fold logits: for each fold, the task's word
/// model trained (as the shipped one was) on the other folds.
fn word_scores(set: &Scored, folds: usize) -> anyhow::Result<Vec<f32>> {
    let shipped = Model::from_bytes(&std::fs::read(set.task.model_file()).with_context(|| set.task.model_file())?)?;
    let options = claimdesk_linear::TrainOptions { vectors: shipped.vectors().cloned(), ..set.task.training() };
    let mut out = vec![0.0; set.rows.len()];
    let mut scratch = Vec::new();
    for fold in 0..folds {
        let rest: Vec<Labelled> = (0..set.rows.len()).filter(|&i| set.fold_of[i] != fold).map(|i| set.rows[i].clone()).collect();
        let examples: Vec<Example> = examples(&rest);
        let model = train(&examples, options.clone())?;
        for i in (0..set.rows.len()).filter(|&i| set.fold_of[i] == fold) {
            out[i] = logit(model.score(&set.rows[i].text, &mut scratch));
        }
    }
    Ok(out)
}

/// The flag kinds a combination may weigh, for each task.
fn kinds_for(task: Task) -> &'static [Kind] {
    match task {
        Task::Checkworthiness => &claimdesk_core::stack::STACK_KINDS,
        _ => &[Kind::Hedge, Kind::Vague, Kind::Superlative, Kind::Prediction, Kind::Quote],
    }
}

pub fn train_combinations(args: &Combining<'_>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let table = std::fs::read_to_string(args.encoder_scores).with_context(|| format!("cannot read {}", args.encoder_scores.display()))?;
    let host = plugins::load(args.plugins);
    let mut heads = Vec::new();
    let mut encoder_weights = *claimdesk_core::stack::Scorer::Encoder.weights();
    for path in args.data {
        let task = task_of(path)?;
        let set = scored(task, read(path)?, &table, args.encoder_scores)?;
        let folds = set.fold_of.iter().max().map_or(0, |f| f + 1);
        if folds < 2 {
            bail!("{}: scores from at least two folds are needed", args.encoder_scores.display());
        }
        let measure = if task == Task::Subjectivity { macro_f1 } else { f1 };
        let Some(&(_, head_file)) = HEAD_FILES.iter().find(|(t, _)| *t == task) else { bail!("no head for {task:?}") };
        let mut head = Head::parse(&std::fs::read_to_string(head_file).with_context(|| head_file.to_owned())?).context(head_file)?;
        let labels: Vec<bool> = set.rows.iter().map(|r| r.positive).collect();
        let encoder: Vec<f32> = set.probability.iter().map(|&p| logit(p) - logit(head.threshold)).collect();
        let words = word_scores(&set, folds)?;
        let wanted = kinds_for(task);
        let kinds: Vec<Vec<f32>> = set
            .rows
            .iter()
            .map(|row| {
                let found = crate::eval::flag_kinds(&host, &row.text);
                wanted.iter().map(|k| f32::from(u8::from(found.contains(k)))).collect()
            })
            .collect();
        let inputs_of = |c: Candidate| -> Vec<Vec<f32>> {
            (0..labels.len())
                .map(|i| {
                    let mut x = vec![1.0, encoder[i]];
                    if c.words {
                        x.push(words[i]);
                    }
                    if c.flags {
                        x.extend(&kinds[i]);
                    }
                    x
                })
                .collect()
        };
        let alone = Measured::new(&set.probability, &labels, &set.fold_of, folds, measure);
        println!(
            "{task:?}, {} sentences, {folds} folds: the encoder alone at its head's threshold choice {:.3} (per fold {})",
            labels.len(),
            alone.nested,
            alone.per_fold_text()
        );
        let mut best: Option<(f64, Candidate)> = None;
        for candidate in Candidate::ALL {
            let (figure, per_fold) = cross_validate(&inputs_of(candidate), &labels, &set.fold_of, folds, measure);
            let per_fold = per_fold.iter().map(|f| format!("{f:.3}")).collect::<Vec<_>>().join(", ");
            let note = if candidate.runs_for(task) { "" } else { " (measured only: the plugin decides without the flags)" };
            println!("  {}: {figure:.3} (per fold {per_fold}){note}", candidate.name());
            if candidate.runs_for(task) && best.is_none_or(|(f, _)| figure > f) {
                best = Some((figure, candidate));
            }
        }
        let Some((figure, chosen)) = best else { continue };
        let better = figure >= alone.nested + MIN_GAIN;
        // What ships: the chosen combination fitted on every sentence, if it clearly beats the encoder alone.
        let chosen = if better { chosen } else { Candidate::ALL[0] };
        let weights = fit(&inputs_of(chosen), &labels, measure);
        if better {
            println!("  chosen: {} (weights on all sentences {weights:?})", chosen.name());
        } else {
            println!("  chosen: the encoder alone, as it is (no combination gains {MIN_GAIN} or more)");
        }
        let flag_weights = &weights[2 + usize::from(chosen.words)..];
        head.words = None;
        match (task, chosen.words, chosen.flags) {
            (_, false, false) => {}
            (Task::Checkworthiness, words, true) => {
                // The plugin reports the encoder (and word model) part, the
                // host adds the bias and the flags.
                if words {
                    head.words = Some([0.0, weights[1], weights[2]]);
                    encoder_weights[1] = 1.0;
                } else {
                    encoder_weights[1] = weights[1];
                }
                encoder_weights[0] = weights[0];
                encoder_weights[2..].copy_from_slice(flag_weights);
            }
            (_, true, _) => head.words = Some([weights[0], weights[1], weights[2]]),
            (_, false, true) => bail!("{task:?} cannot combine with flags"),
        }
        if task == Task::Checkworthiness && !chosen.flags {
            encoder_weights = [0.0; claimdesk_core::stack::STACK_WEIGHTS];
            encoder_weights[1] = 1.0;
        }
        heads.push((head_file, head));
    }
    if let Some(dir) = args.output {
        for (file, head) in &heads {
            let path = dir.join(file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&path, head.to_text()).with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {}", path.display());
        }
        let path = dir.join(crate::eval::STACK_WEIGHTS_FILE);
        crate::eval::write_stack_weights(&path, claimdesk_core::stack::Scorer::Words.weights(), &encoder_weights)?;
        println!("wrote {} (encoder weights {encoder_weights:?})", path.display());
    }
    println!("{:.1} s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, positive: bool) -> Labelled {
        Labelled { text: text.to_owned(), positive }
    }

    #[test]
    fn fitting_recovers_the_weights_that_made_the_labels() {
        // Labels drawn from p = sigmoid(-0.5 + 2x); the fit should land near.
        let mut rng = fastrand::Rng::with_seed(3);
        let (mut inputs, mut labels) = (Vec::new(), Vec::new());
        for _ in 0..4000 {
            let x = rng.f32() * 6.0 - 3.0;
            inputs.push(vec![1.0, x]);
            labels.push(rng.f32() < sigmoid(-0.5 + 2.0 * x));
        }
        let w = fit_logistic(&inputs, &labels, 1.0, &[0.0, 1.0]);
        assert!((w[0] + 0.5).abs() < 0.2 && (w[1] - 2.0).abs() < 0.3, "{w:?}");
        // Weighting positives moves the bias up and nothing else much.
        let weighted = fit_logistic(&inputs, &labels, 3.0, &[0.0, 1.0]);
        assert!(weighted[0] > w[0] + 0.5, "{weighted:?} vs {w:?}");
    }

    #[test]
    fn a_fitted_combination_decides_at_one_half() {
        // Positives are rare and sit above x = 2: the threshold the data
        // choose is folded into the bias, so 0.5 separates them.
        let inputs: Vec<Vec<f32>> = (0..100).map(|i| vec![1.0, i as f32 / 25.0]).collect();
        let labels: Vec<bool> = (0..100).map(|i| i >= 90).collect();
        let w = fit(&inputs, &labels, f1);
        let decided: Vec<bool> = inputs.iter().map(|x| apply(&w, x) >= 0.5).collect();
        assert_eq!(decided, labels);
    }

    #[test]
    fn each_fold_is_judged_by_a_combination_fitted_on_the_others() {
        // In folds 1 to 4 a high x means positive; in fold 0 the reverse.
        // A combination fitted on the others gets fold 0 all wrong, which a
        // fit that saw fold 0 would not.
        let (mut inputs, mut labels, mut fold_of) = (Vec::new(), Vec::new(), Vec::new());
        for fold in 0..5 {
            for i in 0..40 {
                let high = i % 2 == 0;
                inputs.push(vec![1.0, if high { 2.0 } else { -2.0 }]);
                labels.push(high != (fold == 0));
                fold_of.push(fold);
            }
        }
        let (pooled, per_fold) = cross_validate(&inputs, &labels, &fold_of, 5, f1);
        assert_eq!(per_fold[0], 0.0, "{per_fold:?}");
        assert!(per_fold[1..].iter().all(|f| *f > 0.99), "{per_fold:?}");
        // Pooled: 80 right positives, 20 false positives, 20 missed.
        assert!((pooled - 0.8).abs() < 1e-9, "{pooled}");
    }

    #[test]
    fn scores_that_do_not_match_the_data_are_refused() {
        let rows = || vec![row("The tax rose by 4 percent.", true), row("Thanks for coming.", false), row("It fell.", false)];
        let path = Path::new("scores.tsv");
        let head = "task\tsentence\tpart\tlabel\tprobability\n";
        let good = format!("{head}checkworthiness\t0\tfold1\t1\t0.9\ncheckworthiness\t1\tfold2\t0\t0.2\nsubjectivity\t0\tfold1\t1\t0.5\n");
        let set = scored(Task::Checkworthiness, rows(), &good, path).unwrap();
        // The sentence without a score (a fold not measured) is left out.
        assert_eq!((set.rows.len(), set.fold_of.clone(), set.probability.clone()), (2, vec![0, 1], vec![0.9, 0.2]));
        for (bad, why) in [
            ("checkworthiness\t1\tfold1\t1\t0.9\n", "label differs"),
            ("checkworthiness\t7\tfold1\t0\t0.9\n", "not in the data"),
            ("checkworthiness\t0\tfold1\t1\t1.5\n", "scores.tsv:2"),
            ("checkworthiness\t0\tfold0\t1\t0.5\n", "scores.tsv:2"),
            ("checkworthiness\tx\tfold1\t1\t0.5\n", "scores.tsv:2"),
            ("checkworthiness\t0\tfold1\n", "not five columns"),
        ] {
            let error = scored(Task::Checkworthiness, rows(), &format!("{head}{bad}"), path).map(|_| ()).unwrap_err();
            assert!(format!("{error:#}").contains(why), "{bad:?}: {error:#}");
        }
        let error = scored(Task::Subjectivity, rows(), head, path).map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("no subjectivity scores"), "{error}");
    }
}
