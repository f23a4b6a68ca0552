//! One fully-connected layer: parameters W\[l\], b\[l\], its activation, and the
//! forward/backward pair of the course's `linear_activation_forward` / `linear_backward`.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Zip};

use crate::elementwise;
use crate::linalg::{matmul_into, GemmScratch};
use crate::{Activation, Float};

/// A dense layer `A = g(W·A_prev + b)`.
///
/// # Shapes
/// `w`: n\[l\] × n\[l−1\]; `b`: n\[l\] (the course's n\[l\] × 1 column, broadcast over the m
/// examples).
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<T> {
    /// The weights W\[l\], n\[l\] × n\[l−1\].
    pub w: Array2<T>,
    /// The biases b\[l\], one per unit.
    pub b: Array1<T>,
    /// The activation g\[l\].
    pub activation: Activation,
}

/// The gradients of the cost with respect to one layer's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients<T> {
    /// dW\[l\] = (1/m) dZ\[l\] A\[l−1\]ᵀ, n\[l\] × n\[l−1\].
    pub dw: Array2<T>,
    /// db\[l\] = (1/m) Σ over examples of dZ\[l\], length n\[l\].
    pub db: Array1<T>,
}

impl<T: Float> Gradients<T> {
    /// Zero gradients shaped like `layer`'s parameters.
    pub fn zeros_like(layer: &Dense<T>) -> Self {
        Gradients { dw: Array2::zeros(layer.w.raw_dim()), db: Array1::zeros(layer.b.raw_dim()) }
    }
}

impl<T: Float> Dense<T> {
    /// n\[l−1\], the number of inputs.
    pub fn n_in(&self) -> usize {
        self.w.ncols()
    }

    /// n\[l\], the number of units.
    pub fn n_out(&self) -> usize {
        self.w.nrows()
    }

    /// Forward: `Z = W·A_prev + b`, then `A = g(Z)`, writing both into caller-owned buffers.
    /// The bias add and the activation share one pass over Z after the product.
    ///
    /// # Shapes
    /// `a_prev`: n\[l−1\] × m; `z`, `a`: n\[l\] × m.
    pub(crate) fn forward(
        &self,
        a_prev: ArrayView2<T>,
        mut z: ArrayViewMut2<T>,
        a: ArrayViewMut2<T>,
        scratch: &mut GemmScratch<T>,
    ) {
        matmul_into(z.view_mut(), T::one(), self.w.view(), a_prev, scratch);
        self.add_bias_and_activate(z, a, None);
    }

    /// The pass after the product: `Z += offset + b` (the offset, when given, is a
    /// precomputed part of W·A_prev), then `A = g(Z)`.
    ///
    /// # Shapes
    /// `z`, `a`, `offset`: n\[l\] × m.
    pub(crate) fn add_bias_and_activate(
        &self,
        mut z: ArrayViewMut2<T>,
        mut a: ArrayViewMut2<T>,
        offset: Option<ArrayView2<T>>,
    ) {
        for (i, (mut z_row, mut a_row)) in z.rows_mut().into_iter().zip(a.rows_mut()).enumerate() {
            let offset_row = offset.as_ref().map(|o| o.row(i));
            elementwise::bias_activate(
                self.activation,
                z_row.as_slice_mut().expect("buffers are contiguous"),
                a_row.as_slice_mut().expect("buffers are contiguous"),
                self.b[i],
                offset_row.as_ref().map(|o| o.as_slice().expect("contiguous")),
            );
        }
    }

    /// Backward for the linear part, given `dZ[l]`:
    /// `dW = (1/m)·dZ·A_prevᵀ` (unless `with_dw` is false), `db = (1/m)·Σ_examples dZ`, and,
    /// when asked for, `dA_prev = Wᵀ·dZ` (never for the first layer: nothing needs the
    /// gradient of X).
    ///
    /// # Shapes
    /// `a_prev`: n\[l−1\] × m; `dz`: n\[l\] × m; `da_prev`: n\[l−1\] × m.
    pub(crate) fn backward(
        &self,
        a_prev: ArrayView2<T>,
        dz: ArrayView2<T>,
        grads: &mut Gradients<T>,
        with_dw: bool,
        da_prev: Option<ArrayViewMut2<T>>,
        scratch: &mut GemmScratch<T>,
    ) {
        let one_over_m = T::one() / T::from_f64(dz.ncols() as f64);
        if with_dw {
            matmul_into(grads.dw.view_mut(), one_over_m, dz, a_prev.t(), scratch);
        }
        Zip::from(&mut grads.db).and(dz.rows()).for_each(|db, dz_row| *db = one_over_m * dz_row.sum());
        if let Some(da_prev) = da_prev {
            matmul_into(da_prev, T::one(), self.w.t(), dz, scratch);
        }
    }

    /// Gradient descent on this layer: `W := W − α·dW` (unless `with_w` is false: W is then
    /// carried elsewhere), `b := b − α·db`.
    pub(crate) fn update(&mut self, grads: &Gradients<T>, learning_rate: T, with_w: bool) {
        if with_w {
            Zip::from(&mut self.w).and(&grads.dw).for_each(|w, &dw| *w -= learning_rate * dw);
        }
        Zip::from(&mut self.b).and(&grads.db).for_each(|b, &db| *b -= learning_rate * db);
    }

    /// The same layer in another float type.
    pub fn cast<U: Float>(&self) -> Dense<U> {
        Dense {
            w: self.w.mapv(|v| U::from_f64(v.as_f64())),
            b: self.b.mapv(|v| U::from_f64(v.as_f64())),
            activation: self.activation,
        }
    }
}
