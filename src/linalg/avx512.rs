//! AVX-512 micro-kernels for f64 and f32: 6 rows × 2 vectors of accumulators (6 × 16 f64,
//! 6 × 32 f32), 2 vectors of B and one broadcast of A, 15 of the 32 registers. Each element
//! of C is summed as by the AVX2 kernel (one fused multiply-add per step of k, in order) and
//! written back the same way, `c = (accumulate ? c : 0) + scale · acc`, so the two give the
//! same bits; rows of C that are contiguous are written back as vectors, with masks past the
//! last column. (The AVX2 kernel writes value by value: as vectors, the thin products that
//! read B in place, which stay on AVX2, measured slower.) A tile with fewer than six valid
//! rows (the last of 25) runs a kernel of its rows alone, summing each element the same way.

use std::arch::x86_64::*;

use super::blocked::MR;
use super::kernel::{write_tile, Panel, Tile};

/// One micro-kernel: `$nr` columns as two vectors of `$lanes`.
macro_rules! tile {
    (
        $name:ident, $rows_name:ident, $t:ty, $nr:expr, $lanes:expr, $mask:ty,
        $zero:ident, $load:ident, $set1:ident, $fmadd:ident, $mul:ident, $add:ident,
        $maskz_load:ident, $mask_store:ident, $store:ident
    ) => {
        /// Computes the tile and writes it back (see `GemmScalar::tile`); a tile with fewer
        /// than MR valid rows costs its rows alone.
        ///
        /// # Safety
        /// As the tile of R rows below, with R = MR.
        #[target_feature(enable = "avx512f")]
        pub(super) unsafe fn $name(kc: usize, a: Panel<$t>, b: Panel<$t>, tile: Tile<$t>, scale: $t, accumulate: bool) {
            // SAFETY: the caller's guarantees; each kernel reads the first R ≤ MR rows of
            // the panel and writes the tile's rows, R or fewer.
            unsafe {
                match tile.rows {
                    1 => $rows_name::<1>(kc, a, b, tile, scale, accumulate),
                    2 => $rows_name::<2>(kc, a, b, tile, scale, accumulate),
                    3 => $rows_name::<3>(kc, a, b, tile, scale, accumulate),
                    4 => $rows_name::<4>(kc, a, b, tile, scale, accumulate),
                    5 => $rows_name::<5>(kc, a, b, tile, scale, accumulate),
                    _ => $rows_name::<MR>(kc, a, b, tile, scale, accumulate),
                }
            }
        }

        /// Computes the first R ≤ MR rows of the tile (`tile.rows` ≤ R) and writes them back,
        /// each element summed as by the whole tile.
        ///
        /// # Safety
        /// The CPU must have AVX-512F; the panels address kc steps of R rows and
        #[doc = concat!(stringify!($nr), " columns;")]
        /// the tile's valid part lies in a live, exclusively borrowed C.
        #[target_feature(enable = "avx512f")]
        unsafe fn $rows_name<const R: usize>(
            kc: usize,
            a: Panel<$t>,
            b: Panel<$t>,
            tile: Tile<$t>,
            scale: $t,
            accumulate: bool,
        ) {
            let mut acc = [[$zero(); 2]; R];
            for kk in 0..kc as isize {
                // SAFETY: the panels address kc steps (the caller's guarantee), so step kk
                // of each is inside its operand. (A pointer stepped on past the last step
                // would not be: an operand read in place may end there.)
                unsafe {
                    let (a_kk, b_kk) = (a.ptr.offset(kk * a.cs), b.ptr.offset(kk * b.rs));
                    let b0 = $load(b_kk);
                    let b1 = $load(b_kk.add($lanes));
                    for (i, row) in acc.iter_mut().enumerate() {
                        let a_i = $set1(*a_kk.offset(i as isize * a.rs));
                        row[0] = $fmadd(a_i, b0, row[0]);
                        row[1] = $fmadd(a_i, b1, row[1]);
                    }
                }
            }
            if tile.cs != 1 {
                let mut out = [[0.0; $nr]; MR];
                for (dst, src) in out.iter_mut().zip(&acc) {
                    // SAFETY: each row of `out` holds two vectors.
                    unsafe {
                        $store(dst.as_mut_ptr(), src[0]);
                        $store(dst.as_mut_ptr().add($lanes), src[1]);
                    }
                }
                // SAFETY: the tile is the caller's.
                unsafe { write_tile(&out, tile, scale, accumulate) };
                return;
            }
            let scale = $set1(scale);
            for (i, row) in acc.iter().enumerate().take(tile.rows) {
                for (v, &sums) in row.iter().enumerate() {
                    let start = v * $lanes;
                    if start >= tile.cols {
                        break;
                    }
                    // The valid columns of this vector; C is read only when accumulating
                    // (else the masked load gives zeros, added as `write_tile` adds them).
                    let valid = (tile.cols - start).min($lanes);
                    let mask = (u32::MAX >> (32 - valid)) as $mask;
                    let read = if accumulate { mask } else { 0 };
                    // SAFETY: row i and columns start..start + valid are in the tile's valid
                    // part; masked-off lanes are neither read nor written.
                    unsafe {
                        let c = tile.ptr.offset(i as isize * tile.rs).add(start);
                        let sum = $add($maskz_load(read, c), $mul(scale, sums));
                        $mask_store(c, mask, sum);
                    }
                }
            }
        }
    };
}

tile!(
    tile_f64,
    tile_rows_f64,
    f64,
    16,
    8,
    __mmask8,
    _mm512_setzero_pd,
    _mm512_loadu_pd,
    _mm512_set1_pd,
    _mm512_fmadd_pd,
    _mm512_mul_pd,
    _mm512_add_pd,
    _mm512_maskz_loadu_pd,
    _mm512_mask_storeu_pd,
    _mm512_storeu_pd
);
tile!(
    tile_f32,
    tile_rows_f32,
    f32,
    32,
    16,
    __mmask16,
    _mm512_setzero_ps,
    _mm512_loadu_ps,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    _mm512_mul_ps,
    _mm512_add_ps,
    _mm512_maskz_loadu_ps,
    _mm512_mask_storeu_ps,
    _mm512_storeu_ps
);
