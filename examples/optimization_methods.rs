//! The second course's week 2, "Optimization Methods", with the course's numbers beside dnn's:
//!
//! - the data: 300 points of two noisy moons (scikit-learn's `make_moons`, noise 0.2,
//!   `np.random.seed(3)`), dnn's `builtin:optim-moons`;
//! - the network 2 → 5 ReLU → 2 ReLU → 1 sigmoid, He initialisation after
//!   `np.random.seed(3)`, mini-batches of 64 (64, 64, 64, 64, 44), each epoch shuffled with
//!   `np.random.seed(10 + 1 + epoch)`, learning rate 0.0007:
//!   - mini-batch gradient descent, momentum (β = 0.9) and Adam (β1 = 0.9, β2 = 0.999,
//!     ε = 1e-8), 10000 epochs: the epoch costs and the accuracies after 5000 epochs (the
//!     current notebook) and 10000 (the older one); a plot of the three cost curves;
//!   - learning-rate decay, 5000 epochs, decay rate 1: `update_lr` (α₀/(1 + epoch)) with
//!     gradient descent at α₀ = 0.1, and `schedule_lr_decay` (α₀/(1 + ⌊epoch/1000⌋)) with
//!     gradient descent and momentum at 0.1 and Adam at 0.01;
//! - the decision boundary of each run, as PNGs.
//!
//! The cost of an epoch is the notebook's (v1b and current): the sum of the losses of its
//! mini-batches, each before that batch's update, divided by m. (The 2017 notebook printed the
//! last mini-batch's cost instead.)
//!
//! No files needed: the data set is generated. Run:
//!
//! ```sh
//! cargo run --release --example optimization_methods [-- --out-dir DIR]
//! ```
//!
//! It takes two to three seconds. The PNGs go to `target/examples-output/` unless `--out-dir`
//! names another folder. The exit status is 1 when a number does not match the course's.
//! Golden values: ../shared/reference/course2/RESULTS.md, §5.4.

mod common;

use std::process::ExitCode;

use common::{Options, Report, Result, COST, EXACT};
use dnn::data::{builtin, Dataset};
use dnn::plot::{cost_curves, Curve};
use dnn::{fit, Activation, Architecture, Decay, History, Init, Network, NumpyRng, Optimizer, TrainConfig};

const USAGE: &str = "usage: optimization_methods [--out-dir DIR]";

const MOMENTUM: Optimizer = Optimizer::Momentum { beta: 0.9 };
const ADAM: Optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/// `update_lr`: α₀ / (1 + epoch).
const UPDATE_LR: Decay = Decay { rate: 1.0, every: None };
/// `schedule_lr_decay` with a step of 1000 epochs: α₀ / (1 + ⌊epoch / 1000⌋).
const SCHEDULE: Decay = Decay { rate: 1.0, every: Some(1000) };

/// One run of the week and what the course got with it.
struct Run {
    title: &'static str,
    optimizer: Optimizer,
    learning_rate: f64,
    decay: Option<Decay>,
    epochs: usize,
    /// Costs the notebooks printed with 6 decimals.
    printed: &'static [(usize, &'static str)],
    /// Costs of the notebook's code in full (RESULTS.md, "ours (repr)"; stable to 1e-14).
    full: &'static [(usize, f64)],
    /// Training accuracy after 5000 epochs (the current notebook) and, for 10000-epoch runs,
    /// after 10000 (the older one).
    accuracy_5000: f64,
    accuracy_10000: Option<f64>,
    file: &'static str,
}

const METHODS: [Run; 3] = [
    Run {
        title: "Mini-batch gradient descent",
        optimizer: Optimizer::GradientDescent,
        learning_rate: 0.0007,
        decay: None,
        epochs: 10000,
        printed: &[(0, "0.702405"), (1000, "0.668101"), (2000, "0.635288"), (3000, "0.600491"), (4000, "0.573367")],
        full: &[(5000, 0.5519772083453836), (7000, 0.5140067717007158), (9000, 0.4680136839007519)],
        accuracy_5000: 0.7166666666666667,
        accuracy_10000: Some(0.7966666666666666),
        file: "moons_gd.png",
    },
    Run {
        title: "Momentum, β = 0.9",
        optimizer: MOMENTUM,
        learning_rate: 0.0007,
        decay: None,
        epochs: 10000,
        printed: &[(0, "0.702413"), (1000, "0.668167"), (2000, "0.635388"), (3000, "0.600591"), (4000, "0.573444")],
        full: &[(5000, 0.5520579978012191), (7000, 0.5141006579460334), (9000, 0.46815966712698187)],
        accuracy_5000: 0.7166666666666667,
        accuracy_10000: Some(0.7966666666666666),
        file: "moons_momentum.png",
    },
    Run {
        title: "Adam, β1 = 0.9, β2 = 0.999, ε = 1e-8",
        optimizer: ADAM,
        learning_rate: 0.0007,
        decay: None,
        epochs: 10000,
        printed: &[(0, "0.702166"), (1000, "0.167845"), (2000, "0.141316"), (3000, "0.138788"), (4000, "0.136066")],
        full: &[(5000, 0.13424011121482604), (7000, 0.13021564068726496), (9000, 0.12911837498636797)],
        accuracy_5000: 0.9433333333333334,
        accuracy_10000: Some(0.94),
        file: "moons_adam.png",
    },
];

const DECAY_RUNS: [Run; 4] = [
    Run {
        title: "Gradient descent, α₀ = 0.1, update_lr",
        optimizer: Optimizer::GradientDescent,
        learning_rate: 0.1,
        decay: Some(UPDATE_LR),
        epochs: 5000,
        printed: &[(0, "0.701091"), (1000, "0.661884"), (2000, "0.658620"), (3000, "0.656765"), (4000, "0.655486")],
        full: &[(1000, 0.6618837411315917), (4000, 0.6554863419466547)],
        accuracy_5000: 0.6533333333333333,
        accuracy_10000: None,
        file: "moons_gd_update_lr.png",
    },
    Run {
        title: "Gradient descent, α₀ = 0.1, schedule_lr_decay",
        optimizer: Optimizer::GradientDescent,
        learning_rate: 0.1,
        decay: Some(SCHEDULE),
        epochs: 5000,
        printed: &[(0, "0.701091"), (1000, "0.127161"), (2000, "0.120304"), (3000, "0.117033"), (4000, "0.117512")],
        full: &[(1000, 0.12716128325384327), (4000, 0.11751208532772561)],
        accuracy_5000: 0.9433333333333334,
        accuracy_10000: None,
        file: "moons_gd_schedule.png",
    },
    Run {
        title: "Momentum, α₀ = 0.1, schedule_lr_decay",
        optimizer: MOMENTUM,
        learning_rate: 0.1,
        decay: Some(SCHEDULE),
        epochs: 5000,
        printed: &[(0, "0.702226"), (1000, "0.128974"), (2000, "0.125965"), (3000, "0.123375"), (4000, "0.123218")],
        full: &[(1000, 0.12897377524516154), (4000, 0.12321780480081838)],
        accuracy_5000: 0.9533333333333334,
        accuracy_10000: None,
        file: "moons_momentum_schedule.png",
    },
    Run {
        title: "Adam, α₀ = 0.01, schedule_lr_decay",
        optimizer: ADAM,
        learning_rate: 0.01,
        decay: Some(SCHEDULE),
        epochs: 5000,
        printed: &[(0, "0.699346"), (1000, "0.130074"), (2000, "0.129826"), (3000, "0.129282"), (4000, "0.128361")],
        full: &[(1000, 0.13007371296127115), (4000, 0.1283612062932734)],
        accuracy_5000: 0.94,
        accuracy_10000: None,
        file: "moons_adam_schedule.png",
    },
];

fn main() -> ExitCode {
    common::exit_code(run())
}

fn run() -> Result<Report> {
    let options = Options::parse(USAGE, 0)?;
    let mut report = Report::new();
    let moons = builtin("optim-moons", 0)?;

    let mut histories = Vec::new();
    for run in &METHODS {
        histories.push(train_and_compare(&mut report, &options, run, &moons)?);
    }
    let path = options.out("moons_costs.png");
    let curves: Vec<Curve> = ["gradient descent", "momentum", "Adam"]
        .iter()
        .zip(&histories)
        .map(|(&label, h)| Curve { label, costs: &h.costs })
        .collect();
    cost_curves(&path, "Moons: mini-batches of 64, learning rate 0.0007", &curves)?;
    report.note(format!("cost curves: {}", path.display()));

    learning_rates(&mut report)?;
    let mut histories = Vec::new();
    for run in &DECAY_RUNS {
        histories.push(train_and_compare(&mut report, &options, run, &moons)?);
    }
    let path = options.out("moons_decay_costs.png");
    let labels = ["GD, update_lr", "GD, schedule", "momentum, schedule", "Adam, schedule"];
    let curves: Vec<Curve> =
        labels.iter().zip(&histories).map(|(&label, h)| Curve { label, costs: &h.costs }).collect();
    cost_curves(&path, "Moons: learning-rate decay, decay rate 1", &curves)?;
    report.note(format!("cost curves: {}", path.display()));
    Ok(report)
}

/// The week's network, trained on `moons` as `run` says for `epochs` epochs.
fn train(run: &Run, moons: &Dataset, epochs: usize) -> Result<(Network<f64>, History)> {
    let arch = Architecture::new(&[2, 5, 2, 1], Activation::Relu, Activation::Sigmoid)?;
    let network = Network::init(&arch, Init::He, &mut NumpyRng::new(3))?;
    let mut config = TrainConfig::new(run.learning_rate, epochs).with_batches(64, 10).with_optimizer(run.optimizer);
    if let Some(decay) = run.decay {
        config = config.with_decay(decay);
    }
    Ok(fit(network, moons.x.view(), moons.y.view(), &config.check()?)?)
}

fn train_and_compare(report: &mut Report, options: &Options, run: &Run, moons: &Dataset) -> Result<History> {
    report.section(&format!("{}: {} epochs", run.title, run.epochs));
    let (network, history) = train(run, moons, run.epochs)?;
    for &(epoch, printed) in run.printed {
        report.check_printed(format!("cost after epoch {epoch}"), printed, history.costs[epoch])?;
    }
    for &(epoch, course) in run.full {
        report.check(format!("cost after epoch {epoch} (in full)"), course, history.costs[epoch], COST);
    }
    let accuracy = common::accuracy(&network, moons.x.view(), moons.y.view())?;
    match run.accuracy_10000 {
        Some(course) => {
            report.check(format!("accuracy after {} epochs", run.epochs), course, accuracy, EXACT);
            // The current notebook trains 5000 epochs: the same run, stopped halfway.
            let (halfway, _) = train(run, moons, 5000)?;
            let accuracy = common::accuracy(&halfway, moons.x.view(), moons.y.view())?;
            report.check("accuracy after 5000 epochs", run.accuracy_5000, accuracy, EXACT);
        }
        None => report.check(format!("accuracy after {} epochs", run.epochs), run.accuracy_5000, accuracy, EXACT),
    }
    let title = format!("Moons: {}", run.title);
    common::plot_boundary(report, options.out(run.file), &title, &network, moons)?;
    Ok(history)
}

/// The rates the notebook prints after epochs 0, 1000, …, 4000 (α₀ = 0.1).
fn learning_rates(report: &mut Report) -> Result<()> {
    report.section("Learning-rate decay: the rate after epoch i, α₀ = 0.1, decay rate 1");
    let update_lr = ["0.100000", "0.000100", "0.000050", "0.000033", "0.000025"];
    let schedule = ["0.100000", "0.050000", "0.033333", "0.025000", "0.020000"];
    for (k, (update_lr, schedule)) in update_lr.iter().zip(schedule).enumerate() {
        let epoch = 1000 * k;
        report.check_printed(
            format!("update_lr after epoch {epoch}"),
            update_lr,
            UPDATE_LR.learning_rate_after(0.1, epoch),
        )?;
        report.check_printed(
            format!("schedule_lr_decay after epoch {epoch}"),
            schedule,
            SCHEDULE.learning_rate_after(0.1, epoch),
        )?;
    }
    // The notebook's unit checks.
    report.check("update_lr(0.5, 2, 1)", 0.16666666666666666, UPDATE_LR.learning_rate_after(0.5, 2), EXACT);
    let schedule = Decay { rate: 0.3, every: Some(100) };
    report.check("schedule_lr_decay(0.5, 10, 0.3, 100)", 0.5, schedule.learning_rate_after(0.5, 10), EXACT);
    report.check(
        "schedule_lr_decay(0.5, 100, 0.3, 100)",
        0.3846153846153846,
        schedule.learning_rate_after(0.5, 100),
        EXACT,
    );
    Ok(())
}
