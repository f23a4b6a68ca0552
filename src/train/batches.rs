//! The course's mini-batches: each epoch a seeded permutation of the m examples, cut into
//! batches of B in that order, the last one smaller.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, CowArray, Ix2};

use super::orders::{draw_order, OrdersAhead};
use crate::{Float, NumpyRng};

/// The examples in the order of one epoch, and the buffers a batch is gathered into.
///
/// X is kept example by example (m × n_x, each example's features contiguous: borrowed when X
/// is the transposed view of such an array, else copied once) so that a batch is gathered by
/// copying whole rows. Both layouts of the batch are kept: the rows as gathered (Xᵀ, which
/// dW\[1\] = (1/m)·dZ\[1\]·Xᵀ reads in place) and their transpose, the course's n_x × B (one
/// column per example, rows contiguous, which W\[1\]·X reads fastest). On two or more threads
/// the batch's two halves are gathered side by side; on any number, the next batch's examples
/// start coming from memory while the current one trains, and the next epochs' orders are
/// drawn ahead on a thread of their own (`orders`). The full batches and the smaller last one
/// have buffers of their own. Everything is sized once: an epoch allocates nothing.
#[derive(Debug)]
pub(crate) struct MiniBatches<'a, T> {
    /// Xᵀ, m × n_x, in standard layout.
    examples: CowArray<'a, T, Ix2>,
    /// Y, n\[L\] × m.
    labels: Array2<T>,
    /// The epoch's order of the examples.
    order: Vec<usize>,
    /// The buffers of a full batch.
    full: BatchBuffers<T>,
    /// The buffers of the last batch, when it is smaller (m not a multiple of B).
    last: Option<BatchBuffers<T>>,
    size: usize,
    shuffle_seed: u32,
    rng: NumpyRng,
    /// Whether a batch is gathered in two halves, one on the helper thread.
    halves: bool,
    /// The orders of the epochs, drawn ahead on two or more threads.
    ahead: Option<OrdersAhead>,
}

/// One batch's examples and labels.
#[derive(Debug)]
struct BatchBuffers<T> {
    /// The examples one per row, m_b × n_x.
    gathered: Array2<T>,
    /// The same, one per column: n_x × m_b.
    x: Array2<T>,
    /// The labels, n\[L\] × m_b.
    y: Array2<T>,
}

impl<T: Float> BatchBuffers<T> {
    fn new(n_x: usize, outputs: usize, m_b: usize) -> Self {
        BatchBuffers {
            gathered: Array2::zeros((m_b, n_x)),
            x: Array2::zeros((n_x, m_b)),
            y: Array2::zeros((outputs, m_b)),
        }
    }
}

impl<'a, T: Float> MiniBatches<'a, T> {
    /// Batches of `size` (< m) over X (n_x × m) and Y (n\[L\] × m) for `epochs` epochs,
    /// gathered on `threads` threads (two at most); on two or more, the orders of a run of
    /// several epochs are drawn ahead.
    pub(crate) fn new(
        x: ArrayView2<'a, T>,
        y: ArrayView2<T>,
        size: usize,
        shuffle_seed: u32,
        epochs: usize,
        threads: usize,
    ) -> Self {
        let (n_x, m) = x.dim();
        MiniBatches {
            examples: if x.t().is_standard_layout() {
                CowArray::from(x.reversed_axes())
            } else {
                CowArray::from(crate::transpose::transposed_copy(x))
            },
            labels: y.as_standard_layout().into_owned(),
            order: (0..m).collect(),
            full: BatchBuffers::new(n_x, y.nrows(), size),
            last: (m % size != 0).then(|| BatchBuffers::new(n_x, y.nrows(), m % size)),
            size,
            shuffle_seed,
            rng: NumpyRng::new(shuffle_seed),
            halves: threads > 1,
            ahead: (threads > 1 && epochs > 1).then(|| OrdersAhead::start(m, shuffle_seed, epochs)).flatten(),
        }
    }

    /// The number of batches of an epoch, ⌈m / B⌉.
    pub(crate) fn count(&self) -> usize {
        self.order.len().div_ceil(self.size)
    }

    /// Draws epoch `epoch`'s order as the course does: `np.random.seed(shuffle_seed + 1 +
    /// epoch)`, then `np.random.permutation(m)`.
    ///
    /// With the orders drawn ahead, the epochs' orders are taken in turn from 0; an epoch
    /// asked out of turn is drawn here.
    pub(crate) fn shuffle(&mut self, epoch: usize) {
        if let Some(ahead) = self.ahead.as_mut() {
            if ahead.take(epoch, &mut self.order) {
                return;
            }
        }
        let m = self.order.len();
        draw_order(&mut self.rng, self.shuffle_seed, epoch, m, &mut self.order);
    }

    /// Gathers batch `k` of the epoch's order.
    pub(crate) fn batch(&mut self, k: usize) -> Batch<'_, T> {
        let m = self.order.len();
        let start = k * self.size;
        let indices = &self.order[start..(start + self.size).min(m)];
        let buffers = match &mut self.last {
            Some(last) if indices.len() < self.size => last,
            _ => &mut self.full,
        };
        let n_x = self.examples.ncols();
        let examples = self.examples.as_slice().expect("a buffer in standard layout");
        if n_x <= FEW_FEATURES {
            // A few features: straight into the batch's columns (a copy per example would cost
            // more than its values).
            let x = buffers.x.as_slice_mut().expect("a buffer in standard layout");
            for (j, &i) in indices.iter().enumerate() {
                for (r, &value) in examples[i * n_x..(i + 1) * n_x].iter().enumerate() {
                    x[r * indices.len() + j] = value;
                }
            }
        } else {
            let (gathered, x) = (buffers.gathered.view_mut(), buffers.x.view_mut());
            let half = indices.len() / 2;
            if self.halves && half >= HALF_BATCH {
                let (gathered_1, gathered_2) = gathered.split_at(Axis(0), half);
                let (x_1, x_2) = x.split_at(Axis(1), half);
                let (indices_1, indices_2) = indices.split_at(half);
                crate::helper::join(
                    || gather(examples, indices_1, gathered_1, x_1),
                    || gather(examples, indices_2, gathered_2, x_2),
                );
            } else {
                gather(examples, indices, gathered, x);
            }
            if let Some(next) = self.order.get(start + self.size..) {
                for &i in &next[..self.size.min(next.len())] {
                    prefetch(&examples[i * n_x..][..n_x.min(PREFETCHED_BYTES / std::mem::size_of::<T>())]);
                }
            }
        }
        let labels = self.labels.as_slice().expect("a buffer in standard layout");
        let y = buffers.y.as_slice_mut().expect("a buffer in standard layout");
        for (batch_row, labels_row) in y.chunks_exact_mut(indices.len()).zip(labels.chunks_exact(m)) {
            for (y, &i) in batch_row.iter_mut().zip(indices) {
                *y = labels_row[i];
            }
        }
        let x_by_examples = if n_x <= FEW_FEATURES { buffers.x.view() } else { buffers.gathered.t() };
        Batch { x: buffers.x.view(), x_by_examples, y: buffers.y.view() }
    }
}

/// A gathered mini-batch.
pub(crate) struct Batch<'a, T> {
    /// X, n_x × m_b, stored by rows (what W\[1\]·X reads fastest).
    pub(crate) x: ArrayView2<'a, T>,
    /// The same X, stored one example per row where the batch was gathered so (what
    /// dW\[1\] = (1/m)·dZ\[1\]·Xᵀ reads fastest, Xᵀ then being in standard layout).
    pub(crate) x_by_examples: ArrayView2<'a, T>,
    /// Y, n\[L\] × m_b.
    pub(crate) y: ArrayView2<'a, T>,
}

/// Examples with at most this many features are gathered straight into the batch.
const FEW_FEATURES: usize = 8;

/// The bytes at the start of each of the next batch's examples asked for ahead: enough to
/// start every example's fetch from memory, after which the CPU's own prefetcher follows
/// the rows (asking for whole rows of many features costs more time than it saves).
const PREFETCHED_BYTES: usize = 256;

/// How many examples ahead of its copy the gather asks for the rest of an example.
const ROWS_AHEAD: usize = 4;

/// The fewest examples in a half batch gathered on a thread of its own.
const HALF_BATCH: usize = 16;

/// Copies the examples `indices` (rows of `examples`, m × n_x) into `gathered` (one per row)
/// and from there into `x` (one per column).
fn gather<T: Float>(examples: &[T], indices: &[usize], mut gathered: ArrayViewMut2<T>, x: ArrayViewMut2<T>) {
    let n_x = gathered.ncols();
    let rows = gathered.as_slice_mut().expect("a buffer's rows, in standard layout");
    let example = |i: usize| &examples[i * n_x..(i + 1) * n_x];
    // The start of each example was asked for a batch ahead; the rest of the examples a few
    // rows ahead of the copy (the CPU's own prefetcher picks up a row only after its first
    // misses).
    let rest = PREFETCHED_BYTES / std::mem::size_of::<T>();
    for &i in indices.iter().take(ROWS_AHEAD) {
        prefetch(example(i).get(rest..).unwrap_or_default());
    }
    for (j, (row, &i)) in rows.chunks_exact_mut(n_x).zip(indices).enumerate() {
        if let Some(&ahead) = indices.get(j + ROWS_AHEAD) {
            prefetch(example(ahead).get(rest..).unwrap_or_default());
        }
        row.copy_from_slice(example(i));
    }
    crate::transpose::transpose_copy(gathered.view(), x);
}

/// Asks for `values` to be brought towards the cache, without waiting for them.
fn prefetch<T>(values: &[T]) {
    #[cfg(target_arch = "x86_64")]
    for line in values.chunks(64 / std::mem::size_of::<T>().max(1)) {
        // SAFETY: a prefetch is a hint: it reads nothing the program sees and cannot fault.
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(line.as_ptr().cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The course's `random_mini_batches` test (../shared/reference/course2/RESULTS.md §5.4,
    /// unit checks): `np.random.seed(1)`, Y = randn(1, 148) < 0.5, X\[i, j\] = j·12288 + i,
    /// mini-batches of 64 with seed 0: shapes 64, 64, 20; the first batch's first row starts
    /// [294912, 86016, 454656], the last batch's last row [1425407, 1769471, 897023].
    #[test]
    fn the_course_random_mini_batches_test() {
        let (n_x, m) = (12288, 148);
        let x = Array2::from_shape_fn((n_x, m), |(i, j)| (j * n_x + i) as f64);
        let y = NumpyRng::new(1).randn_matrix(1, m).mapv(|v| if v < 0.5 { 1.0 } else { 0.0 });
        // Epoch 0 shuffles with seed S + 1: S = 2³² − 1 wraps round to the course's seed 0.
        let mut batches = MiniBatches::new(x.view(), y.view(), 64, u32::MAX, 1, 1);
        batches.shuffle(0);
        assert_eq!(batches.count(), 3);
        let sizes: Vec<usize> = (0..3).map(|k| batches.batch(k).x.ncols()).collect();
        assert_eq!(sizes, [64, 64, 20]);
        let first = batches.batch(0).x;
        assert_eq!(first.row(0).iter().take(3).copied().collect::<Vec<_>>(), [294912.0, 86016.0, 454656.0]);
        let Batch { x: last, x_by_examples, y: labels } = batches.batch(2);
        assert_eq!(x_by_examples, last);
        assert_eq!(last.row(n_x - 1).iter().take(3).copied().collect::<Vec<_>>(), [1425407.0, 1769471.0, 897023.0]);
        // Each label travels with its example: example j has X[0, j] = 12288·j.
        for (column, &label) in last.columns().into_iter().zip(labels.row(0)) {
            let j = (column[0] / n_x as f64) as usize;
            assert_eq!(label, y[(0, j)]);
        }
    }

    /// Gathered in two halves, on the helper thread and this one, from X stored one example
    /// per row, a batch has the values it has gathered on one thread from X stored by
    /// columns; the last, smaller batch too.
    #[test]
    fn a_batch_gathered_in_halves_is_the_batch_of_one_thread() {
        let (n_x, m) = (20, 300);
        let x = Array2::from_shape_fn((n_x, m), |(i, j)| (j * n_x + i) as f32);
        let y = Array2::from_shape_fn((1, m), |(_, j)| (j % 3) as f32);
        let mut one = MiniBatches::new(x.view(), y.view(), 64, 7, 2, 1);
        // X stored one example per row: borrowed as it is.
        let x_by_examples = x.t().as_standard_layout().into_owned();
        let mut two = MiniBatches::new(x_by_examples.t(), y.view(), 64, 7, 2, 2);
        assert!(!one.halves && two.halves);
        assert!(!one.examples.is_view() && two.examples.is_view());
        for epoch in 0..2 {
            one.shuffle(epoch);
            two.shuffle(epoch);
            for k in 0..one.count() {
                let batch = one.batch(k);
                let (x_one, y_one) = (batch.x.to_owned(), batch.y.to_owned());
                let halves = two.batch(k);
                assert_eq!(halves.x.dim(), (n_x, if k == 4 { 44 } else { 64 }));
                assert_eq!(halves.x, x_one);
                assert_eq!(halves.x_by_examples, x_one);
                assert_eq!(halves.y, y_one);
            }
        }
    }
}
