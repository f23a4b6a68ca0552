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

/// `fromᵀ` in standard layout, as [`transpose_copy`] writes it.
pub(crate) fn transposed_copy<T: Float>(from: ArrayView2<T>) -> Array2<T> {
    let (rows, cols) = from.dim();
    let mut to = Array2::zeros((cols, rows));
    transpose_copy(from, to.view_mut());
    to
}

/// `to = fromᵀ`, `from` being r × c and `to` c × r: as [`transpose_into`], in blocks of
/// 8 × 8 (f32) or 4 × 4 (f64) shuffled in vector registers where the CPU has AVX2.
pub(crate) fn transpose_copy<T: Float>(from: ArrayView2<T>, to: ArrayViewMut2<T>) {
    #[cfg(target_arch = "x86_64")]
    if simd::available() {
        return transpose_into_by(from, to, |value| value, simd::transpose_columns::<T>);
    }
    transpose_into(from, to, |value| value);
}

/// `to = convert(from)ᵀ`, `from` being r × c and `to` c × r.
pub(crate) fn transpose_into<A: Float, B: Float>(
    from: ArrayView2<A>,
    to: ArrayViewMut2<B>,
    convert: impl Fn(A) -> B + Sync,
) {
    transpose_into_by(from, to, convert, transpose_columns);
}

/// Columns of `from` into rows of `to` (see [`transpose_columns`]).
type Columns<A, B, F> = fn(&[A], usize, usize, ArrayViewMut2<B>, &F);

/// [`transpose_into`], moving the values with `columns`.
fn transpose_into_by<A: Float, B: Float, F: Fn(A) -> B + Sync>(
    from: ArrayView2<A>,
    mut to: ArrayViewMut2<B>,
    convert: F,
    columns: Columns<A, B, F>,
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
        crate::helper::join(|| columns(from, cols, 0, top, &convert), || columns(from, cols, mid, bottom, &convert));
    } else {
        columns(from, cols, 0, to, &convert);
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

/// The vector transposes: f32 in blocks of 8 × 8, f64 in blocks of 4 × 4, with AVX2.
#[cfg(target_arch = "x86_64")]
pub(crate) mod simd {
    use std::arch::x86_64::*;

    use ndarray::ArrayViewMut2;

    use crate::{DType, Float};

    /// Whether the vector transposes run: where the products' AVX2 (or AVX-512) kernels do,
    /// so that `DNN_KERNEL=portable` runs the plain loops here too.
    pub(crate) fn available() -> bool {
        crate::linalg::Kernel::detect() >= crate::linalg::Kernel::Avx2
    }

    /// The side of [`block`]'s square: 8 values of f32, 4 of f64.
    pub(crate) fn side<T: Float>() -> usize {
        match T::DTYPE {
            DType::F32 => 8,
            DType::F64 => 4,
        }
    }

    /// Copies a [`side`]-square block transposed: row i at `from + i·from_stride` (`side`
    /// contiguous values) becomes column i at `to`, whose rows are `to_stride` apart.
    ///
    /// # Safety
    /// The CPU must have AVX2 ([`available`]); both blocks must be inside their arrays.
    pub(crate) unsafe fn block<T: Float>(from: *const T, from_stride: isize, to: *mut T, to_stride: isize) {
        // SAFETY: as the caller guarantees.
        unsafe {
            match T::DTYPE {
                DType::F32 => block_f32(from.cast(), from_stride, to.cast(), to_stride),
                DType::F64 => block_f64(from.cast(), from_stride, to.cast(), to_stride),
            }
        }
    }

    /// [`super::transpose_columns`] for a plain copy, whole blocks through vector registers.
    /// The CPU must have AVX2 (the caller checks).
    pub(super) fn transpose_columns<T: Float>(
        from: &[T],
        cols: usize,
        first: usize,
        mut to: ArrayViewMut2<T>,
        convert: &impl Fn(T) -> T,
    ) {
        let block = side::<T>();
        let (count, rows) = to.dim();
        let (whole_count, whole_rows) = (count - count % block, rows - rows % block);
        let to_stride = to.strides()[0];
        for j0 in (0..whole_count).step_by(super::TILE) {
            for i0 in (0..whole_rows).step_by(super::TILE) {
                for jb in (j0..(j0 + super::TILE).min(whole_count)).step_by(block) {
                    for ib in (i0..(i0 + super::TILE).min(whole_rows)).step_by(block) {
                        let source = &from[ib * cols + first + jb..];
                        // SAFETY: the block's rows ib..ib + block of `from` hold columns
                        // first + jb.. first + jb + block (whole blocks only); `to`'s rows
                        // jb..jb + block are contiguous from column ib (checked by the
                        // caller), `to_stride` apart; the CPU has AVX2 (checked by the caller).
                        unsafe {
                            let target = to.as_mut_ptr().offset(jb as isize * to_stride + ib as isize);
                            self::block(source.as_ptr(), cols as isize, target, to_stride);
                        }
                    }
                }
            }
        }
        // The ragged edges: the last rows of `to` (columns of `from`) and the last columns.
        if whole_count < count {
            super::transpose_columns(
                from,
                cols,
                first + whole_count,
                to.slice_mut(ndarray::s![whole_count.., ..]),
                convert,
            );
        }
        if whole_rows < rows {
            let edge = to.slice_mut(ndarray::s![..whole_count, whole_rows..]);
            super::transpose_columns(&from[whole_rows * cols..], cols, first, edge, convert);
        }
    }

    /// An 8 × 8 block of f32 (see [`block`]).
    #[target_feature(enable = "avx2")]
    unsafe fn block_f32(from: *const f32, stride: isize, to: *mut f32, to_stride: isize) {
        // SAFETY: the caller guarantees 8 rows of 8 values at each side.
        unsafe {
            let r: [__m256; 8] = std::array::from_fn(|i| _mm256_loadu_ps(from.offset(i as isize * stride)));
            let t0 = _mm256_unpacklo_ps(r[0], r[1]);
            let t1 = _mm256_unpackhi_ps(r[0], r[1]);
            let t2 = _mm256_unpacklo_ps(r[2], r[3]);
            let t3 = _mm256_unpackhi_ps(r[2], r[3]);
            let t4 = _mm256_unpacklo_ps(r[4], r[5]);
            let t5 = _mm256_unpackhi_ps(r[4], r[5]);
            let t6 = _mm256_unpacklo_ps(r[6], r[7]);
            let t7 = _mm256_unpackhi_ps(r[6], r[7]);
            let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
            let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
            let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
            let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
            let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
            let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
            let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
            let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
            let out = [
                _mm256_permute2f128_ps::<0x20>(u0, u4),
                _mm256_permute2f128_ps::<0x20>(u1, u5),
                _mm256_permute2f128_ps::<0x20>(u2, u6),
                _mm256_permute2f128_ps::<0x20>(u3, u7),
                _mm256_permute2f128_ps::<0x31>(u0, u4),
                _mm256_permute2f128_ps::<0x31>(u1, u5),
                _mm256_permute2f128_ps::<0x31>(u2, u6),
                _mm256_permute2f128_ps::<0x31>(u3, u7),
            ];
            for (i, row) in out.into_iter().enumerate() {
                _mm256_storeu_ps(to.offset(i as isize * to_stride), row);
            }
        }
    }

    /// A 4 × 4 block of f64 (see [`block`]).
    #[target_feature(enable = "avx2")]
    unsafe fn block_f64(from: *const f64, stride: isize, to: *mut f64, to_stride: isize) {
        // SAFETY: the caller guarantees 4 rows of 4 values at each side.
        unsafe {
            let r: [__m256d; 4] = std::array::from_fn(|i| _mm256_loadu_pd(from.offset(i as isize * stride)));
            let t0 = _mm256_unpacklo_pd(r[0], r[1]);
            let t1 = _mm256_unpackhi_pd(r[0], r[1]);
            let t2 = _mm256_unpacklo_pd(r[2], r[3]);
            let t3 = _mm256_unpackhi_pd(r[2], r[3]);
            let out = [
                _mm256_permute2f128_pd::<0x20>(t0, t2),
                _mm256_permute2f128_pd::<0x20>(t1, t3),
                _mm256_permute2f128_pd::<0x31>(t0, t2),
                _mm256_permute2f128_pd::<0x31>(t1, t3),
            ];
            for (i, row) in out.into_iter().enumerate() {
                _mm256_storeu_pd(to.offset(i as isize * to_stride), row);
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
        for (rows, cols) in [(1, 1), (3, 17), (8, 8), (16, 16), (17, 33), (20, 13), (64, 784), (300, 250), (5, 20000)] {
            let from = Array2::from_shape_fn((rows, cols), |(i, j)| (i * cols + j) as f64);
            let expected = from.t().as_standard_layout().into_owned();
            assert_eq!(transposed(from.view(), |v| v), expected, "{rows} × {cols}");
            // The same matrix stored by columns.
            let by_columns = expected.t();
            assert_eq!(by_columns, from);
            assert_eq!(transposed(by_columns, |v| v), expected, "{rows} × {cols} by columns");
            let converted: Array2<f32> = transposed(from.view(), |v| v as f32);
            assert_eq!(converted, expected.mapv(|v| v as f32));
            // The vector copies, f64 and f32, into a whole array and into a block of columns.
            let mut copied = Array2::zeros((cols, rows + 3));
            transpose_copy(from.view(), copied.slice_mut(ndarray::s![.., 1..rows + 1]));
            assert_eq!(copied.slice(ndarray::s![.., 1..rows + 1]), expected);
            assert!(copied.column(0).iter().chain(copied.slice(ndarray::s![.., rows + 1..])).all(|&v| v == 0.0));
            let from = from.mapv(|v| v as f32);
            assert_eq!(transposed_copy(from.view()), expected.mapv(|v| v as f32));
        }
    }
}
