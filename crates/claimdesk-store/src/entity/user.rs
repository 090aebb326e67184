use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    /// argon2 PHC string.
    pub password_hash: String,
    /// checker / editor / admin
    pub role: String,
    pub active: bool,
    pub created_at: i64,
    /// [`claimdesk_core::input::user_name_key`] of `name` (unique): what a
    /// login compares. Set for every user since m005.
    #[sea_orm(unique)]
    pub name_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
