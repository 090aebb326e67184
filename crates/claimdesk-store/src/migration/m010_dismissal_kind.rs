use sea_orm_migration::prelude::*;

/// `claims.dismissal_kind`: why a dismissed claim was dismissed, as far as
/// learning goes (`claimdesk_core::DismissalKind`: `not_checkworthy`,
/// `duplicate`, `other`); NULL unless dismissed. Claims dismissed before
/// get `duplicate` when their reason is the one duplicates are dismissed
/// with, else `other` (never a label: nobody said they were not worth
/// checking). Explicit statements.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(Alias::new("dismissal_kind")).string().to_owned();
        manager.alter_table(Table::alter().table(Alias::new("claims")).add_column(&mut column).to_owned()).await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE claims SET dismissal_kind = CASE WHEN dismissal_reason LIKE 'Duplicate of claim #%' THEN 'duplicate' ELSE 'other' END \
             WHERE status = 'dismissed'",
        )
        .await?;
        Ok(())
    }
}
