use sea_orm_migration::prelude::*;

use super::{create_unique_index, table};

/// `saved_views`: a user's named queue filters (the query string of
/// `/queue`), shown in the navigation. One name per user. Explicit
/// statements.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("saved_views").id().big("user_id").string("name").text("query").big("created_at").0).await?;
        create_unique_index(manager, "saved_views_user_name", "saved_views", &["user_id", "name"]).await
    }
}
