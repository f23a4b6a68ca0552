//! The one matrix product every layer goes through: a cache-blocked GEMM whose scratch
//! buffers belong to the caller, so a training loop that reuses them allocates nothing.
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
//! The micro-kernel uses AVX2 + FMA intrinsics where the CPU has them (checked at run time)
//! and portable loops elsewhere.
//!
//! Every element of C is summed in the same order whatever the number of threads: threads
//! split C into blocks of rows or columns, never the summed dimension.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};

use crate::vmath::madd;
use crate::Float;

/// Rows of the register tile.
const MR: usize = 6;
/// Depth of one slice of the sum.
const KC: usize = 256;
/// Rows of A swept against one panel of B (a multiple of MR).
const MC: usize = 120;
/// Columns of B taken at once (a multiple of every NR).
const NC: usize = 2048;

/// The scratch buffers of one thread: a packed KC × NC block of B (or one ragged panel) and
/// a packed MC × KC block of A (or one ragged panel).
#[derive(Debug, Clone)]
struct PackBuffers<T> {
    a: Vec<T>,
    b: Vec<T>,
}

impl<T: Float> PackBuffers<T> {
    /// Grows the buffers to at least these lengths; they never shrink, so a loop repeating
    /// the same products allocates only the first time.
    fn reserve(&mut self, a_len: usize, b_len: usize) {
        if self.a.len() < a_len {
            self.a.resize(a_len, T::zero());
        }
        if self.b.len() < b_len {
            self.b.resize(b_len, T::zero());
        }
    }
}

/// Scratch for products on up to `threads` threads.
#[derive(Debug, Clone)]
pub(crate) struct GemmScratch<T> {
    threads: usize,
    /// One set of buffers per thread, made by the first blocked product that needs them
    /// (products without blocking, such as a prediction's, allocate nothing).
    buffers: Vec<PackBuffers<T>>,
    /// Whether matrix-vector products split in two run their second half on the polling
    /// helper thread (see `crate::helper`) rather than on the pool.
    helper: bool,
}

impl<T: Float> GemmScratch<T> {
    pub(crate) fn new(threads: usize) -> Self {
        GemmScratch { threads: threads.max(1), buffers: Vec::new(), helper: false }
    }

    /// Scratch for prediction: with two threads or more, matrix-vector products from
    /// [`HELPER_THRESHOLD`] multiply-adds on are split with the helper thread, which a
    /// stream of single-example predictions keeps awake. (Training leaves it alone: its
    /// polling would take a core from the pool.)
    pub(crate) fn for_prediction(threads: usize) -> Self {
        GemmScratch { helper: threads >= 2, ..GemmScratch::new(threads) }
    }

    /// The number of threads the products (and the passes beside them) may use.
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// The buffers of the first `parts` threads.
    fn buffers(&mut self, parts: usize) -> &mut [PackBuffers<T>] {
        if self.buffers.len() < parts {
            self.buffers.resize_with(parts, || PackBuffers { a: Vec::new(), b: Vec::new() });
        }
        &mut self.buffers[..parts]
    }
}

/// Products with fewer multiply-adds than this run on one thread.
const PARALLEL_THRESHOLD: usize = 1 << 18;

/// Matrix-vector products with fewer multiply-adds than this are not split with the helper
/// thread.
const HELPER_THRESHOLD: usize = 1 << 15;

/// How the two halves of a split product run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// On the rayon pool.
    Pool,
    /// Here and on the polling helper thread.
    Helper,
}

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
    let (p, k) = a.dim();
    let q = b.ncols();
    assert!(b.nrows() == k && c.dim() == (p, q), "matmul_into: shapes {:?} · {:?} → {:?}", a.dim(), b.dim(), c.dim());
    // B is read in place when its rows are contiguous, else copied: transpose the whole
    // product when that makes the copied operand smaller.
    let copied = |b: &ArrayView2<T>| if b.strides()[1] == 1 || b.len() <= 1 { 0 } else { b.len() };
    let (c, a, b) =
        if copied(&a.t()) < copied(&b) { (c.reversed_axes(), b.reversed_axes(), a.reversed_axes()) } else { (c, a, b) };
    let kernel = Kernel::detect();
    let parts = if p * q * k >= PARALLEL_THRESHOLD { scratch.threads } else { 1 };
    // Small products, and matrix-vector products (where a register tile would be mostly
    // padding), go without blocking.
    let matrix_vector = c.nrows() == 1 || c.ncols() == 1;
    if p * q * k < SMALL_THRESHOLD || matrix_vector {
        let loops = SmallLoops::for_product(&c, &a, &b);
        // Prediction splits matrix-vector products in two with the polling helper thread
        // (see `GemmScratch::for_prediction`): those too small for the pool, and the larger
        // ones too unless the pool has more than two threads to share them.
        let pool_pays = p * q * k >= PARALLEL_THRESHOLD && scratch.threads > 2;
        if scratch.helper && matrix_vector && p * q * k >= HELPER_THRESHOLD && !pool_pays {
            split_small(c, scale, a, b, 2, kernel, loops, Join::Helper);
        } else {
            split_small(c, scale, a, b, parts, kernel, loops, Join::Pool);
        }
        return;
    }
    split(c, scale, a, b, scratch.buffers(parts), kernel);
}

/// Products with fewer multiply-adds than this skip blocking and packing.
const SMALL_THRESHOLD: usize = 1 << 15;

/// How an unblocked product is looped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SmallLoops {
    /// Each row of C accumulates rows of B scaled by A's values (vectorises over columns).
    RowUpdates,
    /// Each element of C is a dot product of a row of A and a column of B, both contiguous.
    Dots,
    /// A plain triple loop, for strides that suit neither.
    Strided,
}

impl SmallLoops {
    /// The loops for a whole product. They are chosen once, before C is split between
    /// threads, so that every element of C is summed the same way however C is split.
    fn for_product<T>(c: &ArrayViewMut2<T>, a: &ArrayView2<T>, b: &ArrayView2<T>) -> SmallLoops {
        let rows_contiguous = |strides: &[isize], cols: usize| cols <= 1 || strides[1] == 1;
        let rows_of_b_and_c = rows_contiguous(b.strides(), b.ncols()) && rows_contiguous(c.strides(), c.ncols());
        let along_k = a.ncols() == 1 || (a.strides()[1] == 1 && b.strides()[0] == 1);
        // Row updates vectorise over C's columns; with fewer than 8 of them, dot products
        // along k vectorise better.
        if rows_of_b_and_c && (b.ncols() >= 8 || !along_k) {
            SmallLoops::RowUpdates
        } else if along_k {
            SmallLoops::Dots
        } else {
            SmallLoops::Strided
        }
    }
}

/// An unblocked product on `parts` threads: C split into blocks of rows (in twos) or of
/// columns, whichever C has more of.
#[allow(clippy::too_many_arguments)]
fn split_small<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    parts: usize,
    kernel: Kernel,
    loops: SmallLoops,
    join: Join,
) {
    let (p, q) = c.dim();
    if parts < 2 || p.max(q) < 8 {
        // SAFETY: `Kernel::detect` chose a kernel this CPU supports.
        unsafe { small_product(c, scale, a, b, kernel, loops) };
        return;
    }
    let left = parts / 2;
    let (axis, at) = if p >= q {
        (Axis(0), (p * left).div_ceil(parts).next_multiple_of(2).min(p))
    } else {
        (Axis(1), (q * left).div_ceil(parts).next_multiple_of(8).min(q))
    };
    join_halves(
        (c, a, b),
        axis,
        at,
        join,
        |(c, a, b)| split_small(c, scale, a, b, left, kernel, loops, join),
        |(c, a, b)| split_small(c, scale, a, b, parts - left, kernel, loops, join),
    );
}

/// A product's operands: C, A, B.
type Operands<'a, T> = (ArrayViewMut2<'a, T>, ArrayView2<'a, T>, ArrayView2<'a, T>);

/// Cuts C before row `at` (with A's rows) or before column `at` (with B's columns) and runs
/// `first` and `second` on the two parts in parallel.
fn join_halves<'a, T: Float>(
    (c, a, b): Operands<'a, T>,
    axis: Axis,
    at: usize,
    join: Join,
    first: impl FnOnce(Operands<'a, T>) + Send,
    second: impl FnOnce(Operands<'a, T>) + Send,
) {
    let (c_first, c_second) = c.split_at(axis, at);
    let (one, two) = if axis == Axis(0) {
        let (a_first, a_second) = a.split_at(axis, at);
        ((c_first, a_first, b), (c_second, a_second, b))
    } else {
        let (b_first, b_second) = b.split_at(axis, at);
        ((c_first, a, b_first), (c_second, a, b_second))
    };
    match join {
        Join::Pool => _ = rayon::join(|| first(one), || second(two)),
        Join::Helper => crate::helper::join(|| first(one), || second(two)),
    }
}

/// A product too small for blocking to pay, in the given loops, compiled with FMA where the
/// CPU has it.
///
/// # Safety
/// `kernel` must be supported by the running CPU.
unsafe fn small_product<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    kernel: Kernel,
    loops: SmallLoops,
) {
    match kernel {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the caller guarantees the CPU has AVX2 and FMA.
        Kernel::Avx2 => unsafe { small_product_avx2(c, scale, a, b, loops) },
        Kernel::Portable => small_loops::<T, false>(c, scale, a, b, loops),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn small_product_avx2<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    loops: SmallLoops,
) {
    small_loops::<T, true>(c, scale, a, b, loops)
}

/// `R` dot products of rows of `x` with the same `y`, each summed in a fixed order: eight
/// interleaved partial sums (partial l takes the terms i ≡ l mod 8), added pairwise at the
/// end. Each value of `y` is loaded once for the `R` rows; the order, and so the bits, do not
/// depend on `R`.
///
/// `FMA` is set only where the caller runs with AVX2 and FMA enabled (`small_product_avx2`).
#[inline(always)]
fn dots<T: Float, const FMA: bool, const R: usize>(x: [&[T]; R], y: &[T]) -> [T; R] {
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

/// A core's L2 cache (512 KB on current x86 server cores).
const L2_BYTES: usize = 512 << 10;

/// Whether this thread's next sweep over a large A goes backward: every other one.
fn next_sweep_backward() -> bool {
    thread_local! {
        static BACKWARD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    BACKWARD.with(|backward| backward.replace(!backward.get()))
}

#[inline(always)]
fn small_loops<T: Float, const FMA: bool>(
    mut c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    loops: SmallLoops,
) {
    match loops {
        SmallLoops::RowUpdates => {
            for (a_row, mut c_row) in a.rows().into_iter().zip(c.rows_mut()) {
                let c_row = c_row.as_slice_mut().expect("rows of C are contiguous");
                c_row.fill(T::zero());
                for (kk, &a_ik) in a_row.iter().enumerate() {
                    let b_row = b.row(kk);
                    let b_row = b_row.as_slice().expect("rows of B are contiguous");
                    for (c, &b) in c_row.iter_mut().zip(b_row) {
                        *c = madd::<T, FMA>(a_ik, b, *c);
                    }
                }
                c_row.iter_mut().for_each(|c| *c *= scale);
            }
        }
        SmallLoops::Dots => {
            // Six rows of A at a time, so that each value of B is loaded once for six (12 of
            // the 16 vector registers hold their sums in f64), then the rows left.
            let row = |i: usize| a.row(i).to_slice().expect("contiguous along k");
            let p = a.nrows();
            // An A larger than half a core's L2 cache is swept alternately first group to
            // last and last to first, so that the rows the previous sweep read last, still
            // in the cache, come first. (Rows are summed alone: the order changes no bits.)
            let backward = a.len() * std::mem::size_of::<T>() > L2_BYTES / 2 && next_sweep_backward();
            for (j, b_col) in b.columns().into_iter().enumerate() {
                let b_col = b_col.to_slice().expect("contiguous along k");
                for group in 0..p.div_ceil(6) {
                    let i = 6 * if backward { p.div_ceil(6) - 1 - group } else { group };
                    let r = |offset: usize| row(i + offset);
                    let sums: &[T] = match p - i {
                        1 => &dots::<T, FMA, 1>([r(0)], b_col),
                        2 => &dots::<T, FMA, 2>([r(0), r(1)], b_col),
                        3 => &dots::<T, FMA, 3>([r(0), r(1), r(2)], b_col),
                        4 => &dots::<T, FMA, 4>([r(0), r(1), r(2), r(3)], b_col),
                        5 => &dots::<T, FMA, 5>([r(0), r(1), r(2), r(3), r(4)], b_col),
                        _ => &dots::<T, FMA, 6>([r(0), r(1), r(2), r(3), r(4), r(5)], b_col),
                    };
                    for (offset, &sum) in sums.iter().enumerate() {
                        c[(i + offset, j)] = scale * sum;
                    }
                }
            }
        }
        SmallLoops::Strided => {
            for i in 0..a.nrows() {
                for j in 0..b.ncols() {
                    let mut acc = T::zero();
                    for kk in 0..a.ncols() {
                        acc = madd::<T, FMA>(a[(i, kk)], b[(kk, j)], acc);
                    }
                    c[(i, j)] = scale * acc;
                }
            }
        }
    }
}

/// Runs the product on `buffers.len()` blocks of C in parallel: blocks of rows when C has
/// more row tiles than column panels, else blocks of columns.
fn split<T: Float>(
    c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    buffers: &mut [PackBuffers<T>],
    kernel: Kernel,
) {
    let parts = buffers.len();
    let (p, q) = c.dim();
    let (row_tiles, col_panels) = (p.div_ceil(MR), q.div_ceil(T::NR));
    if parts == 1 || row_tiles.max(col_panels) < 2 {
        blocked_product(c, scale, a, b, &mut buffers[0], kernel);
        return;
    }
    let left = parts / 2;
    let (left_buffers, right_buffers) = buffers.split_at_mut(left);
    let (axis, at) = if row_tiles >= col_panels {
        (Axis(0), ((row_tiles * left).div_ceil(parts) * MR).min(p))
    } else {
        (Axis(1), ((col_panels * left).div_ceil(parts) * T::NR).min(q))
    };
    join_halves(
        (c, a, b),
        axis,
        at,
        Join::Pool,
        |(c, a, b)| split(c, scale, a, b, left_buffers, kernel),
        |(c, a, b)| split(c, scale, a, b, right_buffers, kernel),
    );
}

/// Which micro-kernel to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// AVX2 with FMA.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Whatever the compile target allows.
    Portable,
}

impl Kernel {
    /// The best kernel this CPU supports.
    pub(crate) fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return Kernel::Avx2;
        }
        Kernel::Portable
    }
}

/// An operand of the micro-kernel: element (i, kk) of A, or (kk, j) of B, is at
/// `ptr + i·rs + kk·cs` (A) or `ptr + kk·rs + j` (B).
#[derive(Debug, Clone, Copy)]
pub struct Panel<T> {
    ptr: *const T,
    rs: isize,
    cs: isize,
}

/// The blocked product on one thread (never empty: `matmul_into` sends products without
/// multiply-adds to the plain loops).
fn blocked_product<T: Float>(
    mut c: ArrayViewMut2<T>,
    scale: T,
    a: ArrayView2<T>,
    b: ArrayView2<T>,
    buffers: &mut PackBuffers<T>,
    kernel: Kernel,
) {
    let (p, k) = a.dim();
    let q = b.ncols();
    let nr = T::NR;
    // Packing an operand pays off when each of its panels meets many panels of the other;
    // it also keeps rows whose stride is a multiple of 4 KiB from evicting each other in L1.
    // B can be read in place only along contiguous rows.
    let b_direct = b.strides()[1] == 1 && p < 8 * MR;
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

/// Copies an mc × kc block of A into `packed` as MR-tall panels, each [kk][MR], zero-padded
/// past the last row.
fn pack_a<T: Float>(packed: &mut [T], a: ArrayView2<T>) {
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
fn pack_b<T: Float>(packed: &mut [T], b: ArrayView2<T>, nr: usize) {
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
                } else {
                    dst[..src.len()].copy_from_slice(src);
                    dst[src.len()..].fill(T::zero());
                }
            }
        }
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

/// Where a tile of C is and how much of it is valid.
#[derive(Debug, Clone, Copy)]
pub struct Tile<T> {
    ptr: *mut T,
    rs: isize,
    cs: isize,
    rows: usize,
    cols: usize,
}

/// Writes a finished MR × NR accumulator into the valid part of a tile:
/// `tile = (accumulate ? tile : 0) + scale · acc`.
///
/// # Safety
/// The tile's valid part must be inside a live, exclusively borrowed C.
#[inline(always)]
unsafe fn write_tile<T: Float, const NR: usize>(acc: &[[T; NR]; MR], tile: Tile<T>, scale: T, accumulate: bool) {
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
    /// Columns of the register tile (two AVX vectors).
    const NR: usize;

    /// Computes one MR × NR tile, `acc = Σ_kk A[:, kk] ⊗ B[kk, :]` over kc steps, then
    /// `tile = (accumulate ? tile : 0) + scale · acc` on the tile's valid part.
    ///
    /// # Safety
    /// `a` and `b` must address kc steps of MR rows and NR columns, the tile must lie in a
    /// live, exclusively borrowed C, and `kernel` must come from `Kernel::detect`.
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

/// AVX2 + FMA micro-kernels: 6 rows × 2 vectors of accumulators, 2 vectors of B and one
/// broadcast of A: 15 of the 16 registers.
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{Panel, MR};

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

    tile!(
        tile_f64,
        f64,
        8,
        4,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_broadcast_sd,
        _mm256_fmadd_pd,
        _mm256_storeu_pd
    );
    tile!(
        tile_f32,
        f32,
        16,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_broadcast_ss,
        _mm256_fmadd_ps,
        _mm256_storeu_ps
    );
}

/// Implements [`GemmScalar`] for one type.
macro_rules! gemm_scalar {
    ($t:ty, $nr:expr, $avx2:path, $dots:path) => {
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
                    let acc = match kernel {
                        #[cfg(target_arch = "x86_64")]
                        Kernel::Avx2 => $avx2(kc, a, b),
                        Kernel::Portable => tile_portable::<$t, $nr>(kc, a, b),
                    };
                    write_tile(&acc, tile, scale, accumulate)
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

gemm_scalar!(f64, 8, avx2::tile_f64, avx2::partial_dots_f64);
gemm_scalar!(f32, 16, avx2::tile_f32, avx2::partial_dots_f32);

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

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
        if Kernel::detect() != Kernel::Avx2 {
            println!("skipped: this CPU has no AVX2 + FMA");
            return;
        }
        let mut rng = crate::NumpyRng::new(3);
        check::<f64>(&mut rng);
        check::<f32>(&mut rng);
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
            // Split by the pool on 1, 2, 3 threads, and for prediction (the helper thread).
            for (threads, helper) in [(1, false), (2, false), (3, false), (2, true), (3, true)] {
                let mut c = Array2::from_elem((p, q), f64::NAN);
                let mut scratch = if helper { GemmScratch::for_prediction(threads) } else { GemmScratch::new(threads) };
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
}
