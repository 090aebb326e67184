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
    #[error("database error: {0}")]
    Db(DbErr),
}

impl From<DbErr> for StoreError {
    /// Sorts database errors the user can act on from the rest.
    fn from(err: DbErr) -> Self {
        let text = err.to_string();
        let lower = text.to_ascii_lowercase();
        if lower.contains("readonly") || lower.contains("read-only") || lower.contains("read only") {
            StoreError::ReadOnly(text)
        } else if lower.contains("database is locked") || lower.contains("database table is locked") {
            StoreError::Locked(text)
        } else {
            StoreError::Db(err)
        }
    }
}

/// Whether `err` is a unique-constraint violation, by the database's own
/// error code (never by message text).
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}
