//! Dot products summed in one fixed order (eight interleaved partial sums, added pairwise), so
//! that a matrix-vector product has the same bits however its rows are grouped or split.

use crate::vmath::madd;
use crate::Float;

/// `R` dot products of rows of `x` with the same `y`, each summed in a fixed order: eight
/// interleaved partial sums (partial l takes the terms i ≡ l mod 8), added pairwise at the
/// end. Each value of `y` is loaded once for the `R` rows; the order, and so the bits, do not
/// depend on `R`.
///
/// `FMA` is set only where the caller runs with AVX2 and FMA enabled (`small_product_avx2`).
#[inline(always)]
pub(super) fn dots<T: Float, const FMA: bool, const R: usize>(x: [&[T]; R], y: &[T]) -> [T; R] {
    assert!(x.iter().all(|row| row.len() == y.len()), "dots: rows and y differ in length");
    let whole = y.len() - y.len() % 8;
    #[cfg(target_arch = "x86_64")]
    let mut partial = if FMA {
        // SAFETY: with FMA the CPU has AVX2 too (see above); the rows are as long as y.
        unsafe { T::partial_dots_avx2(x, y) }
    } else {
        partial_dots(x, &y[..whole])
    };
    #[cfg(not(target_arch = "x86_64"))]
    let mut partial = partial_dots(x, &y[..whole]);
    for (row, sums) in x.iter().zip(partial.iter_mut()) {
        for (l, (&x, &y)) in row[whole..].iter().zip(&y[whole..]).enumerate() {
            sums[l] = madd::<T, FMA>(x, y, sums[l]);
        }
    }
    partial.map(|p| {
        let quads = [p[0] + p[4], p[1] + p[5], p[2] + p[6], p[3] + p[7]];
        (quads[0] + quads[2]) + (quads[1] + quads[3])
    })
}

/// The eight partial sums of [`dots`] in plain loops, over a `y` of whole eights.
#[inline(always)]
fn partial_dots<T: Float, const R: usize>(x: [&[T]; R], y: &[T]) -> [[T; 8]; R] {
    let mut partial = [[T::zero(); 8]; R];
    for (start, yc) in (0..y.len()).step_by(8).zip(y.chunks_exact(8)) {
        for (row, sums) in x.iter().zip(partial.iter_mut()) {
            let xc = &row[start..start + 8];
            for l in 0..8 {
                sums[l] = xc[l] * yc[l] + sums[l];
            }
        }
    }
    partial
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::kernel::Kernel;

    /// The vectorised dot products sum in exactly the documented order: eight fused partial
    /// sums over i mod 8, then pairwise.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn vectorised_dot_products_keep_the_documented_order() {
        fn reference<T: Float>(x: &[T], y: &[T]) -> T {
            let mut p = [T::zero(); 8];
            for (i, (&x, &y)) in x.iter().zip(y).enumerate() {
                p[i % 8] = x.mul_add(y, p[i % 8]);
            }
            ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]))
        }
        fn check<T: Float>(rng: &mut crate::NumpyRng) {
            for n in (0..40).chain([12288, 12291]) {
                let rows: Vec<Vec<T>> = (0..6).map(|_| (0..n).map(|_| T::from_f64(rng.randn())).collect()).collect();
                let y: Vec<T> = (0..n).map(|_| T::from_f64(rng.randn())).collect();
                let six = dots::<T, true, 6>(std::array::from_fn(|r| &rows[r][..]), &y);
                let three = dots::<T, true, 3>(std::array::from_fn(|r| &rows[r][..]), &y);
                for (r, row) in rows.iter().enumerate() {
                    let expected = reference(row, &y).as_f64().to_bits();
                    assert_eq!(six[r].as_f64().to_bits(), expected, "n = {n}");
                    assert_eq!(dots::<T, true, 1>([row], &y)[0].as_f64().to_bits(), expected, "n = {n}");
                    if r < 3 {
                        assert_eq!(three[r].as_f64().to_bits(), expected, "n = {n}");
                    }
                }
            }
        }
        if Kernel::supported() < Kernel::Avx2 {
            println!("skipped: this CPU has no AVX2 + FMA");
            return;
        }
        let mut rng = crate::NumpyRng::new(3);
        check::<f64>(&mut rng);
        check::<f32>(&mut rng);
    }
}
