use sea_orm::entity::prelude::*;

/// Something for a user to see (m013).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub claim_id: i64,
    pub note_id: Option<i64>,
    /// `claimdesk_core::NotificationKind`.
    pub kind: String,
    /// Who caused it.
    pub actor: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
