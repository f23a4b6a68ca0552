//! Week 2 of the course, "Logistic regression with a neural network mindset", on the course's
//! cat / non-cat pictures, with the course's printed numbers beside dnn's:
//!
//! - the building blocks on the notebook's small inputs: sigmoid, propagate (cost, dw, db),
//!   optimize (100 steps of gradient descent) and predict;
//! - the model: w = 0, b = 0 (12288 weights), learning rate 0.005, 2000 iterations, the cost
//!   every 100 iterations, train accuracy 99.04306220095694 %, test 70 %, and its cost curve;
//! - the learning-rate comparison: 0.01, 0.001 and 0.0001 for 1500 iterations each, as a
//!   table and as one plot with the three cost curves.
//!
//! Needs `../shared/data/catvnoncat/{train,test}_catvnoncat.h5` next to the crate. Run:
//!
//! ```sh
//! cargo run --release --example logistic_regression_cat [-- --out-dir DIR]
//! ```
//!
//! The PNGs go to `target/examples-output/` unless `--out-dir` names another folder. The exit
//! status is 1 when a number does not match the course's.
//! Golden values: ../shared/reference/course_results.md, "Logistic regression on the cat data".

// Golden values are quoted digit for digit as published, including ln 2 at iteration 0.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

mod common;

use std::process::ExitCode;

use common::{Options, Report, Result, Tolerance, COST, EXACT, NUMPY_PRINTED};
use dnn::activation::sigmoid;
use dnn::data::Dataset;
use dnn::plot::{cost_curves, Curve};
use dnn::{fit, Activation, Architecture, Dense, History, Init, Loss, Network, NumpyRng, TrainConfig, Workspace};
use ndarray::{array, Array2};

const USAGE: &str = "usage: logistic_regression_cat [--out-dir DIR]";

/// The course's costs of the model (learning rate 0.005), by iteration.
const COURSE_COSTS: [(usize, f64); 9] = [
    (0, 0.69314718055994529),
    (100, 0.58450836369930859),
    (200, 0.46694904094655459),
    (300, 0.37600686694802077),
    (400, 0.33146328932825114),
    (500, 0.30327306747438287),
    (1000, 0.21481951378449646),
    (1500, 0.16652139705400335),
    (1900, 0.14087207570310162),
];

/// The learning-rate comparison as the course prints it: rate, train and test accuracy (%).
const COURSE_RATES: [(f64, &str, &str); 3] =
    [(0.01, "99.52", "68.0"), (0.001, "88.995", "64.0"), (0.0001, "68.42", "36.0")];

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    let options = Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    building_blocks(&mut report)?;
    let (train, test) = common::cat_data()?;
    the_model(&mut report, &options, &train, &test)?;
    learning_rates(&mut report, &options, &train, &test)?;
    Ok(report)
}

/// Logistic regression `ŷ = σ(wᵀx + b)` is a network without hidden layers: one sigmoid unit.
/// dnn stores w as the row W = wᵀ (1 × n_x).
fn logistic_unit(w: Array2<f64>, b: f64) -> Result<Network<f64>> {
    let layer = Dense::new(w, array![b], Activation::Sigmoid)?;
    Ok(Network::from_layers(vec![layer], Loss::CrossEntropy)?)
}

/// The notebook's tests of sigmoid, propagate, optimize and predict.
fn building_blocks(report: &mut Report) -> Result<()> {
    report.section("Building blocks, on the notebook's test inputs");
    let course = array![[0.5, 0.88079708]];
    report.check_matrix("sigmoid([0, 2])", course.view(), array![[sigmoid(0.0), sigmoid(2.0)]].view(), NUMPY_PRINTED);

    // propagate(w = [[1], [2]], b = 1.5, X, Y): A = σ(wᵀX + b), the cost J, then
    // dw = (1/m) X (A − Y)ᵀ and db = (1/m) Σ (A − Y).
    let x = array![[1.0, -2.0, -1.0], [3.0, 0.5, -3.2]];
    let y = array![[1.0, 1.0, 0.0]];
    let network = logistic_unit(array![[1.0, 2.0]], 1.5)?;
    let mut ws = Workspace::new(&network, x.ncols());
    network.forward(x.view(), &mut ws);
    let cost = network.cost(&ws, y.view());
    network.backward(x.view(), y.view(), &mut ws);
    let grads = &ws.gradients()[0];
    report.check_matrix("propagate: dwᵀ", array![[0.25071532, -0.06604096]].view(), grads.dw.view(), NUMPY_PRINTED);
    report.check("propagate: db", -0.1250040450043965, grads.db[0], Tolerance::Relative(1e-12));
    report.check("propagate: cost", 0.15900537707692405, cost, Tolerance::Relative(1e-12));

    // optimize: 100 steps of w := w − α·dw, b := b − α·db with α = 0.009, from the same start.
    let config = TrainConfig::new(0.009, 100).with_threads(1).check()?;
    let (network, _) = fit(network, x.view(), y.view(), &config)?;
    let layer = &network.layers()[0];
    report.check_matrix("optimize: wᵀ", array![[0.80956046, 2.0508202]].view(), layer.w().view(), NUMPY_PRINTED);
    report.check("optimize: b", 1.5948713189708588, layer.b()[0], Tolerance::Relative(1e-12));

    // predict: 1 where σ(wᵀx + b) > 0.5.
    let network = logistic_unit(array![[0.1124579, 0.23106775]], -0.3)?;
    let x = array![[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]];
    let predictions = network.predict(x.view(), 0.5)?;
    report.check_matrix("predict", array![[1.0, 1.0, 0.0]].view(), predictions.view(), EXACT);
    Ok(())
}

/// Trains logistic regression from w = 0, b = 0 by batch gradient descent.
fn train_logistic(train: &Dataset, learning_rate: f64, iterations: usize) -> Result<(Network<f64>, History)> {
    let arch = Architecture::new(&[train.n_x(), 1], Activation::Sigmoid, Activation::Sigmoid)?;
    // Zeros are right here: with no hidden units there is no symmetry to break (nothing is drawn).
    let network = Network::init(&arch, Init::Zeros, &mut NumpyRng::new(0))?;
    let config = TrainConfig::new(learning_rate, iterations).check()?;
    Ok(fit(network, train.x.view(), train.y.view(), &config)?)
}

fn the_model(report: &mut Report, options: &Options, train: &Dataset, test: &Dataset) -> Result<()> {
    report.section("The model: w = 0, b = 0, learning rate 0.005, 2000 iterations");
    let (network, history) = train_logistic(train, 0.005, 2000)?;
    for i in (0..2000).step_by(100) {
        let quantity = format!("cost after iteration {i}");
        match COURSE_COSTS.iter().find(|(at, _)| *at == i) {
            Some(&(_, course)) => report.check(quantity, course, history.costs[i], COST),
            None => report.show(quantity, history.costs[i]),
        }
    }
    report.check("final b", -0.015906243999692933, network.layers()[0].b()[0], COST);
    // One picture is 0.48 points of train accuracy and 2 points of test accuracy: ±1e-9 means
    // the same pictures right.
    let train_accuracy = common::accuracy_percent(&network, train.x.view(), train.y.view())?;
    let test_accuracy = common::accuracy_percent(&network, test.x.view(), test.y.view())?;
    report.check("train accuracy (%)", 99.04306220095694, train_accuracy, Tolerance::Absolute(1e-9));
    report.check("test accuracy (%)", 70.0, test_accuracy, Tolerance::Absolute(1e-9));

    let path = options.out("logistic_regression_cost.png");
    let curve = Curve { label: "learning rate 0.005", costs: &history.costs };
    cost_curves(&path, "Logistic regression on the cat pictures, learning rate 0.005", &[curve])?;
    report.note(format!("cost curve: {}", path.display()));
    Ok(())
}

fn learning_rates(report: &mut Report, options: &Options, train: &Dataset, test: &Dataset) -> Result<()> {
    report.section("Learning rates, 1500 iterations each (the course prints the accuracies rounded)");
    let mut runs = Vec::new();
    for (learning_rate, course_train, course_test) in COURSE_RATES {
        let (network, history) = train_logistic(train, learning_rate, 1500)?;
        let train_accuracy = common::accuracy_percent(&network, train.x.view(), train.y.view())?;
        let test_accuracy = common::accuracy_percent(&network, test.x.view(), test.y.view())?;
        report.check_printed(format!("α = {learning_rate}: train accuracy (%)"), course_train, train_accuracy)?;
        report.check_printed(format!("α = {learning_rate}: test accuracy (%)"), course_test, test_accuracy)?;
        report.show(format!("α = {learning_rate}: cost after iteration 1499"), history.costs[1499]);
        runs.push((format!("learning rate {learning_rate}"), history));
    }
    let curves: Vec<Curve> = runs.iter().map(|(label, history)| Curve { label, costs: &history.costs }).collect();
    let path = options.out("logistic_regression_learning_rates.png");
    cost_curves(&path, "Logistic regression: three learning rates, 1500 iterations", &curves)?;
    report.note(format!("cost curves of the three learning rates: {}", path.display()));
    Ok(())
}
