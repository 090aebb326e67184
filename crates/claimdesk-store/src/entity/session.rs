use sea_orm::entity::prelude::*;

/// A login session. The cookie carries a random id; only its SHA-256 is
/// stored, so a copy of the database cannot be replayed as a session.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: i64,
    pub created_at: i64,
    /// Last request seen, to the minute (updated at most once a minute).
    pub last_seen_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
