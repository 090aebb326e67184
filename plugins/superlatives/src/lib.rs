//! `superlatives`: firsts, records and absolutes — "first trip in over ten
//! years", "the largest", "record", "never", "unprecedented".

use claimdesk_plugin_api::words::{PhraseSet, next_word, prev_word};
use claimdesk_plugin_api::{Checker, Flags, Kind, Rule, Severity, Text, export_plugin};

pub const FIRST: Rule = Rule {
    id: "superlative.first",
    kind: Kind::Superlative,
    severity: Severity::Warning,
    description: "A claim of being first: \"first trip in over ten years\".",
};
pub const RECORD: Rule = Rule {
    id: "superlative.record",
    kind: Kind::Superlative,
    severity: Severity::Warning,
    description: "A record or extreme: \"the largest\", \"record high\".",
};
pub const ABSOLUTE: Rule = Rule {
    id: "superlative.absolute",
    kind: Kind::Superlative,
    severity: Severity::Info,
    description: "An absolute: \"never\", \"unprecedented\", \"no one\".",
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Group {
    First,
    Record,
    Absolute,
}

const FIRSTS: &[&str] = &["first", "first-ever", "first ever", "for the first time", "the first time"];
const RECORDS: &[&str] = &[
    "record", "record-breaking", "record high", "record low", "all-time high", "all-time low", "largest", "biggest", "highest", "lowest",
    "greatest", "worst", "best", "fastest", "slowest", "most", "least", "smallest", "deadliest", "longest", "shortest", "strongest",
    "weakest", "richest", "poorest", "oldest", "youngest",
];
const ABSOLUTES: &[&str] =
    &["never", "ever", "always", "unprecedented", "nobody", "no one", "everyone", "everybody", "all-time", "never before", "not once"];

/// Nouns that make "record" a claim: "record high", "record turnout".
const RECORD_NOUNS: &[&str] = &[
    "high", "highs", "low", "lows", "level", "levels", "number", "numbers", "turnout", "year", "profits", "sales", "heat", "temperatures",
];

/// "The first details", "the first concrete signs": the earliest of
/// something, not a claim of being first.
const EARLIEST_NOUNS: &[&str] = &[
    "details", "signs", "steps", "results", "indications", "hints", "glimpses", "images", "reports", "impressions", "words", "moves",
    "stages", "days", "weeks", "months", "hours", "minutes", "pictures", "findings", "figures", "estimates", "reactions", "comments",
];

/// Words ending in "-est" that are no superlative ("the interest", "the
/// latest figures": the newest, not a claim of an extreme).
const NOT_SUPERLATIVES: &[&str] = &[
    "interest", "forest", "request", "protest", "contest", "latest", "harvest", "honest", "modest", "manifest", "arrest", "suggest",
    "conquest", "behest", "earnest", "midwest", "northwest", "southwest", "priest", "inquest", "unrest", "digest", "invest", "guest",
    "quest", "chest", "nest", "test", "rest", "west", "best", "pest", "zest", "crest", "vest", "jest", "attest", "detest", "divest",
    "infest", "ingest", "molest", "retest", "pretest", "bequest", "tempest", "everest", "budapest", "bucharest", "interest-free",
];

/// Determiners before an "-est" word that make it a superlative claim:
/// "the cleanest in the region", "its busiest year".
const SUPERLATIVE_DETERMINERS: &[&str] = &["the", "its", "their", "his", "her", "our", "britain's", "europe's", "world's"];

/// Superlatives not in [`RECORDS`], found by their form: one of
/// [`SUPERLATIVE_DETERMINERS`], then a lower-case word of six letters or
/// more ending in "-est" that is not one of [`NOT_SUPERLATIVES`].
fn formed_superlatives(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'\'' || b >= 0x80;
    let bytes = text.as_bytes();
    // Every "est" that ends a word, then back to the word's start.
    text.match_indices("est").filter_map(move |(at, _)| {
        let end = at + 3;
        if bytes.get(end).is_some_and(|&b| word_byte(b)) {
            return None;
        }
        let start = bytes[..at].iter().rposition(|&b| !word_byte(b)).map_or(0, |i| i + 1);
        let word = &text[start..end];
        if word.len() < 6 || !word.bytes().all(|b| b.is_ascii_lowercase()) || NOT_SUPERLATIVES.contains(&word) || RECORDS.contains(&word) {
            return None;
        }
        let determined = prev_word(text, start).is_some_and(|(_, p)| SUPERLATIVE_DETERMINERS.contains(&p.to_ascii_lowercase().as_str()));
        determined.then_some((start, end))
    })
}

/// After these, "first" orders a list rather than claiming a first.
const LIST_MARKERS: &[&str] = &["at", "the", "his", "her", "their", "its"];

#[derive(Debug)]
pub struct Superlatives {
    phrases: PhraseSet<Group>,
}

fn wording(group: Group) -> (&'static Rule, &'static str, &'static str, f32) {
    match group {
        Group::First => (&FIRST, "A claim of being first.", "First by what measure, since when, and according to which record?", 0.75),
        Group::Record => {
            (&RECORD, "A record or an extreme is claimed.", "Compared with what, over which period, and by whose count?", 0.65)
        }
        Group::Absolute => (&ABSOLUTE, "An absolute claim.", "Is it literally true: are there really no exceptions?", 0.45),
    }
}

impl Checker for Superlatives {
    const NAME: &'static str = "superlatives";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "Firsts, records and absolutes.";
    const RULES: &'static [Rule] = &[FIRST, RECORD, ABSOLUTE];

    fn new(_config: &str) -> Result<Self, String> {
        Ok(Superlatives {
            phrases: PhraseSet::from_lists(&[(FIRSTS, Group::First), (RECORDS, Group::Record), (ABSOLUTES, Group::Absolute)])?,
        })
    }

    fn check(&self, doc: &Text<'_>, out: &mut Flags<'_>) {
        let text = doc.as_str();
        for m in self.phrases.find_iter(text) {
            let group = *m.payload;
            let found = &text[m.start..m.end];
            let prev = prev_word(text, m.start).map(|(_, w)| w.to_ascii_lowercase());
            let next = next_word(text, m.end);
            match group {
                // "First, …" and "at first" order things; "first" before a noun claims.
                Group::First if found.eq_ignore_ascii_case("first") => {
                    let opens_list = text[m.end..].starts_with(',') || prev.as_deref().is_some_and(|p| p == "at");
                    let ordinal_of_list =
                        prev.as_deref().is_some_and(|p| LIST_MARKERS.contains(&p)) && next.is_some_and(|(_, w)| w == "of");
                    // "first proposed", "first reported": when, not a claim of firstness.
                    let verb = next.is_some_and(|(_, w)| w.len() > 4 && w.ends_with("ed"));
                    // "the first (concrete) details": the earliest, not a record.
                    let earliest = next.is_some_and(|(end, w)| {
                        EARLIEST_NOUNS.contains(&w.to_ascii_lowercase().as_str())
                            || next_word(text, end).is_some_and(|(_, w2)| EARLIEST_NOUNS.contains(&w2.to_ascii_lowercase().as_str()))
                    });
                    if opens_list || ordinal_of_list || verb || earliest || next.is_none() {
                        continue;
                    }
                }
                // "most" and "best" count only as "the most …", "the best …".
                Group::Record
                    if ["most", "least", "best", "worst"].iter().any(|w| found.eq_ignore_ascii_case(w))
                        && prev.as_deref() != Some("the") =>
                {
                    continue;
                }
                // "record" claims a record only as "a/the/new record" or "record high/turnout/…",
                // not as a verb ("we record") or in "criminal record".
                Group::Record if found.eq_ignore_ascii_case("record") => {
                    let before = prev.as_deref().is_some_and(|p| matches!(p, "a" | "the" | "new"));
                    let after = next.is_some_and(|(_, w)| RECORD_NOUNS.contains(&w.to_ascii_lowercase().as_str()));
                    if !(before || after) {
                        continue;
                    }
                }
                _ => {}
            }
            // A first runs on to its noun: "first trip", "first time".
            let end = match (group, next) {
                (Group::First, Some((end, w))) if w.chars().all(char::is_lowercase) && !w.is_empty() => end,
                _ => m.end,
            };
            let (rule, message, question, score) = wording(group);
            out.raise(rule, m.start, end, score, message, question);
        }
        for (start, end) in formed_superlatives(text) {
            let (rule, message, question, score) = wording(Group::Record);
            out.raise(rule, start, end, score, message, question);
        }
    }
}

export_plugin!(Superlatives);

#[cfg(test)]
mod tests {
    use claimdesk_plugin_api::testing::pairs;

    use super::*;

    fn flags(text: &str) -> Vec<(&'static str, String)> {
        pairs(&Superlatives::new("").unwrap(), text)
    }

    #[test]
    fn firsts_records_and_absolutes() {
        let got = flags("It was his first trip in a decade, the largest rally ever, an unprecedented turnout.");
        assert_eq!(
            got,
            [
                ("superlative.first", "first trip".to_owned()),
                ("superlative.record", "largest".to_owned()),
                ("superlative.absolute", "ever".to_owned()),
                ("superlative.absolute", "unprecedented".to_owned())
            ]
        );
    }

    #[test]
    fn superlatives_by_their_form() {
        assert_eq!(
            flags("The council says the river is now the cleanest in the region, after its busiest summer."),
            [("superlative.record", "cleanest".to_owned()), ("superlative.record", "busiest".to_owned())]
        );
        assert!(flags("The latest interest rates, the protest and the harvest festival.").is_empty());
        assert!(flags("Residents cleanest? No: a modest forest.").is_empty(), "no determiner, or no superlative");
    }

    #[test]
    fn list_ordinals_and_verbs_pass() {
        assert!(flags("First, the facts. At first it rained. The first of the two bills failed. We record most votes.").is_empty());
        assert!(flags("The bridge, first proposed in 2004, is late.").is_empty());
        assert!(flags("The first concrete details came from the envoy, then the first results.").is_empty(), "the earliest, not a record");
    }
}
