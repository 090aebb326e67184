use sea_orm_migration::prelude::*;

use super::create_table;
use crate::entity::setting;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(manager, setting::Entity).await
    }
}
