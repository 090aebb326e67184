use sea_orm_migration::prelude::*;

use super::create_index;

/// Indexes the main pages read by (performance issue #31), as explicit
/// statements:
/// - `claims_open`: open claims (new, in review) in priority order, a
///   partial index; the queue's default view walks it instead of merging
///   two statuses of `claims_queue` (PostgreSQL sorted every open claim
///   for it). Queries name the two statuses as literals so both databases
///   can prove the index applies.
/// - `claims_text_key_document` replaces `claims_text_key`: a claim's
///   copies are counted from the index alone.
/// - `claims_created`: the dashboard's claims per day and its oldest open
///   claims.
/// - `claims_decided`: the verdicts of decided claims (resolved,
///   published), partial like `claims_open`, for the dashboard's verdict
///   mix without reading every claim.
/// - `events_action_at`: the dashboard's verdicts, publications and
///   dismissals per day, and first verdicts in a period.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX IF NOT EXISTS claims_open ON claims (priority, id) WHERE status IN ('new', 'in_review')")
            .await?;
        create_index(manager, "claims_text_key_document", "claims", &["text_key", "document_id"]).await?;
        manager.drop_index(Index::drop().name("claims_text_key").table(Alias::new("claims")).if_exists().to_owned()).await?;
        create_index(manager, "claims_created", "claims", &["created_at", "id"]).await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX IF NOT EXISTS claims_decided ON claims (verdict) WHERE status IN ('resolved', 'published')")
            .await?;
        create_index(manager, "events_action_at", "events", &["action", "at", "claim_id"]).await
    }
}
