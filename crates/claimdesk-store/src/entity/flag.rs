use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub claim_id: i64,
    pub plugin: String,
    /// The version of the plugin that raised it.
    pub plugin_version: String,
    pub rule: String,
    pub kind: String,
    pub severity: String,
    pub start: i64,
    pub end: i64,
    pub score: f64,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    #[sea_orm(column_type = "Text")]
    pub question: String,
    /// Set by `recheck` when the plugin no longer raises it; kept for the record.
    pub stale: bool,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
