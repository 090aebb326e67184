use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, TransactionOptions, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::{Migrator, StoreError};

/// How long a writer waits for a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open database: one writer connection and a pool of readers on SQLite,
/// one pool for both on PostgreSQL.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) write: DatabaseConnection,
    pub(crate) read: DatabaseConnection,
    backend: Backend,
    pub(crate) refs: crate::refs::SharedRefCache,
    /// The SQLite file, for the queue's rusqlite fast path.
    pub(crate) sqlite_file: Option<std::sync::Arc<std::path::PathBuf>>,
}

fn sqlite_options(url: &str, max: u32, read_only: bool) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options.max_connections(max).min_connections(1).acquire_timeout(BUSY_TIMEOUT + Duration::from_secs(5)).sqlx_logging(false);
    options.map_sqlx_sqlite_opts(move |o| {
        o.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .create_if_missing(!read_only)
            .foreign_keys(true)
            .read_only(read_only)
    });
    options
}

impl Store {
    /// Opens (creating a SQLite file if needed) and brings the schema up to
    /// date.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::open_without_migrating(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens without touching the schema.
    pub async fn open_without_migrating(url: &str) -> Result<Store, StoreError> {
        let open_error = |e: sea_orm::DbErr| match StoreError::from(e) {
            StoreError::Db(e) => StoreError::Open { url: url.to_owned(), reason: e.to_string() },
            other => other,
        };
        if url.starts_with("sqlite:") {
            // `?mode=ro` must survive the options set below.
            let read_only = url.split_once('?').is_some_and(|(_, query)| query.split('&').any(|p| p == "mode=ro"));
            let mut write = Database::connect(sqlite_options(url, 1, read_only)).await.map_err(open_error)?;
            let mut read = Database::connect(sqlite_options(url, 4, read_only)).await.map_err(open_error)?;
            crate::meter::install(&mut write);
            crate::meter::install(&mut read);
            let sqlite_file = crate::fast::sqlite_path(url).map(std::sync::Arc::new);
            Ok(Store { write, read, backend: Backend::Sqlite, refs: Default::default(), sqlite_file })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let mut options = ConnectOptions::new(url);
            options.max_connections(8).acquire_timeout(Duration::from_secs(5)).connect_timeout(Duration::from_secs(5)).sqlx_logging(false);
            let mut pool = Database::connect(options).await.map_err(open_error)?;
            crate::meter::install(&mut pool);
            Ok(Store { write: pool.clone(), read: pool, backend: Backend::Postgres, refs: Default::default(), sqlite_file: None })
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations, then fills what they leave to Rust
    /// (`upkeep.rs`); returns how many migrations were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let unknown = self.unknown_migrations().await?;
        if !unknown.is_empty() {
            return Err(StoreError::Migration(format!(
                "the database's schema is newer than this claimdesk knows (applied: {}); run the newer claimdesk, or restore a backup",
                unknown.join(", ")
            )));
        }
        let pending = Migrator::get_pending_migrations(&self.write).await.map_err(StoreError::from)?.len();
        Migrator::up(&self.write, None).await.map_err(|e| match StoreError::from(e) {
            StoreError::Db(e) => StoreError::Migration(e.to_string()),
            other => other,
        })?;
        self.upkeep().await?;
        Ok(pending)
    }

    /// Migrations the database has applied that this build does not know:
    /// a newer claimdesk migrated it. None on a database never migrated.
    async fn unknown_migrations(&self) -> Result<Vec<String>, StoreError> {
        use sea_orm::ConnectionTrait;
        let known: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let sql = sea_orm::Statement::from_string(self.db_backend(), "SELECT version FROM seaql_migrations");
        // No table yet: a fresh database.
        let Ok(rows) = self.read.query_all_raw(sql).await else { return Ok(Vec::new()) };
        let mut unknown = Vec::new();
        for row in rows {
            let version: String = row.try_get("", "version")?;
            if !known.contains(&version) {
                unknown.push(version);
            }
        }
        Ok(unknown)
    }

    /// Applies only the first `n` migrations: for testing upgrades.
    pub async fn migrate_to(&self, n: u32) -> Result<(), StoreError> {
        Migrator::up(&self.write, Some(n)).await.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Names of the applied migrations, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = Migrator::get_applied_migrations(&self.read).await?;
        Ok(applied.iter().map(|m| m.name().to_owned()).collect())
    }

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite, so the
    /// write lock is taken (or waited for) up front.
    pub(crate) async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, StoreError> {
        let options = match self.backend {
            Backend::Sqlite => {
                TransactionOptions { sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate), ..Default::default() }
            }
            Backend::Postgres => TransactionOptions::default(),
        };
        Ok(self.write.begin_with_options(options).await?)
    }

    pub(crate) fn db_backend(&self) -> DbBackend {
        match self.backend {
            Backend::Sqlite => DbBackend::Sqlite,
            Backend::Postgres => DbBackend::Postgres,
        }
    }

    /// Closes every connection, checkpointing SQLite's WAL.
    pub async fn close(self) -> Result<(), StoreError> {
        self.read.close().await?;
        self.write.close().await?;
        Ok(())
    }
}
