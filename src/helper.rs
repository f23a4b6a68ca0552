//! A second thread for products too short to wake a thread pool for.
//!
//! Predicting one example multiplies W\[1\] by one column: tens of microseconds, about what
//! it costs to wake a sleeping pool thread and put the caller to sleep until the pool is
//! done. The helper is one thread that, after each task, keeps polling for the next one for
//! [`POLL`] before it sleeps, so a stream of predictions finds it awake; the caller posts
//! the second half of a product, computes the first half itself and then collects the
//! second. A task the helper has not started by then is taken back and run by the caller, so
//! a sleeping helper costs a check, never a wait.
//!
//! One caller holds the helper at a time; a caller that finds it held runs both halves
//! itself. Which thread runs a half never changes its bits.

use std::any::Any;
use std::cell::UnsafeCell;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long the helper polls for a next task before it sleeps.
const POLL: Duration = Duration::from_micros(200);

/// No task posted.
const IDLE: u8 = 0;
/// A task waits for the helper (or to be taken back).
const POSTED: u8 = 1;
/// The helper runs the task.
const RUNNING: u8 = 2;
/// The helper has finished the task.
const DONE: u8 = 3;

/// A posted task: a closure on the holder's stack, its lifetime erased (see [`join`]).
type Task = *mut (dyn FnMut() + Send + 'static);

struct Shared {
    /// Whether a caller holds the helper.
    held: AtomicBool,
    /// IDLE → POSTED (holder) → RUNNING (helper) → DONE (helper) → IDLE (holder), or
    /// POSTED → IDLE when the holder takes the task back.
    state: AtomicU8,
    /// Written by the holder while IDLE; read by the helper while RUNNING.
    task: UnsafeCell<Option<Task>>,
    /// A panic of the task: written by the helper while RUNNING, taken by the holder at DONE.
    panic: UnsafeCell<Option<Box<dyn Any + Send>>>,
}

// SAFETY: `task` and `panic` are only touched by the side `state` gives them to (above), and
// each hand-over is a release store read by an acquire load.
unsafe impl Sync for Shared {}

struct Helper {
    thread: Thread,
    shared: &'static Shared,
}

/// The helper thread, started on first use (`None` if it could not be started).
fn helper() -> Option<&'static Helper> {
    static HELPER: OnceLock<Option<Helper>> = OnceLock::new();
    HELPER
        .get_or_init(|| {
            let shared: &'static Shared = Box::leak(Box::new(Shared {
                held: AtomicBool::new(false),
                state: AtomicU8::new(IDLE),
                task: UnsafeCell::new(None),
                panic: UnsafeCell::new(None),
            }));
            let spawned = std::thread::Builder::new().name("dnn-helper".into()).spawn(move || serve(shared));
            spawned.ok().map(|handle| Helper { thread: handle.thread().clone(), shared })
        })
        .as_ref()
}

/// The helper's loop: wait for a task (polling, then asleep), run it, report.
fn serve(shared: &Shared) {
    loop {
        let mut since = Instant::now();
        let mut polls = 0u32;
        while shared.state.load(Ordering::Acquire) != POSTED {
            polls = polls.wrapping_add(1);
            if polls.is_multiple_of(64) && since.elapsed() > POLL {
                // An unpark that came before this park makes it return at once.
                std::thread::park();
                since = Instant::now();
            } else {
                std::hint::spin_loop();
            }
        }
        if shared.state.compare_exchange(POSTED, RUNNING, Ordering::Acquire, Ordering::Relaxed).is_err() {
            continue; // taken back
        }
        // SAFETY: while RUNNING the holder leaves `task` alone and keeps the closure alive.
        let task = unsafe { (*shared.task.get()).expect("a posted task") };
        // SAFETY: as above; the closure is `Send`.
        let result = catch_unwind(AssertUnwindSafe(|| unsafe { (*task)() }));
        if let Err(payload) = result {
            // SAFETY: while RUNNING `panic` is the helper's.
            unsafe { *shared.panic.get() = Some(payload) };
        }
        shared.state.store(DONE, Ordering::Release);
    }
}

/// Runs `first` here and `second` on the helper thread, if it is free and starts in time,
/// else here after `first`; returns when both are done. A panic in either is resumed here.
pub(crate) fn join(first: impl FnOnce(), second: impl FnOnce() + Send) {
    let Some(helper) = helper() else {
        first();
        second();
        return;
    };
    let shared = helper.shared;
    if shared.held.swap(true, Ordering::Acquire) {
        first();
        second();
        return;
    }
    let mut second = Some(second);
    let mut task = || {
        if let Some(second) = second.take() {
            second()
        }
    };
    let task: *mut (dyn FnMut() + Send + '_) = &mut task;
    // SAFETY: only the lifetime changes. `Holding` does not let this frame end, by return
    // or unwind, before the helper is done with the task or the task was taken back.
    let task: Task = unsafe { std::mem::transmute(task) };
    // SAFETY: the state is IDLE and this caller holds the helper.
    unsafe { *shared.task.get() = Some(task) };
    shared.state.store(POSTED, Ordering::Release);
    helper.thread.unpark();
    let holding = Holding { shared };
    first();
    match holding.settle() {
        // SAFETY: the task was taken back, so nothing else runs it.
        Settled::TakenBack => unsafe { (*task)() },
        Settled::Ran => {}
        Settled::Panicked(payload) => resume_unwind(payload),
    }
}

/// How a posted task ended.
enum Settled {
    TakenBack,
    Ran,
    Panicked(Box<dyn Any + Send>),
}

/// The helper, held by a caller with a task posted; settled on drop (also when unwinding)
/// before it is released.
struct Holding {
    shared: &'static Shared,
}

impl Holding {
    /// Takes the task back if the helper has not started it, else waits until it is done.
    fn settle(&self) -> Settled {
        let shared = self.shared;
        if shared.state.compare_exchange(POSTED, IDLE, Ordering::Acquire, Ordering::Acquire).is_ok() {
            return Settled::TakenBack;
        }
        let mut waits = 0u32;
        while shared.state.load(Ordering::Acquire) != DONE {
            waits = waits.saturating_add(1);
            if waits > 1 << 16 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
        // SAFETY: at DONE the helper is finished with `panic` (and `task`).
        let panic = unsafe { (*shared.panic.get()).take() };
        shared.state.store(IDLE, Ordering::Relaxed);
        match panic {
            Some(payload) => Settled::Panicked(payload),
            None => Settled::Ran,
        }
    }
}

impl Drop for Holding {
    fn drop(&mut self) {
        if self.shared.state.load(Ordering::Acquire) != IDLE {
            // Unwinding out of `first`: the task must not outlive this frame.
            let _ = self.settle();
        }
        self.shared.held.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_halves_run_once_whoever_runs_them() {
        for _ in 0..1000 {
            let (mut left, mut right) = (0, 0);
            join(|| left += 1, || right += 1);
            assert_eq!((left, right), (1, 1));
        }
    }

    #[test]
    fn callers_that_find_it_held_run_both_halves() {
        let total = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..500 {
                        join(
                            || {
                                total.fetch_add(1, Ordering::Relaxed);
                            },
                            || {
                                total.fetch_add(1, Ordering::Relaxed);
                            },
                        );
                    }
                });
            }
        });
        assert_eq!(total.load(Ordering::Relaxed), 4000);
    }

    #[test]
    fn a_panic_on_either_side_reaches_the_caller_and_frees_the_helper() {
        let caught = catch_unwind(|| join(|| (), || panic!("second half")));
        assert_eq!(*caught.unwrap_err().downcast::<&str>().unwrap(), "second half");
        let caught = catch_unwind(|| join(|| panic!("first half"), || ()));
        assert_eq!(*caught.unwrap_err().downcast::<&str>().unwrap(), "first half");
        // The helper is free again: a later task runs on it. (Other tests may hold it for a
        // moment, so try a few times; a helper left held would never run one.)
        let on_helper = (0..10_000).any(|_| {
            let mut ran_on = None;
            join(
                || std::thread::sleep(Duration::from_micros(20)),
                || ran_on = std::thread::current().name().map(str::to_owned),
            );
            ran_on.as_deref() == Some("dnn-helper")
        });
        assert!(on_helper);
    }
}
