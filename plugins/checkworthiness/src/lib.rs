//! `checkworthiness`: scores every sentence in [0, 1] — how much it reads
//! like a factual claim worth checking, 0.5 being where "worth checking"
//! starts.
//!
//! With the host's sentence vectors (the desk profile, ABI v1.2) the score
//! is the head trained with the fine-tuned encoder (`claimdesk train --task
//! desk`, `model/head.txt`); without them, or if they come from another
//! model than the head's, it is the linear model (logistic regression over
//! hashed word, bigram and claim-structure features; `claimdesk train`,
//! `model/checkworthiness.bin`). Each flag's message says which scored it
//! and names the sentence's strongest cues in plain words. Config:
//! `model=PATH|off` and `head=PATH|off` replace either.

use claimdesk_linear::{Head, Model};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

const SCORE: Rule = Rule {
    id: "checkworthiness.score",
    kind: Kind::Checkworthy,
    severity: Severity::Info,
    description: "How check-worthy the sentence is (word model): a score for ranking, reported for every sentence.",
};
/// The same score from the fine-tuned encoder's head; the host uses it as
/// it is (`claimdesk_core::stack::ENCODER_RULE`).
const ENCODER: Rule = Rule {
    id: "checkworthiness.encoder",
    kind: Kind::Checkworthy,
    severity: Severity::Info,
    description: "How check-worthy the sentence is (fine-tuned sentence encoder): a score for ranking, reported for every sentence.",
};

/// Trained by `claimdesk train --data checkthat2024_en_train.tsv` (docs/DETECTION.md).
static EMBEDDED: &[u8] = include_bytes!("../model/checkworthiness.bin");
/// Trained by `claimdesk train --task desk` (docs/DETECTION.md).
static EMBEDDED_HEAD: &str = include_str!("../model/head.txt");

/// Cues named in a flag's message, at most.
const CUES: usize = 3;

#[derive(Debug)]
pub struct Checkworthiness {
    model: Model,
    head: Option<Head>,
}

/// The message of a score: which model gave it and the cues behind it.
fn message(by_encoder: bool, cues: &[&str]) -> std::borrow::Cow<'static, str> {
    let by = if by_encoder { "sentence encoder" } else { "word model" };
    match (cues.is_empty(), by_encoder) {
        (true, true) => "Check-worthiness (sentence encoder).".into(),
        (true, false) => "Check-worthiness (word model).".into(),
        (false, _) => format!("Check-worthiness ({by}); cues: {}.", cues.join(", ")).into(),
    }
}

impl Checker for Checkworthiness {
    const NAME: &'static str = "checkworthiness";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Scores each sentence's check-worthiness (trained linear model).";
    const RULES: &'static [Rule] = &[SCORE, ENCODER];

    fn new(config: &str) -> Result<Self, String> {
        let model = claimdesk_linear::model_from_config(config, EMBEDDED)?
            .ok_or_else(|| "model=off: the check-worthiness plugin is nothing without its model".to_owned())?;
        Ok(Checkworthiness { model, head: claimdesk_linear::head_from_config(config, EMBEDDED_HEAD)? })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let mut scratch = Vec::new();
        for sentence in doc.sentences() {
            let by_head = self.head.as_ref().zip(doc.embedding(sentence.index)).filter(|(h, (v, model))| h.applies_to(model, v.len()));
            let score = match by_head {
                Some((head, (vector, _))) => head.score_with_words(vector, || self.model.score(sentence.text, &mut scratch)),
                None => self.model.score(sentence.text, &mut scratch),
            };
            // Cues explain why a sentence scored high; a low score needs none.
            // (The word model's features are in `scratch` already when it scored.)
            let cues = if score >= 0.5 { self.model.explain(sentence.text, CUES, &mut scratch, by_head.is_some()) } else { Vec::new() };
            let message = message(by_head.is_some(), &cues);
            let rule = if by_head.is_some() { &ENCODER } else { &SCORE };
            out.raise(rule, sentence.start, sentence.end, score, &message, "Is this a factual claim worth checking?");
        }
    }
}

export_plugin!(Checkworthiness);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::DocBuffers;
    use claimdesk_plugin_api::testing::{run, run_on};

    use super::*;

    #[test]
    fn scores_every_sentence_and_ranks_claims_first() {
        let checker = Checkworthiness::new("").unwrap();
        let text = "Thank you all for coming. Unemployment fell from 9 percent to 4 percent in four years.";
        let raised = run(&checker, text).unwrap();
        assert_eq!(raised.len(), 2);
        assert!(raised[1].score > 0.5 && raised[0].score < 0.5, "{raised:?}");
    }

    #[test]
    fn the_message_names_the_scorer_and_the_cues() {
        let checker = Checkworthiness::new("").unwrap();
        let text = "Unemployment fell from 9 percent to 4 percent in four years. Thank you.";
        let raised = run(&checker, text).unwrap();
        assert_eq!(raised[1].message, "Check-worthiness (word model).", "a low score is not explained");
        let message = &raised[0].message;
        assert!(message.starts_with("Check-worthiness (word model); cues: "), "{message}");
        assert!(message.contains("a figure") || message.contains("a percentage"), "{message}");
    }

    #[test]
    fn sentence_vectors_are_scored_by_the_head_only_when_they_are_its_model() {
        let mut checker = Checkworthiness::new("").unwrap();
        let head = Head { model: "m1".into(), weights: vec![4.0, 0.0], bias: 0.0, threshold: 0.5, words: None };
        checker.head = Some(head);
        let text = "Thank you all for coming. We will win.";
        let score = |model: &str, vectors: Vec<f32>| {
            let mut buffers = DocBuffers::new(&claimdesk_core::analyze(text));
            assert!(buffers.set_embeddings(model, 2, vectors));
            let raised = run_on(&checker, &buffers, text).unwrap();
            raised.iter().map(|f| (f.score, f.message.starts_with("Check-worthiness (sentence encoder)"))).collect::<Vec<_>>()
        };
        assert_eq!(ENCODER.id, claimdesk_core::stack::ENCODER_RULE, "the host tells the scorers apart by this id");
        let by_head = score("m1", vec![1.0, 0.0, -1.0, 0.0]);
        assert!(by_head[0].0 > 0.95 && by_head[1].0 < 0.05 && by_head.iter().all(|f| f.1), "{by_head:?}");
        let other_model = score("m2", vec![1.0, 0.0, -1.0, 0.0]);
        assert!(other_model.iter().all(|f| !f.1), "vectors of another model fall back to the word model");
        // A head combined with the word model: with a vector the head calls
        // even, the word model's score decides.
        let mut combined = Checkworthiness::new("").unwrap();
        combined.head = Some(Head { model: "m1".into(), weights: vec![4.0, 0.0], bias: 0.0, threshold: 0.5, words: Some([0.0, 1.0, 1.0]) });
        let mut buffers = DocBuffers::new(&claimdesk_core::analyze(text));
        assert!(buffers.set_embeddings("m1", 2, vec![0.0; 4]));
        let raised = run_on(&combined, &buffers, text).unwrap();
        let mut scratch = Vec::new();
        for (flag, sentence) in raised.iter().zip(["Thank you all for coming.", "We will win."]) {
            let word = combined.model.score(sentence, &mut scratch);
            assert!(flag.message.starts_with("Check-worthiness (sentence encoder)"), "{}", flag.message);
            assert!((flag.score - word).abs() < 1e-4, "{} vs the word model's {word}", flag.score);
        }
    }

    #[test]
    fn missing_or_corrupt_model_files_are_clear_errors() {
        let err = Checkworthiness::new("model=/nonexistent/model.bin").unwrap_err();
        assert!(err.starts_with("cannot read model /nonexistent/model.bin"), "{err}");
        let path = std::env::temp_dir().join(format!("corrupt-model-{}.bin", std::process::id()));
        std::fs::write(&path, b"CDLM garbage").unwrap();
        let err = Checkworthiness::new(&format!("model={}", path.display())).unwrap_err();
        assert!(err.contains("model file is") || err.contains("version"), "{err}");
        assert!(Checkworthiness::new("size=big").is_err());
        let err = Checkworthiness::new("head=/nonexistent/head.txt").unwrap_err();
        assert!(err.starts_with("cannot read head /nonexistent/head.txt"), "{err}");
        assert!(Checkworthiness::new("head=off").unwrap().head.is_none());
    }
}
