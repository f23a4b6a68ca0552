//! Products too small for blocking to pay, and matrix-vector products: plain loops over C's
//! rows (row updates), over dot products along k, or over any strides, chosen once per product.

use ndarray::{ArrayView2, ArrayViewMut2};

use super::dots::dots;
use super::kernel::Kernel;
use crate::vmath::madd;
use crate::Float;

/// How an unblocked product is looped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SmallLoops {
    /// Each row of C accumulates rows of B scaled by A's values (vectorises over columns).
    RowUpdates,
    /// Each element of C is a dot product of a row of A and a column of B, both contiguous.
    Dots,
    /// A plain triple loop, for strides that suit neither.
    Strided,
}

impl SmallLoops {
    /// The loops for a whole product. They are chosen once, before C is split between
    /// threads, so that every element of C is summed the same way however C is split.
    pub(super) fn for_product<T>(c: &ArrayViewMut2<T>, a: &ArrayView2<T>, b: &ArrayView2<T>) -> SmallLoops {
        let rows_contiguous = |strides: &[isize], cols: usize| cols <= 1 || strides[1] == 1;
        let rows_of_b_and_c = rows_contiguous(b.strides(), b.ncols()) && rows_contiguous(c.strides(), c.ncols());
        let along_k = a.ncols() == 1 || (a.strides()[1] == 1 && b.strides()[0] == 1);
        // Row updates vectorise over C's columns; with fewer than 8 of them, dot products
        // along k vectorise better.
        if rows_of_b_and_c && (b.ncols() >= 8 || !along_k) {
            SmallLoops::RowUpdates
        } else if along_k {
            SmallLoops::Dots
        } else {
            SmallLoops::Strided
        }
    }
}

/// A product too small for blocking to pay, in the given loops, compiled with FMA where the
/// CPU has it.
///
/// # Safety
/// `kernel` must be supported by the running CPU.
pub(super) unsafe fn small_product<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    kernel: Kernel,
    loops: SmallLoops,
) {
    match kernel {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller guarantees the CPU has AVX2 and FMA (AVX-512 is detected only
        // beside them). (CPUs with AVX-512 run these loops with AVX2 too: the sums are short.)
        Kernel::Avx2 | Kernel::Avx512 => unsafe { small_product_avx2(c, scale, a, b, loops) },

        Kernel::Portable => small_loops::<T, false>(c, scale, a, b, loops),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn small_product_avx2<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    loops: SmallLoops,
) {
    small_loops::<T, true>(c, scale, a, b, loops)
}

/// A core's L2 cache (512 KB on current x86 server cores).
const L2_BYTES: usize = 512 << 10;

/// Whether this thread's next sweep over a large A goes backward: every other one.
fn next_sweep_backward() -> bool {
    thread_local! {
        static BACKWARD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    BACKWARD.with(|backward| backward.replace(!backward.get()))
}

#[inline(always)]
fn small_loops<T: Float, const FMA: bool>(
    mut c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    loops: SmallLoops,
) {
    match loops {
        SmallLoops::RowUpdates => {
            for (a_row, mut c_row) in a.rows().into_iter().zip(c.rows_mut()) {
                let c_row = c_row.as_slice_mut().expect("rows of C are contiguous");
                c_row.fill(T::zero());
                for (kk, &a_ik) in a_row.iter().enumerate() {
                    let b_row = b.row(kk);
                    let b_row = b_row.as_slice().expect("rows of B are contiguous");
                    for (c, &b) in c_row.iter_mut().zip(b_row) {
                        *c = madd::<T, FMA>(a_ik, b, *c);
                    }
                }
                c_row.iter_mut().for_each(|c| *c *= scale);
            }
        }
        SmallLoops::Dots => {
            // Six rows of A at a time, so that each value of B is loaded once for six (12 of
            // the 16 vector registers hold their sums in f64), then the rows left.
            let row = |i: usize| a.row(i).to_slice().expect("contiguous along k");
            let p = a.nrows();
            // An A larger than half a core's L2 cache is swept alternately first group to
            // last and last to first, so that the rows the previous sweep read last, still
            // in the cache, come first. (Rows are summed alone: the order changes no bits.)
            let backward = a.len() * std::mem::size_of::<T>() > L2_BYTES / 2 && next_sweep_backward();
            for (j, b_col) in b.columns().into_iter().enumerate() {
                let b_col = b_col.to_slice().expect("contiguous along k");
                for group in 0..p.div_ceil(6) {
                    let i = 6 * if backward { p.div_ceil(6) - 1 - group } else { group };
                    let r = |offset: usize| row(i + offset);
                    let sums: &[T] = match p - i {
                        1 => &dots::<T, FMA, 1>([r(0)], b_col),
                        2 => &dots::<T, FMA, 2>([r(0), r(1)], b_col),
                        3 => &dots::<T, FMA, 3>([r(0), r(1), r(2)], b_col),
                        4 => &dots::<T, FMA, 4>([r(0), r(1), r(2), r(3)], b_col),
                        5 => &dots::<T, FMA, 5>([r(0), r(1), r(2), r(3), r(4)], b_col),
                        _ => &dots::<T, FMA, 6>([r(0), r(1), r(2), r(3), r(4), r(5)], b_col),
                    };
                    for (offset, &sum) in sums.iter().enumerate() {
                        c[(i + offset, j)] = scale * sum;
                    }
                }
            }
        }
        SmallLoops::Strided => {
            for i in 0..a.nrows() {
                for j in 0..b.ncols() {
                    let mut acc = T::zero();
                    for kk in 0..a.ncols() {
                        acc = madd::<T, FMA>(a[(i, kk)], b[(kk, j)], acc);
                    }
                    c[(i, j)] = scale * acc;
                }
            }
        }
    }
}
