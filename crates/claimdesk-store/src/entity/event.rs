use sea_orm::entity::prelude::*;

/// One entry of a claim's audit trail.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub claim_id: i64,
    pub actor: String,
    pub at: i64,
    pub action: String,
    pub before: String,
    pub after: String,
    /// The action's details as JSON (verdict, reason, evidence id, …).
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
