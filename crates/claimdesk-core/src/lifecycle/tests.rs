//! Every transition and every permission, as tables.

use super::*;
use crate::{Span, Stance};
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
        Action::Dismiss { kind: DismissalKind::NotCheckworthy, reason: "opinion".into() },
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
    // (verb, statuses where it applies, least role on an open or resolved
    // claim)
    type Row = (Verb, Vec<Status>, fn(Status) -> Role);
    let table: Vec<Row> = vec![
        (Verb::Assign, vec![New, InReview, Resolved], |_| Role::Checker),
        (Verb::Start, vec![New], |_| Role::Checker),
        (Verb::Evidence, Status::ALL.to_vec(), |_| Role::Checker),
        (Verb::EditEvidence, Status::ALL.to_vec(), |_| Role::Checker),
        (Verb::Verdict, vec![New, InReview], |_| Role::Checker),
        (Verb::Approve, vec![Resolved], |_| Role::Checker),
        (Verb::Dismiss, vec![New, InReview, Resolved], |_| Role::Editor),
        (Verb::Reopen, vec![Resolved, Published, Dismissed], |_| Role::Checker),
        (Verb::Publish, vec![Resolved], |_| Role::Editor),
        (Verb::Unpublish, vec![Published], |_| Role::Editor),
        (Verb::Summarize, Status::ALL.to_vec(), |_| Role::Checker),
        (Verb::Speaker, Status::ALL.to_vec(), |_| Role::Checker),
    ];
    assert_eq!(table.len(), Verb::ALL.len(), "every verb is in the table");
    for (verb, statuses, least) in &table {
        for &status in Status::ALL {
            for &role in Role::ALL {
                // Publishing is checked on an approved verdict with evidence
                // (the refusals without are tested below).
                let standing = Standing { approved: *verb == Verb::Publish, evidence: 1, ..Standing::new(status) };
                let result = verb.check(role, standing, &second);
                // Whatever the verb, a published or dismissed claim is an
                // editor's to change.
                let needed = if matches!(status, Published | Dismissed) { Role::Editor } else { least(status) };
                if role < needed {
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
    let resolved = Standing::new(Resolved);
    assert_eq!(Verb::Approve.check(Role::Admin, resolved, &Policy::default()), Err(TransitionError::NoSecondReview));
    let approved = Standing { approved: true, ..resolved };
    assert_eq!(Verb::Approve.check(Role::Checker, approved, &second), Err(TransitionError::AlreadyApproved));
    let message = Verb::Publish.check(Role::Checker, resolved, &second).unwrap_err().to_string();
    assert_eq!(message, "only editors and above may publish a claim that is resolved");
}

#[test]
fn the_one_who_gave_the_verdict_is_not_offered_its_second_review_nor_publishing_before_it() {
    let second = Policy { require_second_review: true, ..Policy::default() };
    let own = Standing { own_verdict: true, evidence: 1, ..Standing::new(Resolved) };
    assert_eq!(Verb::Approve.check(Role::Editor, own, &second), Err(TransitionError::OwnVerdict));
    assert_eq!(Verb::Publish.check(Role::Editor, own, &second), Err(TransitionError::NeedsSecondReview));
    let offered = permitted(Role::Editor, own, &second);
    assert!(!offered.contains(&Verb::Approve) && !offered.contains(&Verb::Publish), "{offered:?}");
    // Someone else's verdict: approve, then (anyone, the verdict's author too) publish.
    let other = Standing { own_verdict: false, ..own };
    assert!(permitted(Role::Editor, other, &second).contains(&Verb::Approve));
    let approved = Standing { approved: true, ..own };
    assert!(permitted(Role::Editor, approved, &second).contains(&Verb::Publish));
}

#[test]
fn publishing_needs_evidence_when_the_installation_says_so() {
    let needs = Policy { publish_needs_evidence: true, ..Policy::default() };
    let bare = Standing::new(Resolved);
    assert_eq!(Verb::Publish.check(Role::Editor, bare, &needs), Err(TransitionError::NeedsEvidence));
    assert!(!permitted(Role::Editor, bare, &needs).contains(&Verb::Publish));
    assert_eq!(Verb::Publish.check(Role::Editor, Standing { evidence: 1, ..bare }, &needs), Ok(()));
    assert_eq!(Verb::Publish.check(Role::Editor, bare, &Policy::default()), Ok(()), "off: no evidence needed");
    // The role is still the first refusal.
    assert!(matches!(Verb::Publish.check(Role::Checker, bare, &needs), Err(TransitionError::Forbidden { .. })));
}

#[test]
fn evidence_edits_are_normalised_like_additions() {
    let edit = Command::EditEvidence {
        id: 3,
        evidence: NewEvidence {
            url: " https://a.example/x ".to_owned(),
            title: Some("  ".to_owned()),
            quoted_passage: None,
            note: None,
            stance: Stance::Refutes,
            archived_url: Some(" https://web.archive.example/a.example/x ".to_owned()),
        },
    };
    let Command::EditEvidence { id, evidence } = edit.clone().normalized().unwrap() else { panic!() };
    assert_eq!((id, evidence.url.as_str(), evidence.title), (3, "https://a.example/x", None));
    assert_eq!(evidence.archived_url.as_deref(), Some("https://web.archive.example/a.example/x"));
    let Command::EditEvidence { evidence, .. } = edit else { panic!() };
    let bad = Command::EditEvidence { id: 3, evidence: NewEvidence { archived_url: Some("javascript:x".to_owned()), ..evidence } };
    assert_eq!(bad.normalized(), Err(TransitionError::ArchiveAddress));
    assert_eq!(Command::DeleteEvidence { id: 3 }.verb(), Verb::EditEvidence);
    assert_eq!(Command::DeleteEvidence { id: 3 }.into_actions(Status::InReview, "x"), None, "outside the lifecycle");
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
        archived_url: None,
        url: "https://example.org/".into(),
        title: None,
        quoted_passage: None,
        note: None,
        stance: crate::Stance::Refutes,
    });
    assert_eq!(evidence.clone().into_actions(New, ""), None);
    // Normalized once for every way in: trimmed, blanks absent, web addresses only.
    let loose = Command::AddEvidence(NewEvidence {
        archived_url: None,
        url: " https://example.org/a ".into(),
        title: Some("  ".into()),
        quoted_passage: Some(" four per cent ".into()),
        note: None,
        stance: crate::Stance::Refutes,
    });
    let Ok(Command::AddEvidence(tidy)) = loose.normalized() else { panic!("normalized") };
    assert_eq!((tidy.url.as_str(), tidy.title, tidy.quoted_passage.as_deref()), ("https://example.org/a", None, Some("four per cent")));
    let Command::AddEvidence(mut bad) = evidence else { panic!() };
    bad.url = "javascript:alert(1)".into();
    assert_eq!(Command::AddEvidence(bad).normalized(), Err(TransitionError::EvidenceAddress));
    assert_eq!(Command::Assign { to: Some("  ".into()) }.normalized(), Ok(Command::Assign { to: None }));
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
    let no_reason = Action::Dismiss { kind: DismissalKind::Other, reason: String::new() };
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

#[test]
fn a_dismissal_keeps_its_kind_until_reopened_and_a_bare_kind_is_its_own_reason() {
    let policy = Policy::default();
    let mut claim = claim_in(InReview);
    let actions = Command::Dismiss { kind: DismissalKind::NotCheckworthy, reason: "  ".into() }.into_actions(InReview, "x").unwrap();
    assert_eq!(actions, vec![Action::Dismiss { kind: DismissalKind::NotCheckworthy, reason: "Not check-worthy".into() }]);
    for action in actions {
        claim.apply(action, "ed", 1, &policy).unwrap();
    }
    assert_eq!((claim.dismissal_kind, claim.dismissal_reason.as_deref()), (Some(DismissalKind::NotCheckworthy), Some("Not check-worthy")));
    claim.apply(Action::Reopen, "ed", 2, &policy).unwrap();
    assert_eq!((claim.dismissal_kind, claim.dismissal_reason.as_deref()), (None, None));
    // "Other" still needs words.
    let other = Command::Dismiss { kind: DismissalKind::Other, reason: " ".into() }.into_actions(InReview, "x").unwrap();
    assert_eq!(claim.apply(other[0].clone(), "ed", 3, &policy), Err(TransitionError::MissingReason));
}
