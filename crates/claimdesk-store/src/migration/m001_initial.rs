use sea_orm::{ActiveModelTrait, Set};
use sea_orm_migration::prelude::*;

use super::frozen::claim_v1 as claim;
use super::frozen::user_v1 as user;
use super::{create_index, create_table, create_unique_index};
use crate::entity::{api_token, document, event, evidence, flag, flag_rule, flag_text, rating, sentence};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table(manager, document::Entity).await?;
        create_table(manager, sentence::Entity).await?;
        create_table(manager, claim::Entity).await?;
        create_table(manager, flag::Entity).await?;
        create_table(manager, flag_rule::Entity).await?;
        create_table(manager, flag_text::Entity).await?;
        create_table(manager, evidence::Entity).await?;
        create_table(manager, event::Entity).await?;
        create_table(manager, user::Entity).await?;
        create_table(manager, api_token::Entity).await?;
        create_table(manager, rating::Entity).await?;
        create_index(manager, "sentences_document", "sentences", &["document_id", "idx"]).await?;
        // The queue: filter by status (and more), order by priority then id,
        // paginate by keyset on (priority, id).
        create_index(manager, "claims_queue", "claims", &["status", "priority", "id"]).await?;
        create_index(manager, "claims_priority", "claims", &["priority", "id"]).await?;
        create_index(manager, "claims_document", "claims", &["document_id", "sentence_idx"]).await?;
        create_index(manager, "claims_assignee", "claims", &["assignee", "status"]).await?;
        create_index(manager, "flags_claim", "flags", &["claim_id"]).await?;
        create_index(manager, "flags_document", "flags", &["document_id"]).await?;
        create_index(manager, "flags_rule", "flags", &["rule_id", "claim_id"]).await?;
        create_unique_index(manager, "flag_rules_identity", "flag_rules", &["plugin", "plugin_version", "rule", "kind", "severity"])
            .await?;
        create_index(manager, "evidence_claim", "evidence", &["claim_id"]).await?;
        create_index(manager, "events_claim", "events", &["claim_id", "at"]).await?;
        create_index(manager, "api_tokens_user", "api_tokens", &["user_id"]).await?;
        // The default rating scale of claimdesk-core.
        let db = manager.get_connection();
        for (position, r) in claimdesk_core::RatingScale::default().ratings.into_iter().enumerate() {
            rating::ActiveModel {
                key: Set(r.key),
                label: Set(r.label),
                value: Set(r.value.map(i32::from)),
                meaning: Set(r.meaning),
                position: Set(position as i32),
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }
}
