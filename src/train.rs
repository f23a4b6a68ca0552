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

/// What training recorded: the cost J before each iteration's update.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// `costs[i]` is the cost after i updates, computed from iteration i's forward pass
    /// (the course's "Cost after iteration i").
    pub costs: Vec<f64>,
    /// Whether the callback stopped training before the last iteration.
    pub stopped_early: bool,
}

impl History {
    /// The last recorded cost.
    pub fn final_cost(&self) -> Option<f64> {
        self.costs.last().copied()
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
    let mut history = History { costs: Vec::with_capacity(config.iterations()), stopped_early: false };
    let learning_rate = T::from_f64(config.learning_rate());
    let use_gram = config.config().gram.applies(x.nrows(), x.ncols(), std::mem::size_of::<T>());
    let mut train = || {
        let mut gram = use_gram.then(|| GramFirstLayer::new(network.layers()[0].w(), x, ws.scratch()));
        for iteration in 0..config.iterations() {
            network.forward_sweep(x, &mut ws, gram.as_ref());
            let cost = network.cost(&ws, y);
            network.backward_sweep(x, y, &mut ws, gram.is_none());
            network.update_sweep(&ws, learning_rate, gram.is_none());
            if let Some(gram) = gram.as_mut() {
                gram.update(ws.first_delta(), learning_rate);
            }
            history.costs.push(cost);
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
