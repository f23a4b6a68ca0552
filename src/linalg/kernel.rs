//! The micro-kernel: one MR × NR tile of C summed over a slice of k. Its interface
//! ([`GemmScalar`], with the operands as [`Panel`]s and C's tile as a [`Tile`]), the choice
//! between AVX-512, AVX2 + FMA and portable loops at run time ([`Kernel`]), and the portable
//! loops.

use std::sync::OnceLock;

use super::blocked::MR;
use crate::Float;

/// Which micro-kernel to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernel {
    /// Whatever the compile target allows.
    Portable,
    /// AVX2 with FMA.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX-512 (foundation instructions, whose fused multiply-add they include), with AVX2
    /// and FMA for the parts that stay 256 bits wide.
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    /// The kernel the products run: the best this CPU supports, or a lesser one named by the
    /// environment variable `DNN_KERNEL` (`avx512`, `avx2` or `portable`; read once), which
    /// tests and benchmarks use to run every kernel on one machine. A kernel the CPU lacks
    /// gives the best it has.
    ///
    /// # Panics
    /// If `DNN_KERNEL` is set to another value.
    pub(crate) fn detect() -> Kernel {
        static CHOSEN: OnceLock<Kernel> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let best = Kernel::supported();
            match std::env::var("DNN_KERNEL").as_deref() {
                Err(_) => best,
                Ok(name) => match Kernel::named(name) {
                    Some(asked) => asked.min(best),
                    None => panic!("DNN_KERNEL={name}: expected avx512, avx2 or portable"),
                },
            }
        })
    }

    /// The best kernel this CPU supports.
    pub(crate) fn supported() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            let avx2 = has!("avx2") && has!("fma");
            if avx2 && has!("avx512f") {
                return Kernel::Avx512;
            }
            if avx2 {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    /// The kernel of a `DNN_KERNEL` value (on other targets than x86-64, the SIMD names
    /// give the portable loops).
    fn named(name: &str) -> Option<Kernel> {
        match name {
            #[cfg(target_arch = "x86_64")]
            "avx512" => Some(Kernel::Avx512),
            #[cfg(target_arch = "x86_64")]
            "avx2" => Some(Kernel::Avx2),
            #[cfg(not(target_arch = "x86_64"))]
            "avx512" | "avx2" => Some(Kernel::Portable),
            "portable" => Some(Kernel::Portable),
            _ => None,
        }
    }
}

/// An operand of the micro-kernel: element (i, kk) of A, or (kk, j) of B, is at
/// `ptr + i·rs + kk·cs` (A) or `ptr + kk·rs + j` (B).
#[derive(Debug, Clone, Copy)]
pub struct Panel<T> {
    pub(super) ptr: *const T,
    pub(super) rs: isize,
    pub(super) cs: isize,
}

/// Where a tile of C is and how much of it is valid.
#[derive(Debug, Clone, Copy)]
pub struct Tile<T> {
    pub(super) ptr: *mut T,
    pub(super) rs: isize,
    pub(super) cs: isize,
    pub(super) rows: usize,
    pub(super) cols: usize,
}

/// Writes a finished MR × NR accumulator into the valid part of a tile:
/// `tile = (accumulate ? tile : 0) + scale · acc`.
///
/// # Safety
/// The tile's valid part must be inside a live, exclusively borrowed C.
#[inline(always)]
pub(super) unsafe fn write_tile<T: Float, const NR: usize>(
    acc: &[[T; NR]; MR],
    tile: Tile<T>,
    scale: T,
    accumulate: bool,
) {
    // Along memory: by columns when C is stored by columns (a transposed product).
    if tile.rs.unsigned_abs() < tile.cs.unsigned_abs() {
        for j in 0..tile.cols.min(NR) {
            for (i, acc_row) in acc.iter().enumerate().take(tile.rows) {
                // SAFETY: (i, j) is in the tile's valid part (the caller's guarantee).
                unsafe {
                    let c = tile.ptr.offset(i as isize * tile.rs + j as isize * tile.cs);
                    let base = if accumulate { *c } else { T::zero() };
                    *c = base + scale * acc_row[j];
                }
            }
        }
        return;
    }
    for (i, acc_row) in acc.iter().enumerate().take(tile.rows) {
        for (j, &v) in acc_row.iter().enumerate().take(tile.cols) {
            // SAFETY: (i, j) is in the tile's valid part (the caller's guarantee).
            unsafe {
                let c = tile.ptr.offset(i as isize * tile.rs + j as isize * tile.cs);
                let base = if accumulate { *c } else { T::zero() };
                *c = base + scale * v;
            }
        }
    }
}

/// The type-specific half of the product: the register tile's width and its micro-kernel.
/// A supertrait of [`Float`], implemented for `f32` and `f64` only.
pub trait GemmScalar: Sized {
    /// Columns of the register tile (two AVX vectors) of the AVX2 and portable kernels.
    const NR: usize;

    /// Columns of the register tile of `kernel`: two of its vectors.
    #[inline(always)]
    fn nr(kernel: Kernel) -> usize {
        match kernel {
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => 2 * Self::NR,
            _ => Self::NR,
        }
    }

    /// Computes one MR × NR tile, `acc = Σ_kk A[:, kk] ⊗ B[kk, :]` over kc steps, then
    /// `tile = (accumulate ? tile : 0) + scale · acc` on the tile's valid part.
    ///
    /// # Safety
    /// `a` and `b` must address kc steps of MR rows and `nr(kernel)` columns, the tile must lie
    /// in a live, exclusively borrowed C, and the CPU must support `kernel`.
    unsafe fn tile(
        kernel: Kernel,
        kc: usize,
        a: Panel<Self>,
        b: Panel<Self>,
        tile: Tile<Self>,
        scale: Self,
        accumulate: bool,
    );

    /// The eight partial sums of a dot product (partial l holds Σ x[i]·y[i] over i ≡ l mod 8,
    /// up to the last whole eight) for `R` rows against the same `y`, with AVX2 + FMA.
    ///
    /// # Safety
    /// The CPU must have AVX2 and FMA, and every row must be at least as long as `y`.
    #[cfg(target_arch = "x86_64")]
    unsafe fn partial_dots_avx2<const R: usize>(x: [&[Self]; R], y: &[Self]) -> [[Self; 8]; R];
}

/// The portable micro-kernel: plain loops.
///
/// # Safety
/// As [`GemmScalar::tile`].
#[inline(always)]
unsafe fn tile_portable<T: Float, const NR: usize>(kc: usize, a: Panel<T>, b: Panel<T>) -> [[T; NR]; MR] {
    let mut acc = [[T::zero(); NR]; MR];
    for kk in 0..kc as isize {
        for (i, acc_row) in acc.iter_mut().enumerate() {
            // SAFETY: the panels address kc steps (the caller's guarantee).
            let a_i = unsafe { *a.ptr.offset(i as isize * a.rs + kk * a.cs) };
            for (j, acc_ij) in acc_row.iter_mut().enumerate() {
                // SAFETY: as above.
                *acc_ij += a_i * unsafe { *b.ptr.offset(kk * b.rs + j as isize) };
            }
        }
    }
    acc
}

/// Implements [`GemmScalar`] for one type.
macro_rules! gemm_scalar {
    ($t:ty, $nr:expr, $avx2:path, $avx512:path, $dots:path) => {
        impl GemmScalar for $t {
            const NR: usize = $nr;

            #[inline(always)]
            unsafe fn tile(
                kernel: Kernel,
                kc: usize,
                a: Panel<$t>,
                b: Panel<$t>,
                tile: Tile<$t>,
                scale: $t,
                accumulate: bool,
            ) {
                // SAFETY: the caller's guarantees are those of the kernels and `write_tile`.
                unsafe {
                    match kernel {
                        #[cfg(target_arch = "x86_64")]
                        Kernel::Avx512 => $avx512(kc, a, b, tile, scale, accumulate),
                        #[cfg(target_arch = "x86_64")]
                        Kernel::Avx2 => write_tile(&$avx2(kc, a, b), tile, scale, accumulate),
                        Kernel::Portable => write_tile(&tile_portable::<$t, $nr>(kc, a, b), tile, scale, accumulate),
                    }
                }
            }

            #[cfg(target_arch = "x86_64")]
            #[inline(always)]
            unsafe fn partial_dots_avx2<const R: usize>(x: [&[$t]; R], y: &[$t]) -> [[$t; 8]; R] {
                // SAFETY: the caller's guarantees are the kernel's.
                unsafe { $dots(x, y) }
            }
        }
    };
}

gemm_scalar!(f64, 8, super::avx2::tile_f64, super::avx512::tile_f64, super::avx2::partial_dots_f64);
gemm_scalar!(f32, 16, super::avx2::tile_f32, super::avx512::tile_f32, super::avx2::partial_dots_f32);
