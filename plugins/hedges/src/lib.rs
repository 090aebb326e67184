//! `hedges`: hedges and weasel words — "akin to", "Article 5-like",
//! "agreed to consider", "reportedly", "it is believed", "could".

use claimdesk_plugin_api::words::{PhraseSet, char_before, prev_word};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const COMPARISON: Rule = Rule {
    id: "hedge.comparison",
    kind: Kind::Hedge,
    severity: Severity::Warning,
    description: "Likeness instead of identity: \"akin to\", \"-like\", \"similar to\".",
};
pub const COMMITMENT: Rule = Rule {
    id: "hedge.commitment",
    kind: Kind::Hedge,
    severity: Severity::Warning,
    description: "A soft commitment presented as news: \"agreed to consider\", \"open to\".",
};
pub const WEASEL: Rule = Rule {
    id: "hedge.weasel",
    kind: Kind::Hedge,
    severity: Severity::Warning,
    description: "A claim attributed to nobody in particular: \"reportedly\", \"it is believed\".",
};
pub const MODAL: Rule = Rule {
    id: "hedge.modal",
    kind: Kind::Hedge,
    severity: Severity::Info,
    description: "A possibility presented alongside facts: \"could\", \"may\", \"might\".",
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Group {
    Comparison,
    Commitment,
    Weasel,
    Modal,
}

const COMPARISONS: &[&str] = &[
    "akin to", "-like", "similar to", "comparable to", "along the lines of", "in the spirit of", "modelled on", "modeled on",
    "a version of", "a form of", "sort of", "kind of", "resembling", "reminiscent of", "in line with", "equivalent to",
];
const COMMITMENTS: &[&str] = &[
    "agreed to consider", "agreed to discuss", "agreed to explore", "agreed to look at", "agreed in principle", "open to",
    "willing to consider", "prepared to consider", "signalled willingness", "signaled willingness", "signalled openness",
    "signaled openness", "could offer", "may offer", "might offer", "exploring", "considering", "in talks", "discussing", "hopes to",
    "aims to", "intends to", "plans to", "promised to", "pledged to", "vowed to",
];
const WEASELS: &[&str] = &[
    "reportedly", "allegedly", "supposedly", "purportedly", "apparently", "it is believed", "it is said", "it is understood",
    "it is thought", "it is claimed", "it is reported", "it was reported", "some say", "many say", "many believe", "some believe",
    "critics say", "critics argue", "experts say", "sources say", "is said to", "are said to", "widely believed", "widely seen",
    "rumoured", "rumored", "it has been suggested", "some have suggested", "according to some", "is believed to", "are believed to",
    "people are saying", "many people",
];
/// Case matters for these: "May" is a month, "Might" rarely starts a claim.
const MODALS: &[&str] = &[
    "could", "might", "may", "possibly", "perhaps", "likely", "unlikely", "potentially", "appears to", "appear to", "seems to", "seem to",
    "suggests", "probably", "presumably", "arguably",
];

fn wording(group: Group) -> (&'static Rule, &'static str, &'static str, f32) {
    match group {
        Group::Comparison => (
            &COMPARISON,
            "A likeness is offered in place of specifics.",
            "How close is the comparison: which terms are the same, and which differ?",
            0.75,
        ),
        Group::Commitment => (
            &COMMITMENT,
            "A tentative step is reported; nothing may have been decided.",
            "Has anything actually been decided or signed, and by whom?",
            0.7,
        ),
        Group::Weasel => {
            (&WEASEL, "The claim is attributed to nobody in particular.", "Who exactly says or believes this, and how do they know?", 0.8)
        }
        Group::Modal => (&MODAL, "A possibility, not a fact.", "What would make this happen, and who says it is likely?", 0.35),
    }
}

#[derive(Debug)]
pub struct Hedges {
    phrases: PhraseSet<Group>,
}

impl Hedges {
    /// A "-like" suffix flags the whole hyphenated word, and the word before
    /// it when that is a bare number: "Article 5-like".
    fn suffix_start(text: &str, hyphen: usize) -> usize {
        let Some((start, word)) = prev_word(text, hyphen + 1) else { return hyphen };
        let word_start = start.min(hyphen);
        if word.trim_end_matches("-").chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
            return prev_word(text, word_start).map_or(word_start, |(s, _)| s);
        }
        word_start
    }
}

impl Checker for Hedges {
    const NAME: &'static str = "hedges";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Hedges and weasel words that soften a claim or hide its source.";
    const RULES: &'static [Rule] = &[COMPARISON, COMMITMENT, WEASEL, MODAL];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Hedges {
            phrases: PhraseSet::from_lists(&[
                (COMPARISONS, Group::Comparison),
                (COMMITMENTS, Group::Commitment),
                (WEASELS, Group::Weasel),
                (MODALS, Group::Modal),
            ])?,
        })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for m in self.phrases.find_iter(text) {
            let group = *m.payload;
            let found = &text[m.start..m.end];
            // Modals are matched in lower case only, so "May 5" and names pass.
            if group == Group::Modal && found.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            let start = if found.starts_with('-') {
                // "-like" needs a word in front of it: "unlike" has no hyphen, "- like" is a dash.
                if !char_before(text, m.start).is_some_and(char::is_alphanumeric) {
                    continue;
                }
                Self::suffix_start(text, m.start)
            } else {
                m.start
            };
            let (rule, message, question, score) = wording(group);
            out.raise(rule, start, m.end, score, message, question);
        }
    }
}

export_plugin!(Hedges);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    fn flags(text: &str) -> Vec<(&'static str, String)> {
        pairs(&Hedges::new("").unwrap(), text)
    }

    #[test]
    fn comparisons_and_like_suffixes() {
        let got = flags("Guarantees akin to Article 5, or Article 5-like terms, or a Marshall-like plan.");
        assert_eq!(
            got,
            [
                ("hedge.comparison", "akin to".to_owned()),
                ("hedge.comparison", "Article 5-like".to_owned()),
                ("hedge.comparison", "Marshall-like".to_owned())
            ]
        );
        assert!(flags("Unlike last year, it was calm - like a lake.").is_empty());
    }

    #[test]
    fn weasels_commitments_and_modals() {
        let got = flags("It is believed the firm agreed to consider a deal that could close by May 5.");
        assert_eq!(
            got,
            [
                ("hedge.weasel", "It is believed".to_owned()),
                ("hedge.commitment", "agreed to consider".to_owned()),
                ("hedge.modal", "could".to_owned())
            ]
        );
        assert!(flags("May brought rain.").is_empty(), "a month is not a modal");
    }
}
