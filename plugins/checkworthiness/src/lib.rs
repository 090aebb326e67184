//! `checkworthiness`: scores every sentence in [0, 1] — how much it reads
//! like a factual claim worth checking. The model (logistic regression over
//! hashed word, bigram and claim-structure features; see `claimdesk-linear`)
//! is trained with `claimdesk train` and embedded in the plugin; config
//! `model=PATH` loads another one instead.

use claimdesk_linear::Model;
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

const SCORE: Rule = Rule {
    id: "checkworthiness.score",
    kind: Kind::Checkworthy,
    severity: Severity::Info,
    description: "How check-worthy the sentence is: a score for ranking, reported for every sentence.",
};

/// Trained by `claimdesk train --data checkthat2024_en_train.tsv` (docs/DETECTION.md).
static EMBEDDED: &[u8] = include_bytes!("../model/checkworthiness.bin");

#[derive(Debug)]
pub struct Checkworthiness {
    model: Model,
}

impl Checker for Checkworthiness {
    const NAME: &'static str = "checkworthiness";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Scores each sentence's check-worthiness (trained linear model).";
    const RULES: &'static [Rule] = &[SCORE];

    fn new(config: &str) -> Result<Self, String> {
        let model = claimdesk_linear::model_from_config(config, EMBEDDED)?
            .ok_or_else(|| "model=off: the check-worthiness plugin is nothing without its model".to_owned())?;
        Ok(Checkworthiness { model })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let mut scratch = Vec::new();
        for sentence in doc.sentences() {
            let score = self.model.score(sentence.text, &mut scratch);
            out.raise(
                &SCORE,
                sentence.start,
                sentence.end,
                score,
                "Check-worthiness of this sentence.",
                "Is this a factual claim worth checking?",
            );
        }
    }
}

export_plugin!(Checkworthiness);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::run;

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
    fn missing_or_corrupt_model_files_are_clear_errors() {
        let err = Checkworthiness::new("model=/nonexistent/model.bin").unwrap_err();
        assert!(err.starts_with("cannot read model /nonexistent/model.bin"), "{err}");
        let path = std::env::temp_dir().join(format!("corrupt-model-{}.bin", std::process::id()));
        std::fs::write(&path, b"CDLM garbage").unwrap();
        let err = Checkworthiness::new(&format!("model={}", path.display())).unwrap_err();
        assert!(err.contains("model file is") || err.contains("version"), "{err}");
        assert!(Checkworthiness::new("size=big").is_err());
    }
}
