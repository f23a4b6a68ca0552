//! Regularisation: the L2 penalty on the weights and inverted dropout's masks, forward and
//! backward, as the course writes them.

use ndarray::{ArrayView2, ArrayViewMut2, Zip};

use crate::layer::Gradients;
use crate::{Float, Network, NumpyRng};

/// The L2 term of the cost, `λ/(2m)·(Σ‖W[1]‖² + … + Σ‖W[L]‖²)` (squares summed in f64), for
/// a batch of m examples.
pub fn l2_regularization_cost<T: Float>(network: &Network<T>, lambda: f64, m: usize) -> f64 {
    l2_cost_given_first(network, lambda, m, None)
}

/// As [`l2_regularization_cost`], with ‖W\[1\]‖² given when W\[1\] is carried elsewhere
/// (the Gram form).
pub(crate) fn l2_cost_given_first<T: Float>(network: &Network<T>, lambda: f64, m: usize, first: Option<f64>) -> f64 {
    let squares = |layer: &crate::Dense<T>| layer.w().iter().map(|w| w.as_f64().powi(2)).sum::<f64>();
    let layers = network.layers();
    let first = first.unwrap_or_else(|| squares(&layers[0]));
    let rest: f64 = layers[1..].iter().map(squares).sum();
    lambda / (2.0 * m as f64) * (first + rest)
}

/// L2's part of the gradient, in place: `dW[l] += (λ/m)·W[l]` for every layer (`first_w`
/// false skips layer 1, whose dW the Gram form does not form).
pub fn add_l2_gradient<T: Float>(
    network: &Network<T>,
    grads: &mut [Gradients<T>],
    lambda: f64,
    m: usize,
    first_w: bool,
) {
    let scale = T::from_f64(lambda / m as f64);
    for (l, (layer, grads)) in network.layers().iter().zip(grads).enumerate() {
        if l > 0 || first_w {
            Zip::from(&mut grads.dw).and(layer.w()).for_each(|dw, &w| *dw += scale * w);
        }
    }
}

/// Inverted dropout's forward step for one hidden layer: draws `D = rand(n, m) < keep_prob`
/// from `rng` (row-major, as `np.random.rand(n, m)` fills it), stores D (as 0 and 1) in `mask`
/// and writes `kept = (A⊙D) / keep_prob`.
///
/// # Shapes
/// `a`, `mask`, `kept`: n\[l\] × m, standard layout.
pub fn dropout_forward<T: Float>(
    a: ArrayView2<T>,
    mut mask: ArrayViewMut2<T>,
    mut kept: ArrayViewMut2<T>,
    keep_prob: f64,
    rng: &mut NumpyRng,
) {
    let kp = T::from_f64(keep_prob);
    let mask = mask.as_slice_mut().expect("masks are contiguous");
    let kept = kept.as_slice_mut().expect("buffers are contiguous");
    let a = a.as_slice().expect("buffers are contiguous");
    for ((d, kept), &a) in mask.iter_mut().zip(kept.iter_mut()).zip(a) {
        *d = if rng.uniform() < keep_prob { T::one() } else { T::zero() };
        *kept = (a * *d) / kp;
    }
}

/// Inverted dropout's backward step, in place: `dA := (dA⊙D) / keep_prob` with the mask of
/// the forward pass.
///
/// # Shapes
/// `da`, `mask`: n\[l\] × m.
pub fn dropout_backward<T: Float>(mut da: ArrayViewMut2<T>, mask: ArrayView2<T>, keep_prob: f64) {
    let kp = T::from_f64(keep_prob);
    Zip::from(&mut da).and(&mask).for_each(|da, &d| *da = (*da * d) / kp);
}
