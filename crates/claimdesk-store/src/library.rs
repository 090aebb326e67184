//! The fact-check library: imported ClaimReviews and claimdesk's own
//! published claims, their full-text index (FTS5 on SQLite, `tsvector` on
//! PostgreSQL) and their encoder vectors; and the claims' own vectors.
//!
//! Vectors are bytes to this crate (`claimdesk_embed::to_bytes`); a row
//! whose text changes loses its vector, so that whoever encodes fills it
//! again (`fact_checks_without_vectors`).

use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, Statement, Value};

use claimdesk_match::FactCheck;

use crate::{Backend, Store, StoreError, now};

/// A library item as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct FactCheckRow {
    pub id: i64,
    pub source_key: String,
    pub claim: String,
    pub title: Option<String>,
    pub rating_label: Option<String>,
    pub rating_value: Option<f64>,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub language: Option<String>,
    pub claim_id: Option<i64>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upserted {
    pub added: usize,
    pub updated: usize,
}

const COLUMNS: [&str; 11] =
    ["id", "source_key", "claim", "title", "rating_label", "rating_value", "url", "publisher", "published", "language", "claim_id"];

fn col(name: &str) -> Alias {
    Alias::new(name)
}

fn row_of(row: &sea_orm::QueryResult) -> Result<FactCheckRow, StoreError> {
    Ok(FactCheckRow {
        id: row.try_get("", "id")?,
        source_key: row.try_get("", "source_key")?,
        claim: row.try_get("", "claim")?,
        title: row.try_get("", "title")?,
        rating_label: row.try_get("", "rating_label")?,
        rating_value: row.try_get("", "rating_value")?,
        url: row.try_get("", "url")?,
        publisher: row.try_get("", "publisher")?,
        published: row.try_get("", "published")?,
        language: row.try_get("", "language")?,
        claim_id: row.try_get("", "claim_id")?,
    })
}

impl Store {
    /// Adds or updates `items` (by `source_key`) in one transaction. An
    /// item whose claim or title changed loses its vector.
    pub async fn upsert_fact_checks(&self, items: &[FactCheck]) -> Result<Upserted, StoreError> {
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        let mut out = Upserted::default();
        for item in items {
            let existing = txn
                .query_one_raw(
                    backend.build(
                        Query::select()
                            .columns([col("id"), col("claim"), col("title")])
                            .from(col("fact_checks"))
                            .and_where(Expr::col(col("source_key")).eq(item.source_key.as_str())),
                    ),
                )
                .await?;
            let values: Vec<(&str, SimpleExpr)> = vec![
                ("claim", item.claim.clone().into()),
                ("title", item.title.clone().into()),
                ("rating_label", item.rating_label.clone().into()),
                ("rating_value", item.rating_value.into()),
                ("url", item.url.clone().into()),
                ("publisher", item.publisher.clone().into()),
                ("published", item.published.clone().into()),
                ("language", item.language.clone().into()),
                ("claim_id", item.claim_id.into()),
                ("updated_at", now().into()),
            ];
            match existing {
                Some(row) => {
                    let id: i64 = row.try_get("", "id")?;
                    let claim: String = row.try_get("", "claim")?;
                    let title: Option<String> = row.try_get("", "title")?;
                    let mut update = Query::update();
                    update.table(col("fact_checks")).and_where(Expr::col(col("id")).eq(id));
                    for (name, value) in values {
                        update.value(col(name), value);
                    }
                    if claim != item.claim || title != item.title {
                        update.value(col("vector"), Value::Bytes(None));
                    }
                    txn.execute_raw(backend.build(&update)).await?;
                    out.updated += 1;
                }
                None => {
                    let mut insert = Query::insert();
                    insert
                        .into_table(col("fact_checks"))
                        .columns(std::iter::once(col("source_key")).chain(values.iter().map(|(name, _)| col(name))));
                    insert
                        .values(std::iter::once(SimpleExpr::from(item.source_key.clone())).chain(values.into_iter().map(|(_, v)| v)))
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    insert.on_conflict(OnConflict::column(col("source_key")).do_nothing().to_owned());
                    txn.execute_raw(backend.build(&insert)).await?;
                    out.added += 1;
                }
            }
        }
        txn.commit().await?;
        Ok(out)
    }

    /// Removes the library item with `source_key`, if any, and returns its id.
    pub async fn delete_fact_check(&self, source_key: &str) -> Result<Option<i64>, StoreError> {
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        let select =
            Query::select().column(col("id")).from(col("fact_checks")).and_where(Expr::col(col("source_key")).eq(source_key)).to_owned();
        let id: Option<i64> = txn.query_one_raw(backend.build(&select)).await?.map(|r| r.try_get("", "id")).transpose()?;
        if let Some(id) = id {
            let delete = Query::delete().from_table(col("fact_checks")).and_where(Expr::col(col("id")).eq(id)).to_owned();
            txn.execute_raw(backend.build(&delete)).await?;
        }
        txn.commit().await?;
        Ok(id)
    }

    pub async fn fact_check_count(&self) -> Result<i64, StoreError> {
        let row = self.read.query_one_raw(Statement::from_string(self.db_backend(), "SELECT COUNT(*) AS n FROM fact_checks")).await?;
        Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
    }

    /// Library items that have a vector.
    pub async fn fact_check_vector_count(&self) -> Result<i64, StoreError> {
        let row = self
            .read
            .query_one_raw(Statement::from_string(self.db_backend(), "SELECT COUNT(*) AS n FROM fact_checks WHERE vector IS NOT NULL"))
            .await?;
        Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
    }

    /// Library items by id, in the order asked (unknown ids left out).
    pub async fn fact_checks_by_id(&self, ids: &[i64]) -> Result<Vec<FactCheckRow>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let select = Query::select()
            .columns(COLUMNS.map(col))
            .from(col("fact_checks"))
            .and_where(Expr::col(col("id")).is_in(ids.iter().copied()))
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        let mut found: std::collections::HashMap<i64, FactCheckRow> =
            rows.iter().map(row_of).map(|r| r.map(|r| (r.id, r))).collect::<Result<_, _>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Up to `limit` items that have no vector yet: `(id, claim)`.
    pub async fn fact_checks_without_vectors(&self, limit: u64) -> Result<Vec<(i64, String)>, StoreError> {
        let select = Query::select()
            .columns([col("id"), col("claim")])
            .from(col("fact_checks"))
            .and_where(Expr::col(col("vector")).is_null())
            .order_by(col("id"), sea_orm::Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "claim")?))).collect()
    }

    /// Stores vectors `(id, bytes)` in one transaction.
    pub async fn set_fact_check_vectors(&self, vectors: &[(i64, Vec<u8>)]) -> Result<(), StoreError> {
        let backend = self.db_backend();
        let txn = self.begin_write().await?;
        for (id, bytes) in vectors {
            let update = Query::update()
                .table(col("fact_checks"))
                .value(col("vector"), bytes.clone())
                .and_where(Expr::col(col("id")).eq(*id))
                .to_owned();
            txn.execute_raw(backend.build(&update)).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Every stored vector, `after` an id, `limit` at a time, for loading
    /// the in-memory index.
    pub async fn fact_check_vectors(&self, after: i64, limit: u64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
        let select = Query::select()
            .columns([col("id"), col("vector")])
            .from(col("fact_checks"))
            .and_where(Expr::col(col("vector")).is_not_null())
            .and_where(Expr::col(col("id")).gt(after))
            .order_by(col("id"), sea_orm::Order::Asc)
            .limit(limit)
            .to_owned();
        let rows = self.read.query_all_raw(self.db_backend().build(&select)).await?;
        rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "vector")?))).collect()
    }

    /// Up to `limit` library items sharing words with `terms` (already
    /// plain words: letters and digits only), best first, with a score
    /// where higher is better: FTS5's BM25 (claim weighted 1, title
    /// 2, as cross-validation chose) on SQLite, `ts_rank_cd` on PostgreSQL.
    pub async fn lexical_candidates(&self, terms: &[String], limit: u64) -> Result<Vec<(i64, f64)>, StoreError> {
        let terms: Vec<&String> = terms.iter().filter(|t| !t.is_empty() && t.chars().all(char::is_alphanumeric)).collect();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let statement = match self.backend() {
            Backend::Sqlite => {
                let query = terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" OR ");
                Statement::from_sql_and_values(
                    self.db_backend(),
                    "SELECT rowid AS id, -bm25(fact_checks_fts, 1.0, 2.0) AS score FROM fact_checks_fts \
                     WHERE fact_checks_fts MATCH ? ORDER BY bm25(fact_checks_fts, 1.0, 2.0) LIMIT ?",
                    [query.into(), (limit as i64).into()],
                )
            }
            Backend::Postgres => {
                let query = terms.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(" | ");
                Statement::from_sql_and_values(
                    self.db_backend(),
                    "SELECT id, ts_rank_cd(search, q)::float8 AS score FROM fact_checks, to_tsquery('english', $1) q \
                     WHERE search @@ q ORDER BY score DESC, id LIMIT $2",
                    [query.into(), (limit as i64).into()],
                )
            }
        };
        let rows = self.read.query_all_raw(statement).await?;
        rows.iter().map(|r| Ok((r.try_get("", "id")?, r.try_get("", "score")?))).collect()
    }
}
