//! The work crate's one error type, with a kind callers match on.

/// What went wrong, for callers that answer differently (HTTP status, exit
/// code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkErrorKind {
    /// The job engine's database could not be reached or refused a query.
    Database,
    /// The engine was set up wrongly (an unsupported database URL, bad
    /// retry settings).
    Config,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct WorkError {
    kind: WorkErrorKind,
    message: String,
}

impl WorkError {
    pub(crate) fn new(kind: WorkErrorKind, message: impl Into<String>) -> WorkError {
        WorkError { kind, message: message.into() }
    }

    pub fn kind(&self) -> WorkErrorKind {
        self.kind
    }
}

impl From<sqlx::Error> for WorkError {
    fn from(e: sqlx::Error) -> Self {
        WorkError::new(WorkErrorKind::Database, format!("the job engine's database: {e}"))
    }
}

impl From<apalis_postgres::Error> for WorkError {
    fn from(e: apalis_postgres::Error) -> Self {
        WorkError::new(WorkErrorKind::Database, format!("the job engine (PostgreSQL): {e}"))
    }
}

impl From<apalis_sqlite::Error> for WorkError {
    fn from(e: apalis_sqlite::Error) -> Self {
        WorkError::new(WorkErrorKind::Database, format!("the job engine (SQLite): {e}"))
    }
}
