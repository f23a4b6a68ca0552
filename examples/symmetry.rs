//! The course's lesson on random initialisation: when all of a layer's weights start equal
//! (zero, or any single value), every hidden unit computes the same function and receives the
//! same gradient, so the units stay identical however long the network trains (symmetry), and
//! a layer of n units learns no more than one. Random weights break the symmetry.
//!
//! The planar flower's shallow network (2 → 4 tanh → 1 sigmoid, learning rate 1.2, 10000
//! iterations) is trained three times:
//!
//! - from zeros, allowed on purpose with `Network::init_allowing_symmetry` (`Network::init`
//!   refuses zero weights when there are hidden layers);
//! - from every weight equal to 0.01;
//! - from the course's random weights (randn·0.01 after `np.random.seed(2)`).
//!
//! It prints the rows of W1 after training (one row per hidden unit: identical in the first
//! two runs, all different in the third) and the three accuracies.
//!
//! Run: `cargo run --release --example symmetry`. No files needed; the exit status is 1 when
//! the lesson does not hold.

mod common;

use std::process::ExitCode;

use common::{vector, Options, Report, Result};
use dnn::data::Dataset;
use dnn::{fit, Activation, Architecture, Init, Network, NumpyRng, TrainConfig};

const USAGE: &str = "usage: symmetry";

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    let flower = dnn::data::planar(1);
    let arch = Architecture::new(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid)?;

    let zeros = Network::init_allowing_symmetry(&arch, Init::Zeros, &mut NumpyRng::new(0));
    let mut equal = Network::init_allowing_symmetry(&arch, Init::Zeros, &mut NumpyRng::new(0));
    for (mut w, _) in equal.layers_mut() {
        w.fill(0.01);
    }
    let random = Network::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2))?;

    let zeros_accuracy = train_and_show(&mut report, "Zero initialisation", zeros, &flower, true)?;
    // Zero weights: A[1] = tanh(0) = 0, so dW[2] = dZ[2]·A[1]ᵀ / m = 0; W[2] = 0, so
    // dZ[1] = W[2]ᵀ·dZ[2] ⊙ g' = 0. Nothing but b[2] moves, and with as many examples of each
    // class b[2] stays 0: every prediction is ŷ = 0.5, labelled 0.
    report.check_claim("accuracy: nothing learned", "50 (one class for all)", zeros_accuracy, zeros_accuracy == 50.0);

    let equal_accuracy = train_and_show(&mut report, "Every weight 0.01", equal, &flower, true)?;
    let random_accuracy =
        train_and_show(&mut report, "Random weights: randn·0.01, np.random.seed(2)", random, &flower, false)?;

    report.section("Accuracy on the flower");
    report.show("zero initialisation (%)", zeros_accuracy);
    report.show("every weight 0.01 (%)", equal_accuracy);
    report.show("random weights (%)", random_accuracy);
    report.check_claim(
        "random weights learn more than equal ones",
        "random init breaks the symmetry",
        format!("{random_accuracy} > {}", zeros_accuracy.max(equal_accuracy)),
        random_accuracy > zeros_accuracy.max(equal_accuracy),
    );
    Ok(report)
}

/// Trains `network` on the flower, prints W1's rows and checks whether they are identical
/// (`symmetric`) or all different. Returns the training accuracy in percent.
fn train_and_show(
    report: &mut Report,
    title: &str,
    network: Network<f64>,
    flower: &Dataset,
    symmetric: bool,
) -> Result<f64> {
    report.section(&format!("{title}; learning rate 1.2, 10000 iterations"));
    let config = TrainConfig::new(1.2, 10000).check()?;
    let (network, history) = fit(network, flower.x.view(), flower.y.view(), &config)?;
    let w1 = network.layers()[0].w();
    for (unit, row) in w1.rows().into_iter().enumerate() {
        report.show(format!("W1 row {unit} (hidden unit {})", unit + 1), vector(row.iter().copied()));
    }
    let b1 = network.layers()[0].b();
    report.show("b1", vector(b1.iter().copied()));
    report.show("final cost", history.final_cost().unwrap_or(f64::NAN));

    // The largest difference between the weights of two hidden units.
    let rows: Vec<_> = w1.rows().into_iter().collect();
    let mut largest = 0.0f64;
    let mut smallest = f64::INFINITY;
    for (i, a) in rows.iter().enumerate() {
        for b in &rows[i + 1..] {
            let difference = a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
            largest = largest.max(difference);
            smallest = smallest.min(difference);
        }
    }
    if symmetric {
        let evidence = format!("largest difference between two rows: {largest}");
        report.check_claim("rows of W1 after training", "identical (symmetry)", evidence, largest == 0.0);
    } else {
        let evidence = format!("smallest difference between two rows: {smallest:.4}");
        report.check_claim("rows of W1 after training", "all different", evidence, smallest > 0.0);
    }
    common::accuracy_percent(&network, flower.x.view(), flower.y.view())
}
