//! The second course's week 1, "Gradient Checking", with the course's numbers beside dnn's:
//!
//! - 1-D: J(θ) = θx at x = 2, θ = 4, ε = 1e-7: the central difference
//!   `(J(θ + ε) − J(θ − ε)) / 2ε` = 2.0000000011677344 against dJ/dθ = x, a relative difference
//!   of 2.919335883291695e-10, to the last bit (plain scalar arithmetic);
//! - N-D: the network 4 → 5 ReLU → 3 ReLU → 1 sigmoid of the notebook's test case (X, then W1,
//!   b1, W2, b2, W3, b3 drawn with `randn` after `np.random.seed(1)`, Y = [1, 1, 0]) checked
//!   with [`dnn::gradient_check`]:
//!   - the notebook's backward pass has two planted bugs, dW2 twice and db1 four times too
//!     large: reproduced on dnn's gradient, the check finds them, 0.2850931567761623;
//!   - dnn's own backward pass passes the check (< 2e-7; the course's 1.1890913024229996e-07
//!     is rounding noise of the differences, which a change in the last bit of X moves by 5 %,
//!     so only the threshold is compared). dnn's cost, computed from Z\[L\], has less of that
//!     noise: its difference is about 1e-9; the course's form of the cost, from A\[L\] with
//!     logs, gives about 1.2e-7 here too.
//!
//! No files needed. Run:
//!
//! ```sh
//! cargo run --release --example gradient_checking
//! ```
//!
//! The exit status is 1 when a number does not match the course's.
//! Golden values: ../shared/reference/course2/RESULTS.md, §5.3.

mod common;

use std::process::ExitCode;

use common::{Options, Report, Result, Tolerance, COST, EXACT};
use dnn::{gradient_check, Activation, Dense, Loss, Network, NumpyRng, Workspace};
use ndarray::{Array1, Array2};

const USAGE: &str = "usage: gradient_checking";

/// The notebook's ε.
const EPSILON: f64 = 1e-7;

/// The notebook's threshold: above it, "There is a mistake in the backward propagation!".
const THRESHOLD: f64 = 2e-7;

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    one_dimensional(&mut report);
    n_dimensional(&mut report)?;
    Ok(report)
}

/// `np.linalg.norm(a − b) / (np.linalg.norm(a) + np.linalg.norm(b))`.
fn difference(grad: &[f64], gradapprox: &[f64]) -> f64 {
    let norm = |values: &mut dyn Iterator<Item = f64>| values.map(|v| v * v).sum::<f64>().sqrt();
    let numerator = norm(&mut grad.iter().zip(gradapprox).map(|(g, a)| g - a));
    numerator / (norm(&mut grad.iter().copied()) + norm(&mut gradapprox.iter().copied()))
}

fn one_dimensional(report: &mut Report) {
    report.section("1-D gradient checking: J(θ) = θx, x = 2, θ = 4, ε = 1e-7");
    let (x, theta) = (2.0, 4.0);
    let forward = |theta: f64| theta * x;
    let gradapprox = (forward(theta + EPSILON) - forward(theta - EPSILON)) / (2.0 * EPSILON);
    let grad = x;
    report.check("gradapprox", 2.0000000011677344, gradapprox, EXACT);
    report.check("difference", 2.919335883291695e-10, difference(&[grad], &[gradapprox]), EXACT);
}

/// The notebook's `gradient_check_n_test_case`: `np.random.seed(1)`, X = randn(4, 3),
/// Y = [1, 1, 0], then W1 = randn(5, 4), b1 = randn(5, 1), W2 = randn(3, 5), b2 = randn(3, 1),
/// W3 = randn(1, 3), b3 = randn(1, 1).
fn test_case() -> Result<(Network<f64>, Array2<f64>, Array2<f64>)> {
    let mut rng = NumpyRng::new(1);
    let x = rng.randn_matrix(4, 3);
    let y = ndarray::array![[1.0, 1.0, 0.0]];
    let mut layers = Vec::new();
    for (n, n_prev, activation) in [(5, 4, Activation::Relu), (3, 5, Activation::Relu), (1, 3, Activation::Sigmoid)] {
        let w = rng.randn_matrix(n, n_prev);
        let b: Array1<f64> = rng.randn_matrix(n, 1).column(0).to_owned();
        layers.push(Dense::new(w, b, activation)?);
    }
    Ok((Network::from_layers(layers, Loss::CrossEntropy)?, x, y))
}

fn n_dimensional(report: &mut Report) -> Result<()> {
    report.section("N-D gradient checking: 4 → 5 ReLU → 3 ReLU → 1 sigmoid, ε = 1e-7");
    let (network, x, y) = test_case()?;
    let mut workspace = Workspace::new(&network, x.ncols());
    network.forward(x.view(), &mut workspace);
    report.check("cost", 2.407833389834357, network.cost(&workspace, y.view()), COST);
    report.show("parameters checked", network.parameter_count());

    let check = gradient_check(&network, x.view(), y.view(), EPSILON)?;
    // θ is W1 (5·4), b1 (5), W2 (3·5), b2 (3), W3, b3, row-major: the notebook's order.
    let (db1, dw2) = (20..25, 25..40);
    let mut buggy = check.analytic.clone();
    buggy[dw2].iter_mut().for_each(|g| *g *= 2.0);
    buggy[db1].iter_mut().for_each(|g| *g *= 4.0);
    let found = difference(&buggy, &check.numeric);
    // The planted-bug difference moves by 7e-8 relative under a change in the last bit of X.
    report.check("difference, backward with dW2 ×2 and db1 ×4", 0.2850931567761623, found, Tolerance::Relative(1e-6));
    report.check_claim("the bugs are found", "difference > 2e-7", found, found > THRESHOLD);

    let fixed = check.relative_error;
    report.check_claim(
        "difference, dnn's backward",
        "< 2e-7 (printed 1.1890913024229996e-07)",
        fixed,
        fixed < THRESHOLD,
    );
    report.check(
        "difference, recomputed from the two gradients",
        fixed,
        difference(&check.analytic, &check.numeric),
        Tolerance::Relative(1e-12),
    );
    // dnn's difference is about a hundred times smaller than the course's. Both are mostly
    // the rounding error of J(θ ± ε) divided by 2ε, and the course's cost goes through the
    // rounded sigmoid output and its logs, where dnn's is computed from Z directly. The same
    // central differences of the course's form of the cost land next to the course's figure.
    let course_form = course_gradapprox(&network, &x, &y)?;
    let noisy = difference(&check.analytic, &course_form);
    report.check_claim(
        "difference with the course's cost (from A[L])",
        "about 1.2e-7, < 2e-7",
        noisy,
        noisy < THRESHOLD,
    );
    Ok(())
}

/// The central differences of the course's form of the cost (from A\[L\], with logs), one
/// parameter at a time in θ's order.
fn course_gradapprox(network: &Network<f64>, x: &Array2<f64>, y: &Array2<f64>) -> Result<Vec<f64>> {
    let mut probe = network.clone();
    let mut gradapprox = Vec::with_capacity(network.parameter_count());
    for l in 0..network.layers().len() {
        let weights = network.layers()[l].w().len();
        for i in 0..weights + network.layers()[l].b().len() {
            let mut cost_at = |shift: f64| -> Result<f64> {
                let (w, b) = probe.layers_mut().nth(l).expect("layer l exists");
                let parameter = if i < weights {
                    &mut w.into_slice().expect("standard layout")[i]
                } else {
                    &mut b.into_slice().expect("standard layout")[i - weights]
                };
                let original = *parameter;
                *parameter = original + shift;
                let cost = common::course_nansum_cost(&probe, x.view(), y.view());
                let (w, b) = probe.layers_mut().nth(l).expect("layer l exists");
                if i < weights {
                    w.into_slice().expect("standard layout")[i] = original
                } else {
                    b.into_slice().expect("standard layout")[i - weights] = original
                };
                cost
            };
            let (plus, minus) = (cost_at(EPSILON)?, cost_at(-EPSILON)?);
            gradapprox.push((plus - minus) / (2.0 * EPSILON));
        }
    }
    Ok(gradapprox)
}
