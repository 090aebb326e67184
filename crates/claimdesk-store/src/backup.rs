//! `claimdesk backup`: a consistent copy of a SQLite database taken while
//! servers keep writing, through SQLite's online backup API. PostgreSQL has
//! `pg_dump` for this.

use std::path::Path;
use std::time::Duration;

use crate::StoreError;

/// Pages copied per step; between steps writers get the file back.
const PAGES_PER_STEP: std::ffi::c_int = 256;

/// Copies the SQLite database at `url` into `dest`, a new file. Returns the
/// copy's size in bytes.
pub fn backup_sqlite(url: &str, dest: &Path) -> Result<u64, StoreError> {
    let Some(source) = crate::fast::sqlite_path(url) else {
        return Err(StoreError::Invalid(format!("{url} is not a SQLite file; back PostgreSQL up with pg_dump (see docs/DEPLOYMENT.md)")));
    };
    if dest.exists() {
        return Err(StoreError::Invalid(format!("{} already exists; give a new file", dest.display())));
    }
    if !source.exists() {
        return Err(StoreError::Invalid(format!("there is no database at {}", source.display())));
    }
    let fail = |e: rusqlite::Error| StoreError::Invalid(format!("backing up {}: {e}", source.display()));
    let from = rusqlite::Connection::open_with_flags(&source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(fail)?;
    let mut to = rusqlite::Connection::open(dest).map_err(fail)?;
    {
        let backup = rusqlite::backup::Backup::new(&from, &mut to).map_err(fail)?;
        backup.run_to_completion(PAGES_PER_STEP, Duration::from_millis(10), None).map_err(fail)?;
    }
    drop(to);
    Ok(std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0))
}
