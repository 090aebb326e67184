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

crate::named_enum! {
    /// Who made a claim, as ClaimReview's `itemReviewed.author` needs it.
    pub enum SpeakerKind as "speaker kind" {
        /// A person or body named in the text ("Steve Witkoff").
        Named = "named",
        /// An unnamed source ("officials", "sources familiar with the
        /// tender"): not a person anyone can cite.
        Anonymous = "anonymous",
        /// Nobody in the text: the outlet's own assertion.
        Outlet = "outlet",
    }
}

crate::named_enum! {
    /// Why a claim was dismissed, as far as learning goes: a dismissal as
    /// not check-worthy is a label the desk's check-worthiness model learns
    /// from (`claimdesk train --from-database`); the others say nothing
    /// about the sentence.
    pub enum DismissalKind as "dismissal kind" {
        /// Not worth a checker's time: an opinion, a prediction, trivia.
        NotCheckworthy = "not_checkworthy",
        /// Another claim (a copy in another document) carries the check.
        Duplicate = "duplicate",
        /// Anything else (out of scope, already checked elsewhere…).
        Other = "other",
    }
}

impl DismissalKind {
    /// The name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            DismissalKind::NotCheckworthy => "Not check-worthy",
            DismissalKind::Duplicate => "Duplicate",
            DismissalKind::Other => "Other reason",
        }
    }
}

impl SpeakerKind {
    /// The kind a detected speaker has: none is the outlet's own claim.
    pub fn detected(speaker: Option<&str>, anonymous: bool) -> SpeakerKind {
        match (speaker, anonymous) {
            (None, _) => SpeakerKind::Outlet,
            (Some(_), true) => SpeakerKind::Anonymous,
            (Some(_), false) => SpeakerKind::Named,
        }
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
    /// A copy kept by an archive (the Wayback Machine, archive.today …),
    /// for when the source changes or disappears.
    pub archived_url: Option<String>,
}

impl NewEvidence {
    /// As every way in must send it: texts trimmed, blanks absent, both
    /// addresses web addresses.
    pub fn normalized(self) -> Result<NewEvidence, crate::TransitionError> {
        let present = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let url = self.url.trim().to_owned();
        if !crate::input::is_web_url(&url) {
            return Err(crate::TransitionError::EvidenceAddress);
        }
        let archived_url = present(self.archived_url);
        if archived_url.as_deref().is_some_and(|u| !crate::input::is_web_url(u)) {
            return Err(crate::TransitionError::ArchiveAddress);
        }
        Ok(NewEvidence {
            url,
            title: present(self.title),
            quoted_passage: present(self.quoted_passage),
            note: present(self.note),
            stance: self.stance,
            archived_url,
        })
    }
}

/// The longest `claimReviewed` reports publish, in characters.
pub const MAX_CLAIM_REVIEWED: usize = 75;

/// A claim's default short form, and whether it leaves out part of what
/// the sentence asserts (beyond its attribution).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortForm {
    pub text: String,
    /// True when words of the assertion were dropped: a later clause, or a
    /// cut mid-phrase (then `text` ends in "…"). The claim page warns.
    pub cut: bool,
}

/// The default short form of a claim (ClaimReview `claimReviewed`, at most
/// [`MAX_CLAIM_REVIEWED`] characters): the sentence with whitespace
/// collapsed; if too long, without its attribution ("According to
/// officials, …", "…, the minister said."); if still too long, its first
/// whole clause; only failing that, cut at a word with "…".
pub fn default_short_form(sentence: &str) -> ShortForm {
    let collapsed: String = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    let fits = |s: &str| s.chars().count() <= MAX_CLAIM_REVIEWED;
    if fits(&collapsed) {
        return ShortForm { text: collapsed, cut: false };
    }
    let bare = without_attribution(&collapsed);
    if fits(&bare) {
        return ShortForm { text: bare, cut: false };
    }
    if let Some(clause) = first_clause(&bare) {
        return ShortForm { text: clause.to_owned(), cut: true };
    }
    ShortForm { text: cut_at_word(&bare), cut: true }
}

/// [`default_short_form`]'s text.
pub fn short_form(sentence: &str) -> String {
    default_short_form(sentence).text
}

/// The sentence without an attribution that opens or closes it.
fn without_attribution(text: &str) -> String {
    if let Some(reported) = reported_clause(text) {
        return reported;
    }
    let analysis = crate::analyze(text);
    for a in &analysis.attributions {
        let start = a.speaker.map_or(a.cue.start, |s| s.start.min(a.cue.start));
        let end = a.speaker.map_or(a.cue.end, |s| s.end.max(a.cue.end));
        let (Some(before), Some(after)) = (text.get(..start), text.get(end..)) else { continue };
        // The speaker's words may start after an article ("The port
        // authority says that …").
        let opens = matches!(before.trim().to_ascii_lowercase().as_str(), "" | "the" | "a" | "an");
        if opens {
            // "According to officials, prices doubled." → "Prices doubled."
            let rest = after.trim_start_matches([',', ':', ' ']);
            // "The minister said that the bridge …" → "The bridge …"
            let rest = rest.strip_prefix("that ").unwrap_or(rest);
            let mut chars = rest.chars();
            if let Some(first) = chars.next() {
                return first.to_uppercase().chain(chars).collect();
            }
        } else if after.split_whitespace().count() <= 3 && !after.contains([',', ';', '\u{201c}', '"']) {
            // Closing the sentence, perhaps with a few more words ("told
            // reporters", "said on Tuesday").
            // "Prices doubled, officials at the port said." → "Prices doubled."
            // The attribution starts at the comma before it, when the words
            // between are few (the rest of the source's name).
            let before = match before.rfind(", ") {
                Some(comma) if before[comma..].split_whitespace().count() <= 6 => &before[..comma],
                _ => before,
            };
            let head = before.trim_end_matches([',', ' ', '—', '–', '-']);
            let head = match head.strip_suffix(",\u{201d}").or_else(|| head.strip_suffix(",\"")) {
                Some(quoted) => format!("{quoted}.{}", &head[quoted.len() + 1..]),
                None if head.ends_with(['.', '!', '?', '\u{201d}', '"']) => head.to_owned(),
                None => format!("{head}."),
            };
            if head.chars().count() >= 12 {
                return head;
            }
        }
    }
    text.to_owned()
}

/// What "X says that …" reports, when a reporting verb and "that" come
/// within the first eight words: "The port authority says that the terminal
/// …" → "The terminal …".
fn reported_clause(text: &str) -> Option<String> {
    let words: Vec<(usize, &str)> = text
        .split(' ')
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .take(9)
        .collect();
    let that = words.windows(2).position(|pair| pair[1].1 == "that" && crate::attribution::is_reporting_verb(pair[0].1))?;
    let (start, word) = words.get(that + 1)?;
    let rest = text.get(start + word.len() + 1..)?;
    let mut chars = rest.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// The longest run of whole clauses from the start that fits, if it says
/// enough to stand for the claim (at least 40% of the limit).
fn first_clause(text: &str) -> Option<&str> {
    let limit = text.char_indices().nth(MAX_CLAIM_REVIEWED).map_or(text.len(), |(i, _)| i);
    let head = text.get(..limit)?;
    let end = [", ", "; ", " — ", " – ", ": "].iter().filter_map(|sep| head.rfind(sep)).max()?;
    let clause = text.get(..end)?.trim_end();
    (clause.chars().count() * 5 >= MAX_CLAIM_REVIEWED * 2).then_some(clause)
}

/// Cut at a word boundary, with "…", to fit.
fn cut_at_word(collapsed: &str) -> String {
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
    pub speaker_kind: SpeakerKind,
    pub flags: Vec<Flag>,
    pub priority: f32,
    pub status: Status,
    pub assignee: Option<String>,
    pub verdict: Option<String>,
    pub explanation: Option<String>,
    pub resolved_by: Option<String>,
    pub approved_by: Option<String>,
    pub dismissal_reason: Option<String>,
    /// Set with `dismissal_reason`.
    pub dismissal_kind: Option<DismissalKind>,
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
            speaker_kind: SpeakerKind::Outlet,
            flags,
            priority,
            status: Status::New,
            assignee: None,
            verdict: None,
            explanation: None,
            resolved_by: None,
            approved_by: None,
            dismissal_reason: None,
            dismissal_kind: None,
            claim_reviewed: None,
            version: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sentences_lose_their_attribution_before_anything_else() {
        let says = "The port authority says that the new terminal will cost less than the old one did when it opened.";
        assert_eq!(short_form(says), "The new terminal will cost less than the old one did when it opened.");
        let opening = "According to sources familiar with the tender, two bidders have withdrawn from the harbour contract.";
        assert_eq!(
            default_short_form(opening),
            ShortForm { text: "Two bidders have withdrawn from the harbour contract.".into(), cut: false }
        );
        let closing = "Harbour fees for container ships doubled over the last two years, according to port officials.";
        assert_eq!(short_form(closing), "Harbour fees for container ships doubled over the last two years.");
        let quoted = "\u{201c}The new bridge will pay for itself within a decade of opening to traffic,\u{201d} the mayor told reporters.";
        assert_eq!(short_form(quoted), "\u{201c}The new bridge will pay for itself within a decade of opening to traffic.\u{201d}");
    }

    #[test]
    fn a_whole_clause_is_preferred_to_a_cut_mid_phrase() {
        let two = "Unemployment in the northern region fell to its lowest level since 1990, while wages rose faster than prices for a third year.";
        assert_eq!(
            default_short_form(two),
            ShortForm { text: "Unemployment in the northern region fell to its lowest level since 1990".into(), cut: true }
        );
        // No clause boundary early enough: cut at a word, and say so.
        let run_on =
            "The minister said that the new bridge across the river would cost less than any bridge built in the region since 1990.";
        let form = default_short_form(run_on);
        assert!(form.cut && form.text.starts_with("The new bridge across the river") && form.text.ends_with('…'), "{form:?}");
    }

    #[test]
    fn short_form_keeps_short_sentences_and_cuts_long_ones_at_a_word() {
        assert_eq!(short_form("  Prices   doubled\nlast year. "), "Prices doubled last year.");
        let long = "The new bridge across the river would cost less than any bridge built in the region since the year 1990 began.";
        let short = short_form(long);
        assert!(short.chars().count() <= MAX_CLAIM_REVIEWED, "{short}");
        assert!(short.ends_with('…') && long.starts_with(short.trim_end_matches('…')), "{short}");
        assert!(!short.trim_end_matches('…').ends_with(' '));
        // No spaces at all (or non-Latin text): cut on a character boundary.
        let unbroken = "長".repeat(200);
        assert_eq!(short_form(&unbroken).chars().count(), MAX_CLAIM_REVIEWED);
    }
}
