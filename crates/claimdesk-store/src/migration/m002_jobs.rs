use sea_orm_migration::prelude::*;

use super::{create_index, create_table};
use crate::entity::job;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(manager, job::Entity).await?;
        create_index(manager, "jobs_queue", "jobs", &["status", "id"]).await
    }
}
