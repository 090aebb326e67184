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

/// The rule id under which the check-worthiness plugin reports a score
/// from the fine-tuned encoder's head (the word model's is
/// `checkworthiness.score`). Those scores are already calibrated and are
/// used as they are: the combination's weights were fitted to the word
/// model's scores (docs/DETECTION.md).
pub const ENCODER_RULE: &str = "checkworthiness.encoder";

/// What a flag kind says for a sentence's check-worthiness, in plain
/// words, for the kinds whose weight in the shipped combination raises it.
pub fn reason(kind: Kind) -> Option<&'static str> {
    let i = STACK_KINDS.iter().position(|k| *k == kind)?;
    if crate::stack_weights::WEIGHTS[2 + i] <= 0.0 {
        return None;
    }
    Some(match kind {
        Kind::Numeric => "a figure",
        Kind::Superlative => "a first, a record or an extreme",
        Kind::AnonymousSource => "an unnamed source",
        Kind::Quote => "a quotation",
        Kind::Unattributed => "no source given",
        _ => return None,
    })
}

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
    fn reasons_are_the_kinds_that_raise_the_score() {
        assert_eq!(reason(Kind::Numeric), Some("a figure"));
        assert_eq!(reason(Kind::AnonymousSource), Some("an unnamed source"));
        assert_eq!(reason(Kind::Vague), None, "not in the combination");
        for kind in STACK_KINDS {
            let i = STACK_KINDS.iter().position(|k| *k == kind).unwrap();
            assert_eq!(reason(kind).is_some(), crate::stack_weights::WEIGHTS[2 + i] > 0.0, "{kind:?}");
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
