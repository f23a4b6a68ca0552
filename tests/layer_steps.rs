//! The course's step-by-step functions for one layer (`Dense::linear_forward` …
//! `Dense::update_parameters`) on the notebook's own test inputs, and against the network's
//! backward sweep and update on a real network.
//!
//! Source of every golden value: the "expected output" cells of the week 4 notebook "Building
//! your Deep Neural Network: Step by Step", also printed by examples/deep_step_by_step.rs
//! (quoted beside each). Numpy prints them with 8 decimals, so they are known to ±5e-9. The
//! inputs are the notebook's: `np.random.seed(s)`, then `np.random.randn(rows, cols)` for each
//! array in order, which `NumpyRng` reproduces bit for bit.

mod common;

use dnn::{Activation, Dense, Error, Gradients, Loss, Network, NumpyRng, Workspace};
use ndarray::{array, Array1, Array2, ArrayView2, Axis, Zip};

/// Numpy's printed precision.
const PRINTED: f64 = 5e-9;

/// `np.random.seed(seed)`, then `np.random.randn(rows, cols)` for each shape in order.
fn draws<const N: usize>(seed: u32, shapes: [(usize, usize); N]) -> [Array2<f64>; N] {
    let mut rng = NumpyRng::new(seed);
    shapes.map(|(rows, cols)| rng.randn_matrix(rows, cols))
}

/// A layer from the course's W (n[l] × n[l−1]) and column b (n[l] × 1).
fn dense(w: &Array2<f64>, b: &Array2<f64>, activation: Activation) -> Dense<f64> {
    Dense::new(w.clone(), b.column(0).to_owned(), activation).unwrap()
}

/// A bias or db vector as the course's column n[l] × 1.
fn column(v: &Array1<f64>) -> ArrayView2<'_, f64> {
    v.view().insert_axis(Axis(1))
}

/// Every entry of `got` within `tolerance` of `want`, same shapes.
#[track_caller]
fn assert_matrix(got: ArrayView2<f64>, want: ArrayView2<f64>, tolerance: f64, what: &str) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for ((index, &g), &w) in got.indexed_iter().zip(want.iter()) {
        common::assert_abs(g, w, tolerance, &format!("{what}{index:?}"));
    }
}

/// The notebook's linear_activation_backward on a random cache: the activation cache holds Z
/// alone, so A = g(Z) is recomputed from it.
fn backward_from_z(
    layer: &Dense<f64>,
    da: &Array2<f64>,
    z: &Array2<f64>,
    a_prev: &Array2<f64>,
) -> (Array2<f64>, Gradients<f64>) {
    let a = z.mapv(|v| layer.activation().apply(v));
    layer.linear_activation_backward(da.view(), z.view(), a.view(), a_prev.view()).unwrap()
}

/// The notebook's dAL = −(Y / AL − (1 − Y) / (1 − AL)), the first step of L_model_backward.
fn cost_gradient(al: ArrayView2<f64>, y: ArrayView2<f64>) -> Array2<f64> {
    Zip::from(al).and(y).map_collect(|&a, &y| -(y / a - (1.0 - y) / (1.0 - a)))
}

#[test]
fn linear_forward_of_the_notebook() {
    // linear_forward_test_case (np.random.seed(1): A 3×2, W 1×3, b 1×1):
    // "Z = [[ 3.26295337 -1.23429987]]"
    let [a, w, b] = draws(1, [(3, 2), (1, 3), (1, 1)]);
    let z = dense(&w, &b, Activation::Linear).linear_forward(a.view()).unwrap();
    assert_matrix(z.view(), array![[3.26295337, -1.23429987]].view(), PRINTED, "Z");
    // Z does not depend on the activation.
    let z_relu = dense(&w, &b, Activation::Relu).linear_forward(a.view()).unwrap();
    assert_eq!(z_relu, z);
}

#[test]
fn linear_activation_forward_of_the_notebook() {
    // linear_activation_forward_test_case (np.random.seed(2): A_prev 3×2, W 1×3, b 1×1):
    // "With sigmoid: A = [[ 0.96890023  0.11013289]]", "With ReLU: A = [[ 3.43896131  0. ]]"
    let [a_prev, w, b] = draws(2, [(3, 2), (1, 3), (1, 1)]);
    let (z, a) = dense(&w, &b, Activation::Sigmoid).linear_activation_forward(a_prev.view()).unwrap();
    assert_matrix(a.view(), array![[0.96890023, 0.11013289]].view(), PRINTED, "A with sigmoid");
    assert_matrix(z.view(), (w.dot(&a_prev) + &b).view(), 1e-15, "Z = W·A_prev + b");
    let (_, a) = dense(&w, &b, Activation::Relu).linear_activation_forward(a_prev.view()).unwrap();
    assert_matrix(a.view(), array![[3.43896131, 0.0]].view(), PRINTED, "A with ReLU");
}

#[test]
fn linear_backward_of_the_notebook() {
    // linear_backward_test_case (np.random.seed(1): dZ 3×4, A_prev 5×4, W 3×5, b 3×1):
    // "dA_prev = [[-1.15171336  0.06718465 -0.3204696   2.09812712] [ 0.60345879 -3.72508701
    //  5.81700741 -3.84326836] [-0.4319552  -1.30987417  1.72354705  0.05070578]
    //  [-0.38981415  0.60811244 -1.25938424  1.47191593] [-2.52214926  2.67882552 -0.67947465
    //  1.48119548]]", "dW = [[ 0.07313866 -0.0976715  -0.87585828  0.73763362  0.00785716]
    //  [ 0.85508818  0.37530413 -0.59912655  0.71278189 -0.58931808] [ 0.97913304 -0.24376494
    //  -0.08839671  0.55151192 -0.10290907]]", "db = [[-0.14713786] [-0.11313155] [-0.13209101]]"
    let [dz, a_prev, w, b] = draws(1, [(3, 4), (5, 4), (3, 5), (3, 1)]);
    let (da_prev, grads) = dense(&w, &b, Activation::Linear).linear_backward(dz.view(), a_prev.view()).unwrap();
    let expected = array![
        [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
        [0.60345879, -3.72508701, 5.81700741, -3.84326836],
        [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
        [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
        [-2.52214926, 2.67882552, -0.67947465, 1.48119548]
    ];
    assert_matrix(da_prev.view(), expected.view(), PRINTED, "dA_prev");
    let expected = array![
        [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
        [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
        [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]
    ];
    assert_matrix(grads.dw.view(), expected.view(), PRINTED, "dW");
    let expected = array![[-0.14713786], [-0.11313155], [-0.13209101]];
    assert_matrix(column(&grads.db), expected.view(), PRINTED, "db");
}

#[test]
fn linear_activation_backward_of_the_notebook() {
    // linear_activation_backward_test_case (np.random.seed(2): dA 1×2, A_prev 3×2, W 1×3,
    // b 1×1, Z 1×2):
    // "sigmoid: dA_prev = [[ 0.11017994  0.01105339] [ 0.09466817  0.00949723]
    //  [-0.05743092 -0.00576154]], dW = [[ 0.10266786  0.09778551 -0.01968084]],
    //  db = [[-0.05729622]]"
    // "relu: dA_prev = [[ 0.44090989  0. ] [ 0.37883606  0. ] [-0.2298228   0. ]],
    //  dW = [[ 0.44513824  0.37371418 -0.10478989]], db = [[-0.20837892]]"
    let [da, a_prev, w, b, z] = draws(2, [(1, 2), (3, 2), (1, 3), (1, 1), (1, 2)]);
    let (da_prev, grads) = backward_from_z(&dense(&w, &b, Activation::Sigmoid), &da, &z, &a_prev);
    let expected = array![[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]];
    assert_matrix(da_prev.view(), expected.view(), PRINTED, "sigmoid: dA_prev");
    assert_matrix(grads.dw.view(), array![[0.10266786, 0.09778551, -0.01968084]].view(), PRINTED, "sigmoid: dW");
    assert_matrix(column(&grads.db), array![[-0.05729622]].view(), PRINTED, "sigmoid: db");

    let (da_prev, grads) = backward_from_z(&dense(&w, &b, Activation::Relu), &da, &z, &a_prev);
    let expected = array![[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]];
    assert_matrix(da_prev.view(), expected.view(), PRINTED, "ReLU: dA_prev");
    assert_matrix(grads.dw.view(), array![[0.44513824, 0.37371418, -0.10478989]].view(), PRINTED, "ReLU: dW");
    assert_matrix(column(&grads.db), array![[-0.20837892]].view(), PRINTED, "ReLU: db");
}

#[test]
fn l_model_backward_of_the_notebook_from_dal() {
    // L_model_backward_test_case (np.random.seed(3): AL 1×2; layer 1's cache A0 4×2, W1 3×4,
    // b1 3×1, Z1 3×2; layer 2's A1 3×2, W2 1×3, b2 1×1, Z2 1×2; Y = [[1, 0]]):
    // "dW1 = [[ 0.41010002  0.07807203  0.13798444  0.10502167] [ 0. 0. 0. 0. ]
    //  [ 0.05283652  0.01005865  0.01777766  0.0135308 ]]",
    // "db1 = [[-0.22007063] [ 0. ] [-0.02835349]]",
    // "dA1 = [[ 0.12913162 -0.44014127] [-0.14175655  0.48317296] [ 0.01663708 -0.05670698]]"
    let [al, a0, w1, b1, z1, a1, w2, b2, z2] =
        draws(3, [(1, 2), (4, 2), (3, 4), (3, 1), (3, 2), (3, 2), (1, 3), (1, 1), (1, 2)]);
    let y = array![[1.0, 0.0]];
    let dal = cost_gradient(al.view(), y.view());
    let (da1, _) = backward_from_z(&dense(&w2, &b2, Activation::Sigmoid), &dal, &z2, &a1);
    let (_, grads1) = backward_from_z(&dense(&w1, &b1, Activation::Relu), &da1, &z1, &a0);
    let expected = array![
        [0.41010002, 0.07807203, 0.13798444, 0.10502167],
        [0.0, 0.0, 0.0, 0.0],
        [0.05283652, 0.01005865, 0.01777766, 0.0135308]
    ];
    assert_matrix(grads1.dw.view(), expected.view(), PRINTED, "dW1");
    assert_matrix(column(&grads1.db), array![[-0.22007063], [0.0], [-0.02835349]].view(), PRINTED, "db1");
    let expected = array![[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]];
    assert_matrix(da1.view(), expected.view(), PRINTED, "dA1");
}

#[test]
fn update_parameters_of_the_notebook() {
    // update_parameters_test_case: parameters after np.random.seed(2) (W1 3×4, b1 3×1, W2 1×3,
    // b2 1×1), gradients after np.random.seed(3) (same shapes), learning rate 0.1:
    // "W1 = [[-0.59562069 -0.09991781 -2.14584584  1.82662008] [-1.76569676 -0.80627147
    //  0.51115557 -1.18258802] [-1.0535704  -0.86128581  0.68284052  2.20374577]]",
    // "b1 = [[-0.04659241] [-1.28888275] [ 0.53405496]]", "W2 = [[-0.55569196  0.0354055
    //  1.32964895]]", "b2 = [[-0.84610769]]"
    let shapes = [(3, 4), (3, 1), (1, 3), (1, 1)];
    let [w1, b1, w2, b2] = draws(2, shapes);
    let [dw1, db1, dw2, db2] = draws(3, shapes);
    let mut layer1 = dense(&w1, &b1, Activation::Relu);
    let mut layer2 = dense(&w2, &b2, Activation::Sigmoid);
    layer1.update_parameters(&Gradients { dw: dw1, db: db1.column(0).to_owned() }, 0.1);
    layer2.update_parameters(&Gradients { dw: dw2, db: db2.column(0).to_owned() }, 0.1);
    let expected = array![
        [-0.59562069, -0.09991781, -2.14584584, 1.82662008],
        [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
        [-1.0535704, -0.86128581, 0.68284052, 2.20374577]
    ];
    assert_matrix(layer1.w().view(), expected.view(), PRINTED, "W1");
    assert_matrix(column(layer1.b()), array![[-0.04659241], [-1.28888275], [0.53405496]].view(), PRINTED, "b1");
    assert_matrix(layer2.w().view(), array![[-0.55569196, 0.0354055, 1.32964895]].view(), PRINTED, "W2");
    assert_matrix(column(layer2.b()), array![[-0.84610769]].view(), PRINTED, "b2");
}

#[test]
fn the_steps_agree_with_the_network_sweeps() {
    // The notebook's L_model_forward test network (np.random.seed(6): X 5×4, W1 4×5, b1 4×1,
    // W2 3×4, b2 3×1, W3 1×3, b3 1×1; ReLU, ReLU, sigmoid), with Y = [[1, 0, 1, 0]].
    let [x, w1, b1, w2, b2, w3, b3] = draws(6, [(5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1)]);
    let y = array![[1.0, 0.0, 1.0, 0.0]];
    let layers = vec![
        dense(&w1, &b1, Activation::Relu),
        dense(&w2, &b2, Activation::Relu),
        dense(&w3, &b3, Activation::Sigmoid),
    ];
    let network = Network::from_layers(layers, Loss::CrossEntropy).unwrap();
    let mut ws = Workspace::new(&network, x.ncols());
    network.forward(x.view(), &mut ws);
    network.backward(x.view(), y.view(), &mut ws);

    // The forward steps give the sweep's caches.
    let mut caches = Vec::new();
    let mut a_prev = x.clone();
    for (l, layer) in network.layers().iter().enumerate() {
        let (z, a) = layer.linear_activation_forward(a_prev.view()).unwrap();
        assert_matrix(z.view(), ws.z(l + 1), 1e-12, &format!("Z{}", l + 1));
        assert_matrix(a.view(), ws.a(l + 1), 1e-12, &format!("A{}", l + 1));
        assert_eq!(layer.linear_forward(a_prev.view()).unwrap(), z);
        caches.push((a_prev, z, a.clone()));
        a_prev = a;
    }

    // L_model_backward from dAL with the steps, against the sweep with its fused
    // dZ[L] = A[L] − Y.
    let mut da = cost_gradient(ws.output(), y.view());
    let mut step_gradients = Vec::new();
    for (layer, (a_prev, z, a)) in network.layers().iter().zip(&caches).rev() {
        let (da_prev, grads) = layer.linear_activation_backward(da.view(), z.view(), a.view(), a_prev.view()).unwrap();
        step_gradients.insert(0, grads);
        da = da_prev;
    }
    for (l, (step, sweep)) in step_gradients.iter().zip(ws.gradients()).enumerate() {
        assert_matrix(step.dw.view(), sweep.dw.view(), 1e-12, &format!("dW{}", l + 1));
        assert_matrix(column(&step.db), column(&sweep.db), 1e-12, &format!("db{}", l + 1));
    }

    // update_parameters layer by layer against Network::update.
    let mut updated = network.clone();
    updated.update(&ws, 0.1);
    for (l, ((layer, grads), after)) in network.layers().iter().zip(&step_gradients).zip(updated.layers()).enumerate() {
        let mut stepped = layer.clone();
        stepped.update_parameters(grads, 0.1);
        assert_matrix(stepped.w().view(), after.w().view(), 1e-12, &format!("W{} after the update", l + 1));
        assert_matrix(column(stepped.b()), column(after.b()), 1e-12, &format!("b{} after the update", l + 1));
    }
}

#[test]
fn the_steps_refuse_wrong_shapes() {
    let [w, b] = draws(1, [(3, 5), (3, 1)]);
    let layer = dense(&w, &b, Activation::Relu);
    let shape_error = |result: dnn::Result<()>| match result {
        Err(Error::ShapeMismatch { what, expected, found }) => (what, expected, found),
        other => panic!("expected a shape mismatch, got {other:?}"),
    };
    let (a_prev, dz, z) = (Array2::<f64>::zeros((5, 4)), Array2::<f64>::zeros((3, 4)), Array2::<f64>::zeros((3, 4)));

    let wrong_rows = Array2::<f64>::zeros((4, 4));
    let no_examples = Array2::<f64>::zeros((5, 0));
    let error = shape_error(layer.linear_forward(wrong_rows.view()).map(drop));
    assert_eq!(error, ("A_prev".to_string(), (5, 4), (4, 4)));
    let error = shape_error(layer.linear_activation_forward(no_examples.view()).map(drop));
    assert_eq!(error, ("A_prev".to_string(), (5, 1), (5, 0)));
    let message = layer.linear_forward(wrong_rows.view()).unwrap_err().to_string();
    assert_eq!(message, "shape mismatch for A_prev: expected (5, 4), found (4, 4)");

    let error = shape_error(layer.linear_backward(a_prev.view(), dz.view()).map(drop));
    assert_eq!(error, ("dZ".to_string(), (3, 4), (5, 4)));
    let error = shape_error(layer.linear_backward(dz.view(), a_prev.slice(ndarray::s![.., ..3])).map(drop));
    assert_eq!(error, ("A_prev".to_string(), (5, 4), (5, 3)));

    let short_z = Array2::<f64>::zeros((3, 2));
    let error =
        shape_error(layer.linear_activation_backward(dz.view(), short_z.view(), z.view(), a_prev.view()).map(drop));
    assert_eq!(error, ("Z".to_string(), (3, 4), (3, 2)));
    let error =
        shape_error(layer.linear_activation_backward(dz.view(), z.view(), a_prev.view(), a_prev.view()).map(drop));
    assert_eq!(error, ("A".to_string(), (3, 4), (5, 4)));
}

#[test]
#[should_panic(expected = "update_parameters: dW must be shaped like W")]
fn update_parameters_refuses_gradients_of_another_layer() {
    let [w, b] = draws(1, [(3, 5), (3, 1)]);
    let mut layer = dense(&w, &b, Activation::Relu);
    let other = dense(&w.t().to_owned(), &Array2::zeros((5, 1)), Activation::Relu);
    layer.update_parameters(&Gradients::zeros_like(&other), 0.1);
}

#[test]
fn a_layer_has_one_bias_per_unit() {
    let w = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let message = |b: Array1<f64>| Dense::new(w.clone(), b, Activation::Linear).unwrap_err().to_string();
    assert_eq!(message(array![10.0]), "shape mismatch for b: expected (2, 1), found (1, 1)");
    assert_eq!(message(array![10.0, 20.0, 30.0]), "shape mismatch for b: expected (2, 1), found (3, 1)");
    let empty = Dense::new(Array2::<f64>::zeros((0, 3)), Array1::zeros(0), Activation::Linear).unwrap_err();
    assert!(
        matches!(&empty, Error::ShapeMismatch { what, expected: (1, 3), found: (0, 3) } if what == "W"),
        "{empty:?}"
    );

    // Any memory layout is taken: W stored column by column, b every other value of an array.
    let w_by_columns = w.t().as_standard_layout().into_owned().reversed_axes();
    let b_strided = array![10.0, -1.0, 20.0, -1.0].slice_move(ndarray::s![..;2]);
    let layer = Dense::new(w_by_columns, b_strided, Activation::Linear).unwrap();
    // Z = W·x + b, for one example and for two: 1 + 2·2 + 3·3 + 10 = 24, 4 + 5·2 + 6·3 + 20 = 52.
    let x = array![[1.0, 0.0], [2.0, 0.0], [3.0, 1.0]];
    assert_eq!(layer.linear_forward(x.slice(ndarray::s![.., ..1])).unwrap(), array![[24.0], [52.0]]);
    assert_eq!(layer.linear_forward(x.view()).unwrap(), array![[24.0, 13.0], [52.0, 26.0]]);

    // Through the network, the parameters change in place and keep their shapes.
    let mut network = Network::from_layers(vec![layer], Loss::MeanSquaredError).unwrap();
    for (mut w, mut b) in network.layers_mut() {
        w.fill(1.0);
        b[1] = 0.5;
    }
    assert_eq!(network.predict_proba(x.view()).unwrap(), array![[16.0, 11.0], [6.5, 1.5]]);
}
