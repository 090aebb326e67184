//! Re-running plugins over a stored document without losing reviewers' work.

use std::collections::HashMap;

use claimdesk_core::Claim;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};

use crate::entity::{claim, document, flag, flag_rule};
use crate::refs::Learnt;
use crate::write::{claim_row, flag_row, insert_batched};
use crate::{Store, StoreError, now};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecheckOutcome {
    /// Flags raised again (their plugin version updated).
    pub kept: usize,
    pub new_flags: usize,
    /// Flags no plugin raises any more: kept, marked stale.
    pub stale: usize,
    pub new_claims: usize,
}

type FlagKey = (String, String, i64, i64);

impl Store {
    /// Reconciles document `id` with `claims`, the result of checking its
    /// text again: flags raised again are kept (with the new plugin
    /// version), new flags attach to the sentence's claim (created if
    /// needed), and flags no longer raised are marked stale. Claims keep
    /// their status, verdict, evidence and history.
    pub async fn recheck_document(&self, id: i64, claims: &[Claim]) -> Result<RecheckOutcome, StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        document::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound { what: "document", id })?;
        let existing_claims: HashMap<i32, i64> = claim::Entity::find()
            .filter(claim::Column::DocumentId.eq(id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.sentence_idx, c.id))
            .collect();
        let rows = flag::Entity::find().filter(flag::Column::DocumentId.eq(id)).all(&txn).await?;
        let rule_ids: Vec<i64> = rows.iter().map(|f| f.rule_id).collect();
        let rules: HashMap<i64, flag_rule::Model> = flag_rule::Entity::find()
            .filter(flag_rule::Column::Id.is_in(rule_ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut existing_flags: HashMap<FlagKey, (flag::Model, String)> = rows
            .into_iter()
            .filter_map(|f| {
                let rule = rules.get(&f.rule_id)?;
                Some(((rule.plugin.clone(), rule.rule.clone(), f.start, f.end), (f, rule.plugin_version.clone())))
            })
            .collect();
        let mut outcome = RecheckOutcome::default();
        let mut learnt = Learnt::default();
        let mut new_rows = Vec::new();
        for c in claims {
            let claim_id = match existing_claims.get(&(c.sentence_index as i32)) {
                Some(&claim_id) => claim_id,
                None => {
                    outcome.new_claims += 1;
                    claim_row(id, c, at).insert(&txn).await?.id
                }
            };
            for f in &c.flags {
                let key = (f.plugin.to_string(), f.rule.to_string(), f.span.start as i64, f.span.end as i64);
                match existing_flags.remove(&key) {
                    Some((old, version)) => {
                        outcome.kept += 1;
                        if old.stale || version != *f.plugin_version {
                            // Point it at the rule as the new plugin version raises it.
                            let (rule_id, text_id) = self.resolve_refs(&txn, &[f], &mut learnt).await?[0];
                            flag::Entity::update_many()
                                .col_expr(flag::Column::Stale, Expr::value(false))
                                .col_expr(flag::Column::RuleId, Expr::value(rule_id))
                                .col_expr(flag::Column::TextId, Expr::value(text_id))
                                .filter(flag::Column::Id.eq(old.id))
                                .exec(&txn)
                                .await?;
                        }
                    }
                    None => {
                        outcome.new_flags += 1;
                        let refs = self.resolve_refs(&txn, &[f], &mut learnt).await?[0];
                        new_rows.push(flag_row(id, claim_id, refs, f, at));
                    }
                }
            }
        }
        insert_batched(&txn, new_rows).await?;
        let gone: Vec<i64> = existing_flags.values().filter(|(f, _)| !f.stale).map(|(f, _)| f.id).collect();
        outcome.stale = gone.len();
        for chunk in gone.chunks(1000) {
            flag::Entity::update_many()
                .col_expr(flag::Column::Stale, Expr::value(true))
                .filter(flag::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        document::Entity::update_many()
            .col_expr(document::Column::CheckedAt, Expr::value(at))
            .filter(document::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        self.publish(learnt);
        Ok(outcome)
    }

    /// Ids of every stored document, oldest first.
    pub async fn document_ids(&self) -> Result<Vec<i64>, StoreError> {
        use sea_orm::{QueryOrder, QuerySelect};
        Ok(document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .order_by_asc(document::Column::Id)
            .into_tuple::<i64>()
            .all(&self.read)
            .await?)
    }
}
