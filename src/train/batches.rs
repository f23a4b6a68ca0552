//! The course's mini-batches: each epoch a seeded permutation of the m examples, cut into
//! batches of B in that order, the last one smaller.

use ndarray::{Array2, ArrayView2};

use crate::{Float, NumpyRng};

/// The examples in the order of one epoch, and the buffers one batch is gathered into.
///
/// X is kept example by example (m × n_x, each example's features contiguous) so that a
/// batch is gathered by copying whole rows; the batch is then read as n_x × B through a
/// transposed view. Everything is sized once: an epoch allocates nothing.
#[derive(Debug)]
pub(crate) struct MiniBatches<T> {
    /// Xᵀ, m × n_x.
    examples: Array2<T>,
    /// Y, n\[L\] × m.
    labels: Array2<T>,
    /// The epoch's order of the examples.
    order: Vec<usize>,
    /// The batch's examples, B × n_x (fewer rows for the last batch).
    x_batch: Array2<T>,
    /// The batch's labels, n\[L\] × B (fewer columns for the last batch).
    y_batch: Array2<T>,
    size: usize,
    shuffle_seed: u32,
    rng: NumpyRng,
}

impl<T: Float> MiniBatches<T> {
    /// Batches of `size` (< m) over X (n_x × m) and Y (n\[L\] × m).
    pub(crate) fn new(x: ArrayView2<T>, y: ArrayView2<T>, size: usize, shuffle_seed: u32) -> Self {
        let (n_x, m) = x.dim();
        MiniBatches {
            examples: x.t().as_standard_layout().into_owned(),
            labels: y.as_standard_layout().into_owned(),
            order: (0..m).collect(),
            x_batch: Array2::zeros((size, n_x)),
            y_batch: Array2::zeros((y.nrows(), size)),
            size,
            shuffle_seed,
            rng: NumpyRng::new(shuffle_seed),
        }
    }

    /// The number of batches of an epoch, ⌈m / B⌉.
    pub(crate) fn count(&self) -> usize {
        self.order.len().div_ceil(self.size)
    }

    /// Draws epoch `epoch`'s order as the course does: `np.random.seed(shuffle_seed + 1 +
    /// epoch)`, then `np.random.permutation(m)`.
    pub(crate) fn shuffle(&mut self, epoch: usize) {
        // The course's seed is a Python integer; NumPy takes it modulo 2³².
        let seed = (u64::from(self.shuffle_seed) + 1 + epoch as u64) as u32;
        self.rng.seed(seed);
        for (i, o) in self.order.iter_mut().enumerate() {
            *o = i;
        }
        self.rng.shuffle(&mut self.order);
    }

    /// Gathers batch `k` of the epoch's order and returns its X (n_x × m_b) and Y
    /// (n\[L\] × m_b).
    pub(crate) fn batch(&mut self, k: usize) -> (ArrayView2<'_, T>, ArrayView2<'_, T>) {
        let start = k * self.size;
        let indices = &self.order[start..(start + self.size).min(self.order.len())];
        let m_b = indices.len();
        resize_in_place(&mut self.x_batch, (m_b, self.examples.ncols()));
        resize_in_place(&mut self.y_batch, (self.labels.nrows(), m_b));
        for (mut row, &i) in self.x_batch.rows_mut().into_iter().zip(indices) {
            row.assign(&self.examples.row(i));
        }
        for (mut batch_row, labels_row) in self.y_batch.rows_mut().into_iter().zip(self.labels.rows()) {
            for (y, &i) in batch_row.iter_mut().zip(indices) {
                *y = labels_row[i];
            }
        }
        (self.x_batch.t(), self.y_batch.view())
    }
}

/// Gives a buffer another shape with no more values than its memory holds, reusing that
/// memory (no allocation while the values fit in what it was made with).
pub(crate) fn resize_in_place<T: Float>(array: &mut Array2<T>, shape: (usize, usize)) {
    if array.dim() == shape {
        return;
    }
    let (mut values, _) = std::mem::take(array).into_raw_vec_and_offset();
    values.resize(shape.0 * shape.1, T::zero());
    *array = Array2::from_shape_vec(shape, values).expect("as many values as the shape");
}
