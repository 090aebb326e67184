use sea_orm::entity::prelude::*;

/// A rule as raised by one plugin version.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "flag_rules")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plugin: String,
    pub plugin_version: String,
    pub rule: String,
    pub kind: String,
    pub severity: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
