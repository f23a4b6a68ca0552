//! Data sets generated in code, exactly as the course's notebooks generate them.
//!
//! The names `builtin:NAME` knows ([`BUILTIN_NAMES`]):
//! - `planar`: the week-3 flower ([`planar`]), seed `--data-seed`;
//! - `moons`, `circles`, `blobs`, `gaussian-quantiles`, `xor`: the week-3 extra sets, 200
//!   points each, seed `--data-seed`;
//! - `spiral`: three spiral arms of 100 points, one class each (CS231n's), seed
//!   `--data-seed`; `blobs` and `spiral` take another number of classes through
//!   [`builtin_classes`] (`--classes K`);
//! - `init-circles-train`, `init-circles-test`: the Initialization assignment's data
//!   (course 2, week 1), scikit-learn's `make_circles` with noise 0.05 after
//!   `np.random.seed(1)` (300 points) and `np.random.seed(2)` (100 points);
//! - `optim-moons`: the Optimization assignment's data (course 2, week 2), `make_moons` with
//!   noise 0.2 after `np.random.seed(3)` (300 points).
//!
//! The last three always use the course's seeds (`--data-seed` does not change them) and are
//! scikit-learn's points bit for bit: [`make_circles`] and [`make_moons`] draw exactly what
//! scikit-learn draws from NumPy's global legacy generator (`random_state=None`).

use std::f64::consts::PI;

use ndarray::Array2;

use super::Dataset;
use crate::{Error, NumpyRng, Result};

/// The names [`builtin`] knows.
pub const BUILTIN_NAMES: [&str; 10] = [
    "planar",
    "moons",
    "circles",
    "blobs",
    "gaussian-quantiles",
    "xor",
    "spiral",
    "init-circles-train",
    "init-circles-test",
    "optim-moons",
];

/// A generated 2-D data set by name, deterministic in `seed`: `planar` (the course's
/// flower, 400 points) or, with 200 points each as in the course's week 3, `moons`
/// (noise 0.2), `circles` (inner radius factor 0.5, noise 0.3), `blobs` (6 centres, labels
/// mod 2), `gaussian-quantiles` (covariance 0.5, two classes) and `xor`; or one of course
/// 2's sets, which keep the course's seeds whatever `seed` is: `init-circles-train`,
/// `init-circles-test` and `optim-moons` (see the module documentation).
pub fn builtin(name: &str, seed: u32) -> Result<Dataset> {
    if name == "spiral" {
        return builtin_classes(name, seed, 3);
    }
    builtin_with(name, seed)
}

/// A generated 2-D set of `k` ≥ 2 classes, deterministic in `seed`: `blobs` (200 points
/// around k centres, blob i of class i) or `spiral` (k arms of 100 points each, arm i of class
/// i: radius r from 0 to 1, angle from 4i to 4(i + 1) radians plus noise 0.2·randn, the point
/// (r sin t, r cos t); CS231n's spiral).
pub fn builtin_classes(name: &str, seed: u32, k: usize) -> Result<Dataset> {
    if k < 2 {
        return Err(Error::InvalidHyperparameter {
            name: "number of classes",
            value: k.to_string(),
            expected: "at least 2",
        });
    }
    let mut rng = NumpyRng::new(seed);
    let points = match name {
        "blobs" => blobs_of_classes(&mut rng, 200, k),
        "spiral" => spiral(&mut rng, 100, k),
        _ => {
            return Err(Error::Parse {
                what: "built-in data set of k classes",
                input: name.to_string(),
                expected: "blobs or spiral",
            })
        }
    };
    let mut data = from_points(points);
    data.builtin = Some(name.to_string());
    Ok(data)
}

fn builtin_with(name: &str, seed: u32) -> Result<Dataset> {
    let course_set = match name {
        "init-circles-train" => Some(make_circles(300, 0.8, Some(0.05), &mut NumpyRng::new(1))),
        "init-circles-test" => Some(make_circles(100, 0.8, Some(0.05), &mut NumpyRng::new(2))),
        "optim-moons" => Some(make_moons(300, Some(0.2), &mut NumpyRng::new(3))),
        _ => None,
    };
    if let Some(set) = course_set {
        return Ok(Dataset { builtin: Some(name.to_string()), ..set });
    }
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
                expected: "planar, moons, circles, blobs, gaussian-quantiles, xor, spiral, init-circles-train, \
                           init-circles-test or optim-moons",
            })
        }
    };
    Ok(Dataset { builtin: Some(name.to_string()), ..from_points(points) })
}

/// X (2 × m) and Y (1 × m) of points (x0, x1, label).
fn from_points(points: Vec<Point>) -> Dataset {
    let m = points.len();
    let mut x = Array2::zeros((2, m));
    let mut y = Array2::zeros((1, m));
    for (j, (x0, x1, label)) in points.into_iter().enumerate() {
        x[(0, j)] = x0;
        x[(1, j)] = x1;
        y[(0, j)] = label;
    }
    Dataset { x, y, ..Dataset::default() }
}

type Point = (f64, f64, f64);

/// scikit-learn's `make_circles(n_samples=n, factor=factor, noise=noise)` drawing from the
/// generator `rng` (as `random_state=None` draws from `np.random.seed`'s), value for value.
/// X is 2 × n, Y is 1 × n (label 1 on the inner circle).
///
/// n_out = n / 2 points (cos t, sin t) for t = linspace(0, 2π, n_out, endpoint=False), then
/// n_in = n − n_out points (cos t · factor, sin t · factor) for t = linspace(0, 2π, n_in,
/// endpoint=False); then the examples are put in the order of
/// [`NumpyRng::permutation`]`(n)`, and, when `noise` is given, [`NumpyRng::normal`]`(noise)`
/// is added to x₁ then x₂ of each example in turn. With no noise only the permutation is drawn.
///
/// # Panics
/// When `factor` is not in [0, 1) (scikit-learn refuses it too).
///
/// ```
/// use dnn::{data::make_circles, NumpyRng};
/// // np.random.seed(1); X, y = make_circles(300, noise=0.05)
/// let set = make_circles(300, 0.8, Some(0.05), &mut NumpyRng::new(1));
/// assert_eq!([set.x[(0, 0)], set.x[(1, 0)], set.y[(0, 0)]], [-0.07741354010048114, 0.8526022642742742, 1.0]);
/// ```
pub fn make_circles(n: usize, factor: f64, noise: Option<f64>, rng: &mut NumpyRng) -> Dataset {
    assert!((0.0..1.0).contains(&factor), "make_circles: factor {factor} is not in [0, 1)");
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace(0.0, 2.0 * PI, n_out, false).into_iter().map(|t| (t.cos(), t.sin()));
    let inner = linspace(0.0, 2.0 * PI, n_in, false).into_iter().map(|t| (t.cos() * factor, t.sin() * factor));
    shuffled_with_noise(outer.chain(inner).collect(), n_out, noise, rng)
}

/// scikit-learn's `make_moons(n_samples=n, noise=noise)` drawing from the generator `rng`,
/// value for value. X is 2 × n, Y is 1 × n (label 1 on the lower moon).
///
/// n_out = n / 2 points (cos t, sin t) for t = linspace(0, π, n_out), then n_in = n − n_out
/// points (1 − cos t, (1 − sin t) − 0.5) for t = linspace(0, π, n_in); then the same
/// permutation and noise as [`make_circles`].
///
/// ```
/// use dnn::{data::make_moons, NumpyRng};
/// // np.random.seed(3); X, y = make_moons(300, noise=0.2)
/// let set = make_moons(300, Some(0.2), &mut NumpyRng::new(3));
/// assert_eq!([set.x[(0, 0)], set.x[(1, 0)], set.y[(0, 0)]], [-0.21687013460912397, 1.0154493742029873, 0.0]);
/// ```
pub fn make_moons(n: usize, noise: Option<f64>, rng: &mut NumpyRng) -> Dataset {
    let (n_out, n_in) = (n / 2, n - n / 2);
    let outer = linspace(0.0, PI, n_out, true).into_iter().map(|t| (t.cos(), t.sin()));
    let inner = linspace(0.0, PI, n_in, true).into_iter().map(|t| (1.0 - t.cos(), (1.0 - t.sin()) - 0.5));
    shuffled_with_noise(outer.chain(inner).collect(), n_out, noise, rng)
}

/// The examples of scikit-learn's toy sets in the order of one permutation (the first
/// `n_out` points have label 0, the others 1), then Gaussian noise added row by row.
fn shuffled_with_noise(points: Vec<(f64, f64)>, n_out: usize, noise: Option<f64>, rng: &mut NumpyRng) -> Dataset {
    let m = points.len();
    let mut x = Array2::zeros((2, m));
    let mut y = Array2::zeros((1, m));
    for (j, i) in rng.permutation(m).into_iter().enumerate() {
        x[(0, j)] = points[i].0;
        x[(1, j)] = points[i].1;
        y[(0, j)] = if i < n_out { 0.0 } else { 1.0 };
    }
    if let Some(noise) = noise {
        for j in 0..m {
            x[(0, j)] += rng.normal(noise);
            x[(1, j)] += rng.normal(noise);
        }
    }
    Dataset { x, y, ..Dataset::default() }
}

/// Two interleaving half circles with Gaussian noise.
fn moons(rng: &mut NumpyRng, m: usize, noise: f64) -> Vec<Point> {
    let outer = m / 2;
    let inner = m - outer;
    let mut points: Vec<Point> = linspace(0.0, PI, outer, true).into_iter().map(|t| (t.cos(), t.sin(), 0.0)).collect();
    points.extend(linspace(0.0, PI, inner, true).into_iter().map(|t| (1.0 - t.cos(), 1.0 - t.sin() - 0.5, 1.0)));
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

/// As [`blobs`], but blob i has label i.
fn blobs_of_classes(rng: &mut NumpyRng, m: usize, centres: usize) -> Vec<Point> {
    let mut points = blobs(rng, m, centres);
    for (i, point) in points.iter_mut().enumerate() {
        point.2 = (i * centres / m) as f64;
    }
    points
}

/// `k` spiral arms of `n` points each (see [`builtin_classes`]).
fn spiral(rng: &mut NumpyRng, n: usize, k: usize) -> Vec<Point> {
    let step = |i: usize| if n > 1 { i as f64 / (n - 1) as f64 } else { 0.0 };
    (0..k)
        .flat_map(|class| (0..n).map(move |i| (class, i)))
        .map(|(class, i)| {
            let r = step(i);
            let t = 4.0 * class as f64 + 4.0 * step(i) + 0.2 * rng.randn();
            (r * t.sin(), r * t.cos(), class as f64)
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
        let theta: Vec<f64> = linspace(start, stop, N, true).into_iter().map(|t| t + rng.randn() * 0.2).collect();
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

/// `np.linspace(start, stop, n, endpoint)`, rounded as numpy rounds it: `i·step + start` with
/// step = (stop − start) / (n − 1), or / n without the endpoint; with the endpoint the last
/// value is `stop` itself. A single value is `start`.
fn linspace(start: f64, stop: f64, n: usize, endpoint: bool) -> Vec<f64> {
    let div = if endpoint { n.saturating_sub(1) } else { n };
    if div == 0 {
        return vec![start; n];
    }
    let step = (stop - start) / div as f64;
    let mut values: Vec<f64> = (0..n).map(|i| i as f64 * step + start).collect();
    if endpoint {
        values[n - 1] = stop;
    }
    values
}
