//! `quotes`: a direct quotation is a claim that someone said exactly those
//! words; scare quotes around a word or two (“understanding”) mark a term
//! as someone's, and often disputed. Reads the quotations and speakers the
//! core found.

use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const DIRECT: Rule = Rule {
    id: "quote.direct",
    kind: Kind::Quote,
    severity: Severity::Info,
    description: "A direct quotation: did the speaker say exactly this?",
};
pub const SCARE: Rule =
    Rule { id: "quote.scare", kind: Kind::Quote, severity: Severity::Info, description: "Scare quotes around a word or short phrase." };

/// Up to this many words, a quotation without terminal punctuation is a
/// scare quote rather than a statement.
const SCARE_WORDS: usize = 3;

#[derive(Debug)]
pub struct Quotes;

impl Checker for Quotes {
    const NAME: &'static str = "quotes";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Direct quotations to verify, and scare quotes.";
    const RULES: &'static [Rule] = &[DIRECT, SCARE];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Quotes)
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for quote in doc.quotes() {
            let inner = text.get(quote.inner.start..quote.inner.end).unwrap_or("");
            let words = inner.split_whitespace().count();
            if words == 0 {
                continue;
            }
            let speaker = doc.speaker_name(quote.speaker);
            let statement = words > SCARE_WORDS || inner.trim_end_matches(['”', '’', '"', '\'']).ends_with(['.', '!', '?', ',']);
            if statement {
                let (message, question) = match speaker {
                    Some(name) => (
                        format!("A direct quotation attributed to {name}."),
                        format!("Did {name} say exactly this, and where is the record: video, transcript, post?"),
                    ),
                    None => (
                        "A direct quotation with no identified speaker.".to_owned(),
                        "Who said this, and where is the record: video, transcript, post?".to_owned(),
                    ),
                };
                out.raise(&DIRECT, quote.span.start, quote.span.end, 0.5, &message, &question);
            } else {
                out.raise(
                    &SCARE,
                    quote.span.start,
                    quote.span.end,
                    0.55,
                    "Scare quotes: the term is someone's, and may be disputed.",
                    "Whose word is this, what did they mean by it, and is it fair?",
                );
            }
        }
    }
}

export_plugin!(Quotes);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::run;

    use super::*;

    #[test]
    fn direct_and_scare_quotes() {
        let text = "“We will not sign this year,” Lena Ortiz said. Critics called it an “understanding”. He wrote, “No.”";
        let raised = run(&Quotes, text).unwrap();
        let got: Vec<_> = raised.iter().map(|r| (r.rule, r.text.as_str())).collect();
        assert_eq!(got, [("quote.direct", "“We will not sign this year,”"), ("quote.scare", "“understanding”"), ("quote.direct", "“No.”")]);
        assert_eq!(raised[0].message, "A direct quotation attributed to Lena Ortiz.");
        assert!(raised[2].question.starts_with("Did"), "{:?}", raised[2]);
    }
}
