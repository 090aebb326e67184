//! Schema migrations, applied in order and recorded in `seaql_migrations`.
//!
//! A released migration never changes. `m001` to `m003` create their
//! tables from entity definitions; when an entity changes, a new migration
//! alters the table, and the entity as the old migration knew it is frozen
//! in [`frozen`] so that a fresh database still gets the old shape before
//! the new migration alters it (as `claims` since m004).

use sea_orm_migration::prelude::*;

mod frozen;
mod m001_initial;
mod m002_jobs;
mod m003_settings;
mod m004_claim_reviewed;
mod m005_sessions;

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
        ]
    }
}

/// Creates `entity`'s table from its definition.
pub(crate) async fn create_table<E: sea_orm::EntityTrait>(manager: &SchemaManager<'_>, entity: E) -> Result<(), DbErr> {
    let schema = sea_orm::Schema::new(manager.get_database_backend());
    manager.create_table(schema.create_table_from_entity(entity).if_not_exists().to_owned()).await
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
