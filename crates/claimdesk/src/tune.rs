//! `claimdesk train --task desk`: fine-tunes the encoder's top layers with a
//! check-worthiness head and a subjectivity head (`claimdesk_embed::tune`),
//! measures them, and writes the desk model and the two plugins' heads.
//!
//! Measuring (before the model that ships is trained on everything):
//! check-worthiness on a fixed 10 % of its sentences, never trained on,
//! with the threshold chosen on another 9 %; subjectivity by k-fold
//! cross-validation, each fold's threshold chosen on the other folds'
//! out-of-fold scores. One run per fold trains both tasks.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use claimdesk_embed::tune::{TaskData, TuneOptions};
use claimdesk_embed::{DeskInfo, Encoder};
use claimdesk_linear::Head;

use crate::datasets::{Labelled, Scores, read};
use crate::eval::Task;

/// Where the desk model and the heads go by default.
pub const DESK_DIR: &str = "models/desk";
const HEAD_FILES: [(Task, &str); 2] =
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

fn task_of(path: &Path) -> anyhow::Result<Task> {
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
fn best_threshold(scores: &[f32], labels: &[bool], measure: impl Fn(&Scores) -> f64) -> (f32, f64) {
    (1..20)
        .map(|i| i as f32 * 0.05)
        .map(|t| (t, measure(&Scores::at(scores, labels, t))))
        .fold((0.5, -1.0), |best, candidate| if candidate.1 > best.1 { candidate } else { best })
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

fn f1(s: &Scores) -> f64 {
    s.positive().2
}

fn macro_f1(s: &Scores) -> f64 {
    s.macro_f1()
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

    // The fixed check-worthiness split and the subjectivity folds.
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut cw_order: Vec<usize> = (0..cw.rows.len()).collect();
    rng.shuffle(&mut cw_order);
    let test_n = cw_order.len() / 10;
    let val_n = cw_order.len() * 9 / 100;
    let (cw_test, rest) = cw_order.split_at(test_n);
    let (cw_val, cw_train) = rest.split_at(val_n);
    let mut subj_order: Vec<usize> = (0..subj.rows.len()).collect();
    rng.shuffle(&mut subj_order);
    let fold_of = |i: usize| subj_order.iter().position(|&j| j == i).unwrap_or(0) % args.folds.max(1);

    // One run per fold, and the run that ships (every sentence), `jobs` at a time.
    let measured = args.runs.min(args.folds);
    let runs: Vec<Option<usize>> = (0..measured).map(Some).chain(args.output.map(|_| None)).collect();
    let run = |fold: Option<usize>| -> anyhow::Result<(Option<usize>, claimdesk_embed::tune::Tuned, f64)> {
        let run_started = Instant::now();
        let label = fold.map_or_else(|| "final".to_owned(), |f| format!("fold {}", f + 1));
        let (cw_train, subj_train): (Vec<usize>, Vec<usize>) = match fold {
            Some(fold) => (cw_train.to_vec(), (0..subj.rows.len()).filter(|&i| fold_of(i) != fold).collect()),
            None => ((0..cw.rows.len()).collect(), (0..subj.rows.len()).collect()),
        };
        let mut tuned = encoder.start_tuning(options.shared, 2, options.seed + fold.map_or(0, |f| f as u64 + 1))?;
        let tasks = [
            TaskData { name: "checkworthiness", states: &cw_states, labels: &cw_labels, train: cw_train, repeat: 1 },
            TaskData { name: "subjectivity", states: &subj_states, labels: &subj_labels, train: subj_train, repeat: args.repeat },
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
    let probabilities = |tuned: &claimdesk_embed::tune::Tuned, task: usize, states: &[claimdesk_embed::tune::Tensor], idx: &[usize]| {
        let refs: Vec<_> = idx.iter().map(|&i| &states[i]).collect();
        anyhow::Ok(tuned.logits(task, &refs)?.into_iter().map(sigmoid).collect::<Vec<_>>())
    };
    let mut out_of_fold = vec![f32::NAN; subj.rows.len()];
    let mut cw_results: Vec<(f32, f64, f64)> = Vec::new();
    let mut held_out: Vec<(String, Vec<(usize, f32)>)> = Vec::new();
    let mut shipped = None;
    for (fold, tuned, seconds) in finished {
        let Some(fold) = fold else {
            println!("final: {seconds:.0} s");
            shipped = Some(tuned);
            continue;
        };
        let val = probabilities(&tuned, 0, &cw_states, cw_val)?;
        let val_labels: Vec<bool> = cw_val.iter().map(|&i| cw_labels[i]).collect();
        let (threshold, _) = best_threshold(&val, &val_labels, f1);
        let test = probabilities(&tuned, 0, &cw_states, cw_test)?;
        let test_labels: Vec<bool> = cw_test.iter().map(|&i| cw_labels[i]).collect();
        let (at_threshold, at_half) = (f1(&Scores::at(&test, &test_labels, threshold)), f1(&Scores::at(&test, &test_labels, 0.5)));
        println!(
            "fold {}: check-worthiness on the held-out 10 %: F1 {at_threshold:.3} at threshold {threshold:.2} (chosen on 9 %), {at_half:.3} at 0.5 ({seconds:.0} s)",
            fold + 1
        );
        cw_results.push((threshold, at_threshold, at_half));
        held_out.push((format!("val{}", fold + 1), cw_val.iter().copied().zip(val).collect()));
        held_out.push((format!("test{}", fold + 1), cw_test.iter().copied().zip(test).collect()));
        let subj_held: Vec<usize> = (0..subj.rows.len()).filter(|&i| fold_of(i) == fold).collect();
        for (&i, p) in subj_held.iter().zip(probabilities(&tuned, 1, &subj_states, &subj_held)?) {
            out_of_fold[i] = p;
        }
    }

    let mut thresholds = [0.5f32, 0.5];
    if let Some(path) = args.scores {
        let mut out = String::from("task\tsentence\tpart\tlabel\tprobability\n");
        for (part, probs) in &held_out {
            for (i, p) in probs {
                out.push_str(&format!("checkworthiness\t{i}\t{part}\t{}\t{p}\n", u8::from(cw_labels[*i])));
            }
        }
        for (i, p) in out_of_fold.iter().enumerate().filter(|(_, p)| !p.is_nan()) {
            out.push_str(&format!("subjectivity\t{i}\tfold{}\t{}\t{p}\n", fold_of(i) + 1, u8::from(subj_labels[i])));
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if measured > 1 {
        let mean = |f: fn(&(f32, f64, f64)) -> f64| cw_results.iter().map(f).sum::<f64>() / cw_results.len() as f64;
        let spread = |f: fn(&(f32, f64, f64)) -> f64| {
            let m = mean(f);
            (cw_results.iter().map(|r| (f(r) - m).powi(2)).sum::<f64>() / (cw_results.len() as f64 - 1.0).max(1.0)).sqrt()
        };
        println!(
            "check-worthiness, held-out 10 % ({} sentences), {} runs: F1 {:.3} ± {:.3} at the chosen threshold, {:.3} at 0.5",
            test_n,
            cw_results.len(),
            mean(|r| r.1),
            spread(|r| r.1),
            mean(|r| r.2)
        );
        thresholds[0] = mean(|r| f64::from(r.0)) as f32;
        // Subjectivity: each fold judged at the threshold the other folds' scores choose.
        let mut nested = Scores::default();
        for fold in 0..measured {
            let (other, held): (Vec<usize>, Vec<usize>) =
                (0..subj.rows.len()).filter(|&i| fold_of(i) < measured).partition(|&i| fold_of(i) != fold);
            let pick = |idx: &[usize]| -> (Vec<f32>, Vec<bool>) { idx.iter().map(|&i| (out_of_fold[i], subj_labels[i])).unzip() };
            let (scores, labels) = pick(&other);
            let (threshold, _) = best_threshold(&scores, &labels, macro_f1);
            let (scores, labels) = pick(&held);
            let s = Scores::at(&scores, &labels, threshold);
            nested.tp += s.tp;
            nested.fp += s.fp;
            nested.fn_ += s.fn_;
            nested.tn += s.tn;
        }
        let (scored, scored_labels): (Vec<f32>, Vec<bool>) =
            out_of_fold.iter().zip(&subj_labels).filter(|(p, _)| !p.is_nan()).map(|(&p, &l)| (p, l)).unzip();
        let (threshold, _) = best_threshold(&scored, &scored_labels, macro_f1);
        println!(
            "subjectivity, {measured} of {} folds ({} sentences): macro F1 {:.3} (thresholds chosen on the other folds), {:.3} at 0.5; threshold on all folds {threshold:.2}",
            args.folds,
            scored.len(),
            nested.macro_f1(),
            Scores::at(&scored, &scored_labels, 0.5).macro_f1()
        );
        thresholds[1] = threshold;
    }

    let (Some(output), Some(tuned)) = (args.output, shipped) else {
        println!("(no --output: nothing written; {:.0} s in all)", started.elapsed().as_secs_f64());
        return Ok(ExitCode::SUCCESS);
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
        let head = Head { model: info.id.clone(), weights, bias, threshold: thresholds[t] };
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
    /// Measure first: subjectivity over K folds (and check-worthiness on
    /// its fixed held-out tenth, once per fold); 0 skips measuring.
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
        common: &crate::TrainingArgs,
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
            command,
        }
    }
}
