//! Products on several threads: C is cut into blocks of rows or of columns, never along the
//! summed dimension, and the blocks run in parallel on the rayon pool or, for a prediction's
//! matrix-vector products, on the polling helper thread (`crate::helper`). So every element of
//! C is summed in the same order whatever the number of threads.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use super::blocked::{blocked_product, MR};
use super::kernel::Kernel;
use super::scratch::PackBuffers;
use super::small::{small_product, SmallLoops};
use crate::Float;

/// How the two halves of a split product run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Join {
    /// On the rayon pool.
    Pool,
    /// Here and on the polling helper thread.
    Helper,
}

/// An unblocked product on `parts` threads: C split into blocks of rows (in twos) or of
/// columns, whichever C has more of.
#[allow(clippy::too_many_arguments)]
pub(super) fn split_small<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    parts: usize,
    kernel: Kernel,
    loops: SmallLoops,
    join: Join,
) {
    let (p, q) = c.dim();
    if parts < 2 || p.max(q) < 8 {
        // SAFETY: `Kernel::detect` chose a kernel this CPU supports.
        unsafe { small_product(c, scale, a, b, kernel, loops) };
        return;
    }
    let left = parts / 2;
    let (axis, at) = if p >= q {
        (Axis(0), (p * left).div_ceil(parts).next_multiple_of(2).min(p))
    } else {
        (Axis(1), (q * left).div_ceil(parts).next_multiple_of(8).min(q))
    };
    join_halves(
        (c, a, b),
        axis,
        at,
        join,
        |(c, a, b)| split_small(c, scale, a, b, left, kernel, loops, join),
        |(c, a, b)| split_small(c, scale, a, b, parts - left, kernel, loops, join),
    );
}

/// A product's operands: C, A, B.
type Operands<'a, T> = (ArrayViewMut2<'a, T>, ArrayView2<'a, T>, ArrayView2<'a, T>);

/// Cuts C before row `at` (with A's rows) or before column `at` (with B's columns) and runs
/// `first` and `second` on the two parts in parallel.
fn join_halves<'a, T: Float>(
    (c, a, b): Operands<'a, T>,
    axis: Axis,
    at: usize,
    join: Join,
    first: impl FnOnce(Operands<'a, T>) + Send,
    second: impl FnOnce(Operands<'a, T>) + Send,
) {
    let (c_first, c_second) = c.split_at(axis, at);
    let (one, two) = if axis == Axis(0) {
        let (a_first, a_second) = a.split_at(axis, at);
        ((c_first, a_first, b), (c_second, a_second, b))
    } else {
        let (b_first, b_second) = b.split_at(axis, at);
        ((c_first, a, b_first), (c_second, a, b_second))
    };
    fork(join, || first(one), || second(two));
}

/// Runs `first` and `second` in parallel, as `join` says.
pub(super) fn fork(join: Join, first: impl FnOnce() + Send, second: impl FnOnce() + Send) {
    match join {
        Join::Pool => _ = rayon::join(first, second),
        Join::Helper => crate::helper::join(first, second),
    }
}

/// Runs the product on `buffers.len()` blocks of C in parallel, blocks of rows or of columns.
pub(super) fn split<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    buffers: &mut [PackBuffers<T>],
    kernel: Kernel,
    join: Join,
) {
    let parts = buffers.len();
    let (p, q) = c.dim();
    let (row_tiles, col_panels) = (p.div_ceil(MR), q.div_ceil(T::nr(kernel)));
    if parts == 1 || row_tiles.max(col_panels) < 2 {
        blocked_product(c, scale, a, b, &mut buffers[0], kernel);
        return;
    }
    let left = parts / 2;
    let (left_buffers, right_buffers) = buffers.split_at_mut(left);
    // Each thread packs the whole operand the other splits: B when C is cut by rows, A (if it
    // packs A) when by columns. Where B is packed, cut the longer side of C, so that the
    // smaller operand is the one packed twice (dZ·Xᵀ of a mini-batch: 64 × 784 values of B
    // against 256 × 64 of A); else cut the side with more tiles.
    let b_packed = b.strides()[1] != 1 || p.div_ceil(parts) >= 8 * MR;
    let by_rows = if b_packed && col_panels >= parts && row_tiles >= parts { p >= q } else { row_tiles >= col_panels };
    let (axis, at) = if by_rows {
        (Axis(0), ((row_tiles * left).div_ceil(parts) * MR).min(p))
    } else {
        (Axis(1), ((col_panels * left).div_ceil(parts) * T::nr(kernel)).min(q))
    };
    join_halves(
        (c, a, b),
        axis,
        at,
        join,
        |(c, a, b)| split(c, scale, a, b, left_buffers, kernel, join),
        |(c, a, b)| split(c, scale, a, b, right_buffers, kernel, join),
    );
}
