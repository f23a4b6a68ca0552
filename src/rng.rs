//! NumPy's legacy random generator (`np.random.seed` / `np.random.randn`), bit for bit.
//!
//! The course seeds with `np.random.seed(s)` and draws weights with `np.random.randn(r, c)`.
//! Reproducing its numbers needs the same stream: MT19937 seeded by `init_genrand(s)`, the
//! 53-bit uniform double built from two 32-bit outputs, and the Marsaglia polar method that
//! keeps its second value for the next call. Shuffles and permutations draw integers by numpy's
//! masked rejection (`random_interval`), as `np.random.shuffle` and `np.random.permutation` do.

use ndarray::Array2;
use rand_mt::Mt;

/// A seeded generator that draws exactly what NumPy's legacy `RandomState` draws.
///
/// ```
/// use dnn::NumpyRng;
/// let mut rng = NumpyRng::new(1); // np.random.seed(1)
/// assert_eq!(rng.randn(), 1.6243453636632417); // np.random.randn()
/// ```
#[derive(Debug, Clone)]
pub struct NumpyRng {
    mt: Mt,
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// A generator in the state `np.random.seed(seed)` leaves.
    pub fn new(seed: u32) -> Self {
        NumpyRng { mt: Mt::new(seed), cached_gauss: None }
    }

    /// Reseeds, as `np.random.seed(seed)`; also forgets a cached Gaussian value.
    pub fn seed(&mut self, seed: u32) {
        *self = NumpyRng::new(seed);
    }

    /// The next tempered 32-bit output of MT19937.
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// A uniform double in [0, 1) with 53 random bits, as `np.random.random_sample()`.
    pub fn uniform(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67108864.0 + f64::from(b)) / 9007199254740992.0
    }

    /// A standard normal value, as `np.random.randn()` (Marsaglia's polar method).
    pub fn randn(&mut self) -> f64 {
        if let Some(cached) = self.cached_gauss.take() {
            return cached;
        }
        loop {
            let x1 = 2.0 * self.uniform() - 1.0;
            let x2 = 2.0 * self.uniform() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// A `rows × cols` matrix of standard normal values filled row-major, as
    /// `np.random.randn(rows, cols)`: element (i, j) is draw number `i·cols + j`.
    pub fn randn_matrix(&mut self, rows: usize, cols: usize) -> Array2<f64> {
        Array2::from_shape_simple_fn((rows, cols), || self.randn())
    }

    /// A uniform integer in `0..=max`, as NumPy's legacy `random_interval(max)` (the draw
    /// behind `np.random.shuffle` and `np.random.permutation`; `np.random.randint(0, max + 1,
    /// dtype=np.uint64)` draws the same).
    ///
    /// The mask is `max` with every bit below its highest set bit set too; a draw masked with it
    /// is kept when it is at most `max`, otherwise drawn again (rejection, so every value is
    /// equally likely). For `max < 2³²` each try uses one 32-bit output. For larger `max` each
    /// try uses a 64-bit value made of two outputs, the first one as the high word, as numpy's
    /// `next_uint64` for MT19937. `max = 0` returns 0 and draws nothing.
    ///
    /// ```
    /// use dnn::NumpyRng;
    /// let mut rng = NumpyRng::new(5); // np.random.seed(5)
    /// // [np.random.randint(0, 2, dtype=np.uint64) for _ in range(3)]
    /// assert_eq!([rng.interval(1), rng.interval(1), rng.interval(1)], [1, 0, 1]);
    /// ```
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        loop {
            let value = if max <= u64::from(u32::MAX) {
                u64::from(self.next_u32()) & mask
            } else {
                let high = u64::from(self.next_u32());
                (high << 32 | u64::from(self.next_u32())) & mask
            };
            if value <= max {
                return value;
            }
        }
    }

    /// A uniform integer in `0..n` (`n > 0`): [`NumpyRng::interval`]`(n − 1)`, as
    /// `np.random.randint(n)`.
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "below(0) has no value to return");
        self.interval(u64::from(n - 1)) as u32
    }

    /// Shuffles a slice in place, as `np.random.shuffle` does for a list or a 1-D array:
    /// Fisher–Yates from the end, for i = len − 1 down to 1 swap items i and
    /// [`NumpyRng::interval`]`(i)`. It draws only integers, so a cached Gaussian value
    /// ([`NumpyRng::randn`]) is still there afterwards.
    ///
    /// ```
    /// use dnn::NumpyRng;
    /// let mut rng = NumpyRng::new(0); // np.random.seed(0)
    /// let mut a = [0, 1, 2, 3, 4];
    /// rng.shuffle(&mut a); // a = np.arange(5); np.random.shuffle(a)
    /// assert_eq!(a, [2, 0, 1, 3, 4]);
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// The numbers `0..n` in random order, as `np.random.permutation(n)`: `0..n` shuffled by
    /// [`NumpyRng::shuffle`].
    ///
    /// ```
    /// use dnn::NumpyRng;
    /// let mut rng = NumpyRng::new(0); // np.random.seed(0)
    /// assert_eq!(rng.permutation(5), [2, 0, 1, 3, 4]); // np.random.permutation(5)
    /// ```
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        self.shuffle(&mut order);
        order
    }

    /// A normal value with mean 0 and standard deviation `scale`, as
    /// `np.random.normal(scale=scale)`: `0.0 + scale · randn()`, the same polar-method stream
    /// as [`NumpyRng::randn`], cached value included. (The `0.0 +` is numpy's `loc + …`; it
    /// turns −0.0 into 0.0.)
    ///
    /// ```
    /// use dnn::NumpyRng;
    /// let mut rng = NumpyRng::new(1); // np.random.seed(1)
    /// assert_eq!(rng.normal(0.2), 0.32486907273264837); // np.random.normal(scale=0.2)
    /// ```
    pub fn normal(&mut self, scale: f64) -> f64 {
        0.0 + scale * self.randn()
    }
}
