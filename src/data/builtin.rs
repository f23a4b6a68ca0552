//! Data sets generated in code, exactly as the course's notebooks generate them.

use ndarray::Array2;

use super::Dataset;
use crate::NumpyRng;

/// The course's planar "flower": m = 400 points in two petal-shaped classes that no line can
/// separate. With seed 1 it is the notebook's `load_planar_dataset()` value for value.
///
/// For class j = 0 then 1 (N = 200 each, a = 4):
/// θ = linspace(3.12·j, 3.12·(j+1), N) + 0.2·randn(N), r = a·sin(4θ) + 0.2·randn(N),
/// point = (r·sin θ, r·cos θ), label j.
pub fn planar(seed: u32) -> Dataset {
    const M: usize = 400;
    const N: usize = M / 2;
    const A: f64 = 4.0;
    let mut rng = NumpyRng::new(seed);
    let mut x = Array2::zeros((2, M));
    let mut y = Array2::zeros((1, M));
    for j in 0..2 {
        let start = 3.12 * j as f64;
        let stop = 3.12 * (j + 1) as f64;
        let theta: Vec<f64> = linspace(start, stop, N).into_iter().map(|t| t + rng.randn() * 0.2).collect();
        let noise: Vec<f64> = (0..N).map(|_| rng.randn() * 0.2).collect();
        for (i, (&t, &e)) in theta.iter().zip(&noise).enumerate() {
            let r = A * (4.0 * t).sin() + e;
            let column = N * j + i;
            x[(0, column)] = r * t.sin();
            x[(1, column)] = r * t.cos();
            y[(0, column)] = j as f64;
        }
    }
    Dataset { x, y, class_names: None, image: None }
}

/// `np.linspace(start, stop, n)` with the endpoint, rounded as numpy rounds it:
/// `start + i·step` with the last value set to `stop`.
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    let step = (stop - start) / (n - 1) as f64;
    let mut values: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
    values[n - 1] = stop;
    values
}
