//! The scratch buffers of the blocked product: one set per thread, grown on first use and
//! kept, so that a loop repeating the same products allocates only the first time.

use crate::Float;

/// The scratch buffers of one thread: a packed KC × NC block of B (or one ragged panel) and
/// a packed MC × KC block of A (or one ragged panel).
#[derive(Debug, Clone)]
pub(super) struct PackBuffers<T> {
    pub(super) a: Vec<T>,
    pub(super) b: Vec<T>,
}

impl<T: Float> PackBuffers<T> {
    /// Grows the buffers to at least these lengths; they never shrink, so a loop repeating
    /// the same products allocates only the first time.
    pub(super) fn reserve(&mut self, a_len: usize, b_len: usize) {
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
    pub(super) threads: usize,
    /// One set of buffers per thread, made by the first blocked product that needs them
    /// (products without blocking, such as a prediction's, allocate nothing).
    buffers: Vec<PackBuffers<T>>,
    /// Which split products run their second half on the polling helper thread (see
    /// `crate::helper`) rather than on the pool.
    pub(super) helper: HelperUse,
    /// The scratch of two products run side by side, one thread each (see
    /// [`matmul_pair_into`](super::matmul_pair_into)), made on first use.
    pair: Option<Box<[GemmScratch<T>; 2]>>,
}

/// Which products split in two run their second half on the polling helper thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HelperUse {
    /// None: every split runs on the rayon pool.
    Never,
    /// Matrix-vector products (a prediction's).
    MatrixVector,
    /// All of them (training on two threads).
    Always,
}

impl<T: Float> GemmScratch<T> {
    pub(crate) fn new(threads: usize) -> Self {
        GemmScratch { threads: threads.max(1), buffers: Vec::new(), helper: HelperUse::Never, pair: None }
    }

    /// Scratch for prediction: with two threads or more, matrix-vector products from
    /// [`HELPER_THRESHOLD`](super::HELPER_THRESHOLD) multiply-adds on are split with the
    /// helper thread, which a stream of single-example predictions keeps awake. (Training
    /// leaves it alone: its polling would take a core from the pool.)
    pub(crate) fn for_prediction(threads: usize) -> Self {
        let helper = if threads >= 2 { HelperUse::MatrixVector } else { HelperUse::Never };
        GemmScratch { helper, ..GemmScratch::new(threads) }
    }

    /// Scratch for training: on two threads, every product split in two runs its second half
    /// on the helper thread, which polls between the products of an iteration, instead of
    /// waking a sleeping pool thread for each (tens of microseconds on a busy or virtual
    /// machine, as long as a mini-batch's product). More threads use the pool.
    pub(crate) fn for_training(threads: usize) -> Self {
        let helper = if threads == 2 { HelperUse::Always } else { HelperUse::Never };
        GemmScratch { helper, ..GemmScratch::new(threads) }
    }

    /// How a product split in two runs its halves.
    pub(super) fn join(&self) -> super::split::Join {
        match self.helper {
            HelperUse::Always => super::split::Join::Helper,
            HelperUse::Never | HelperUse::MatrixVector => super::split::Join::Pool,
        }
    }

    /// The number of threads the products (and the passes beside them) may use.
    pub(crate) fn threads(&self) -> usize {
        self.threads
    }

    /// The one-thread scratches of two products run side by side.
    pub(super) fn pair(&mut self) -> &mut [GemmScratch<T>; 2] {
        self.pair.get_or_insert_with(|| Box::new([GemmScratch::new(1), GemmScratch::new(1)]))
    }

    /// The buffers of the first `parts` threads.
    pub(super) fn buffers(&mut self, parts: usize) -> &mut [PackBuffers<T>] {
        if self.buffers.len() < parts {
            self.buffers.resize_with(parts, || PackBuffers { a: Vec::new(), b: Vec::new() });
        }
        &mut self.buffers[..parts]
    }
}
