//! Scoring validation data after each epoch, and early stopping's memory of the best epoch.

use ndarray::ArrayView2;

use crate::network::Workspace;
use crate::{Float, Loss, Network};

/// The validation data with its own workspace, and the best network so far; all sized once.
pub(crate) struct Scorer<'a, T> {
    x: ArrayView2<'a, T>,
    y: ArrayView2<'a, T>,
    ws: Workspace<T>,
    /// The weights of the epoch with the lowest validation cost.
    best: Network<T>,
    best_cost: f64,
    best_epoch: Option<usize>,
    /// Epochs since the best one.
    since_best: usize,
}

impl<'a, T: Float> Scorer<'a, T> {
    /// A scorer of `network`'s shape for X (n_x × m_v) and Y (n\[L\] × m_v).
    pub(crate) fn new(network: &Network<T>, x: ArrayView2<'a, T>, y: ArrayView2<'a, T>, threads: usize) -> Self {
        Scorer {
            x,
            y,
            ws: Workspace::with_threads(network, x.ncols(), threads),
            best: network.clone(),
            best_cost: f64::INFINITY,
            best_epoch: None,
            since_best: 0,
        }
    }

    /// The validation cost of `network` (its loss, without regularisation) and, for a
    /// classifier, its accuracy: the share of examples whose predicted class (`ŷ > 0.5` for
    /// one sigmoid output, the largest output otherwise) is the label's.
    pub(crate) fn score(&mut self, network: &Network<T>) -> (f64, Option<f64>) {
        network.forward(self.x, &mut self.ws);
        let cost = network.cost(&self.ws, self.y);
        let accuracy = match network.loss() {
            Loss::MeanSquaredError => None,
            _ => Some(accuracy(self.ws.output(), self.y)),
        };
        (cost, accuracy)
    }

    /// Keeps `network` when `cost` is the lowest so far; returns the number of epochs since
    /// the best one (0 when this is it).
    pub(crate) fn keep_best(&mut self, network: &Network<T>, epoch: usize, cost: f64) -> usize {
        if cost < self.best_cost {
            self.best_cost = cost;
            self.best_epoch = Some(epoch);
            self.since_best = 0;
            for ((mut w, mut b), layer) in self.best.layers_mut().zip(network.layers()) {
                w.assign(layer.w());
                b.assign(layer.b());
            }
        } else {
            self.since_best += 1;
        }
        self.since_best
    }

    /// Gives `network` the best epoch's weights; returns that epoch.
    pub(crate) fn restore_best(&self, network: &mut Network<T>) -> Option<usize> {
        let best_epoch = self.best_epoch?;
        for ((mut w, mut b), layer) in network.layers_mut().zip(self.best.layers()) {
            w.assign(layer.w());
            b.assign(layer.b());
        }
        Some(best_epoch)
    }
}

/// The share of columns whose predicted class matches the label's.
///
/// # Shapes
/// `a`, `y`: n\[L\] × m.
fn accuracy<T: Float>(a: ArrayView2<T>, y: ArrayView2<T>) -> f64 {
    let m = a.ncols();
    let half = T::from_f64(0.5);
    let correct = if a.nrows() == 1 {
        a.iter().zip(y.iter()).filter(|&(&a, &y)| (a > half) == (y > half)).count()
    } else {
        let argmax = |column: ArrayView2<T>, j: usize| {
            (0..column.nrows()).fold(0, |best, k| if column[[k, j]] > column[[best, j]] { k } else { best })
        };
        (0..m).filter(|&j| argmax(a, j) == argmax(y, j)).count()
    };
    correct as f64 / m as f64
}
