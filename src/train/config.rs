//! The hyperparameters of training, unchecked ([`TrainConfig`]) and checked
//! ([`ValidTrainConfig`]), with the learning-rate schedule and dropout's settings.

use serde::{Deserialize, Serialize};

use crate::gram::GramMode;
use crate::optimizer::Optimizer;
use crate::{Error, Result};

/// Hyperparameters of training, unchecked. [`TrainConfig::check`] turns them into a
/// [`ValidTrainConfig`], the only kind [`fit`](crate::fit) accepts.
///
/// The defaults are the first course's: full-batch gradient descent, no regularisation. Every
/// field added since then has a serde default, so configurations saved before it still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// α in `W := W − α·dW` (the starting rate when [`TrainConfig::decay`] is set). Default
    /// 0.0075 (the course's deep network).
    pub learning_rate: f64,
    /// How many epochs (passes over all m examples). With full batches an epoch is one
    /// gradient step, the course's "iteration". Default 2500.
    pub iterations: usize,
    /// Threads for the matrix products; 0 means all cores. Default 0. Results do not
    /// depend on it.
    pub threads: usize,
    /// Whether to carry the first layer in the Gram form (see [`GramMode`]). Default
    /// [`GramMode::Auto`]: when it does less work and stays exact. Results agree to rounding.
    #[serde(default)]
    pub gram: GramMode,
    /// Examples per mini-batch; `None` (the default) or a size of at least m means one batch
    /// of all m examples, in their order.
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// The course's shuffle seed: epoch k (from 0) draws its order with
    /// `np.random.seed(shuffle_seed + 1 + k)`, `np.random.permutation(m)`. Default 10 (the
    /// course's). Used only with mini-batches.
    #[serde(default = "default_shuffle_seed")]
    pub shuffle_seed: u32,
    /// The update rule. Default [`Optimizer::GradientDescent`].
    #[serde(default)]
    pub optimizer: Optimizer,
    /// Learning-rate decay; `None` (the default) keeps α constant.
    #[serde(default)]
    pub decay: Option<Decay>,
    /// λ of L2 regularisation: the cost gains `λ/(2m)·Σ‖W[l]‖²` and each dW\[l\] gains
    /// `(λ/m)·W[l]` (m of the batch). Default 0 (none).
    #[serde(default)]
    pub l2: f64,
    /// Inverted dropout on the hidden layers; `None` (the default) keeps every unit.
    #[serde(default)]
    pub dropout: Option<Dropout>,
    /// Early stopping: stop after this many epochs in a row without a lower validation cost,
    /// and go back to the weights of the best epoch. Needs validation data. Default `None`.
    #[serde(default)]
    pub patience: Option<usize>,
}

fn default_shuffle_seed() -> u32 {
    10
}

/// Learning-rate decay, `α = α₀ / (1 + rate·k)`, where k is the epoch number, or with
/// [`Decay::every`] set, `⌊epoch / every⌋` (the course's `schedule_lr_decay`).
///
/// As in the course, the rate is recomputed at the end of each epoch from that epoch's
/// number and used from the next epoch on: epochs 0 and 1 run at α₀, epoch e ≥ 1 at the rate
/// computed after epoch e − 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Decay {
    /// The decay rate (≥ 0).
    pub rate: f64,
    /// Decay in steps of this many epochs; `None` decays after every epoch.
    #[serde(default)]
    pub every: Option<usize>,
}

impl Decay {
    /// The rate computed after epoch `epoch`: `α₀ / (1 + rate·epoch)`, or
    /// `α₀ / (1 + rate·⌊epoch / every⌋)` (the course's `update_lr` and `schedule_lr_decay`).
    pub fn learning_rate_after(&self, learning_rate0: f64, epoch: usize) -> f64 {
        let k = match self.every {
            Some(every) => (epoch / every) as f64,
            None => epoch as f64,
        };
        learning_rate0 / (1.0 + self.rate * k)
    }

    /// The rate epoch `epoch` trains with: α₀ for epoch 0, then the rate computed after the
    /// epoch before.
    pub fn learning_rate_for(&self, learning_rate0: f64, epoch: usize) -> f64 {
        match epoch.checked_sub(1) {
            None => learning_rate0,
            Some(previous) => self.learning_rate_after(learning_rate0, previous),
        }
    }
}

/// Inverted dropout: during training, each hidden unit of layer l is kept with probability
/// `keep_prob[l]` in every example (`D = rand < keep_prob`, `A := A⊙D / keep_prob`) and
/// dropped otherwise; backpropagation applies the same mask. Never at prediction or in
/// gradient checking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropout {
    /// One keep probability for every hidden layer, or one per hidden layer, each in (0, 1].
    pub keep_prob: Vec<f64>,
    /// The seed of the masks' generator.
    pub seed: u32,
    /// `true`: the generator is reseeded with `seed` at the start of every forward pass, so
    /// the masks are the same in every iteration (what the course's regularisation notebook
    /// does, and needed to reproduce its numbers). `false` (usual): one seeded stream, fresh
    /// masks every pass.
    #[serde(default)]
    pub reseed_every_pass: bool,
}

impl Dropout {
    /// The keep probability of each of `hidden_layers` hidden layers.
    pub fn keep_probs(&self, hidden_layers: usize) -> Result<Vec<f64>> {
        match self.keep_prob.len() {
            1 => Ok(vec![self.keep_prob[0]; hidden_layers]),
            n if n == hidden_layers => Ok(self.keep_prob.clone()),
            n => Err(Error::InvalidHyperparameter {
                name: "keep probabilities",
                value: format!("{n} values for {hidden_layers} hidden layer(s)"),
                expected: "one value for all hidden layers, or one per hidden layer",
            }),
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig::new(0.0075, 2500)
    }
}

impl TrainConfig {
    /// Full-batch gradient descent with this learning rate and epoch count, all cores.
    pub fn new(learning_rate: f64, iterations: usize) -> Self {
        TrainConfig {
            learning_rate,
            iterations,
            threads: 0,
            gram: GramMode::Auto,
            batch_size: None,
            shuffle_seed: default_shuffle_seed(),
            optimizer: Optimizer::GradientDescent,
            decay: None,
            l2: 0.0,
            dropout: None,
            patience: None,
        }
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

    /// The same configuration with mini-batches of `size` shuffled with the course's seeds
    /// from `shuffle_seed`.
    pub fn with_batches(mut self, size: usize, shuffle_seed: u32) -> Self {
        self.batch_size = Some(size);
        self.shuffle_seed = shuffle_seed;
        self
    }

    /// The same configuration with another optimizer.
    pub fn with_optimizer(mut self, optimizer: Optimizer) -> Self {
        self.optimizer = optimizer;
        self
    }

    /// The same configuration with learning-rate decay.
    pub fn with_decay(mut self, decay: Decay) -> Self {
        self.decay = Some(decay);
        self
    }

    /// The same configuration with L2 regularisation of strength λ.
    pub fn with_l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// The same configuration with dropout.
    pub fn with_dropout(mut self, dropout: Dropout) -> Self {
        self.dropout = Some(dropout);
        self
    }

    /// The same configuration with early stopping after `patience` epochs without progress.
    pub fn with_patience(mut self, patience: usize) -> Self {
        self.patience = Some(patience);
        self
    }

    /// Checks every hyperparameter once: the learning rate finite and positive, at least one
    /// epoch, a batch size of at least 1, the optimizer's βs in [0, 1) and ε > 0, a decay
    /// rate finite and ≥ 0 with steps of at least one epoch, λ finite and ≥ 0, keep
    /// probabilities in (0, 1], a patience of at least 1.
    pub fn check(&self) -> Result<ValidTrainConfig> {
        let invalid = |name: &'static str, value: String, expected: &'static str| {
            Err(Error::InvalidHyperparameter { name, value, expected })
        };
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return invalid("learning rate", self.learning_rate.to_string(), "a finite number greater than 0");
        }
        if self.iterations == 0 {
            return invalid("iterations", "0".into(), "at least 1");
        }
        if self.batch_size == Some(0) {
            return invalid("batch size", "0".into(), "at least 1");
        }
        self.optimizer.check()?;
        if let Some(decay) = self.decay {
            if !(decay.rate.is_finite() && decay.rate >= 0.0) {
                return invalid("decay rate", decay.rate.to_string(), "a finite number of at least 0");
            }
            if decay.every == Some(0) {
                return invalid("decay interval", "0".into(), "at least 1 epoch");
            }
        }
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return invalid("L2 lambda", self.l2.to_string(), "a finite number of at least 0");
        }
        if let Some(dropout) = &self.dropout {
            if dropout.keep_prob.is_empty() {
                return invalid("keep probability", "none".into(), "a number in (0, 1]");
            }
            if let Some(&p) = dropout.keep_prob.iter().find(|&&p| !(p > 0.0 && p <= 1.0)) {
                return invalid("keep probability", p.to_string(), "a number in (0, 1]");
            }
        }
        if self.patience == Some(0) {
            return invalid("patience", "0".into(), "at least 1 epoch");
        }
        if self.gram == GramMode::On {
            if let Some(reason) = self.gram_obstacle() {
                return Err(Error::GramNotExact { reason });
            }
        }
        let threads =
            if self.threads == 0 { std::thread::available_parallelism().map_or(1, usize::from) } else { self.threads };
        Ok(ValidTrainConfig { config: self.clone(), threads })
    }

    /// Why the Gram form cannot carry W\[1\] with these settings, if it cannot: it holds W\[1\]
    /// as s·W\[1\]₀ + C·Xᵀ over all m examples, so every step must be a full-batch step whose
    /// change of W\[1\] is of that form: gradient descent or momentum, with or without L2.
    pub fn gram_obstacle(&self) -> Option<&'static str> {
        if self.batch_size.is_some() {
            Some("mini-batches change X from step to step")
        } else if matches!(self.optimizer, Optimizer::RmsProp { .. } | Optimizer::Adam { .. }) {
            Some("RMSprop and Adam scale each weight's step by its own history, which W₀ + C·Xᵀ cannot hold")
        } else if self.patience.is_some() {
            Some("early stopping needs W[1] itself after every epoch")
        } else {
            None
        }
    }
}

/// A [`TrainConfig`] whose values have been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainConfig {
    config: TrainConfig,
    threads: usize,
}

impl ValidTrainConfig {
    /// The (starting) learning rate α (finite, > 0).
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate
    }

    /// The learning rate of epoch `epoch` (from 0), after decay.
    pub fn learning_rate_for(&self, epoch: usize) -> f64 {
        match &self.config.decay {
            Some(decay) => decay.learning_rate_for(self.config.learning_rate, epoch),
            None => self.config.learning_rate,
        }
    }

    /// The number of epochs (≥ 1); with full batches, of iterations.
    pub fn iterations(&self) -> usize {
        self.config.iterations
    }

    /// The number of threads actually used (≥ 1).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The mini-batch size for m examples: m when batches are off or not smaller than m.
    pub fn batch_size(&self, m: usize) -> usize {
        self.config.batch_size.map_or(m, |b| b.min(m))
    }

    /// The configuration as given.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Whether full-batch training on n_x features × m examples of `bytes`-wide floats
    /// carries the first layer in the Gram form: nothing in the configuration stands in its
    /// way and `--gram` applies to that shape.
    pub fn uses_gram(&self, n_x: usize, m: usize, bytes: usize) -> bool {
        self.config.gram_obstacle().is_none() && self.config.gram.applies(n_x, m, bytes)
    }
}
