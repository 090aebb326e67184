use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub claim_id: i64,
    #[sea_orm(column_type = "Text")]
    pub url: String,
    pub title: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub quoted_passage: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    /// supports / refutes / context
    pub stance: String,
    pub added_by: String,
    pub added_at: i64,
    /// An archive's copy of `url` (m011).
    #[sea_orm(column_type = "Text", nullable)]
    pub archived_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
