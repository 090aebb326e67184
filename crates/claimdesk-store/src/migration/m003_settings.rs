use sea_orm_migration::prelude::*;

use super::table;

/// Installation settings (session key, second review, report publisher).
/// Explicit statements: it creates the same schema forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("settings").string_key("key").text("value").0).await
    }
}
