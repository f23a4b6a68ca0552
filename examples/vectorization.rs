//! The course's vectorisation lesson, measured: one logistic-regression gradient step
//! (`ŷ = σ(wᵀx + b)`, `dw = (1/m) X (A − Y)ᵀ`, `db = (1/m) Σ (A − Y)`) computed with explicit
//! loops over the m examples and the n_x features, against the library's vectorised
//! propagation over all m examples at once. Both give the same numbers; the example prints
//! both times and their ratio.
//!
//! Run: `cargo run --release --example vectorization`. It uses the course's cat data
//! (12288 × 209) when `../shared/data/catvnoncat` is present, random data of the same shape
//! otherwise.

use std::time::Instant;

use dnn::activation::sigmoid;
use dnn::data::{read_hdf5, Hdf5Keys, Scale};
use dnn::{Activation, Dense, Loss, Network, NumpyRng, Workspace};
use ndarray::{Array1, Array2};

/// The gradient step with a loop over examples, and inside it a loop over features.
fn looped(w: &Array1<f64>, b: f64, x: &Array2<f64>, y: &Array2<f64>) -> (Array1<f64>, f64, f64) {
    let (n_x, m) = x.dim();
    let mut dw = Array1::zeros(n_x);
    let (mut db, mut cost) = (0.0, 0.0);
    for i in 0..m {
        let mut z = b;
        for j in 0..n_x {
            z += w[j] * x[(j, i)];
        }
        let a = sigmoid(z);
        let y_i = y[(0, i)];
        cost -= y_i * a.ln() + (1.0 - y_i) * (1.0 - a).ln();
        for j in 0..n_x {
            dw[j] += x[(j, i)] * (a - y_i);
        }
        db += a - y_i;
    }
    let m = m as f64;
    (dw / m, db / m, cost / m)
}

fn main() -> Result<(), dnn::Error> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catvnoncat");
    let (x, y, source) = match read_hdf5(dir.join("train_catvnoncat.h5"), &Hdf5Keys::default()) {
        Ok(mut data) => {
            Scale::Divide { by: 255.0 }.apply_in_place(&mut data.x);
            (data.x, data.y, "the course's cat data")
        }
        Err(_) => {
            let mut rng = NumpyRng::new(0);
            let x = rng.randn_matrix(12288, 209);
            let y = rng.randn_matrix(1, 209).mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
            (x, y, "random data (the cat data is absent)")
        }
    };
    let (n_x, m) = x.dim();
    let mut rng = NumpyRng::new(1);
    let w = rng.randn_matrix(1, n_x) * 0.01;
    let b = 0.1;
    println!("One logistic-regression gradient step on {source}: n_x = {n_x}, m = {m}");

    let repeats = 20;
    let start = Instant::now();
    let mut looped_result = None;
    for _ in 0..repeats {
        looped_result = Some(looped(&w.row(0).to_owned(), b, &x, &y));
    }
    let looped_time = start.elapsed().as_secs_f64() / repeats as f64;
    let (dw_loop, db_loop, cost_loop) = looped_result.expect("ran at least once");

    let layer = Dense::new(w.clone(), Array1::from(vec![b]), Activation::Sigmoid)?;
    let network = Network::from_layers(vec![layer], Loss::CrossEntropy)?;
    let mut ws = Workspace::new(&network, m);
    let start = Instant::now();
    for _ in 0..repeats {
        network.forward(x.view(), &mut ws);
        network.backward(x.view(), y.view(), &mut ws);
    }
    let vectorised_time = start.elapsed().as_secs_f64() / repeats as f64;
    let cost = network.cost(&ws, y.view());
    let grads = &ws.gradients()[0];

    let dw_difference = grads.dw.row(0).iter().zip(&dw_loop).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!("  loops over examples and features: {:>10.3} ms", looped_time * 1e3);
    println!("  vectorised (dnn):                 {:>10.3} ms", vectorised_time * 1e3);
    println!("  ratio:                            {:>10.1}×", looped_time / vectorised_time);
    println!(
        "  same result: cost {cost:.12} vs {cost_loop:.12}, db {:.3e} vs {db_loop:.3e}, max |Δdw| {dw_difference:.1e}",
        grads.db[0]
    );
    Ok(())
}
