//! Check-worthiness from the model *and* the other detectors: a sentence's
//! score is a logistic regression over the check-worthiness model's score
//! (as a logit) and which kinds of flag the sentence has. Figures, firsts
//! and unnamed sources make a sentence worth checking whatever its words;
//! these features carry over to new speakers and topics better than words.
//! The weights are trained by `claimdesk train --task stack`
//! (docs/DETECTION.md) and written to `stack_weights.rs`.

use crate::Kind;

/// The flag kinds the combination looks at, in weight order. Prediction,
/// hedge, vague and subjective flags were tried too: their weights came out
/// near zero and cross-validated F1 was lower with them (0.674 vs 0.676).
pub const STACK_KINDS: [Kind; 5] = [Kind::Numeric, Kind::Superlative, Kind::AnonymousSource, Kind::Unattributed, Kind::Quote];

/// Number of weights: bias, model logit, one per kind.
pub const STACK_WEIGHTS: usize = 2 + STACK_KINDS.len();

/// The combination's inputs for one sentence: 1, the model's logit, then
/// 1 or 0 for each of [`STACK_KINDS`].
pub fn stack_features(model_score: f32, kinds: &[Kind]) -> [f32; STACK_WEIGHTS] {
    let p = model_score.clamp(1e-4, 1.0 - 1e-4);
    let mut x = [0.0_f32; STACK_WEIGHTS];
    x[0] = 1.0;
    x[1] = (p / (1.0 - p)).ln();
    for (slot, kind) in x[2..].iter_mut().zip(STACK_KINDS) {
        *slot = f32::from(u8::from(kinds.contains(&kind)));
    }
    x
}

/// The combined score in [0, 1] under `weights`.
pub fn stack_score(weights: &[f32; STACK_WEIGHTS], model_score: f32, kinds: &[Kind]) -> f32 {
    let z: f32 = stack_features(model_score, kinds).iter().zip(weights).map(|(x, w)| x * w).sum();
    1.0 / (1.0 + (-z).exp())
}

/// The shipped weights.
pub fn checkworthiness(model_score: f32, kinds: &[Kind]) -> f32 {
    stack_score(&crate::stack_weights::WEIGHTS, model_score, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_weights_return_the_model_score() {
        let mut weights = [0.0; STACK_WEIGHTS];
        weights[1] = 1.0;
        for p in [0.1_f32, 0.5, 0.9] {
            assert!((stack_score(&weights, p, &[Kind::Numeric]) - p).abs() < 1e-5);
        }
    }

    #[test]
    fn shipped_weights_are_finite_and_figures_count() {
        assert!(crate::stack_weights::WEIGHTS.iter().all(|w| w.is_finite()));
        let plain = checkworthiness(0.4, &[]);
        let with_figure = checkworthiness(0.4, &[Kind::Numeric]);
        assert!(with_figure > plain, "a figure makes a sentence more check-worthy: {plain} vs {with_figure}");
        assert!((0.0..=1.0).contains(&checkworthiness(0.0, &[])) && (0.0..=1.0).contains(&checkworthiness(1.0, &STACK_KINDS)));
    }
}
