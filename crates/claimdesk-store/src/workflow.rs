//! Claim actions: the core lifecycle applied to stored claims, with an
//! optimistic version check and an event per change.

use claimdesk_core::{Action, Claim, Policy, Span};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};

use crate::entity::{claim, event, flag};
use crate::{ClaimRow, EventRow, Store, StoreError, now};

impl Store {
    /// Applies `action` by `actor` to claim `id`, if its version is still
    /// `expected_version`; records the event. A stale version or an illegal
    /// transition changes nothing.
    pub async fn apply_claim_action(
        &self,
        id: i64,
        expected_version: i32,
        action: Action,
        actor: &str,
        policy: &Policy,
    ) -> Result<ClaimRow, StoreError> {
        self.apply_claim_actions(id, expected_version, vec![action], actor, policy).await
    }

    /// Applies `actions` in order as one change (for example starting the
    /// review and giving the verdict): all of them or, if any is refused or
    /// the version is stale, none. Each is an event; the version goes up by
    /// one per action.
    pub async fn apply_claim_actions(
        &self,
        id: i64,
        expected_version: i32,
        actions: Vec<Action>,
        actor: &str,
        policy: &Policy,
    ) -> Result<ClaimRow, StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        // On PostgreSQL, lock the row so that two concurrent changes cannot
        // both pass the version check (SQLite's BEGIN IMMEDIATE already
        // serialises writers).
        let mut find = claim::Entity::find_by_id(id);
        if self.backend() == crate::Backend::Postgres {
            find = find.lock_exclusive();
        }
        let row = find.one(&txn).await?.ok_or(StoreError::NotFound { what: "claim", id })?;
        if row.version != expected_version {
            return Err(StoreError::StaleVersion { id, expected: expected_version, found: row.version });
        }
        let mut model =
            Claim::new(row.sentence_idx as usize, Span::new(row.start as usize, row.end as usize), row.text.clone(), Vec::new());
        model.status = crate::rows::parse("claims", "status", &row.status)?;
        model.assignee = row.assignee.clone();
        model.verdict = row.verdict.clone();
        model.explanation = row.explanation.clone();
        model.resolved_by = row.resolved_by.clone();
        model.approved_by = row.approved_by.clone();
        model.dismissal_reason = row.dismissal_reason.clone();
        model.dismissal_kind = row.dismissal_kind.as_deref().map(|k| crate::rows::parse("claims", "dismissal_kind", k)).transpose()?;
        model.claim_reviewed = row.claim_reviewed.clone();
        model.speaker = row.speaker.clone();
        model.speaker_kind = crate::rows::parse("claims", "speaker_kind", &row.speaker_kind)?;
        let mut events = Vec::with_capacity(actions.len());
        for action in actions {
            events.push(model.apply(action, actor, at, policy).map_err(StoreError::Transition)?);
        }
        let mut active: claim::ActiveModel = row.into();
        active.status = Set(model.status.as_str().to_owned());
        active.assignee = Set(model.assignee);
        active.verdict = Set(model.verdict);
        active.explanation = Set(model.explanation);
        active.resolved_by = Set(model.resolved_by);
        active.approved_by = Set(model.approved_by);
        active.dismissal_reason = Set(model.dismissal_reason);
        active.dismissal_kind = Set(model.dismissal_kind.map(|k| k.as_str().to_owned()));
        active.claim_reviewed = Set(model.claim_reviewed);
        active.speaker = Set(model.speaker);
        active.speaker_kind = Set(model.speaker_kind.as_str().to_owned());
        active.version = Set(expected_version + events.len() as i32);
        active.updated_at = Set(at);
        let updated = active.update(&txn).await?;
        for event in events {
            event::ActiveModel {
                id: Default::default(),
                claim_id: Set(id),
                actor: Set(actor.to_owned()),
                at: Set(at),
                action: Set(event.action.name().to_owned()),
                before: Set(event.before.as_str().to_owned()),
                after: Set(event.after.as_str().to_owned()),
                detail: Set(serde_json::to_string(&event.action).unwrap_or_default()),
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        updated.try_into()
    }

    pub async fn claim(&self, id: i64) -> Result<ClaimRow, StoreError> {
        claim::Entity::find_by_id(id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "claim", id })?.try_into()
    }

    /// The audit trail of claim `id`, oldest first.
    pub async fn claim_events(&self, id: i64) -> Result<Vec<EventRow>, StoreError> {
        use sea_orm::QueryOrder;
        crate::rows::all(event::Entity::find().filter(event::Column::ClaimId.eq(id)).order_by_asc(event::Column::Id).all(&self.read).await?)
    }

    /// (claims, flags) stored for document `id`.
    pub async fn document_counts(&self, id: i64) -> Result<(u64, u64), StoreError> {
        Ok((
            claim::Entity::find().filter(claim::Column::DocumentId.eq(id)).count(&self.read).await?,
            flag::Entity::find().filter(flag::Column::DocumentId.eq(id)).count(&self.read).await?,
        ))
    }

    /// SQLite's `PRAGMA integrity_check` ("ok" when sound); "ok" on PostgreSQL.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        use sea_orm::ConnectionTrait;
        if self.backend() == crate::Backend::Postgres {
            return Ok("ok".to_owned());
        }
        let row = self.read.query_one_raw(sea_orm::Statement::from_string(self.db_backend(), "PRAGMA integrity_check")).await?;
        Ok(row.map(|r| r.try_get_by_index::<String>(0)).transpose()?.unwrap_or_default())
    }
}
