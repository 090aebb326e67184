//! `vague`: claims of progress, success, failure or agreement that say
//! nothing measurable — "big progress", "game-changing", an "understanding".

use claimdesk_plugin_api::words::{PhraseSet, char_after, char_before, next_word, prev_word};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const PROGRESS: Rule = Rule {
    id: "vague.progress",
    kind: Kind::Vague,
    severity: Severity::Warning,
    description: "Progress, success or failure asserted without saying what or how much.",
};
pub const PUFFERY: Rule = Rule {
    id: "vague.puffery",
    kind: Kind::Vague,
    severity: Severity::Warning,
    description: "Promotional or loaded wording that characterises instead of describing.",
};
pub const AGREEMENT: Rule = Rule {
    id: "vague.agreement",
    kind: Kind::Vague,
    severity: Severity::Warning,
    description: "An agreement, deal or understanding whose terms are not given.",
};

#[derive(Debug, Clone, Copy)]
enum Group {
    /// A noun of progress or outcome ("progress", "success"); scored higher
    /// when an intensifier precedes it.
    Outcome,
    Puffery,
    Loaded,
    Agreement,
}

const OUTCOMES: &[&str] = &[
    "progress", "headway", "strides", "breakthrough", "breakthroughs", "momentum", "success", "successes", "victory", "win", "triumph",
    "failure", "disaster", "setback", "fiasco", "catastrophe", "achievement", "achievements", "improvement", "improvements", "gains",
    "benefits", "benefit", "results",
];
/// Words that inflate an outcome noun without measuring it.
const INTENSIFIERS: &[&str] = &[
    "big", "huge", "great", "tremendous", "massive", "significant", "major", "real", "enormous", "incredible", "substantial", "initial",
    "some", "considerable", "remarkable", "historic", "good", "important", "meaningful", "dramatic", "total", "complete", "very", "much",
    "serious", "genuine", "notable", "early",
];
const PUFFERY_PHRASES: &[&str] = &[
    "game-changing", "game changing", "game-changer", "game changer", "groundbreaking", "ground-breaking", "revolutionary",
    "transformative", "landmark", "world-class", "world class", "very successful", "hugely successful", "momentous", "historic",
];
/// Loaded adjectives: worth a look, but often the reporter's own framing.
const LOADED_WORDS: &[&str] = &[
    "tremendous", "incredible", "amazing", "fantastic", "beautiful", "perfect", "crucial", "critical", "high-profile", "massive",
    "disastrous", "catastrophic", "devastating", "stunning", "shocking",
];
/// Outcome words that are often verbs or plain nouns ("to win", "jobless
/// benefits"): flagged only when an intensifier inflates them.
const ONLY_INTENSIFIED: &[&str] = &["win", "gains", "improvement", "benefits", "benefit", "results"];
const AGREEMENT_PHRASES: &[&str] = &[
    "understanding", "an understanding", "agreement in principle", "in principle", "framework", "broad agreement", "consensus",
    "what was agreed", "agreed upon",
];

#[derive(Debug)]
pub struct Vague {
    phrases: PhraseSet<Group>,
}

fn message(group: Group, intensified: bool) -> (&'static str, &'static str, f32) {
    match (group, intensified) {
        (Group::Outcome, true) => {
            ("An outcome is asserted and inflated, but not measured.", "Progress on what, measured how, and who says so?", 0.85)
        }
        (Group::Outcome, false) => {
            ("An outcome is asserted without saying what changed.", "What exactly changed, and what is the evidence for it?", 0.5)
        }
        (Group::Puffery, _) => {
            ("Characterisation rather than description.", "What concrete change justifies this word, and according to whom?", 0.7)
        }
        (Group::Loaded, _) => (
            "Loaded wording that characterises instead of describing.",
            "Is this word the reporter's or a source's, and what supports it?",
            0.45,
        ),
        (Group::Agreement, _) => (
            "An agreement or understanding is mentioned without its terms.",
            "What exactly was agreed, by whom, and is it written down?",
            0.7,
        ),
    }
}

impl Vague {
    fn intensified(text: &str, start: usize) -> bool {
        prev_word(text, start).is_some_and(|(_, w)| INTENSIFIERS.iter().any(|i| i.eq_ignore_ascii_case(w)))
    }

    /// "work in progress", "understanding" as a verb: not claims.
    fn skip(text: &str, start: usize, end: usize, group: Group) -> bool {
        let word = &text[start..end];
        let prev = prev_word(text, start).map(|(_, w)| w.to_ascii_lowercase());
        match group {
            Group::Outcome => {
                let work_in_progress = prev.as_deref() == Some("in") && word.eq_ignore_ascii_case("progress");
                let verb = ONLY_INTENSIFIED.iter().any(|v| v.eq_ignore_ascii_case(word)) && !Self::intensified(text, start);
                work_in_progress || verb
            }
            // "understanding" counts only as a noun of agreement: after
            // an article, in scare quotes, or after "reached".
            Group::Agreement if word.eq_ignore_ascii_case("understanding") => {
                let quoted = matches!(char_before(text, start), Some('“' | '‘' | '"' | '\''))
                    && matches!(char_after(text, end), Some('”' | '’' | '"' | '\''));
                let after_noun_marker =
                    prev.as_deref().is_some_and(|p| matches!(p, "an" | "a" | "the" | "reached" | "no" | "this" | "that"));
                !(quoted || after_noun_marker)
            }
            // "massive win", "historic breakthrough": the outcome flag covers
            // the adjective too, so one flag, not two.
            Group::Puffery | Group::Loaded => {
                INTENSIFIERS.iter().any(|i| i.eq_ignore_ascii_case(word))
                    && next_word(text, end).is_some_and(|(_, w)| OUTCOMES.iter().any(|o| o.eq_ignore_ascii_case(w)))
            }
            _ => false,
        }
    }
}

impl Checker for Vague {
    const NAME: &'static str = "vague";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Unquantified or unsupported claims of progress, success, failure or agreement.";
    // Unnamed disagreement ("some big areas of disagreement") is a plain
    // list: it lives in the rules plugin's built-in pack.
    const RULES: &'static [Rule] = &[PROGRESS, PUFFERY, AGREEMENT];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Vague {
            phrases: PhraseSet::from_lists(&[
                (OUTCOMES, Group::Outcome),
                (PUFFERY_PHRASES, Group::Puffery),
                (LOADED_WORDS, Group::Loaded),
                (AGREEMENT_PHRASES, Group::Agreement),
            ])?,
        })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for m in self.phrases.find_iter(text) {
            let group = *m.payload;
            if Self::skip(text, m.start, m.end, group) {
                continue;
            }
            let intensified = matches!(group, Group::Outcome) && Self::intensified(text, m.start);
            let start = if intensified { prev_word(text, m.start).map_or(m.start, |(s, _)| s) } else { m.start };
            let rule = match group {
                Group::Outcome => &PROGRESS,
                Group::Puffery | Group::Loaded => &PUFFERY,
                Group::Agreement => &AGREEMENT,
            };
            let (message, question, score) = message(group, intensified);
            out.raise(rule, start, m.end, score, message, question);
        }
    }
}

export_plugin!(Vague);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    fn flags(text: &str) -> Vec<(&'static str, String)> {
        pairs(&Vague::new("").unwrap(), text)
    }

    #[test]
    fn inflated_outcomes_and_puffery() {
        let got = flags("The mayor claimed HUGE PROGRESS and a game-changing deal, after some progress in May.");
        assert_eq!(
            got,
            [
                ("vague.progress", "HUGE PROGRESS".to_owned()),
                ("vague.puffery", "game-changing".to_owned()),
                ("vague.progress", "some progress".to_owned())
            ]
        );
    }

    #[test]
    fn understanding_only_as_a_noun_of_agreement() {
        assert_eq!(flags("They reached an understanding on grain."), [("vague.agreement", "an understanding".to_owned())]);
        assert_eq!(flags("It called the pact an “understanding”."), [("vague.agreement", "understanding".to_owned())]);
        assert!(flags("Understanding the budget takes time.").is_empty());
    }

    #[test]
    fn work_in_progress_and_plain_verbs_are_not_flagged() {
        assert!(flags("The audit is in progress. We hope to win the seat.").is_empty());
        assert_eq!(flags("It was a massive win."), [("vague.progress", "massive win".to_owned())]);
    }
}
