use sea_orm_migration::prelude::*;

/// The first release's own job table (`jobs`, m002) gives way to the job
/// engine's tables (apalis's, created by its own migrations; decision 0038).
/// Jobs still queued in it are not carried over: nothing ever ran them
/// outside a test. Explicit statement.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("jobs")).if_exists().to_owned()).await
    }
}
