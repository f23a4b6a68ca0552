//! Training: the loop over epochs and batches that runs the forward and backward sweeps and
//! the optimizer, with its checked configuration ([`config`]), its mini-batches ([`batches`])
//! and what it records ([`history`]).

mod batches;
mod config;
mod history;
mod orders;
mod validation;

use std::ops::ControlFlow;

use ndarray::{ArrayView2, CowArray};

use batches::MiniBatches;
pub use config::{Decay, Dropout, TrainConfig, ValidTrainConfig};
pub use history::{Divergence, History, Progress, DIVERGENCE_FACTOR};
use validation::Scorer;

use crate::gram::{GramFirstLayer, GramStep};
use crate::network::Workspace;
use crate::optimizer::Optimizer;
use crate::optimizer::OptimizerState;
use crate::regularization::{add_l2_gradient, l2_cost_given_first};
use crate::{Error, Float, Network, NumpyRng, Result};

/// Epochs whose costs the history has room for before training starts.
const HISTORY_RESERVED: usize = 1 << 20;

/// Validation data: X (n_x × m_v) and Y (n\[L\] × m_v), scored after every epoch.
pub type ValidationData<'a, T> = (ArrayView2<'a, T>, ArrayView2<'a, T>);

/// Trains `network` on X (n_x × m) and Y (n\[L\] × m) as `config` says: by default the
/// first course's batch gradient descent.
///
/// Each epoch shuffles the examples (with mini-batches) and, for each batch, runs the
/// course's steps: forward (with dropout's masks), the cost (with L2's term), backward (with
/// L2's gradient and the masks), and the optimizer's update. Returns the trained network and
/// its history.
///
/// X may be stored either way. With mini-batches, X stored one example per row (the
/// transposed view of an m × n_x array, as [`data::by_examples`](crate::data::by_examples)
/// makes it) is read in place; stored in the course's layout it is copied once, transposed.
pub fn fit<T: Float>(
    network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    config: &ValidTrainConfig,
) -> Result<(Network<T>, History)> {
    fit_with(network, x, y, config, |_| ControlFlow::Continue(()))
}

/// As [`fit`], calling `on_iteration` after every epoch; returning `ControlFlow::Break(())`
/// stops training there (the updates of that epoch are kept).
///
/// Training stops by itself when it diverges: at the first epoch whose cost is NaN or
/// infinite or more than [`DIVERGENCE_FACTOR`] times the first cost, without calling
/// `on_iteration`. With full batches that is before the iteration's update, so the network
/// returned is the one that had that cost; with mini-batches, after the epoch. [`History::diverged`]
/// says where. This is not an error: the caller decides what a diverged network is good for
/// ([`Divergence::last_finite_updates`]).
///
/// Nothing is allocated inside the loop: the workspace, the optimizer's state, the batches
/// and the history are sized before the first epoch (the history for the first 2²⁰ epochs;
/// it grows by doubling past that).
pub fn fit_with<T: Float>(
    network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    config: &ValidTrainConfig,
    on_iteration: impl FnMut(Progress) -> ControlFlow<()> + Send,
) -> Result<(Network<T>, History)> {
    fit_validated(network, x, y, None, config, on_iteration)
}

/// As [`fit_with`], scoring `validation` after every epoch (cost and, for a classifier,
/// accuracy, in [`History`] and [`Progress`]); with [`TrainConfig::patience`], training stops
/// after that many epochs in a row without a lower validation cost and the network returned
/// has the weights of the best epoch ([`History::best_epoch`]).
pub fn fit_validated<T: Float>(
    network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    validation: Option<ValidationData<'_, T>>,
    config: &ValidTrainConfig,
    mut on_iteration: impl FnMut(Progress) -> ControlFlow<()> + Send,
) -> Result<(Network<T>, History)> {
    run_training(network, x, y, validation, config, true, |progress, _| on_iteration(progress))
}

/// As [`fit_validated`], showing `on_epoch` the network after every epoch as well (to draw
/// it, save it or publish it while training goes on). The network is whole at every call, so
/// the first layer is never carried in the Gram form ([`TrainConfig::gram`] is not used): the
/// numbers are the direct computation's, which the Gram form matches up to rounding.
///
/// `on_epoch` may take its time (wait while a user pauses, say): training resumes where it
/// was, with its optimizer's averages, its mini-batch order and its dropout masks, as if it
/// had never stopped.
pub fn fit_observed<T: Float>(
    network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    validation: Option<ValidationData<'_, T>>,
    config: &ValidTrainConfig,
    on_epoch: impl FnMut(Progress, &Network<T>) -> ControlFlow<()> + Send,
) -> Result<(Network<T>, History)> {
    run_training(network, x, y, validation, config, false, on_epoch)
}

/// The training loop of [`fit_validated`] and [`fit_observed`]; `gram_allowed` false keeps
/// W\[1\] whole.
fn run_training<T: Float>(
    mut network: Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    validation: Option<ValidationData<'_, T>>,
    config: &ValidTrainConfig,
    gram_allowed: bool,
    mut on_epoch: impl FnMut(Progress, &Network<T>) -> ControlFlow<()> + Send,
) -> Result<(Network<T>, History)> {
    network.check_input(x)?;
    network.check_labels(y, x.ncols())?;
    if let Some((x_val, y_val)) = validation {
        network.check_input(x_val)?;
        network.check_labels(y_val, x_val.ncols())?;
    }
    let settings = config.config();
    if let (Some(patience), None) = (settings.patience, validation) {
        return Err(Error::PatienceWithoutValidation { patience });
    }
    let keep_probs = match &settings.dropout {
        Some(dropout) => dropout.keep_probs(network.layers().len() - 1)?,
        None => Vec::new(),
    };
    let m = x.ncols();
    let batch_size = config.batch_size(m);
    // With mini-batches X is read by the batches alone, one example per row: given so (as the
    // transpose of an m × n_x array), it is not copied.
    let epochs = config.iterations();
    let mut batches =
        (batch_size < m).then(|| MiniBatches::new(x, y, batch_size, settings.shuffle_seed, epochs, config.threads()));
    let x = if batches.is_some() { CowArray::from(x) } else { x.as_standard_layout() };
    let y = y.as_standard_layout();
    let (x, y) = (x.view(), y.view());
    let mut ws = Workspace::for_training(&network, batch_size, config.threads(), &keep_probs);
    // The last, smaller mini-batch of an epoch has buffers of its own.
    let last_size = if batch_size < m { m % batch_size } else { 0 };
    let mut ws_last =
        (last_size > 0).then(|| Workspace::for_training(&network, last_size, config.threads(), &keep_probs));
    let mut optimizer = OptimizerState::new(settings.optimizer, &network);
    let mut masks = settings.dropout.as_ref().map(|dropout| NumpyRng::new(dropout.seed));
    let mut scorer = validation.map(|(x_val, y_val)| Scorer::new(&network, x_val, y_val, config.threads()));
    // The history is sized for the whole run up to HISTORY_RESERVED epochs; a longer run (a
    // playground left training, an absurd --iterations) grows it past that, by doubling.
    let reserved = epochs.min(HISTORY_RESERVED);
    let mut history = History { costs: Vec::with_capacity(reserved), ..History::default() };
    if scorer.is_some() {
        history.validation_costs.reserve(reserved);
        history.validation_accuracies.reserve(reserved);
    }
    let use_gram = gram_allowed && config.uses_gram(x.nrows(), m, std::mem::size_of::<T>());
    let mut train = || {
        let gram_step = GramStep {
            momentum: match settings.optimizer {
                Optimizer::Momentum { beta } => Some(beta),
                _ => None,
            },
            l2: settings.l2,
        };
        let mut gram = use_gram.then(|| GramFirstLayer::new(network.layers()[0].w(), x, gram_step, ws.scratch()));
        let mut step = Step { optimizer: &mut optimizer, masks: masks.as_mut(), config };
        for epoch in 0..epochs {
            let learning_rate = config.learning_rate_for(epoch);
            let cost = match batches.as_mut() {
                None => {
                    let (total, l2_cost) = step.forward_and_cost(&network, x, y, &mut ws, gram.as_mut());
                    let cost = total / m as f64 + l2_cost;
                    if history.record_diverged(epoch, cost, config.learning_rate()) {
                        break;
                    }
                    step.backward_and_update(&mut network, x, y, &mut ws, learning_rate, gram.as_mut());
                    cost
                }
                Some(batches) => {
                    batches.shuffle(epoch);
                    let mut total = 0.0;
                    for k in 0..batches.count() {
                        let batch = batches.batch(k);
                        let (x_batch, y_batch) = (batch.x, batch.y);
                        let ws = match ws_last.as_mut() {
                            Some(ws_last) if x_batch.ncols() == last_size => ws_last,
                            _ => &mut ws,
                        };
                        let (batch_total, l2_cost) = step.forward_and_cost(&network, x_batch, y_batch, ws, None);
                        total += batch_total + x_batch.ncols() as f64 * l2_cost;
                        step.backward_and_update(&mut network, batch.x_by_examples, y_batch, ws, learning_rate, None);
                    }
                    let cost = total / m as f64;
                    if history.record_diverged(epoch, cost, config.learning_rate()) {
                        break;
                    }
                    cost
                }
            };
            let mut progress = Progress {
                iteration: epoch,
                cost,
                iterations: epochs,
                learning_rate,
                validation_cost: None,
                validation_accuracy: None,
            };
            let mut no_progress = false;
            if let Some(scorer) = scorer.as_mut() {
                let (cost, accuracy) = scorer.score(&network);
                history.validation_costs.push(cost);
                progress.validation_cost = Some(cost);
                if let Some(accuracy) = accuracy {
                    history.validation_accuracies.push(accuracy);
                    progress.validation_accuracy = Some(accuracy);
                }
                if let Some(patience) = settings.patience {
                    no_progress = scorer.keep_best(&network, epoch, cost) >= patience;
                }
            }
            if on_epoch(progress, &network).is_break() || no_progress {
                history.stopped_early = epoch + 1 < epochs;
                break;
            }
        }
        if let Some(gram) = gram {
            let (mut w1, _) = network.layers_mut().next().expect("a network has layers");
            w1.assign(&gram.weights(x, ws.scratch()));
        }
        if let (Some(scorer), Some(_)) = (scorer.as_ref(), settings.patience) {
            history.best_epoch = scorer.restore_best(&mut network);
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

/// One batch's steps with the settings that stay the same all along: the optimizer's state,
/// dropout's generator and the configuration.
struct Step<'a, T> {
    optimizer: &'a mut OptimizerState<T>,
    masks: Option<&'a mut NumpyRng>,
    config: &'a ValidTrainConfig,
}

impl<T: Float> Step<'_, T> {
    /// The forward sweep over a batch (drawing dropout's masks: with the course's reseeding,
    /// from the seed again), then its summed loss `Σ L` and L2's term `λ/(2m_b)·Σ‖W‖²`.
    fn forward_and_cost(
        &mut self,
        network: &Network<T>,
        x: ArrayView2<T>,
        y: ArrayView2<T>,
        ws: &mut Workspace<T>,
        mut gram: Option<&mut GramFirstLayer<T>>,
    ) -> (f64, f64) {
        if let (Some(rng), Some(dropout)) = (self.masks.as_deref_mut(), &self.config.config().dropout) {
            if dropout.reseed_every_pass {
                rng.seed(dropout.seed);
            }
        }
        network.forward_sweep(x, ws, gram.as_deref_mut(), self.masks.as_deref_mut());
        let total = network.loss_total(ws, y);
        let lambda = self.config.config().l2;
        let l2_cost = if lambda > 0.0 {
            let first = gram.map(|gram| gram.first_layer_squares());
            l2_cost_given_first(network, lambda, x.ncols(), first)
        } else {
            0.0
        };
        (total, l2_cost)
    }

    /// The backward sweep (with L2's gradient), then the optimizer's update at this learning
    /// rate; with the Gram form, W\[1\]'s step goes to it.
    fn backward_and_update(
        &mut self,
        network: &mut Network<T>,
        x: ArrayView2<T>,
        y: ArrayView2<T>,
        ws: &mut Workspace<T>,
        learning_rate: f64,
        gram: Option<&mut GramFirstLayer<T>>,
    ) {
        let direct = gram.is_none();
        network.backward_sweep(x, y, ws, direct);
        let lambda = self.config.config().l2;
        if lambda > 0.0 {
            add_l2_gradient(network, ws.gradients_mut(), lambda, x.ncols(), direct);
        }
        let threads = ws.scratch().threads();
        self.optimizer.update(network, ws.gradients(), learning_rate, direct, threads);
        if let Some(gram) = gram {
            gram.update(ws.first_delta(), T::from_f64(learning_rate));
        }
    }
}
