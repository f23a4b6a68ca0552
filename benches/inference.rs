//! Single-example inference with W3's model ([12288, 20, 7, 5, 1] ReLU/sigmoid, lecun init,
//! seed 1) on the first picture of the course's cat training set (random values when the
//! data is absent), back to back as a stream of predictions:
//!
//!     cargo bench --bench inference [-- --json] [-- --data DIR]
//!
//! Each precision is timed on all cores (the default pool) and on one thread: 300 samples of
//! 20 calls to `Network::predict_proba` after 200 warm-up calls; the median sample divided by
//! 20 is printed in microseconds. `--json` adds one JSON line (with the f64 prediction, to
//! check the peers compute the same) for `bench/run.py`, which runs the Python peers on the
//! same model and picture.

use std::path::PathBuf;
use std::time::Instant;

use dnn::data::{read_hdf5, Hdf5Keys};
use dnn::{Activation, Architecture, Float, Init, Network, NumpyRng};
use ndarray::{s, Array2};

const SAMPLES: usize = 300;
const CALLS_PER_SAMPLE: usize = 20;
const WARM_UP: usize = 200;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let data = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catvnoncat"));

    let arch = Architecture::new(&[12288, 20, 7, 5, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, Init::Lecun, &mut NumpyRng::new(1)).unwrap();
    let (x, source) = match read_hdf5(data.join("train_catvnoncat.h5"), &Hdf5Keys::default()) {
        Ok(set) => (set.x.slice(s![.., ..1]).mapv(|v| v / 255.0), "the first cat training picture"),
        Err(error) => {
            eprintln!("no cat data ({error}); timing a random example instead");
            (NumpyRng::new(2).randn_matrix(12288, 1), "a random example")
        }
    };
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let cores = rayon::current_num_threads();
    println!("single-example inference, W3's model, {source}: median µs per prediction");
    let mut results = vec![format!("\"output\": {}", network.predict_proba(x.view()).unwrap()[(0, 0)])];
    for (name, micros) in [
        ("f64", time::<f64>(&network, &x)),
        ("f32", time::<f32>(&network, &x)),
        ("f64_one_thread", one_thread.install(|| time::<f64>(&network, &x))),
        ("f32_one_thread", one_thread.install(|| time::<f32>(&network, &x))),
    ] {
        let threads = if name.ends_with("one_thread") { 1 } else { cores };
        println!("  {:<4} on {threads} thread(s): {micros:.1} µs", &name[..3]);
        results.push(format!("\"{name}\": {micros:.3}"));
    }
    if json {
        println!("{{{}, \"threads\": {cores}}}", results.join(", "));
    }
}

/// The median time of one prediction, in microseconds.
fn time<T: Float>(network: &Network<f64>, x: &Array2<f64>) -> f64 {
    let (network, x) = (network.cast::<T>(), x.mapv(T::from_f64));
    for _ in 0..WARM_UP {
        std::hint::black_box(network.predict_proba(x.view()).unwrap());
    }
    let mut samples: Vec<f64> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..CALLS_PER_SAMPLE {
                std::hint::black_box(network.predict_proba(x.view()).unwrap());
            }
            start.elapsed().as_secs_f64() / CALLS_PER_SAMPLE as f64 * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[SAMPLES / 2]
}
