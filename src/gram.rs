//! Training the first layer through the Gram matrix of the inputs.
//!
//! Every gradient step adds `dW[1] = (1/m)·dZ[1]·Xᵀ` to W\[1\], so after any number of steps
//! `W[1] = W[1]₀ + C·Xᵀ` for an n\[1\] × m matrix C that starts at 0 and takes
//! `C := C − (α/m)·dZ[1]`. Then
//!
//! `Z[1] = W[1]·X + b[1] = W[1]₀·X + C·(XᵀX) + b[1]`,
//!
//! where `P₀ = W[1]₀·X` (n\[1\] × m) and `G = XᵀX` (m × m) are computed once. Each iteration
//! then costs n\[1\]·m² multiply-adds for layer 1 instead of 2·n\[1\]·n_x·m, a saving of about
//! 2·n_x/m: 118× on the course's cat data (n_x = 12288, m = 209). W\[1\] itself is formed once,
//! at the end. The numbers are those of the direct computation up to rounding.

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::{matmul_into, GemmScratch};
use crate::Float;

/// Whether training carries the first layer in the Gram form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GramMode {
    /// When it does less work: m ≤ n_x / 2, and G (m² values) takes at most 1 GiB.
    #[default]
    Auto,
    /// Always.
    On,
    /// Never: W\[1\] is updated directly every iteration, as the course does.
    Off,
}

impl GramMode {
    /// Whether to use the Gram form for m examples of n_x features in a `bytes`-wide type.
    pub fn applies(self, n_x: usize, m: usize, bytes: usize) -> bool {
        match self {
            GramMode::On => true,
            GramMode::Off => false,
            GramMode::Auto => 2 * m <= n_x && m.saturating_mul(m).saturating_mul(bytes) <= 1 << 30,
        }
    }
}

/// The first layer's weights as `W[1]₀ + C·Xᵀ`, with `W[1]₀·X` and `XᵀX` precomputed.
#[derive(Debug, Clone)]
pub(crate) struct GramFirstLayer<T> {
    /// W\[1\]₀, n\[1\] × n_x.
    w0: Array2<T>,
    /// P₀ = W\[1\]₀·X, n\[1\] × m.
    p0: Array2<T>,
    /// G = XᵀX, m × m.
    g: Array2<T>,
    /// C, n\[1\] × m.
    c: Array2<T>,
}

impl<T: Float> GramFirstLayer<T> {
    /// Precomputes P₀ = W\[1\]₀·X and G = XᵀX.
    ///
    /// # Shapes
    /// `w0`: n\[1\] × n_x; `x`: n_x × m.
    pub(crate) fn new(w0: &Array2<T>, x: ArrayView2<T>, scratch: &mut GemmScratch<T>) -> Self {
        let (n1, m) = (w0.nrows(), x.ncols());
        let mut p0 = Array2::zeros((n1, m));
        matmul_into(p0.view_mut(), T::one(), w0.view(), x, scratch);
        let mut g = Array2::zeros((m, m));
        matmul_into(g.view_mut(), T::one(), x.t(), x, scratch);
        GramFirstLayer { w0: w0.clone(), p0, g, c: Array2::zeros((n1, m)) }
    }

    /// `z = C·G`, the part of `W[1]·X` that changes; [`Self::initial_product`] is the rest.
    pub(crate) fn linear_forward_into(&self, z: ArrayViewMut2<T>, scratch: &mut GemmScratch<T>) {
        matmul_into(z, T::one(), self.c.view(), self.g.view(), scratch);
    }

    /// P₀ = W\[1\]₀·X.
    pub(crate) fn initial_product(&self) -> ArrayView2<'_, T> {
        self.p0.view()
    }

    /// The gradient step on W\[1\], carried by C: `C := C − (α/m)·dZ[1]`.
    pub(crate) fn update(&mut self, dz1: ArrayView2<T>, learning_rate: T) {
        let step = learning_rate / T::from_f64(dz1.ncols() as f64);
        Zip::from(&mut self.c).and(&dz1).for_each(|c, &dz| *c -= step * dz);
    }

    /// W\[1\] = W\[1\]₀ + C·Xᵀ.
    pub(crate) fn weights(&self, x: ArrayView2<T>, scratch: &mut GemmScratch<T>) -> Array2<T> {
        let mut w = Array2::zeros(self.w0.raw_dim());
        matmul_into(w.view_mut(), T::one(), self.c.view(), x.t(), scratch);
        w += &self.w0;
        w
    }
}
