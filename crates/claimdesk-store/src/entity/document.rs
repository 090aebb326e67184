use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the body's normal form (`hash_form`): re-ingesting the
    /// same text is a no-op.
    #[sea_orm(unique)]
    pub content_hash: String,
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub outlet: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub language: String,
    /// Where it was ingested from: a path, `<stdin>`, or `upload`.
    pub origin: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The normal form `content_hash` was taken over (m008): 2 now; 1, the
    /// first release's trimmed body, until the store's upkeep rehashes it.
    pub hash_form: i32,
    /// The earlier document this one nearly repeats (m008).
    pub near_duplicate_of: Option<i64>,
    /// The share of this document's sentences found in that one.
    pub near_share: Option<f64>,
    pub created_at: i64,
    pub checked_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
