//! NumPy's legacy random generator (`np.random.seed` / `np.random.randn`), bit for bit.
//!
//! The course seeds with `np.random.seed(s)` and draws weights with `np.random.randn(r, c)`.
//! Reproducing its numbers needs the same stream: MT19937 seeded by `init_genrand(s)`, the
//! 53-bit uniform double built from two 32-bit outputs, and the Marsaglia polar method that
//! keeps its second value for the next call.

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

    /// A uniform integer in `0..n` (`n > 0`), by NumPy's legacy masked rejection sampling
    /// (`np.random.randint(n)` for `n < 2³²`).
    pub fn below(&mut self, n: u32) -> u32 {
        assert!(n > 0, "below(0) has no value to return");
        let max = n - 1;
        if max == 0 {
            return 0;
        }
        let mask = u32::MAX >> max.leading_zeros();
        loop {
            let value = self.next_u32() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// Shuffles a slice in place, as `np.random.shuffle` does for a 1-D array.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u32 + 1) as usize;
            items.swap(i, j);
        }
    }
}
