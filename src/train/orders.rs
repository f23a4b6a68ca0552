//! The epochs' orders, drawn ahead on a thread of their own.
//!
//! The course reseeds before every epoch, so an epoch's order depends on its seed alone and
//! can be drawn before the epoch starts. On small data the draw is a large part of an epoch:
//! for the course's 300 moons in batches of 64, seeding MT19937, its first twist and the
//! rejection draws take about a quarter of the epoch's time. With a second thread, a drawer
//! thread draws the next epochs' orders into a ring of slots while the training thread trains,
//! which takes each order when its epoch starts. The orders are the same whichever thread
//! draws them.
//!
//! The ring holds up to 256 orders in at most a megabyte; data with more than 65 536 examples,
//! whose draw is a negligible part of an epoch, is shuffled on the training thread.
//!
//! Neither side waits in the usual run: the drawer is ahead, and sleeps when the ring is
//! full until the trainer has emptied half of it; the trainer finds its order drawn. A
//! trainer that must wait spins briefly, then sleeps on a condition variable, as the drawer
//! does at once; either checks again after a millisecond asleep.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::NumpyRng;

/// The bytes of orders the ring holds at most (and [`MAX_SLOTS`] orders at most).
const RING_BYTES: usize = 1 << 20;

/// The most orders drawn ahead.
const MAX_SLOTS: usize = 256;

/// How many times the trainer checks for its order before it sleeps.
const SPINS: usize = 1 << 12;

/// A sleeping side checks again after this long, whether woken or not.
const NAP: Duration = Duration::from_millis(1);

/// The orders of epochs 0, 1, … drawn ahead by a drawer thread.
#[derive(Debug)]
pub(super) struct OrdersAhead {
    shared: Arc<Shared>,
    drawer: Option<JoinHandle<()>>,
    /// The epoch whose order the trainer takes next.
    next: usize,
}

#[derive(Debug)]
struct Shared {
    /// Order k is in slot k mod the number of slots.
    slots: Vec<Mutex<Vec<usize>>>,
    /// How many orders have been drawn (epochs 0..drawn).
    drawn: AtomicUsize,
    /// How many orders the trainer has taken.
    taken: AtomicUsize,
    /// Set when the trainer is done with the orders (or gone).
    stop: AtomicBool,
    /// Whether the drawer or the trainer sleeps on `wake`.
    drawer_sleeps: AtomicBool,
    trainer_sleeps: AtomicBool,
    sleep: Mutex<()>,
    wake: Condvar,
}

impl OrdersAhead {
    /// Starts drawing the orders of `epochs` epochs of `m` examples, epoch k's as
    /// `np.random.seed(shuffle_seed + 1 + k)`, `np.random.permutation(m)` (the seed modulo
    /// 2³²). `None` if two orders do not fit in [`RING_BYTES`] (over 65 536 examples, whose
    /// draw is a negligible part of their epoch) or the thread could not be started.
    pub(super) fn start(m: usize, shuffle_seed: u32, epochs: usize) -> Option<Self> {
        let fit = RING_BYTES / (m.max(1) * std::mem::size_of::<usize>());
        if fit < 2 {
            return None;
        }
        let count = fit.min(MAX_SLOTS).min(epochs.max(1));
        let shared = Arc::new(Shared {
            slots: (0..count).map(|_| Mutex::new(Vec::with_capacity(m))).collect(),
            drawn: AtomicUsize::new(0),
            taken: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            drawer_sleeps: AtomicBool::new(false),
            trainer_sleeps: AtomicBool::new(false),
            sleep: Mutex::new(()),
            wake: Condvar::new(),
        });
        let drawer = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("dnn-orders".into())
            .spawn(move || drawer.draw(m, shuffle_seed, epochs))
            .ok()?;
        Some(OrdersAhead { shared, drawer: Some(thread), next: 0 })
    }

    /// Swaps epoch `epoch`'s order into `order`, waiting for it if need be; false (and
    /// `order` untouched) if `epoch` is not the next epoch or the drawer is gone.
    pub(super) fn take(&mut self, epoch: usize, order: &mut Vec<usize>) -> bool {
        if epoch != self.next {
            return false;
        }
        let shared = &*self.shared;
        let drawn = || shared.drawn.load(SeqCst) > epoch;
        if !(0..SPINS).any(|_| drawn() || spin()) {
            let mut guard = shared.lock_sleep();
            loop {
                shared.trainer_sleeps.store(true, SeqCst);
                if drawn() {
                    break;
                }
                if self.drawer.as_ref().is_none_or(JoinHandle::is_finished) {
                    shared.trainer_sleeps.store(false, SeqCst);
                    return false;
                }
                guard = shared.wake.wait_timeout(guard, NAP).unwrap_or_else(|e| e.into_inner()).0;
            }
            shared.trainer_sleeps.store(false, SeqCst);
        }
        let slots = shared.slots.len();
        std::mem::swap(&mut *shared.slots[epoch % slots].lock().unwrap_or_else(|e| e.into_inner()), order);
        self.next += 1;
        shared.taken.store(self.next, SeqCst);
        // A sleeping drawer is woken once half the ring is free (once: it sets the flag again
        // if it sleeps on).
        if shared.drawn.load(SeqCst) - self.next <= slots / 2 && shared.drawer_sleeps.swap(false, SeqCst) {
            shared.wake_all();
        }
        true
    }
}

impl Drop for OrdersAhead {
    fn drop(&mut self) {
        self.shared.stop.store(true, SeqCst);
        self.shared.wake_all();
        if let Some(drawer) = self.drawer.take() {
            // The drawer only shuffles: a panic there would have been caught by `take` as a
            // finished thread, and its order drawn on the trainer's thread instead.
            _ = drawer.join();
        }
    }
}

impl Shared {
    /// The drawer's loop: order after order, sleeping while the ring is full.
    fn draw(&self, m: usize, shuffle_seed: u32, epochs: usize) {
        let mut rng = NumpyRng::new(shuffle_seed);
        let slots = self.slots.len();
        for epoch in 0..epochs {
            let free = || epoch - self.taken.load(SeqCst) < slots;
            // A full ring sleeps at once: spinning, the drawer would wake for every order taken.
            if !free() {
                let mut guard = self.lock_sleep();
                loop {
                    self.drawer_sleeps.store(true, SeqCst);
                    if free() || self.stop.load(SeqCst) {
                        break;
                    }
                    guard = self.wake.wait_timeout(guard, NAP).unwrap_or_else(|e| e.into_inner()).0;
                }
                self.drawer_sleeps.store(false, SeqCst);
            }
            if self.stop.load(SeqCst) {
                return;
            }
            {
                let mut order = self.slots[epoch % slots].lock().unwrap_or_else(|e| e.into_inner());
                draw_order(&mut rng, shuffle_seed, epoch, m, &mut order);
            }
            self.drawn.store(epoch + 1, SeqCst);
            if self.trainer_sleeps.swap(false, SeqCst) {
                self.wake_all();
            }
        }
    }

    fn lock_sleep(&self) -> MutexGuard<'_, ()> {
        self.sleep.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wakes a sleeping side (taking the lock first, so that a side about to sleep is asleep).
    fn wake_all(&self) {
        drop(self.lock_sleep());
        self.wake.notify_all();
    }
}

/// Epoch `epoch`'s order of `m` examples into `order`, as the course draws it:
/// `np.random.seed(shuffle_seed + 1 + epoch)` (modulo 2³²), then `np.random.permutation(m)`.
pub(super) fn draw_order(rng: &mut NumpyRng, shuffle_seed: u32, epoch: usize, m: usize, order: &mut Vec<usize>) {
    // The course's seed is a Python integer; NumPy takes it modulo 2³².
    rng.seed((u64::from(shuffle_seed) + 1 + epoch as u64) as u32);
    order.clear();
    order.extend(0..m);
    rng.shuffle(order);
}

/// One pause of a spinning wait; false, so that `any` goes on.
fn spin() -> bool {
    std::hint::spin_loop();
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn_here(shuffle_seed: u32, epoch: usize, m: usize) -> Vec<usize> {
        let mut order = Vec::new();
        draw_order(&mut NumpyRng::new(0), shuffle_seed, epoch, m, &mut order);
        order
    }

    /// Epoch 0's order with the course's `--shuffle-seed 10` is `np.random.seed(11);
    /// np.random.permutation(5)`: [2, 4, 0, 3, 1] (numpy 2.4.6, whose legacy `RandomState`
    /// draws as older numpy does).
    #[test]
    fn an_order_is_the_course_permutation() {
        assert_eq!(drawn_here(10, 0, 5), [2, 4, 0, 3, 1]);
    }

    /// Past a full ring (and its drawer's sleeps and wake-ups), every epoch's order is the one
    /// drawn on the trainer's thread; the seed wraps round modulo 2³².
    #[test]
    fn orders_drawn_ahead_are_the_orders_drawn_here() {
        // Slots: 256 at most; as many epochs as there are; as many orders as fit in 1 MiB.
        for (m, epochs, seed, slots) in [(300, 700, 10, 256), (5, 3, u32::MAX - 1, 3), (40_000, 7, 3, 3)] {
            let mut ahead = OrdersAhead::start(m, seed, epochs).expect("a thread");
            assert_eq!(ahead.shared.slots.len(), slots, "m = {m}, {epochs} epochs");
            let mut order = Vec::new();
            for epoch in 0..epochs {
                if epoch % 97 == 5 {
                    // A slow epoch: the drawer fills the ring and sleeps.
                    std::thread::sleep(Duration::from_millis(3));
                }
                assert!(ahead.take(epoch, &mut order));
                assert_eq!(order, drawn_here(seed, epoch, m), "m = {m}, epoch {epoch}");
            }
            // Every order was drawn: the drawer has finished.
            assert!(!ahead.take(epochs, &mut order));
            ahead.drawer.take().expect("the drawer").join().expect("no panic");
        }
    }

    /// Orders of more than 65 536 examples are drawn by the caller: two would not fit in the
    /// ring's megabyte.
    #[test]
    fn orders_of_many_examples_are_not_drawn_ahead() {
        assert!(OrdersAhead::start(65_536, 0, 5).is_some());
        assert!(OrdersAhead::start(65_537, 0, 5).is_none());
    }

    /// An epoch asked out of turn is refused (and drawn by the caller), the order left alone;
    /// dropping the orders early stops a drawer asleep on a full ring.
    #[test]
    fn an_epoch_out_of_turn_is_refused_and_an_early_drop_stops_the_drawer() {
        let mut ahead = OrdersAhead::start(10, 1, 1000).expect("a thread");
        let mut order = vec![7];
        assert!(!ahead.take(1, &mut order));
        assert_eq!(order, [7]);
        assert!(ahead.take(0, &mut order));
        assert_eq!(order, drawn_here(1, 0, 10));
        // The drawer fills the ring (epoch 0 taken: 257 orders drawn), then sleeps.
        let drawn = || ahead.shared.drawn.load(SeqCst);
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while drawn() < MAX_SLOTS + 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(drawn(), MAX_SLOTS + 1, "a full ring, then asleep");
        drop(ahead);
    }
}
