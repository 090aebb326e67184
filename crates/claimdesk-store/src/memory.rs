//! The desk's memory of claims: each claim's vector and closest library
//! item (kept by the server's matcher), and copies of one claim across
//! documents (claims sharing `text_key`).

use claimdesk_core::Status;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{claim, document};
use crate::{Store, StoreError};

/// A claim's vector as the matcher stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimVector {
    pub claim_id: i64,
    /// `claimdesk_embed::to_bytes` of the vector.
    pub vector: Vec<u8>,
    /// The claim was longer than the encoder reads.
    pub truncated: bool,
    /// The closest library item and its cosine (none when the library is
    /// empty or holds only the claim itself).
    pub best: Option<(i64, f64)>,
}

/// Another document's copy of a claim.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimCopy {
    pub id: i64,
    pub document_id: i64,
    pub status: Status,
    /// A second reviewer approved its verdict.
    pub approved: bool,
    pub version: i32,
}

impl ClaimCopy {
    /// What the permission check needs of the copy (for dismissing it:
    /// its evidence and verdict's author do not matter).
    pub fn standing(&self) -> claimdesk_core::Standing {
        claimdesk_core::Standing { approved: self.approved, ..claimdesk_core::Standing::new(self.status) }
    }
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

/// Claims with a closest library item at least `cosine` close.
pub(crate) fn matched_at_least(cosine: f64) -> sea_orm::sea_query::SimpleExpr {
    let matched =
        Query::select().column(col("claim_id")).from(col("claim_vectors")).and_where(Expr::col(col("match_cosine")).gte(cosine)).to_owned();
    claim::Column::Id.in_subquery(matched)
}

/// Claims whose text also stands in another document.
pub(crate) fn with_copies() -> sea_orm::sea_query::SimpleExpr {
    let shared = Query::select()
        .column(claim::Column::TextKey)
        .from(claim::Entity)
        .and_where(claim::Column::TextKey.is_not_null())
        .group_by_col(claim::Column::TextKey)
        .and_having(Expr::col(claim::Column::DocumentId).count_distinct().gt(1))
        .to_owned();
    claim::Column::TextKey.in_subquery(shared)
}

impl Store {
    /// Claims not dismissed that have no vector yet, oldest first.
    pub async fn claims_without_vectors(&self, limit: u64) -> Result<Vec<(i64, String)>, StoreError> {
        let encoded = Query::select().column(col("claim_id")).from(col("claim_vectors")).to_owned();
        Ok(claim::Entity::find()
            .select_only()
            .columns([claim::Column::Id, claim::Column::Text])
            .filter(claim::Column::Id.not_in_subquery(encoded))
            .filter(claim::Column::Status.ne(Status::Dismissed.as_str()))
            .order_by_asc(claim::Column::Id)
            .limit(limit)
            .into_tuple()
            .all(&self.read)
            .await?)
    }

    /// Stores claims' vectors and closest library items.
    pub async fn set_claim_vectors(&self, vectors: &[ClaimVector]) -> Result<(), StoreError> {
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        for ClaimVector { claim_id: id, vector: bytes, truncated, best } in vectors {
            let columns = [col("vector"), col("truncated"), col("match_item"), col("match_cosine")];
            let insert = Query::insert()
                .into_table(col("claim_vectors"))
                .columns([col("claim_id"), col("vector"), col("truncated"), col("match_item"), col("match_cosine")])
                .values_panic([(*id).into(), bytes.clone().into(), (*truncated).into(), best.map(|b| b.0).into(), best.map(|b| b.1).into()])
                .on_conflict(OnConflict::column(col("claim_id")).update_columns(columns).to_owned())
                .to_owned();
            txn.execute_raw(backend.build(&insert)).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Records a closer library item for claims (re-matching after an
    /// import): `(claim, item, cosine)`.
    pub async fn set_claim_matches(&self, matches: &[(i64, i64, f64)]) -> Result<(), StoreError> {
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        for (claim_id, item, cosine) in matches {
            let update = Query::update()
                .table(col("claim_vectors"))
                .values([(col("match_item"), (*item).into()), (col("match_cosine"), (*cosine).into())])
                .and_where(Expr::col(col("claim_id")).eq(*claim_id))
                .to_owned();
            txn.execute_raw(backend.build(&update)).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Open claims' vectors and closest cosines, by claim id after `after`.
    pub async fn open_claim_vectors(&self, after: i64, limit: u64) -> Result<Vec<(i64, Vec<u8>, Option<f64>)>, StoreError> {
        let open: Vec<&str> = Status::ALL.iter().filter(|s| s.is_open()).map(|s| s.as_str()).collect();
        let claims = Query::select().column(claim::Column::Id).from(claim::Entity).and_where(claim::Column::Status.is_in(open)).to_owned();
        let select = Query::select()
            .columns([col("claim_id"), col("vector"), col("match_cosine")])
            .from(col("claim_vectors"))
            .and_where(Expr::col(col("claim_id")).gt(after))
            .and_where(Expr::col(col("claim_id")).in_subquery(claims))
            .order_by(col("claim_id"), sea_orm::Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        rows.iter().map(|r| Ok((r.try_get("", "claim_id")?, r.try_get("", "vector")?, r.try_get("", "match_cosine")?))).collect()
    }

    /// A claim's vector and whether its text was cut, if it has one.
    pub async fn claim_vector(&self, claim_id: i64) -> Result<Option<(Vec<u8>, bool)>, StoreError> {
        let select = Query::select()
            .columns([col("vector"), col("truncated")])
            .from(col("claim_vectors"))
            .and_where(Expr::col(col("claim_id")).eq(claim_id))
            .to_owned();
        let row = self.read.query_one_raw(self.db_backend().build(&select)).await?;
        row.map(|r| Ok((r.try_get("", "vector")?, r.try_get("", "truncated")?))).transpose()
    }

    /// The other claims with `claim_id`'s text, in other documents, oldest
    /// first.
    pub async fn claim_copies(&self, claim_id: i64) -> Result<Vec<ClaimCopy>, StoreError> {
        // One statement: the claim's key and document as subqueries (a
        // claim without a key has no copies: `= NULL` holds for no row).
        let of_claim = |column: claim::Column| {
            Query::select().column(column).from(claim::Entity).and_where(Expr::col(claim::Column::Id).eq(claim_id)).to_owned()
        };
        let rows: Vec<(i64, i64, String, Option<String>, i32)> = claim::Entity::find()
            .select_only()
            .columns([
                claim::Column::Id,
                claim::Column::DocumentId,
                claim::Column::Status,
                claim::Column::ApprovedBy,
                claim::Column::Version,
            ])
            .filter(
                Expr::col((claim::Entity, claim::Column::TextKey))
                    .eq(Expr::SubQuery(None, Box::new(of_claim(claim::Column::TextKey).into()))),
            )
            .filter(
                Expr::col((claim::Entity, claim::Column::DocumentId))
                    .ne(Expr::SubQuery(None, Box::new(of_claim(claim::Column::DocumentId).into()))),
            )
            .order_by_asc(claim::Column::Id)
            .into_tuple()
            .all(&self.read)
            .await?;
        rows.into_iter()
            .map(|(id, document_id, status, approved_by, version)| {
                let status = crate::rows::parse("claims", "status", &status)?;
                Ok(ClaimCopy { id, document_id, status, approved: approved_by.is_some(), version })
            })
            .collect()
    }

    /// Documents that nearly repeat `document_id`, with their shares.
    pub async fn near_duplicates_of(&self, document_id: i64) -> Result<Vec<(i64, f64)>, StoreError> {
        let rows: Vec<(i64, Option<f64>)> = document::Entity::find()
            .select_only()
            .columns([document::Column::Id, document::Column::NearShare])
            .filter(document::Column::NearDuplicateOf.eq(document_id))
            .order_by_asc(document::Column::Id)
            .into_tuple()
            .all(&self.read)
            .await?;
        Ok(rows.into_iter().map(|(id, share)| (id, share.unwrap_or_default())).collect())
    }
}
