//! The one matrix product every layer goes through, `matmul_into`: a cache-blocked GEMM whose
//! scratch buffers belong to the caller, so a training loop that reuses them allocates nothing.
//!
//! The structure is the classic one (Goto / BLIS): C is computed in MR × NR register tiles,
//! each summing a KC-deep slice of A's rows against an NR-wide panel of B that stays in the
//! L1 cache while MC/MR tiles of A pass by. Unlike a textbook GEMM, an operand is read where
//! it lies when packing it would not pay: A when it meets few panels of B, B when its rows
//! are contiguous and few tiles of A meet it. The micro-kernel broadcasts A's values through
//! any strides and loads B's rows directly. So the thin products of a dense network
//! (20 × 12288 by 12288 × 209) stream their big operand once. Of C = A·B and Cᵀ = Bᵀ·Aᵀ, the
//! orientation whose B needs no copy (or the smaller one) is chosen. Small and
//! matrix-vector products skip blocking altogether.
//!
//! The micro-kernel uses AVX-512 intrinsics where the CPU has AVX-512F, AVX2 + FMA where it
//! has those, and portable loops elsewhere (checked at run time; the environment variable
//! `DNN_KERNEL=avx2|portable` asks for a lesser kernel, for tests and measurements). The
//! AVX-512 tile is twice as wide as AVX2's; products whose B is read in place or whose last
//! panel it would pad more stay on AVX2. Both SIMD kernels sum every element in the same
//! order with the same roundings, so they give the same bits; the portable loops do not fuse
//! the multiply-adds and give others. Unblocked products run AVX2 code on AVX-512 CPUs too.
//!
//! Every element of C is summed in the same order whatever the number of threads: threads
//! split C into blocks of rows or columns, never the summed dimension.
//!
//! One concept per file:
//! - this file: `matmul_into`, which picks the orientation, the path and the threads;
//! - `scratch`: the caller's buffers ([`GemmScratch`]);
//! - `split`: C cut into blocks for the threads (the pool or the helper thread);
//! - `small`: unblocked products (row updates, dot products, plain loops);
//! - `dots`: dot products summed in a fixed order, the matrix-vector case;
//! - `blocked`: the blocked product on one thread, and its block sizes;
//! - `pack`: copying blocks of A and B into panels;
//! - `packed`: a B packed once and multiplied many times ([`PackedB`]), as the Gram form's G;
//! - `kernel`: the micro-kernel's interface, its choice at run time and its portable loops;
//! - `avx2`: the AVX2 + FMA micro-kernels and dot products;
//! - `avx512`: the AVX-512 micro-kernels;
//! - `speed` (tests only): the speed of the networks' products, kernel beside kernel.

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "x86_64")]
mod avx512;
mod blocked;
mod dots;
mod kernel;
mod pack;
mod packed;
mod scratch;
mod small;
#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod speed;
mod split;

use ndarray::{ArrayView2, ArrayViewMut2};

pub use kernel::{GemmScalar, Kernel};
pub(crate) use packed::{matmul_packed_into, PackedB};
pub(crate) use scratch::GemmScratch;
use scratch::HelperUse;
use small::SmallLoops;
use split::{split, split_small, Join};

use crate::Float;

/// Products with fewer multiply-adds than this run on one thread.
const PARALLEL_THRESHOLD: usize = 1 << 18;

/// Matrix-vector products with fewer multiply-adds than this are not split with the helper
/// thread.
const HELPER_THRESHOLD: usize = 1 << 15;

/// Products with fewer multiply-adds than this skip blocking and packing.
const SMALL_THRESHOLD: usize = 1 << 15;

/// `c = scale · (a · b)`, overwriting `c`; `a` and `b` may be transposed views.
///
/// Splits C over as many threads as `scratch` was made for (on the current rayon pool) when
/// the product is large enough.
///
/// # Shapes
/// `a`: p × k, `b`: k × q, `c`: p × q.
pub(crate) fn matmul_into<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    scratch: &mut GemmScratch<T>,
) {
    matmul_with(Kernel::detect(), c, scale, a, b, scratch)
}

/// A product's operands for [`matmul_pair_into`]: C (overwritten), the scale, A and B.
pub(crate) type Product<'a, T> = (ArrayViewMut2<'a, T>, T, ArrayView2<'a, T>, ArrayView2<'a, T>);

/// Independent products with fewer multiply-adds than this (and at least
/// [`SMALL_THRESHOLD`], summing at least [`PAIR_DEPTH`] terms) run side by side in training on
/// two threads.
const PAIR_THRESHOLD: usize = 1 << 22;

/// The shortest sum of a product run side by side with another.
const PAIR_DEPTH: usize = 32;

/// Two independent products, as [`matmul_into`] would compute each (the same bits).
///
/// In training on two threads, when both are small (a mini-batch's dW\[l\] and dA\[l−1\],
/// which have the same number of multiply-adds), each runs whole on one thread, the second on
/// the helper: one hand-over instead of two, and neither thread waits for the other's half
/// of a product too short to split evenly. Otherwise they run one after the other, each split
/// as [`matmul_into`] splits it.
pub(crate) fn matmul_pair_into<T: Float>(first: Product<'_, T>, second: Product<'_, T>, scratch: &mut GemmScratch<T>) {
    // Each must be a small product with a sum long enough for the register tiles (a short one,
    // such as the SIGNS network's dA[1] = W[2]ᵀ·dZ[2] over 12 units, mostly writes C, and
    // would keep its thread longer than the other).
    let fits = |(c, _, a, _): &Product<'_, T>| {
        (SMALL_THRESHOLD..PAIR_THRESHOLD).contains(&(c.len() * a.ncols())) && a.ncols() >= PAIR_DEPTH
    };
    let side_by_side = scratch.helper == HelperUse::Always && scratch.threads == 2 && fits(&first) && fits(&second);
    if !side_by_side {
        for (c, scale, a, b) in [first, second] {
            matmul_into(c, scale, a, b, scratch);
        }
        return;
    }
    let kernel = Kernel::detect();
    let [one, two] = scratch.pair();
    let ((c1, scale1, a1, b1), (c2, scale2, a2, b2)) = (first, second);
    crate::helper::join(
        || matmul_with(kernel, c1, scale1, a1, b1, one),
        || matmul_with(kernel, c2, scale2, a2, b2, two),
    );
}

/// [`matmul_into`] with the given kernel, which the CPU must support.
fn matmul_with<T: Float>(
    kernel: Kernel,
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    scratch: &mut GemmScratch<T>,
) {
    let (p, k) = a.dim();
    let q = b.ncols();
    assert!(b.nrows() == k && c.dim() == (p, q), "matmul_into: shapes {:?} · {:?} → {:?}", a.dim(), b.dim(), c.dim());
    // Small products, and matrix-vector products (where a register tile would be mostly
    // padding), go without blocking.
    let matrix_vector = p == 1 || q == 1;
    let unblocked = p * q * k < SMALL_THRESHOLD || matrix_vector;
    // B is read in place when its rows are contiguous, else copied; the AVX-512 kernel
    // writes C as vectors where C's rows are contiguous, the others value by value. Transpose
    // the whole product when that copies (and, for AVX-512, scatters) fewer values. (Both
    // orientations sum each element of a blocked product in the same order; unblocked loops
    // weigh the copy alone.)
    let copied = |b: &ArrayView2<T>| if b.strides()[1] == 1 || b.len() <= 1 { 0 } else { b.len() };
    #[cfg(target_arch = "x86_64")]
    let vector_writes = kernel == Kernel::Avx512;
    #[cfg(not(target_arch = "x86_64"))]
    let vector_writes = false;
    let scattered = |column_step: isize| if unblocked || !vector_writes || column_step == 1 { 0 } else { p * q };
    let (c_rs, c_cs) = (c.strides()[0], c.strides()[1]);
    let (c, a, b) = if copied(&a.t()) + scattered(c_rs) < copied(&b) + scattered(c_cs) {
        (c.reversed_axes(), b.reversed_axes(), a.reversed_axes())
    } else {
        (c, a, b)
    };
    let parts = if p * q * k >= PARALLEL_THRESHOLD { scratch.threads } else { 1 };
    if unblocked {
        let loops = SmallLoops::for_product(&c, &a, &b);
        // Prediction splits matrix-vector products in two with the polling helper thread
        // (see `GemmScratch::for_prediction`): those too small for the pool, and the larger
        // ones too unless the pool has more than two threads to share them.
        let pool_pays = p * q * k >= PARALLEL_THRESHOLD && scratch.threads > 2;
        if scratch.helper == HelperUse::MatrixVector && matrix_vector && p * q * k >= HELPER_THRESHOLD && !pool_pays {
            split_small(c, scale, a, b, 2, kernel, loops, Join::Helper);
        } else {
            split_small(c, scale, a, b, parts, kernel, loops, scratch.join());
        }
        return;
    }
    let join = scratch.join();
    split(c, scale, a, b, scratch.buffers(parts), kernel, join);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NumpyRng;
    use ndarray::Array2;

    /// A mini-batch's dW = (1/m)·dZ·A_prevᵀ and dA_prev = Wᵀ·dZ, side by side on training's two
    /// threads (and, for a larger batch or a short sum, one after the other), give the bits
    /// each gives alone on one thread.
    #[test]
    fn a_pair_of_products_gives_the_bits_of_each_alone() {
        fn check<T: Float>(n: usize, n_prev: usize, m: usize) {
            let mut rng = NumpyRng::new(3);
            let dz = rng.randn_matrix(n, m).mapv(T::from_f64);
            let a_prev = rng.randn_matrix(n_prev, m).mapv(T::from_f64);
            let w = rng.randn_matrix(n, n_prev).mapv(T::from_f64);
            let scale = T::one() / T::from_f64(m as f64);
            let (mut dw, mut da) = (Array2::zeros((n, n_prev)), Array2::zeros((n_prev, m)));
            let mut training = GemmScratch::for_training(2);
            for _ in 0..2 {
                matmul_pair_into(
                    (dw.view_mut(), scale, dz.view(), a_prev.t()),
                    (da.view_mut(), T::one(), w.t(), dz.view()),
                    &mut training,
                );
            }
            let (mut dw_alone, mut da_alone) = (Array2::zeros((n, n_prev)), Array2::zeros((n_prev, m)));
            let mut one = GemmScratch::new(1);
            matmul_into(dw_alone.view_mut(), scale, dz.view(), a_prev.t(), &mut one);
            matmul_into(da_alone.view_mut(), T::one(), w.t(), dz.view(), &mut one);
            assert_eq!(dw, dw_alone, "dW, {n} × {n_prev}, m = {m}");
            assert_eq!(da, da_alone, "dA, {n} × {n_prev}, m = {m}");
        }
        for (n, n_prev, m) in [(128, 256, 64), (64, 48, 300), (25, 12, 1080), (7, 20, 209), (128, 256, 2000)] {
            check::<f32>(n, n_prev, m);
            check::<f64>(n, n_prev, m);
        }
    }

    /// f32 panels are 16 columns wide: a copied B whose last panel has exactly 8 columns (as
    /// many as an f64 panel) is padded like any other ragged panel. Shapes: X of 100 features
    /// × 24 examples against W 20 × 100 (B read in place, its last panel copied), the same
    /// transposed (B packed whole), and 8 columns in all.
    #[test]
    fn f32_products_whose_last_panel_has_eight_columns() {
        let mut rng = crate::NumpyRng::new(5);
        for (p, k, q, tb) in
            [(20usize, 100usize, 24usize, false), (60, 100, 24, false), (60, 300, 8, true), (20, 12288, 8, false)]
        {
            let a = rng.randn_matrix(p, k);
            let b = if tb { rng.randn_matrix(q, k).reversed_axes() } else { rng.randn_matrix(k, q) };
            let expected = a.dot(&b);
            let (a32, b32) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
            let b32 = if tb { b32.reversed_axes().as_standard_layout().into_owned().reversed_axes() } else { b32 };
            let mut c = Array2::<f32>::from_elem((p, q), f32::NAN);
            matmul_into(c.view_mut(), 1.0, a32.view(), b32.view(), &mut GemmScratch::new(1));
            let worst = c.iter().zip(&expected).fold(0.0f64, |m, (&x, &y)| m.max((f64::from(x) - y).abs()));
            assert!(worst <= 1e-5 * k as f64, "f32 {p}×{k}×{q}: error {worst:e}");
        }
    }

    /// Every path (small loops, dot products, blocked with direct or packed operands, split
    /// over threads by rows or columns) against ndarray's own product.
    #[test]
    fn products_agree_with_ndarray_for_every_path() {
        let mut rng = crate::NumpyRng::new(0);
        let shapes = [
            (4usize, 2usize, 400usize, false, false),
            (4, 400, 2, false, true),
            (1, 3000, 50, false, false),
            (50, 3000, 1, true, false),
            (20, 1200, 209, false, false),
            (20, 209, 1200, false, true),
            (130, 300, 70, false, false),
            (70, 300, 130, true, true),
            (7, 20, 2100, true, false),
            // Matrix-vector products large enough to be split between threads.
            (22, 12288, 1, false, false),
            (1, 12288, 30, false, false),
            (1, 300, 1000, true, true),
        ];
        for (p, k, q, ta, tb) in shapes {
            let a = if ta { rng.randn_matrix(k, p).reversed_axes() } else { rng.randn_matrix(p, k) };
            let b = if tb { rng.randn_matrix(q, k).reversed_axes() } else { rng.randn_matrix(k, q) };
            let expected = a.to_owned().dot(&b.to_owned()) * 0.5;
            let mut reference = None;
            // Split by the pool on 1, 2, 3 threads, for prediction (matrix-vector products with
            // the helper thread) and for training on two threads (every split with the helper).
            type Make = fn(usize) -> GemmScratch<f64>;
            let scratches: [(usize, bool, Make); 6] = [
                (1, false, GemmScratch::new),
                (2, false, GemmScratch::new),
                (3, false, GemmScratch::new),
                (2, true, GemmScratch::for_prediction),
                (3, true, GemmScratch::for_prediction),
                (2, true, GemmScratch::for_training),
            ];
            for (threads, helper, make) in scratches {
                let mut c = Array2::from_elem((p, q), f64::NAN);
                let mut scratch = make(threads);
                matmul_into(c.view_mut(), 0.5, a.view(), b.view(), &mut scratch);
                let worst = (&c - &expected).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                assert!(
                    worst <= 1e-13 * k as f64,
                    "{p}×{k}×{q} ({ta}, {tb}), {threads} threads (helper: {helper}): error {worst:e}"
                );
                // The same bits for any number of threads.
                match &reference {
                    None => reference = Some(c),
                    Some(r) => assert!(r.iter().zip(&c).all(|(x, y)| x.to_bits() == y.to_bits()), "{p}×{k}×{q}"),
                }
            }
            let a32 = a.mapv(|v| v as f32);
            let b32 = b.mapv(|v| v as f32);
            let mut c32 = Array2::<f32>::zeros((p, q));
            matmul_into(c32.view_mut(), 0.5, a32.view(), b32.view(), &mut GemmScratch::new(2));
            let worst = c32.iter().zip(&expected).fold(0.0f64, |m, (&x, &y)| m.max((f64::from(x) - y).abs()));
            assert!(worst <= 1e-5 * k as f64, "f32 {p}×{k}×{q}: error {worst:e}");
        }
    }

    /// The AVX-512 kernels give the same bits as the AVX2 ones (each element summed in the
    /// same order, with the same roundings), on 1, 2 and 3 threads, and both agree with
    /// ndarray's product; so do the portable loops. Shapes: the products of a mini-batch of
    /// [784, 256, 128, 1] on 64 and 61 columns (W·X, dW = dZ·Xᵀ, dA = Wᵀ·dZ), the course's
    /// cat network (thin, B read in place), k = 1, C's last panel 1 to 31 columns wide, rows
    /// not a multiple of the tile's six, and C transposed (written value by value).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_kernel_agrees_and_simd_kernels_give_the_same_bits() {
        // As 1/m: not a power of two, so that the scale's rounding shows.
        const SCALE: f64 = 1.0 / 61.0;
        fn check<T: Float>(rng: &mut crate::NumpyRng) {
            let mut shapes = vec![
                (256usize, 784usize, 64usize, false, false),
                (128, 256, 64, false, false),
                (256, 64, 784, false, true),
                (128, 64, 256, false, true),
                (256, 128, 64, true, false),
                (256, 784, 61, false, false),
                (256, 61, 784, false, true),
                (256, 128, 61, true, false),
                (20, 12288, 209, false, false),
                (20, 209, 1200, false, true),
                (300, 1, 200, false, false),
                (200, 1, 300, true, true),
                (61, 300, 97, true, false),
            ];
            shapes.extend((1..32).map(|q| (49 + q, 270, 2 * 32 + q, q % 2 == 0, q % 3 == 0)));
            for (p, k, q, ta, tb) in shapes {
                let a = if ta { rng.randn_matrix(k, p).reversed_axes() } else { rng.randn_matrix(p, k) };
                let b = if tb { rng.randn_matrix(q, k).reversed_axes() } else { rng.randn_matrix(k, q) };
                // A transposed operand stays stored by columns.
                let cast = |m: &Array2<f64>, t: bool| {
                    if t {
                        m.t().mapv(T::from_f64).reversed_axes()
                    } else {
                        m.mapv(T::from_f64)
                    }
                };
                let (a, b) = (cast(&a, ta), cast(&b, tb));
                // The exact product of the values cast, and a bound on the error of any
                // order of summation: (k + 1)·u·Σ|terms|, for the kernels and for ndarray.
                let (a64, b64) = (a.mapv(|v| v.as_f64()), b.mapv(|v| v.as_f64()));
                let expected = a64.dot(&b64) * SCALE;
                let bound =
                    a64.mapv(f64::abs).dot(&b64.mapv(f64::abs)) * SCALE * (k as f64 + 1.0) * T::epsilon().as_f64();
                let run = |kernel, threads| {
                    let mut c = Array2::from_elem((p, q), T::from_f64(f64::NAN));
                    matmul_with(
                        kernel,
                        c.view_mut(),
                        T::from_f64(SCALE),
                        a.view(),
                        b.view(),
                        &mut GemmScratch::new(threads),
                    );
                    c
                };
                let shape = format!("{} {p}×{k}×{q} ({ta}, {tb})", T::DTYPE.name());
                let mut simd: Option<Array2<T>> = None;
                for kernel in [Kernel::Portable, Kernel::Avx2, Kernel::Avx512] {
                    if kernel > Kernel::supported() {
                        continue;
                    }
                    for threads in [1, 2, 3] {
                        let c = run(kernel, threads);
                        let beyond = ndarray::Zip::from(&c)
                            .and(&expected)
                            .and(&bound)
                            .fold(0, |n, x, y, b| n + usize::from((x.as_f64() - y).abs() > b + f64::MIN_POSITIVE));
                        assert_eq!(beyond, 0, "{shape}, {kernel:?} on {threads} threads: values beyond the bound");
                        if kernel == Kernel::Portable {
                            continue;
                        }
                        match &simd {
                            None => simd = Some(c),
                            Some(first) => assert!(
                                first.iter().zip(&c).all(|(x, y)| x.as_f64().to_bits() == y.as_f64().to_bits()),
                                "{shape}: {kernel:?} on {threads} threads differs from AVX2 on one"
                            ),
                        }
                    }
                }
            }
        }
        if Kernel::supported() < Kernel::Avx512 {
            println!("AVX-512 against AVX2 skipped: this CPU has no AVX-512F (the other kernels checked)");
        }
        let mut rng = crate::NumpyRng::new(12);
        check::<f64>(&mut rng);
        check::<f32>(&mut rng);
    }
}
