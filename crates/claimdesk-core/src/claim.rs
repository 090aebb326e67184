//! A claim under review: one sentence-level assertion, its evidence and
//! its short form. The lifecycle that changes it is in `lifecycle`; how
//! sentences become claims is in `grouping`.

use serde::{Deserialize, Serialize};

use crate::{Flag, Span, Status, priority};

crate::named_enum! {
    /// How a piece of evidence bears on a claim.
    pub enum Stance as "stance" {
        Supports = "supports",
        Refutes = "refutes",
        Context = "context",
    }
}

/// Evidence as a checker enters it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    /// A web address ([`crate::input::is_web_url`]).
    pub url: String,
    pub title: Option<String>,
    pub quoted_passage: Option<String>,
    pub note: Option<String>,
    pub stance: Stance,
}

/// The longest `claimReviewed` reports publish, in characters.
pub const MAX_CLAIM_REVIEWED: usize = 75;

/// The default short form of a claim: its sentence with whitespace
/// collapsed, cut at a word boundary to at most [`MAX_CLAIM_REVIEWED`]
/// characters (ending in "…" when cut).
pub fn short_form(sentence: &str) -> String {
    let collapsed: String = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= MAX_CLAIM_REVIEWED {
        return collapsed;
    }
    // Room for the ellipsis.
    let limit = MAX_CLAIM_REVIEWED - 1;
    let cut = collapsed.char_indices().nth(limit).map_or(collapsed.len(), |(i, _)| i);
    let head = &collapsed[..cut];
    // Prefer the last space, unless that would throw most of the text away.
    let head = match head.rfind(' ') {
        Some(space) if space >= cut / 2 => &head[..space],
        _ => head,
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', ' ']))
}

/// One sentence-level assertion a checker reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// Index of the sentence in its document.
    pub sentence_index: usize,
    pub sentence: Span,
    pub text: String,
    pub speaker: Option<String>,
    pub flags: Vec<Flag>,
    pub priority: f32,
    pub status: Status,
    pub assignee: Option<String>,
    pub verdict: Option<String>,
    pub explanation: Option<String>,
    pub resolved_by: Option<String>,
    pub approved_by: Option<String>,
    pub dismissal_reason: Option<String>,
    /// The short form reports publish (ClaimReview `claimReviewed`); `None`
    /// means the default, [`short_form`] of `text`.
    pub claim_reviewed: Option<String>,
    /// Bumped on every change, so a stale edit can be refused.
    pub version: u32,
}

impl Claim {
    pub fn new(sentence_index: usize, sentence: Span, text: impl Into<String>, flags: Vec<Flag>) -> Self {
        let priority = priority(&flags, 0.0);
        Claim {
            sentence_index,
            sentence,
            text: text.into(),
            speaker: None,
            flags,
            priority,
            status: Status::New,
            assignee: None,
            verdict: None,
            explanation: None,
            resolved_by: None,
            approved_by: None,
            dismissal_reason: None,
            claim_reviewed: None,
            version: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_keeps_short_sentences_and_cuts_long_ones_at_a_word() {
        assert_eq!(short_form("  Prices   doubled\nlast year. "), "Prices doubled last year.");
        let long = "The minister said that the new bridge across the river would cost less than any bridge built in the region since 1990.";
        let short = short_form(long);
        assert!(short.chars().count() <= MAX_CLAIM_REVIEWED, "{short}");
        assert!(short.ends_with('…') && long.starts_with(short.trim_end_matches('…')), "{short}");
        assert!(!short.trim_end_matches('…').ends_with(' '));
        // No spaces at all (or non-Latin text): cut on a character boundary.
        let unbroken = "長".repeat(200);
        assert_eq!(short_form(&unbroken).chars().count(), MAX_CLAIM_REVIEWED);
    }
}
