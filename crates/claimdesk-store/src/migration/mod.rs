//! Schema migrations, applied in order and recorded in `seaql_migrations`.
//!
//! A released migration never changes, and each is written as explicit
//! sea-query statements (never built from the live entities), so that it
//! creates exactly the schema of its day forever. A change to a table is a
//! new migration that alters it. `tests/e2e/store.rs` compares the schema a
//! fresh database gets with a committed snapshot, on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

mod m001_initial;
mod m002_jobs;
mod m003_settings;
mod m004_claim_reviewed;
mod m005_sessions;
mod m006_speaker_kind;
mod m007_fact_checks;
mod m008_memory;
mod m009_explained;
mod m010_dismissal_kind;
mod m011_evidence_archive;
mod m012_saved_views;
mod m013_notes;
mod m014_drop_jobs;
mod m015_feeds;
mod m016_page_speed;

#[derive(Debug)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m001_initial::Migration),
            Box::new(m002_jobs::Migration),
            Box::new(m003_settings::Migration),
            Box::new(m004_claim_reviewed::Migration),
            Box::new(m005_sessions::Migration),
            Box::new(m006_speaker_kind::Migration),
            Box::new(m007_fact_checks::Migration),
            Box::new(m008_memory::Migration),
            Box::new(m009_explained::Migration),
            Box::new(m010_dismissal_kind::Migration),
            Box::new(m011_evidence_archive::Migration),
            Box::new(m012_saved_views::Migration),
            Box::new(m013_notes::Migration),
            Box::new(m014_drop_jobs::Migration),
            Box::new(m015_feeds::Migration),
            Box::new(m016_page_speed::Migration),
        ]
    }
}

/// A `CREATE TABLE IF NOT EXISTS` being written, one column at a time.
pub(crate) struct TableDef(pub(crate) TableCreateStatement);

pub(crate) fn table(name: &str) -> TableDef {
    TableDef(Table::create().table(Alias::new(name)).if_not_exists().to_owned())
}

/// The column kinds the schema uses; `_null` ones may hold NULL, the rest
/// may not. 64-bit integers are `big`, text without a length is `string`
/// (`varchar`) or `text`.
impl TableDef {
    pub(crate) fn column(mut self, mut column: ColumnDef) -> Self {
        self.0.col(&mut column);
        self
    }

    /// `id`: 64-bit, generated, the primary key.
    pub(crate) fn id(self) -> Self {
        self.column(ColumnDef::new(Alias::new("id")).big_integer().not_null().auto_increment().primary_key().to_owned())
    }

    /// A text primary key.
    pub(crate) fn string_key(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).string().not_null().primary_key().to_owned())
    }

    pub(crate) fn big(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).big_integer().not_null().to_owned())
    }

    pub(crate) fn big_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).big_integer().to_owned())
    }

    pub(crate) fn int(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).integer().not_null().to_owned())
    }

    pub(crate) fn int_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).integer().to_owned())
    }

    pub(crate) fn double_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).double().to_owned())
    }

    /// Bytes: `BLOB` on SQLite, `bytea` on PostgreSQL.
    pub(crate) fn blob(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).binary().not_null().to_owned())
    }

    pub(crate) fn blob_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).binary().to_owned())
    }

    pub(crate) fn double(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).double().not_null().to_owned())
    }

    pub(crate) fn boolean(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).boolean().not_null().to_owned())
    }

    pub(crate) fn string(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).string().not_null().to_owned())
    }

    pub(crate) fn string_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).string().to_owned())
    }

    pub(crate) fn string_unique(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).string().not_null().unique_key().to_owned())
    }

    pub(crate) fn text(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).text().not_null().to_owned())
    }

    pub(crate) fn text_null(self, name: &str) -> Self {
        self.column(ColumnDef::new(Alias::new(name)).text().to_owned())
    }
}

/// Creates index `name` on `table(columns…)`.
pub(crate) async fn create_index(manager: &SchemaManager<'_>, name: &str, table: &str, columns: &[&str]) -> Result<(), DbErr> {
    index(manager, name, table, columns, false).await
}

pub(crate) async fn create_unique_index(manager: &SchemaManager<'_>, name: &str, table: &str, columns: &[&str]) -> Result<(), DbErr> {
    index(manager, name, table, columns, true).await
}

async fn index(manager: &SchemaManager<'_>, name: &str, table: &str, columns: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table)).if_not_exists();
    if unique {
        index.unique();
    }
    for column in columns {
        index.col(Alias::new(*column));
    }
    manager.create_index(index.to_owned()).await
}
