use sea_orm::entity::prelude::*;

/// An item a feed listed (m015); one row per GUID per feed.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "feed_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub feed_id: i64,
    pub guid: String,
    pub url: Option<String>,
    pub document_id: Option<i64>,
    /// [`crate::FeedItemState`].
    pub state: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub seen_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
