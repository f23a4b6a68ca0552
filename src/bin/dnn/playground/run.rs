//! One page's run: a network training on a thread of its own, in one call of the library's
//! [`fit_observed`] for as long as the settings it started with hold. After every epoch the
//! call shows the network to this module, which records the cost, publishes the network for
//! the page's next picture (at most [`FRAME_RATE`] times a second), and applies the page's
//! controls: while paused, or between single steps, or ahead of a limited speed, it waits
//! there, and training then resumes with its optimizer's averages, mini-batch order and
//! dropout masks as one uninterrupted run, so that the run is `dnn train …` exactly.
//!
//! A reset with new settings, or a new learning rate (which keeps the weights), ends the call
//! and starts another. So does a run longer than [`LONGEST_CALL`] epochs: full-batch gradient
//! descent carries nothing from one iteration to the next but the weights, and mini-batches
//! are shuffled with the seed of their epoch, so that is still exact; momentum, RMSprop and
//! Adam would start their averages again, and dropout its generator, and the command says so.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use dnn::{fit_observed, Divergence, Network, NumpyRng, Progress};
use ndarray::Array2;

use super::costs::CostLog;
use super::settings::Plan;

/// The most frames published in a second.
pub const FRAME_RATE: u32 = 30;

/// The time between two frames.
const FRAME: Duration = Duration::from_nanos(1_000_000_000 / FRAME_RATE as u64);

/// The most epochs one call of [`fit_observed`] runs. The call's history keeps 8 bytes an
/// epoch until it ends, which this bounds (128 MiB) for a page left training.
pub const LONGEST_CALL: usize = 1 << 24;

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
    /// `(iteration, test cost)` at the frames published.
    pub test_costs: CostLog,
    pub playing: bool,
    pub learning_rate: f64,
    /// The iteration at which the learning rate last changed, when it did mid-run.
    pub learning_rate_changed_at: Option<usize>,
    /// The iteration at which training went on in a new call with the same settings
    /// (optimizer's averages and dropout's generator new), when it did.
    pub restarted_at: Option<usize>,
    pub diverged: Option<Divergence>,
}

/// What the page's handlers and the training thread share.
pub struct Shared {
    controls: Mutex<Controls>,
    wake: Condvar,
    /// Set when a control waits: training looks at the controls after its current epoch.
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
            restarted_at: None,
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

/// Where a run is, as the training thread keeps it between frames.
struct State {
    plan: Arc<Plan>,
    /// The network between calls of [`fit_observed`] (during one, the call has it).
    network: Network<f64>,
    iterations: usize,
    cost: Option<f64>,
    costs: CostLog,
    test_costs: CostLog,
    learning_rate: f64,
    changed_at: Option<usize>,
    restarted_at: Option<usize>,
    diverged: Option<Divergence>,
    version: u64,
    /// The iterations and "playing" of the last frame published, and when it was.
    shown: (usize, bool),
    shown_at: Instant,
    /// Whether the optimizer's averages and dropout's generator start anew with the next
    /// call anyway (a new run or a new learning rate).
    fresh: bool,
}

/// The data a run trains and tests on.
struct Data {
    x: Array2<f64>,
    y: Array2<f64>,
    test: Option<(Array2<f64>, Array2<f64>)>,
}

impl Data {
    fn new(plan: &Plan, network: &Network<f64>) -> Data {
        let (x, y) = training_data(plan, network);
        let test = plan.test.as_ref().map(|t| (t.x.clone(), crate::data::targets(t, network)));
        Data { x, y, test }
    }
}

/// How training goes on after an epoch, as the controls last said.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Playing at a speed in iterations per second, or as fast as it goes.
    Playing(Option<f64>),
    /// One epoch let through, or waiting.
    Stopped,
}

impl State {
    /// Publishes `network` and where training is; with a test set, its cost is recorded.
    fn publish(
        &mut self,
        shared: &Shared,
        network: &Network<f64>,
        test: &Option<(Array2<f64>, Array2<f64>)>,
        playing: bool,
    ) {
        if let Some((x_test, y_test)) = test {
            if self.test_costs.points.last().is_none_or(|&(at, _)| at != self.iterations) {
                let mut ws = dnn::Workspace::new(network, x_test.ncols());
                network.forward(x_test.view(), &mut ws);
                self.test_costs.push(self.iterations, network.cost(&ws, y_test.view()));
            }
        }
        self.version += 1;
        self.shown = (self.iterations, playing);
        self.shown_at = Instant::now();
        publish(
            shared,
            self.version,
            &self.plan,
            network,
            (self.iterations, self.cost),
            &self.costs,
            &self.test_costs,
            playing,
            self.learning_rate,
            (self.changed_at, self.restarted_at),
            self.diverged,
        );
    }

    /// After an epoch of a call: waits while paused, between single steps or ahead of the
    /// speed, publishing as it goes; breaks when a control needs a new call.
    fn gate(
        &mut self,
        shared: &Shared,
        network: &Network<f64>,
        test: &Option<(Array2<f64>, Array2<f64>)>,
        mode: &mut Mode,
        paced: &mut (Instant, usize),
    ) -> ControlFlow<()> {
        loop {
            let mut controls = shared.controls.lock().unwrap_or_else(|e| e.into_inner());
            shared.pending.store(false, Ordering::SeqCst);
            if controls.stop || controls.reset.is_some() {
                return ControlFlow::Break(());
            }
            match controls.learning_rate {
                Some(rate) if rate != self.learning_rate => return ControlFlow::Break(()),
                Some(_) => controls.learning_rate = None,
                None => {}
            }
            if controls.playing {
                let speed = controls.speed;
                if *mode != Mode::Playing(speed) {
                    *mode = Mode::Playing(speed);
                    *paced = (Instant::now(), 0);
                }
                // At a limited speed, the next epoch is due `done / speed` seconds in.
                let wait = speed.map_or(0.0, |speed| paced.1 as f64 / speed - paced.0.elapsed().as_secs_f64());
                let unshown = self.shown != (self.iterations, true);
                if wait <= 0.0 {
                    drop(controls);
                    if unshown && self.shown_at.elapsed() >= FRAME {
                        self.publish(shared, network, test, true);
                    }
                    return ControlFlow::Continue(());
                }
                let wait = Duration::from_secs_f64(wait);
                if unshown && (self.shown_at.elapsed() >= FRAME || wait >= FRAME) {
                    drop(controls);
                    self.publish(shared, network, test, true);
                    continue;
                }
                let _ = shared.wake.wait_timeout(controls, wait.min(Duration::from_secs(1)));
            } else if controls.steps > 0 {
                controls.steps -= 1;
                *mode = Mode::Stopped;
                return ControlFlow::Continue(());
            } else {
                *mode = Mode::Stopped;
                if self.shown != (self.iterations, false) {
                    drop(controls);
                    self.publish(shared, network, test, false);
                    continue;
                }
                // A second's timeout rechecks in case of a missed wake-up.
                let _ = shared.wake.wait_timeout(controls, Duration::from_secs(1));
            }
        }
    }
}

/// The training thread: waits for controls; while playing or stepping, trains in one call of
/// [`fit_observed`] until a control needs another.
fn train(shared: &Shared) {
    let mut run = {
        let frame = shared.frame.lock().unwrap_or_else(|e| e.into_inner());
        State {
            plan: Arc::clone(&frame.plan),
            network: frame.network.clone(),
            iterations: 0,
            cost: None,
            costs: frame.costs.clone(),
            test_costs: frame.test_costs.clone(),
            learning_rate: frame.learning_rate,
            changed_at: None,
            restarted_at: None,
            diverged: None,
            version: 0,
            shown: (0, false),
            shown_at: Instant::now(),
            fresh: true,
        }
    };
    let mut data = Data::new(&run.plan, &run.network);
    loop {
        let mode = {
            let mut controls = shared.controls.lock().unwrap_or_else(|e| e.into_inner());
            shared.pending.store(false, Ordering::SeqCst);
            if controls.stop {
                break;
            }
            let mut changed = false;
            if let Some(new) = controls.reset.take() {
                run.plan = Arc::from(new);
                run.network = init(&run.plan);
                data = Data::new(&run.plan, &run.network);
                (run.iterations, run.cost, run.changed_at, run.restarted_at, run.diverged) =
                    (0, None, None, None, None);
                run.costs = CostLog::new();
                run.test_costs = CostLog::new();
                run.learning_rate = run.plan.config.learning_rate;
                run.fresh = true;
                changed = true;
            }
            if let Some(rate) = controls.learning_rate.take() {
                if rate != run.learning_rate {
                    run.learning_rate = rate;
                    run.changed_at = (run.iterations > 0).then_some(run.iterations);
                    run.diverged = None;
                    run.fresh = true;
                    changed = true;
                }
            }
            if !controls.playing && controls.steps == 0 {
                if changed || run.version == 0 || run.shown != (run.iterations, false) {
                    drop(controls);
                    let network = run.network.clone();
                    run.publish(shared, &network, &data.test, false);
                    continue;
                }
                // Wait for a control; a second's timeout rechecks in case of a missed wake-up.
                let _ = shared.wake.wait_timeout(controls, Duration::from_secs(1));
                continue;
            }
            if controls.playing {
                Mode::Playing(controls.speed)
            } else {
                controls.steps -= 1;
                Mode::Stopped
            }
        };
        let mut config = run.plan.config.clone();
        config.learning_rate = run.learning_rate;
        config.iterations = LONGEST_CALL;
        if let Some(size) = config.batch_size {
            // Epoch k of the run is shuffled with the seed of epoch k, as one long run does.
            config = config.with_batches(size, run.plan.config.shuffle_seed.wrapping_add(run.iterations as u32));
        }
        let Ok(config) = config.check() else {
            break;
        };
        if !run.fresh && run.iterations > 0 {
            run.restarted_at.get_or_insert(run.iterations);
        }
        run.fresh = false;
        let first = run.iterations;
        let (mut mode, mut paced) = (mode, (Instant::now(), 0usize));
        let result = fit_observed(
            run.network.clone(),
            data.x.view(),
            data.y.view(),
            None,
            &config,
            |progress: Progress, network: &Network<f64>| {
                run.costs.record(first + progress.iteration, progress.cost);
                run.cost = Some(progress.cost);
                run.iterations = first + progress.iteration + 1;
                paced.1 += 1;
                if mode == Mode::Playing(None) && !shared.pending.load(Ordering::Relaxed) {
                    if run.shown_at.elapsed() >= FRAME {
                        run.publish(shared, network, &data.test, true);
                    }
                    return ControlFlow::Continue(());
                }
                run.gate(shared, network, &data.test, &mut mode, &mut paced)
            },
        );
        let (trained, history) = match result {
            Ok(result) => result,
            Err(_) => break,
        };
        run.network = trained;
        let mut done = history.costs.len();
        if let Some(divergence) = history.diverged {
            // The cost of the diverging epoch is recorded, and with full batches its update
            // was not made.
            run.costs.record(first + done - 1, divergence.cost);
            run.cost = Some(divergence.cost);
            if config.batch_size(data.x.ncols()) == data.x.ncols() {
                done -= 1;
            }
            run.diverged = Some(Divergence { iteration: first + divergence.iteration, ..divergence });
            shared.control(|c| c.playing = false);
        }
        run.iterations = first + done;
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
    (learning_rate_changed_at, restarted_at): (Option<usize>, Option<usize>),
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
        restarted_at,
        diverged,
    };
    shared.published.notify_all();
}
