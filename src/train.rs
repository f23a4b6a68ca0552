//! Batch gradient descent: the training loop, its checked configuration and its history.

use std::ops::ControlFlow;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::gram::{GramFirstLayer, GramMode};
use crate::network::Workspace;
use crate::{Error, Float, Network, Result};

/// Hyperparameters of gradient descent, unchecked. [`TrainConfig::check`] turns them into a
/// [`ValidTrainConfig`], the only kind [`fit`] accepts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// α in `W := W − α·dW`. Default 0.0075 (the course's deep network).
    pub learning_rate: f64,
    /// How many gradient steps over all m examples. Default 2500.
    pub iterations: usize,
    /// Threads for the matrix products; 0 means all cores. Default 0. Results do not
    /// depend on it.
    pub threads: usize,
    /// Whether to carry the first layer in the Gram form (see [`GramMode`]). Default
    /// [`GramMode::Auto`]: when it does less work. Results agree to rounding.
    #[serde(default)]
    pub gram: GramMode,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { learning_rate: 0.0075, iterations: 2500, threads: 0, gram: GramMode::Auto }
    }
}

impl TrainConfig {
    /// A configuration with this learning rate and iteration count, all cores.
    pub fn new(learning_rate: f64, iterations: usize) -> Self {
        TrainConfig { learning_rate, iterations, threads: 0, gram: GramMode::Auto }
    }

    /// The same configuration with a thread count (0 = all cores).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The same configuration with another [`GramMode`].
    pub fn with_gram(mut self, gram: GramMode) -> Self {
        self.gram = gram;
        self
    }

    /// Checks every hyperparameter once: the learning rate must be finite and positive, the
    /// iteration count at least 1.
    pub fn check(&self) -> Result<ValidTrainConfig> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(Error::InvalidHyperparameter {
                name: "learning rate",
                value: self.learning_rate.to_string(),
                expected: "a finite number greater than 0",
            });
        }
        if self.iterations == 0 {
            return Err(Error::InvalidHyperparameter { name: "iterations", value: "0".into(), expected: "at least 1" });
        }
        let threads =
            if self.threads == 0 { std::thread::available_parallelism().map_or(1, usize::from) } else { self.threads };
        Ok(ValidTrainConfig { config: self.clone(), threads })
    }
}

/// A [`TrainConfig`] whose values have been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainConfig {
    config: TrainConfig,
    threads: usize,
}

impl ValidTrainConfig {
    /// The learning rate α (finite, > 0).
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate
    }

    /// The number of iterations (≥ 1).
    pub fn iterations(&self) -> usize {
        self.config.iterations
    }

    /// The number of threads actually used (≥ 1).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The configuration as given.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
}

/// Training diverges when its cost is NaN or infinite, or grows past this many times its
/// first cost. Gradient descent with a small enough step never raises the cost; a rise to a
/// hundred times the start is far past any wobble of a step that is merely large.
pub const DIVERGENCE_FACTOR: f64 = 100.0;

/// What training recorded: the cost J before each iteration's update, and why it stopped
/// before the last iteration, if it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// `costs[i]` is the cost after i updates, computed from iteration i's forward pass
    /// (the course's "Cost after iteration i").
    pub costs: Vec<f64>,
    /// Whether the callback stopped training before the last iteration.
    pub stopped_early: bool,
    /// Set when training diverged (see [`Divergence`]): it stopped at that iteration, and
    /// the network returned is the one whose cost diverged (the last of `costs`).
    #[serde(default)]
    pub diverged: Option<Divergence>,
}

impl History {
    /// The last recorded cost.
    pub fn final_cost(&self) -> Option<f64> {
        self.costs.last().copied()
    }
}

/// Why training stopped early on its own: the cost of an iteration was NaN or infinite, or
/// more than [`DIVERGENCE_FACTOR`] times the first. The learning rate is too large for the
/// data (as scaled): each step overshoots the minimum by more than it gains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// The iteration whose cost diverged, from 0; its update was not applied.
    pub iteration: usize,
    /// Its cost (NaN, infinite, or above the limit).
    pub cost: f64,
    /// The cost of iteration 0.
    pub first_cost: f64,
    /// The learning rate α that training used.
    pub learning_rate: f64,
}

impl Divergence {
    /// The divergence at `iteration` with this `cost`, or `None` when the cost is finite and
    /// at most [`DIVERGENCE_FACTOR`] times `first_cost` (the cost of iteration 0).
    pub fn check(iteration: usize, cost: f64, first_cost: f64, learning_rate: f64) -> Option<Divergence> {
        let exploded = first_cost > 0.0 && cost > DIVERGENCE_FACTOR * first_cost;
        (!cost.is_finite() || exploded).then_some(Divergence { iteration, cost, first_cost, learning_rate })
    }

    /// A learning rate to try instead: a tenth of this one, to three significant digits.
    pub fn suggested_learning_rate(&self) -> f64 {
        format!("{:.2e}", self.learning_rate / 10.0).parse().expect("a number formatted as one")
    }

    /// How many updates the last network with a finite cost had: `iteration` when this
    /// cost is finite (it only grew too far), the update before otherwise, and `None` when
    /// no cost was ever finite.
    pub fn last_finite_updates(&self) -> Option<usize> {
        if self.cost.is_finite() {
            Some(self.iteration)
        } else {
            self.iteration.checked_sub(1)
        }
    }
}

/// A cost in six decimals, or in scientific notation when it is large.
fn short(cost: f64) -> String {
    if cost.abs() < 1e6 {
        format!("{cost:.6}")
    } else {
        format!("{cost:.3e}")
    }
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Divergence { iteration, cost, first_cost, learning_rate } = *self;
        if cost.is_finite() {
            write!(
                f,
                "training diverged at iteration {iteration}: the cost grew from {} to {}, \
                 over {DIVERGENCE_FACTOR} times its first value, with learning rate {learning_rate}",
                short(first_cost),
                short(cost)
            )?;
        } else {
            write!(
                f,
                "training diverged at iteration {iteration}: the cost became {cost} with learning rate {learning_rate}"
            )?;
        }
        write!(f, "; try a smaller learning rate, such as {}", self.suggested_learning_rate())
    }
}

/// Where training is, passed to the callback of [`fit_with`] after each iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The iteration just done, from 0.
    pub iteration: usize,
    /// Its cost, before its update.
    pub cost: f64,
    /// The total number of iterations asked for.
    pub iterations: usize,
}

/// Trains `network` on X (n_x × m) and Y (n\[L\] × m) by batch gradient descent.
///
/// Each iteration is the course's: forward over all m examples, the cost, backward, and the
/// update `W := W − α·dW`, `b := b − α·db`. Returns the trained network and its history.
pub fn fit<T: Float>(
    network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    config: &ValidTrainConfig,
) -> Result<(Network<T>, History)> {
    fit_with(network, x, y, config, |_| ControlFlow::Continue(()))
}

/// As [`fit`], calling `on_iteration` after every iteration; returning
/// `ControlFlow::Break(())` stops training there (the update of that iteration is kept).
///
/// Training stops by itself when it diverges: at the first iteration whose cost is NaN or
/// infinite or more than [`DIVERGENCE_FACTOR`] times the first cost, before that iteration's
/// update and without calling `on_iteration`. [`History::diverged`] then says where, and the
/// network returned is the one that had that cost. This is not an error: the caller decides
/// what a diverged network is good for ([`Divergence::last_finite_updates`]).
///
/// Nothing is allocated inside the loop: the workspace and the history are sized before the
/// first iteration.
pub fn fit_with<T: Float>(
    mut network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    config: &ValidTrainConfig,
    mut on_iteration: impl FnMut(Progress) -> ControlFlow<()> + Send,
) -> Result<(Network<T>, History)> {
    network.check_input(x)?;
    network.check_labels(y, x.ncols())?;
    let x = x.as_standard_layout();
    let y = y.as_standard_layout();
    let (x, y) = (x.view(), y.view());
    let mut ws = Workspace::with_threads(&network, x.ncols(), config.threads());
    let mut history = History { costs: Vec::with_capacity(config.iterations()), stopped_early: false, diverged: None };
    let learning_rate = T::from_f64(config.learning_rate());
    let use_gram = config.config().gram.applies(x.nrows(), x.ncols(), std::mem::size_of::<T>());
    let mut train = || {
        let mut gram = use_gram.then(|| GramFirstLayer::new(network.layers()[0].w(), x, ws.scratch()));
        for iteration in 0..config.iterations() {
            network.forward_sweep(x, &mut ws, gram.as_ref());
            let cost = network.cost(&ws, y);
            history.costs.push(cost);
            let first_cost = history.costs[0];
            history.diverged = Divergence::check(iteration, cost, first_cost, config.learning_rate());
            if history.diverged.is_some() {
                break;
            }
            network.backward_sweep(x, y, &mut ws, gram.is_none());
            network.update_sweep(&ws, learning_rate, gram.is_none());
            if let Some(gram) = gram.as_mut() {
                gram.update(ws.first_delta(), learning_rate);
            }
            let progress = Progress { iteration, cost, iterations: config.iterations() };
            if on_iteration(progress).is_break() {
                history.stopped_early = iteration + 1 < config.iterations();
                break;
            }
        }
        if let Some(gram) = gram {
            let (mut w1, _) = network.layers_mut().next().expect("a network has layers");
            w1.assign(&gram.weights(x, ws.scratch()));
        }
    };
    if config.threads() > 1 {
        // The loop runs inside a pool of its own, so the products' fork-join stays on the
        // pool's threads (and allocates nothing per iteration).
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.threads())
            .build()
            .map_err(|e| Error::Threads { threads: config.threads(), reason: e.to_string() })?;
        // Every worker runs once before training, so that thread start-up is behind us.
        pool.broadcast(|_| ());
        pool.install(train);
    } else {
        train();
    }
    Ok((network, history))
}
