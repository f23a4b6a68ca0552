//! The softmax output with categorical cross-entropy: the activation and its Jacobian, the
//! cost from Z, the fused output gradient, the checks, the predicted classes, the gradient
//! check of whole networks and the model file.

mod common;

use dnn::activation::{softmax_backward_in_place, softmax_columns_in_place};
use dnn::{gradient_check, Activation, Architecture, Dense, Error, Init, Loss, Network, NumpyRng, Workspace};
use ndarray::{array, Array2};

/// The naive softmax of one column, e^z / Σ e^z.
fn naive_softmax(z: &[f64]) -> Vec<f64> {
    let sum: f64 = z.iter().map(|z| z.exp()).sum();
    z.iter().map(|z| z.exp() / sum).collect()
}

#[test]
fn softmax_of_each_column() {
    // Hand-worked: softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096].
    let mut a = array![[1.0f64, 0.0], [2.0, 0.0], [3.0, 0.0]];
    softmax_columns_in_place(a.view_mut());
    for (i, expected) in [0.09003057317038046, 0.24472847105479764, 0.6652409557748219].iter().enumerate() {
        common::assert_rel(a[(i, 0)], *expected, 1e-15, "softmax([1, 2, 3])");
        assert_eq!(a[(i, 1)], 1.0 / 3.0, "equal inputs share the probability");
    }
    // Where the naive formula is fine, the two agree to rounding.
    let z = [-3.5, 0.25, 7.0, 1.0];
    let mut a = Array2::from_shape_vec((4, 1), z.to_vec()).unwrap();
    softmax_columns_in_place(a.view_mut());
    for (i, expected) in naive_softmax(&z).iter().enumerate() {
        common::assert_rel(a[(i, 0)], *expected, 1e-15, "softmax against the naive formula");
    }
}

#[test]
fn softmax_never_overflows() {
    // e^1000 is infinite: the naive formula gives NaN, the shifted one the exact answer.
    let mut a = array![[1000.0f64], [1000.0], [-1000.0]];
    softmax_columns_in_place(a.view_mut());
    assert_eq!(a.column(0).to_vec(), [0.5, 0.5, 0.0]);
    let mut a = array![[100.0f32], [0.0]];
    softmax_columns_in_place(a.view_mut());
    assert_eq!(a.column(0).to_vec(), [1.0, (-100.0f32).exp()]);
}

#[test]
fn softmax_backward_is_the_jacobian_product() {
    // dz_i = Σ_j (∂a_j/∂z_i) da_j, against central differences of Σ_j da_j softmax(z)_j.
    let z = [0.3f64, -1.2, 2.0];
    let da = [0.5f64, -2.0, 1.5];
    let f = |z: &[f64]| naive_softmax(z).iter().zip(&da).map(|(a, d)| a * d).sum::<f64>();
    let a = Array2::from_shape_vec((3, 1), naive_softmax(&z)).unwrap();
    let mut dz = Array2::from_shape_vec((3, 1), da.to_vec()).unwrap();
    softmax_backward_in_place(a.view(), dz.view_mut());
    for i in 0..3 {
        let h = 1e-6;
        let (mut plus, mut minus) = (z, z);
        plus[i] += h;
        minus[i] -= h;
        common::assert_abs(dz[(i, 0)], (f(&plus) - f(&minus)) / (2.0 * h), 1e-9, "softmax backward");
    }
}

#[test]
#[should_panic(expected = "softmax is not element-wise")]
fn softmax_has_no_value_by_value_form() {
    Activation::Softmax.apply(1.0f64);
}

/// The categorical cross-entropy of logits `z` (k × m) against one-hot `y`.
fn categorical_cost(z: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let mut a = z.clone();
    softmax_columns_in_place(a.view_mut());
    Loss::CategoricalCrossEntropy.cost(z.view(), a.view(), y.view())
}

#[test]
fn categorical_cross_entropy_equals_the_naive_formula_where_it_is_accurate() {
    let z = array![[1.0f64, -0.5, 2.0], [2.0, 0.25, -1.0], [3.0, 0.0, 0.5]];
    let y = array![[0.0f64, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]];
    let naive = -(0..3)
        .map(|j| {
            let p = naive_softmax(&z.column(j).to_vec());
            (0..3).map(|i| y[(i, j)] * p[i].ln()).sum::<f64>()
        })
        .sum::<f64>()
        / 3.0;
    common::assert_rel(categorical_cost(&z, &y), naive, 1e-14, "categorical cross-entropy");
    // One column: −log softmax([1, 2, 3])₃ = log(e + e² + e³) − 3.
    let cost = categorical_cost(&array![[1.0], [2.0], [3.0]], &array![[0.0], [0.0], [1.0]]);
    common::assert_rel(cost, 0.40760596444438013, 1e-15, "−log 0.66524096");
}

#[test]
fn saturated_categorical_cross_entropy_is_large_and_finite() {
    // The true class gets e^(−1000)/… = 0 in floating point: the naive cost is −log 0 = inf.
    let z = array![[1000.0f64], [0.0]];
    let y = array![[0.0f64], [1.0]];
    let mut a = z.clone();
    softmax_columns_in_place(a.view_mut());
    assert_eq!(a[(1, 0)], 0.0);
    assert_eq!(categorical_cost(&z, &y), 1000.0);
    // And in f32.
    let z = array![[90.0f32], [-90.0]];
    let mut a = z.clone();
    softmax_columns_in_place(a.view_mut());
    let cost = Loss::CategoricalCrossEntropy.cost(z.view(), a.view(), array![[0.0f32], [1.0]].view());
    common::assert_rel(cost, 180.0, 1e-12, "f32 saturated cost");
}

#[test]
fn the_fused_output_gradient_is_a_minus_y() {
    let a = [0.2f64, 0.7, 0.1];
    let y = [0.0f64, 1.0, 0.0];
    let mut dz = [0.0; 3];
    Loss::CategoricalCrossEntropy.output_delta_in_place(Activation::Softmax, &a, &a, &y, &mut dz);
    assert_eq!(dz, [0.2, 0.7 - 1.0, 0.1]);
}

#[test]
fn softmax_goes_with_categorical_cross_entropy_only() {
    assert_eq!(Loss::for_output(Activation::Softmax), Loss::CategoricalCrossEntropy);
    let messages = [
        (
            Loss::CategoricalCrossEntropy.check_output(Activation::Sigmoid),
            "loss categorical-cross-entropy cannot be used with a sigmoid output: categorical-cross-entropy needs a softmax output",
        ),
        (
            Loss::MeanSquaredError.check_output(Activation::Softmax),
            "loss mean-squared-error cannot be used with a softmax output: a softmax output goes with categorical-cross-entropy",
        ),
        (
            Loss::CrossEntropy.check_output(Activation::Softmax),
            "loss cross-entropy cannot be used with a softmax output: cross-entropy needs a sigmoid output; use mean-squared-error otherwise",
        ),
    ];
    for (result, message) in messages {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
    assert_eq!("categorical-cross-entropy".parse::<Loss>().unwrap(), Loss::CategoricalCrossEntropy);
}

#[test]
fn softmax_is_an_output_of_two_or_more_units() {
    let hidden = Architecture::with_activations(
        &[4, 3, 2],
        vec![Activation::Softmax, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
    );
    assert_eq!(
        hidden.unwrap_err().to_string(),
        "invalid activations softmax for hidden layer 1: softmax only as the output activation"
    );
    let one = Architecture::new(&[4, 3, 1], Activation::Relu, Activation::Softmax);
    assert_eq!(
        one.unwrap_err().to_string(),
        "invalid output softmax over 1 output: softmax needs at least two outputs, one per class; use sigmoid for a single output"
    );
    let layer = Dense::new(array![[1.0f64, 2.0]], array![0.0], Activation::Softmax).unwrap();
    assert!(matches!(
        Network::from_layers(vec![layer], Loss::CategoricalCrossEntropy),
        Err(Error::InvalidHyperparameter { name: "output", .. })
    ));
}

fn softmax_network(sizes: &[usize], hidden: Activation, seed: u32) -> Network<f64> {
    let arch = Architecture::new(sizes, hidden, Activation::Softmax).unwrap();
    let mut rng = NumpyRng::new(seed);
    let mut net = Network::<f64>::init(&arch, Init::Xavier, &mut rng).unwrap();
    for (_, mut b) in net.layers_mut() {
        b.mapv_inplace(|_| 0.3 * rng.randn());
    }
    net
}

/// One-hot labels (k × m) of the classes `classes`.
fn one_hot(classes: &[usize], k: usize) -> Array2<f64> {
    Array2::from_shape_fn((k, classes.len()), |(i, j)| if classes[j] == i { 1.0 } else { 0.0 })
}

#[test]
fn labels_of_a_softmax_network_are_one_hot_columns() {
    let net = softmax_network(&[2, 3], Activation::Relu, 1);
    assert!(net.check_labels(one_hot(&[0, 2, 1], 3).view(), 3).is_ok());
    for bad in [array![[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], array![[1.0, 0.0], [0.0, 0.5], [0.0, 0.5]]] {
        assert_eq!(
            net.check_labels(bad.view(), 2).unwrap_err().to_string(),
            format!(
                "label at example {} is not one-hot: expected a single 1 and 2 zeros in its column",
                if bad[(1, 1)] == 1.0 { 0 } else { 1 }
            )
        );
    }
}

#[test]
fn backpropagation_through_softmax_matches_central_differences() {
    let mut data_rng = NumpyRng::new(11);
    let x = data_rng.randn_matrix(3, 7);
    let y = one_hot(&[0, 3, 1, 2, 3, 0, 1], 4);
    let mut worst = 0.0f64;
    for hidden in
        [Activation::Sigmoid, Activation::Tanh, Activation::Relu, Activation::LeakyRelu(0.05), Activation::Linear]
    {
        for sizes in [vec![3, 4], vec![3, 5, 4], vec![3, 5, 6, 4]] {
            let net = softmax_network(&sizes, hidden, sizes.len() as u32);
            let check = gradient_check(&net, x.view(), y.view(), 1e-6).unwrap();
            assert!(check.relative_error < 1e-7, "{hidden} {sizes:?}: relative error {:.3e}", check.relative_error);
            assert_eq!(check.analytic.len(), net.parameter_count());
            worst = worst.max(check.relative_error);
        }
    }
    println!("worst relative error over 15 softmax networks: {worst:.2e}");
}

#[test]
fn the_step_by_step_backward_of_softmax_is_the_fused_one() {
    // linear_activation_backward with dA = −Y/A (the derivative of −Σ y log a) gives the
    // gradients the fused dZ = A − Y gives in the network's sweep.
    let net = softmax_network(&[3, 4], Activation::Relu, 5);
    let x = NumpyRng::new(2).randn_matrix(3, 5);
    let y = one_hot(&[1, 0, 3, 2, 2], 4);
    let layer = &net.layers()[0];
    let (z, a) = layer.linear_activation_forward(x.view()).unwrap();
    let da = -&y / &a;
    let (_, step) = layer.linear_activation_backward(da.view(), z.view(), a.view(), x.view()).unwrap();
    let mut ws = Workspace::new(&net, 5);
    net.forward(x.view(), &mut ws);
    net.backward(x.view(), y.view(), &mut ws);
    let fused = &ws.gradients()[0];
    for (s, f) in step.dw.iter().chain(&step.db).zip(fused.dw.iter().chain(&fused.db)) {
        common::assert_abs(*s, *f, 1e-15, "dW, db");
    }
}

#[test]
fn predicted_classes_are_the_first_argmax_or_p_above_a_half() {
    let p = array![[0.2f64, 0.4, 0.1], [0.5, 0.4, 0.1], [0.3, 0.2, 0.8]];
    assert_eq!(dnn::metrics::classes_of(p.view()), [1, 0, 2]);
    assert_eq!(dnn::metrics::classes_of(array![[0.5f64, 0.51, 0.0]].view()), [0, 1, 0]);
    // A network's own: the argmax of softmax is the argmax of Z[L].
    let net = softmax_network(&[2, 5, 3], Activation::Tanh, 3);
    let x = NumpyRng::new(4).randn_matrix(2, 9);
    let p = net.predict_proba(x.view()).unwrap();
    for column in p.columns() {
        common::assert_rel(column.sum(), 1.0, 1e-15, "probabilities sum to 1");
    }
    let classes = net.predict_classes(x.view()).unwrap();
    let mut ws = Workspace::new(&net, 9);
    net.forward(x.view(), &mut ws);
    let z = ws.z(2);
    for (j, &class) in classes.iter().enumerate() {
        assert!(z.column(j).iter().all(|&v| v <= z[(class, j)]), "example {j}");
    }
}

#[test]
fn f32_and_f64_agree() {
    let net = softmax_network(&[3, 5, 4], Activation::Relu, 8);
    let x = NumpyRng::new(9).randn_matrix(3, 6);
    let y = one_hot(&[0, 1, 2, 3, 1, 0], 4);
    let net32 = net.cast::<f32>();
    let (mut ws, mut ws32) = (Workspace::new(&net, 6), Workspace::new(&net32, 6));
    net.forward(x.view(), &mut ws);
    net32.forward(x.mapv(|v| v as f32).view(), &mut ws32);
    common::assert_rel(net32.cost(&ws32, y.mapv(|v| v as f32).view()), net.cost(&ws, y.view()), 1e-6, "f32 cost");
}

#[test]
fn a_softmax_model_file_round_trips() {
    let dir = common::temp_dir("softmax-model");
    let net = softmax_network(&[3, 5, 4], Activation::Relu, 6);
    let info = dnn::model_file::ModelInfo {
        class_names: Some(vec!["setosa".into(), "versicolor".into(), "virginica".into(), "other".into()]),
        ..Default::default()
    };
    let path = dir.join("softmax.safetensors");
    dnn::model_file::save(&path, &net, &info).unwrap();
    let (loaded, meta) = dnn::model_file::load::<f64>(&path).unwrap();
    assert_eq!(loaded, net);
    assert_eq!(meta.loss, Loss::CategoricalCrossEntropy);
    assert_eq!(meta.activations.last(), Some(&Activation::Softmax));
    assert_eq!(meta.class_names, info.class_names);
    // Class names must be one per output.
    let wrong = dnn::model_file::ModelInfo { class_names: Some(vec!["a".into(), "b".into()]), ..Default::default() };
    dnn::model_file::save(&path, &net, &wrong).unwrap();
    assert_eq!(
        dnn::model_file::load::<f64>(&path).unwrap_err().to_string(),
        format!(
            "{}: not a valid dnn model file: metadata names 2 classes, expected 4 (one per output)",
            path.display()
        )
    );
}

#[test]
fn softmax_training_is_the_same_bits_on_any_number_of_threads() {
    let mut rng = NumpyRng::new(12);
    let x = rng.randn_matrix(300, 700);
    let classes: Vec<usize> = (0..700).map(|j| (x[(0, j)] > 0.0) as usize + 2 * (x[(1, j)] > 0.0) as usize).collect();
    let y = one_hot(&classes, 4);
    let arch = Architecture::new(&[300, 64, 4], Activation::Relu, Activation::Softmax).unwrap();
    let run = |threads: usize| {
        let net = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
        let config = dnn::TrainConfig::new(0.05, 10).with_threads(threads).check().unwrap();
        dnn::fit(net, x.view(), y.view(), &config).unwrap()
    };
    let (one, one_history) = run(1);
    for threads in [2, 3] {
        let (other, history) = run(threads);
        assert_eq!(history.costs, one_history.costs, "{threads} threads");
        assert_eq!(other, one, "{threads} threads");
    }
}
