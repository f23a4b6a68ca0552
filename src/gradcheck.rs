//! Gradient checking: backpropagation's gradients against central differences of the cost.

use ndarray::ArrayView2;

use crate::network::Workspace;
use crate::regularization::{add_l2_gradient, l2_regularization_cost};
use crate::{Float, Network, Result};

/// The outcome of a gradient check.
#[derive(Debug, Clone, PartialEq)]
pub struct GradCheck {
    /// `‖g − g̃‖₂ / (‖g‖₂ + ‖g̃‖₂)`, with g from backpropagation and g̃ from central
    /// differences. Below about 1e-7 in f64, backpropagation is right.
    pub relative_error: f64,
    /// Backpropagation's gradient, parameters in the order dW1, db1, dW2, db2, … (row-major).
    pub analytic: Vec<f64>,
    /// The central-difference approximation `(J(θ + ε) − J(θ − ε)) / 2ε`, same order.
    pub numeric: Vec<f64>,
}

/// Compares the gradients of `network`'s cost on (X, Y) from backpropagation with central
/// differences of step `epsilon` (1e-7 is the usual choice in f64), one parameter at a time.
///
/// # Shapes
/// `x`: n_x × m; `y`: n\[L\] × m.
pub fn gradient_check<T: Float>(
    network: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    epsilon: f64,
) -> Result<GradCheck> {
    gradient_check_l2(network, x, y, epsilon, 0.0)
}

/// As [`gradient_check`], for the cost with L2 regularisation of strength λ,
/// `J + λ/(2m)·Σ‖W[l]‖²`, whose gradient has `dW[l] + (λ/m)·W[l]`.
///
/// # Shapes
/// `x`: n_x × m; `y`: n\[L\] × m.
pub fn gradient_check_l2<T: Float>(
    network: &Network<T>,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    epsilon: f64,
    lambda: f64,
) -> Result<GradCheck> {
    network.check_input(x)?;
    network.check_labels(y, x.ncols())?;
    let (x, y) = (x.as_standard_layout(), y.as_standard_layout());
    let (x, y) = (x.view(), y.view());
    let mut ws = Workspace::new(network, x.ncols());
    network.forward(x, &mut ws);
    network.backward(x, y, &mut ws);
    let m = x.ncols();
    if lambda > 0.0 {
        add_l2_gradient(network, ws.gradients_mut(), lambda, m, true);
    }
    let analytic: Vec<f64> =
        ws.gradients().iter().flat_map(|g| g.dw.iter().chain(g.db.iter()).map(|v| v.as_f64())).collect();

    let mut probe = network.clone();
    let mut cost_at = |probe: &Network<T>| {
        probe.forward(x, &mut ws);
        probe.cost(&ws, y) + if lambda > 0.0 { l2_regularization_cost(probe, lambda, m) } else { 0.0 }
    };
    let mut numeric = Vec::with_capacity(analytic.len());
    let layer_count = network.layers().len();
    for l in 0..layer_count {
        let (rows, cols) = network.layers()[l].w().dim();
        let params = (0..rows * cols).map(|i| (i, true)).chain((0..rows).map(|i| (i, false)));
        for (i, is_weight) in params {
            let original = *parameter(&mut probe, l, i, is_weight);
            let value = original.as_f64();
            *parameter(&mut probe, l, i, is_weight) = T::from_f64(value + epsilon);
            let plus = cost_at(&probe);
            *parameter(&mut probe, l, i, is_weight) = T::from_f64(value - epsilon);
            let minus = cost_at(&probe);
            *parameter(&mut probe, l, i, is_weight) = original;
            numeric.push((plus - minus) / (2.0 * epsilon));
        }
    }

    let norm = |v: &mut dyn Iterator<Item = f64>| v.map(|e| e * e).sum::<f64>().sqrt();
    let difference = norm(&mut analytic.iter().zip(&numeric).map(|(a, n)| a - n));
    let denominator = norm(&mut analytic.iter().copied()) + norm(&mut numeric.iter().copied());
    let relative_error = if denominator == 0.0 { 0.0 } else { difference / denominator };
    Ok(GradCheck { relative_error, analytic, numeric })
}

/// The i-th weight (row-major) or bias of layer `l` (0-based), mutable.
fn parameter<T: Float>(network: &mut Network<T>, l: usize, i: usize, is_weight: bool) -> &mut T {
    let (w, b) = network.layers_mut().nth(l).expect("layer index in range");
    let layout = "parameters are in standard layout";
    if is_weight {
        &mut w.into_slice().expect(layout)[i]
    } else {
        &mut b.into_slice().expect(layout)[i]
    }
}
