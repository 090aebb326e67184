use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

use super::{create_index, table};

/// The fact-check library (`fact_checks`: ClaimReviews imported from other
/// fact-checkers and claimdesk's own published claims, with their encoder
/// vectors) and its full-text index (an FTS5 table kept by triggers on
/// SQLite; a generated, GIN-indexed `tsvector` on PostgreSQL); claims'
/// vectors (`claim_vectors`). Explicit statements: the same schema forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("fact_checks")
                    .id()
                    .string_unique("source_key")
                    .text("claim")
                    .text_null("title")
                    .string_null("rating_label")
                    .double_null("rating_value")
                    .text_null("url")
                    .string_null("publisher")
                    .string_null("published")
                    .string_null("language")
                    .big_null("claim_id")
                    .blob_null("vector")
                    .big("updated_at")
                    .0,
            )
            .await?;
        create_index(manager, "fact_checks_claim", "fact_checks", &["claim_id"]).await?;
        manager
            .create_table(
                table("claim_vectors")
                    .column(ColumnDef::new(Alias::new("claim_id")).big_integer().not_null().primary_key().to_owned())
                    .blob("vector")
                    .boolean("truncated")
                    .0,
            )
            .await?;
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE fact_checks ADD COLUMN search tsvector GENERATED ALWAYS AS \
                     (setweight(to_tsvector('english', claim), 'A') || \
                      setweight(to_tsvector('english', coalesce(title, '')), 'B')) STORED",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX fact_checks_search ON fact_checks USING GIN (search)").await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE fact_checks_fts USING fts5(claim, title, content='fact_checks', content_rowid='id')",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER fact_checks_fts_insert AFTER INSERT ON fact_checks BEGIN \
                     INSERT INTO fact_checks_fts(rowid, claim, title) VALUES (new.id, new.claim, new.title); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER fact_checks_fts_delete AFTER DELETE ON fact_checks BEGIN \
                     INSERT INTO fact_checks_fts(fact_checks_fts, rowid, claim, title) VALUES ('delete', old.id, old.claim, old.title); END",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER fact_checks_fts_update AFTER UPDATE OF claim, title ON fact_checks BEGIN \
                     INSERT INTO fact_checks_fts(fact_checks_fts, rowid, claim, title) VALUES ('delete', old.id, old.claim, old.title); \
                     INSERT INTO fact_checks_fts(rowid, claim, title) VALUES (new.id, new.claim, new.title); END",
                )
                .await?;
            }
        }
        Ok(())
    }
}
