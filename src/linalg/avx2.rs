//! AVX2 + FMA micro-kernels (6 rows × 2 vectors of accumulators, 2 vectors of B and one
//! broadcast of A: 15 of the 16 registers) and the dot products' partial sums, for f64 and f32.

use std::arch::x86_64::*;

use super::blocked::MR;
use super::kernel::Panel;

/// One micro-kernel: `$nr` columns as two vectors of `$lanes`.
macro_rules! tile {
    ($name:ident, $t:ty, $nr:expr, $lanes:expr, $zero:ident, $load:ident, $broadcast:ident, $fmadd:ident, $store:ident) => {
        /// # Safety
        /// The CPU must have AVX2 and FMA; the panels address kc steps of MR rows and
        #[doc = concat!(stringify!($nr), " columns.")]
        #[target_feature(enable = "avx2,fma")]
        pub(super) unsafe fn $name(kc: usize, a: Panel<$t>, b: Panel<$t>) -> [[$t; $nr]; MR] {
            let mut acc = [[$zero(); 2]; MR];
            for kk in 0..kc as isize {
                // SAFETY: the panels address kc steps (the caller's guarantee), so step kk
                // of each is inside its operand. (A pointer stepped on past the last step
                // would not be: an operand read in place may end there.)
                unsafe {
                    let (a_kk, b_kk) = (a.ptr.offset(kk * a.cs), b.ptr.offset(kk * b.rs));
                    let b0 = $load(b_kk);
                    let b1 = $load(b_kk.add($lanes));
                    for (i, row) in acc.iter_mut().enumerate() {
                        let a_i = $broadcast(&*a_kk.offset(i as isize * a.rs));
                        row[0] = $fmadd(a_i, b0, row[0]);
                        row[1] = $fmadd(a_i, b1, row[1]);
                    }
                }
            }
            let mut out = [[0.0; $nr]; MR];
            for (dst, src) in out.iter_mut().zip(&acc) {
                // SAFETY: each row of `out` holds two vectors.
                unsafe {
                    $store(dst.as_mut_ptr(), src[0]);
                    $store(dst.as_mut_ptr().add($lanes), src[1]);
                }
            }
            out
        }
    };
}

/// The partial sums of `R` dot products: eight per row, as `$vecs` vectors of `$lanes`.
macro_rules! partial_dots {
    ($name:ident, $t:ty, $lanes:expr, $zero:ident, $load:ident, $fmadd:ident, $store:ident) => {
        /// # Safety
        /// The CPU must have AVX2 and FMA; every row must be at least as long as `y`.
        #[target_feature(enable = "avx2,fma")]
        pub(super) unsafe fn $name<const R: usize>(x: [&[$t]; R], y: &[$t]) -> [[$t; 8]; R] {
            const VECS: usize = 8 / $lanes;
            let whole = y.len() - y.len() % 8;
            let mut acc = [[$zero(); VECS]; R];
            let mut start = 0;
            while start < whole {
                for v in 0..VECS {
                    // SAFETY: start + 8 ≤ y.len() ≤ every row's length.
                    unsafe {
                        let y_v = $load(y.as_ptr().add(start + v * $lanes));
                        for (row, sums) in x.iter().zip(acc.iter_mut()) {
                            sums[v] = $fmadd($load(row.as_ptr().add(start + v * $lanes)), y_v, sums[v]);
                        }
                    }
                }
                start += 8;
            }
            let mut out = [[0.0; 8]; R];
            for (dst, src) in out.iter_mut().zip(&acc) {
                for (v, &sums) in src.iter().enumerate() {
                    // SAFETY: each row of `out` holds VECS vectors.
                    unsafe { $store(dst.as_mut_ptr().add(v * $lanes), sums) };
                }
            }
            out
        }
    };
}

partial_dots!(partial_dots_f64, f64, 4, _mm256_setzero_pd, _mm256_loadu_pd, _mm256_fmadd_pd, _mm256_storeu_pd);
partial_dots!(partial_dots_f32, f32, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_fmadd_ps, _mm256_storeu_ps);

tile!(tile_f64, f64, 8, 4, _mm256_setzero_pd, _mm256_loadu_pd, _mm256_broadcast_sd, _mm256_fmadd_pd, _mm256_storeu_pd);
tile!(tile_f32, f32, 16, 8, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_broadcast_ss, _mm256_fmadd_ps, _mm256_storeu_ps);
