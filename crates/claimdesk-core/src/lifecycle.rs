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

use crate::{Claim, DismissalKind, MAX_CLAIM_REVIEWED, NewEvidence, RatingScale, SpeakerKind, short_form};

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
        /// Edit or delete an evidence item.
        EditEvidence = "edit_evidence",
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

/// What the permission check needs to know of a claim, as one person
/// sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    /// A second reviewer has approved the current verdict.
    pub approved: bool,
    /// The person asking gave the current verdict (so cannot be its second
    /// review).
    pub own_verdict: bool,
    /// Evidence items the claim has.
    pub evidence: usize,
}

impl Standing {
    /// A claim in `status`, not approved, with no evidence, whose verdict
    /// (if any) is someone else's.
    pub fn new(status: Status) -> Standing {
        Standing { status, approved: false, own_verdict: false, evidence: 0 }
    }
}

impl Verb {
    /// The least role that may take this action on a claim in `status`.
    pub fn least_role(self, status: Status) -> Role {
        use Status::*;
        match (self, status) {
            (Verb::Dismiss | Verb::Publish | Verb::Unpublish, _) => Role::Editor,
            // What is public, or was set aside by an editor, stays an
            // editor's: every change to it, evidence added included (it
            // shows on the public fact-check at once).
            (_, Published | Dismissed) => Role::Editor,
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
            Verb::Evidence | Verb::EditEvidence | Verb::Summarize | Verb::Speaker => true,
            Verb::Verdict => status.is_open(),
            Verb::Approve => {
                if !policy.require_second_review {
                    return Err(TransitionError::NoSecondReview);
                }
                if status == Resolved && standing.approved {
                    return Err(TransitionError::AlreadyApproved);
                }
                if status == Resolved && standing.own_verdict {
                    return Err(TransitionError::OwnVerdict);
                }
                status == Resolved
            }
            Verb::Reopen => matches!(status, Resolved | Published | Dismissed),
            Verb::Publish => {
                if status == Resolved && policy.require_second_review && !standing.approved {
                    return Err(TransitionError::NeedsSecondReview);
                }
                if status == Resolved && policy.publish_needs_evidence && standing.evidence == 0 {
                    return Err(TransitionError::NeedsEvidence);
                }
                status == Resolved
            }
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
        kind: DismissalKind,
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
    /// Replaces evidence item `id` of the claim.
    EditEvidence {
        id: i64,
        evidence: NewEvidence,
    },
    /// Deletes evidence item `id` of the claim (its history keeps it).
    DeleteEvidence {
        id: i64,
    },
    Verdict {
        rating: String,
        explanation: String,
    },
    Approve,
    /// An empty reason is the kind's label, except for
    /// [`DismissalKind::Other`], which needs one.
    Dismiss {
        kind: DismissalKind,
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
    /// The command as every way in must send it: names and texts trimmed,
    /// blanks as absent, the evidence address a web address. Pages and the
    /// API parse loosely and leave this to the one executor.
    pub fn normalized(self) -> Result<Command, TransitionError> {
        let present = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(match self {
            Command::Assign { to } => Command::Assign { to: present(to) },
            Command::AddEvidence(e) => Command::AddEvidence(e.normalized()?),
            Command::EditEvidence { id, evidence } => Command::EditEvidence { id, evidence: evidence.normalized()? },
            other => other,
        })
    }

    pub fn verb(&self) -> Verb {
        match self {
            Command::Assign { .. } => Verb::Assign,
            Command::Start => Verb::Start,
            Command::AddEvidence(_) => Verb::Evidence,
            Command::EditEvidence { .. } | Command::DeleteEvidence { .. } => Verb::EditEvidence,
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
            Command::AddEvidence(_) | Command::EditEvidence { .. } | Command::DeleteEvidence { .. } => return None,
            Command::Verdict { rating, explanation } => {
                let resolve = Action::Resolve { rating, explanation: explanation.trim().to_owned() };
                if status == Status::New { vec![Action::StartReview, resolve] } else { vec![resolve] }
            }
            Command::Approve => vec![Action::Approve],
            Command::Dismiss { kind, reason } => {
                let reason = reason.trim();
                let reason = if reason.is_empty() && kind != DismissalKind::Other { kind.label() } else { reason };
                vec![Action::Dismiss { kind, reason: reason.to_owned() }]
            }
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
            Command::EditEvidence { .. } => "Evidence saved.".to_owned(),
            Command::DeleteEvidence { .. } => "Evidence deleted; the claim's history keeps what it said.".to_owned(),
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
    #[error("you gave this verdict: its second review must be someone else's")]
    OwnVerdict,
    #[error("publishing needs at least one evidence item: add the sources the verdict rests on")]
    NeedsEvidence,
    #[error("the archived copy needs a web address starting with http:// or https://")]
    ArchiveAddress,
    #[error("the short form of a claim is at most {max} characters; this one has {found}")]
    SummaryTooLong { max: usize, found: usize },
    #[error("the evidence needs a web address starting with http:// or https://")]
    EvidenceAddress,
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
    /// A claim is published only with at least one evidence item (the
    /// installation's setting; on unless an admin turns it off).
    pub publish_needs_evidence: bool,
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
            (Action::Dismiss { reason, .. }, New | InReview | Resolved) => {
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
            Action::Dismiss { kind, reason } => {
                self.dismissal_reason = Some(reason.clone());
                self.dismissal_kind = Some(*kind);
            }
            Action::Reopen => {
                self.dismissal_reason = None;
                self.dismissal_kind = None;
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
mod tests;
