//! What the desk's own decisions teach its check-worthiness model: the
//! labels they give, and the head trained on them (`claimdesk train
//! --from-database`), kept in the database so that every server node and
//! worker on it scores with the same one.
//!
//! Labels: a claim given a verdict (resolved or published) was worth
//! checking; one dismissed as not check-worthy was not. Claims dismissed
//! as duplicates or for another reason, and open ones, say nothing. Copies
//! of one claim (same `text_key`) count once, with the latest decision.

use std::collections::HashSet;

use claimdesk_core::{DismissalKind, Status};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{claim, setting};
use crate::{Store, StoreError};

/// The setting that holds the desk's head (`claimdesk_linear::Head` text).
pub const DESK_HEAD: &str = "desk.checkworthiness_head";
/// The setting that says how it was trained and measured (JSON).
pub const DESK_HEAD_INFO: &str = "desk.checkworthiness_head_info";

/// One labelled sentence from the desk's decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskDecision {
    pub claim_id: i64,
    pub text: String,
    pub worth_checking: bool,
}

/// The desk's head and what was recorded with it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskHead {
    /// `claimdesk_linear::Head` text.
    pub head: String,
    /// `None` when the record cannot be read (the head still can).
    pub info: Option<DeskHeadInfo>,
}

/// How the desk's head was trained and how it measured.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeskHeadInfo {
    /// Unix seconds.
    pub trained_at: i64,
    pub decisions: usize,
    pub worth_checking: usize,
    pub not_checkworthy: usize,
    pub folds: usize,
    /// The shipped head, cross-validated on the decisions.
    pub before: Figures,
    /// The desk's own head, on the same folds.
    pub after: Figures,
    pub penalty: f32,
    pub threshold: f32,
    /// The desk model whose vectors it reads.
    pub desk_model: String,
    pub command: String,
}

/// Precision, recall and F1 of "worth checking".
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figures {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Store {
    /// Every labelled decision, newest first, one per claim text.
    pub async fn desk_decisions(&self) -> Result<Vec<DeskDecision>, StoreError> {
        let decided = [Status::Resolved, Status::Published].map(|s| s.as_str());
        let rows = claim::Entity::find()
            .filter(
                Condition::any().add(claim::Column::Status.is_in(decided)).add(
                    Condition::all()
                        .add(claim::Column::Status.eq(Status::Dismissed.as_str()))
                        .add(claim::Column::DismissalKind.eq(DismissalKind::NotCheckworthy.as_str())),
                ),
            )
            .order_by_desc(claim::Column::UpdatedAt)
            .order_by_desc(claim::Column::Id)
            .all(&self.read)
            .await?;
        let mut seen = HashSet::new();
        Ok(rows
            .into_iter()
            .filter(|row| seen.insert(row.text_key.clone().unwrap_or_else(|| claimdesk_core::claim_key(&row.text))))
            .map(|row| DeskDecision { claim_id: row.id, worth_checking: row.status != Status::Dismissed.as_str(), text: row.text })
            .collect())
    }

    /// The desk's own head, if one was trained and not switched back.
    pub async fn desk_head(&self) -> Result<Option<DeskHead>, StoreError> {
        let Some(head) = self.setting(DESK_HEAD).await? else { return Ok(None) };
        let info = self.setting(DESK_HEAD_INFO).await?.and_then(|text| serde_json::from_str(&text).ok());
        Ok(Some(DeskHead { head, info }))
    }

    /// Stores the desk's head and its record, replacing any before.
    pub async fn set_desk_head(&self, head: &DeskHead) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let info = head.info.as_ref().map(serde_json::to_string).transpose().map_err(|e| StoreError::Corrupt {
            table: "settings",
            column: "value",
            reason: e.to_string(),
        })?;
        for (key, value) in [(DESK_HEAD, Some(&head.head)), (DESK_HEAD_INFO, info.as_ref())] {
            let Some(value) = value else { continue };
            setting::Entity::delete_by_id(key).exec(&txn).await?;
            setting::Entity::insert(setting::ActiveModel { key: sea_orm::Set(key.to_owned()), value: sea_orm::Set(value.clone()) })
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Goes back to the shipped head; says whether the desk had its own.
    pub async fn clear_desk_head(&self) -> Result<bool, StoreError> {
        let txn = self.begin_write().await?;
        let done = setting::Entity::delete_many().filter(setting::Column::Key.is_in([DESK_HEAD, DESK_HEAD_INFO])).exec(&txn).await?;
        txn.commit().await?;
        Ok(done.rows_affected > 0)
    }
}
