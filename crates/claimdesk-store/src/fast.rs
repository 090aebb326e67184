//! The review queue's hot read on SQLite, through rusqlite instead of sqlx.
//!
//! sqlx runs each SQLite connection on a worker thread and hands rows over a
//! channel one at a time; for a 50-row page that hand-over costs several
//! times the query itself (docs/PERFORMANCE.md). Here the same statement —
//! built by sea-query from the same filter, so the two paths cannot drift
//! apart — runs on a read-only rusqlite connection kept per blocking thread,
//! as a cached prepared statement. Writes never come through here.
//!
//! Each connection keeps the rows it read until the database changes
//! ([`Kept`]): a page viewed again before any write costs one `PRAGMA`.

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
    static READER: RefCell<Option<Reader>> = const { RefCell::new(None) };
}

/// A thread's read-only connection and the pages it read since the
/// database last changed.
struct Reader {
    path: PathBuf,
    conn: rusqlite::Connection,
    kept: Kept,
}

/// Rows read on one connection, by statement text and bound values, kept
/// while the database does not change: SQLite's `PRAGMA data_version`
/// changes on this connection whenever any other connection commits (and
/// every write goes through other connections: this one is read-only), so
/// a kept page is exactly what the statement would read now. At most
/// [`KEPT_PAGES`] per thread; all are dropped at the first change.
#[derive(Default)]
struct Kept {
    version: i64,
    pages: std::collections::HashMap<String, Box<dyn std::any::Any>>,
}

/// How many pages a thread keeps at most (a busy desk's distinct filter
/// combinations between two writes; beyond it, the oldest are not told
/// apart and all are dropped).
const KEPT_PAGES: usize = 64;

impl Kept {
    /// Drops every page if the database changed since they were read.
    fn check(&mut self, conn: &rusqlite::Connection) -> rusqlite::Result<()> {
        let version: i64 = conn.prepare_cached("PRAGMA data_version")?.query_row([], |r| r.get(0))?;
        if version != self.version {
            self.pages.clear();
            self.version = version;
        }
        Ok(())
    }

    fn get<T: Clone + 'static>(&self, key: &str) -> Option<Vec<T>> {
        self.pages.get(key)?.downcast_ref::<Vec<T>>().cloned()
    }

    fn put<T: Clone + 'static>(&mut self, key: impl Into<String>, rows: &[T]) {
        if self.pages.len() >= KEPT_PAGES {
            self.pages.clear();
        }
        self.pages.insert(key.into(), Box::new(rows.to_vec()));
    }
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

/// A stored name of `claims.column` parsed into its enumeration, by the
/// store's one parser; a name that is no variant fails the row with that
/// parser's [`StoreError::Corrupt`], which [`query`] hands on as it is.
fn named<T: std::str::FromStr<Err = claimdesk_core::UnknownName>>(text: String, column: &'static str) -> rusqlite::Result<T> {
    crate::rows::parse("claims", column, &text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// A row type the fast path reads. Its columns are found by name once per
/// query (`COLUMNS`, in the order `read` takes them), not per row: a name
/// lookup per field per row cost more than the query itself.
pub(crate) trait FastRow: Sized + Send + Clone + 'static {
    const COLUMNS: &'static [&'static str];
    /// Reads one row; `at[i]` is the position of `COLUMNS[i]`.
    fn read(r: &rusqlite::Row<'_>, at: &[usize]) -> rusqlite::Result<Self>;
}

/// Where each of `wanted` is among a statement's `columns`: one pass when
/// they come in the same order (as sea-query writes them), a search when not.
fn positions(columns: &[&str], wanted: &[&str]) -> rusqlite::Result<Vec<usize>> {
    if columns == wanted {
        return Ok((0..wanted.len()).collect());
    }
    wanted.iter().map(|w| columns.iter().position(|c| c == w).ok_or_else(|| rusqlite::Error::InvalidColumnName((*w).to_owned()))).collect()
}

/// Column `i` of `COLUMNS`.
fn col<T: rusqlite::types::FromSql>(r: &rusqlite::Row<'_>, at: &[usize], i: usize) -> rusqlite::Result<T> {
    r.get(*at.get(i).ok_or(rusqlite::Error::InvalidColumnIndex(i))?)
}

impl FastRow for ClaimRow {
    const COLUMNS: &'static [&'static str] = &[
        "id", "document_id", "sentence_idx", "start", "end", "text", "speaker", "speaker_kind", "priority", "status", "assignee",
        "verdict", "explanation", "resolved_by", "approved_by", "dismissal_reason", "claim_reviewed", "version", "created_at",
        "updated_at", "dismissal_kind",
    ];

    fn read(r: &rusqlite::Row<'_>, at: &[usize]) -> rusqlite::Result<Self> {
        Ok(ClaimRow {
            id: col(r, at, 0)?,
            document_id: col(r, at, 1)?,
            sentence_index: col(r, at, 2)?,
            start: col(r, at, 3)?,
            end: col(r, at, 4)?,
            text: col(r, at, 5)?,
            speaker: col(r, at, 6)?,
            speaker_kind: named(col(r, at, 7)?, "speaker_kind")?,
            priority: col(r, at, 8)?,
            status: named(col(r, at, 9)?, "status")?,
            assignee: col(r, at, 10)?,
            verdict: col(r, at, 11)?,
            explanation: col(r, at, 12)?,
            resolved_by: col(r, at, 13)?,
            approved_by: col(r, at, 14)?,
            dismissal_reason: col(r, at, 15)?,
            claim_reviewed: col(r, at, 16)?,
            version: col(r, at, 17)?,
            created_at: col(r, at, 18)?,
            updated_at: col(r, at, 19)?,
            dismissal_kind: col::<Option<String>>(r, at, 20)?.map(|k| named(k, "dismissal_kind")).transpose()?,
        })
    }
}

impl FastRow for crate::QueueRow {
    const COLUMNS: &'static [&'static str] = &[
        "id", "document_id", "text", "speaker", "priority", "status", "assignee", "version", "text_key", "match_cosine", "key_documents",
        "kinds",
    ];

    fn read(r: &rusqlite::Row<'_>, at: &[usize]) -> rusqlite::Result<Self> {
        Ok(crate::QueueRow {
            id: col(r, at, 0)?,
            document_id: col(r, at, 1)?,
            text: col(r, at, 2)?,
            speaker: col(r, at, 3)?,
            priority: col(r, at, 4)?,
            status: named(col(r, at, 5)?, "status")?,
            assignee: col(r, at, 6)?,
            version: col(r, at, 7)?,
            text_key: col(r, at, 8)?,
            match_cosine: col(r, at, 9)?,
            copies: crate::queue::copies(col(r, at, 10)?),
            kinds: crate::queue::parse_kinds(col::<Option<String>>(r, at, 11)?.as_deref())
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e)))?,
        })
    }
}

fn run<T: FastRow>(path: &Path, statement: &Statement) -> rusqlite::Result<Vec<T>> {
    READER.with(|reader| {
        let mut reader = reader.borrow_mut();
        if reader.as_ref().is_none_or(|r| r.path != path) {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(Duration::from_secs(5))?;
            *reader = Some(Reader { path: path.to_owned(), conn, kept: Kept::default() });
        }
        let Some(Reader { conn, kept, .. }) = reader.as_mut() else { return Ok(Vec::new()) };
        let all: Vec<&Value> = statement.values.iter().flat_map(|v| v.0.iter()).collect();
        kept.check(conn)?;
        let key = format!("{}\u{0}{all:?}", statement.sql);
        if let Some(rows) = kept.get::<T>(&key) {
            return Ok(rows);
        }
        let (sql, bound) = literal_limit(&statement.sql, &all);
        let mut stmt = conn.prepare_cached(&sql)?;
        let values = bound.iter().copied().map(value).collect::<rusqlite::Result<Vec<SqlValue>>>()?;
        let at = positions(&stmt.column_names(), T::COLUMNS)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| T::read(r, &at))?.collect::<rusqlite::Result<Vec<T>>>()?;
        kept.put(key, &rows);
        Ok(rows)
    })
}

/// `sql` with a trailing `LIMIT ?` written as the number bound to it, and
/// the values left to bind. SQLite (3.47 on) reads a bound LIMIT's value
/// when it plans the statement and marks the statement for a new plan
/// whenever that parameter is bound again: every view of a page re-parsed
/// and re-planned its cached statement (11 % of a `/queue` view's CPU in
/// the profile, docs/PERFORMANCE.md). A page's limit is a constant, so the
/// literal keeps one cached plan per page size. Any other shape is left as
/// it is.
fn literal_limit<'s, 'a>(sql: &'s str, values: &[&'a Value]) -> (std::borrow::Cow<'s, str>, Vec<&'a Value>) {
    let limit = match values.last() {
        Some(Value::BigUnsigned(Some(n))) => Some(*n),
        Some(Value::Unsigned(Some(n))) => Some(u64::from(*n)),
        Some(Value::BigInt(Some(n))) => u64::try_from(*n).ok(),
        _ => None,
    };
    match (sql.strip_suffix("LIMIT ?"), limit) {
        (Some(head), Some(n)) => (format!("{head}LIMIT {n}").into(), values[..values.len() - 1].to_vec()),
        _ => (sql.into(), values.to_vec()),
    }
}

/// Runs `statement`, reading each row as a `T`. A statement that may scan many rows (`may_scan`: free text,
/// flag-based filters) runs on a blocking thread so that it cannot stall
/// the worker; the index-bound rest runs in place, on the worker's own
/// connection — one warm page cache per worker instead of one per blocking
/// thread, which measurably matters for the hot default page.
pub(crate) async fn query<T: FastRow>(path: Arc<PathBuf>, statement: Statement, may_scan: bool) -> Result<Vec<T>, StoreError> {
    let started = std::time::Instant::now();
    let sql = may_scan.then(|| statement.sql.clone());
    let result = if may_scan {
        tokio::task::spawn_blocking(move || run::<T>(&path, &statement))
            .await
            .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("the queue reader stopped: {e}"))))?
    } else {
        let result = run::<T>(&path, &statement);
        crate::meter::record(&statement.sql, started.elapsed(), result.is_err());
        result
    };
    if let Some(sql) = sql {
        crate::meter::record(&sql, started.elapsed(), result.is_err());
    }
    result.map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::Locked(e.to_string()),
        _ => match e {
            rusqlite::Error::FromSqlConversionFailure(_, _, cause) => match cause.downcast::<StoreError>() {
                Ok(corrupt) => *corrupt,
                Err(other) => StoreError::Db(sea_orm::DbErr::Custom(other.to_string())),
            },
            other => StoreError::Db(sea_orm::DbErr::Custom(other.to_string())),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        assert_eq!(positions(&["a", "b", "c"], &["a", "b", "c"]).unwrap(), [0, 1, 2]);
        assert_eq!(positions(&["c", "a", "b"], &["a", "b", "c"]).unwrap(), [1, 2, 0]);
        assert!(matches!(positions(&["a", "b"], &["a", "x"]), Err(rusqlite::Error::InvalidColumnName(name)) if name == "x"));
    }

    #[test]
    fn kept_rows_last_until_another_connection_commits() {
        let dir = std::env::temp_dir().join(format!("claimdesk-kept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kept.db");
        let writer = rusqlite::Connection::open(&path).unwrap();
        writer.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)").unwrap();
        let reader = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let mut kept = Kept::default();
        kept.check(&reader).unwrap();
        kept.put("q", &[1_i64, 2]);
        kept.check(&reader).unwrap();
        assert_eq!(kept.get::<i64>("q"), Some(vec![1, 2]), "no write: the rows are kept");
        assert_eq!(kept.get::<String>("q"), None, "another row type is not these rows");
        writer.execute("INSERT INTO t VALUES (1)", []).unwrap();
        kept.check(&reader).unwrap();
        assert_eq!(kept.get::<i64>("q"), None, "a commit elsewhere drops them");
        for i in 0..KEPT_PAGES {
            kept.put(i.to_string(), &[i]);
        }
        kept.put("one more", &[0_usize]);
        assert_eq!(kept.pages.len(), 1, "past the cap, the old pages go");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_bound_limit_is_written_as_its_number() {
        let (a, limit) = (Value::String(Some("x".into())), Value::BigUnsigned(Some(50)));
        let (sql, rest) = literal_limit("SELECT id FROM claims WHERE text = ? LIMIT ?", &[&a, &limit]);
        assert_eq!(sql, "SELECT id FROM claims WHERE text = ? LIMIT 50");
        assert_eq!(rest, [&a]);
        // Not a trailing limit, or not a number: left alone.
        let (sql, rest) = literal_limit("SELECT id FROM claims WHERE text = ?", &[&a]);
        assert_eq!((sql.as_ref(), rest.len()), ("SELECT id FROM claims WHERE text = ?", 1));
        let (sql, rest) = literal_limit("SELECT id FROM claims LIMIT ?", &[&a]);
        assert_eq!((sql.as_ref(), rest.len()), ("SELECT id FROM claims LIMIT ?", 1));
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(sqlite_path("sqlite:///tmp/a.db?mode=rwc"), Some(PathBuf::from("/tmp/a.db")));
        assert_eq!(sqlite_path("sqlite://claimdesk.db?mode=rwc"), Some(PathBuf::from("claimdesk.db")));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x/y"), None);
    }
}
