use sea_orm::DbErr;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot open database {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("the database is read-only: {0}")]
    ReadOnly(String),
    #[error("the database is locked by another process and stayed locked for the whole busy timeout: {0}")]
    Locked(String),
    #[error("migrating the database failed: {0}")]
    Migration(String),
    #[error("no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
    #[error("a {what} named {name:?} already exists")]
    Duplicate { what: &'static str, name: String },
    #[error("claim {id} was changed by someone else (version {found}, you had {expected}); reload it and try again")]
    StaleVersion { id: i64, expected: i32, found: i32 },
    /// Input the store refuses to keep (an unsafe URL, a control character).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Transition(claimdesk_core::TransitionError),
    /// A stored value the code cannot read: a name that is no variant of
    /// its enumeration, written by hand or by a newer version.
    #[error("the database holds a value this version cannot read, in {table}.{column}: {reason}")]
    Corrupt { table: &'static str, column: &'static str, reason: String },
    #[error("database error: {0}")]
    Db(DbErr),
}

/// What a database error means to a user, told by the database's own error
/// code (SQLite result code, PostgreSQL SQLSTATE), never by message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DbErrorKind {
    UniqueViolation,
    ForeignKeyViolation,
    /// Another writer holds the lock (SQLite busy/locked; PostgreSQL lock
    /// not available, serialization failure, deadlock).
    Busy,
    /// The database refuses writes (SQLite readonly; PostgreSQL read-only
    /// transaction, e.g. a hot standby).
    ReadOnly,
    Other,
}

/// The code the database gave `err` and whether it is a PostgreSQL
/// SQLSTATE (else a SQLite result code), when it came from the database.
fn database_code(err: &DbErr) -> Option<(bool, String)> {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    match &**e {
        sea_orm::sqlx::Error::Database(d) => {
            let postgres = d.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some();
            d.code().map(|c| (postgres, c.into_owned()))
        }
        _ => None,
    }
}

/// Sorts a PostgreSQL SQLSTATE (`postgres`) or a SQLite extended result code.
pub(crate) fn classify_code(postgres: bool, code: &str) -> DbErrorKind {
    if !postgres {
        let Ok(sqlite) = code.parse::<i32>() else { return DbErrorKind::Other };
        // The primary result code is the low byte of the extended one.
        return match (sqlite & 0xff, sqlite) {
            (_, 2067 | 1555) => DbErrorKind::UniqueViolation, // CONSTRAINT_UNIQUE, CONSTRAINT_PRIMARYKEY
            (_, 787) => DbErrorKind::ForeignKeyViolation,     // CONSTRAINT_FOREIGNKEY
            (5 | 6, _) => DbErrorKind::Busy,                  // BUSY, LOCKED
            (8, _) => DbErrorKind::ReadOnly,                  // READONLY
            _ => DbErrorKind::Other,
        };
    }
    match code {
        "23505" => DbErrorKind::UniqueViolation,
        "23503" => DbErrorKind::ForeignKeyViolation,
        "55P03" | "40001" | "40P01" => DbErrorKind::Busy,
        "25006" => DbErrorKind::ReadOnly,
        _ => DbErrorKind::Other,
    }
}

pub(crate) fn kind_of(err: &DbErr) -> DbErrorKind {
    database_code(err).map_or(DbErrorKind::Other, |(postgres, code)| classify_code(postgres, &code))
}

impl From<DbErr> for StoreError {
    /// Sorts database errors the user can act on from the rest, by code.
    fn from(err: DbErr) -> Self {
        match kind_of(&err) {
            DbErrorKind::ReadOnly => StoreError::ReadOnly(err.to_string()),
            DbErrorKind::Busy => StoreError::Locked(err.to_string()),
            _ => StoreError::Db(err),
        }
    }
}

/// Whether `err` is a unique-constraint violation, by the database's own
/// error code (never by message text).
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    kind_of(err) == DbErrorKind::UniqueViolation
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_by_number_not_text() {
        assert_eq!(classify_code(false, "2067"), DbErrorKind::UniqueViolation);
        assert_eq!(classify_code(false, "1555"), DbErrorKind::UniqueViolation);
        assert_eq!(classify_code(false, "787"), DbErrorKind::ForeignKeyViolation);
        assert_eq!(classify_code(false, "5"), DbErrorKind::Busy);
        assert_eq!(classify_code(false, "517"), DbErrorKind::Busy, "SQLITE_BUSY_SNAPSHOT");
        assert_eq!(classify_code(false, "262"), DbErrorKind::Busy, "SQLITE_LOCKED_SHAREDCACHE");
        assert_eq!(classify_code(false, "8"), DbErrorKind::ReadOnly);
        assert_eq!(classify_code(false, "1032"), DbErrorKind::ReadOnly, "SQLITE_READONLY_DBMOVED");
        assert_eq!(classify_code(false, "19"), DbErrorKind::Other, "another constraint");
        assert_eq!(classify_code(true, "23505"), DbErrorKind::UniqueViolation);
        assert_eq!(classify_code(true, "25006"), DbErrorKind::ReadOnly);
        assert_eq!(classify_code(true, "40P01"), DbErrorKind::Busy);
        assert_eq!(classify_code(true, "42P01"), DbErrorKind::Other);
        // A message that merely mentions "locked" is not a lock.
        assert!(matches!(StoreError::from(DbErr::Custom("database is locked".into())), StoreError::Db(_)));
    }
}
