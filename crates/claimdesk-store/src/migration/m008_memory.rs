use sea_orm_migration::prelude::*;

use super::create_index;

/// Recognising the same text again:
/// - `claims.text_key` (`claimdesk_core::claim_key`): copies of one claim
///   in several documents share it;
/// - `claim_vectors.match_item` / `match_cosine`: the claim's closest
///   library item and its cosine, kept by the matcher;
/// - `documents.hash_form`: which normal form `content_hash` was taken
///   over (1: the trimmed body, the first release's; 2: the normalised
///   body); `near_duplicate_of` / `near_share`: the earlier document this
///   one nearly repeats and the share of its sentences found there;
/// - `sentences.text_key`: each sentence's key, to find those documents.
///
/// Keys and hashes of existing rows are filled by the store's upkeep
/// (`upkeep.rs`), not here: they are computed in Rust. Explicit statements,
/// one column per statement (SQLite alters one at a time).
#[derive(DeriveMigrationName)]
pub struct Migration;

fn add(table: &str, column: ColumnDef) -> TableAlterStatement {
    let mut column = column;
    Table::alter().table(Alias::new(table)).add_column(&mut column).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            ("claims", ColumnDef::new(Alias::new("text_key")).string().to_owned()),
            ("claim_vectors", ColumnDef::new(Alias::new("match_item")).big_integer().to_owned()),
            ("claim_vectors", ColumnDef::new(Alias::new("match_cosine")).double().to_owned()),
            ("documents", ColumnDef::new(Alias::new("hash_form")).integer().not_null().default(1).to_owned()),
            ("documents", ColumnDef::new(Alias::new("near_duplicate_of")).big_integer().to_owned()),
            ("documents", ColumnDef::new(Alias::new("near_share")).double().to_owned()),
            ("sentences", ColumnDef::new(Alias::new("text_key")).string().to_owned()),
        ];
        for (table, column) in columns {
            manager.alter_table(add(table, column)).await?;
        }
        create_index(manager, "claims_text_key", "claims", &["text_key"]).await?;
        create_index(manager, "claim_vectors_match", "claim_vectors", &["match_cosine"]).await?;
        create_index(manager, "documents_near_duplicate", "documents", &["near_duplicate_of"]).await?;
        create_index(manager, "documents_hash_form", "documents", &["hash_form"]).await?;
        create_index(manager, "sentences_text_key", "sentences", &["text_key"]).await?;
        Ok(())
    }
}
