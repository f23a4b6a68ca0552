//! Standard output that a closed pipe silences instead of crashing.
//!
//! `dnn predict … | head -2` closes the pipe after two lines. Every later line is then
//! dropped, the work that was asked for (a model to save, a file to write) still finishes,
//! and the command ends quietly with exit code 0, as ripgrep does: the reader wanted no more.
//! Any other failure to write (a full disk behind `>`) is kept and reported at the end.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Set once a write found the pipe closed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// The first write error other than a closed pipe.
static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

/// Standard output through the rules above; `writeln!` on it never fails.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if !CLOSED.load(Ordering::Relaxed) {
            let written = io::stdout().lock().write_all(buf);
            record(written);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !CLOSED.load(Ordering::Relaxed) {
            record(io::stdout().lock().flush());
        }
        Ok(())
    }
}

fn record(result: io::Result<()>) {
    match result {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => CLOSED.store(true, Ordering::Relaxed),
        Err(e) => {
            let mut failed = FAILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            failed.get_or_insert(e);
        }
    }
}

/// Standard output, for `writeln!`.
pub fn stdout() -> Stdout {
    Stdout
}

/// The error of a write that failed for another reason than a closed pipe, if any did.
pub fn failure() -> Option<io::Error> {
    let _ = io::stdout().lock().flush().map_err(|e| record(Err(e)));
    FAILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take()
}

/// Whether `error` (or one of its causes) is a write to a closed pipe.
pub fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// Whether a panic's message is the standard library's for a print to a closed pipe
/// (`println!` or `eprintln!`), which ends the command as quietly as a closed pipe should.
pub fn is_closed_pipe_panic(message: &str) -> bool {
    message.starts_with("failed printing to std") && message.contains("Broken pipe")
}

/// `println!` through [`Stdout`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut line = format!($($arg)*);
        line.push('\n');
        let _ = $crate::stdout::stdout().write_all(line.as_bytes());
    }};
}

/// `print!` through [`Stdout`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = $crate::stdout::stdout().write_all(text.as_bytes());
    }};
}
