//! Activations, their derivatives and the losses, against hand-worked values and the naive
//! formulas where those are accurate.

mod common;

use dnn::activation::{sigmoid, softplus};
use dnn::{Activation, Error, Loss};
use ndarray::{array, Array2};

#[test]
fn sigmoid_of_the_course() {
    // course_results.md, week 2: sigmoid([0, 2]) = [0.5, 0.88079708].
    assert_eq!(sigmoid(0.0f64), 0.5);
    common::assert_abs(sigmoid(2.0f64), 0.88079708, 5e-9, "sigmoid(2)");
}

#[test]
fn sigmoid_is_finite_and_exact_for_huge_inputs() {
    for z in [1e4f64, 800.0, 40.0] {
        assert_eq!(sigmoid(z), 1.0);
        let low = sigmoid(-z);
        assert!(low.is_finite() && low >= 0.0, "sigmoid(-{z}) = {low}");
        // σ(−z) = e^(−z)/(1 + e^(−z)) exactly to rounding.
        let exact = (-z).exp() / (1.0 + (-z).exp());
        assert_eq!(low, exact);
    }
    for z in [1e4f32, 100.0, -100.0, -1e4] {
        let s = sigmoid(z);
        assert!(s.is_finite() && (0.0..=1.0).contains(&s), "f32 sigmoid({z}) = {s}");
    }
    assert_eq!(sigmoid(-1e4f32), 0.0);
    assert_eq!(sigmoid(-30.0f64), (-30.0f64).exp() / (1.0 + (-30.0f64).exp()));
    // Where the naive formula is fine, the two agree to rounding.
    for z in [-5.0f64, -0.3, 0.7, 3.0] {
        let naive = 1.0 / (1.0 + (-z).exp());
        common::assert_rel(sigmoid(z), naive, 1e-15, "sigmoid");
    }
}

#[test]
fn softplus_never_overflows() {
    assert_eq!(softplus(1e4f64), 1e4);
    assert_eq!(softplus(-1e4f64), 0.0);
    common::assert_rel(softplus(0.0f64), std::f64::consts::LN_2, 1e-16, "softplus(0)");
    common::assert_rel(softplus(-40.0f64), (-40.0f64).exp(), 1e-15, "softplus(-40)");
}

#[test]
fn activations_and_derivatives() {
    let z = [-2.0f64, -0.5, 0.0, 0.5, 2.0];
    for (activation, g, dg) in [
        (Activation::Relu, [0.0, 0.0, 0.0, 0.5, 2.0], [0.0, 0.0, 0.0, 1.0, 1.0]),
        (Activation::LeakyRelu(0.01), [-0.02, -0.005, 0.0, 0.5, 2.0], [0.01, 0.01, 0.01, 1.0, 1.0]),
        (Activation::Linear, z, [1.0; 5]),
    ] {
        for i in 0..5 {
            let a = activation.apply(z[i]);
            assert_eq!(a, g[i], "{activation}({})", z[i]);
            assert_eq!(activation.derivative(z[i], a), dg[i], "{activation}'({})", z[i]);
        }
    }
    // ReLU'(0) = 0, as the course's relu_backward (dZ[Z <= 0] = 0).
    assert_eq!(Activation::Relu.derivative(0.0f64, 0.0), 0.0);
    for &zi in &z {
        let (s, t) = (sigmoid(zi), zi.tanh());
        assert_eq!(Activation::Sigmoid.derivative(zi, s), s * (1.0 - s));
        assert_eq!(Activation::Tanh.derivative(zi, t), 1.0 - t * t);
        // Against a central difference (away from leaky ReLU's kink at 0).
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::LeakyRelu(0.2)] {
            if zi == 0.0 && activation == Activation::LeakyRelu(0.2) {
                continue;
            }
            let h = 1e-6;
            let numeric = (activation.apply(zi + h) - activation.apply(zi - h)) / (2.0 * h);
            common::assert_abs(activation.derivative(zi, activation.apply(zi)), numeric, 1e-9, &activation.name());
        }
    }
}

#[test]
fn backward_in_place_multiplies_by_the_derivative() {
    let z = [-1.0f64, 0.0, 3.0];
    let a: Vec<f64> = z.iter().map(|&v| Activation::Tanh.apply(v)).collect();
    let mut dz = [2.0, 2.0, 2.0];
    Activation::Tanh.backward_in_place(&z, &a, &mut dz);
    for i in 0..3 {
        assert_eq!(dz[i], 2.0 * (1.0 - a[i] * a[i]));
    }
}

#[test]
fn activation_names_round_trip() {
    for name in ["sigmoid", "tanh", "relu", "leaky-relu", "leaky-relu:0.2", "linear", "softmax"] {
        let activation: Activation = name.parse().unwrap();
        assert_eq!(activation.name(), name);
    }
    assert_eq!("leaky-relu".parse::<Activation>().unwrap(), Activation::LeakyRelu(0.01));
    for bad in ["soft-max", "leaky-relu:", "leaky-relu:-1", "leaky-relu:1.5", "Relu"] {
        let error = bad.parse::<Activation>().unwrap_err();
        assert!(matches!(&error, Error::Parse { what: "activation", input, .. } if input == bad), "{bad}: {error}");
    }
}

fn naive_cross_entropy(z: &[f64], y: &[f64]) -> f64 {
    let m = z.len() as f64;
    -z.iter()
        .zip(y)
        .map(|(&z, &y)| {
            let a = 1.0 / (1.0 + (-z).exp());
            y * a.ln() + (1.0 - y) * (1.0 - a).ln()
        })
        .sum::<f64>()
        / m
}

fn cost(loss: Loss, z: &[f64], y: &[f64]) -> f64 {
    let z = Array2::from_shape_vec((1, z.len()), z.to_vec()).unwrap();
    let a = z.mapv(sigmoid);
    let y = Array2::from_shape_vec((1, y.len()), y.to_vec()).unwrap();
    loss.cost(z.view(), a.view(), y.view())
}

#[test]
fn cross_entropy_equals_the_naive_formula_where_it_is_accurate() {
    let z: Vec<f64> = (0..41).map(|i| -10.0 + 0.5 * i as f64).collect();
    for label in [0.0, 1.0] {
        let y = vec![label; z.len()];
        common::assert_rel(cost(Loss::CrossEntropy, &z, &y), naive_cross_entropy(&z, &y), 1e-12, "cross-entropy");
    }
}

#[test]
fn cross_entropy_of_the_course() {
    // course_results.md, week 4 step by step: cost(AL = [[.8, .9, .4]], Y = [[1, 1, 0]]).
    let al = [0.8f64, 0.9, 0.4];
    let z: Vec<f64> = al.iter().map(|a| (a / (1.0 - a)).ln()).collect();
    common::assert_rel(cost(Loss::CrossEntropy, &z, &[1.0, 1.0, 0.0]), 0.2797765635793422, 1e-14, "cost");
}

#[test]
fn saturated_cross_entropy_is_large_and_finite() {
    // A confident wrong answer: the naive formula gives log(0) = −inf.
    for (z, y) in [(40.0, 0.0), (-40.0, 1.0), (800.0, 0.0), (-1e4, 1.0)] {
        assert!(naive_cross_entropy(&[z], &[y]).is_infinite() || z.abs() < 100.0);
        let c = cost(Loss::CrossEntropy, &[z], &[y]);
        // −log(1 − σ(z)) = softplus(z) ≈ z for large z.
        common::assert_rel(c, f64::abs(z), 1e-15, "saturated cost");
    }
    // Beyond |z| ≈ 17 the naive log(1 − a) loses every digit; from Z it stays exact.
    let c = cost(Loss::CrossEntropy, &[20.0], &[0.0]);
    common::assert_rel(c, 20.0 + (-20.0f64).exp().ln_1p(), 1e-15, "cost at z = 20");
    // And in f32.
    let z = array![[90.0f32, -90.0]];
    let y = array![[0.0f32, 1.0]];
    let c = Loss::CrossEntropy.cost(z.view(), z.mapv(sigmoid).view(), y.view());
    common::assert_rel(c, 90.0, 1e-12, "f32 saturated cost");
}

#[test]
fn mean_squared_error() {
    let a = array![[1.0f64, 2.0, 4.0]];
    let y = array![[1.0f64, 0.0, 1.0]];
    // (0 + 4 + 9) / 3
    assert_eq!(Loss::MeanSquaredError.cost(a.view(), a.view(), y.view()), 13.0 / 3.0);
    let mut dz = [0.0; 3];
    let (a, y) = (a.as_slice().unwrap(), y.as_slice().unwrap());
    Loss::MeanSquaredError.output_delta_in_place(Activation::Linear, a, a, y, &mut dz);
    assert_eq!(dz, [0.0, 4.0, 6.0]);
}

#[test]
fn cross_entropy_needs_a_sigmoid_output() {
    let error = Loss::CrossEntropy.check_output(Activation::Linear).unwrap_err();
    assert!(matches!(&error, Error::IncompatibleLoss { activation, .. } if activation == "linear"));
    assert_eq!(
        error.to_string(),
        "loss cross-entropy cannot be used with a linear output: cross-entropy needs a sigmoid output; use mean-squared-error otherwise"
    );
}
