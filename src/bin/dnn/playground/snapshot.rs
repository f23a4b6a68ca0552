//! What the page draws, computed from a [`Frame`] on the page's own connection thread (so
//! the training thread only hands over a copy of the network): the decision boundary over a
//! grid of [`GRID`]×[`GRID`] points, each hidden unit's activation over the same plane, the
//! weights, accuracies and costs, as one line of JSON.

use dnn::{Loss, Network, Workspace};
use ndarray::{Array2, ArrayView2};
use serde_json::{json, Value};

use super::command;
use super::run::Frame;
use super::settings::Plan;

/// Points per side of the boundary's grid.
pub const GRID: usize = 100;
/// Every how many grid points a hidden unit's heat map takes one (50×50 per unit).
const UNIT_STRIDE: usize = 2;

/// The plane drawn: `[x1 min, x1 max, x2 min, x2 max]` around every point, with a margin.
pub fn bounds(plan: &Plan) -> [f64; 4] {
    let x = &plan.all.x;
    let mut b = [f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY];
    for j in 0..x.ncols() {
        b[0] = b[0].min(x[(0, j)]);
        b[1] = b[1].max(x[(0, j)]);
        b[2] = b[2].min(x[(1, j)]);
        b[3] = b[3].max(x[(1, j)]);
    }
    for axis in 0..2 {
        let margin = ((b[2 * axis + 1] - b[2 * axis]) * 0.1).max(0.5);
        b[2 * axis] -= margin;
        b[2 * axis + 1] += margin;
    }
    b
}

/// The grid's points as X (2 × GRID²), row by row from the top (largest x2) left to right.
pub fn grid(bounds: [f64; 4]) -> Array2<f64> {
    let mut x = Array2::zeros((2, GRID * GRID));
    for row in 0..GRID {
        for col in 0..GRID {
            let j = row * GRID + col;
            x[(0, j)] = bounds[0] + (bounds[1] - bounds[0]) * (col as f64 + 0.5) / GRID as f64;
            x[(1, j)] = bounds[3] - (bounds[3] - bounds[2]) * (row as f64 + 0.5) / GRID as f64;
        }
    }
    x
}

/// The data's points, sent when the data changes: `[x1, x2, class]` of the training and the
/// test examples, and the plane's bounds.
pub fn points(plan: &Plan) -> Value {
    let triples = |x: &Array2<f64>, y: &Array2<f64>| -> Vec<[f64; 3]> {
        (0..x.ncols()).map(|j| [x[(0, j)], x[(1, j)], y[(0, j)]]).collect()
    };
    json!({
        "train": triples(&plan.train.x, &plan.train.y),
        "test": plan.test.as_ref().map(|t| triples(&t.x, &t.y)),
        "bounds": bounds(plan),
        "k": plan.k,
        "settings": plan.settings,
    })
}

/// Reusable buffers for a frame's pictures: the grid and the workspace of its forward sweep.
pub struct Painter {
    bounds: [f64; 4],
    grid: Array2<f64>,
    sizes: Vec<usize>,
    ws: Option<Workspace<f64>>,
}

impl Painter {
    pub fn new() -> Painter {
        Painter { bounds: [0.0; 4], grid: Array2::zeros((2, 0)), sizes: Vec::new(), ws: None }
    }

    /// The frame as one line of JSON.
    pub fn snapshot(&mut self, frame: &Frame) -> String {
        let network = &frame.network;
        let bounds = bounds(&frame.plan);
        if bounds != self.bounds || self.grid.ncols() == 0 {
            self.bounds = bounds;
            self.grid = grid(bounds);
        }
        if self.sizes != network.sizes() || self.ws.is_none() {
            self.sizes = network.sizes();
            self.ws = Some(Workspace::new(network, GRID * GRID));
        }
        let ws = self.ws.as_mut().expect("made above");
        network.forward(self.grid.view(), ws);
        let boundary = boundary_bytes(network.loss(), ws.output());
        let layers = network.layers().len();
        // Every hidden layer's units, and the output's when it has one unit per class.
        let shown = if network.n_out() > 1 { layers } else { layers - 1 };
        let units: Vec<Value> = (1..=shown).map(|l| unit_maps(ws.a(l))).collect();
        let weights: Vec<Value> = network
            .layers()
            .iter()
            .map(|layer| {
                let w: Vec<Vec<f64>> = layer.w().rows().into_iter().map(|row| row.to_vec()).collect();
                json!({ "w": w, "b": layer.b().to_vec(), "activation": layer.activation().name() })
            })
            .collect();
        let identical: Vec<bool> = network.layers()[..layers - 1].iter().map(identical_units).collect();
        let plan = &frame.plan;
        let train_accuracy = accuracy(network, &plan.train.x, &plan.train.y);
        let test_accuracy = plan.test.as_ref().map(|t| accuracy(network, &t.x, &t.y));
        let command = command::command(frame);
        json!({
            "version": frame.version,
            "iteration": frame.iterations,
            "cost": frame.cost,
            "test_cost": frame.test_costs.points.last().map(|p| p.1),
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "costs": frame.costs.points,
            "test_costs": frame.test_costs.points,
            "playing": frame.playing,
            "learning_rate": frame.learning_rate,
            "learning_rate_changed_at": frame.learning_rate_changed_at,
            "diverged": frame.diverged.map(|d| d.to_string()),
            "sizes": network.sizes(),
            "grid": GRID,
            "unit_grid": GRID / UNIT_STRIDE,
            "boundary": boundary,
            "units": units,
            "weights": weights,
            "identical": identical,
            "m": plan.train.m(),
            "command": command.line,
            "command_exact": command.exact.as_ref().err(),
        })
        .to_string()
    }
}

/// The output over the grid as base64 bytes: for a sigmoid, p(class 1)·255 per point; for a
/// softmax, two bytes per point: the likeliest class and its probability·255.
fn boundary_bytes(loss: Loss, output: ArrayView2<f64>) -> String {
    let byte = |p: f64| (p.clamp(0.0, 1.0) * 255.0).round() as u8;
    let bytes: Vec<u8> = match loss {
        Loss::CategoricalCrossEntropy => output
            .columns()
            .into_iter()
            .flat_map(|column| {
                let (class, p) =
                    column
                        .iter()
                        .enumerate()
                        .fold((0, f64::NEG_INFINITY), |best, (c, &p)| if p > best.1 { (c, p) } else { best });
                [class as u8, byte(p)]
            })
            .collect(),
        _ => output.iter().map(|&p| byte(p)).collect(),
    };
    base64(&bytes)
}

/// Each unit of a hidden layer over every [`UNIT_STRIDE`]-th grid point, scaled to bytes
/// between its smallest and largest value there: `{"lo": [..], "hi": [..], "maps": [..]}`.
fn unit_maps(a: ArrayView2<f64>) -> Value {
    let side = GRID / UNIT_STRIDE;
    let mut lo = Vec::new();
    let mut hi = Vec::new();
    let mut maps = Vec::new();
    for unit in a.rows() {
        let at = |r: usize, c: usize| unit[(r * UNIT_STRIDE) * GRID + c * UNIT_STRIDE];
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for r in 0..side {
            for c in 0..side {
                min = min.min(at(r, c));
                max = max.max(at(r, c));
            }
        }
        let span = if max > min { max - min } else { 1.0 };
        let mut bytes = Vec::with_capacity(side * side);
        for r in 0..side {
            for c in 0..side {
                bytes.push((((at(r, c) - min) / span) * 255.0).round() as u8);
            }
        }
        lo.push(min);
        hi.push(max);
        maps.push(base64(&bytes));
    }
    json!({ "lo": lo, "hi": hi, "maps": maps })
}

/// Whether every unit of the layer has the same incoming weights and bias (to 1e-12): the
/// symmetry that zero initialisation never breaks.
fn identical_units(layer: &dnn::Dense<f64>) -> bool {
    let (w, b) = (layer.w(), layer.b());
    (1..w.nrows())
        .all(|i| (b[i] - b[0]).abs() <= 1e-12 && w.row(i).iter().zip(w.row(0)).all(|(p, q)| (p - q).abs() <= 1e-12))
        && w.nrows() > 1
}

/// The fraction of examples classified right.
fn accuracy(network: &Network<f64>, x: &Array2<f64>, y: &Array2<f64>) -> Option<f64> {
    let classes = network.predict_classes(x.view()).ok()?;
    let right = classes.iter().zip(y.iter()).filter(|&(&c, &label)| c as f64 == label).count();
    Some(right as f64 / classes.len().max(1) as f64)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n =
            (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(base64(&[255, 0, 128, 7]), "/wCABw==");
    }
}
