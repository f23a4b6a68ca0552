//! A right-hand operand packed once and multiplied many times: [`PackedB`] holds B as the
//! micro-kernel's NR-wide panels, each running the whole depth k, and
//! [`matmul_packed_into`] computes `c = scale · (a · B)` from them without copying B again.
//!
//! The Gram form multiplies the same m × m matrix G at every iteration (`C·G`); read in place,
//! its rows lie a whole row of G apart, and a panel's steps touch far-apart lines that the
//! hardware prefetcher does not follow, so the product waits on memory. Packed once, each
//! panel is one contiguous run, read from start to end. Each element of C is summed in
//! KP-deep slices in order, one fused multiply-add per step, whatever the number of threads;
//! the slices are shallower than the blocked product's, so the bits are not always its bits.
//! (The AVX-512 kernel runs a tile with fewer than MR rows left, as the last of 25 rows, at
//! the cost of its rows.)

use ndarray::{s, ArrayView2, ArrayViewMut2, Axis};

use super::blocked::MR;
use super::kernel::{Kernel, Panel, Tile};
use super::pack::{pack_a, pack_b};
use super::split::{fork, Join};
use super::{GemmScratch, PARALLEL_THRESHOLD};
use crate::Float;

/// Depth of one slice of the sum: a slice of a panel (KP × nr values, 16 KiB) stays in L1 while
/// every tile of A's rows passes it.
const KP: usize = 128;

/// B (k × q) as ⌈q / nr⌉ panels of nr columns, panel j holding rows 0..k of its columns
/// (zero past the last column), one after another.
#[derive(Debug, Clone)]
pub(crate) struct PackedB<T> {
    panels: Vec<T>,
    k: usize,
    q: usize,
    kernel: Kernel,
}

impl<T: Float> PackedB<T> {
    /// Packs `b` for the kernel this CPU runs.
    pub(crate) fn new(b: ArrayView2<T>) -> Self {
        let kernel = Kernel::detect();
        let (k, q) = b.dim();
        let nr = T::nr(kernel);
        let mut panels = vec![T::zero(); k * q.next_multiple_of(nr)];
        for (panel, j0) in panels.chunks_exact_mut(k * nr.max(1)).zip((0..q).step_by(nr)) {
            pack_b(panel, b.slice(s![.., j0..(j0 + nr).min(q)]), nr);
        }
        PackedB { panels, k, q, kernel }
    }

    /// Rows × columns of B.
    pub(crate) fn dim(&self) -> (usize, usize) {
        (self.k, self.q)
    }

    fn nr(&self) -> usize {
        T::nr(self.kernel)
    }
}

/// `c = scale · (a · b)`, overwriting `c`, on as many threads as `scratch` was made for when
/// the product is large enough (C split by blocks of B's panels).
///
/// A is packed whole, once, and shared by the threads; each thread then reads its panels of B
/// one after another from start to end, so that B streams through the caches in order.
///
/// # Shapes
/// `a`: p × k, `b`: k × q, `c`: p × q.
pub(crate) fn matmul_packed_into<T: Float>(
    mut c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: &PackedB<T>,
    scratch: &mut GemmScratch<T>,
) {
    let (p, k) = a.dim();
    let q = b.q;
    assert!(b.k == k && c.dim() == (p, q), "matmul_packed_into: shapes {:?} · {:?} → {:?}", a.dim(), b.dim(), c.dim());
    if p == 0 || q == 0 {
        return;
    }
    if k == 0 {
        c.fill(T::zero());
        return;
    }
    let parts = if p * q * k >= PARALLEL_THRESHOLD { scratch.threads } else { 1 };
    let join = scratch.join();
    let buffers = &mut scratch.buffers(1)[0];
    // A's KC-deep slices one after another, slice pc at pc · p_pad, each as MR-tall panels.
    let p_pad = p.next_multiple_of(MR);
    buffers.reserve(p_pad * k, 0);
    for pc in (0..k).step_by(KP) {
        let kc = KP.min(k - pc);
        pack_a(&mut buffers.a[p_pad * pc..p_pad * (pc + kc)], a.slice(s![.., pc..pc + kc]));
    }
    split_panels(c, scale, &buffers.a[..p_pad * k], p, b, 0, parts, join);
}

/// The product on `parts` threads, each taking a block of whole panels; `first` is the index
/// of C's first column in B.
#[allow(clippy::too_many_arguments)]
fn split_panels<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: &[T],
    p: usize,
    b: &PackedB<T>,
    first: usize,
    parts: usize,
    join: Join,
) {
    let nr = b.nr();
    let panels = c.ncols().div_ceil(nr);
    if parts == 1 || panels < 2 {
        packed_product(c, scale, a, p, b, first);
        return;
    }
    let left = parts / 2;
    let at = ((panels * left).div_ceil(parts) * nr).min(c.ncols());
    let (c_left, c_right) = c.split_at(Axis(1), at);
    fork(
        join,
        || split_panels(c_left, scale, a, p, b, first, left, join),
        || split_panels(c_right, scale, a, p, b, first + at, parts - left, join),
    );
}

/// The product on one thread for C's columns `first..first + c.ncols()` of B (`first` a
/// multiple of nr), from A packed whole: each panel of B against every tile of rows, each tile
/// summed slice after slice as the blocked product sums it.
fn packed_product<T: Float>(mut c: ArrayViewMut2<T>, scale: T, a: &[T], p: usize, b: &PackedB<T>, first: usize) {
    let (k, q, nr) = (b.k, c.ncols(), b.nr());
    debug_assert_eq!(first % nr, 0);
    let p_pad = p.next_multiple_of(MR);
    let (c_rs, c_cs) = (c.strides()[0], c.strides()[1]);
    for jr in (0..q).step_by(nr) {
        let panel = &b.panels[(first + jr) / nr * k * nr..];
        let cols = nr.min(q - jr);
        for pc in (0..k).step_by(KP) {
            let kc = KP.min(k - pc);
            // This slice of the panel stays in L1 while every tile of rows passes it.
            let b_panel = Panel { ptr: panel[pc * nr..].as_ptr(), rs: nr as isize, cs: 1 };
            for ir in (0..p).step_by(MR) {
                let a_panel = Panel { ptr: a[p_pad * pc + ir * kc..].as_ptr(), rs: 1, cs: MR as isize };
                // SAFETY: element (ir, jr) is inside `c`.
                let c_ptr = unsafe { c.as_mut_ptr().offset(ir as isize * c_rs + jr as isize * c_cs) };
                let tile = Tile { ptr: c_ptr, rs: c_rs, cs: c_cs, rows: MR.min(p - ir), cols };
                // SAFETY: the packed panels hold kc steps of MR rows / nr columns (zero past
                // the operands' ends), the tile is inside `c`, and the kernel was detected
                // when B was packed.
                unsafe { T::tile(b.kernel, kc, a_panel, b_panel, tile, scale, pc > 0) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::matmul_into;
    use ndarray::Array2;

    /// The packed product agrees with `matmul_into` within the bound of any order of
    /// summation, (k + 1)·u·Σ|terms|, and gives the same bits on 1, 2 and 3 threads, for the
    /// Gram form's shape (C·G) and ragged ones: rows not a multiple of MR (1 to 5 left over),
    /// columns not a multiple of nr, depths below and above KP, and C transposed.
    #[test]
    fn packed_products_agree_with_the_blocked_product_on_any_threads() {
        fn check<T: Float>(rng: &mut crate::NumpyRng) {
            for (p, k, q, transposed_c) in [
                (25usize, 1080usize, 1080usize, false),
                (7, 300, 61, false),
                (16, 37, 200, true),
                (2, 513, 33, false),
                (9, 129, 40, false),
                (17, 64, 70, false),
            ] {
                let a = rng.randn_matrix(p, k).mapv(T::from_f64);
                let b = rng.randn_matrix(k, q).mapv(T::from_f64);
                let packed = PackedB::new(b.view());
                let scale = T::from_f64(1.0 / 3.0);
                let mut expected = Array2::from_elem((p, q), T::from_f64(f64::NAN));
                matmul_into(expected.view_mut(), scale, a.view(), b.view(), &mut GemmScratch::new(1));
                let bound = a.mapv(|v| v.as_f64().abs()).dot(&b.mapv(|v| v.as_f64().abs()))
                    * (scale.as_f64() * (k as f64 + 1.0) * T::epsilon().as_f64());
                let mut first: Option<Array2<T>> = None;
                for (threads, scratch) in [
                    (1, GemmScratch::new(1)),
                    (2, GemmScratch::new(2)),
                    (3, GemmScratch::new(3)),
                    (2, GemmScratch::for_training(2)),
                ] {
                    let mut scratch = scratch;
                    let mut c = Array2::from_elem(if transposed_c { (q, p) } else { (p, q) }, T::from_f64(f64::NAN));
                    let c_view = if transposed_c { c.view_mut().reversed_axes() } else { c.view_mut() };
                    matmul_packed_into(c_view, scale, a.view(), &packed, &mut scratch);
                    let c = if transposed_c { c.reversed_axes() } else { c };
                    let shape = format!("{} {p}×{k}×{q} on {threads} threads", T::DTYPE.name());
                    let beyond = ndarray::Zip::from(&c)
                        .and(&expected)
                        .and(&bound)
                        .fold(0, |n, x, y, b| n + usize::from((x.as_f64() - y.as_f64()).abs() > 2.0 * b));
                    assert_eq!(beyond, 0, "{shape}: values beyond the bound");
                    match &first {
                        None => first = Some(c),
                        Some(f) => assert!(
                            f.iter().zip(&c).all(|(x, y)| x.as_f64().to_bits() == y.as_f64().to_bits()),
                            "{shape}: other bits than on one thread"
                        ),
                    }
                }
            }
        }
        let mut rng = crate::NumpyRng::new(4);
        check::<f64>(&mut rng);
        check::<f32>(&mut rng);
    }
}
