//! The runs the server holds, one per open page: started by `POST /api/runs`, ended when the
//! page's event stream closes (or, for a page that never opened one, a while after it began).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::run::Run;
use super::settings::Plan;

/// The most runs at once.
pub const MAX_RUNS: usize = 32;
/// How long a run waits for its page to open its event stream.
const UNWATCHED: Duration = Duration::from_secs(30);

/// A run and whether a page is watching it.
pub struct Entry {
    pub run: Run,
    created: Instant,
    watched: AtomicBool,
}

impl Entry {
    /// Marks the run watched; `false` if a page already watches it.
    pub fn watch(&self) -> bool {
        !self.watched.swap(true, Ordering::SeqCst)
    }
}

/// Every run, by id.
#[derive(Default)]
pub struct Registry {
    runs: Mutex<HashMap<u64, Arc<Entry>>>,
    next: AtomicU64,
}

impl Registry {
    /// Starts a run of `plan` and returns its id.
    pub fn start(&self, plan: Plan) -> Result<u64, String> {
        let ended = {
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            let stale: Vec<u64> = runs
                .iter()
                .filter(|(_, e)| !e.watched.load(Ordering::SeqCst) && e.created.elapsed() > UNWATCHED)
                .map(|(&id, _)| id)
                .collect();
            let ended: Vec<Arc<Entry>> = stale.iter().filter_map(|id| runs.remove(id)).collect();
            if runs.len() >= MAX_RUNS {
                return Err(format!("{MAX_RUNS} runs are open already: close a page first"));
            }
            ended
        };
        // Their threads end outside the lock.
        drop(ended);
        let run = Run::start(plan).map_err(|e| format!("cannot start a training thread: {e}"))?;
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let entry = Arc::new(Entry { run, created: Instant::now(), watched: AtomicBool::new(false) });
        self.runs.lock().unwrap_or_else(|e| e.into_inner()).insert(id, entry);
        Ok(id)
    }

    pub fn get(&self, id: u64) -> Option<Arc<Entry>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner()).get(&id).cloned()
    }

    /// Ends run `id` (its thread stops once no request holds it).
    pub fn remove(&self, id: u64) {
        let entry = self.runs.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        drop(entry);
    }
}
