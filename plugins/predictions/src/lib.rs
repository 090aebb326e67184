//! `predictions`: forecasts and announced plans — "will", "is set to",
//! "expected to". A prediction cannot be checked today, but its basis can.

use claimdesk_plugin_api::words::{PhraseSet, next_word};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const FORECAST: Rule = Rule {
    id: "prediction.forecast",
    kind: Kind::Prediction,
    severity: Severity::Info,
    description: "A statement about the future: \"will\", \"is set to\", \"expected to\".",
};

const CUES: &[&str] = &[
    "will", "won't", "is set to", "are set to", "was set to", "is expected to", "are expected to", "is likely to", "are likely to",
    "is poised to", "are poised to", "is due to", "are due to", "is scheduled to", "are scheduled to", "is projected to",
    "are projected to", "is forecast to", "are forecast to", "is going to", "are going to", "is on track to", "are on track to",
];

/// Words that may sit between "will" and its verb.
const INSERTS: &[&str] =
    &["all", "both", "each", "also", "not", "still", "soon", "likely", "probably", "then", "now", "never", "only", "first"];

#[derive(Debug)]
pub struct Predictions {
    cues: PhraseSet<()>,
}

impl Checker for Predictions {
    const NAME: &'static str = "predictions";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Forecasts and announced plans.";
    const RULES: &'static [Rule] = &[FORECAST];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Predictions { cues: PhraseSet::from_lists(&[(CUES, ())])? })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for m in self.cues.find_iter(text) {
            let found = &text[m.start..m.end];
            // "Will" capitalised is usually a name; "will" as a noun ("the will of") is no forecast.
            if found.starts_with('W') || next_word(text, m.end).is_some_and(|(_, w)| w == "of") {
                continue;
            }
            // The forecast runs on to its verb: "will stand", "is set to
            // accompany", past an adverb or quantifier: "will all stand".
            let lower = |(_, w): &(usize, &str)| w.chars().all(char::is_lowercase);
            let mut end = next_word(text, m.end).filter(lower).map_or(m.end, |(end, _)| end);
            if let Some((_, word)) = next_word(text, m.end)
                && INSERTS.contains(&word)
            {
                end = next_word(text, end).filter(lower).map_or(end, |(verb_end, _)| verb_end);
            }
            out.raise(
                &FORECAST,
                m.start,
                end,
                0.45,
                "A forecast or an announced plan.",
                "Who says this will happen, on what basis, and when can it be checked?",
            );
        }
    }
}

export_plugin!(Predictions);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    #[test]
    fn forecasts_and_plans() {
        let got =
            pairs(&Predictions::new("").unwrap(), "Leaders are set to meet, and prices will fall. Will Smith spoke of the will of voters.");
        assert_eq!(got, [("prediction.forecast", "are set to meet".to_owned()), ("prediction.forecast", "will fall".to_owned())]);
        let got = pairs(&Predictions::new("").unwrap(), "The leaders will all stand beside him.");
        assert_eq!(got, [("prediction.forecast", "will all stand".to_owned())], "the verb, past the quantifier");
    }
}
