//! Internal notes on claims, their earlier versions, and notifications.
//!
//! Invariant: a note's every earlier text is kept (`note_versions`); a
//! note is added or edited in one transaction with its history event and
//! the notifications it raises.

use claimdesk_core::NotificationKind;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{claim, event, note, note_version, notification, user};
use crate::{Store, StoreError, now};

/// A note as the claim page shows it, with its earlier texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    pub id: i64,
    pub claim_id: i64,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Earlier texts, oldest first, with when each was written.
    pub earlier: Vec<(String, i64)>,
}

/// A notification as its user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub claim_id: i64,
    pub note_id: Option<i64>,
    pub kind: NotificationKind,
    pub actor: String,
    pub created_at: i64,
    pub read: bool,
    /// The claim's text, for the list.
    pub claim_text: String,
}

/// Who a new or edited note tells: user ids with the reason.
pub type Recipients = Vec<(i64, NotificationKind)>;

impl Store {
    /// Adds `author`'s note `body` to claim `claim_id`, telling
    /// `recipients`; records an `add_note` event.
    pub async fn add_note(&self, claim_id: i64, author: &str, body: &str, recipients: &Recipients) -> Result<NoteRow, StoreError> {
        let txn = self.begin_write().await?;
        let claim = claim::Entity::find_by_id(claim_id).one(&txn).await?.ok_or(StoreError::NotFound { what: "claim", id: claim_id })?;
        let at = now();
        let row = note::ActiveModel {
            id: Default::default(),
            claim_id: Set(claim_id),
            author: Set(author.to_owned()),
            body: Set(body.to_owned()),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&txn)
        .await?;
        crate::review::record(&txn, &claim, author, "add_note", serde_json::json!({ "note": row.id }), at).await?;
        notify(&txn, claim_id, row.id, author, recipients, at).await?;
        txn.commit().await?;
        Ok(NoteRow { id: row.id, claim_id, author: row.author, body: row.body, created_at: at, updated_at: at, earlier: Vec::new() })
    }

    /// Replaces the text of note `id` of claim `claim_id`, keeping the old
    /// one; only its author may (anyone else: `None` is returned and
    /// nothing changes). Tells `recipients` (new mentions).
    pub async fn edit_note(
        &self,
        claim_id: i64,
        id: i64,
        author: &str,
        body: &str,
        recipients: &Recipients,
    ) -> Result<Option<()>, StoreError> {
        let txn = self.begin_write().await?;
        let claim = claim::Entity::find_by_id(claim_id).one(&txn).await?.ok_or(StoreError::NotFound { what: "claim", id: claim_id })?;
        let old = note::Entity::find_by_id(id)
            .filter(note::Column::ClaimId.eq(claim_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound { what: "note", id })?;
        if old.author != author {
            return Ok(None);
        }
        let at = now();
        note_version::ActiveModel {
            id: Default::default(),
            note_id: Set(id),
            body: Set(old.body.clone()),
            written_at: Set(old.updated_at),
        }
        .insert(&txn)
        .await?;
        let mut row: note::ActiveModel = old.into();
        row.body = Set(body.to_owned());
        row.updated_at = Set(at);
        row.update(&txn).await?;
        crate::review::record(&txn, &claim, author, "edit_note", serde_json::json!({ "note": id }), at).await?;
        notify(&txn, claim_id, id, author, recipients, at).await?;
        txn.commit().await?;
        Ok(Some(()))
    }

    /// Claim `claim_id`'s notes, oldest first, with their earlier texts.
    pub async fn claim_notes(&self, claim_id: i64) -> Result<Vec<NoteRow>, StoreError> {
        let notes = note::Entity::find().filter(note::Column::ClaimId.eq(claim_id)).order_by_asc(note::Column::Id).all(&self.read).await?;
        let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
        let versions = if ids.is_empty() {
            Vec::new()
        } else {
            note_version::Entity::find()
                .filter(note_version::Column::NoteId.is_in(ids))
                .order_by_asc(note_version::Column::Id)
                .all(&self.read)
                .await?
        };
        Ok(notes
            .into_iter()
            .map(|n| NoteRow {
                earlier: versions.iter().filter(|v| v.note_id == n.id).map(|v| (v.body.clone(), v.written_at)).collect(),
                id: n.id,
                claim_id: n.claim_id,
                author: n.author,
                body: n.body,
                created_at: n.created_at,
                updated_at: n.updated_at,
            })
            .collect())
    }

    /// The users a note on claim `claim_id` concerns besides those it
    /// mentions: its assignee and whoever gave, approved or published its
    /// verdict. Active users' ids and names.
    pub async fn claim_followers(&self, claim_id: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let claim =
            claim::Entity::find_by_id(claim_id).one(&self.read).await?.ok_or(StoreError::NotFound { what: "claim", id: claim_id })?;
        let reviewers: Vec<String> = event::Entity::find()
            .select_only()
            .column(event::Column::Actor)
            .distinct()
            .filter(event::Column::ClaimId.eq(claim_id))
            .filter(event::Column::Action.is_in(["resolve", "approve", "publish"]))
            .into_tuple()
            .all(&self.read)
            .await?;
        let mut names: Vec<String> =
            [claim.assignee, claim.resolved_by, claim.approved_by].into_iter().flatten().chain(reviewers).collect();
        names.sort();
        names.dedup();
        let users: Vec<(i64, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Name])
            .filter(user::Column::Name.is_in(names))
            .filter(user::Column::Active.eq(true))
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(users)
    }

    /// User `user_id`'s latest notifications, newest first.
    pub async fn notifications(&self, user_id: i64, limit: u64) -> Result<Vec<NotificationRow>, StoreError> {
        let rows = notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .order_by_desc(notification::Column::Id)
            .limit(limit)
            .all(&self.read)
            .await?;
        let claim_ids: Vec<i64> = rows.iter().map(|r| r.claim_id).collect();
        let texts: Vec<(i64, String)> = if claim_ids.is_empty() {
            Vec::new()
        } else {
            claim::Entity::find()
                .select_only()
                .columns([claim::Column::Id, claim::Column::Text])
                .filter(claim::Column::Id.is_in(claim_ids))
                .into_tuple()
                .all(&self.read)
                .await?
        };
        rows.into_iter()
            .map(|r| {
                Ok(NotificationRow {
                    kind: crate::rows::parse("notifications", "kind", &r.kind)?,
                    claim_text: texts.iter().find(|(id, _)| *id == r.claim_id).map(|(_, t)| t.clone()).unwrap_or_default(),
                    id: r.id,
                    claim_id: r.claim_id,
                    note_id: r.note_id,
                    actor: r.actor,
                    created_at: r.created_at,
                    read: r.read_at.is_some(),
                })
            })
            .collect()
    }

    /// How many of user `user_id`'s notifications are unread.
    pub async fn unread_notifications(&self, user_id: i64) -> Result<u64, StoreError> {
        Ok(notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .count(&self.read)
            .await?)
    }

    /// Marks all of user `user_id`'s notifications read; returns how many were unread.
    pub async fn mark_notifications_read(&self, user_id: i64) -> Result<u64, StoreError> {
        let done = notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now()))
            .filter(notification::Column::UserId.eq(user_id))
            .filter(notification::Column::ReadAt.is_null())
            .exec(&self.write)
            .await?;
        Ok(done.rows_affected)
    }
}

async fn notify(
    txn: &sea_orm::DatabaseTransaction,
    claim_id: i64,
    note_id: i64,
    actor: &str,
    recipients: &Recipients,
    at: i64,
) -> Result<(), StoreError> {
    for (user_id, kind) in recipients {
        notification::ActiveModel {
            id: Default::default(),
            user_id: Set(*user_id),
            claim_id: Set(claim_id),
            note_id: Set(Some(note_id)),
            kind: Set(kind.as_str().to_owned()),
            actor: Set(actor.to_owned()),
            created_at: Set(at),
            read_at: Set(None),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
