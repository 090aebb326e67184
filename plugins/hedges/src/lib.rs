//! `hedges`: hedges and weasel words — "akin to", "Article 5-like",
//! "agreed to consider", "reportedly", "it is believed", "could".
//!
//! Two parts. Word lists show *where* a claim is softened. A trained
//! sentence model (logistic regression, `claimdesk train --task hedges`,
//! embedded) decides *whether* a sentence reads as uncertain: the lists'
//! unambiguous entries (likenesses, soft commitments, attributions to
//! nobody) are always flagged, while the ambiguous ones — modals ("could",
//! "may"), generic plans ("considering", "aims to") and Wikipedia-style
//! weasel words ("many", "widely", "critics") — are flagged only in
//! sentences the model calls uncertain; an uncertain sentence without any
//! listed cue gets one sentence-wide flag. Config: `model=PATH` loads
//! another model, `model=off` keeps the word lists alone (unambiguous
//! entries only).

use claimdesk_linear::Model;
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
pub const UNCERTAIN: Rule = Rule {
    id: "hedge.uncertain",
    kind: Kind::Hedge,
    severity: Severity::Info,
    description: "A sentence that reads as uncertain or weasel-worded as a whole (trained model), with no listed cue.",
};

/// How sure the model must be to flag a sentence with no listed cue. Higher
/// than the model's own threshold, which only unlocks ambiguous cues: a
/// sentence-wide flag points at nothing in particular, so it must be right
/// more often to be worth a checker's time (cross-validated on the CoNLL
/// weasel data, docs/DETECTION.md: F1 0.626 → 0.630, precision 0.547 → 0.572).
const UNCUED_THRESHOLD: f32 = 0.6;

/// Trained by `claimdesk train --task hedges` (docs/DETECTION.md).
static EMBEDDED: &[u8] = include_bytes!("../model/hedges.bin");

#[derive(Debug, Clone, Copy, PartialEq)]
enum Group {
    Comparison,
    Commitment,
    /// Plans and openness that are often plain news: flagged only when the
    /// sentence reads as uncertain.
    SoftCommitment,
    Weasel,
    /// Weasel words that are often innocent: flagged only when the sentence
    /// reads as uncertain.
    WeaselWord,
    Modal,
}

impl Group {
    /// Whether a cue of this group is flagged only in uncertain sentences.
    fn needs_model(self) -> bool {
        matches!(self, Group::SoftCommitment | Group::WeaselWord | Group::Modal)
    }
}

const COMPARISONS: &[&str] = &[
    "akin to", "-like", "similar to", "comparable to", "along the lines of", "in the spirit of", "modelled on", "modeled on",
    "a version of", "a form of", "sort of", "kind of", "resembling", "reminiscent of", "in line with", "equivalent to",
];
const COMMITMENTS: &[&str] = &[
    "agreed to consider", "agreed to discuss", "agreed to explore", "agreed to look at", "agreed in principle", "open to",
    "willing to consider", "prepared to consider", "signalled willingness", "signaled willingness", "signalled openness",
    "signaled openness", "could offer", "may offer", "might offer",
];
const SOFT_COMMITMENTS: &[&str] = &[
    "exploring", "considering", "in talks", "discussing", "hopes to", "aims to", "intends to", "plans to", "promised to", "pledged to",
    "vowed to",
];
const WEASELS: &[&str] = &[
    "reportedly", "allegedly", "supposedly", "purportedly", "apparently", "it is believed", "it is said", "it is understood",
    "it is thought", "it is claimed", "it is reported", "it was reported", "some say", "many say", "many believe", "some believe",
    "critics say", "critics argue", "experts say", "sources say", "is said to", "are said to", "widely believed", "widely seen",
    "rumoured", "rumored", "it has been suggested", "some have suggested", "according to some", "is believed to", "are believed to",
    "people are saying", "many people",
];
/// Words that make a claim vague about who or how many — the weasel words
/// Wikipedia editors tag — but are often innocent: flagged only in
/// sentences the model calls uncertain.
const WEASEL_WORDS: &[&str] = &[
    "some", "many", "most", "several", "various", "numerous", "countless", "widely", "often", "generally", "commonly", "usually",
    "typically", "considered", "regarded", "believed", "thought to", "claimed", "said to", "known as", "best known", "well known",
    "well-known", "notable", "notably", "famous", "famously", "renowned", "important", "significant", "major", "leading", "prominent",
    "critics", "experts", "observers", "scholars", "historians", "analysts", "supporters", "opponents", "others", "arguably",
    "controversial", "popular", "successful", "acclaimed", "influential", "respected", "one of the",
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
        Group::Commitment | Group::SoftCommitment => (
            &COMMITMENT,
            "A tentative step is reported; nothing may have been decided.",
            "Has anything actually been decided or signed, and by whom?",
            0.7,
        ),
        Group::Weasel | Group::WeaselWord => {
            (&WEASEL, "The claim is attributed to nobody in particular.", "Who exactly says or believes this, and how do they know?", 0.8)
        }
        Group::Modal => (&MODAL, "A possibility, not a fact.", "What would make this happen, and who says it is likely?", 0.35),
    }
}

#[derive(Debug)]
pub struct Hedges {
    phrases: PhraseSet<Group>,
    /// `None` with `model=off`.
    model: Option<Model>,
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
    const RULES: &'static [Rule] = &[COMPARISON, COMMITMENT, WEASEL, MODAL, UNCERTAIN];

    fn new(config: &str) -> Result<Self, String> {
        Ok(Hedges {
            phrases: PhraseSet::from_lists(&[
                (COMPARISONS, Group::Comparison),
                (COMMITMENTS, Group::Commitment),
                (SOFT_COMMITMENTS, Group::SoftCommitment),
                (WEASELS, Group::Weasel),
                (WEASEL_WORDS, Group::WeaselWord),
                (MODALS, Group::Modal),
            ])?,
            model: claimdesk_linear::model_from_config(config, EMBEDDED)?,
        })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        // Each sentence's span and the model's verdict on it.
        let mut scratch = Vec::new();
        let sentences: Vec<(usize, usize, bool, f32)> = match &self.model {
            Some(model) => doc
                .sentences()
                .map(|s| {
                    let (uncertain, score) = model.decide(s.text, &mut scratch);
                    (s.start, s.end, uncertain, score)
                })
                .collect(),
            None => Vec::new(),
        };
        // The index of the sentence holding `offset`, with the model's verdict.
        let verdict_at = |offset: usize| {
            let i = sentences.partition_point(|s| s.1 <= offset);
            sentences.get(i).filter(|s| s.0 <= offset).map(|s| (i, s.2, s.3))
        };
        let mut cued = vec![false; sentences.len()];
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
            let verdict = verdict_at(m.start);
            let uncertain = verdict.is_some_and(|(_, uncertain, _)| uncertain);
            if group.needs_model() && !uncertain {
                continue;
            }
            let (rule, message, question, mut score) = wording(group);
            if let Some((i, true, p)) = verdict {
                score = score.max(p);
                cued[i] = true;
            }
            out.raise(rule, start, m.end, score, message, question);
        }
        for (&(start, end, _, score), cued) in sentences.iter().zip(cued) {
            if score >= UNCUED_THRESHOLD && !cued {
                out.raise(
                    &UNCERTAIN,
                    start,
                    end,
                    score,
                    "The sentence reads as uncertain or weasel-worded.",
                    "What exactly is known here, and who says so?",
                );
            }
        }
    }
}

export_plugin!(Hedges);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    /// The word lists alone (`model=off`), so the tests pin the lists.
    fn flags(text: &str) -> Vec<(&'static str, String)> {
        pairs(&Hedges::new("model=off").unwrap(), text)
    }

    fn with_model(text: &str) -> Vec<(&'static str, String)> {
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
    fn weasels_and_commitments_without_the_model() {
        let got = flags("It is believed the firm agreed to consider a deal that could close by May 5.");
        assert_eq!(got, [("hedge.weasel", "It is believed".to_owned()), ("hedge.commitment", "agreed to consider".to_owned())]);
        assert!(flags("The council is considering a plan that could cut fees.").is_empty(), "ambiguous cues need the model");
    }

    #[test]
    fn the_model_adds_modals_and_uncertain_sentences() {
        let got = with_model("Some critics say the bridge could reportedly be one of the most dangerous in the region.");
        assert!(got.contains(&("hedge.modal", "could".to_owned())), "{got:?}");
        assert!(got.contains(&("hedge.weasel", "reportedly".to_owned())), "{got:?}");
        let plain = with_model("The bridge opened in 1932 and carries 40,000 vehicles a day.");
        assert!(plain.is_empty(), "a plain factual sentence: {plain:?}");
        assert!(with_model("May brought rain.").iter().all(|(rule, _)| *rule != "hedge.modal"), "a month is not a modal");
        let vague = with_model("Many scholars have long regarded him as one of the most important figures of the period.");
        assert!(!vague.is_empty(), "a weasel sentence without listed cues is still flagged");
    }

    /// A model that gives every sentence the same score: the logistic of
    /// its bias weight.
    fn constant_model(name: &str, logit: f32) -> Hedges {
        let mut indices = Vec::new();
        claimdesk_linear::features_of(claimdesk_linear::FeatureSet::Vectors, "", 8, &mut indices);
        let mut weights = vec![0.0; 256];
        weights[indices[0] as usize] = logit;
        let vectors = claimdesk_linear::WordVectors::read_text("x 1".as_bytes(), 1).unwrap();
        let model = Model::new(8, claimdesk_linear::FeatureSet::Vectors, 0.4, weights, vec![0.0], Some(std::sync::Arc::new(vectors)));
        let path = std::env::temp_dir().join(format!("hedges-{name}-{}.bin", std::process::id()));
        std::fs::write(&path, model.to_bytes()).unwrap();
        Hedges::new(&format!("model={}", path.display())).unwrap()
    }

    #[test]
    fn a_cue_less_sentence_needs_a_surer_verdict_than_an_ambiguous_cue() {
        let text = "Many residents left the valley. The road was closed.";
        // Score 0.5: uncertain enough to unlock "Many", not to flag a
        // sentence with no cue.
        let unsure = pairs(&constant_model("unsure", 0.0), text);
        assert_eq!(unsure, [("hedge.weasel", "Many".to_owned())]);
        // Score 0.73: the cue-less sentence is flagged too.
        let sure = pairs(&constant_model("sure", 1.0), text);
        assert_eq!(sure, [("hedge.weasel", "Many".to_owned()), ("hedge.uncertain", "The road was closed.".to_owned())]);
    }

    #[test]
    fn a_broken_model_config_is_a_clear_error() {
        let error = Hedges::new("model=/nonexistent/hedges.bin").unwrap_err();
        assert!(error.contains("cannot read model /nonexistent/hedges.bin"), "{error}");
        assert!(Hedges::new("threshold=2").unwrap_err().contains("unknown config"));
    }
}
