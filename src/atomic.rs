//! Writing files so that readers see the old content or the new, never a half-written one.
//!
//! The bytes go to a temporary file beside the target, are flushed to disk, and the file is
//! renamed over the target; the folder is then flushed too, so that the rename itself
//! survives a power cut. A process killed at any point (even by `kill -9`) leaves the target
//! as it was or as it was meant to be. The temporary files being written are listed, so
//! that a program quitting at once (a second Ctrl-C) can remove them first:
//! [`exit_removing_temporary_files`].

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use crate::{Error, Result};

/// The temporary files being written now.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it over
/// `path` and flushes the folder. On any failure the temporary file is removed and `path` is
/// untouched.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io_error = |source| Error::Io { path: path.to_path_buf(), error: source };
    let file_name = path
        .file_name()
        .ok_or_else(|| io_error(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path names no file")))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp: PathBuf = path.with_file_name(temp_name);
    // Listed before it exists, under the lock, so that `remove_temporary_files` never
    // misses a file that is being created.
    let created = {
        let mut listed = in_flight();
        let created = File::create(&temp);
        if created.is_ok() {
            listed.push(temp.clone());
        }
        created
    };
    let written = created.and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    let result = renamed.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        io_error(source)
    });
    in_flight().retain(|p| p != &temp);
    result?;
    // The rename is done; a folder that cannot be flushed (some file systems refuse)
    // leaves it to the system's own timing, and the file is whole either way.
    let _ = sync_folder(path);
    Ok(())
}

/// Flushes the folder holding `path`, so that a rename into it is on disk.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(folder)?.sync_all()
}

/// Removes every temporary file being written and ends the process with exit code `code`,
/// for a program that must quit at once: no half-written file is left behind.
pub fn exit_removing_temporary_files(code: i32) -> ! {
    let listed = in_flight();
    for temp in listed.iter() {
        let _ = std::fs::remove_file(temp);
    }
    // The lock is held until the process ends, so a write that starts now waits for it.
    std::process::exit(code)
}
