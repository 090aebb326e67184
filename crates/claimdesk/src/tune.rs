//! `claimdesk train --task desk`: fine-tunes the encoder's top layers with a
//! check-worthiness head and a subjectivity head (`claimdesk_embed::tune`),
//! measures them, and writes the desk model and the two plugins' heads.
//!
//! Measuring (before the model that ships is trained on everything):
//! k-fold cross-validation of both tasks at once (one run per fold trains
//! on both tasks' other folds), each fold judged at the threshold that the
//! other folds' out-of-fold scores choose, so no threshold saw the
//! sentences it is judged on. The thresholds that ship are the ones all
//! out-of-fold scores choose.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use claimdesk_embed::tune::{TaskData, TuneOptions};
use claimdesk_embed::{DeskInfo, Encoder};
use claimdesk_linear::{Head, sigmoid};

use crate::datasets::{Labelled, Scores, read};
use crate::eval::Task;

/// Where the desk model and the heads go by default.
pub const DESK_DIR: &str = "models/desk";
pub(crate) const HEAD_FILES: [(Task, &str); 2] =
    [(Task::Checkworthiness, "plugins/checkworthiness/model/head.txt"), (Task::Subjectivity, "plugins/subjectivity/model/head.txt")];

/// What `train --task desk` was given.
#[derive(Debug)]
pub struct DeskTraining<'a> {
    pub data: &'a [PathBuf],
    pub output: Option<&'a Path>,
    pub encoder: Option<&'a Path>,
    pub folds: usize,
    /// Measuring runs made (the first `runs` folds; at most `folds`).
    pub runs: usize,
    /// Where each measured sentence's held-out probability goes, if anywhere.
    pub scores: Option<&'a Path>,
    /// Runs trained at once (one thread each).
    pub jobs: usize,
    pub options: TuneOptions,
    /// How many times a subjectivity sentence is seen per epoch.
    pub repeat: usize,
    /// The heads' thresholds (check-worthiness, subjectivity) chosen
    /// elsewhere, e.g. by an earlier cross-validation of the same settings;
    /// without them the written heads need a measurement to choose them.
    pub thresholds: Option<[f32; 2]>,
    /// The command line, for the record in `desk.json`.
    pub command: String,
}

/// A task's sentences and which of them each part of the measurement uses.
struct Sentences {
    task: Task,
    rows: Vec<Labelled>,
}

fn texts(set: &Sentences) -> Vec<&str> {
    set.rows.iter().map(|r| r.text.as_str()).collect()
}

pub(crate) fn task_of(path: &Path) -> anyhow::Result<Task> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let first = text.lines().next().unwrap_or_default();
    if first.starts_with("Sentence_id\tText\tclass_label") || first.starts_with("sentence_id,screening,label,text") {
        Ok(Task::Checkworthiness)
    } else if first.starts_with("sentence_id\tsentence\tlabel") {
        Ok(Task::Subjectivity)
    } else {
        bail!("{}: neither check-worthiness nor subjectivity data (first line {first:?})", path.display())
    }
}

/// The threshold on `scores` (probabilities) that maximises `measure`
/// over `labels`, searched on a grid of 0.05 to 0.95.
pub(crate) fn best_threshold(scores: &[f32], labels: &[bool], measure: impl Fn(&Scores) -> f64) -> (f32, f64) {
    (1..20)
        .map(|i| i as f32 * 0.05)
        .map(|t| (t, measure(&Scores::at(scores, labels, t))))
        .fold((0.5, -1.0), |best, candidate| if candidate.1 > best.1 { candidate } else { best })
}

pub(crate) fn f1(s: &Scores) -> f64 {
    s.positive().2
}

pub(crate) fn macro_f1(s: &Scores) -> f64 {
    s.macro_f1()
}

/// A task's cross-validated figure: each fold judged at the threshold
/// that the other measured folds' out-of-fold scores choose, the counts
/// pooled; and the threshold all of them choose (the one that ships).
pub(crate) struct Measured {
    sentences: usize,
    pub(crate) nested: f64,
    per_fold: Vec<f64>,
    at_half: f64,
    threshold: f32,
}

impl Measured {
    pub(crate) fn new(oof: &[f32], labels: &[bool], fold_of: &[usize], measured: usize, measure: fn(&Scores) -> f64) -> Measured {
        let pick = |keep: &dyn Fn(usize) -> bool| -> (Vec<f32>, Vec<bool>) {
            (0..oof.len()).filter(|&i| fold_of[i] < measured && keep(fold_of[i])).map(|i| (oof[i], labels[i])).unzip()
        };
        let mut pooled = Scores::default();
        let mut per_fold = Vec::with_capacity(measured);
        for fold in 0..measured {
            let (scores, truth) = pick(&|f| f != fold);
            let (threshold, _) = best_threshold(&scores, &truth, measure);
            let (scores, truth) = pick(&|f| f == fold);
            let s = Scores::at(&scores, &truth, threshold);
            per_fold.push(measure(&s));
            pooled.tp += s.tp;
            pooled.fp += s.fp;
            pooled.fn_ += s.fn_;
            pooled.tn += s.tn;
        }
        let (scores, truth) = pick(&|_| true);
        let (threshold, _) = best_threshold(&scores, &truth, measure);
        Measured {
            sentences: scores.len(),
            nested: measure(&pooled),
            per_fold,
            at_half: measure(&Scores::at(&scores, &truth, 0.5)),
            threshold,
        }
    }

    pub(crate) fn per_fold_text(&self) -> String {
        self.per_fold.iter().map(|f| format!("{f:.3}")).collect::<Vec<_>>().join(", ")
    }
}

pub fn train_desk(args: &DeskTraining<'_>) -> anyhow::Result<ExitCode> {
    let mut sets: Vec<Sentences> = Vec::new();
    for path in args.data {
        let task = task_of(path)?;
        let rows = read(path)?;
        match sets.iter_mut().find(|s| s.task == task) {
            Some(set) => set.rows.extend(rows),
            None => sets.push(Sentences { task, rows }),
        }
    }
    sets.sort_by_key(|s| s.task != Task::Checkworthiness);
    let (Some(cw), Some(subj)) =
        (sets.iter().find(|s| s.task == Task::Checkworthiness), sets.iter().find(|s| s.task == Task::Subjectivity))
    else {
        bail!("--task desk needs check-worthiness and subjectivity data (one --data file of each)");
    };
    // The heads that will be written need thresholds: refused now, not after an hour of training.
    let measured = args.runs.min(args.folds);
    if args.output.is_some() && args.thresholds.is_none() && measured < 2 {
        bail!("no thresholds for the heads: measure (--folds K with at least 2 runs) or give --thresholds CW SUBJ");
    }
    let dir = args.encoder.map_or_else(claimdesk_embed::default_dir, Path::to_path_buf);
    let encoder = Encoder::load(&dir)?;
    let options = &args.options;
    let started = Instant::now();
    let cw_states = encoder.hidden_states(&texts(cw), options.shared)?;
    let subj_states = encoder.hidden_states(&texts(subj), options.shared)?;
    let cw_labels: Vec<bool> = cw.rows.iter().map(|r| r.positive).collect();
    let subj_labels: Vec<bool> = subj.rows.iter().map(|r| r.positive).collect();
    println!(
        "frozen layers 1–{} for {} + {} sentences: {:.0} s",
        options.shared,
        cw.rows.len(),
        subj.rows.len(),
        started.elapsed().as_secs_f64()
    );

    // The folds: both tasks' sentences shuffled once and dealt round.
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let folds = args.folds.max(1);
    let deal = |rng: &mut fastrand::Rng, n: usize| -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let mut fold = vec![0; n];
        for (position, &i) in order.iter().enumerate() {
            fold[i] = position % folds;
        }
        fold
    };
    let cw_fold = deal(&mut rng, cw.rows.len());
    let subj_fold = deal(&mut rng, subj.rows.len());

    // One run per fold, and the run that ships (every sentence), `jobs` at a time.
    let runs: Vec<Option<usize>> = (0..measured).map(Some).chain(args.output.map(|_| None)).collect();
    let run = |fold: Option<usize>| -> anyhow::Result<(Option<usize>, claimdesk_embed::tune::Tuned, f64)> {
        let run_started = Instant::now();
        let label = fold.map_or_else(|| "final".to_owned(), |f| format!("fold {}", f + 1));
        let rest = |of: &[usize]| -> Vec<usize> { (0..of.len()).filter(|&i| Some(of[i]) != fold).collect() };
        let mut tuned = encoder.start_tuning(options.shared, 2, options.seed + fold.map_or(0, |f| f as u64 + 1))?;
        let tasks = [
            TaskData { name: "checkworthiness", states: &cw_states, labels: &cw_labels, train: rest(&cw_fold), repeat: 1 },
            TaskData { name: "subjectivity", states: &subj_states, labels: &subj_labels, train: rest(&subj_fold), repeat: args.repeat },
        ];
        tuned.train(&tasks, options, |epoch, loss| println!("{label}: epoch {epoch} mean loss {loss:.4}"))?;
        Ok((fold, tuned, run_started.elapsed().as_secs_f64()))
    };
    let mut finished = Vec::new();
    for batch in runs.chunks(args.jobs.max(1)) {
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch.iter().map(|&fold| scope.spawn(move || run(fold))).collect();
            handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("a training run panicked")))).collect()
        });
        for result in results {
            finished.push(result?);
        }
    }
    let mut cw_oof = vec![f32::NAN; cw.rows.len()];
    let mut subj_oof = vec![f32::NAN; subj.rows.len()];
    let mut shipped = None;
    for (fold, tuned, seconds) in finished {
        let Some(fold) = fold else {
            println!("final: {seconds:.0} s");
            shipped = Some(tuned);
            continue;
        };
        for (task, oof, of, states) in [(0, &mut cw_oof, &cw_fold, &cw_states), (1, &mut subj_oof, &subj_fold, &subj_states)] {
            let held: Vec<usize> = (0..of.len()).filter(|&i| of[i] == fold).collect();
            let refs: Vec<_> = held.iter().map(|&i| &states[i]).collect();
            for (&i, logit) in held.iter().zip(tuned.logits(task, &refs)?) {
                oof[i] = sigmoid(logit);
            }
        }
        println!("fold {}: {seconds:.0} s", fold + 1);
    }

    let mut thresholds = args.thresholds;
    if let Some(path) = args.scores {
        let mut out = String::from("task\tsentence\tpart\tlabel\tprobability\n");
        for (task, oof, of, labels) in
            [("checkworthiness", &cw_oof, &cw_fold, &cw_labels), ("subjectivity", &subj_oof, &subj_fold, &subj_labels)]
        {
            for (i, p) in oof.iter().enumerate().filter(|(_, p)| !p.is_nan()) {
                out.push_str(&format!("{task}\t{i}\tfold{}\t{}\t{p}\n", of[i] + 1, u8::from(labels[i])));
            }
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if measured > 1 {
        let cw_measure = Measured::new(&cw_oof, &cw_labels, &cw_fold, measured, f1);
        println!(
            "check-worthiness, {measured} of {} folds ({} sentences): F1 {:.3} (thresholds chosen on the other folds; per fold {}), {:.3} at 0.5; threshold on all folds {:.2}",
            args.folds,
            cw_measure.sentences,
            cw_measure.nested,
            cw_measure.per_fold_text(),
            cw_measure.at_half,
            cw_measure.threshold
        );
        let subj_measure = Measured::new(&subj_oof, &subj_labels, &subj_fold, measured, macro_f1);
        println!(
            "subjectivity, {measured} of {} folds ({} sentences): macro F1 {:.3} (thresholds chosen on the other folds; per fold {}), {:.3} at 0.5; threshold on all folds {:.2}",
            args.folds,
            subj_measure.sentences,
            subj_measure.nested,
            subj_measure.per_fold_text(),
            subj_measure.at_half,
            subj_measure.threshold
        );
        if thresholds.is_none() {
            thresholds = Some([cw_measure.threshold, subj_measure.threshold]);
        }
    }

    let (Some(output), Some(tuned)) = (args.output, shipped) else {
        println!("(no --output: nothing written; {:.0} s in all)", started.elapsed().as_secs_f64());
        return Ok(ExitCode::SUCCESS);
    };
    let Some(thresholds) = thresholds else {
        bail!("no thresholds for the heads (checked before training)");
    };
    let info = DeskInfo {
        id: String::new(),
        base: claimdesk_embed::MODEL_NAME.to_owned(),
        shared: options.shared,
        tasks: vec!["checkworthiness".into(), "subjectivity".into()],
        trained: args.command.clone(),
    };
    let info = tuned.save(output, info, |bytes| claimdesk_core::sha256_hex(bytes)[..16].to_owned())?;
    for (t, (task, file)) in HEAD_FILES.iter().enumerate() {
        let (weights, bias) = tuned.head(t)?;
        let head = Head { model: info.id.clone(), weights, bias, threshold: thresholds[t], words: None };
        std::fs::write(file, head.to_text()).with_context(|| format!("cannot write {file}"))?;
        println!("{task:?} head: {file} (threshold {:.2})", thresholds[t]);
    }
    println!("desk model {} written to {} ({:.0} s in all)", info.id, output.display(), started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

/// `train --task desk`'s own options (epochs and learning rate come from
/// the common training options).
#[derive(Debug, clap::Args)]
pub struct DeskArgs {
    /// Measure first: both tasks by K-fold cross-validation; 0 skips
    /// measuring.
    #[arg(long, value_name = "K", default_value_t = 5)]
    folds: usize,
    /// Measure with the first N folds' runs only (a quicker, rougher
    /// figure); default: all.
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Write each measured sentence's held-out probability to FILE (TSV),
    /// to study combinations with other models.
    #[arg(long, value_name = "FILE")]
    scores: Option<PathBuf>,
    /// Frozen layers of the base encoder below the tuned ones.
    #[arg(long, value_name = "N", default_value_t = TuneOptions::default().shared)]
    shared_layers: usize,
    /// Times each subjectivity sentence is seen per epoch.
    #[arg(long, value_name = "N", default_value_t = 4)]
    repeat: usize,
    #[arg(long, value_name = "P", default_value_t = TuneOptions::default().dropout)]
    dropout: f32,
    /// The thresholds the written heads decide at (check-worthiness,
    /// subjectivity), when they were chosen by an earlier measurement of
    /// the same settings; default: the ones this run's measurement chooses.
    #[arg(long, value_names = ["CW", "SUBJ"], num_args = 2, value_parser = probability)]
    thresholds: Option<Vec<f32>>,
    /// Runs (folds, and the final model) trained at once; default: one
    /// per core.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Measure only: write no model.
    #[arg(long)]
    no_output: bool,
    #[command(flatten)]
    model_dir: crate::library::ModelArg,
}

impl DeskArgs {
    /// `--encoder DIR`, if given.
    pub fn encoder_dir(&self) -> Option<&Path> {
        self.model_dir.dir.as_deref()
    }

    /// `--folds K`.
    pub fn folds(&self) -> usize {
        self.folds
    }

    pub fn training<'a>(
        &'a self,
        data: &'a [PathBuf],
        output: Option<&'a Path>,
        common: &crate::eval::TrainingArgs,
        command: String,
    ) -> DeskTraining<'a> {
        let defaults = TuneOptions::default();
        DeskTraining {
            data,
            output: (!self.no_output).then(|| output.unwrap_or(Path::new(DESK_DIR))),
            encoder: self.model_dir.dir.as_deref(),
            folds: self.folds,
            runs: self.runs.unwrap_or(self.folds),
            scores: self.scores.as_deref(),
            jobs: self.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)),
            options: TuneOptions {
                shared: self.shared_layers,
                epochs: common.epochs.unwrap_or(defaults.epochs),
                learning_rate: common.learning_rate.map_or(defaults.learning_rate, f64::from),
                dropout: self.dropout,
                ..defaults
            },
            repeat: self.repeat.max(1),
            thresholds: self.thresholds.as_deref().and_then(|t| <[f32; 2]>::try_from(t).ok()),
            command,
        }
    }
}

/// A probability strictly between 0 and 1 (a decision threshold).
fn probability(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(format!("{text:?} is not a threshold between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fold_is_judged_at_the_threshold_the_other_folds_choose() {
        // Fold 0 separates at 0.3, fold 1 at 0.7: each fold's own best
        // threshold would score it perfectly, the other fold's does not.
        let oof = [0.2, 0.4, 0.35, 0.1, 0.6, 0.8, 0.75, 0.65];
        let labels = [false, true, true, false, false, true, true, false];
        let fold_of = [0, 0, 0, 0, 1, 1, 1, 1];
        let m = Measured::new(&oof, &labels, &fold_of, 2, f1);
        assert_eq!(m.sentences, 8);
        // Fold 0 at fold 1's threshold (0.70): no positive found → F1 0.
        // Fold 1 at fold 0's threshold (0.25–0.35): every sentence positive → F1 2/3.
        assert_eq!(m.per_fold[0], 0.0);
        assert!((m.per_fold[1] - 2.0 / 3.0).abs() < 1e-9, "{:?}", m.per_fold);
        // Pooled: tp 2, fp 2, fn 2 → F1 0.5.
        assert!((m.nested - 0.5).abs() < 1e-9, "{}", m.nested);
        // Measured on fewer folds than dealt: the rest is left out.
        let only_first = Measured::new(&oof, &labels, &fold_of, 1, f1);
        assert_eq!(only_first.sentences, 4);
        assert!((0.25..=0.35).contains(&only_first.threshold), "{}", only_first.threshold);
    }

    #[test]
    fn a_threshold_must_lie_between_0_and_1() {
        assert_eq!(probability("0.4"), Ok(0.4));
        for bad in ["0", "1", "-0.2", "1.5", "NaN", "", "half"] {
            assert!(probability(bad).is_err(), "{bad:?}");
        }
    }
}
