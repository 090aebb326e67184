//! A head: a logistic regression over a sentence's desk vector (the
//! encoder's fine-tuned top, computed by the host and handed to plugins
//! with the document), trained with the layers below it by
//! `claimdesk train --task desk`.
//!
//! A head is only meaningful on vectors of the model it was trained with:
//! it carries that model's id, and [`Head::applies_to`] says whether a
//! document's vectors are those. Its file is text, one key per line:
//!
//! ```text
//! claimdesk-head 1
//! model 3f2a…
//! threshold 0.42
//! bias -1.25
//! weights 0.013 -0.2 …
//! ```
//!
//! `threshold` is the score from which a sentence counts as positive,
//! chosen by cross-validation; [`Head::score`] is calibrated so that it
//! falls at 0.5, where every consumer of a score draws the line.
//!
//! An optional line `words A B C` combines the head with the plugin's word
//! model (`claimdesk train --task stack --encoder-scores`, where
//! cross-validation chose it): the score is then the logistic of
//! A + B·(the head's logit − logit(threshold)) + C·(the word model's
//! logit), again deciding at 0.5.

use crate::sigmoid;

/// What [`Head::parse`] refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HeadError {
    #[error("not a claimdesk head file (it must start with \"claimdesk-head 1\")")]
    BadMagic,
    #[error("head file: line {0:?} is not `key value`")]
    BadLine(String),
    #[error("head file: {0} is missing")]
    Missing(&'static str),
    #[error("head file: {0} is not a number")]
    BadNumber(String),
    #[error("head threshold {0} is not strictly between 0 and 1")]
    BadThreshold(f32),
}

/// A trained head.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    /// The id of the desk model whose vectors it reads.
    pub model: String,
    pub weights: Vec<f32>,
    pub bias: f32,
    pub threshold: f32,
    /// The combination with the word model's score, if any: bias, weight
    /// of the head's shifted logit, weight of the word model's logit.
    pub words: Option<[f32; 3]>,
}

const MAGIC: &str = "claimdesk-head 1";

fn number(text: &str) -> Result<f32, HeadError> {
    text.parse::<f32>().ok().filter(|x| x.is_finite()).ok_or_else(|| HeadError::BadNumber(text.chars().take(40).collect()))
}

fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

impl Head {
    pub fn parse(text: &str) -> Result<Head, HeadError> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(MAGIC) {
            return Err(HeadError::BadMagic);
        }
        let (mut model, mut weights, mut bias, mut threshold, mut words) = (None, None, None, None, None);
        for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
            let (key, value) = line.split_once(' ').ok_or_else(|| HeadError::BadLine(line.chars().take(40).collect()))?;
            match key {
                "model" => model = Some(value.trim().to_owned()),
                "bias" => bias = Some(number(value.trim())?),
                "threshold" => threshold = Some(number(value.trim())?),
                "weights" => weights = Some(value.split_whitespace().map(number).collect::<Result<Vec<_>, _>>()?),
                "words" => {
                    let values = value.split_whitespace().map(number).collect::<Result<Vec<_>, _>>()?;
                    words = Some(<[f32; 3]>::try_from(values).map_err(|_| HeadError::BadLine(line.chars().take(40).collect()))?);
                }
                _ => return Err(HeadError::BadLine(line.chars().take(40).collect())),
            }
        }
        let threshold = threshold.ok_or(HeadError::Missing("threshold"))?;
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(HeadError::BadThreshold(threshold));
        }
        Ok(Head {
            model: model.ok_or(HeadError::Missing("model"))?,
            weights: weights.filter(|w| !w.is_empty()).ok_or(HeadError::Missing("weights"))?,
            bias: bias.ok_or(HeadError::Missing("bias"))?,
            threshold,
            words,
        })
    }

    /// The file's text ([`Head::parse`] reads it back exactly).
    pub fn to_text(&self) -> String {
        let weights: Vec<String> = self.weights.iter().map(f32::to_string).collect();
        let mut text =
            format!("{MAGIC}\nmodel {}\nthreshold {}\nbias {}\nweights {}\n", self.model, self.threshold, self.bias, weights.join(" "));
        if let Some([a, b, c]) = self.words {
            text.push_str(&format!("words {a} {b} {c}\n"));
        }
        text
    }

    /// Whether vectors from desk model `model`, of `dimension` components,
    /// are what this head reads.
    pub fn applies_to(&self, model: &str, dimension: usize) -> bool {
        self.model == model && self.weights.len() == dimension
    }

    /// The raw logit for `vector`.
    pub fn logit(&self, vector: &[f32]) -> f32 {
        self.bias + self.weights.iter().zip(vector).map(|(w, x)| w * x).sum::<f32>()
    }

    /// The score in [0, 1], shifted so that the head's threshold is 0.5
    /// (the head alone, whether or not it has a word combination).
    pub fn score(&self, vector: &[f32]) -> f32 {
        sigmoid(self.logit(vector) - logit(self.threshold))
    }

    /// The score combined with the word model's probability, which
    /// `word_score` computes only when the head has a combination
    /// ([`Head::score`] otherwise); 0.5 decides either way.
    pub fn score_with_words(&self, vector: &[f32], word_score: impl FnOnce() -> f32) -> f32 {
        match self.words {
            Some([a, b, c]) => sigmoid(a + b * (self.logit(vector) - logit(self.threshold)) + c * logit(word_score())),
            None => self.score(vector),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_reads_back_what_it_wrote_and_scores_at_its_threshold() {
        let head = Head { model: "abc123".into(), weights: vec![0.5, -0.25, 1.0], bias: -0.1, threshold: 0.3, words: None };
        let again = Head::parse(&head.to_text()).unwrap();
        assert_eq!(again, head);
        // A vector whose raw probability is exactly the threshold scores 0.5.
        let z = logit(0.3) + 0.1;
        let v = [z / 0.5, 0.0, 0.0];
        assert!((head.score(&v) - 0.5).abs() < 1e-5);
        assert!(head.applies_to("abc123", 3) && !head.applies_to("abc124", 3) && !head.applies_to("abc123", 4));
    }

    #[test]
    fn damaged_head_files_are_named_errors() {
        assert_eq!(Head::parse("hello"), Err(HeadError::BadMagic));
        assert_eq!(Head::parse("claimdesk-head 1\nmodel m\nbias 0\nweights 1 2"), Err(HeadError::Missing("threshold")));
        assert_eq!(Head::parse("claimdesk-head 1\nmodel m\nthreshold 1.5\nbias 0\nweights 1"), Err(HeadError::BadThreshold(1.5)));
        assert!(matches!(Head::parse("claimdesk-head 1\nmodel m\nthreshold 0.5\nbias x\nweights 1"), Err(HeadError::BadNumber(_))));
        assert!(matches!(Head::parse("claimdesk-head 1\nmodel m\nthreshold 0.5\nbias 0\nweights 1 NaN"), Err(HeadError::BadNumber(_))));
        assert!(matches!(Head::parse("claimdesk-head 1\nnonsense"), Err(HeadError::BadLine(_))));
        let base = "claimdesk-head 1\nmodel m\nthreshold 0.5\nbias 0\nweights 1\n";
        assert!(matches!(Head::parse(&format!("{base}words 1 2\n")), Err(HeadError::BadLine(_))), "three numbers");
        assert!(matches!(Head::parse(&format!("{base}words 1 2 inf\n")), Err(HeadError::BadNumber(_))));
    }

    #[test]
    fn a_word_combination_reads_back_and_moves_the_score() {
        let head = Head { model: "m".into(), weights: vec![1.0], bias: 0.0, threshold: 0.5, words: Some([-0.5, 1.0, 2.0]) };
        let again = Head::parse(&head.to_text()).unwrap();
        assert_eq!(again, head);
        // The head alone says 0.5 for a zero vector; the combination adds
        // the bias and the word model's logit.
        assert!((head.score(&[0.0]) - 0.5).abs() < 1e-6);
        assert!((head.score_with_words(&[0.0], || 0.5) - sigmoid(-0.5)).abs() < 1e-6);
        assert!(head.score_with_words(&[0.0], || 0.9) > 0.5, "a confident word model lifts it over the line");
        assert!(head.score_with_words(&[0.0], || 0.1) < 0.5);
        let plain = Head { words: None, ..head };
        let asked = std::cell::Cell::new(false);
        let score = plain.score_with_words(&[2.0], || {
            asked.set(true);
            0.99
        });
        assert_eq!(score, plain.score(&[2.0]));
        assert!(!asked.get(), "a head without a combination does not run the word model");
    }
}
