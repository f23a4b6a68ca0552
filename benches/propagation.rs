//! Per-layer and per-iteration timings of forward and backward propagation, on the course's
//! shapes, and one iteration of the matrix-product-bound W5: `cargo bench --bench
//! propagation`. (Single-example inference is `benches/inference.rs`; the side-by-side
//! comparison with numpy, PyTorch and scikit-learn is `bench/run.py`; see BENCHMARKS.md.)

use dnn::{Activation, Architecture, GramMode, Init, Network, NumpyRng, TrainConfig, Workspace};
use ndarray::Array2;

fn main() {
    divan::main();
}

/// A network and random data of the given shape (labels from the sign of the first feature).
fn setup(sizes: &[usize], hidden: Activation, m: usize) -> (Network<f64>, Array2<f64>, Array2<f64>) {
    let arch = Architecture::new(sizes, hidden, Activation::Sigmoid).unwrap();
    let mut rng = NumpyRng::new(1);
    let network = Network::init(&arch, Init::Lecun, &mut rng).unwrap();
    let x = rng.randn_matrix(sizes[0], m);
    let y = x.row(0).mapv(|v| f64::from(u8::from(v > 0.0))).insert_axis(ndarray::Axis(0));
    (network, x, y)
}

/// The course's shapes: (name, layer sizes, hidden activation, m).
const SHAPES: [(&str, &[usize], Activation, usize); 3] = [
    ("planar [2,4,1] m=400", &[2, 4, 1], Activation::Tanh, 400),
    ("cat 2-layer [12288,7,1] m=209", &[12288, 7, 1], Activation::Relu, 209),
    ("cat 4-layer [12288,20,7,5,1] m=209", &[12288, 20, 7, 5, 1], Activation::Relu, 209),
];

#[divan::bench(args = 0..SHAPES.len())]
fn forward(bencher: divan::Bencher, shape: usize) {
    let (_, sizes, hidden, m) = SHAPES[shape];
    let (network, x, _) = setup(sizes, hidden, m);
    let mut ws = Workspace::new(&network, m);
    bencher.bench_local(|| network.forward(x.view(), &mut ws));
}

#[divan::bench(args = 0..SHAPES.len())]
fn backward(bencher: divan::Bencher, shape: usize) {
    let (_, sizes, hidden, m) = SHAPES[shape];
    let (network, x, y) = setup(sizes, hidden, m);
    let mut ws = Workspace::new(&network, m);
    network.forward(x.view(), &mut ws);
    bencher.bench_local(|| network.backward(x.view(), y.view(), &mut ws));
}

/// Whole training iterations (forward, cost, backward, update) per call: 20 of them, with
/// the first layer direct or in the Gram form, on one thread.
#[divan::bench(args = [(0, false), (1, false), (1, true), (2, false), (2, true)])]
fn twenty_iterations(bencher: divan::Bencher, (shape, gram): (usize, bool)) {
    let (_, sizes, hidden, m) = SHAPES[shape];
    let (network, x, y) = setup(sizes, hidden, m);
    let mode = if gram { GramMode::On } else { GramMode::Off };
    let config = TrainConfig::new(0.0075, 20).with_threads(1).with_gram(mode).check().unwrap();
    bencher.bench_local(|| dnn::fit(network.clone(), x.view(), y.view(), &config).unwrap());
}

/// One W5 iteration (784 → 256 → 128 → 1 ReLU, 60000 examples, about 60 GFLOP) on all
/// cores: the matrix-product-bound workload of BENCHMARKS.md.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn w5_iteration(bencher: divan::Bencher) {
    let (network, x, y) = setup(&[784, 256, 128, 1], Activation::Relu, 60_000);
    let config = TrainConfig::new(0.01, 1).check().unwrap();
    bencher.bench_local(|| dnn::fit(network.clone(), x.view(), y.view(), &config).unwrap());
}
