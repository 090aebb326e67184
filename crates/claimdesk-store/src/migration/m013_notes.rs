use sea_orm_migration::prelude::*;

use super::{create_index, table};

/// Internal notes on claims (`notes`, never published), every earlier
/// version of an edited note (`note_versions`), and the notifications
/// notes raise (`notifications`: a mention, or a note on a claim the user
/// is assigned to or reviewed). Explicit statements.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table("notes").id().big("claim_id").string("author").text("body").big("created_at").big("updated_at").0)
            .await?;
        create_index(manager, "notes_claim", "notes", &["claim_id"]).await?;
        manager.create_table(table("note_versions").id().big("note_id").text("body").big("written_at").0).await?;
        create_index(manager, "note_versions_note", "note_versions", &["note_id"]).await?;
        manager
            .create_table(
                table("notifications")
                    .id()
                    .big("user_id")
                    .big("claim_id")
                    .big_null("note_id")
                    .string("kind")
                    .string("actor")
                    .big("created_at")
                    .big_null("read_at")
                    .0,
            )
            .await?;
        create_index(manager, "notifications_user", "notifications", &["user_id", "read_at"]).await
    }
}
