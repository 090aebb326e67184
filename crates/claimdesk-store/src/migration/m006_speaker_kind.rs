use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

/// `claims.speaker_kind`: whether the speaker is named, an unnamed source,
/// or the outlet itself (no speaker), which ClaimReview's `author` needs.
/// Existing claims get it from what ingestion recorded: no speaker is the
/// outlet; a speaker of a sentence marked anonymous is anonymous; any other
/// is named. Explicit statements: it does the same forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("claims"))
                    .add_column(ColumnDef::new(Alias::new("speaker_kind")).string().not_null().default("named"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE claims SET speaker_kind = 'outlet' WHERE speaker IS NULL").await?;
        db.execute_unprepared(
            "UPDATE claims SET speaker_kind = 'anonymous' WHERE speaker IS NOT NULL AND EXISTS \
             (SELECT 1 FROM sentences WHERE sentences.document_id = claims.document_id \
              AND sentences.idx = claims.sentence_idx AND sentences.anonymous = true)",
        )
        .await?;
        Ok(())
    }
}
