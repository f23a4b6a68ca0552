//! Ctrl-C, SIGTERM and SIGHUP.
//!
//! A command that can stop early and keep its work (`train`, `search`) asks for it with
//! [`stop_on_signal`]: the first signal sets [`STOP`], the command finishes the current
//! iteration or trial, saves what was asked and says so. Any other command, or a second
//! signal, quits at once with exit code 130 (128 + SIGINT, the shell's convention for
//! Ctrl-C), after removing the temporary files of any save in progress: the file being
//! saved keeps its previous content.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Set by the first signal when the command asked to stop gracefully.
pub static STOP: AtomicBool = AtomicBool::new(false);

/// Whether the first signal stops gracefully ([`stop_on_signal`]) or quits.
static GRACEFUL: AtomicBool = AtomicBool::new(false);

/// Signals received so far.
static RECEIVED: AtomicUsize = AtomicUsize::new(0);

/// The exit code of a command ended by a signal.
pub const INTERRUPTED_EXIT_CODE: i32 = 130;

/// Handles Ctrl-C, SIGTERM and SIGHUP from now on (called once, first thing in `main`).
pub fn install() {
    // The handler runs on a thread of its own, not inside the signal, so it may take locks
    // and remove files. Failing to install it leaves the system's default: quit at once.
    let _ = ctrlc::set_handler(|| {
        let first = RECEIVED.fetch_add(1, Ordering::SeqCst) == 0;
        if first && GRACEFUL.load(Ordering::SeqCst) {
            STOP.store(true, Ordering::SeqCst);
        } else {
            dnn::exit_removing_temporary_files(INTERRUPTED_EXIT_CODE);
        }
    });
}

/// From now on the first signal sets [`STOP`] instead of quitting.
pub fn stop_on_signal() {
    GRACEFUL.store(true, Ordering::SeqCst);
}

/// Whether a signal asked to stop.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}
