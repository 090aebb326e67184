use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sentences")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    /// Position in the document, from 0.
    pub idx: i32,
    pub start: i64,
    pub end: i64,
    pub checkworthiness: f64,
    pub speaker: Option<String>,
    pub anonymous: bool,
    /// `claimdesk_core::claim_key` of the sentence's text (m008).
    pub text_key: Option<String>,
    /// Why the check-worthiness came out as it did (m009).
    pub score_why: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
