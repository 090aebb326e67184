use sea_orm::entity::prelude::*;

/// The installation's rating scale, in display order.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ratings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub label: String,
    /// ClaimReview ratingValue; `None` for unrated outcomes.
    pub value: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub meaning: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
