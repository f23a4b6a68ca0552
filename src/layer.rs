//! One fully-connected layer: parameters W\[l\], b\[l\], its activation, the forward/backward
//! pair that training runs over buffers it owns, and the course's step-by-step functions
//! (`linear_forward` … `update_parameters`), which run the same code and allocate their results.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut1, ArrayViewMut2, Axis, Zip};

use crate::activation::{softmax_backward_in_place, softmax_columns_in_place};
use crate::elementwise::{self, Bias};
use crate::linalg::{matmul_into, matmul_pair_into, GemmScratch};
use crate::{Activation, Error, Float, Result};

/// A dense layer `A = g(W·A_prev + b)`.
///
/// Its shapes are checked once, by [`Dense::new`], and cannot change afterwards: the fields
/// are private, read through [`Dense::w`], [`Dense::b`] and [`Dense::activation`], and
/// written only in place ([`Dense::parameters_mut`], [`Network::layers_mut`](crate::Network::layers_mut)).
///
/// # Shapes
/// `w`: n\[l\] × n\[l−1\]; `b`: n\[l\] (the course's n\[l\] × 1 column, broadcast over the m
/// examples).
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<T> {
    /// The weights W\[l\], n\[l\] × n\[l−1\], in standard (row-major) layout.
    w: Array2<T>,
    /// The biases b\[l\], one per unit, contiguous.
    b: Array1<T>,
    /// The activation g\[l\].
    activation: Activation,
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
    /// A layer with weights `w` (n\[l\] × n\[l−1\]), biases `b` (n\[l\], one per row of W) and
    /// activation `g`. Arrays in another memory layout are copied into standard layout.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when W has no rows or no columns (what: `"W"`), or when b
    /// does not have one entry per row of W (what: `"b"`, shapes as n × 1 columns).
    ///
    /// # Example
    /// ```
    /// use dnn::{Activation, Dense, Error};
    /// use ndarray::array;
    ///
    /// let layer = Dense::new(array![[1.0, 2.0], [3.0, 4.0]], array![0.5, -0.5], Activation::Relu)?;
    /// assert_eq!((layer.n_out(), layer.n_in()), (2, 2));
    /// let short = Dense::new(array![[1.0, 2.0], [3.0, 4.0]], array![0.5], Activation::Relu);
    /// assert_eq!(short.unwrap_err().to_string(), "shape mismatch for b: expected (2, 1), found (1, 1)");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(w: Array2<T>, b: Array1<T>, activation: Activation) -> Result<Self> {
        if w.is_empty() {
            return Err(Error::shape("W", (w.nrows().max(1), w.ncols().max(1)), w.dim()));
        }
        if b.len() != w.nrows() {
            return Err(Error::shape("b", (w.nrows(), 1), (b.len(), 1)));
        }
        let w = if w.is_standard_layout() { w } else { w.as_standard_layout().into_owned() };
        let b = if b.is_standard_layout() { b } else { b.as_standard_layout().into_owned() };
        Ok(Dense { w, b, activation })
    }

    /// W\[l\], n\[l\] × n\[l−1\].
    pub fn w(&self) -> &Array2<T> {
        &self.w
    }

    /// b\[l\], n\[l\] entries.
    pub fn b(&self) -> &Array1<T> {
        &self.b
    }

    /// g\[l\].
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// W\[l\] and b\[l\] for changing their values in place; views cannot change a shape.
    pub fn parameters_mut(&mut self) -> (ArrayViewMut2<'_, T>, ArrayViewMut1<'_, T>) {
        (self.w.view_mut(), self.b.view_mut())
    }

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
        self.add_bias_and_activate(z, a, None, scratch.threads());
    }

    /// The pass after the product: `Z += offset + b` (the offset, when given, is a
    /// precomputed part of W·A_prev), then `A = g(Z)`; rows split between up to `threads`
    /// threads when there are many values.
    ///
    /// # Shapes
    /// `z`, `a`, `offset`: n\[l\] × m.
    pub(crate) fn add_bias_and_activate(
        &self,
        z: ArrayViewMut2<T>,
        a: ArrayViewMut2<T>,
        offset: Option<ArrayView2<T>>,
        threads: usize,
    ) {
        let b = self.b.as_slice().expect("b is contiguous");
        match self.activation {
            // Softmax mixes the rows of each column: Z first, then A column by column.
            Activation::Softmax => {
                let mut a = a;
                bias_activate_rows(Activation::Linear, b, z, a.view_mut(), offset, threads);
                softmax_columns_in_place(a);
            }
            g => bias_activate_rows(g, b, z, a, offset, threads),
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
        Zip::from(&mut grads.db).and(dz.rows()).for_each(|db, dz_row| *db = one_over_m * dz_row.sum());
        match (with_dw, da_prev) {
            (true, Some(da_prev)) => matmul_pair_into(
                (grads.dw.view_mut(), one_over_m, dz, a_prev.t()),
                (da_prev, T::one(), self.w.t(), dz),
                scratch,
            ),
            (true, None) => matmul_into(grads.dw.view_mut(), one_over_m, dz, a_prev.t(), scratch),
            (false, Some(da_prev)) => matmul_into(da_prev, T::one(), self.w.t(), dz, scratch),
            (false, None) => {}
        }
    }

    /// Gradient descent on this layer: `W := W − α·dW`, `b := b − α·db`.
    pub(crate) fn update(&mut self, grads: &Gradients<T>, learning_rate: T) {
        Zip::from(&mut self.w).and(&grads.dw).for_each(|w, &dw| *w -= learning_rate * dw);
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

/// `Z += offset + b`, `A = g(Z)` row by row, the rows split in halves between `parts`
/// threads while there are many values (rows are independent: the split changes nothing).
fn bias_activate_rows<T: Float>(
    g: Activation,
    b: &[T],
    mut z: ArrayViewMut2<T>,
    mut a: ArrayViewMut2<T>,
    offset: Option<ArrayView2<T>>,
    parts: usize,
) {
    if z.nrows() >= 2 && elementwise::splits(z.len(), parts) {
        let mid = z.nrows() / 2;
        let (z_top, z_bottom) = z.split_at(Axis(0), mid);
        let (a_top, a_bottom) = a.split_at(Axis(0), mid);
        let (b_top, b_bottom) = b.split_at(mid);
        let (o_top, o_bottom) = match offset {
            Some(o) => {
                let (top, bottom) = o.split_at(Axis(0), mid);
                (Some(top), Some(bottom))
            }
            None => (None, None),
        };
        elementwise::join_halves(
            parts,
            || bias_activate_rows(g, b_top, z_top, a_top, o_top, parts / 2),
            || bias_activate_rows(g, b_bottom, z_bottom, a_bottom, o_bottom, parts - parts / 2),
        );
        return;
    }
    if z.ncols() == 1 {
        // One example: the column in one pass, each value with its own bias.
        let contiguous = "buffers are contiguous";
        elementwise::bias_activate(
            g,
            z.as_slice_memory_order_mut().expect(contiguous),
            a.as_slice_memory_order_mut().expect(contiguous),
            Bias::PerValue(b),
            offset.as_ref().map(|o| o.as_slice_memory_order().expect(contiguous)),
        );
        return;
    }
    for (i, (mut z_row, mut a_row)) in z.rows_mut().into_iter().zip(a.rows_mut()).enumerate() {
        let offset_row = offset.as_ref().map(|o| o.row(i));
        elementwise::bias_activate(
            g,
            z_row.as_slice_mut().expect("buffers are contiguous"),
            a_row.as_slice_mut().expect("buffers are contiguous"),
            Bias::Row(b[i]),
            offset_row.as_ref().map(|o| o.as_slice().expect("contiguous")),
        );
    }
}

/// The course's step-by-step functions for one layer ("Building your deep neural network:
/// step by step"), each one call that allocates its results and checks its arguments' shapes.
/// They run the code training runs ([`Network`](crate::Network) sweeps it over buffers
/// allocated once); the course's cache `((A_prev, W, b), Z)` is the layer itself plus the
/// arrays passed in.
impl<T: Float> Dense<T> {
    /// The course's `linear_forward`: `Z = W·A_prev + b`, b added to every column.
    ///
    /// Z is that of [`Dense::linear_activation_forward`], which this calls and whose A it drops.
    ///
    /// # Shapes
    /// `a_prev`: n\[l−1\] × m with m ≥ 1; Z: n\[l\] × m.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `a_prev` is not n\[l−1\] × m with m ≥ 1.
    ///
    /// # Example
    /// The course's test of `linear_forward`: `np.random.seed(1)`, then A (3×2), W (1×3), b (1×1).
    /// ```
    /// use dnn::{Activation, Dense, NumpyRng};
    ///
    /// let mut rng = NumpyRng::new(1);
    /// let a = rng.randn_matrix(3, 2);
    /// let w = rng.randn_matrix(1, 3);
    /// let b = rng.randn_matrix(1, 1).column(0).to_owned();
    /// let layer = Dense::new(w, b, Activation::Linear)?;
    /// let z = layer.linear_forward(a.view())?;
    /// // The notebook's expected output: Z = [[3.26295337, -1.23429987]].
    /// assert!((z[(0, 0)] - 3.26295337).abs() < 5e-9 && (z[(0, 1)] + 1.23429987).abs() < 5e-9);
    /// # Ok::<(), dnn::Error>(())
    /// ```
    pub fn linear_forward(&self, a_prev: ArrayView2<T>) -> Result<Array2<T>> {
        Ok(self.linear_activation_forward(a_prev)?.0)
    }

    /// The course's `linear_activation_forward`: `Z = W·A_prev + b`, then `A = g(Z)` with this
    /// layer's activation. Returns `(Z, A)`: Z is the course's activation cache, which
    /// [`Dense::linear_activation_backward`] takes back together with A.
    ///
    /// # Shapes
    /// `a_prev`: n\[l−1\] × m with m ≥ 1; Z and A: n\[l\] × m.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `a_prev` is not n\[l−1\] × m with m ≥ 1.
    pub fn linear_activation_forward(&self, a_prev: ArrayView2<T>) -> Result<(Array2<T>, Array2<T>)> {
        check_shape("A_prev", a_prev.dim(), (self.n_in(), a_prev.ncols()))?;
        let mut z = Array2::zeros((self.n_out(), a_prev.ncols()));
        let mut a = Array2::zeros((self.n_out(), a_prev.ncols()));
        self.forward(a_prev, z.view_mut(), a.view_mut(), &mut GemmScratch::new(1));
        Ok((z, a))
    }

    /// The course's `linear_backward`, given dZ of this layer and the A_prev of its forward
    /// pass: `dW = (1/m)·dZ·A_prevᵀ`, `db = (1/m)·Σ_examples dZ`, `dA_prev = Wᵀ·dZ`.
    /// Returns `(dA_prev, Gradients { dw, db })`.
    ///
    /// # Shapes
    /// `dz`: n\[l\] × m with m ≥ 1; `a_prev` and dA_prev: n\[l−1\] × m; dW: n\[l\] × n\[l−1\];
    /// db: n\[l\].
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `dz` or `a_prev` is not shaped as above.
    pub fn linear_backward(&self, dz: ArrayView2<T>, a_prev: ArrayView2<T>) -> Result<(Array2<T>, Gradients<T>)> {
        let m = dz.ncols();
        check_shape("dZ", dz.dim(), (self.n_out(), m))?;
        check_shape("A_prev", a_prev.dim(), (self.n_in(), m))?;
        let mut grads = Gradients::zeros_like(self);
        let mut da_prev = Array2::zeros((self.n_in(), m));
        self.backward(a_prev, dz, &mut grads, true, Some(da_prev.view_mut()), &mut GemmScratch::new(1));
        Ok((da_prev, grads))
    }

    /// The course's `linear_activation_backward`: `dZ = dA ⊙ g′(Z)` (the course's
    /// `relu_backward` / `sigmoid_backward`, here [`Activation::backward_in_place`]), then
    /// [`Dense::linear_backward`]. Returns `(dA_prev, Gradients { dw, db })`.
    ///
    /// g′ is computed from the cached values, as in training: from `a` = g(Z) for sigmoid and
    /// tanh (`a(1 − a)`, `1 − a²`), from `z` for ReLU and leaky ReLU (ReLU′ = 0 where Z ≤ 0,
    /// as the course's `dZ[Z <= 0] = 0`).
    ///
    /// # Shapes
    /// `da`, `z`, `a`: n\[l\] × m with m ≥ 1; `a_prev` and dA_prev: n\[l−1\] × m;
    /// dW: n\[l\] × n\[l−1\]; db: n\[l\].
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when an argument is not shaped as above.
    pub fn linear_activation_backward(
        &self,
        da: ArrayView2<T>,
        z: ArrayView2<T>,
        a: ArrayView2<T>,
        a_prev: ArrayView2<T>,
    ) -> Result<(Array2<T>, Gradients<T>)> {
        let m = da.ncols();
        check_shape("dA", da.dim(), (self.n_out(), m))?;
        check_shape("Z", z.dim(), (self.n_out(), m))?;
        check_shape("A", a.dim(), (self.n_out(), m))?;
        check_shape("A_prev", a_prev.dim(), (self.n_in(), m))?;
        let (z, a) = (z.as_standard_layout(), a.as_standard_layout());
        let mut dz = da.as_standard_layout().into_owned();
        let contiguous = "arrays in standard layout are contiguous";
        if self.activation.is_elementwise() {
            let dz_slice = dz.as_slice_mut().expect(contiguous);
            self.activation.backward_in_place(
                z.as_slice().expect(contiguous),
                a.as_slice().expect(contiguous),
                dz_slice,
            );
        } else {
            softmax_backward_in_place(a.view(), dz.view_mut());
        }
        self.linear_backward(dz.view(), a_prev)
    }

    /// The course's `update_parameters` for this layer, one step of gradient descent:
    /// `W := W − α·dW`, `b := b − α·db`, with α = `learning_rate`.
    ///
    /// # Shapes
    /// `grads.dw`: n\[l\] × n\[l−1\], as W; `grads.db`: n\[l\], as b.
    ///
    /// # Panics
    /// When `grads` is not shaped like this layer's parameters. Gradients from this layer's
    /// [`Dense::linear_backward`] or [`Dense::linear_activation_backward`], or from
    /// [`Gradients::zeros_like`] of it, always are.
    pub fn update_parameters(&mut self, grads: &Gradients<T>, learning_rate: T) {
        assert_eq!(grads.dw.dim(), self.w.dim(), "update_parameters: dW must be shaped like W");
        assert_eq!(grads.db.len(), self.b.len(), "update_parameters: db must be shaped like b");
        self.update(grads, learning_rate);
    }
}

/// Checks one argument of the step-by-step functions: `expected` (rows, columns), with at
/// least one column (one example).
fn check_shape(what: &str, found: (usize, usize), expected: (usize, usize)) -> Result<()> {
    if found == expected && expected.1 > 0 {
        Ok(())
    } else {
        Err(Error::shape(what, (expected.0, expected.1.max(1)), found))
    }
}
