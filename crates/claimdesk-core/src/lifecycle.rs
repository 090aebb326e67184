//! The claim lifecycle: statuses, who may do what to a claim in which
//! status, and the transitions themselves.
//!
//! ```text
//! new ──start──▶ in_review ──resolve──▶ resolved ──publish──▶ published
//!  │                ▲  │                   │  ▲                 │
//!  │                │  └──────dismiss──────┼──┼──▶ dismissed    │
//!  └────dismiss─────┼──────────────────────┘  └──unpublish──────┘
//!                   └──────reopen── resolved | published | dismissed
//! ```
//!
//! Invariants:
//! - [`Verb::check`] is the only place that says whether a role may take an
//!   action on a claim in a status; pages, the API and bulk actions all ask
//!   it, and the page offers exactly the verbs [`permitted`] returns;
//! - every successful [`Claim::apply`] bumps `version` and returns the event
//!   to record; a refused action leaves the claim untouched;
//! - every refusal is a [`TransitionError`] whose text is what the user sees.

use serde::{Deserialize, Serialize};

use crate::{Claim, MAX_CLAIM_REVIEWED, NewEvidence, RatingScale, SpeakerKind, short_form};

crate::named_enum! {
    /// Where a claim is in its review.
    pub enum Status as "claim status" {
        New = "new",
        InReview = "in_review",
        Resolved = "resolved",
        Published = "published",
        Dismissed = "dismissed",
    }
}

impl Status {
    /// Whether the claim still waits for a verdict.
    pub fn is_open(self) -> bool {
        matches!(self, Status::New | Status::InReview)
    }

    /// The name as people read it ("in review").
    pub fn label(self) -> &'static str {
        match self {
            Status::InReview => "in review",
            other => other.as_str(),
        }
    }
}

crate::named_enum! {
    /// What a user may do; each role may do all that the ones before it may.
    pub enum Role as "role" {
        /// Reviews claims and gives verdicts.
        Checker = "checker",
        /// Also dismisses, publishes and builds reports.
        Editor = "editor",
        /// Also manages users and sees plugins.
        Admin = "admin",
    }
}

crate::named_enum! {
    /// What a person asks to do to a claim: the names of the claim page's
    /// forms (`/claims/{id}/{verb}`) and of the API's actions.
    pub enum Verb as "claim action" {
        Assign = "assign",
        Start = "start",
        Evidence = "evidence",
        Verdict = "verdict",
        Approve = "approve",
        Dismiss = "dismiss",
        Reopen = "reopen",
        Publish = "publish",
        Unpublish = "unpublish",
        Summarize = "summarize",
        Speaker = "speaker",
    }
}

/// The longest speaker name a claim keeps, in characters.
pub const MAX_SPEAKER: usize = 200;

/// What the permission check needs to know of a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// A second reviewer has approved the current verdict.
    pub approved: bool,
}

impl Verb {
    /// The least role that may take this action on a claim in `status`.
    pub fn least_role(self, status: Status) -> Role {
        use Status::*;
        match (self, status) {
            (Verb::Dismiss | Verb::Publish | Verb::Unpublish, _) => Role::Editor,
            // What is public, or was set aside by an editor, stays an editor's.
            (Verb::Reopen | Verb::Summarize | Verb::Speaker, Published | Dismissed) => Role::Editor,
            _ => Role::Checker,
        }
    }

    /// Whether `role` may take this action on a claim that stands as
    /// `standing`, under `policy`: the one permission check pages, the API
    /// and bulk actions share. The transition itself ([`Claim::apply`])
    /// still validates what the action carries.
    pub fn check(self, role: Role, standing: Standing, policy: &Policy) -> Result<(), TransitionError> {
        use Status::*;
        let status = standing.status;
        // Who may act comes first: a checker asking to publish learns that
        // publishing is an editor's, whatever the claim's status.
        let needed = self.least_role(status);
        if role < needed {
            return Err(TransitionError::Forbidden { action: self, status, needed });
        }
        let applies = match self {
            Verb::Assign | Verb::Dismiss => matches!(status, New | InReview | Resolved),
            Verb::Start => status == New,
            Verb::Evidence | Verb::Summarize | Verb::Speaker => true,
            Verb::Verdict => status.is_open(),
            Verb::Approve => {
                if !policy.require_second_review {
                    return Err(TransitionError::NoSecondReview);
                }
                if status == Resolved && standing.approved {
                    return Err(TransitionError::AlreadyApproved);
                }
                status == Resolved
            }
            Verb::Reopen => matches!(status, Resolved | Published | Dismissed),
            Verb::Publish => status == Resolved,
            Verb::Unpublish => status == Published,
        };
        if !applies {
            return Err(TransitionError::Illegal { action: self.as_str(), from: status });
        }
        Ok(())
    }
}

/// The verbs `role` may take on a claim that stands as `standing`: what the
/// claim page offers.
pub fn permitted(role: Role, standing: Standing, policy: &Policy) -> Vec<Verb> {
    Verb::ALL.iter().copied().filter(|v| v.check(role, standing, policy).is_ok()).collect()
}

/// What a person does to a claim, as the lifecycle records it.
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
    /// Corrects who made the claim: a named speaker, an unnamed source, or
    /// the outlet itself (then no name).
    EditSpeaker {
        speaker: Option<String>,
        kind: SpeakerKind,
    },
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
            Action::EditSpeaker { .. } => "edit_speaker",
        }
    }
}

/// One request to change a claim, parsed from a page's form or an API body:
/// both become a `Command`, and one function on the server executes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Assign {
        to: Option<String>,
    },
    Start,
    AddEvidence(NewEvidence),
    Verdict {
        rating: String,
        explanation: String,
    },
    Approve,
    Dismiss {
        reason: String,
    },
    Reopen,
    Publish,
    Unpublish,
    /// An empty text, or the default short form itself, resets the short
    /// form to the default so that it follows the sentence.
    Summarize {
        text: String,
    },
    /// `speaker` is ignored for [`SpeakerKind::Outlet`].
    EditSpeaker {
        speaker: String,
        kind: SpeakerKind,
    },
}

impl Command {
    pub fn verb(&self) -> Verb {
        match self {
            Command::Assign { .. } => Verb::Assign,
            Command::Start => Verb::Start,
            Command::AddEvidence(_) => Verb::Evidence,
            Command::Verdict { .. } => Verb::Verdict,
            Command::Approve => Verb::Approve,
            Command::Dismiss { .. } => Verb::Dismiss,
            Command::Reopen => Verb::Reopen,
            Command::Publish => Verb::Publish,
            Command::Unpublish => Verb::Unpublish,
            Command::Summarize { .. } => Verb::Summarize,
            Command::EditSpeaker { .. } => Verb::Speaker,
        }
    }

    /// The lifecycle actions this command is, for a claim in `status` whose
    /// sentence is `sentence` (a verdict on a new claim starts its review
    /// first); `None` for evidence, which accumulates outside the lifecycle.
    pub fn into_actions(self, status: Status, sentence: &str) -> Option<Vec<Action>> {
        Some(match self {
            Command::Assign { to } => vec![Action::Assign { to }],
            Command::Start => vec![Action::StartReview],
            Command::AddEvidence(_) => return None,
            Command::Verdict { rating, explanation } => {
                let resolve = Action::Resolve { rating, explanation: explanation.trim().to_owned() };
                if status == Status::New { vec![Action::StartReview, resolve] } else { vec![resolve] }
            }
            Command::Approve => vec![Action::Approve],
            Command::Dismiss { reason } => vec![Action::Dismiss { reason: reason.trim().to_owned() }],
            Command::Reopen => vec![Action::Reopen],
            Command::Publish => vec![Action::Publish],
            Command::Unpublish => vec![Action::Unpublish],
            Command::Summarize { text } => {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let text = if text == short_form(sentence) { String::new() } else { text };
                vec![Action::Summarize { text }]
            }
            Command::EditSpeaker { speaker, kind } => {
                let speaker = speaker.split_whitespace().collect::<Vec<_>>().join(" ");
                let speaker = (kind != SpeakerKind::Outlet && !speaker.is_empty()).then_some(speaker);
                vec![Action::EditSpeaker { speaker, kind }]
            }
        })
    }

    /// What the user is told when the command succeeded.
    pub fn done(&self) -> String {
        match self {
            Command::Assign { to: Some(name) } => format!("Assigned to {name}."),
            Command::Assign { to: None } => "Unassigned.".to_owned(),
            Command::Start => "Review started.".to_owned(),
            Command::AddEvidence(_) => "Evidence added.".to_owned(),
            Command::Verdict { .. } => "Verdict saved.".to_owned(),
            Command::Approve => "Second review recorded.".to_owned(),
            Command::Dismiss { .. } => "Claim dismissed.".to_owned(),
            Command::Reopen => "Claim reopened.".to_owned(),
            Command::Publish => "Claim published.".to_owned(),
            Command::Unpublish => "Claim unpublished.".to_owned(),
            Command::Summarize { .. } => "Short form saved.".to_owned(),
            Command::EditSpeaker { .. } => "Speaker saved.".to_owned(),
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

/// Why a change to a claim was refused; the text is what the user sees.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("cannot {action} a claim that is {}", from.label())]
    Illegal { action: &'static str, from: Status },
    #[error("only {needed}s and above may {action} a claim that is {}", status.label())]
    Forbidden { action: Verb, status: Status, needed: Role },
    #[error("choose a rating from the scale: {0:?} is not one of this installation's ratings")]
    UnknownRating(String),
    #[error("a verdict needs a rating explanation")]
    MissingExplanation,
    #[error("dismissing a claim needs a reason")]
    MissingReason,
    #[error("this installation requires a second review before publishing")]
    NeedsSecondReview,
    #[error("this installation does not use second reviews")]
    NoSecondReview,
    #[error("the verdict is already approved")]
    AlreadyApproved,
    #[error("the second review must be done by someone other than {0}, who gave the verdict")]
    SelfApproval(String),
    #[error("the short form of a claim is at most {max} characters; this one has {found}")]
    SummaryTooLong { max: usize, found: usize },
    #[error("a named or anonymous speaker needs a name (for the claim's own outlet, choose \"the outlet itself\")")]
    MissingSpeaker,
    #[error("a speaker's name is at most {max} characters; this one has {found}")]
    SpeakerTooLong { max: usize, found: usize },
}

/// Installation-wide rules the lifecycle obeys.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub scale: RatingScale,
    pub require_second_review: bool,
}

impl Claim {
    /// Applies `action` by `actor` at `at` (unix seconds) under `policy`.
    pub fn apply(&mut self, action: Action, actor: &str, at: i64, policy: &Policy) -> Result<ClaimEvent, TransitionError> {
        use Status::*;
        let before = self.status;
        let illegal = || TransitionError::Illegal { action: action.name(), from: before };
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
                let found = text.split_whitespace().collect::<Vec<_>>().join(" ").chars().count();
                if found > MAX_CLAIM_REVIEWED {
                    return Err(TransitionError::SummaryTooLong { max: MAX_CLAIM_REVIEWED, found });
                }
                before
            }
            (Action::EditSpeaker { speaker, kind }, _) => {
                let found = speaker.as_deref().map_or(0, |s| s.chars().count());
                if *kind != SpeakerKind::Outlet && found == 0 {
                    return Err(TransitionError::MissingSpeaker);
                }
                if found > MAX_SPEAKER {
                    return Err(TransitionError::SpeakerTooLong { max: MAX_SPEAKER, found });
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
            Action::EditSpeaker { speaker, kind } => {
                self.speaker = if *kind == SpeakerKind::Outlet { None } else { speaker.clone() };
                self.speaker_kind = *kind;
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
    use crate::Span;
    use Status::*;

    #[test]
    fn summarize_sets_resets_and_refuses_long_forms_in_any_status() {
        let policy = Policy::default();
        for &status in Status::ALL {
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
        for &from in Status::ALL {
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

    /// The full permission table: for every role, status and verb, whether
    /// the verb is offered, and why not.
    #[test]
    fn every_permission_in_the_table() {
        let second = Policy { require_second_review: true, ..Policy::default() };
        // (verb, statuses where it applies, least role on each of those)
        type Row = (Verb, Vec<Status>, fn(Status) -> Role);
        let table: Vec<Row> = vec![
            (Verb::Assign, vec![New, InReview, Resolved], |_| Role::Checker),
            (Verb::Start, vec![New], |_| Role::Checker),
            (Verb::Evidence, Status::ALL.to_vec(), |_| Role::Checker),
            (Verb::Verdict, vec![New, InReview], |_| Role::Checker),
            (Verb::Approve, vec![Resolved], |_| Role::Checker),
            (Verb::Dismiss, vec![New, InReview, Resolved], |_| Role::Editor),
            (Verb::Reopen, vec![Resolved, Published, Dismissed], |s| {
                if matches!(s, Published | Dismissed) { Role::Editor } else { Role::Checker }
            }),
            (Verb::Publish, vec![Resolved], |_| Role::Editor),
            (Verb::Unpublish, vec![Published], |_| Role::Editor),
            (Verb::Summarize, Status::ALL.to_vec(), |s| if matches!(s, Published | Dismissed) { Role::Editor } else { Role::Checker }),
            (Verb::Speaker, Status::ALL.to_vec(), |s| if matches!(s, Published | Dismissed) { Role::Editor } else { Role::Checker }),
        ];
        assert_eq!(table.len(), Verb::ALL.len(), "every verb is in the table");
        for (verb, statuses, least) in &table {
            for &status in Status::ALL {
                for &role in Role::ALL {
                    let standing = Standing { status, approved: false };
                    let result = verb.check(role, standing, &second);
                    if role < least(status) {
                        assert!(matches!(result, Err(TransitionError::Forbidden { .. })), "{verb} on {status} as {role}: {result:?}");
                    } else if !statuses.contains(&status) {
                        assert!(matches!(result, Err(TransitionError::Illegal { .. })), "{verb} on {status} as {role}: {result:?}");
                    } else {
                        assert_eq!(result, Ok(()), "{verb} on {status} as {role}");
                    }
                    assert_eq!(permitted(role, standing, &second).contains(verb), result.is_ok());
                }
            }
        }
        // Approval: only where a second review is required, and only once.
        let resolved = Standing { status: Resolved, approved: false };
        assert_eq!(Verb::Approve.check(Role::Admin, resolved, &Policy::default()), Err(TransitionError::NoSecondReview));
        let approved = Standing { status: Resolved, approved: true };
        assert_eq!(Verb::Approve.check(Role::Checker, approved, &second), Err(TransitionError::AlreadyApproved));
        let message = Verb::Publish.check(Role::Checker, resolved, &second).unwrap_err().to_string();
        assert_eq!(message, "only editors and above may publish a claim that is resolved");
    }

    #[test]
    fn the_speaker_is_corrected_named_anonymous_or_the_outlet() {
        let policy = Policy::default();
        let mut claim = claim_in(InReview);
        let named = Command::EditSpeaker { speaker: "  Steve   Witkoff ".into(), kind: SpeakerKind::Named };
        for action in named.into_actions(InReview, "").unwrap() {
            claim.apply(action, "ed", 1, &policy).unwrap();
        }
        assert_eq!((claim.speaker.as_deref(), claim.speaker_kind), (Some("Steve Witkoff"), SpeakerKind::Named));
        let outlet = Command::EditSpeaker { speaker: "ignored".into(), kind: SpeakerKind::Outlet };
        let event = claim.apply(outlet.into_actions(InReview, "").unwrap().remove(0), "ed", 2, &policy).unwrap();
        assert_eq!((claim.speaker.as_deref(), claim.speaker_kind, event.after), (None, SpeakerKind::Outlet, InReview));
        let nameless = Command::EditSpeaker { speaker: " ".into(), kind: SpeakerKind::Anonymous }.into_actions(InReview, "").unwrap();
        assert_eq!(claim.apply(nameless[0].clone(), "ed", 3, &policy), Err(TransitionError::MissingSpeaker));
        let long = Action::EditSpeaker { speaker: Some("x".repeat(201)), kind: SpeakerKind::Named };
        assert_eq!(claim.apply(long, "ed", 4, &policy), Err(TransitionError::SpeakerTooLong { max: 200, found: 201 }));
        assert_eq!(claim.version, 2, "refusals change nothing");
    }

    #[test]
    fn commands_become_lifecycle_actions() {
        let verdict = Command::Verdict { rating: "false".into(), explanation: " Official figures. ".into() };
        assert_eq!(verdict.verb(), Verb::Verdict);
        let on_new = verdict.clone().into_actions(New, "Prices doubled.").unwrap();
        assert_eq!(on_new, vec![Action::StartReview, Action::Resolve { rating: "false".into(), explanation: "Official figures.".into() }]);
        assert_eq!(verdict.into_actions(InReview, "Prices doubled.").unwrap().len(), 1);
        // The default short form is stored as "none", so it follows the sentence.
        let same = Command::Summarize { text: " Prices  doubled. ".into() };
        assert_eq!(same.into_actions(New, "Prices doubled.").unwrap(), vec![Action::Summarize { text: String::new() }]);
        let evidence = Command::AddEvidence(NewEvidence {
            url: "https://example.org/".into(),
            title: None,
            quoted_passage: None,
            note: None,
            stance: crate::Stance::Refutes,
        });
        assert_eq!(evidence.into_actions(New, ""), None);
        assert_eq!(Command::Assign { to: None }.done(), "Unassigned.");
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
