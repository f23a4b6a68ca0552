//! The blocked product on one thread: C in MR × NR register tiles, the sum in KC-deep slices,
//! MC rows of A against NC columns of B at a time, each operand packed or read in place.

use ndarray::{ArrayView2, ArrayViewMut2};

use super::kernel::{Kernel, Panel, Tile};
use super::pack::{pack_a, pack_b};
use super::scratch::PackBuffers;
use crate::Float;

/// Rows of the register tile.
pub(super) const MR: usize = 6;

/// Depth of one slice of the sum.
pub(super) const KC: usize = 256;

/// Rows of A swept against one panel of B (a multiple of MR).
pub(super) const MC: usize = 120;

/// Columns of B taken at once (a multiple of every NR).
pub(super) const NC: usize = 2048;

/// The blocked product on one thread (never empty: `matmul_into` sends products without
/// multiply-adds to the plain loops).
pub(super) fn blocked_product<T: Float>(
    mut c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    buffers: &mut PackBuffers<T>,
    kernel: Kernel,
) {
    let (p, k) = a.dim();
    let q = b.ncols();
    // Packing an operand pays off when each of its panels meets many panels of the other;
    // it also keeps rows whose stride is a multiple of 4 KiB from evicting each other in L1.
    // B can be read in place only along contiguous rows.
    let b_direct = b.strides()[1] == 1 && p < 8 * MR;
    // AVX-512's tiles are twice as wide as AVX2's: B's panels read in place would no longer
    // stay in L1, and a narrow C could be padded with many more columns (20 computed as 32
    // instead of 24). Such products run the AVX2 kernel (the two give the same bits).
    #[cfg(target_arch = "x86_64")]
    let kernel = if kernel == Kernel::Avx512 {
        let padded = |kernel| q.next_multiple_of(T::nr(kernel));
        if b_direct || 8 * padded(Kernel::Avx512) > 9 * padded(Kernel::Avx2) {
            Kernel::Avx2
        } else {
            kernel
        }
    } else {
        kernel
    };
    let nr = T::nr(kernel);
    let a_direct = q < 4 * nr;
    let kc_max = KC.min(k);
    let b_len = if b_direct { kc_max * nr } else { kc_max * NC.min(q.next_multiple_of(nr)) };
    let a_len = if a_direct { kc_max * MR } else { kc_max * MC.min(p.next_multiple_of(MR)) };
    buffers.reserve(a_len, b_len);
    let (a_rs, a_cs) = (a.strides()[0], a.strides()[1]);
    let (c_rs, c_cs) = (c.strides()[0], c.strides()[1]);
    for jc in (0..q).step_by(NC) {
        let nc = NC.min(q - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            let b_block = b.slice(ndarray::s![pc..pc + kc, jc..jc + nc]);
            if !b_direct {
                pack_b(&mut buffers.b, b_block, nr);
            }
            for ic in (0..p).step_by(MC) {
                let mc = MC.min(p - ic);
                if !a_direct {
                    pack_a(&mut buffers.a, a.slice(ndarray::s![ic..ic + mc, pc..pc + kc]));
                }
                for (jp, jr) in (0..nc).step_by(nr).enumerate() {
                    let cols = nr.min(nc - jr);
                    let b_panel = if !b_direct {
                        Panel { ptr: buffers.b[jp * nr * kc..].as_ptr(), rs: nr as isize, cs: 1 }
                    } else if cols < nr {
                        pack_b(&mut buffers.b, b_block.slice(ndarray::s![.., jr..]), nr);
                        Panel { ptr: buffers.b.as_ptr(), rs: nr as isize, cs: 1 }
                    } else {
                        let row = b_block.strides()[0];
                        Panel { ptr: b_block.slice(ndarray::s![.., jr..]).as_ptr(), rs: row, cs: 1 }
                    };
                    for (ip, ir) in (0..mc).step_by(MR).enumerate() {
                        let rows = MR.min(mc - ir);
                        let (i0, j0) = (ic + ir, jc + jr);
                        let a_panel = if !a_direct {
                            Panel { ptr: buffers.a[ip * MR * kc..].as_ptr(), rs: 1, cs: MR as isize }
                        } else if rows == MR {
                            // SAFETY: row i0 and column pc are inside `a`.
                            let ptr = unsafe { a.as_ptr().offset(i0 as isize * a_rs + pc as isize * a_cs) };
                            Panel { ptr, rs: a_rs, cs: a_cs }
                        } else {
                            pack_a(&mut buffers.a, a.slice(ndarray::s![i0..i0 + rows, pc..pc + kc]));
                            Panel { ptr: buffers.a.as_ptr(), rs: 1, cs: MR as isize }
                        };
                        // SAFETY: element (i0, j0) is inside `c`.
                        let c_ptr = unsafe { c.as_mut_ptr().offset(i0 as isize * c_rs + j0 as isize * c_cs) };
                        let tile = Tile { ptr: c_ptr, rs: c_rs, cs: c_cs, rows, cols };
                        // SAFETY: the panels hold kc steps of MR rows / NR columns (full
                        // panels are inside `a` and `b`, ragged ones were padded into the
                        // buffers), the tile is inside `c`, and `kernel` was detected.
                        unsafe { T::tile(kernel, kc, a_panel, b_panel, tile, scale, pc > 0) };
                    }
                }
            }
        }
    }
}
