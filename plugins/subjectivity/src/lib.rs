//! `subjectivity`: flags sentences that read as opinion or loaded wording
//! presented as report — the outlet's judgement rather than a checkable
//! statement.
//!
//! With the host's sentence vectors (the desk profile, ABI v1.2) the
//! decision is the head trained with the fine-tuned encoder (`claimdesk
//! train --task desk`, `model/head.txt`). Without them, a logistic
//! regression over the sentence's average GloVe word vector (see
//! `claimdesk-linear`; the vectors live in the model file,
//! `model/NOTICE.md`), trained with `claimdesk train --task subjectivity`
//! on CheckThat! 2025 subjectivity data. The vague, hedge and superlative
//! lists of the other plugins show *which* words. Config `model=PATH|off`
//! and `head=PATH|off` replace either (`model=off` switches the fast path
//! off, used by `claimdesk eval --folds`).

use claimdesk_linear::{Head, Model};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const SUBJECTIVE: Rule = Rule {
    id: "subjectivity.sentence",
    kind: Kind::Subjective,
    severity: Severity::Info,
    description: "A sentence that reads as opinion or loaded wording rather than neutral report (trained model).",
};

/// Trained by `claimdesk train --task subjectivity` (docs/DETECTION.md).
static EMBEDDED: &[u8] = include_bytes!("../model/subjectivity.bin");
/// Trained by `claimdesk train --task desk` (docs/DETECTION.md).
static EMBEDDED_HEAD: &str = include_str!("../model/head.txt");

#[derive(Debug)]
pub struct Subjectivity {
    model: Option<Model>,
    head: Option<Head>,
}

impl Checker for Subjectivity {
    const NAME: &'static str = "subjectivity";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Sentences that read as opinion or loaded wording (trained linear model).";
    const RULES: &'static [Rule] = &[SUBJECTIVE];

    fn new(config: &str) -> Result<Self, String> {
        Ok(Subjectivity {
            model: claimdesk_linear::model_from_config(config, EMBEDDED)?,
            head: claimdesk_linear::head_from_config(config, EMBEDDED_HEAD)?,
        })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let mut scratch = Vec::new();
        for sentence in doc.sentences() {
            let by_head = self.head.as_ref().zip(doc.embedding(sentence.index)).filter(|(h, (v, model))| h.applies_to(model, v.len()));
            let (subjective, score) = match (by_head, &self.model) {
                (Some((head, (vector, _))), model) => {
                    // The head's combination with the word model, where it has one.
                    let score = match model {
                        Some(model) => head.score_with_words(vector, || model.score(sentence.text, &mut scratch)),
                        None => head.score(vector),
                    };
                    (score >= 0.5, score)
                }
                (None, Some(model)) => model.decide(sentence.text, &mut scratch),
                (None, None) => continue,
            };
            if subjective {
                out.raise(
                    &SUBJECTIVE,
                    sentence.start,
                    sentence.end,
                    score,
                    "The sentence reads as opinion or loaded wording, not neutral report.",
                    "Whose judgement is this, and is it presented as fact? Which words carry it?",
                );
            }
        }
    }
}

export_plugin!(Subjectivity);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::DocBuffers;
    use claimdesk_plugin_api::testing::{pairs, run_on};

    use super::*;

    #[test]
    fn opinion_is_flagged_and_plain_report_is_not() {
        let plugin = Subjectivity::new("").unwrap();
        let opinion = "It is outrageous that the government keeps lying to us while our towns fall apart.";
        assert_eq!(pairs(&plugin, opinion).len(), 1, "loaded wording");
        let report = "The council approved the budget on Tuesday by seven votes to two.";
        assert!(pairs(&plugin, report).is_empty(), "a plain report");
        assert!(pairs(&Subjectivity::new("model=off").unwrap(), opinion).is_empty());
        // With vectors of the head's model, the head decides.
        let mut plugin = Subjectivity::new("").unwrap();
        plugin.head = Some(Head { model: "m1".into(), weights: vec![-4.0, 0.0], bias: 0.0, threshold: 0.5, words: None });
        let mut buffers = DocBuffers::new(&claimdesk_core::analyze(opinion));
        assert!(buffers.set_embeddings("m1", 2, vec![1.0, 0.0]));
        assert!(run_on(&plugin, &buffers, opinion).unwrap().is_empty(), "the head says objective");
    }

    #[test]
    fn a_broken_model_is_a_clear_error() {
        let dir = std::env::temp_dir().join(format!("subjectivity-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("corrupt.bin");
        std::fs::write(&path, b"CDLM garbage").unwrap();
        let error = Subjectivity::new(&format!("model={}", path.display())).unwrap_err();
        assert!(error.contains("corrupt.bin"), "{error}");
        assert!(Subjectivity::new("model=/nonexistent/x.bin").unwrap_err().contains("cannot read model"));
    }
}
