//! Changing claims: the one place where a [`Command`] — parsed from a claim
//! page's form or from an API body — is checked and carried out.
//!
//! Invariant: every change to a claim goes through [`execute`], which asks
//! the core's permission check ([`claimdesk_core::Verb::check`]) before the
//! store applies the lifecycle under an optimistic version check.

use claimdesk_core::Command;
use claimdesk_store::{ClaimRow, StoreError};

use crate::AppState;
use crate::auth::Role;
use crate::error::AppError;

/// Carries out `command` on `claim` for `actor`, whose role is `role`;
/// `version` is the claim's version as the client saw it (evidence, which
/// only accumulates, needs none). Returns what to tell the user.
pub(crate) async fn execute(
    state: &AppState,
    actor: &str,
    role: Role,
    claim: &ClaimRow,
    version: Option<i32>,
    command: Command,
) -> Result<String, AppError> {
    let policy = state.policy().await?;
    execute_under(state, &policy, actor, role, claim, version, command).await
}

/// [`execute`] under rules already read (a bulk action reads them once).
async fn execute_under(
    state: &AppState,
    policy: &claimdesk_core::Policy,
    actor: &str,
    role: Role,
    claim: &ClaimRow,
    version: Option<i32>,
    command: Command,
) -> Result<String, AppError> {
    // A change made against an older version is stale before anything
    // else: the client acted on what it saw, which is no longer so (the
    // store checks again, atomically, when it applies the change).
    if let Some(seen) = version
        && seen != claim.version
    {
        return Err(StoreError::StaleVersion { id: claim.id, expected: seen, found: claim.version }.into());
    }
    let evidence = if command.verb() == claimdesk_core::Verb::Publish { state.store.evidence_count(claim.id).await? } else { 0 };
    command.verb().check(role, claim.standing_for(actor, evidence), policy)?;
    let command = command.normalized()?;
    let done = command.done();
    let changed = || state.live.publish(&state.store, claimdesk_store::LiveEvent::new("claim", vec![claim.id], Some(claim.document_id)));
    match &command {
        Command::AddEvidence(evidence) => {
            state.store.add_evidence(claim.id, evidence, actor).await?;
            state.counts.invalidate();
            changed().await;
            return Ok(done);
        }
        Command::EditEvidence { id, evidence } => {
            state.store.update_evidence(claim.id, *id, evidence, actor).await?;
            changed().await;
            return Ok(done);
        }
        Command::DeleteEvidence { id } => {
            state.store.delete_evidence(claim.id, *id, actor).await?;
            changed().await;
            return Ok(done);
        }
        Command::Assign { to: Some(name) } => match state.store.user_by_name(name).await? {
            Some(user) if user.active => {}
            _ => return Err(AppError::BadRequest(format!("There is no active user {name:?}."))),
        },
        _ => {}
    }
    let version = version.ok_or_else(|| AppError::BadRequest("The request lost the claim's version; reload the claim.".to_owned()))?;
    let actions = command.into_actions(claim.status, &claim.text).unwrap_or_default();
    state.store.apply_claim_actions(claim.id, version, actions, actor, policy).await?;
    state.counts.invalidate();
    changed().await;
    // The change is committed; keeping the library in step must not undo it.
    if let Err(e) = crate::library::sync_own_claim(state, claim.id, policy).await {
        tracing::warn!(claim = claim.id, error = %e, "the fact-check library could not follow the claim");
    }
    Ok(done)
}

/// A claim by hand as a form or API body gives it: a selection's text,
/// or 1-based sentence numbers; an optional note.
#[derive(Debug, Clone, Default)]
pub(crate) struct HandInput {
    pub quote: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

/// The longest note on a claim by hand, in characters.
const MAX_HAND_NOTE: usize = 2000;

/// Adds a claim the detectors missed to document `document_id`, by `actor`.
pub(crate) async fn add_by_hand(state: &AppState, actor: &str, document_id: i64, input: &HandInput) -> Result<ClaimRow, AppError> {
    use claimdesk_store::HandSelection;
    let note = input.note.trim();
    if note.chars().count() > MAX_HAND_NOTE {
        return Err(AppError::BadRequest(format!("The note is at most {MAX_HAND_NOTE} characters.")));
    }
    let selection = if !input.quote.trim().is_empty() {
        let document = state.store.document(document_id).await?;
        let (start, end) = claimdesk_core::quote_span(&document.body, &input.quote)
            .ok_or_else(|| AppError::BadRequest("The selected text is not in this document; select it again.".to_owned()))?;
        HandSelection::Span { start, end }
    } else {
        let number = |name: &str, value: &str| {
            value.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                AppError::BadRequest(format!("Give the {name} sentence as a number from 1 (or select the text), not {:?}.", value.trim()))
            })
        };
        let first = number("first", &input.from)?;
        let last = if input.to.trim().is_empty() { first } else { number("last", &input.to)? };
        HandSelection::Sentences { first: first - 1, last: last - 1 }
    };
    let note = Some(note).filter(|n| !n.is_empty());
    let claim = state.store.add_claim_by_hand(document_id, selection, actor, note).await.map_err(|e| match e {
        StoreError::Invalid(message) => AppError::BadRequest(crate::pages::upper_first(&message) + "."),
        StoreError::Duplicate { name, .. } => AppError::Duplicate(format!("These sentences are already claim {name}.")),
        other => other.into(),
    })?;
    state.counts.invalidate();
    state.live.publish(&state.store, claimdesk_store::LiveEvent::new("claim", vec![claim.id], Some(document_id))).await;
    Ok(claim)
}

/// What a bulk action did: the claims changed, and those refused with why.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    pub done: Vec<i64>,
    pub refused: Vec<SkippedCopy>,
}

/// Carries out `command` on each of `items` (claim id and the version the
/// client saw), one by one through [`execute`]: a refusal of one claim
/// (stale, not allowed now, not found, not the role's) is reported and the
/// others go ahead.
pub(crate) async fn bulk(
    state: &AppState,
    actor: &str,
    role: Role,
    items: &[(i64, i32)],
    command: &Command,
) -> Result<BulkOutcome, AppError> {
    let mut outcome = BulkOutcome::default();
    let policy = state.policy().await?;
    for &(id, version) in items {
        let result = match state.store.claim(id).await {
            Ok(claim) => execute_under(state, &policy, actor, role, &claim, Some(version), command.clone()).await,
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(_) => outcome.done.push(id),
            Err(AppError::StaleVersion(_)) => {
                outcome.refused.push(SkippedCopy { id, reason: "someone changed it after you loaded the page".to_owned() })
            }
            Err(e @ (AppError::Unavailable(_) | AppError::Internal(_))) => return Err(e),
            Err(e) => outcome.refused.push(SkippedCopy { id, reason: e.to_string() }),
        }
    }
    Ok(outcome)
}

/// What "Use this verdict" did: the evidence it added (if the earlier
/// fact-check has a web address) and the verdict it proposes, for the
/// checker to confirm on the verdict form.
pub(crate) struct Proposal {
    pub evidence_added: bool,
    /// A rating key of the installation's scale, or empty when the earlier
    /// rating fits none.
    pub rating: String,
    pub explanation: String,
}

/// "Use this verdict": adds library item `item` to `claim` as evidence and
/// proposes its rating. Nothing is decided: the verdict waits for the
/// checker.
pub(crate) async fn use_match(state: &AppState, actor: &str, role: Role, claim: &ClaimRow, item: i64) -> Result<Proposal, AppError> {
    let policy = state.policy().await?;
    // Asked first, whether or not the item has an address to add: a role
    // that may not add evidence to this claim is proposed nothing either.
    claimdesk_core::Verb::Evidence.check(role, claim.standing_for(actor, 0), &policy)?;
    let item = state
        .store
        .fact_checks_by_id(&[item])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(format!("There is no library item {item}.")))?;
    let rating = item.rating_label.as_deref().and_then(|label| policy.scale.closest(label));
    let source = item
        .publisher
        .clone()
        .unwrap_or_else(|| if item.claim_id.is_some() { "this desk".to_owned() } else { "another fact-checker".to_owned() });
    let rated = item.rating_label.as_deref().map_or_else(String::new, |l| format!(" rated it {l:?}"));
    let dated = item.published.as_deref().map_or_else(String::new, |d| format!(" ({d})"));
    let address = item.url.clone().filter(|u| claimdesk_core::input::is_web_url(u));
    let evidence_added = match &address {
        Some(url) => {
            let evidence = claimdesk_core::NewEvidence {
                archived_url: None,
                url: url.clone(),
                title: Some(format!("{source}: {}", item.claim)),
                quoted_passage: None,
                note: Some(format!("Earlier fact-check{dated}; {source}{rated}.")),
                stance: rating.map_or(claimdesk_core::Stance::Context, |r| policy.scale.stance(r)),
            };
            execute_under(state, &policy, actor, role, claim, None, Command::AddEvidence(evidence)).await?;
            true
        }
        None => false,
    };
    let link = match (&address, item.claim_id) {
        (Some(url), _) => format!(" {url}"),
        (None, Some(id)) => format!(" (claim #{id})"),
        (None, None) => String::new(),
    };
    Ok(Proposal {
        evidence_added,
        rating: rating.map(|r| r.key.clone()).unwrap_or_default(),
        explanation: format!("An earlier fact-check by {source}{dated} of the same claim, \"{}\",{rated}.{link}", item.claim),
    })
}

/// What resolving a claim's copies did.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct CopiesDismissed {
    /// The copies now dismissed as duplicates.
    pub dismissed: Vec<i64>,
    /// Copies left as they were, and why (already published, changed by
    /// someone else meanwhile, …).
    pub skipped: Vec<SkippedCopy>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SkippedCopy {
    pub id: i64,
    pub reason: String,
}

/// Dismisses every copy of `claim` in other documents as its duplicate,
/// each through [`execute`] (so each is permission-checked and recorded
/// in its history). A role that may not dismiss is refused outright; a
/// copy that cannot be dismissed now is skipped with the core's reason.
pub(crate) async fn dismiss_copies(state: &AppState, actor: &str, role: Role, claim: &ClaimRow) -> Result<CopiesDismissed, AppError> {
    let mut done = CopiesDismissed::default();
    let policy = state.policy().await?;
    for copy in state.store.claim_copies(claim.id).await? {
        match claimdesk_core::Verb::Dismiss.check(role, copy.standing(), &policy) {
            Err(e @ claimdesk_core::TransitionError::Forbidden { .. }) => return Err(e.into()),
            Err(e) => {
                done.skipped.push(SkippedCopy { id: copy.id, reason: e.to_string() });
                continue;
            }
            Ok(()) => {}
        }
        let row = state.store.claim(copy.id).await?;
        let reason = format!("Duplicate of claim #{}", claim.id);
        match execute_under(
            state,
            &policy,
            actor,
            role,
            &row,
            Some(copy.version),
            Command::Dismiss { kind: claimdesk_core::DismissalKind::Duplicate, reason },
        )
        .await
        {
            Ok(_) => done.dismissed.push(copy.id),
            Err(e @ AppError::Forbidden(_)) => return Err(e),
            Err(e) => done.skipped.push(SkippedCopy { id: copy.id, reason: e.to_string() }),
        }
    }
    Ok(done)
}
