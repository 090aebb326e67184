//! Reading the files `check` is given, with a clear error for each way
//! that can fail.

use std::io::Read;
use std::path::Path;

/// Why an input could not be checked.
#[derive(Debug, Clone, PartialEq)]
pub enum InputError {
    Missing,
    Directory,
    Io(String),
    Binary { offset: usize },
    InvalidUtf8 { offset: usize },
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Missing => write!(f, "no such file"),
            InputError::Directory => write!(f, "is a directory; give the files inside it"),
            InputError::Io(e) => write!(f, "cannot read: {e}"),
            InputError::Binary { offset } => {
                write!(f, "looks like a binary file (NUL byte at byte offset {offset}); only UTF-8 text can be checked")
            }
            InputError::InvalidUtf8 { offset } => write!(f, "invalid UTF-8 at byte offset {offset}; convert the file to UTF-8 first"),
        }
    }
}

/// How the input is named in messages: its path, or `<stdin>`.
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" { "<stdin>".to_owned() } else { path.display().to_string() }
}

/// Reads `path` (or standard input for `-`) as UTF-8 text.
pub fn read(path: &Path) -> Result<String, InputError> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| InputError::Io(e.to_string()))?;
        bytes
    } else {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(InputError::Missing),
            Err(e) => return Err(InputError::Io(e.to_string())),
            Ok(meta) if meta.is_dir() => return Err(InputError::Directory),
            Ok(_) => {}
        }
        std::fs::read(path).map_err(|e| InputError::Io(e.to_string()))?
    };
    // Like git: a NUL byte early on means binary, whatever else it holds.
    let head = &bytes[..bytes.len().min(8192)];
    if let Some(offset) = head.iter().position(|&b| b == 0) {
        return Err(InputError::Binary { offset });
    }
    let text = String::from_utf8(bytes).map_err(|e| InputError::InvalidUtf8 { offset: e.utf8_error().valid_up_to() })?;
    if let Some(offset) = text.bytes().position(|b| b == 0) {
        return Err(InputError::Binary { offset });
    }
    Ok(text)
}
