//! One page's run: a network training on a thread of its own, in stretches of the library's
//! [`fit_with`] between which the page's controls apply (play, pause, one step, a new
//! learning rate that keeps the weights, a reset with new settings), and after which the
//! network is published for the page's next picture.
//!
//! Full-batch gradient descent carries nothing from one iteration to the next but the
//! weights, and mini-batches are shuffled with the seed of their epoch, so a run of N
//! iterations in any number of stretches is `dnn train … --iterations N` exactly. Momentum,
//! RMSprop and Adam start their averages again, and dropout its generator, at each stretch.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use dnn::{fit_with, Divergence, Network, NumpyRng};
use ndarray::Array2;

use super::costs::CostLog;
use super::settings::Plan;

/// How long one stretch of training runs at full speed before the network is published.
const STRETCH: Duration = Duration::from_millis(30);

/// The controls a page sends, waiting for the training thread.
#[derive(Debug, Default)]
struct Controls {
    playing: bool,
    /// Single iterations asked for.
    steps: usize,
    learning_rate: Option<f64>,
    reset: Option<Box<Plan>>,
    /// Iterations per second; `None` for as fast as it goes.
    speed: Option<f64>,
    stop: bool,
}

/// What the page draws: the latest network and where training is.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Increases with every publication.
    pub version: u64,
    pub plan: Arc<Plan>,
    pub network: Network<f64>,
    /// Iterations (epochs, with mini-batches) done: updates applied.
    pub iterations: usize,
    /// The cost of the last iteration (before its update), once there is one.
    pub cost: Option<f64>,
    pub costs: CostLog,
    /// `(iteration, test cost)` at the end of stretches.
    pub test_costs: CostLog,
    pub playing: bool,
    pub learning_rate: f64,
    /// The iteration at which the learning rate last changed, when it did mid-run.
    pub learning_rate_changed_at: Option<usize>,
    pub diverged: Option<Divergence>,
}

/// What the page's handlers and the training thread share.
pub struct Shared {
    controls: Mutex<Controls>,
    wake: Condvar,
    /// Set when a control waits: the current stretch stops at its next iteration.
    pending: AtomicBool,
    frame: Mutex<Frame>,
    published: Condvar,
    /// Set when the training thread has ended.
    ended: AtomicBool,
}

/// A run and its thread.
pub struct Run {
    pub shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Run {
    /// Starts a paused run of `plan` (its thread waits for the page's first control).
    pub fn start(plan: Plan) -> std::io::Result<Run> {
        let plan = Arc::new(plan);
        let network = init(&plan);
        let frame = Frame {
            version: 0,
            learning_rate: plan.config.learning_rate,
            plan,
            network,
            iterations: 0,
            cost: None,
            costs: CostLog::new(),
            test_costs: CostLog::new(),
            playing: false,
            learning_rate_changed_at: None,
            diverged: None,
        };
        let shared = Arc::new(Shared {
            controls: Mutex::new(Controls::default()),
            wake: Condvar::new(),
            pending: AtomicBool::new(false),
            frame: Mutex::new(frame),
            published: Condvar::new(),
            ended: AtomicBool::new(false),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new().name("playground-run".into()).spawn(move || train(&shared))?
        };
        Ok(Run { shared, thread: Some(thread) })
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.shared.control(|c| c.stop = true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A control the page sends.
pub enum Control {
    Play,
    Pause,
    Step,
    LearningRate(f64),
    Speed(Option<f64>),
    Reset(Box<Plan>),
}

impl Shared {
    fn control(&self, change: impl FnOnce(&mut Controls)) {
        let mut controls = self.controls.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut controls);
        self.pending.store(true, Ordering::SeqCst);
        self.wake.notify_all();
    }

    /// Hands `control` to the training thread.
    pub fn send(&self, control: Control) {
        self.control(|c| match control {
            Control::Play => c.playing = true,
            Control::Pause => (c.playing, c.steps) = (false, 0),
            Control::Step => (c.playing, c.steps) = (false, c.steps + 1),
            Control::LearningRate(rate) => c.learning_rate = Some(rate),
            Control::Speed(speed) => c.speed = speed,
            Control::Reset(plan) => (c.playing, c.steps, c.reset) = (false, 0, Some(plan)),
        });
    }

    /// The latest frame once its version is past `seen`, or after `timeout` whatever it is.
    pub fn next_frame(&self, seen: u64, timeout: Duration) -> Frame {
        let frame = self.frame.lock().unwrap_or_else(|e| e.into_inner());
        let (frame, _) = self
            .published
            .wait_timeout_while(frame, timeout, |f| f.version <= seen && !self.ended.load(Ordering::SeqCst))
            .unwrap_or_else(|e| e.into_inner());
        frame.clone()
    }

    /// Whether the training thread has ended.
    pub fn ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }
}

/// The network as the settings initialise it (zeros allowed: the page shows why not).
fn init(plan: &Plan) -> Network<f64> {
    Network::init_allowing_symmetry(&plan.arch, plan.init, &mut NumpyRng::new(plan.settings.network.seed))
}

/// The data a plan trains on, as the network wants it: X and Y (one-hot for softmax).
fn training_data(plan: &Plan, network: &Network<f64>) -> (Array2<f64>, Array2<f64>) {
    (plan.train.x.clone(), crate::data::targets(&plan.train, network))
}

/// The training thread: waits for controls, trains stretch after stretch while playing,
/// publishes the network after each.
fn train(shared: &Shared) {
    let (mut plan, mut network, mut costs, mut test_costs, mut learning_rate) = {
        let frame = shared.frame.lock().unwrap_or_else(|e| e.into_inner());
        (
            Arc::clone(&frame.plan),
            frame.network.clone(),
            frame.costs.clone(),
            frame.test_costs.clone(),
            frame.learning_rate,
        )
    };
    let (mut x, mut y) = training_data(&plan, &network);
    let mut test = plan.test.as_ref().map(|t| (t.x.clone(), crate::data::targets(t, &network)));
    let mut iterations = 0usize;
    let mut cost = None;
    let mut changed_at = None;
    let mut diverged: Option<Divergence> = None;
    let mut version = 0u64;
    // Iterations per second of the last stretch at full speed.
    let mut measured = 1000.0;
    // Whether the last frame published said "playing".
    let mut shown_playing = false;
    // Pacing at a limited speed: the start of playing and the iterations done since.
    let mut paced = (Instant::now(), 0usize);
    loop {
        let (playing, steps, speed) = {
            let mut controls = shared.controls.lock().unwrap_or_else(|e| e.into_inner());
            shared.pending.store(false, Ordering::SeqCst);
            if controls.stop {
                break;
            }
            let mut changed = false;
            if let Some(new) = controls.reset.take() {
                plan = Arc::from(new);
                network = init(&plan);
                (x, y) = training_data(&plan, &network);
                test = plan.test.as_ref().map(|t| (t.x.clone(), crate::data::targets(t, &network)));
                (iterations, cost, changed_at, diverged) = (0, None, None, None);
                costs = CostLog::new();
                test_costs = CostLog::new();
                learning_rate = plan.config.learning_rate;
                changed = true;
            }
            if let Some(rate) = controls.learning_rate.take() {
                if rate != learning_rate {
                    learning_rate = rate;
                    changed_at = (iterations > 0).then_some(iterations);
                    diverged = None;
                    changed = true;
                }
            }
            let was_playing = controls.playing;
            if changed || !was_playing {
                paced = (Instant::now(), 0);
            }
            let steps = std::mem::take(&mut controls.steps);
            if !controls.playing && steps == 0 {
                if changed || version == 0 || shown_playing {
                    drop(controls);
                    shown_playing = false;
                    version += 1;
                    publish(
                        shared,
                        version,
                        &plan,
                        &network,
                        (iterations, cost),
                        &costs,
                        &test_costs,
                        false,
                        learning_rate,
                        changed_at,
                        diverged,
                    );
                    continue;
                }
                // Wait for a control; a second's timeout rechecks in case of a missed wake-up.
                let _ = shared.wake.wait_timeout(controls, Duration::from_secs(1));
                continue;
            }
            (controls.playing, steps, controls.speed)
        };
        // How many iterations this stretch may run: one per step asked for; at a limited
        // speed, those due by now; else as many as fit in a stretch.
        let budget = if steps > 0 {
            steps
        } else if let Some(speed) = speed {
            let due = (paced.0.elapsed().as_secs_f64() * speed) as usize + 1;
            let budget = due.saturating_sub(paced.1);
            if budget == 0 {
                let wait =
                    Duration::from_secs_f64(((paced.1 as f64) / speed - paced.0.elapsed().as_secs_f64()).max(0.001));
                let controls = shared.controls.lock().unwrap_or_else(|e| e.into_inner());
                if !shared.pending.load(Ordering::SeqCst) {
                    let _ = shared.wake.wait_timeout(controls, wait.min(STRETCH));
                }
                continue;
            }
            budget
        } else {
            // Twice what the last stretch managed in its time: the clock ends it, and the
            // history it sizes up front stays small.
            (measured * 2.0 * STRETCH.as_secs_f64()).clamp(16.0, (1 << 20) as f64) as usize
        };
        let mut config = plan.config.clone();
        config.learning_rate = learning_rate;
        config.iterations = budget;
        if let Some(size) = config.batch_size {
            // Epoch k of the run is shuffled with the seed of epoch k, as one long run does.
            config = config.with_batches(size, plan.config.shuffle_seed.wrapping_add(iterations as u32));
        }
        let Ok(config) = config.check() else {
            break;
        };
        let start = Instant::now();
        let first = iterations;
        let timed = steps == 0 && speed.is_none();
        let result = fit_with(network.clone(), x.view(), y.view(), &config, |progress| {
            costs.record(first + progress.iteration, progress.cost);
            cost = Some(progress.cost);
            let stop = shared.pending.load(Ordering::Relaxed) || (timed && start.elapsed() >= STRETCH);
            if stop {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        let (trained, history) = match result {
            Ok(result) => result,
            Err(_) => break,
        };
        network = trained;
        let mut done = history.costs.len();
        if let Some(divergence) = history.diverged {
            // The cost of the diverging epoch is recorded, and with full batches its update
            // was not made.
            costs.record(first + done - 1, divergence.cost);
            cost = Some(divergence.cost);
            if config.batch_size(x.ncols()) == x.ncols() {
                done -= 1;
            }
            diverged = Some(Divergence { iteration: first + divergence.iteration, ..divergence });
            shared.control(|c| c.playing = false);
        }
        iterations += done;
        paced.1 += done;
        if timed && done > 0 {
            measured = done as f64 / start.elapsed().as_secs_f64().max(1e-6);
        }
        if let Some((x_test, y_test)) = &test {
            let mut ws = dnn::Workspace::new(&network, x_test.ncols());
            network.forward(x_test.view(), &mut ws);
            test_costs.push(iterations, network.cost(&ws, y_test.view()));
        }
        version += 1;
        shown_playing = playing && diverged.is_none();
        publish(
            shared,
            version,
            &plan,
            &network,
            (iterations, cost),
            &costs,
            &test_costs,
            shown_playing,
            learning_rate,
            changed_at,
            diverged,
        );
    }
    shared.ended.store(true, Ordering::SeqCst);
    shared.published.notify_all();
}

/// Publishes the network and where training is for the page's next picture.
#[allow(clippy::too_many_arguments)]
fn publish(
    shared: &Shared,
    version: u64,
    plan: &Arc<Plan>,
    network: &Network<f64>,
    (iterations, cost): (usize, Option<f64>),
    costs: &CostLog,
    test_costs: &CostLog,
    playing: bool,
    learning_rate: f64,
    learning_rate_changed_at: Option<usize>,
    diverged: Option<Divergence>,
) {
    let mut frame = shared.frame.lock().unwrap_or_else(|e| e.into_inner());
    *frame = Frame {
        version,
        plan: Arc::clone(plan),
        network: network.clone(),
        iterations,
        cost,
        costs: costs.clone(),
        test_costs: test_costs.clone(),
        playing,
        learning_rate,
        learning_rate_changed_at,
        diverged,
    };
    shared.published.notify_all();
}
