use sea_orm_migration::prelude::*;

use super::{create_index, create_unique_index, table};

/// Feed monitoring: `feeds` (what to poll, how often, and how the last
/// poll went) and `feed_items` (every item seen, deduplicated by GUID per
/// feed and by URL, with the document it became or why it failed).
/// Explicit statements.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                table("feeds")
                    .id()
                    .string_unique("url")
                    .string_null("outlet")
                    .string_null("title")
                    .big("every_secs")
                    .string_null("etag")
                    .string_null("last_modified")
                    .big("next_poll_at")
                    .big_null("last_polled_at")
                    .big_null("last_success_at")
                    .text_null("last_error")
                    .int("failures")
                    .big("created_at")
                    .0,
            )
            .await?;
        create_index(manager, "feeds_next_poll", "feeds", &["next_poll_at"]).await?;
        manager
            .create_table(
                table("feed_items")
                    .id()
                    .big("feed_id")
                    .string("guid")
                    .string_null("url")
                    .big_null("document_id")
                    .string("state")
                    .text_null("error")
                    .big("seen_at")
                    .0,
            )
            .await?;
        create_unique_index(manager, "feed_items_feed_guid", "feed_items", &["feed_id", "guid"]).await?;
        create_index(manager, "feed_items_url", "feed_items", &["url"]).await
    }
}
