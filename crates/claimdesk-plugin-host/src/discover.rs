use std::path::{Path, PathBuf};

use crate::{LoadError, LoadProblem};

/// The directory of the running executable: where `cargo build` puts the
/// built-in plugins next to the `claimdesk` binary.
pub fn default_dir() -> Option<PathBuf> {
    std::env::current_exe().ok()?.parent().map(Path::to_path_buf)
}

fn is_library_name(name: &str) -> bool {
    name.starts_with(std::env::consts::DLL_PREFIX)
        && name.ends_with(std::env::consts::DLL_SUFFIX)
        && name.len() > std::env::consts::DLL_SUFFIX.len()
}

/// The plugin files in `dirs` (named as `libloading::library_filename`
/// names libraries, e.g. `libvague.so`), sorted by name within each
/// directory, plus an error for each directory that cannot be read and
/// each entry named like a library that is not a file (a directory, a
/// dangling link). A directory listed twice is read once.
pub fn candidates(dirs: &[PathBuf]) -> (Vec<PathBuf>, Vec<LoadError>) {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        if seen.contains(&canonical) {
            continue;
        }
        seen.push(canonical);
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(LoadError { path: dir.clone(), problem: LoadProblem::UnreadableDirectory(e.to_string()) });
                continue;
            }
        };
        let mut found: Vec<PathBuf> = Vec::new();
        let mut not_files: Vec<PathBuf> = Vec::new();
        for entry in entries.filter_map(Result::ok).filter(|e| e.file_name().to_str().is_some_and(is_library_name)) {
            // Through symbolic links: a link to a library is one.
            if entry.path().metadata().is_ok_and(|m| m.is_file()) { found.push(entry.path()) } else { not_files.push(entry.path()) }
        }
        found.sort();
        not_files.sort();
        files.extend(found);
        errors.extend(not_files.into_iter().map(|path| LoadError { path, problem: LoadProblem::NotAFile }));
    }
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_names() {
        let lib = libloading::library_filename("vague");
        assert!(is_library_name(lib.to_str().unwrap()));
        assert!(!is_library_name("vague.txt"));
        assert!(!is_library_name("libvague.rlib"));
    }

    #[test]
    fn missing_directory_is_an_error_and_duplicates_are_read_once() {
        let dir = std::env::temp_dir().join(format!("claimdesk-discover-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(libloading::library_filename("one")), b"x").unwrap();
        std::fs::write(dir.join("notes.txt"), b"x").unwrap();
        let folder = dir.join(libloading::library_filename("folder"));
        std::fs::create_dir_all(&folder).unwrap();
        let missing = dir.join("missing");
        let (files, errors) = candidates(&[dir.clone(), dir.clone(), missing.clone()]);
        assert_eq!(files, [dir.join(libloading::library_filename("one"))]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!((&errors[0].path, &errors[0].problem), (&folder, &LoadProblem::NotAFile), "a directory named like a library is said");
        assert_eq!(errors[1].path, missing);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
