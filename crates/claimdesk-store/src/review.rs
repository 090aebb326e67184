//! What the review pages read and write besides claim actions: evidence,
//! the rating scale, document listings.

use std::collections::HashMap;

use claimdesk_core::{Rating, RatingScale, Status};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{claim, document, event, evidence, rating};
use crate::{ClaimRow, EvidenceRow, NewEvidence, Store, StoreError, now};

/// A document in a listing, with its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSummary {
    pub id: i64,
    pub title: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub created_at: i64,
    pub claims: i64,
    pub open_claims: i64,
    pub published_claims: i64,
}

impl Store {
    /// Adds evidence to claim `claim_id` and records it in the claim's
    /// history. Evidence only accumulates, so it needs no version check and
    /// does not bump the claim's version.
    pub async fn add_evidence(&self, claim_id: i64, new: &NewEvidence, actor: &str) -> Result<EvidenceRow, StoreError> {
        let at = now();
        let txn = self.begin_write().await?;
        let claim = claim::Entity::find_by_id(claim_id).one(&txn).await?.ok_or(StoreError::NotFound { what: "claim", id: claim_id })?;
        let row = evidence::ActiveModel {
            id: Default::default(),
            claim_id: Set(claim_id),
            url: Set(new.url.clone()),
            title: Set(new.title.clone()),
            quoted_passage: Set(new.quoted_passage.clone()),
            note: Set(new.note.clone()),
            stance: Set(new.stance.as_str().to_owned()),
            added_by: Set(actor.to_owned()),
            added_at: Set(at),
            archived_url: Set(new.archived_url.clone()),
        }
        .insert(&txn)
        .await?;
        let detail = serde_json::json!({ "evidence": row.id, "url": new.url, "stance": new.stance });
        event::ActiveModel {
            id: Default::default(),
            claim_id: Set(claim_id),
            actor: Set(actor.to_owned()),
            at: Set(at),
            action: Set("add_evidence".to_owned()),
            before: Set(claim.status.clone()),
            after: Set(claim.status),
            detail: Set(detail.to_string()),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        row.try_into()
    }

    /// Replaces evidence item `id` of claim `claim_id` with `new`, and
    /// records what it said before and after in the claim's history.
    pub async fn update_evidence(&self, claim_id: i64, id: i64, new: &NewEvidence, actor: &str) -> Result<EvidenceRow, StoreError> {
        let txn = self.begin_write().await?;
        let (claim, old) = evidence_of_claim(&txn, claim_id, id).await?;
        let before = evidence_detail(&old);
        let mut row: evidence::ActiveModel = old.into();
        row.url = Set(new.url.clone());
        row.title = Set(new.title.clone());
        row.quoted_passage = Set(new.quoted_passage.clone());
        row.note = Set(new.note.clone());
        row.stance = Set(new.stance.as_str().to_owned());
        row.archived_url = Set(new.archived_url.clone());
        let row = row.update(&txn).await?;
        let detail = serde_json::json!({ "evidence": id, "before": before, "after": evidence_detail(&row) });
        record(&txn, &claim, actor, "edit_evidence", detail, now()).await?;
        txn.commit().await?;
        row.try_into()
    }

    /// Deletes evidence item `id` of claim `claim_id`; the claim's history
    /// keeps everything it said.
    pub async fn delete_evidence(&self, claim_id: i64, id: i64, actor: &str) -> Result<(), StoreError> {
        let txn = self.begin_write().await?;
        let (claim, old) = evidence_of_claim(&txn, claim_id, id).await?;
        let detail = serde_json::json!({ "evidence": id, "before": evidence_detail(&old) });
        evidence::Entity::delete_by_id(id).exec(&txn).await?;
        record(&txn, &claim, actor, "delete_evidence", detail, now()).await?;
        txn.commit().await?;
        Ok(())
    }

    /// How many evidence items claim `claim_id` has.
    pub async fn evidence_count(&self, claim_id: i64) -> Result<usize, StoreError> {
        let n = evidence::Entity::find().filter(evidence::Column::ClaimId.eq(claim_id)).count(&self.read).await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub async fn claim_evidence(&self, claim_id: i64) -> Result<Vec<EvidenceRow>, StoreError> {
        crate::rows::all(
            evidence::Entity::find()
                .filter(evidence::Column::ClaimId.eq(claim_id))
                .order_by_asc(evidence::Column::Id)
                .all(&self.read)
                .await?,
        )
    }

    /// The installation's rating scale as stored; worst and best are the
    /// extreme rating values.
    pub async fn rating_scale(&self) -> Result<RatingScale, StoreError> {
        let rows = rating::Entity::find().order_by_asc(rating::Column::Position).all(&self.read).await?;
        let ratings: Vec<Rating> = rows
            .into_iter()
            .map(|r| Rating { key: r.key, label: r.label, value: r.value.and_then(|v| u8::try_from(v).ok()), meaning: r.meaning })
            .collect();
        let values = ratings.iter().filter_map(|r| r.value);
        let worst = values.clone().min().unwrap_or(1);
        let best = values.max().unwrap_or(5);
        Ok(RatingScale { worst, best, ratings })
    }

    /// Documents, newest first, `limit` at a time before document `before`.
    pub async fn documents(&self, before: Option<i64>, limit: u64) -> Result<Vec<DocumentSummary>, StoreError> {
        let mut query = document::Entity::find()
            .select_only()
            .columns([
                document::Column::Id,
                document::Column::Title,
                document::Column::Outlet,
                document::Column::Author,
                document::Column::Published,
                document::Column::CreatedAt,
            ])
            .order_by_desc(document::Column::Id)
            .limit(limit);
        if let Some(before) = before {
            query = query.filter(document::Column::Id.lt(before));
        }
        type Row = (i64, Option<String>, Option<String>, Option<String>, Option<String>, i64);
        let rows: Vec<Row> = query.into_tuple().all(&self.read).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let counts: Vec<(i64, String, i64)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::DocumentId)
            .column(claim::Column::Status)
            .column_as(Expr::col(claim::Column::Id).count(), "n")
            .filter(claim::Column::DocumentId.is_in(ids))
            .group_by(claim::Column::DocumentId)
            .group_by(claim::Column::Status)
            .into_tuple()
            .all(&self.read)
            .await?;
        let mut per_document: HashMap<i64, (i64, i64, i64)> = HashMap::new();
        for (id, status, n) in counts {
            let entry = per_document.entry(id).or_default();
            entry.0 += n;
            let status: Status = crate::rows::parse("claims", "status", &status)?;
            if status.is_open() {
                entry.1 += n;
            } else if status == Status::Published {
                entry.2 += n;
            }
        }
        Ok(rows
            .into_iter()
            .map(|(id, title, outlet, author, published, created_at)| {
                let (claims, open_claims, published_claims) = per_document.get(&id).copied().unwrap_or_default();
                DocumentSummary { id, title, outlet, author, published, created_at, claims, open_claims, published_claims }
            })
            .collect())
    }

    /// Title (or origin) and outlet of each document in `ids`, for listings.
    pub async fn document_labels(&self, ids: &[i64]) -> Result<HashMap<i64, (String, Option<String>)>, StoreError> {
        type Row = (i64, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = document::Entity::find()
            .select_only()
            .columns([document::Column::Id, document::Column::Title, document::Column::Origin, document::Column::Outlet])
            .filter(document::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, title, origin, outlet)| (id, (title.or(origin).unwrap_or_else(|| format!("Document {id}")), outlet)))
            .collect())
    }

    /// Claims of document `id` in text order.
    pub async fn document_claims(&self, id: i64) -> Result<Vec<ClaimRow>, StoreError> {
        let query = claim::Entity::find().filter(claim::Column::DocumentId.eq(id)).order_by_asc(claim::Column::SentenceIdx);
        match &self.sqlite_file {
            // On SQLite through the fast path (and its kept rows), as the
            // queue's: a document page's largest read.
            Some(path) => {
                use sea_orm::QueryTrait;
                crate::fast::query(path.clone(), query.build(sea_orm::DbBackend::Sqlite), false).await
            }
            None => crate::rows::all(query.all(&self.read).await?),
        }
    }
}

/// Claim `claim_id` and its evidence item `id` (not found: either is
/// missing, or the item is another claim's).
async fn evidence_of_claim(
    txn: &sea_orm::DatabaseTransaction,
    claim_id: i64,
    id: i64,
) -> Result<(claim::Model, evidence::Model), StoreError> {
    let claim = claim::Entity::find_by_id(claim_id).one(txn).await?.ok_or(StoreError::NotFound { what: "claim", id: claim_id })?;
    let item = evidence::Entity::find_by_id(id)
        .filter(evidence::Column::ClaimId.eq(claim_id))
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound { what: "evidence item", id })?;
    Ok((claim, item))
}

/// What an evidence item says, for the history.
fn evidence_detail(e: &evidence::Model) -> serde_json::Value {
    serde_json::json!({ "url": e.url, "title": e.title, "quoted_passage": e.quoted_passage, "note": e.note,
        "stance": e.stance, "archived_url": e.archived_url })
}

/// Records `action` on `claim` by `actor` at `at`, the status unchanged:
/// the history entry of everything that is no lifecycle transition
/// (evidence edits, notes, claims by hand).
pub(crate) async fn record(
    txn: &sea_orm::DatabaseTransaction,
    claim: &claim::Model,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
    at: i64,
) -> Result<(), StoreError> {
    event::ActiveModel {
        id: Default::default(),
        claim_id: Set(claim.id),
        actor: Set(actor.to_owned()),
        at: Set(at),
        action: Set(action.to_owned()),
        before: Set(claim.status.clone()),
        after: Set(claim.status.clone()),
        detail: Set(detail.to_string()),
    }
    .insert(txn)
    .await?;
    Ok(())
}
