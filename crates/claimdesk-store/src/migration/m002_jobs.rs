use sea_orm_migration::prelude::*;

use super::{create_index, table};

/// The jobs table workers take work from. Explicit statements: it creates
/// the same schema forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let jobs = table("jobs")
            .id()
            .string("kind")
            .text("payload")
            .string("status")
            .int("attempts")
            .text_null("error")
            .text_null("result")
            .string_null("worker")
            .big("created_at")
            .big_null("started_at")
            .big_null("finished_at");
        manager.create_table(jobs.0).await?;
        create_index(manager, "jobs_queue", "jobs", &["status", "id"]).await
    }
}
