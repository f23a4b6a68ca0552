//! Week 4 of the course, "Building your deep neural network: step by step": each function of
//! the assignment on the notebook's test inputs, its expected output beside dnn's.
//!
//! The test inputs are the notebook's seeded draws (`np.random.seed(s)` then
//! `np.random.randn(rows, cols)` for each array in order), which `NumpyRng` reproduces bit for
//! bit. The expected outputs are the notebook's "expected output" cells; numpy prints arrays
//! with 8 decimals, so arrays are compared to ±5e-9. The initialisations, the cost and the
//! ReLU rule are also in ../shared/reference/course_results.md.
//!
//! Every step calls dnn's own function for it: `Dense::linear_forward`,
//! `Dense::linear_activation_forward`, `Network::forward` (L_model_forward), `Loss::cost`,
//! `Dense::linear_backward`, `Activation::backward_in_place` (relu_backward),
//! `Dense::linear_activation_backward` and `Dense::update_parameters`. The notebook tests each
//! backward function on caches drawn at random (its Z is not W·A_prev + b), and these functions
//! take such caches as they are. The one formula written out here is the notebook's
//! `dAL = −(Y/AL − (1−Y)/(1−AL))`, where L_model_backward starts: dnn's training never forms
//! dAL, it starts from the fused `dZ[L] = A[L] − Y`. The last section checks that dnn's
//! backward sweep and update over a whole network give the numbers of these steps.
//!
//! Run: `cargo run --release --example deep_step_by_step`. No files needed; the exit status is
//! 1 when a number does not match.

mod common;

use std::process::ExitCode;

use common::{Options, Report, Result, Tolerance, EXACT, NUMPY_PRINTED};
use dnn::{metrics, Activation, Architecture, Dense, Gradients, Init, Loss, Network, NumpyRng, Workspace};
use ndarray::{array, Array1, Array2, ArrayView2, Axis, Zip};

const USAGE: &str = "usage: deep_step_by_step";

/// dnn's backward sweep and update against the step functions: the same formulas, other
/// rounding (the sweep's dZ[L] = A[L] − Y is the steps' dAL ⊙ σ'(Z[L]) simplified).
const SAME_FORMULAS: Tolerance = Tolerance::Absolute(1e-12);

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    initialize_parameters(&mut report)?;
    forward_steps(&mut report)?;
    compute_cost(&mut report)?;
    backward_steps(&mut report)?;
    update_parameters(&mut report)?;
    dnn_against_the_steps(&mut report)?;
    Ok(report)
}

/// The notebook's test inputs: `np.random.seed(seed)`, then `np.random.randn(rows, cols)` for
/// each shape in order.
fn draws<const N: usize>(seed: u32, shapes: [(usize, usize); N]) -> [Array2<f64>; N] {
    let mut rng = NumpyRng::new(seed);
    shapes.map(|(rows, cols)| rng.randn_matrix(rows, cols))
}

/// A dense layer from the course's W (n[l] × n[l−1]) and column b (n[l] × 1).
fn dense(w: &Array2<f64>, b: &Array2<f64>, activation: Activation) -> dnn::Result<Dense<f64>> {
    Dense::new(w.clone(), b.column(0).to_owned(), activation)
}

/// A bias vector as the row bᵀ, to compare with the course's printed column.
fn row(b: &Array1<f64>) -> ArrayView2<'_, f64> {
    b.view().insert_axis(Axis(0))
}

fn initialize_parameters(report: &mut Report) -> Result<()> {
    report.section("initialize_parameters(3, 2, 1): np.random.seed(1), W = randn·0.01, b = 0");
    let arch = Architecture::new(&[3, 2, 1], Activation::Relu, Activation::Sigmoid)?;
    let network = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(1))?;
    let [layer1, layer2] = network.layers() else { return Err("expected two layers".into()) };
    let w1 = array![[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]];
    report.check_matrix("W1", w1.view(), layer1.w().view(), NUMPY_PRINTED);
    report.check_matrix("b1ᵀ", array![[0.0, 0.0]].view(), row(layer1.b()), EXACT);
    report.check_matrix("W2", array![[0.01744812, -0.00761207]].view(), layer2.w().view(), NUMPY_PRINTED);
    report.check_matrix("b2ᵀ", array![[0.0]].view(), row(layer2.b()), EXACT);

    report.section("initialize_parameters_deep([5, 4, 3]): np.random.seed(3), W[l] = randn·0.01, b[l] = 0");
    let arch = Architecture::new(&[5, 4, 3], Activation::Relu, Activation::Sigmoid)?;
    let network = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(3))?;
    let [layer1, layer2] = network.layers() else { return Err("expected two layers".into()) };
    let w1 = array![
        [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
        [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
        [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
        [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]
    ];
    report.check_matrix("W1", w1.view(), layer1.w().view(), NUMPY_PRINTED);
    report.check_matrix("b1ᵀ", array![[0.0, 0.0, 0.0, 0.0]].view(), row(layer1.b()), EXACT);
    let w2 = array![
        [-0.01185047, -0.0020565, 0.01486148, 0.00236716],
        [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
        [-0.00768836, -0.00230031, 0.00745056, 0.01976111]
    ];
    report.check_matrix("W2", w2.view(), layer2.w().view(), NUMPY_PRINTED);
    report.check_matrix("b2ᵀ", array![[0.0, 0.0, 0.0]].view(), row(layer2.b()), EXACT);
    Ok(())
}

fn forward_steps(report: &mut Report) -> Result<()> {
    report.section("linear_forward: Z = W·A + b (np.random.seed(1): A 3×2, W 1×3, b 1×1)");
    let [a, w, b] = draws(1, [(3, 2), (1, 3), (1, 1)]);
    let z = dense(&w, &b, Activation::Linear)?.linear_forward(a.view())?;
    report.check_matrix("Z", array![[3.26295337, -1.23429987]].view(), z.view(), NUMPY_PRINTED);

    report.section("linear_activation_forward: A = g(W·A_prev + b) (np.random.seed(2): A_prev 3×2, W 1×3, b 1×1)");
    let [a_prev, w, b] = draws(2, [(3, 2), (1, 3), (1, 1)]);
    let (_, a) = dense(&w, &b, Activation::Sigmoid)?.linear_activation_forward(a_prev.view())?;
    report.check_matrix("A with sigmoid", array![[0.96890023, 0.11013289]].view(), a.view(), NUMPY_PRINTED);
    let (_, a) = dense(&w, &b, Activation::Relu)?.linear_activation_forward(a_prev.view())?;
    report.check_matrix("A with ReLU", array![[3.43896131, 0.0]].view(), a.view(), NUMPY_PRINTED);

    report.section("L_model_forward: [LINEAR → RELU] × 2 → LINEAR → SIGMOID (np.random.seed(6), X 5×4)");
    let (network, ws) = l_model_forward_test_network()?;
    let course = array![[0.03921668, 0.70498921, 0.19734387, 0.04728177]];
    report.check_matrix("AL", course.view(), ws.output(), NUMPY_PRINTED);
    report.show("caches (one per layer)", network.layers().len());
    Ok(())
}

/// The network of the notebook's L_model_forward test with its forward sweep over X done.
fn l_model_forward_test_network() -> Result<(Network<f64>, Workspace<f64>)> {
    let (network, x) = l_model_forward_test_case()?;
    let mut ws = Workspace::new(&network, x.ncols());
    network.forward(x.view(), &mut ws);
    Ok((network, ws))
}

/// The notebook's L_model_forward test: `np.random.seed(6)`, then X (5×4), W1 (4×5), b1,
/// W2 (3×4), b2, W3 (1×3), b3; ReLU hidden layers and a sigmoid output. Returns the network
/// and X.
fn l_model_forward_test_case() -> Result<(Network<f64>, Array2<f64>)> {
    let [x, w1, b1, w2, b2, w3, b3] = draws(6, [(5, 4), (4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1)]);
    let layers = vec![
        dense(&w1, &b1, Activation::Relu)?,
        dense(&w2, &b2, Activation::Relu)?,
        dense(&w3, &b3, Activation::Sigmoid)?,
    ];
    Ok((Network::from_layers(layers, Loss::CrossEntropy)?, x))
}

fn compute_cost(report: &mut Report) -> Result<()> {
    report.section("compute_cost: J = −(1/m) Σ (y log a + (1 − y) log(1 − a)) (AL = [[.8, .9, .4]], Y = [[1, 1, 0]])");
    let al = array![[0.8, 0.9, 0.4]];
    let y = array![[1.0, 1.0, 0.0]];
    // dnn computes the cost from Z[L] (log σ(z) = −softplus(−z)); the Z with σ(Z) = AL is ln(a / (1 − a)).
    let zl = al.mapv(|a: f64| (a / (1.0 - a)).ln());
    let cost = Loss::CrossEntropy.cost(zl.view(), al.view(), y.view());
    report.check("cost, from Z[L] (Loss::cost)", 0.2797765635793422, cost, Tolerance::Relative(1e-12));
    let cost = metrics::log_loss(al.view(), y.view())?;
    report.check("cost, from AL (metrics::log_loss)", 0.2797765635793422, cost, Tolerance::Relative(1e-12));
    Ok(())
}

/// The notebook's linear_activation_backward on its random cache ((A_prev, W, b), Z): the
/// layer holds W and b, and A = g(Z), which dnn's g′ reads for sigmoid, is recomputed from Z
/// as the notebook's `sigmoid_backward` does.
fn linear_activation_backward(
    layer: &Dense<f64>,
    da: &Array2<f64>,
    z: &Array2<f64>,
    a_prev: &Array2<f64>,
) -> Result<(Array2<f64>, Gradients<f64>)> {
    let a = z.mapv(|v| layer.activation().apply(v));
    Ok(layer.linear_activation_backward(da.view(), z.view(), a.view(), a_prev.view())?)
}

/// The course's first step of L_model_backward: dAL = −(Y / AL − (1 − Y) / (1 − AL)).
fn cost_gradient(al: ArrayView2<f64>, y: &Array2<f64>) -> Array2<f64> {
    Zip::from(al).and(y).map_collect(|&a, &y| -(y / a - (1.0 - y) / (1.0 - a)))
}

fn backward_steps(report: &mut Report) -> Result<()> {
    report.section("linear_backward (np.random.seed(1): dZ 3×4, A_prev 5×4, W 3×5, b 3×1)");
    let [dz, a_prev, w, b] = draws(1, [(3, 4), (5, 4), (3, 5), (3, 1)]);
    let (da_prev, grads) = dense(&w, &b, Activation::Linear)?.linear_backward(dz.view(), a_prev.view())?;
    let course = array![
        [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
        [0.60345879, -3.72508701, 5.81700741, -3.84326836],
        [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
        [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
        [-2.52214926, 2.67882552, -0.67947465, 1.48119548]
    ];
    report.check_matrix("dA_prev", course.view(), da_prev.view(), NUMPY_PRINTED);
    let course = array![
        [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
        [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
        [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]
    ];
    report.check_matrix("dW", course.view(), grads.dw.view(), NUMPY_PRINTED);
    let course = array![[-0.14713786, -0.11313155, -0.13209101]];
    report.check_matrix("dbᵀ", course.view(), row(&grads.db), NUMPY_PRINTED);

    report.section("ReLU backward: dZ = dA where Z > 0, else 0 (Z = [−1.5, 0, 0, 2], dA = [3, −4, 5, 6])");
    let z = [-1.5, 0.0, 0.0, 2.0];
    let a = z.map(|v| Activation::Relu.apply(v));
    let mut dz = [3.0, -4.0, 5.0, 6.0];
    Activation::Relu.backward_in_place(&z, &a, &mut dz);
    report.check_matrix("dZ", array![[0.0, 0.0, 0.0, 6.0]].view(), array![dz].view(), EXACT);

    report.section("linear_activation_backward (np.random.seed(2): dA 1×2, A_prev 3×2, W 1×3, b 1×1, Z 1×2)");
    let [da, a_prev, w, b, z] = draws(2, [(1, 2), (3, 2), (1, 3), (1, 1), (1, 2)]);
    let (da_prev, grads) = linear_activation_backward(&dense(&w, &b, Activation::Sigmoid)?, &da, &z, &a_prev)?;
    let course = array![[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]];
    report.check_matrix("sigmoid: dA_prev", course.view(), da_prev.view(), NUMPY_PRINTED);
    let course = array![[0.10266786, 0.09778551, -0.01968084]];
    report.check_matrix("sigmoid: dW", course.view(), grads.dw.view(), NUMPY_PRINTED);
    report.check_matrix("sigmoid: db", array![[-0.05729622]].view(), row(&grads.db), NUMPY_PRINTED);
    let (da_prev, grads) = linear_activation_backward(&dense(&w, &b, Activation::Relu)?, &da, &z, &a_prev)?;
    let course = array![[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]];
    report.check_matrix("ReLU: dA_prev", course.view(), da_prev.view(), NUMPY_PRINTED);
    let course = array![[0.44513824, 0.37371418, -0.10478989]];
    report.check_matrix("ReLU: dW", course.view(), grads.dw.view(), NUMPY_PRINTED);
    report.check_matrix("ReLU: db", array![[-0.20837892]].view(), row(&grads.db), NUMPY_PRINTED);

    report.section("L_model_backward, LINEAR → RELU → LINEAR → SIGMOID (np.random.seed(3), Y = [[1, 0]])");
    // AL (1×2); layer 1's cache: A0 (4×2), W1 (3×4), b1, Z1 (3×2); layer 2's: A1 (3×2), W2 (1×3), b2, Z2 (1×2).
    let [al, a0, w1, b1, z1, a1, w2, b2, z2] =
        draws(3, [(1, 2), (4, 2), (3, 4), (3, 1), (3, 2), (3, 2), (1, 3), (1, 1), (1, 2)]);
    let y = array![[1.0, 0.0]];
    let dal = cost_gradient(al.view(), &y);
    let (da1, _) = linear_activation_backward(&dense(&w2, &b2, Activation::Sigmoid)?, &dal, &z2, &a1)?;
    let (_, grads1) = linear_activation_backward(&dense(&w1, &b1, Activation::Relu)?, &da1, &z1, &a0)?;
    let course = array![
        [0.41010002, 0.07807203, 0.13798444, 0.10502167],
        [0.0, 0.0, 0.0, 0.0],
        [0.05283652, 0.01005865, 0.01777766, 0.0135308]
    ];
    report.check_matrix("dW1", course.view(), grads1.dw.view(), NUMPY_PRINTED);
    report.check_matrix("db1ᵀ", array![[-0.22007063, 0.0, -0.02835349]].view(), row(&grads1.db), NUMPY_PRINTED);
    let course = array![[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]];
    report.check_matrix("dA1", course.view(), da1.view(), NUMPY_PRINTED);
    Ok(())
}

fn update_parameters(report: &mut Report) -> Result<()> {
    report.section("update_parameters: W := W − α·dW, b := b − α·db (α = 0.1)");
    // Parameters after np.random.seed(2): W1 (3×4), b1 (3×1), W2 (1×3), b2 (1×1); gradients
    // after np.random.seed(3), same shapes.
    let shapes = [(3, 4), (3, 1), (1, 3), (1, 1)];
    let [w1, b1, w2, b2] = draws(2, shapes);
    let [dw1, db1, dw2, db2] = draws(3, shapes);
    let mut layer1 = dense(&w1, &b1, Activation::Relu)?;
    let mut layer2 = dense(&w2, &b2, Activation::Sigmoid)?;
    layer1.update_parameters(&Gradients { dw: dw1, db: db1.column(0).to_owned() }, 0.1);
    layer2.update_parameters(&Gradients { dw: dw2, db: db2.column(0).to_owned() }, 0.1);
    let course = array![
        [-0.59562069, -0.09991781, -2.14584584, 1.82662008],
        [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
        [-1.0535704, -0.86128581, 0.68284052, 2.20374577]
    ];
    report.check_matrix("W1", course.view(), layer1.w().view(), NUMPY_PRINTED);
    report.check_matrix("b1ᵀ", array![[-0.04659241, -1.28888275, 0.53405496]].view(), row(layer1.b()), NUMPY_PRINTED);
    report.check_matrix("W2", array![[-0.55569196, 0.0354055, 1.32964895]].view(), layer2.w().view(), NUMPY_PRINTED);
    report.check_matrix("b2", array![[-0.84610769]].view(), row(layer2.b()), NUMPY_PRINTED);
    Ok(())
}

/// dnn's backward sweep (with the fused dZ[L] = A[L] − Y) and update, against the step
/// functions chained over the caches of dnn's forward sweep, on the L_model_forward test network.
fn dnn_against_the_steps(report: &mut Report) -> Result<()> {
    report.section(
        "dnn's backward sweep and update against the steps above, on L_model_forward's network with \
         Y = [[1, 0, 1, 0]] (course column: the steps)",
    );
    let (network, x) = l_model_forward_test_case()?;
    let y = array![[1.0, 0.0, 1.0, 0.0]];
    let mut ws = Workspace::new(&network, x.ncols());
    network.forward(x.view(), &mut ws);
    network.backward(x.view(), y.view(), &mut ws);

    // The steps: dAL from the cost, then for l = L..1 Dense::linear_activation_backward over
    // dnn's cached Z[l], A[l] and A[l−1].
    let layers = network.layers();
    let mut da = cost_gradient(ws.output(), &y);
    let mut step_gradients: Vec<Gradients<f64>> = layers.iter().map(Gradients::zeros_like).collect();
    for l in (1..=layers.len()).rev() {
        let a_prev = if l == 1 { x.view() } else { ws.a(l - 1) };
        let (da_prev, grads) = layers[l - 1].linear_activation_backward(da.view(), ws.z(l), ws.a(l), a_prev)?;
        step_gradients[l - 1] = grads;
        da = da_prev;
    }
    for (l, (step, sweep)) in step_gradients.iter().zip(ws.gradients()).enumerate() {
        report.check_matrix(&format!("dW{}", l + 1), step.dw.view(), sweep.dw.view(), SAME_FORMULAS);
        report.check_matrix(&format!("db{}ᵀ", l + 1), row(&step.db), row(&sweep.db), SAME_FORMULAS);
    }

    // The steps: Dense::update_parameters on each layer with its step gradients.
    let learning_rate = 0.1;
    let mut updated = network.clone();
    updated.update(&ws, learning_rate);
    for (l, ((grads, before), after)) in step_gradients.iter().zip(layers).zip(updated.layers()).enumerate() {
        let mut stepped = before.clone();
        stepped.update_parameters(grads, learning_rate);
        let (w, b) = (format!("W{} after the update", l + 1), format!("b{}ᵀ after the update", l + 1));
        report.check_matrix(&w, stepped.w().view(), after.w().view(), SAME_FORMULAS);
        report.check_matrix(&b, row(stepped.b()), row(after.b()), SAME_FORMULAS);
    }
    Ok(())
}
