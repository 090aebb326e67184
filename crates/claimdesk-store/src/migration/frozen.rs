//! Entity definitions as released migrations created them.
//!
//! A migration that builds a table from an entity must keep building the
//! same table after the entity changes; so once an entity changes, the shape
//! its first migration created is frozen here and that migration uses this
//! copy. Never edit these.

/// `claims` as `m001_initial` created it (before `claim_reviewed`, m004).
pub(crate) mod claim_v1 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "claims")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub document_id: i64,
        pub sentence_idx: i32,
        pub start: i64,
        pub end: i64,
        #[sea_orm(column_type = "Text")]
        pub text: String,
        pub speaker: Option<String>,
        pub priority: f64,
        pub status: String,
        pub assignee: Option<String>,
        pub verdict: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub explanation: Option<String>,
        pub resolved_by: Option<String>,
        pub approved_by: Option<String>,
        pub dismissal_reason: Option<String>,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `users` as `m001_initial` created it (before `name_key`, m005).
pub(crate) mod user_v1 {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub name: String,
        pub password_hash: String,
        pub role: String,
        pub active: bool,
        pub created_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
