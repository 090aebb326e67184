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

use crate::{ClaimRow, StoreError};

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

/// A stored name parsed into its enumeration; a name that is no variant is
/// a conversion error naming the column, as the sea-orm path reports it.
fn named<T: std::str::FromStr<Err = claimdesk_core::UnknownName>>(r: &rusqlite::Row<'_>, column: &'static str) -> rusqlite::Result<T> {
    let text: String = r.get(column)?;
    text.parse().map_err(|e: claimdesk_core::UnknownName| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.to_string().into())
    })
}

/// A whole claim row; columns are read by name, so the select's order
/// does not matter.
pub(crate) fn claim_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ClaimRow> {
    Ok(ClaimRow {
        id: r.get("id")?,
        document_id: r.get("document_id")?,
        sentence_index: r.get("sentence_idx")?,
        start: r.get("start")?,
        end: r.get("end")?,
        text: r.get("text")?,
        speaker: r.get("speaker")?,
        priority: r.get("priority")?,
        status: named(r, "status")?,
        assignee: r.get("assignee")?,
        verdict: r.get("verdict")?,
        explanation: r.get("explanation")?,
        resolved_by: r.get("resolved_by")?,
        approved_by: r.get("approved_by")?,
        dismissal_reason: r.get("dismissal_reason")?,
        claim_reviewed: r.get("claim_reviewed")?,
        version: r.get("version")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// The columns of [`crate::QueueRow`], by name.
pub(crate) fn queue_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<crate::QueueRow> {
    Ok(crate::QueueRow {
        id: r.get("id")?,
        document_id: r.get("document_id")?,
        text: r.get("text")?,
        speaker: r.get("speaker")?,
        priority: r.get("priority")?,
        status: named(r, "status")?,
        assignee: r.get("assignee")?,
        version: r.get("version")?,
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
    result.map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::Locked(e.to_string()),
        _ => match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, reason) => {
                StoreError::Corrupt { table: "claims", column: "status", reason: reason.to_string() }
            }
            other => StoreError::Db(sea_orm::DbErr::Custom(other.to_string())),
        },
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
