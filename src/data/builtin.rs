//! Data sets generated in code, exactly as the course's notebooks generate them.

use std::f64::consts::PI;

use ndarray::Array2;

use super::Dataset;
use crate::{Error, NumpyRng, Result};

/// The names [`builtin`] knows.
pub const BUILTIN_NAMES: [&str; 6] = ["planar", "moons", "circles", "blobs", "gaussian-quantiles", "xor"];

/// A generated 2-D data set by name, deterministic in `seed`: `planar` (the course's
/// flower, 400 points) or, with 200 points each as in the course's week 3, `moons`
/// (noise 0.2), `circles` (inner radius factor 0.5, noise 0.3), `blobs` (6 centres, labels
/// mod 2), `gaussian-quantiles` (covariance 0.5, two classes) and `xor`.
pub fn builtin(name: &str, seed: u32) -> Result<Dataset> {
    let mut rng = NumpyRng::new(seed);
    let points = match name {
        "planar" => return Ok(planar(seed)),
        "moons" => moons(&mut rng, 200, 0.2),
        "circles" => circles(&mut rng, 200, 0.5, 0.3),
        "blobs" => blobs(&mut rng, 200, 6),
        "gaussian-quantiles" => gaussian_quantiles(&mut rng, 200, 0.5),
        "xor" => xor(&mut rng, 200),
        _ => {
            return Err(Error::Parse {
                what: "built-in data set",
                input: name.to_string(),
                expected: "planar, moons, circles, blobs, gaussian-quantiles or xor",
            })
        }
    };
    let m = points.len();
    let mut x = Array2::zeros((2, m));
    let mut y = Array2::zeros((1, m));
    for (j, (x0, x1, label)) in points.into_iter().enumerate() {
        x[(0, j)] = x0;
        x[(1, j)] = x1;
        y[(0, j)] = label;
    }
    Ok(Dataset { x, y, builtin: Some(name.to_string()), ..Dataset::default() })
}

type Point = (f64, f64, f64);

/// Two interleaving half circles with Gaussian noise.
fn moons(rng: &mut NumpyRng, m: usize, noise: f64) -> Vec<Point> {
    let outer = m / 2;
    let inner = m - outer;
    let mut points: Vec<Point> = linspace(0.0, PI, outer).into_iter().map(|t| (t.cos(), t.sin(), 0.0)).collect();
    points.extend(linspace(0.0, PI, inner).into_iter().map(|t| (1.0 - t.cos(), 1.0 - t.sin() - 0.5, 1.0)));
    points.into_iter().map(|(a, b, l)| (a + noise * rng.randn(), b + noise * rng.randn(), l)).collect()
}

/// A circle inside another (radius `factor`), with Gaussian noise.
fn circles(rng: &mut NumpyRng, m: usize, factor: f64, noise: f64) -> Vec<Point> {
    let outer = m / 2;
    let inner = m - outer;
    let ring = |n: usize, radius: f64, label: f64| {
        (0..n).map(move |i| {
            let t = 2.0 * PI * i as f64 / n as f64;
            (radius * t.cos(), radius * t.sin(), label)
        })
    };
    let points: Vec<Point> = ring(outer, 1.0, 0.0).chain(ring(inner, factor, 1.0)).collect();
    points.into_iter().map(|(a, b, l)| (a + noise * rng.randn(), b + noise * rng.randn(), l)).collect()
}

/// Gaussian blobs (standard deviation 1) around centres drawn uniformly in [−10, 10]²;
/// blob k has label k mod 2.
fn blobs(rng: &mut NumpyRng, m: usize, centres: usize) -> Vec<Point> {
    let centre: Vec<(f64, f64)> =
        (0..centres).map(|_| (20.0 * rng.uniform() - 10.0, 20.0 * rng.uniform() - 10.0)).collect();
    (0..m)
        .map(|i| {
            let k = i * centres / m;
            (centre[k].0 + rng.randn(), centre[k].1 + rng.randn(), (k % 2) as f64)
        })
        .collect()
}

/// Gaussian points (covariance `cov`·I) split by distance from the origin: the nearer half
/// is class 0.
fn gaussian_quantiles(rng: &mut NumpyRng, m: usize, cov: f64) -> Vec<Point> {
    let s = cov.sqrt();
    let mut points: Vec<(f64, f64)> = (0..m).map(|_| (s * rng.randn(), s * rng.randn())).collect();
    points.sort_by(|a, b| (a.0 * a.0 + a.1 * a.1).total_cmp(&(b.0 * b.0 + b.1 * b.1)));
    points.into_iter().enumerate().map(|(i, (a, b))| (a, b, if i < m / 2 { 0.0 } else { 1.0 })).collect()
}

/// Points uniform in [−1, 1]², class 1 where exactly one coordinate is positive.
fn xor(rng: &mut NumpyRng, m: usize) -> Vec<Point> {
    (0..m)
        .map(|_| {
            let (a, b) = (2.0 * rng.uniform() - 1.0, 2.0 * rng.uniform() - 1.0);
            (a, b, if (a > 0.0) != (b > 0.0) { 1.0 } else { 0.0 })
        })
        .collect()
}

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
    Dataset { x, y, builtin: Some("planar".to_string()), ..Dataset::default() }
}

/// `np.linspace(start, stop, n)` with the endpoint, rounded as numpy rounds it:
/// `start + i·step` with the last value set to `stop`.
fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    let step = (stop - start) / (n - 1) as f64;
    let mut values: Vec<f64> = (0..n).map(|i| start + i as f64 * step).collect();
    values[n - 1] = stop;
    values
}
