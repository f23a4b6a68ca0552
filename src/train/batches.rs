//! The course's mini-batches: each epoch a seeded permutation of the m examples, cut into
//! batches of B in that order, the last one smaller.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis};

use crate::{Float, NumpyRng};

/// The examples in the order of one epoch, and the buffers a batch is gathered into.
///
/// X is kept example by example (m × n_x, each example's features contiguous) so that a
/// batch is gathered by copying whole rows, then turned into the course's n_x × B layout
/// (one column per example, rows contiguous, which the products read fastest). On two or more
/// threads the batch's two halves are gathered side by side; on any number, the next batch's
/// rows are fetched towards the cache while the current one trains. The full batches and the smaller
/// last one have buffers of their own. Everything is sized once: an epoch allocates nothing.
#[derive(Debug)]
pub(crate) struct MiniBatches<T> {
    /// Xᵀ, m × n_x.
    examples: Array2<T>,
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

impl<T: Float> MiniBatches<T> {
    /// Batches of `size` (< m) over X (n_x × m) and Y (n\[L\] × m), gathered on `threads`
    /// threads (two at most).
    pub(crate) fn new(x: ArrayView2<T>, y: ArrayView2<T>, size: usize, shuffle_seed: u32, threads: usize) -> Self {
        let (n_x, m) = x.dim();
        MiniBatches {
            examples: x.t().as_standard_layout().into_owned(),
            labels: y.as_standard_layout().into_owned(),
            order: (0..m).collect(),
            full: BatchBuffers::new(n_x, y.nrows(), size),
            last: (m % size != 0).then(|| BatchBuffers::new(n_x, y.nrows(), m % size)),
            size,
            shuffle_seed,
            rng: NumpyRng::new(shuffle_seed),
            halves: threads > 1,
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
                    prefetch(&examples[i * n_x..(i + 1) * n_x]);
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
        (buffers.x.view(), buffers.y.view())
    }
}

/// Examples with at most this many features are gathered straight into the batch.
const FEW_FEATURES: usize = 8;

/// The fewest examples in a half batch gathered on a thread of its own.
const HALF_BATCH: usize = 16;

/// Copies the examples `indices` (rows of `examples`, m × n_x) into `gathered` (one per row)
/// and from there into `x` (one per column).
fn gather<T: Float>(examples: &[T], indices: &[usize], mut gathered: ArrayViewMut2<T>, x: ArrayViewMut2<T>) {
    let n_x = gathered.ncols();
    let rows = gathered.as_slice_mut().expect("a buffer's rows, in standard layout");
    for (row, &i) in rows.chunks_exact_mut(n_x).zip(indices) {
        row.copy_from_slice(&examples[i * n_x..(i + 1) * n_x]);
    }
    transpose_into(gathered.view(), x);
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

/// `to = fromᵀ`, in tiles of 16 × 16 so that both sides are read and written a cache line
/// at a time.
///
/// # Shapes
/// `from`: r × c in standard layout; `to`: c × r with contiguous rows.
fn transpose_into<T: Float>(from: ArrayView2<T>, mut to: ArrayViewMut2<T>) {
    const TILE: usize = 16;
    let (rows, cols) = from.dim();
    let from = from.as_slice().expect("a buffer in standard layout");
    for j0 in (0..cols).step_by(TILE) {
        for i0 in (0..rows).step_by(TILE) {
            for j in j0..(j0 + TILE).min(cols) {
                let mut row = to.row_mut(j);
                let row = row.as_slice_mut().expect("a row of a buffer in standard layout");
                for i in i0..(i0 + TILE).min(rows) {
                    row[i] = from[i * cols + j];
                }
            }
        }
    }
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
        let mut batches = MiniBatches::new(x.view(), y.view(), 64, u32::MAX, 1);
        batches.shuffle(0);
        assert_eq!(batches.count(), 3);
        let sizes: Vec<usize> = (0..3).map(|k| batches.batch(k).0.ncols()).collect();
        assert_eq!(sizes, [64, 64, 20]);
        let (first, _) = batches.batch(0);
        assert_eq!(first.row(0).iter().take(3).copied().collect::<Vec<_>>(), [294912.0, 86016.0, 454656.0]);
        let (last, labels) = batches.batch(2);
        assert_eq!(last.row(n_x - 1).iter().take(3).copied().collect::<Vec<_>>(), [1425407.0, 1769471.0, 897023.0]);
        // Each label travels with its example: example j has X[0, j] = 12288·j.
        for (column, &label) in last.columns().into_iter().zip(labels.row(0)) {
            let j = (column[0] / n_x as f64) as usize;
            assert_eq!(label, y[(0, j)]);
        }
    }

    /// Gathered in two halves, on the helper thread and this one, a batch has the values it
    /// has gathered on one thread; the last, smaller batch too.
    #[test]
    fn a_batch_gathered_in_halves_is_the_batch_of_one_thread() {
        let (n_x, m) = (20, 300);
        let x = Array2::from_shape_fn((n_x, m), |(i, j)| (j * n_x + i) as f32);
        let y = Array2::from_shape_fn((1, m), |(_, j)| (j % 3) as f32);
        let mut one = MiniBatches::new(x.view(), y.view(), 64, 7, 1);
        let mut two = MiniBatches::new(x.view(), y.view(), 64, 7, 2);
        assert!(!one.halves && two.halves);
        for epoch in 0..2 {
            one.shuffle(epoch);
            two.shuffle(epoch);
            for k in 0..one.count() {
                let (x_one, y_one) = one.batch(k);
                let (x_one, y_one) = (x_one.to_owned(), y_one.to_owned());
                let (x_two, y_two) = two.batch(k);
                assert_eq!(x_two.dim(), (n_x, if k == 4 { 44 } else { 64 }));
                assert_eq!(x_two, x_one);
                assert_eq!(y_two, y_one);
            }
        }
    }
}
