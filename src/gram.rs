//! Training the first layer through the Gram matrix of the inputs.
//!
//! Every gradient step adds `dW[1] = (1/m)·dZ[1]·Xᵀ` to W\[1\], so after any number of steps
//! `W[1] = W[1]₀ + C·Xᵀ` for an n\[1\] × m matrix C that starts at 0 and takes
//! `C := C − (α/m)·dZ[1]`. Then
//!
//! `Z[1] = W[1]·X + b[1] = W[1]₀·X + C·(XᵀX) + b[1]`,
//!
//! where `P₀ = W[1]₀·X` (n\[1\] × m) and `G = XᵀX` (m × m) are computed once (momentum and
//! L2 keep the form: see [`GramFirstLayer`]). Each iteration
//! then costs n\[1\]·m² multiply-adds for layer 1 instead of 2·n\[1\]·n_x·m, a saving of about
//! 2·n_x/m: 118× on the course's cat data (n_x = 12288, m = 209). W\[1\] itself is formed once,
//! at the end. The numbers are those of the direct computation up to rounding.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Zip};
use serde::{Deserialize, Serialize};

use crate::linalg::{matmul_into, matmul_packed_into, GemmScratch, PackedB};
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

/// How the Gram form steps W\[1\]: plain gradient descent or momentum, with or without L2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GramStep {
    /// Momentum's β, or `None` for plain gradient descent.
    pub(crate) momentum: Option<f64>,
    /// L2's λ (0 for none).
    pub(crate) l2: f64,
}

/// Columns of G computed at once by [`gram_matrix`].
const GRAM_BLOCK: usize = 128;

/// G = XᵀX (m × m) for X n_x × m: G is symmetric, so each block of GRAM_BLOCK columns is
/// computed down to its last row only (about half the multiply-adds for large m) and the rest
/// copied from the transpose. Element (i, j) and (j, i) sum the same products in the same order,
/// so the copy has the bits the product would have given.
fn gram_matrix<T: Float>(x: ArrayView2<T>, scratch: &mut GemmScratch<T>) -> Array2<T> {
    let m = x.ncols();
    let mut g = Array2::zeros((m, m));
    for j0 in (0..m).step_by(GRAM_BLOCK) {
        let j1 = (j0 + GRAM_BLOCK).min(m);
        let (rows, columns) = (x.slice(s![.., ..j1]), x.slice(s![.., j0..j1]));
        matmul_into(g.slice_mut(s![..j1, j0..j1]), T::one(), rows.t(), columns, scratch);
    }
    for i in 1..m {
        for j in 0..i {
            g[[i, j]] = g[[j, i]];
        }
    }
    g
}

/// The first layer's weights as `s·W[1]₀ + C·Xᵀ`, with `W[1]₀·X` and `XᵀX` precomputed.
///
/// Plain gradient descent keeps s = 1 and takes `C := C − (α/m)·dZ[1]`. With L2,
/// `dW[1] = (1/m)·dZ[1]·Xᵀ + (λ/m)·W[1]` stays of the same form, with the part `(λ/m)·s` on
/// W\[1\]₀ and `(1/m)·dZ[1] + (λ/m)·C` on Xᵀ; momentum's velocity is then of that form too
/// (`v_s·W[1]₀ + V·Xᵀ`), so every step moves only s, C and their velocities. The L2 cost's
/// `‖W[1]‖² = s²·‖W[1]₀‖² + 2s·Σ (P₀ ⊙ C) + Σ ((C·G) ⊙ C)` needs no W\[1\] either.
#[derive(Debug, Clone)]
pub(crate) struct GramFirstLayer<T> {
    /// W\[1\]₀, n\[1\] × n_x.
    w0: Array2<T>,
    /// ‖W\[1\]₀‖², summed in f64.
    w0_squares: f64,
    /// P₀ = W\[1\]₀·X, n\[1\] × m.
    p0: Array2<T>,
    /// s·P₀, the part of Z\[1\] from W\[1\]₀ (P₀ itself while s = 1).
    offset: Array2<T>,
    /// s, W\[1\]₀'s weight in W\[1\].
    s: f64,
    /// G = XᵀX, m × m, packed once for the product C·G of every iteration.
    g: PackedB<T>,
    /// C, n\[1\] × m.
    c: Array2<T>,
    /// Momentum's velocity: V (n\[1\] × m) and v_s.
    velocity: Option<(Array2<T>, f64)>,
    step: GramStep,
    /// Σ ((C·G) ⊙ C) of the last forward product, when L2 needs it.
    cg_dot_c: f64,
}

impl<T: Float> GramFirstLayer<T> {
    /// Precomputes P₀ = W\[1\]₀·X and G = XᵀX.
    ///
    /// # Shapes
    /// `w0`: n\[1\] × n_x; `x`: n_x × m.
    pub(crate) fn new(w0: &Array2<T>, x: ArrayView2<T>, step: GramStep, scratch: &mut GemmScratch<T>) -> Self {
        let (n1, m) = (w0.nrows(), x.ncols());
        let mut p0 = Array2::zeros((n1, m));
        matmul_into(p0.view_mut(), T::one(), w0.view(), x, scratch);
        let g = PackedB::new(gram_matrix(x, scratch).view());
        GramFirstLayer {
            w0: w0.clone(),
            w0_squares: w0.iter().map(|w| w.as_f64().powi(2)).sum(),
            offset: p0.clone(),
            p0,
            s: 1.0,
            g,
            c: Array2::zeros((n1, m)),
            velocity: step.momentum.map(|_| (Array2::zeros((n1, m)), 0.0)),
            step,
            cg_dot_c: 0.0,
        }
    }

    /// `z = C·G`, the part of `W[1]·X` that changes; [`Self::initial_product`] is the rest.
    pub(crate) fn linear_forward_into(&mut self, mut z: ArrayViewMut2<T>, scratch: &mut GemmScratch<T>) {
        matmul_packed_into(z.view_mut(), T::one(), self.c.view(), &self.g, scratch);
        if self.step.l2 > 0.0 {
            self.cg_dot_c = Zip::from(&z).and(&self.c).fold(0.0, |sum, &cg, &c| sum + cg.as_f64() * c.as_f64());
        }
    }

    /// s·P₀ = s·W\[1\]₀·X.
    pub(crate) fn initial_product(&self) -> ArrayView2<'_, T> {
        self.offset.view()
    }

    /// ‖W\[1\]‖² at the last forward sweep, for L2's cost.
    pub(crate) fn first_layer_squares(&self) -> f64 {
        let p0_dot_c = Zip::from(&self.p0).and(&self.c).fold(0.0, |sum, &p, &c| sum + p.as_f64() * c.as_f64());
        self.s * self.s * self.w0_squares + 2.0 * self.s * p0_dot_c + self.cg_dot_c
    }

    /// The step on W\[1\], carried by s and C: plain gradient descent without L2 takes
    /// `C := C − (α/m)·dZ[1]`; otherwise the gradient's parts `g_C = (1/m)·dZ[1] + (λ/m)·C`
    /// and `g_s = (λ/m)·s` go through momentum (`V := β·V + (1 − β)·g_C`, the same for v_s)
    /// when it is on, and then `C := C − α·V` (or `− α·g_C`), `s := s − α·v_s` (or `− α·g_s`).
    pub(crate) fn update(&mut self, dz1: ArrayView2<T>, learning_rate: T) {
        let m = dz1.ncols() as f64;
        let GramStep { momentum, l2 } = self.step;
        if momentum.is_none() && l2 == 0.0 {
            let step = learning_rate / T::from_f64(m);
            Zip::from(&mut self.c).and(&dz1).for_each(|c, &dz| *c -= step * dz);
            return;
        }
        let alpha = learning_rate.as_f64();
        let (one_over_m, l2_over_m) = (T::from_f64(1.0 / m), T::from_f64(l2 / m));
        let g_s = l2 / m * self.s;
        match (&mut self.velocity, momentum) {
            (Some((v, v_s)), Some(beta)) => {
                let (b, one_minus_b) = (T::from_f64(beta), T::from_f64(1.0 - beta));
                Zip::from(&mut self.c).and(v).and(&dz1).for_each(|c, v, &dz| {
                    *v = b * *v + one_minus_b * (one_over_m * dz + l2_over_m * *c);
                    *c -= learning_rate * *v;
                });
                *v_s = beta * *v_s + (1.0 - beta) * g_s;
                self.s -= alpha * *v_s;
            }
            _ => {
                Zip::from(&mut self.c)
                    .and(&dz1)
                    .for_each(|c, &dz| *c -= learning_rate * (one_over_m * dz + l2_over_m * *c));
                self.s -= alpha * g_s;
            }
        }
        // Only L2 moves s (momentum alone keeps v_s = 0 and s = 1).
        if l2 > 0.0 {
            let s = T::from_f64(self.s);
            Zip::from(&mut self.offset).and(&self.p0).for_each(|o, &p| *o = s * p);
        }
    }

    /// W\[1\] = s·W\[1\]₀ + C·Xᵀ.
    pub(crate) fn weights(&self, x: ArrayView2<T>, scratch: &mut GemmScratch<T>) -> Array2<T> {
        let mut w = Array2::zeros(self.w0.raw_dim());
        matmul_into(w.view_mut(), T::one(), self.c.view(), x.t(), scratch);
        let s = T::from_f64(self.s);
        Zip::from(&mut w).and(&self.w0).for_each(|w, &w0| *w += s * w0);
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// G computed by blocks above the diagonal and mirrored has the bits of the whole product
    /// XᵀX, on 1 and 2 threads: m = 300 (three blocks, the last ragged) and m = 3 (one block).
    #[test]
    fn the_gram_matrix_by_blocks_is_the_whole_product() {
        let mut rng = crate::NumpyRng::new(3);
        for (n_x, m) in [(700usize, 300usize), (40, 3)] {
            let x = rng.randn_matrix(n_x, m);
            let mut whole = Array2::zeros((m, m));
            matmul_into(whole.view_mut(), 1.0, x.t(), x.view(), &mut GemmScratch::new(1));
            for threads in [1, 2] {
                let g = gram_matrix(x.view(), &mut GemmScratch::new(threads));
                assert!(
                    g.iter().zip(&whole).all(|(a, b)| a.to_bits() == b.to_bits()),
                    "n_x {n_x}, m {m}, {threads} threads"
                );
            }
        }
    }
}
