//! Why a claim scored as it did: its sentence's explained score, and the
//! claims the desk already found worth checking that it resembles.

use claimdesk_core::Status;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};

use crate::{Store, StoreError};

/// Decided claims a claim is compared with, at most (the most recent).
pub const CHECKED_CLAIMS_COMPARED: u64 = 5000;

/// A sentence's check-worthiness and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceScore {
    pub checkworthiness: f64,
    /// In plain words; `None` for documents checked before m009.
    pub why: Option<String>,
}

/// A claim the desk resolved or published, with its stored vector.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedClaim {
    pub id: i64,
    pub text: String,
    pub status: Status,
    pub vector: Vec<u8>,
}

fn col(name: &str) -> Alias {
    Alias::new(name)
}

impl Store {
    /// Sentence `index` of document `document_id`'s score and explanation.
    pub async fn sentence_score(&self, document_id: i64, index: i32) -> Result<Option<SentenceScore>, StoreError> {
        let select = Query::select()
            .columns([col("checkworthiness"), col("score_why")])
            .from(col("sentences"))
            .and_where(Expr::col(col("document_id")).eq(document_id))
            .and_where(Expr::col(col("idx")).eq(index))
            .to_owned();
        let row = self.read.query_one_raw(self.db_backend().build(&select)).await?;
        row.map(|r| Ok(SentenceScore { checkworthiness: r.try_get("", "checkworthiness")?, why: r.try_get("", "score_why")? })).transpose()
    }

    /// The most recent claims (at most [`CHECKED_CLAIMS_COMPARED`]) the desk
    /// found worth checking — given a verdict or published — that have a
    /// vector, other than `except`.
    pub async fn checked_claim_vectors(&self, except: i64) -> Result<Vec<CheckedClaim>, StoreError> {
        let decided = [Status::Resolved, Status::Published].map(|s| s.as_str().to_owned());
        let select = Query::select()
            .expr_as(Expr::col((col("claims"), col("id"))), col("id"))
            .expr_as(Expr::col((col("claims"), col("text"))), col("text"))
            .expr_as(Expr::col((col("claims"), col("status"))), col("status"))
            .expr_as(Expr::col((col("claim_vectors"), col("vector"))), col("vector"))
            .from(col("claims"))
            .inner_join(col("claim_vectors"), Expr::col((col("claim_vectors"), col("claim_id"))).equals((col("claims"), col("id"))))
            .and_where(Expr::col((col("claims"), col("status"))).is_in(decided))
            .and_where(Expr::col((col("claims"), col("id"))).ne(except))
            .order_by((col("claims"), col("id")), Order::Desc)
            .limit(CHECKED_CLAIMS_COMPARED)
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        rows.into_iter()
            .map(|r| {
                let status: String = r.try_get("", "status")?;
                Ok(CheckedClaim {
                    id: r.try_get("", "id")?,
                    text: r.try_get("", "text")?,
                    status: status.parse().map_err(|_| StoreError::Corrupt {
                        table: "claims",
                        column: "status",
                        reason: format!("{status:?} is no status"),
                    })?,
                    vector: r.try_get("", "vector")?,
                })
            })
            .collect()
    }
}
