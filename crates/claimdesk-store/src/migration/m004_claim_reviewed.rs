use sea_orm_migration::prelude::*;

/// `claims.claim_reviewed`: the short form of a claim that reports publish
/// as ClaimReview's `claimReviewed` (NULL: the default short form).
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("claims"))
                    .add_column(ColumnDef::new(Alias::new("claim_reviewed")).text().null())
                    .to_owned(),
            )
            .await
    }
}
