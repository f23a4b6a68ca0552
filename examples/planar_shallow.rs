//! Week 3 of the course, "Planar data classification with one hidden layer", with the course's
//! printed numbers beside dnn's:
//!
//! - logistic regression on the planar "flower" (400 points, two classes no line separates):
//!   the course gets 47 %;
//! - one hidden layer of 4 tanh units (weights randn·0.01 drawn after `np.random.seed(2)`,
//!   b = 0, learning rate 1.2, 10000 iterations): the initial weights, the costs, 90 %;
//! - the decision boundaries of both, as PNGs;
//! - the hidden-layer sizes 1, 2, 3, 4, 5, 20 and 50 (5000 iterations each);
//! - the same network on the other 2-D data sets of the course (noisy circles, noisy moons,
//!   blobs, Gaussian quantiles), with a decision boundary each.
//!
//! No files needed: the data sets are generated. Run:
//!
//! ```sh
//! cargo run --release --example planar_shallow [-- --out-dir DIR]
//! ```
//!
//! It takes about two seconds. The PNGs go to `target/examples-output/` unless `--out-dir`
//! names another folder. The exit status is 1 when a number does not match the course's.
//! Golden values: ../shared/reference/course_results.md, "Planar flower data".

mod common;

use std::process::ExitCode;

use common::{Options, Report, Result, Tolerance, COST, EXACT, NUMPY_PRINTED};
use dnn::data::Dataset;
use dnn::plot::decision_boundary;
use dnn::{fit, Activation, Architecture, History, Init, Network, NumpyRng, TrainConfig};
use ndarray::array;

const USAGE: &str = "usage: planar_shallow [--out-dir DIR]";

/// The learning rate of every model of the week.
const LEARNING_RATE: f64 = 1.2;

/// The course's costs of the 4-unit network, printed with 6 decimals.
const COURSE_COSTS: [(usize, f64); 4] = [(0, 0.693048), (1000, 0.288083), (2000, 0.254385), (5000, 0.222644)];

/// Costs of the course's code run with numpy in f64 on this data, in full.
const NUMPY_COSTS: [(usize, f64); 4] =
    [(0, 0.6930480201239823), (1, 0.6929813036112868), (2, 0.6928859307351817), (1000, 0.28808329356901846)];

/// The hidden-layer sweep: n_h, the course's training accuracy (%), and whether it is
/// reproducible to the example. For 20 and 50 units the last of 5000 steps at learning rate
/// 1.2 depend on rounding: numpy on this machine gets 90.5 and 90.75 (tests/fixtures/
/// planar_sweep.txt) instead of the course's
/// 90.0 and 90.25, so those are compared to ±1 point (4 of 400 examples).
const SWEEP: [(usize, f64, bool); 7] = [
    (1, 67.5, true),
    (2, 67.25, true),
    (3, 90.75, true),
    (4, 90.5, true),
    (5, 91.25, true),
    (20, 90.0, false),
    (50, 90.25, false),
];

/// The course's other 2-D data sets, by dnn's built-in names.
const OTHER_DATA_SETS: [(&str, &str); 4] = [
    ("circles", "noisy circles"),
    ("moons", "noisy moons"),
    ("blobs", "blobs"),
    ("gaussian-quantiles", "Gaussian quantiles"),
];

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    let options = Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    let flower = dnn::data::planar(1);
    logistic_regression(&mut report, &options, &flower)?;
    one_hidden_layer(&mut report, &options, &flower)?;
    hidden_layer_sizes(&mut report, &flower)?;
    other_data_sets(&mut report, &options)?;
    Ok(report)
}

/// 2 → n_h tanh → 1 sigmoid, initialised as the course: `np.random.seed(2)`, then
/// W1 = randn(n_h, 2)·0.01 and W2 = randn(1, n_h)·0.01, b1 = b2 = 0.
fn shallow_network(n_h: usize) -> Result<Network<f64>> {
    let arch = Architecture::new(&[2, n_h, 1], Activation::Tanh, Activation::Sigmoid)?;
    Ok(Network::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2))?)
}

/// Batch gradient descent at the week's learning rate.
fn train(network: Network<f64>, data: &Dataset, iterations: usize) -> Result<(Network<f64>, History)> {
    let config = TrainConfig::new(LEARNING_RATE, iterations).check()?;
    Ok(fit(network, data.x.view(), data.y.view(), &config)?)
}

/// Writes the decision boundary of `network` over `data` and says where.
fn plot_boundary(
    report: &mut Report,
    path: std::path::PathBuf,
    title: &str,
    network: &Network<f64>,
    data: &Dataset,
) -> Result<()> {
    let labels = data.y.row(0).to_vec();
    decision_boundary(&path, title, data.x.view(), &labels, |grid| common::probabilities(network, grid))?;
    report.note(format!("decision boundary: {}", path.display()));
    Ok(())
}

fn logistic_regression(report: &mut Report, options: &Options, flower: &Dataset) -> Result<()> {
    report.section("Logistic regression on the flower (a straight boundary)");
    // The course fits scikit-learn's LogisticRegressionCV (L2 penalty, C chosen by
    // cross-validation); dnn fits the same model, ŷ = σ(wᵀx + b), by gradient descent without
    // a penalty (w = 0, b = 0, the week's learning rate and 10000 iterations). Both draw a
    // straight line through a flower whose classes no line separates, so both land near
    // chance; the match allows ±3 points for the different fits.
    let arch = Architecture::new(&[2, 1], Activation::Sigmoid, Activation::Sigmoid)?;
    let network = Network::init(&arch, Init::Zeros, &mut NumpyRng::new(0))?;
    let (network, history) = train(network, flower, 10000)?;
    let accuracy = common::accuracy_percent(&network, flower.x.view(), flower.y.view())?;
    report.check("accuracy (%), course: LogisticRegressionCV", 47.0, accuracy, Tolerance::Absolute(3.0));
    report.show("final cost", history.final_cost().unwrap_or(f64::NAN));
    let path = options.out("planar_logistic_regression.png");
    plot_boundary(report, path, "Logistic regression on the planar flower", &network, flower)
}

fn one_hidden_layer(report: &mut Report, options: &Options, flower: &Dataset) -> Result<()> {
    report.section("One hidden layer of 4 tanh units, learning rate 1.2, 10000 iterations");
    let network = shallow_network(4)?;
    let course_w1 = array![
        [-0.00416758, -0.00056267],
        [-0.02136196, 0.01640271],
        [-0.01793436, -0.00841747],
        [0.00502881, -0.01245288]
    ];
    report.check_matrix("initial W1", course_w1.view(), network.layers()[0].w().view(), NUMPY_PRINTED);
    let course_w2 = array![[-0.01057952, -0.00909008, 0.00551454, 0.02292208]];
    report.check_matrix("initial W2", course_w2.view(), network.layers()[1].w().view(), NUMPY_PRINTED);

    let (network, history) = train(network, flower, 10000)?;
    for (i, course) in NUMPY_COSTS {
        report.check(format!("cost after iteration {i} (numpy, in full)"), course, history.costs[i], COST);
    }
    for (i, course) in COURSE_COSTS {
        report.check(format!("cost after iteration {i}"), course, history.costs[i], Tolerance::Absolute(5e-7));
    }
    // Past about 7000 iterations at learning rate 1.2 this run is sensitive to rounding: numpy,
    // PyTorch and scikit-learn differ from each other in the 4th digit by 8000.
    report.check(
        "cost after iteration 9000 (to the 3rd digit)",
        0.218607,
        history.costs[9000],
        Tolerance::Absolute(1e-3),
    );
    // The course prints the accuracy as an integer, truncated: 0.9075 and 0.905 both print 90.
    let accuracy = common::accuracy_percent(&network, flower.x.view(), flower.y.view())?;
    report.check("accuracy (%), truncated as printed", 90.0, accuracy.trunc(), EXACT);
    report.show("accuracy (%) (numpy on this machine: 90.75)", accuracy);
    let path = options.out("planar_hidden_4.png");
    plot_boundary(report, path, "Planar flower: one hidden layer of 4 tanh units", &network, flower)
}

fn hidden_layer_sizes(report: &mut Report, flower: &Dataset) -> Result<()> {
    report.section("Hidden-layer sizes, 5000 iterations each (training accuracy)");
    for (n_h, course, reproducible) in SWEEP {
        let (network, _) = train(shallow_network(n_h)?, flower, 5000)?;
        let accuracy = common::accuracy_percent(&network, flower.x.view(), flower.y.view())?;
        if reproducible {
            report.check(format!("n_h = {n_h}: accuracy (%)"), course, accuracy, EXACT);
        } else {
            let quantity = format!("n_h = {n_h}: accuracy (%), rounding-sensitive");
            report.check(quantity, course, accuracy, Tolerance::Absolute(1.0));
        }
    }
    Ok(())
}

fn other_data_sets(report: &mut Report, options: &Options) -> Result<()> {
    report.section("The other data sets: 4 tanh units, 10000 iterations (the course shows only plots)");
    for (name, title) in OTHER_DATA_SETS {
        let data = dnn::data::builtin(name, 1)?;
        let (network, _) = train(shallow_network(4)?, &data, 10000)?;
        let accuracy = common::accuracy_percent(&network, data.x.view(), data.y.view())?;
        report.show(format!("{title}: training accuracy (%)"), accuracy);
        let path = options.out(&format!("{name}_hidden_4.png"));
        plot_boundary(report, path, &format!("{title}: one hidden layer of 4 tanh units"), &network, &data)?;
    }
    Ok(())
}
