use sea_orm_migration::prelude::*;

/// Explained scores: `sentences.score_why`, why the sentence's
/// check-worthiness came out as it did, in plain words (which model
/// scored it, its strongest cues, the other detectors' findings that
/// raised it); NULL for sentences checked before, or with no score.
/// Explicit statement.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Alias::new("score_why")).text().to_owned();
        manager.alter_table(Table::alter().table(Alias::new("sentences")).add_column(&mut column).to_owned()).await
    }
}
