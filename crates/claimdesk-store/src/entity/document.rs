use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the trimmed body: re-ingesting the same text is a no-op.
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
    pub created_at: i64,
    pub checked_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
