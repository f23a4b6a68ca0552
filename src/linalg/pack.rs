//! Packing: blocks of A and B copied into the panels the micro-kernel reads, A as MR-tall
//! panels and B as NR-wide panels, zero-padded past the last row or column.

use ndarray::ArrayView2;

use super::blocked::MR;
use crate::Float;

/// Copies an mc × kc block of A into `packed` as MR-tall panels, each [kk][MR], zero-padded
/// past the last row.
pub(super) fn pack_a<T: Float>(packed: &mut [T], a: ArrayView2<T>) {
    let (mc, kc) = a.dim();
    let rows_contiguous = a.strides()[1] == 1;
    for (ip, ir) in (0..mc).step_by(MR).enumerate() {
        let panel = &mut packed[ip * MR * kc..(ip + 1) * MR * kc];
        let rows = MR.min(mc - ir);
        if rows == MR && rows_contiguous {
            // Six rows read side by side along k: the panel is written straight through.
            let r: [&[T]; MR] = std::array::from_fn(|i| a.row(ir + i).to_slice().expect("rows are contiguous"));
            for (kk, dst) in panel.chunks_exact_mut(MR).enumerate() {
                for i in 0..MR {
                    dst[i] = r[i][kk];
                }
            }
            continue;
        }
        if rows == MR && a.strides()[0] == 1 {
            // A transposed view: each step of k holds the panel's six values side by side.
            let columns = a.slice(ndarray::s![ir..ir + MR, ..]);
            for (dst, column) in panel.chunks_exact_mut(MR).zip(columns.columns()) {
                dst.copy_from_slice(column.to_slice().expect("columns are contiguous"));
            }
            continue;
        }
        for i in 0..MR {
            if i < rows {
                for (kk, &v) in a.row(ir + i).iter().enumerate() {
                    panel[kk * MR + i] = v;
                }
            } else {
                for kk in 0..kc {
                    panel[kk * MR + i] = T::zero();
                }
            }
        }
    }
}

/// Copies a kc × nc block of B into `packed` as nr-wide panels, each [kk][nr], zero-padded
/// past the last column. B is read along memory: row by row when its rows are contiguous,
/// else column by column (a transposed view).
pub(super) fn pack_b<T: Float>(packed: &mut [T], b: ArrayView2<T>, nr: usize) {
    let (kc, nc) = b.dim();
    if b.strides()[1] == 1 {
        for kk in 0..kc {
            let row = b.row(kk);
            let row = row.to_slice().expect("rows are contiguous");
            for (jp, src) in row.chunks(nr).enumerate() {
                let dst = &mut packed[(jp * kc + kk) * nr..(jp * kc + kk + 1) * nr];
                // Whole pieces as fixed-size copies: a few vector moves each. A piece is
                // whole when it fills the panel's width (the last one may be shorter, even
                // 8 of f32's 16 columns): then source and destination have the same length.
                if let (Ok(piece), Ok(dst)) = (<&[T; 8]>::try_from(src), <&mut [T; 8]>::try_from(&mut *dst)) {
                    *dst = *piece;
                } else if let (Ok(piece), Ok(dst)) = (<&[T; 16]>::try_from(src), <&mut [T; 16]>::try_from(&mut *dst)) {
                    *dst = *piece;
                } else if let (Ok(piece), Ok(dst)) = (<&[T; 32]>::try_from(src), <&mut [T; 32]>::try_from(&mut *dst)) {
                    *dst = *piece;
                } else {
                    dst[..src.len()].copy_from_slice(src);
                    dst[src.len()..].fill(T::zero());
                }
            }
        }
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if b.strides()[0] == 1 && crate::transpose::simd::available() {
        pack_b_transposed(packed, b, nr);
        return;
    }
    for (jp, jr) in (0..nc).step_by(nr).enumerate() {
        let panel = &mut packed[jp * nr * kc..(jp + 1) * nr * kc];
        let cols = nr.min(nc - jr);
        for j in 0..nr {
            if j < cols {
                for (kk, &v) in b.column(jr + j).iter().enumerate() {
                    panel[kk * nr + j] = v;
                }
            } else {
                for kk in 0..kc {
                    panel[kk * nr + j] = T::zero();
                }
            }
        }
    }
}

/// [`pack_b`] of a transposed view (B's columns contiguous): each panel is the transpose of
/// its columns, moved in square blocks through vector registers, the ragged edges value by
/// value.
#[cfg(target_arch = "x86_64")]
fn pack_b_transposed<T: Float>(packed: &mut [T], b: ArrayView2<T>, nr: usize) {
    use crate::transpose::simd;
    let (kc, nc) = b.dim();
    let side = simd::side::<T>();
    let column_step = b.strides()[1];
    for (jp, jr) in (0..nc).step_by(nr).enumerate() {
        let panel = &mut packed[jp * nr * kc..(jp + 1) * nr * kc];
        let cols = nr.min(nc - jr);
        let (whole_cols, whole_steps) = (cols - cols % side, kc - kc % side);
        for j in (0..whole_cols).step_by(side) {
            for kk in (0..whole_steps).step_by(side) {
                // SAFETY: B's columns jr + j.. jr + j + side hold steps kk.. kk + side (whole
                // blocks only), `column_step` apart; the panel holds rows kk.. kk + side of nr
                // values from column j; the CPU has AVX2 (checked by the caller).
                unsafe {
                    let from = b.as_ptr().offset(kk as isize + (jr + j) as isize * column_step);
                    simd::block(from, column_step, panel.as_mut_ptr().add(kk * nr + j), nr as isize);
                }
            }
        }
        // The ragged edges, along B's columns: the last steps of the whole blocks' columns,
        // the columns after them, and zeros past the last column.
        for j in 0..nr {
            if j < cols {
                let skip = if j < whole_cols { whole_steps } else { 0 };
                for (kk, &v) in b.column(jr + j).iter().enumerate().skip(skip) {
                    panel[kk * nr + j] = v;
                }
            } else {
                for kk in 0..kc {
                    panel[kk * nr + j] = T::zero();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{s, Array2};

    use super::*;

    /// B read by columns (a transposed view) packs into the panels B read by rows packs into,
    /// for f64 and f32, whole and ragged blocks and panels, and a block of a larger array.
    #[test]
    fn a_transposed_view_packs_as_its_rows_do() {
        fn check<T: Float>(kc: usize, nc: usize, nr: usize) {
            let stored = Array2::from_shape_fn((nc + 3, kc + 5), |(j, k)| T::from_f64((j * 1000 + k) as f64 + 0.5));
            let b = stored.slice(s![1..nc + 1, 2..kc + 2]).reversed_axes();
            assert!(kc == 1 || b.strides()[0] == 1);
            let by_rows = b.as_standard_layout();
            let len = kc * nc.next_multiple_of(nr);
            let (mut packed, mut expected) = (vec![T::from_f64(-1.0); len], vec![T::from_f64(-2.0); len]);
            pack_b(&mut packed, b, nr);
            pack_b(&mut expected, by_rows.view(), nr);
            assert_eq!(packed, expected, "{kc} × {nc}, nr {nr}");
        }
        for (kc, nc) in [(1, 1), (3, 5), (8, 8), (64, 256), (256, 33), (13, 70), (4, 17)] {
            for nr in [8, 16, 32] {
                check::<f32>(kc, nc, nr);
                check::<f64>(kc, nc, nr);
            }
        }
    }
}
