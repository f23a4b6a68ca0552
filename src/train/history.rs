//! What training records: the costs, the validation curve, divergence and early stopping.

use serde::{Deserialize, Serialize};

use crate::number::written;

/// Training diverges when its cost is NaN or infinite, or grows past this many times its
/// first cost. Gradient descent with a small enough step never raises the cost; a rise to a
/// hundred times the start is far past any wobble of a step that is merely large.
pub const DIVERGENCE_FACTOR: f64 = 100.0;

/// What training recorded: the cost J of each epoch, the validation cost after it, and why
/// training stopped before the last epoch, if it did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// `costs[i]` is the cost of epoch i. With full batches it is the cost after i updates,
    /// computed from iteration i's forward pass (the course's "Cost after iteration i"). With
    /// mini-batches it is the course's epoch cost: the sum over the epoch's batches of their
    /// summed losses, each computed before that batch's update, divided by m. With L2 each
    /// batch's cost includes its `λ/(2m_b)·Σ‖W‖²`.
    pub costs: Vec<f64>,
    /// With validation data, `validation_costs[i]` is its cost (without L2's term) after
    /// epoch i's updates; empty otherwise.
    #[serde(default)]
    pub validation_costs: Vec<f64>,
    /// With validation data and a classifier, the validation accuracy after each epoch.
    #[serde(default)]
    pub validation_accuracies: Vec<f64>,
    /// With early stopping, the epoch with the lowest validation cost, whose weights the
    /// network returned has.
    #[serde(default)]
    pub best_epoch: Option<usize>,
    /// Whether training stopped before the last epoch: the callback asked, or early stopping
    /// found no progress for `patience` epochs.
    pub stopped_early: bool,
    /// Set when training diverged (see [`Divergence`]): it stopped at that iteration, and
    /// the network returned is the one whose cost diverged (the last of `costs`).
    #[serde(default)]
    pub diverged: Option<Divergence>,
}

impl History {
    /// Records the cost of epoch `epoch` and whether training diverged there (see
    /// [`Divergence::check`]); returns `true` when it did.
    pub(crate) fn record_diverged(&mut self, epoch: usize, cost: f64, learning_rate: f64) -> bool {
        self.costs.push(cost);
        self.diverged = Divergence::check(epoch, cost, self.costs[0], learning_rate);
        self.diverged.is_some()
    }

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
                 over {DIVERGENCE_FACTOR} times its first value, with learning rate {}",
                short(first_cost),
                short(cost),
                written(learning_rate)
            )?;
        } else {
            write!(
                f,
                "training diverged at iteration {iteration}: the cost became {cost} with learning rate {}",
                written(learning_rate)
            )?;
        }
        write!(f, "; try a smaller learning rate, such as {}", written(self.suggested_learning_rate()))
    }
}

/// Where training is, passed to the callback of [`fit_with`](crate::fit_with) after each
/// epoch (with full batches, each iteration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The epoch just done, from 0.
    pub iteration: usize,
    /// Its cost (see [`History::costs`]).
    pub cost: f64,
    /// The total number of epochs asked for.
    pub iterations: usize,
    /// The learning rate the epoch used.
    pub learning_rate: f64,
    /// The validation cost after the epoch, with validation data.
    pub validation_cost: Option<f64>,
    /// The validation accuracy after the epoch, with validation data and a classifier.
    pub validation_accuracy: Option<f64>,
}
