use sea_orm_migration::prelude::*;

/// `evidence.archived_url`: an archive's copy of the evidence's address
/// (NULL: none recorded). Explicit statements.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Alias::new("archived_url")).text().to_owned();
        manager.alter_table(Table::alter().table(Alias::new("evidence")).add_column(&mut column).to_owned()).await
    }
}
