use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    /// Index of the sentence the claim is.
    pub sentence_idx: i32,
    pub start: i64,
    pub end: i64,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub speaker: Option<String>,
    /// `claimdesk_core::SpeakerKind` (m006).
    pub speaker_kind: String,
    pub priority: f64,
    /// `claimdesk_core::Status` as snake_case.
    pub status: String,
    pub assignee: Option<String>,
    pub verdict: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub explanation: Option<String>,
    pub resolved_by: Option<String>,
    pub approved_by: Option<String>,
    pub dismissal_reason: Option<String>,
    /// `claimdesk_core::DismissalKind` (m010); NULL unless dismissed.
    pub dismissal_kind: Option<String>,
    /// ClaimReview `claimReviewed` as an editor set it (m004); NULL: the
    /// default short form of `text`.
    #[sea_orm(column_type = "Text", nullable)]
    pub claim_reviewed: Option<String>,
    /// `claimdesk_core::claim_key` of `text` (m008): copies of one claim
    /// share it. NULL until the store's upkeep fills rows from before m008.
    pub text_key: Option<String>,
    /// Bumped on every change; a stale edit is refused.
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
