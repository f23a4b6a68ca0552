//! Turning a matrix stored by rows into one stored by columns: what loaders do to files that
//! hold one example per row, and mini-batch training to X (n_x × m) so that an example's
//! features lie side by side.
//!
//! The values move in square tiles, so that both sides are read and written a cache line at
//! a time, and a large matrix is cut in two halves, one on the helper thread. Each value is
//! only copied (and converted), so how the work is cut changes nothing.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, Zip};

use crate::Float;

/// The side of a tile.
const TILE: usize = 16;

/// Matrices of at least this many values are transposed on two threads.
const PARALLEL_VALUES: usize = 1 << 16;

/// `convert` of every value of `from`ᵀ: a c × r array in standard layout, `from` being r × c
/// in any layout (a transposed view of an array in standard layout is copied straight).
pub(crate) fn transposed<A: Float, B: Float>(from: ArrayView2<A>, convert: impl Fn(A) -> B + Sync) -> Array2<B> {
    let (rows, cols) = from.dim();
    // Zeroed memory comes from the system untouched: each page is written once, below.
    let mut to = Array2::zeros((cols, rows));
    transpose_into(from, to.view_mut(), convert);
    to
}

/// `to = convert(from)ᵀ`, `from` being r × c and `to` c × r.
pub(crate) fn transpose_into<A: Float, B: Float>(
    from: ArrayView2<A>,
    mut to: ArrayViewMut2<B>,
    convert: impl Fn(A) -> B + Sync,
) {
    let (rows, cols) = from.dim();
    assert_eq!(to.dim(), (cols, rows), "a transpose's shape");
    let to_rows_contiguous = to.strides()[1] == 1 || rows < 2;
    let Some(from) = from.as_slice().filter(|_| to_rows_contiguous && !from.t().is_standard_layout()) else {
        // Already stored by columns (or in no order a tile helps): value by value, in `to`'s order.
        Zip::from(&mut to).and(from.t()).for_each(|to, &from| *to = convert(from));
        return;
    };
    if rows * cols >= PARALLEL_VALUES && cols >= 2 * TILE {
        // `to`'s rows (`from`'s columns) in two halves, a whole number of tiles in the first.
        let mid = (cols / 2).next_multiple_of(TILE);
        let (top, bottom) = to.split_at(Axis(0), mid);
        crate::helper::join(
            || transpose_columns(from, cols, 0, top, &convert),
            || transpose_columns(from, cols, mid, bottom, &convert),
        );
    } else {
        transpose_columns(from, cols, 0, to, &convert);
    }
}

/// `to = convert(from[.., first..first + c'])ᵀ`: columns of `from` (r × `cols`, by rows)
/// into `to` (c' × r, rows contiguous).
fn transpose_columns<A: Copy, B: Copy>(
    from: &[A],
    cols: usize,
    first: usize,
    mut to: ArrayViewMut2<B>,
    convert: &impl Fn(A) -> B,
) {
    let (count, rows) = to.dim();
    for j0 in (0..count).step_by(TILE) {
        for i0 in (0..rows).step_by(TILE) {
            let i1 = (i0 + TILE).min(rows);
            for j in j0..(j0 + TILE).min(count) {
                let mut row = to.row_mut(j);
                let row = row.as_slice_mut().expect("rows contiguous, checked by the caller");
                for (i, value) in (i0..i1).zip(&mut row[i0..i1]) {
                    *value = convert(from[i * cols + first + j]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape around the tile's side and the parallel threshold, from a matrix by rows
    /// and from one by columns: the transpose ndarray gives.
    #[test]
    fn transposed_is_the_transpose() {
        for (rows, cols) in [(1, 1), (3, 17), (16, 16), (17, 33), (64, 784), (300, 250), (5, 20000)] {
            let from = Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f64);
            let expected = from.t().as_standard_layout().into_owned();
            assert_eq!(transposed(from.view(), |v| v), expected, "{rows} × {cols}");
            // The same matrix stored by columns.
            let by_columns = expected.t();
            assert_eq!(by_columns, from);
            assert_eq!(transposed(by_columns, |v| v), expected, "{rows} × {cols} by columns");
            let converted: Array2<f32> = transposed(from.view(), |v| v as f32);
            assert_eq!(converted, expected.mapv(|v| v as f32));
        }
    }
}
