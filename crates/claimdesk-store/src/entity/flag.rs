use sea_orm::entity::prelude::*;

/// A flag on a claim. What it says lives in the small `flag_rules` and
/// `flag_texts` tables it points at: plugins repeat a few rules and texts
/// across millions of flags, so flag rows stay narrow (integers only) and
/// cheap to insert and index.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub claim_id: i64,
    /// `flag_rules.id`: plugin, plugin version, rule, kind, severity.
    pub rule_id: i64,
    /// `flag_texts.id`: message and question.
    pub text_id: i64,
    pub start: i64,
    pub end: i64,
    pub score: f64,
    /// Set by `recheck` when the plugin no longer raises it; kept for the record.
    pub stale: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
