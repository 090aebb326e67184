use sea_orm::entity::prelude::*;

/// An earlier text of an edited note (m013).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "note_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub note_id: i64,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// When this text was written (replaced later).
    pub written_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
