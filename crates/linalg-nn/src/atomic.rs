//! Atomic file output: every figure, model and download is written to a temporary file in the
//! destination folder and renamed into place, so a failure never leaves a half-written file under
//! the final name.

use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A file could not be written; `path` is the final destination the user asked for.
#[derive(Debug, Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The destination path.
    pub path: PathBuf,
    /// The underlying I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Writes a file atomically: `fill` writes the contents into a temporary file created next to
/// `path`, which is flushed, synced and then renamed to `path`. On any error the temporary file
/// is removed and `path` is left as it was.
///
/// ```
/// use linalg_nn::atomic::write_atomic;
/// use std::io::Write;
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("costs.txt");
/// write_atomic(&path, |f| writeln!(f, "0.693147")).unwrap();
/// assert_eq!(std::fs::read_to_string(&path).unwrap(), "0.693147\n");
/// # #[cfg(unix)]
/// # {
/// #     use std::os::unix::fs::PermissionsExt;
/// #     let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
/// #     assert_eq!(mode, 0o644);
/// # }
///
/// // A failing writer leaves nothing behind under the final name.
/// let bad = dir.path().join("bad.txt");
/// let err = write_atomic(&bad, |_| Err(std::io::Error::other("disk full"))).unwrap_err();
/// assert!(err.to_string().contains("bad.txt"));
/// assert!(!bad.exists());
/// ```
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let wrap = |source| WriteError { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path.file_name().ok_or_else(|| {
        wrap(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file"))
    })?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // tempfile creates 0600 files; outputs are ordinary files, so give them the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| wrap(without_temporary_path(e)))?;
    fill(tmp.as_file_mut()).map_err(wrap)?;
    tmp.as_file_mut().flush().map_err(wrap)?;
    tmp.as_file().sync_all().map_err(wrap)?;
    tmp.persist(path).map_err(|e| wrap(e.error))?;
    Ok(())
}

/// tempfile's errors name the random temporary file (`... at path "/d/.m.h5.x4CTxW.part"`);
/// the user asked for the final path, which [`WriteError`] names, so keep only the operating
/// system's reason. (tempfile's error type is private: its text is the only handle.)
fn without_temporary_path(err: std::io::Error) -> std::io::Error {
    let text = err.to_string();
    match text.find(" at path \"") {
        Some(cut) if err.get_ref().is_some() => std::io::Error::new(err.kind(), &text[..cut]),
        _ => err,
    }
}

/// [`write_atomic`] for contents already in memory.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic(path, |f| f.write_all(bytes))
}
