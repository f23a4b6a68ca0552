//! The one matrix product every layer goes through, so the backend can change in one place.

use ndarray::{ArrayView2, ArrayViewMut2};

use crate::Float;

/// `c = scale · (a · b)`, overwriting `c`; `a` and `b` may be transposed views.
///
/// Uses up to `threads` threads (1 = the calling thread only). The result does not depend on
/// `threads`: the work is split over blocks of `c`, never over the summed dimension, so
/// every element is summed in the same order.
///
/// # Shapes
/// `a`: p × k, `b`: k × q, `c`: p × q.
pub(crate) fn matmul_into<T: Float>(mut c: ArrayViewMut2<T>, scale: T, a: ArrayView2<T>, b: ArrayView2<T>, threads: usize) {
    let (p, k) = a.dim();
    let q = b.ncols();
    assert!(b.nrows() == k && c.dim() == (p, q), "matmul_into: shapes {:?} · {:?} → {:?}", a.dim(), b.dim(), c.dim());
    if p == 0 || q == 0 {
        return;
    }
    if k == 0 {
        c.fill(T::zero());
        return;
    }
    let parallelism = if threads > 1 { gemm::Parallelism::Rayon(threads) } else { gemm::Parallelism::None };
    let (c_rs, c_cs) = (c.strides()[0], c.strides()[1]);
    let (a_rs, a_cs) = (a.strides()[0], a.strides()[1]);
    let (b_rs, b_cs) = (b.strides()[0], b.strides()[1]);
    // SAFETY: the pointers and strides come from live ndarray views whose shapes were checked
    // above to be p × k, k × q and p × q; `c` is borrowed mutably and cannot alias `a` or `b`.
    // `read_dst = false` means c's old values are never read (alpha is then ignored).
    unsafe {
        gemm::gemm(
            p,
            q,
            k,
            c.as_mut_ptr(),
            c_cs,
            c_rs,
            false,
            a.as_ptr(),
            a_cs,
            a_rs,
            b.as_ptr(),
            b_cs,
            b_rs,
            T::zero(),
            scale,
            false,
            false,
            false,
            parallelism,
        );
    }
}
