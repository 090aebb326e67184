//! `attribution`: anonymous sources ("according to officials", "sources
//! familiar with the talks", "it is believed") and figures given without
//! any source in their sentence. Reads the attributions the core found.

use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const ANONYMOUS: Rule = Rule {
    id: "attribution.anonymous",
    kind: Kind::AnonymousSource,
    severity: Severity::Warning,
    description: "A claim credited to unnamed sources.",
};
pub const UNSOURCED: Rule = Rule {
    id: "attribution.unsourced_figure",
    kind: Kind::Unattributed,
    severity: Severity::Info,
    description: "A sentence with a figure and no source.",
};

#[derive(Debug)]
pub struct Attribution;

/// Whether the sentence states a figure: digits, or a percentage word.
fn has_figure(sentence: &str) -> bool {
    sentence.bytes().any(|b| b.is_ascii_digit()) || sentence.contains("percent") || sentence.contains("per cent")
}

impl Checker for Attribution {
    const NAME: &'static str = "attribution";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Anonymous sources and figures without a source.";
    const RULES: &'static [Rule] = &[ANONYMOUS, UNSOURCED];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Attribution)
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        for a in doc.attributions().filter(|a| a.anonymous) {
            // The span covers the cue and the words naming nobody in particular.
            let (mut start, mut end) = (a.cue.start, a.cue.end);
            if let Some(speaker) = a.speaker {
                start = start.min(speaker.start);
                end = end.max(speaker.end);
            }
            out.raise(
                &ANONYMOUS,
                start,
                end,
                0.8,
                "The source is not named.",
                "Who exactly are the sources, and can they be named or corroborated?",
            );
        }
        for sentence in doc.sentences() {
            let attributed = doc.attributions_of(sentence.index).next().is_some();
            // A quotation's words belong to its speaker: a source of sorts.
            let quoted = doc.quotes_within(sentence.start, sentence.end).any(|q| q.speaker.is_some());
            if !attributed && !quoted && has_figure(sentence.text) {
                out.raise(
                    &UNSOURCED,
                    sentence.start,
                    sentence.end,
                    0.5,
                    "A figure is given without a source.",
                    "Where does this figure come from, and can the original be found?",
                );
            }
        }
    }
}

export_plugin!(Attribution);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    #[test]
    fn anonymous_sources_and_unsourced_figures() {
        let text = "According to officials, the deal is close. Prices rose 12% last year. Exports fell 3%, the ministry said.";
        let got = pairs(&Attribution, text);
        assert_eq!(
            got,
            [
                ("attribution.anonymous", "According to officials".to_owned()),
                ("attribution.unsourced_figure", "Prices rose 12% last year.".to_owned())
            ]
        );
    }

    #[test]
    fn a_figure_attributed_after_a_comma_is_sourced() {
        let text = "The food-waste trial was a huge success, city hall said on Friday, with 4,000 homes taking part.";
        assert!(pairs(&Attribution, text).is_empty(), "{:?}", pairs(&Attribution, text));
        let text = "According to a senior council official who asked not to be named, 40 staff will go.";
        assert_eq!(pairs(&Attribution, text), [("attribution.anonymous", "According to a senior council official".to_owned())]);
    }
}
