//! Upkeep after migrations: keys and hashes computed in Rust that rows
//! from before a migration lack. Runs with every `migrate`, and costs one
//! empty query per kind once everything is up to date.
//!
//! - `claims.text_key` NULL → `claimdesk_core::claim_key(text)`;
//! - `documents.hash_form` 1 (the first release's hash of the trimmed body)
//!   → the normalised body's hash, and the document's sentence keys. Two
//!   stored documents that differ only in spacing or line endings now hash
//!   alike: the later keeps its row, links the earlier as its near
//!   duplicate (share 1) and gets a hash of its own (`<hash>:<id>`), so
//!   the hash stays unique and nothing is lost.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{claim, document, sentence};
use crate::write::{HASH_FORM, sentence_key};
use crate::{Store, StoreError};

const CHUNK: u64 = 500;

impl Store {
    /// Fills what migrations left to Rust; returns the rows it changed.
    pub(crate) async fn upkeep(&self) -> Result<usize, StoreError> {
        let mut changed = 0;
        loop {
            let todo: Vec<(i64, String)> = claim::Entity::find()
                .select_only()
                .columns([claim::Column::Id, claim::Column::Text])
                .filter(claim::Column::TextKey.is_null())
                .limit(CHUNK)
                .into_tuple()
                .all(&self.write)
                .await?;
            if todo.is_empty() {
                break;
            }
            let txn = self.begin_write().await?;
            for (id, text) in &todo {
                claim::Entity::update_many()
                    .col_expr(claim::Column::TextKey, sea_orm::sea_query::Expr::value(claimdesk_core::claim_key(text)))
                    .filter(claim::Column::Id.eq(*id))
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
            changed += todo.len();
        }
        loop {
            let todo = document::Entity::find()
                .filter(document::Column::HashForm.lt(HASH_FORM))
                .order_by_asc(document::Column::Id)
                .limit(CHUNK / 10)
                .all(&self.write)
                .await?;
            if todo.is_empty() {
                break;
            }
            let txn = self.begin_write().await?;
            for doc in &todo {
                let hash = claimdesk_core::sha256_hex(claimdesk_core::normalized_text(&doc.body));
                let holder = document::Entity::find()
                    .select_only()
                    .column(document::Column::Id)
                    .filter(document::Column::ContentHash.eq(hash.as_str()))
                    .filter(document::Column::Id.ne(doc.id))
                    .into_tuple::<i64>()
                    .one(&txn)
                    .await?;
                let mut row: document::ActiveModel = doc.clone().into();
                row.hash_form = Set(HASH_FORM);
                match holder {
                    Some(earlier) => {
                        row.content_hash = Set(format!("{hash}:{}", doc.id));
                        row.near_duplicate_of = Set(Some(earlier));
                        row.near_share = Set(Some(1.0));
                    }
                    None => row.content_hash = Set(hash),
                }
                row.update(&txn).await?;
                let sentences: Vec<(i64, i64, i64)> = sentence::Entity::find()
                    .select_only()
                    .columns([sentence::Column::Id, sentence::Column::Start, sentence::Column::End])
                    .filter(sentence::Column::DocumentId.eq(doc.id))
                    .into_tuple()
                    .all(&txn)
                    .await?;
                for (id, start, end) in sentences {
                    let key = doc.body.get(start as usize..end as usize).and_then(sentence_key);
                    if key.is_some() {
                        sentence::Entity::update_many()
                            .col_expr(sentence::Column::TextKey, sea_orm::sea_query::Expr::value(key))
                            .filter(sentence::Column::Id.eq(id))
                            .exec(&txn)
                            .await?;
                    }
                }
            }
            txn.commit().await?;
            changed += todo.len();
        }
        if changed > 0 {
            tracing::info!(rows = changed, "filled keys and hashes of rows from before migration m008");
        }
        Ok(changed)
    }
}
