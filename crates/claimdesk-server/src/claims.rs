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
    // A change made against an older version is stale before anything
    // else: the client acted on what it saw, which is no longer so (the
    // store checks again, atomically, when it applies the change).
    if let Some(seen) = version
        && seen != claim.version
    {
        return Err(StoreError::StaleVersion { id: claim.id, expected: seen, found: claim.version }.into());
    }
    let policy = state.policy().await?;
    command.verb().check(role, claim.standing(), &policy)?;
    let command = command.normalized()?;
    let done = command.done();
    match &command {
        Command::AddEvidence(evidence) => {
            state.store.add_evidence(claim.id, evidence, actor).await?;
            state.counts.invalidate();
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
    state.store.apply_claim_actions(claim.id, version, actions, actor, &policy).await?;
    state.counts.invalidate();
    // The change is committed; keeping the library in step must not undo it.
    if let Err(e) = crate::library::sync_own_claim(state, claim.id, &policy).await {
        tracing::warn!(claim = claim.id, error = %e, "the fact-check library could not follow the claim");
    }
    Ok(done)
}
