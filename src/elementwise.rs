//! The passes over whole rows that follow the matrix products: bias and activation, and the
//! cross-entropy sum. Written so that they compile to SIMD code (AVX2 + FMA where the CPU has
//! it, checked at run time), with the branch-free functions of [`crate::vmath`].

use crate::linalg::Kernel;
use crate::vmath;
use crate::{Activation, Float};

/// Element-wise passes over at least this many values are split between the pool's threads
/// (beyond two: waking a pool thread costs tens of microseconds).
const PARALLEL_ELEMENTS: usize = 1 << 18;

/// On two threads, passes over at least this many values are split with the helper thread,
/// which polls between the products of a training step: handing it half costs about a
/// microsecond, and each thread then reads mostly the rows of Z it has just computed.
const HELPER_ELEMENTS: usize = 1 << 13;

/// Whether a pass over `values` values on `parts` threads is split in two.
pub(crate) fn splits(values: usize, parts: usize) -> bool {
    match parts {
        0 | 1 => false,
        2 => values >= HELPER_ELEMENTS,
        _ => values >= PARALLEL_ELEMENTS,
    }
}

/// Runs the two halves of a pass that [`splits`]: on two threads with the helper thread,
/// on more on the pool. Every value is computed alone, so the split does not change any
/// result.
pub(crate) fn join_halves(parts: usize, first: impl FnOnce() + Send, second: impl FnOnce() + Send) {
    if parts == 2 {
        crate::helper::join(first, second);
    } else {
        rayon::join(first, second);
    }
}

/// The bias added by [`bias_activate`]: one value for a whole row of Z, or one per value (a
/// column of Z: one example).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bias<'a, T> {
    Row(T),
    PerValue(&'a [T]),
}

/// `z += offset + bias` (offset optional), then `a = g(z)`, over one row or one column.
pub(crate) fn bias_activate<T: Float>(g: Activation, z: &mut [T], a: &mut [T], bias: Bias<T>, offset: Option<&[T]>) {
    match Kernel::detect() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kernel::Avx2` and `Kernel::Avx512` are only detected on CPUs with AVX2 and FMA.
        Kernel::Avx2 | Kernel::Avx512 => unsafe { bias_activate_avx2(g, z, a, bias, offset) },
        Kernel::Portable => bias_activate_loops::<T, false>(g, z, a, bias, offset),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn bias_activate_avx2<T: Float>(g: Activation, z: &mut [T], a: &mut [T], bias: Bias<T>, offset: Option<&[T]>) {
    bias_activate_loops::<T, true>(g, z, a, bias, offset)
}

#[inline(always)]
fn bias_activate_loops<T: Float, const FMA: bool>(
    g: Activation,
    z: &mut [T],
    a: &mut [T],
    bias: Bias<T>,
    offset: Option<&[T]>,
) {
    match (offset, bias) {
        (Some(offset), Bias::Row(bias)) => z.iter_mut().zip(offset).for_each(|(z, &o)| *z += o + bias),
        (None, Bias::Row(bias)) => z.iter_mut().for_each(|z| *z += bias),
        (Some(offset), Bias::PerValue(bias)) => {
            z.iter_mut().zip(offset).zip(bias).for_each(|((z, &o), &bias)| *z += o + bias)
        }
        (None, Bias::PerValue(bias)) => z.iter_mut().zip(bias).for_each(|(z, &bias)| *z += bias),
    }
    let pairs = a.iter_mut().zip(z.iter());
    match g {
        Activation::Sigmoid => pairs.for_each(|(a, &z)| *a = T::from_f64(vmath::sigmoid::<FMA>(z.as_f64()))),
        Activation::Tanh => pairs.for_each(|(a, &z)| *a = T::from_f64(vmath::tanh::<FMA>(z.as_f64()))),
        Activation::Relu => pairs.for_each(|(a, &z)| *a = if z > T::zero() { z } else { T::zero() }),
        Activation::LeakyRelu(slope) => {
            let slope = T::from_f64(slope);
            pairs.for_each(|(a, &z)| *a = if z > T::zero() { z } else { slope * z })
        }
        Activation::Linear => pairs.for_each(|(a, &z)| *a = z),
        Activation::Softmax => unreachable!("softmax is applied by columns (Dense::add_bias_and_activate)"),
    }
}

/// `Σ y·softplus(−z) + (1 − y)·softplus(z)` over labels in {0, 1}, in f64, summed in four
/// interleaved partial sums (a fixed order, the same for any length).
pub(crate) fn cross_entropy_total<T: Float>(z: &[T], y: &[T]) -> f64 {
    match Kernel::detect() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kernel::Avx2` and `Kernel::Avx512` are only detected on CPUs with AVX2 and FMA.
        Kernel::Avx2 | Kernel::Avx512 => unsafe { cross_entropy_avx2(z, y) },
        Kernel::Portable => cross_entropy_loop::<T, false>(z, y),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn cross_entropy_avx2<T: Float>(z: &[T], y: &[T]) -> f64 {
    cross_entropy_loop::<T, true>(z, y)
}

#[inline(always)]
fn cross_entropy_loop<T: Float, const FMA: bool>(z: &[T], y: &[T]) -> f64 {
    // Losses a block at a time into a buffer (a loop that vectorises), then summed.
    const BLOCK: usize = 64;
    let mut losses = [0.0f64; BLOCK];
    let mut partial = [0.0f64; 4];
    for (z_block, y_block) in z.chunks(BLOCK).zip(y.chunks(BLOCK)) {
        let losses = &mut losses[..z_block.len()];
        for ((loss, &z), &y) in losses.iter_mut().zip(z_block).zip(y_block) {
            // For y = 1 the loss is softplus(−z), for y = 0 softplus(z).
            let z = z.as_f64();
            *loss = vmath::softplus::<FMA>(if y > T::from_f64(0.5) { -z } else { z });
        }
        for (i, &loss) in losses.iter().enumerate() {
            partial[i % 4] += loss;
        }
    }
    (partial[0] + partial[1]) + (partial[2] + partial[3])
}
