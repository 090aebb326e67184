//! The review queue's hot read on SQLite, through rusqlite instead of sqlx.
//!
//! sqlx runs each SQLite connection on a worker thread and hands rows over a
//! channel one at a time; for a 50-row page that hand-over costs several
//! times the query itself (docs/PERFORMANCE.md). Here the same statement —
//! built by sea-query from the same filter, so the two paths cannot drift
//! apart — runs on a read-only rusqlite connection kept per blocking thread,
//! as a cached prepared statement. Writes never come through here.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::Value as SqlValue;
use sea_orm::{Statement, Value};

use crate::StoreError;
use crate::entity::claim;

/// The database file of a `sqlite:` URL, when it names one.
pub(crate) fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(':')).then(|| PathBuf::from(path))
}

thread_local! {
    static READER: RefCell<Option<(PathBuf, rusqlite::Connection)>> = const { RefCell::new(None) };
}

fn value(v: &Value) -> rusqlite::Result<SqlValue> {
    Ok(match v {
        Value::Bool(b) => b.map_or(SqlValue::Null, |b| SqlValue::Integer(i64::from(b))),
        Value::TinyInt(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::SmallInt(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::Int(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::BigInt(x) => x.map_or(SqlValue::Null, SqlValue::Integer),
        Value::TinyUnsigned(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::SmallUnsigned(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::Unsigned(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x.into())),
        Value::BigUnsigned(x) => x.map_or(SqlValue::Null, |x| SqlValue::Integer(x as i64)),
        Value::Float(x) => x.map_or(SqlValue::Null, |x| SqlValue::Real(x.into())),
        Value::Double(x) => x.map_or(SqlValue::Null, SqlValue::Real),
        Value::String(s) => s.clone().map_or(SqlValue::Null, SqlValue::Text),
        Value::Char(c) => c.map_or(SqlValue::Null, |c| SqlValue::Text(c.to_string())),
        Value::Bytes(b) => b.clone().map_or(SqlValue::Null, SqlValue::Blob),
        // The queue's filters bind only the types above; anything else is a
        // bug to report, not a NULL to bind.
        other => return Err(rusqlite::Error::ToSqlConversionFailure(format!("unsupported parameter {other:?}").into())),
    })
}

/// A whole claim row, columns in entity order.
pub(crate) fn claim_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<claim::Model> {
    Ok(claim::Model {
        id: r.get(0)?,
        document_id: r.get(1)?,
        sentence_idx: r.get(2)?,
        start: r.get(3)?,
        end: r.get(4)?,
        text: r.get(5)?,
        speaker: r.get(6)?,
        priority: r.get(7)?,
        status: r.get(8)?,
        assignee: r.get(9)?,
        verdict: r.get(10)?,
        explanation: r.get(11)?,
        resolved_by: r.get(12)?,
        approved_by: r.get(13)?,
        dismissal_reason: r.get(14)?,
        claim_reviewed: r.get(15)?,
        version: r.get(16)?,
        created_at: r.get(17)?,
        updated_at: r.get(18)?,
    })
}

/// The columns of [`crate::QueueRow`], in its order.
pub(crate) fn queue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::QueueRow> {
    Ok(crate::QueueRow {
        id: r.get(0)?,
        document_id: r.get(1)?,
        text: r.get(2)?,
        speaker: r.get(3)?,
        priority: r.get(4)?,
        status: r.get(5)?,
        assignee: r.get(6)?,
        version: r.get(7)?,
    })
}

type RowFn<T> = fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>;

fn run<T>(path: &Path, statement: &Statement, map: RowFn<T>) -> rusqlite::Result<Vec<T>> {
    READER.with(|reader| {
        let mut reader = reader.borrow_mut();
        if reader.as_ref().is_none_or(|(p, _)| p != path) {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(Duration::from_secs(5))?;
            *reader = Some((path.to_owned(), conn));
        }
        let Some((_, conn)) = reader.as_ref() else { return Ok(Vec::new()) };
        let mut stmt = conn.prepare_cached(&statement.sql)?;
        let values = statement.values.iter().flat_map(|v| v.0.iter()).map(value).collect::<rusqlite::Result<Vec<SqlValue>>>()?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), map)?;
        rows.collect()
    })
}

/// Runs `statement`, turning each row into a `T` with `map`. A statement that may scan many rows (`may_scan`: free text,
/// flag-based filters) runs on a blocking thread so that it cannot stall
/// the worker; the index-bound rest runs in place, on the worker's own
/// connection — one warm page cache per worker instead of one per blocking
/// thread, which measurably matters for the hot default page.
pub(crate) async fn query<T: Send + 'static>(
    path: Arc<PathBuf>,
    statement: Statement,
    may_scan: bool,
    map: RowFn<T>,
) -> Result<Vec<T>, StoreError> {
    let result = if may_scan {
        tokio::task::spawn_blocking(move || run(&path, &statement, map))
            .await
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("the queue reader stopped: {e}"))))?
    } else {
        run(&path, &statement, map)
    };
    result.map_err(|e| {
        let text = e.to_string();
        if text.contains("locked") { StoreError::Locked(text) } else { StoreError::Db(sea_orm::DbErr::Custom(text)) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:///tmp/a.db?mode=rwc"), Some(PathBuf::from("/tmp/a.db")));
        assert_eq!(sqlite_path("sqlite://claimdesk.db?mode=rwc"), Some(PathBuf::from("claimdesk.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
