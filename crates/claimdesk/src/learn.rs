//! `claimdesk train --from-database`: retrains the check-worthiness head on
//! the desk's own decisions (`claimdesk_store::Store::desk_decisions`:
//! given a verdict = worth checking, dismissed as not check-worthy = not),
//! measures it against the shipped head by cross-validation on those
//! decisions, and stores it in the database (`Store::set_desk_head`), where
//! every server node and `ingest` on that database picks it up.
//!
//! The new head starts from the shipped one and is pulled back towards it
//! (an L2 penalty on the difference, its strength chosen by inner
//! cross-validation), so a few dozen decisions adjust the shipped head
//! rather than replace it. It reads the same desk vectors, so the desk
//! model is unchanged and every other detector keeps working as it was.
//!
//! Invariant: a head is stored only when cross-validation says it does
//! better than the shipped one on the desk's decisions (or `--force`).

use std::process::ExitCode;

use anyhow::{Context, bail};
use claimdesk_linear::Head;
use claimdesk_plugin_host::{DeskEncoder, SentenceEncoder};
use claimdesk_store::{DeskHead, DeskHeadInfo, Figures};

use crate::datasets::Scores;
use crate::db::{block_on, open};

/// The head the check-worthiness plugin ships with.
pub const SHIPPED_HEAD: &str = include_str!("../../../plugins/checkworthiness/model/head.txt");

/// Fewest decisions of each kind training accepts.
pub const MIN_PER_CLASS: usize = 5;
/// Fewest decisions in all.
pub const MIN_DECISIONS: usize = 20;
/// Penalty strengths tried (pulling the head back towards the shipped one).
const PENALTIES: [f32; 4] = [0.001, 0.01, 0.1, 1.0];
const STEPS: usize = 300;

/// What `train --from-database` was asked.
#[derive(Debug)]
pub struct FromDatabase<'a> {
    /// Only check-worthiness has a head the desk's decisions label.
    pub task: crate::eval::TrainTask,
    pub url: &'a str,
    pub desk_model: Option<&'a std::path::Path>,
    pub encoder: Option<&'a std::path::Path>,
    pub folds: usize,
    /// Store the head even if it is no better than the shipped one.
    pub force: bool,
    pub command: String,
}

/// One labelled desk vector.
#[derive(Clone, Copy)]
struct Example<'a> {
    vector: &'a [f32],
    label: bool,
}

/// Logistic regression from `start`, with `penalty`/2 · ‖w − start‖² (the
/// bias is free), by full-batch Adam.
fn fit(examples: &[Example<'_>], start: &Head, penalty: f32) -> Head {
    let dim = start.weights.len();
    let mut w = start.weights.clone();
    let mut b = start.bias;
    let (mut m, mut v) = (vec![0.0f32; dim + 1], vec![0.0f32; dim + 1]);
    let (rate, beta1, beta2, eps) = (0.01f32, 0.9f32, 0.999f32, 1e-8f32);
    let n = examples.len().max(1) as f32;
    let mut grad = vec![0.0f32; dim + 1];
    for step in 1..=STEPS {
        grad.iter_mut().for_each(|g| *g = 0.0);
        for e in examples {
            let z = b + w.iter().zip(e.vector).map(|(w, x)| w * x).sum::<f32>();
            let err = (1.0 / (1.0 + (-z).exp()) - f32::from(u8::from(e.label))) / n;
            for (g, x) in grad.iter_mut().zip(e.vector) {
                *g += err * x;
            }
            grad[dim] += err;
        }
        for ((g, w), w0) in grad.iter_mut().zip(&w).zip(&start.weights) {
            *g += penalty * (w - w0);
        }
        let (c1, c2) = (1.0 - beta1.powi(step as i32), 1.0 - beta2.powi(step as i32));
        for i in 0..=dim {
            m[i] = beta1 * m[i] + (1.0 - beta1) * grad[i];
            v[i] = beta2 * v[i] + (1.0 - beta2) * grad[i] * grad[i];
            let delta = rate * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
            if i == dim { b -= delta } else { w[i] -= delta }
        }
    }
    Head { model: start.model.clone(), weights: w, bias: b, threshold: 0.5, words: None }
}

fn probability(head: &Head, vector: &[f32]) -> f32 {
    1.0 / (1.0 + (-head.logit(vector)).exp())
}

/// Stratified folds: example `i` is in fold `folds_of[i]`.
fn folds_of(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut fold = vec![0; labels.len()];
    for class in [true, false] {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        for (j, i) in members.into_iter().enumerate() {
            fold[i] = j % k;
        }
    }
    fold
}

/// The penalty and threshold chosen by `k`-fold cross-validation within
/// `examples` (log-loss for the penalty, F1 for the threshold), and the
/// head fitted on all of them with that penalty and threshold.
fn choose_and_fit(examples: &[Example<'_>], start: &Head, k: usize) -> (Head, f32) {
    let labels: Vec<bool> = examples.iter().map(|e| e.label).collect();
    let k = k.min(labels.iter().filter(|&&l| l).count()).min(labels.iter().filter(|&&l| !l).count()).max(2);
    let fold = folds_of(&labels, k, 7);
    let mut best: Option<(f32, f64, Vec<f32>)> = None;
    for penalty in PENALTIES {
        let mut out_of_fold = vec![0.0f32; examples.len()];
        for f in 0..k {
            let train: Vec<Example<'_>> = examples.iter().zip(&fold).filter(|(_, g)| **g != f).map(|(e, _)| *e).collect();
            let head = fit(&train, start, penalty);
            for (i, e) in examples.iter().enumerate().filter(|(i, _)| fold[*i] == f) {
                out_of_fold[i] = probability(&head, e.vector);
            }
        }
        let loss = out_of_fold.iter().zip(&labels).map(|(&p, &l)| -f64::from(if l { p } else { 1.0 - p }).max(1e-9).ln()).sum::<f64>()
            / examples.len() as f64;
        if best.as_ref().is_none_or(|b| loss < b.1) {
            best = Some((penalty, loss, out_of_fold));
        }
    }
    let (penalty, _, out_of_fold) = best.unwrap_or((1.0, 0.0, vec![0.5; examples.len()]));
    // The middle of the thresholds that do best (a plateau when the
    // classes separate well), on a grid of 0.05.
    let grid: Vec<(f32, f64)> = (1..20).map(|i| i as f32 * 0.05).map(|t| (t, Scores::at(&out_of_fold, &labels, t).positive().2)).collect();
    let top = grid.iter().map(|g| g.1).fold(f64::MIN, f64::max);
    let best: Vec<f32> = grid.iter().filter(|g| g.1 >= top - 1e-9).map(|g| g.0).collect();
    let threshold = best.get(best.len() / 2).copied().unwrap_or(0.5);
    let mut head = fit(examples, start, penalty);
    head.threshold = threshold;
    (head, penalty)
}

/// Before (the shipped head) and after (a head trained on the other folds)
/// on each of `k` folds of the decisions, pooled.
fn cross_validate(examples: &[Example<'_>], shipped: &Head, k: usize) -> (Scores, Scores) {
    let labels: Vec<bool> = examples.iter().map(|e| e.label).collect();
    let fold = folds_of(&labels, k, 13);
    let (mut before, mut after) = (Scores::default(), Scores::default());
    for f in 0..k {
        let (held, train): (Vec<usize>, Vec<usize>) = (0..examples.len()).partition(|&i| fold[i] == f);
        let train: Vec<Example<'_>> = train.iter().map(|&i| examples[i]).collect();
        let (head, _) = choose_and_fit(&train, shipped, k - 1);
        for &i in &held {
            before.add(shipped.score(examples[i].vector) >= 0.5, labels[i]);
            after.add(head.score(examples[i].vector) >= 0.5, labels[i]);
        }
    }
    (before, after)
}

fn figures(s: &Scores) -> Figures {
    let (precision, recall, f1) = s.positive();
    Figures { precision, recall, f1 }
}

pub fn train_from_database(args: &FromDatabase<'_>) -> anyhow::Result<ExitCode> {
    if args.task != crate::eval::TrainTask::Checkworthiness {
        bail!("--from-database retrains the check-worthiness head only (leave out --task)");
    }
    let shipped = Head::parse(SHIPPED_HEAD).context("the shipped check-worthiness head")?;
    let encoder = DeskEncoder::load(args.encoder, args.desk_model).context("the desk model (train --from-database needs it)")?;
    if encoder.model() != shipped.model {
        bail!(
            "the desk model here ({}) is not the one the shipped head was trained with ({}); run the desk model that ships",
            encoder.model(),
            shipped.model
        );
    }
    block_on(async {
        let store = open(args.url).await?;
        let decisions = store.desk_decisions().await?;
        let worth = decisions.iter().filter(|d| d.worth_checking).count();
        let not = decisions.len() - worth;
        println!("{} labelled decisions: {worth} given a verdict (worth checking), {not} dismissed as not check-worthy", decisions.len());
        if decisions.len() < MIN_DECISIONS || worth.min(not) < MIN_PER_CLASS {
            bail!(
                "too few decisions to learn from: training needs at least {MIN_DECISIONS}, and {MIN_PER_CLASS} of each kind \
                 (dismiss claims as \"Not check-worthy\" to teach it what is not)"
            );
        }
        let texts: Vec<&str> = decisions.iter().map(|d| d.text.as_str()).collect();
        let flat = encoder.vectors(&texts).map_err(|e| anyhow::anyhow!("encoding the decisions: {e}"))?;
        let dim = encoder.dimension();
        let examples: Vec<Example<'_>> =
            flat.chunks(dim).zip(&decisions).map(|(vector, d)| Example { vector, label: d.worth_checking }).collect();
        let k = args.folds.clamp(2, worth.min(not));
        let (before, after) = cross_validate(&examples, &shipped, k);
        let (b, a) = (before.positive().2, after.positive().2);
        println!("{k}-fold cross-validation on the desk's decisions: F1 {b:.3} with the shipped head, {a:.3} with the desk's own");
        let (head, penalty) = choose_and_fit(&examples, &shipped, k);
        if a <= b && !args.force {
            println!("the desk's head does no better than the shipped one: nothing stored (--force stores it anyway)");
            return Ok(ExitCode::SUCCESS);
        }
        let info = DeskHeadInfo {
            trained_at: claimdesk_store::now(),
            decisions: decisions.len(),
            worth_checking: worth,
            not_checkworthy: not,
            folds: k,
            before: figures(&before),
            after: figures(&after),
            penalty,
            threshold: head.threshold,
            desk_model: head.model.clone(),
            command: args.command.clone(),
        };
        store.set_desk_head(&DeskHead { head: head.to_text(), info: Some(info) }).await?;
        println!(
            "stored the desk's check-worthiness head (threshold {:.2}); server nodes pick it up within a minute, \
             `claimdesk train --from-database --restore-shipped` or the admin's Plugins page switches back",
            head.threshold
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `train --from-database --restore-shipped`.
pub fn restore_shipped(url: &str) -> anyhow::Result<ExitCode> {
    block_on(async {
        let store = open(url).await?;
        if store.clear_desk_head().await? {
            println!("switched back to the shipped check-worthiness head");
        } else {
            println!("the desk already used the shipped check-worthiness head");
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two-dimensional vectors: the shipped head looks at the first
    /// component, the desk's decisions follow the second.
    fn desk(n: usize) -> (Vec<Vec<f32>>, Vec<bool>) {
        let mut rng = fastrand::Rng::with_seed(3);
        (0..n)
            .map(|i| {
                let label = i % 2 == 0;
                let second = if label { 1.0 } else { -1.0 } + (rng.f32() - 0.5);
                (vec![rng.f32() * 2.0 - 1.0, second], label)
            })
            .unzip()
    }

    #[test]
    fn the_desks_head_learns_what_its_decisions_say_and_cross_validation_shows_it() {
        let shipped = Head { model: "m".into(), weights: vec![3.0, 0.0], bias: 0.0, threshold: 0.5, words: None };
        let (vectors, labels) = desk(60);
        let examples: Vec<Example<'_>> = vectors.iter().zip(&labels).map(|(v, &l)| Example { vector: v, label: l }).collect();
        let (before, after) = cross_validate(&examples, &shipped, 5);
        assert!(before.positive().2 < 0.75, "the shipped head guesses: {before:?}");
        assert!(after.positive().2 > 0.9, "the desk's head learned the second component: {after:?}");
        let (head, _) = choose_and_fit(&examples, &shipped, 5);
        assert!(head.weights[1] > 1.0 && head.threshold > 0.0 && head.threshold < 1.0, "{head:?}");
        assert_eq!(head.model, "m");
    }

    #[test]
    fn a_strong_penalty_keeps_the_shipped_head() {
        let shipped = Head { model: "m".into(), weights: vec![3.0, 0.0], bias: 0.0, threshold: 0.5, words: None };
        let (vectors, labels) = desk(20);
        let examples: Vec<Example<'_>> = vectors.iter().zip(&labels).map(|(v, &l)| Example { vector: v, label: l }).collect();
        let kept = fit(&examples, &shipped, 1000.0);
        assert!((kept.weights[0] - 3.0).abs() < 0.05 && kept.weights[1].abs() < 0.05, "{kept:?}");
    }

    #[test]
    fn folds_are_stratified() {
        let labels: Vec<bool> = (0..23).map(|i| i % 3 == 0).collect();
        let fold = folds_of(&labels, 4, 1);
        for f in 0..4 {
            let positives = (0..23).filter(|&i| fold[i] == f && labels[i]).count();
            assert!((1..=2).contains(&positives), "fold {f}: {positives}");
        }
    }

    #[test]
    fn the_shipped_head_parses() {
        assert!(Head::parse(SHIPPED_HEAD).is_ok());
    }
}
