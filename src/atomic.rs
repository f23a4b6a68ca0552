//! Writing files so that readers see the old content or the new, never a half-written one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it over
/// `path`. On any failure the temporary file is removed and `path` is untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_error = |source| Error::Io { path: path.to_path_buf(), error: source };
    let file_name = path
        .file_name()
        .ok_or_else(|| io_error(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp: PathBuf = path.with_file_name(temp_name);
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    renamed.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        io_error(source)
    })
}
