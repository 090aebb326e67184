//! Check-worthiness from the model *and* the other detectors: a sentence's
//! score is a logistic regression over the check-worthiness model's score
//! (as a logit) and which kinds of flag the sentence has. Figures, firsts
//! and unnamed sources make a sentence worth checking whatever its words;
//! these features carry over to new speakers and topics better than words.
//! There is one set of weights per scorer ([`Scorer`]): the word model's
//! (the fast profile) are trained by `claimdesk train --task stack`, the
//! fine-tuned encoder's (the desk profile) by `claimdesk train --task stack
//! --encoder-scores` on its out-of-fold scores (docs/DETECTION.md); both
//! are written to `stack_weights.rs`.

use crate::Kind;

/// The flag kinds the combination looks at, in weight order. Prediction,
/// hedge, vague and subjective flags were tried too: their weights came out
/// near zero and cross-validated F1 was lower with them (0.674 vs 0.676).
pub const STACK_KINDS: [Kind; 5] = [Kind::Numeric, Kind::Superlative, Kind::AnonymousSource, Kind::Unattributed, Kind::Quote];

/// The rule id under which the check-worthiness plugin reports a score
/// from the fine-tuned encoder's head (the word model's is
/// `checkworthiness.score`); the host combines it with the encoder's
/// weights ([`Scorer::Encoder`]).
pub const ENCODER_RULE: &str = "checkworthiness.encoder";

/// Which model scored a sentence: each has its own combination weights,
/// fitted to its own scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scorer {
    /// The word model (`checkworthiness.score`, the fast profile).
    Words,
    /// The fine-tuned encoder's head ([`ENCODER_RULE`], the desk profile).
    Encoder,
}

impl Scorer {
    /// The shipped weights for this scorer's scores.
    pub fn weights(self) -> &'static [f32; STACK_WEIGHTS] {
        match self {
            Scorer::Words => &crate::stack_weights::WEIGHTS,
            Scorer::Encoder => &crate::stack_weights::ENCODER_WEIGHTS,
        }
    }
}

/// What a flag kind says for a sentence's check-worthiness, in plain
/// words, for the kinds whose weight in the word model's combination (fitted
/// on 22,499 labelled sentences) raises it. Said whichever model scored
/// the sentence: the encoder may have learnt the same from the words
/// themselves, and a checker wants to know what else was found.
pub fn reason(kind: Kind) -> Option<&'static str> {
    let i = STACK_KINDS.iter().position(|k| *k == kind)?;
    if Scorer::Words.weights()[2 + i] <= 0.0 {
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

/// A sentence's check-worthiness from `scorer`'s score and its flags'
/// kinds, under the shipped weights.
pub fn checkworthiness(scorer: Scorer, model_score: f32, kinds: &[Kind]) -> f32 {
    stack_score(scorer.weights(), model_score, kinds)
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
        for (i, kind) in STACK_KINDS.into_iter().enumerate() {
            assert_eq!(reason(kind).is_some(), Scorer::Words.weights()[2 + i] > 0.0, "{kind:?}");
        }
    }

    #[test]
    fn shipped_weights_are_finite_and_figures_count() {
        for scorer in [Scorer::Words, Scorer::Encoder] {
            assert!(scorer.weights().iter().all(|w| w.is_finite()), "{scorer:?}");
            assert!(
                (0.0..=1.0).contains(&checkworthiness(scorer, 0.0, &[]))
                    && (0.0..=1.0).contains(&checkworthiness(scorer, 1.0, &STACK_KINDS))
            );
        }
        // The word model's combination counts figures (the encoder's may not
        // need to: cross-validation decides, docs/DETECTION.md).
        let (plain, with_figure) = (checkworthiness(Scorer::Words, 0.4, &[]), checkworthiness(Scorer::Words, 0.4, &[Kind::Numeric]));
        assert!(with_figure > plain, "a figure makes a sentence more check-worthy: {plain} vs {with_figure}");
    }
}
