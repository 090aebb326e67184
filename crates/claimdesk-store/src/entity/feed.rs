use sea_orm::entity::prelude::*;

/// A monitored feed (m015).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "feeds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub url: String,
    pub outlet: Option<String>,
    /// The feed's own title, from its last successful poll.
    pub title: Option<String>,
    pub every_secs: i64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds; a poll in progress holds it a lease ahead.
    pub next_poll_at: i64,
    pub last_polled_at: Option<i64>,
    pub last_success_at: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// Polls failed in a row (the backoff's exponent).
    pub failures: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
