//! A claim under review and its status lifecycle.
//!
//! ```text
//! new ──start──▶ in_review ──resolve──▶ resolved ──publish──▶ published
//!  │                ▲  │                   │  ▲                 │
//!  │                │  └──────dismiss──────┼──┼──▶ dismissed    │
//!  └────dismiss─────┼──────────────────────┘  └──unpublish──────┘
//!                   └──────reopen── resolved | published | dismissed
//! ```
//! Every successful [`Claim::apply`] bumps `version` and returns the event
//! to record; a refused action leaves the claim untouched.

use serde::{Deserialize, Serialize};

use crate::{Flag, RatingScale, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    InReview,
    Resolved,
    Published,
    Dismissed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::InReview => "in_review",
            Status::Resolved => "resolved",
            Status::Published => "published",
            Status::Dismissed => "dismissed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Supports,
    Refutes,
    Context,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub url: String,
    pub title: Option<String>,
    pub quoted_passage: Option<String>,
    pub note: Option<String>,
    pub stance: Stance,
    pub added_by: String,
    /// Unix seconds.
    pub added_at: i64,
}

/// What a person does to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Assign {
        to: Option<String>,
    },
    StartReview,
    /// Set the verdict: a key of the installation's rating scale.
    Resolve {
        rating: String,
        explanation: String,
    },
    /// The second reviewer's approval, when the installation requires one.
    Approve,
    Publish,
    Unpublish,
    Dismiss {
        reason: String,
    },
    Reopen,
    /// Sets the short form of the claim that reports publish as
    /// ClaimReview's `claimReviewed`; an empty text goes back to the default
    /// ([`short_form`] of the sentence).
    Summarize {
        text: String,
    },
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

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Assign { .. } => "assign",
            Action::StartReview => "start_review",
            Action::Resolve { .. } => "resolve",
            Action::Approve => "approve",
            Action::Publish => "publish",
            Action::Unpublish => "unpublish",
            Action::Dismiss { .. } => "dismiss",
            Action::Reopen => "reopen",
            Action::Summarize { .. } => "summarize",
        }
    }
}

/// One entry of a claim's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimEvent {
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
    pub action: Action,
    pub before: Status,
    pub after: Status,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} a claim that is {from}")]
    Illegal { action: &'static str, from: &'static str },
    #[error("{0:?} is not a rating on this installation's scale")]
    UnknownRating(String),
    #[error("a verdict needs a rating explanation")]
    MissingExplanation,
    #[error("dismissing a claim needs a reason")]
    MissingReason,
    #[error("this installation requires a second review before publishing")]
    NeedsSecondReview,
    #[error("the second review must be done by someone other than {0}, who gave the verdict")]
    SelfApproval(String),
    #[error("the short form of a claim is at most {max} characters; this one has {found}")]
    SummaryTooLong { max: usize, found: usize },
}

/// Installation-wide rules the lifecycle obeys.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub scale: RatingScale,
    pub require_second_review: bool,
}

/// How urgently a claim wants review, in [0, 1]: its strongest flag
/// (warnings and errors count fully, info at 0.8), nudged up by each further
/// flag, and never below the sentence's check-worthiness.
pub fn priority(flags: &[Flag], checkworthiness: f32) -> f32 {
    let weight = |f: &Flag| if f.severity == crate::Severity::Info { 0.8 } else { 1.0 };
    let strongest = flags.iter().map(|f| f.score * weight(f)).fold(0.0, f32::max);
    let more = 0.05 * flags.len().saturating_sub(1) as f32;
    (strongest + more).min(1.0).max(checkworthiness)
}

/// Takes the sentence scores a check-worthiness scorer reported (flags of
/// kind `checkworthy` spanning exactly one sentence) out of `flags`, and
/// returns each sentence's check-worthiness: the reported score combined
/// with the kinds of the sentence's other flags ([`crate::stack`]), or 0
/// where none was reported.
pub fn take_sentence_scores(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<f32> {
    let reported = take_model_scores(analysis, flags);
    let mut kinds: Vec<Vec<crate::Kind>> = vec![Vec::new(); reported.len()];
    for flag in flags.iter() {
        if let Some(list) = analysis.sentence_holding(flag.span).and_then(|s| kinds.get_mut(s.index))
            && !list.contains(&flag.kind)
        {
            list.push(flag.kind);
        }
    }
    reported.iter().zip(&kinds).map(|(score, kinds)| score.map_or(0.0, |s| crate::stack::checkworthiness(s, kinds))).collect()
}

/// The scores the check-worthiness scorer reported, as they came (before
/// combining with the other flags), taken out of `flags`; `None` where the
/// scorer reported nothing.
pub fn take_model_scores(analysis: &crate::Analysis, flags: &mut Vec<Flag>) -> Vec<Option<f32>> {
    let sentences = &analysis.sentences;
    let mut scores: Vec<Option<f32>> = vec![None; sentences.len()];
    flags.retain(|flag| {
        if flag.kind == crate::Kind::Checkworthy {
            let i = sentences.partition_point(|s| s.span.start < flag.span.start);
            if let Some(s) = sentences.get(i).filter(|s| s.span == flag.span) {
                scores[s.index] = Some(scores[s.index].map_or(flag.score, |x| x.max(flag.score)));
                return false;
            }
        }
        true
    });
    scores
}

/// Groups flags into claims: one claim per sentence that has a flag or whose
/// check-worthiness reaches `threshold`. `flags` must be sorted by position
/// (as the plugin host returns them); `scores` holds each sentence's
/// check-worthiness. Flags outside every sentence are dropped.
pub fn group_claims(text: &str, analysis: &crate::Analysis, flags: Vec<Flag>, scores: &[f32], threshold: f32) -> Vec<Claim> {
    let sentences = &analysis.sentences;
    let mut per_sentence: Vec<Vec<Flag>> = vec![Vec::new(); sentences.len()];
    for flag in flags {
        if let Some(list) = analysis.sentence_holding(flag.span).and_then(|s| per_sentence.get_mut(s.index)) {
            list.push(flag);
        }
    }
    let mut claims = Vec::new();
    for ((sentence, attribution), flags) in analysis.sentences_with_attribution().zip(per_sentence) {
        let score = scores.get(sentence.index).copied().unwrap_or(0.0);
        if flags.is_empty() && score < threshold {
            continue;
        }
        let speaker = attribution.and_then(|a| a.speaker_name(text, &analysis.attributions)).map(str::to_owned);
        let mut claim = Claim::new(sentence.index, sentence.span, sentence.span.slice(text).unwrap_or(""), flags);
        claim.priority = priority(&claim.flags, score);
        claim.speaker = speaker;
        claims.push(claim);
    }
    claims
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
    pub evidence: Vec<Evidence>,
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
            evidence: Vec::new(),
            version: 0,
        }
    }

    /// Applies `action` by `actor` at `at` (unix seconds) under `policy`.
    pub fn apply(&mut self, action: Action, actor: &str, at: i64, policy: &Policy) -> Result<ClaimEvent, TransitionError> {
        use Status::*;
        let before = self.status;
        let illegal = || TransitionError::Illegal { action: action.name(), from: before.as_str() };
        let after = match (&action, before) {
            (Action::Assign { .. }, New | InReview | Resolved) => before,
            (Action::StartReview, New) => InReview,
            (Action::Resolve { rating, explanation }, InReview) => {
                if policy.scale.get(rating).is_none() {
                    return Err(TransitionError::UnknownRating(rating.clone()));
                }
                if explanation.trim().is_empty() {
                    return Err(TransitionError::MissingExplanation);
                }
                Resolved
            }
            (Action::Approve, Resolved) => {
                if self.resolved_by.as_deref() == Some(actor) {
                    return Err(TransitionError::SelfApproval(actor.to_owned()));
                }
                Resolved
            }
            (Action::Publish, Resolved) => {
                if policy.require_second_review && self.approved_by.is_none() {
                    return Err(TransitionError::NeedsSecondReview);
                }
                Published
            }
            (Action::Unpublish, Published) => Resolved,
            (Action::Dismiss { reason }, New | InReview | Resolved) => {
                if reason.trim().is_empty() {
                    return Err(TransitionError::MissingReason);
                }
                Dismissed
            }
            (Action::Reopen, Resolved | Published | Dismissed) => InReview,
            (Action::Summarize { text }, _) => {
                let found = text.trim().chars().count();
                if found > MAX_CLAIM_REVIEWED {
                    return Err(TransitionError::SummaryTooLong { max: MAX_CLAIM_REVIEWED, found });
                }
                before
            }
            _ => return Err(illegal()),
        };
        match &action {
            Action::Assign { to } => self.assignee = to.clone(),
            Action::Resolve { rating, explanation } => {
                self.verdict = Some(rating.clone());
                self.explanation = Some(explanation.clone());
                self.resolved_by = Some(actor.to_owned());
                self.approved_by = None;
            }
            Action::Approve => self.approved_by = Some(actor.to_owned()),
            Action::Dismiss { reason } => self.dismissal_reason = Some(reason.clone()),
            Action::Reopen => {
                self.dismissal_reason = None;
                self.approved_by = None;
            }
            Action::Summarize { text } => {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                self.claim_reviewed = (!text.is_empty()).then_some(text);
            }
            Action::StartReview | Action::Publish | Action::Unpublish => {}
        }
        self.status = after;
        self.version += 1;
        Ok(ClaimEvent { actor: actor.to_owned(), at, action, before, after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

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

    #[test]
    fn summarize_sets_resets_and_refuses_long_forms_in_any_status() {
        let policy = Policy::default();
        for status in [New, InReview, Resolved, Published, Dismissed] {
            let mut claim = claim_in(status);
            let event = claim.apply(Action::Summarize { text: " Prices  doubled ".into() }, "ed", 1, &policy).expect("summarize");
            assert_eq!((event.before, event.after), (status, status));
            assert_eq!(claim.claim_reviewed.as_deref(), Some("Prices doubled"));
            assert_eq!(claim.version, 1);
            let error = claim.apply(Action::Summarize { text: "x".repeat(76) }, "ed", 2, &policy).expect_err("too long");
            assert_eq!(error, TransitionError::SummaryTooLong { max: 75, found: 76 });
            assert_eq!((claim.claim_reviewed.as_deref(), claim.version), (Some("Prices doubled"), 1), "refusal changes nothing");
            claim.apply(Action::Summarize { text: "  ".into() }, "ed", 3, &policy).expect("reset");
            assert_eq!(claim.claim_reviewed, None);
        }
    }

    #[test]
    fn claims_group_flags_by_sentence() {
        use std::sync::Arc;
        let text = "Prices doubled, officials said. Nothing else happened. The plan is huge.";
        let analysis = crate::analyze(text);
        let flag = |start: usize, end: usize, score: f32| Flag {
            plugin: Arc::from("p"),
            plugin_version: Arc::from("1"),
            rule: Arc::from("p.r"),
            kind: crate::Kind::Numeric,
            severity: crate::Severity::Warning,
            span: Span::new(start, end),
            score,
            message: Arc::from("m"),
            question: Arc::from("q"),
            quoted_speaker: None,
        };
        let flags = vec![flag(7, 14, 0.6), flag(0, 6, 0.5), flag(64, 68, 0.9)];
        let claims = group_claims(text, &analysis, flags.clone(), &[0.0, 0.7, 0.0], 0.5);
        assert_eq!(claims.len(), 3, "two flagged sentences and one check-worthy one");
        assert_eq!(claims[0].flags.len(), 2);
        assert_eq!(claims[0].speaker.as_deref(), Some("officials"));
        assert!((claims[0].priority - 0.65).abs() < 1e-6, "strongest 0.6 plus 0.05 for the second flag");
        assert_eq!(claims[1].text, "Nothing else happened.");
        assert!((claims[1].priority - 0.7).abs() < 1e-6, "check-worthiness alone");
        assert_eq!((claims[2].sentence_index, claims[2].flags.len()), (2, 1));
        assert_eq!(group_claims(text, &analysis, flags, &[], 0.5).len(), 2, "no scores: flagged sentences only");
    }

    fn claim_in(status: Status) -> Claim {
        let mut claim = Claim::new(0, Span::new(0, 10), "Prices doubled.", vec![]);
        claim.status = status;
        claim
    }

    fn resolve() -> Action {
        Action::Resolve { rating: "false".into(), explanation: "Official figures show 4%.".into() }
    }

    fn all_actions() -> Vec<Action> {
        vec![
            Action::Assign { to: Some("ana".into()) },
            Action::StartReview,
            resolve(),
            Action::Approve,
            Action::Publish,
            Action::Unpublish,
            Action::Dismiss { reason: "opinion".into() },
            Action::Reopen,
        ]
    }

    /// The full transition table: every (status, action) pair either moves to
    /// the listed status or is refused, leaving the claim unchanged.
    #[test]
    fn every_transition_in_the_table() {
        let policy = Policy::default();
        let expected = |from: Status, action: &Action| -> Option<Status> {
            match (action, from) {
                (Action::Assign { .. }, New | InReview | Resolved) => Some(from),
                (Action::StartReview, New) => Some(InReview),
                (Action::Resolve { .. }, InReview) => Some(Resolved),
                (Action::Approve, Resolved) => Some(Resolved),
                (Action::Publish, Resolved) => Some(Published),
                (Action::Unpublish, Published) => Some(Resolved),
                (Action::Dismiss { .. }, New | InReview | Resolved) => Some(Dismissed),
                (Action::Reopen, Resolved | Published | Dismissed) => Some(InReview),
                _ => None,
            }
        };
        let mut legal = 0;
        for from in [New, InReview, Resolved, Published, Dismissed] {
            for action in all_actions() {
                let mut claim = claim_in(from);
                let before = claim.clone();
                let result = claim.apply(action.clone(), "bo", 100, &policy);
                match expected(from, &action) {
                    Some(to) => {
                        let event = result.unwrap_or_else(|e| panic!("{from:?} + {action:?}: {e}"));
                        assert_eq!((event.before, event.after), (from, to));
                        assert_eq!(claim.status, to);
                        assert_eq!(claim.version, before.version + 1);
                        legal += 1;
                    }
                    None => {
                        assert!(matches!(result, Err(TransitionError::Illegal { .. })), "{from:?} + {action:?} should be refused");
                        assert_eq!(claim, before, "a refused action must not change the claim");
                    }
                }
            }
        }
        assert_eq!(legal, 14);
    }

    #[test]
    fn full_happy_path_records_history() {
        let policy = Policy::default();
        let mut claim = claim_in(New);
        let steps = [Action::Assign { to: Some("ana".into()) }, Action::StartReview, resolve(), Action::Publish];
        let events: Vec<_> = steps.into_iter().map(|a| claim.apply(a, "ana", 1, &policy).unwrap()).collect();
        assert_eq!(claim.status, Published);
        assert_eq!(claim.verdict.as_deref(), Some("false"));
        assert_eq!(claim.assignee.as_deref(), Some("ana"));
        assert_eq!(events.len(), 4);
        assert_eq!(claim.version, 4);
    }

    #[test]
    fn verdicts_are_validated() {
        let policy = Policy::default();
        let mut claim = claim_in(InReview);
        let bad = Action::Resolve { rating: "pants_on_fire".into(), explanation: "x".into() };
        assert_eq!(claim.apply(bad, "a", 1, &policy), Err(TransitionError::UnknownRating("pants_on_fire".into())));
        let empty = Action::Resolve { rating: "true".into(), explanation: "  ".into() };
        assert_eq!(claim.apply(empty, "a", 1, &policy), Err(TransitionError::MissingExplanation));
        let no_reason = Action::Dismiss { reason: String::new() };
        assert_eq!(claim.apply(no_reason, "a", 1, &policy), Err(TransitionError::MissingReason));
        assert_eq!(claim.status, InReview);
    }

    #[test]
    fn second_review_is_required_when_configured() {
        let policy = Policy { require_second_review: true, ..Policy::default() };
        let mut claim = claim_in(InReview);
        claim.apply(resolve(), "ana", 1, &policy).unwrap();
        assert_eq!(claim.apply(Action::Publish, "ed", 2, &policy), Err(TransitionError::NeedsSecondReview));
        assert_eq!(claim.apply(Action::Approve, "ana", 2, &policy), Err(TransitionError::SelfApproval("ana".into())));
        claim.apply(Action::Approve, "bo", 3, &policy).unwrap();
        claim.apply(Action::Publish, "ed", 4, &policy).unwrap();
        assert_eq!(claim.status, Published);
        // Reopening withdraws the approval: the new verdict needs a new one.
        claim.apply(Action::Reopen, "ed", 5, &policy).unwrap();
        claim.apply(resolve(), "ana", 6, &policy).unwrap();
        assert_eq!(claim.apply(Action::Publish, "ed", 7, &policy), Err(TransitionError::NeedsSecondReview));
    }
}
