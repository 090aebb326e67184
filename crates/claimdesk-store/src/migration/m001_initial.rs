use sea_orm_migration::prelude::*;

use super::{create_index, create_unique_index, table};

/// The first release's schema: documents, sentences, claims, narrow flags
/// with their rules and texts, evidence, the audit trail, users, API tokens
/// and the rating scale, with the queue's indexes and the default scale of
/// that release. Explicit statements: it creates the same schema forever.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            table("documents")
                .id()
                .string_unique("content_hash")
                .string_null("title")
                .string_null("source_url")
                .string_null("outlet")
                .string_null("author")
                .string_null("published")
                .string("language")
                .string_null("origin")
                .text("body")
                .big("created_at")
                .big("checked_at"),
            table("sentences")
                .id()
                .big("document_id")
                .int("idx")
                .big("start")
                .big("end")
                .double("checkworthiness")
                .string_null("speaker")
                .boolean("anonymous"),
            table("claims")
                .id()
                .big("document_id")
                .int("sentence_idx")
                .big("start")
                .big("end")
                .text("text")
                .string_null("speaker")
                .double("priority")
                .string("status")
                .string_null("assignee")
                .string_null("verdict")
                .text_null("explanation")
                .string_null("resolved_by")
                .string_null("approved_by")
                .string_null("dismissal_reason")
                .int("version")
                .big("created_at")
                .big("updated_at"),
            table("flags")
                .id()
                .big("document_id")
                .big("claim_id")
                .big("rule_id")
                .big("text_id")
                .big("start")
                .big("end")
                .double("score")
                .boolean("stale")
                .big("created_at"),
            table("flag_rules").id().string("plugin").string("plugin_version").string("rule").string("kind").string("severity"),
            table("flag_texts").id().string_unique("hash").text("message").text("question"),
            table("evidence")
                .id()
                .big("claim_id")
                .text("url")
                .string_null("title")
                .text_null("quoted_passage")
                .text_null("note")
                .string("stance")
                .string("added_by")
                .big("added_at"),
            table("events").id().big("claim_id").string("actor").big("at").string("action").string("before").string("after").text("detail"),
            table("users").id().string_unique("name").string("password_hash").string("role").boolean("active").big("created_at"),
            table("api_tokens").id().big("user_id").string_unique("token_hash").big("created_at").big_null("last_used_at"),
            table("ratings").string_key("key").string("label").int_null("value").text("meaning").int("position"),
        ];
        for table in tables {
            manager.create_table(table.0).await?;
        }
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
        // The default rating scale as the first release defined it (written
        // out: a later change to the core's default must not change what
        // this migration seeds).
        let scale: [(&str, &str, Option<i32>, &str); 7] = [
            ("true", "True", Some(5), "Accurate, with nothing significant missing."),
            ("mostly_true", "Mostly true", Some(4), "Accurate but needs clarification or context."),
            ("mixed", "Mixed", Some(3), "Partly accurate, partly not."),
            ("mostly_false", "Mostly false", Some(2), "Contains some truth but ignores facts that change the picture."),
            ("false", "False", Some(1), "Not accurate."),
            ("unverifiable", "Unverifiable", None, "The available evidence cannot settle it either way."),
            ("misleading_context", "Misleading context", None, "Accurate in itself but presented so as to mislead."),
        ];
        let mut insert = Query::insert()
            .into_table(Alias::new("ratings"))
            .columns(["key", "label", "value", "meaning", "position"].map(Alias::new))
            .to_owned();
        for (position, (key, label, value, meaning)) in scale.into_iter().enumerate() {
            insert.values_panic([key.into(), label.into(), value.into(), meaning.into(), (position as i32).into()]);
        }
        manager.exec_stmt(insert).await
    }
}
