//! Backpropagation against central differences, for every hidden activation × output
//! (sigmoid + cross-entropy, linear + squared error) × depth 1–4, in f64.

use dnn::{gradient_check, gradient_check_l2, Activation, Architecture, Init, Network, NumpyRng};
use ndarray::Array2;

const HIDDEN: [Activation; 5] =
    [Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu(0.05), Activation::Linear];

/// Sizes for a network of `depth` layers on 3 features.
fn sizes(depth: usize) -> Vec<usize> {
    let mut sizes = vec![3];
    sizes.extend([5, 4, 3].iter().take(depth - 1));
    sizes.push(1);
    sizes
}

/// Every |Z| of the hidden layers, to check that ReLU inputs stay away from the kink.
fn smallest_hidden_z(net: &Network<f64>, x: &Array2<f64>) -> f64 {
    let mut ws = dnn::Workspace::new(net, x.ncols());
    net.forward(x.view(), &mut ws);
    (1..net.layers().len())
        .flat_map(|l| ws.z(l).iter().map(|z| z.abs()).collect::<Vec<_>>())
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn backpropagation_matches_central_differences() {
    let mut data_rng = NumpyRng::new(7);
    let x = data_rng.randn_matrix(3, 6);
    let labels = Array2::from_shape_vec((1, 6), vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0]).unwrap();
    let targets = data_rng.randn_matrix(1, 6);
    let mut worst = 0.0f64;
    for output in [Activation::Sigmoid, Activation::Linear] {
        let y = if output == Activation::Sigmoid { &labels } else { &targets };
        for hidden in HIDDEN {
            for depth in 1..=4 {
                let arch = Architecture::new(&sizes(depth), hidden, output).unwrap();
                let mut rng = NumpyRng::new(depth as u32);
                let mut net = Network::<f64>::init(&arch, Init::Xavier, &mut rng).unwrap();
                // Non-zero biases, so that no hidden Z is exactly 0 where a layer below is dead.
                for (_, mut b) in net.layers_mut() {
                    b.mapv_inplace(|_| 0.3 * rng.randn());
                }
                let kink = smallest_hidden_z(&net, &x);
                assert!(kink > 1e-4, "{hidden} depth {depth}: a hidden Z of {kink} is too close to the kink");
                let check = gradient_check(&net, x.view(), y.view(), 1e-6).unwrap();
                assert!(
                    check.relative_error < 1e-7,
                    "{hidden} hidden, {output} output, depth {depth}: relative error {:.3e}",
                    check.relative_error
                );
                assert_eq!(check.analytic.len(), net.parameter_count());
                worst = worst.max(check.relative_error);
            }
        }
    }
    println!("worst relative error over 40 networks: {worst:.2e}");
}

#[test]
fn the_l2_regularised_gradient_matches_central_differences() {
    let mut data_rng = NumpyRng::new(11);
    let x = data_rng.randn_matrix(3, 6);
    let y = Array2::from_shape_vec((1, 6), vec![1.0, 0.0, 0.0, 1.0, 1.0, 0.0]).unwrap();
    let arch = Architecture::new(&sizes(3), Activation::Tanh, Activation::Sigmoid).unwrap();
    let net = Network::<f64>::init(&arch, Init::Xavier, &mut NumpyRng::new(3)).unwrap();
    let plain = gradient_check(&net, x.view(), y.view(), 1e-6).unwrap();
    let check = gradient_check_l2(&net, x.view(), y.view(), 1e-6, 0.7).unwrap();
    assert!(check.relative_error < 1e-7, "relative error {:.3e}", check.relative_error);
    // The regularised gradient is dW + (λ/m)·W: W1[0, 0]'s entry moves by 0.7/6·W1[0, 0].
    let w = net.layers()[0].w()[(0, 0)];
    assert!((check.analytic[0] - plain.analytic[0] - 0.7 / 6.0 * w).abs() < 1e-15);
    // A gradient without L2's term against the regularised cost fails the check.
    let wrong = dnn::GradCheck { analytic: plain.analytic.clone(), ..check.clone() };
    let error = wrong.analytic.iter().zip(&check.numeric).map(|(a, n)| (a - n).powi(2)).sum::<f64>().sqrt();
    assert!(error > 1e-3, "L2's term changes the gradient measurably: {error:.3e}");
}
