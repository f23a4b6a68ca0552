//! The second course's assignments ("Improving Deep Neural Networks", weeks 1–2): mini-batch
//! gradient descent, momentum, Adam, learning-rate decay, L2 and dropout, reproduced from the
//! course's recipes.
//! Source of every golden value: ../shared/reference/course2/RESULTS.md (the section is named
//! beside each), which also says which runs are stable enough to pin at 1e-8 relative.

mod common;

use std::path::PathBuf;

use dnn::data::builtin;
use dnn::{fit, Activation, Architecture, Decay, Dropout, History, Init, Network, NumpyRng, Optimizer, TrainConfig};
use ndarray::Array2;

/// The course's mini-batch recipe (§5.4): moons (seed 3, 300 points), 2→5→2→1 ReLU/ReLU/sigmoid,
/// He from seed 3, batches of 64 shuffled from seed 10, learning rate 0.0007 unless given.
fn optimization_run(
    optimizer: Optimizer,
    learning_rate: f64,
    epochs: usize,
    decay: Option<Decay>,
) -> (Network<f64>, History) {
    let moons = builtin("optim-moons", 0).unwrap();
    let arch = Architecture::new(&[2, 5, 2, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(3)).unwrap();
    let mut config =
        TrainConfig::new(learning_rate, epochs).with_threads(1).with_batches(64, 10).with_optimizer(optimizer);
    if let Some(decay) = decay {
        config = config.with_decay(decay);
    }
    fit(network, moons.x.view(), moons.y.view(), &config.check().unwrap()).unwrap()
}

fn training_accuracy(network: &Network<f64>, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let predictions = network.predict(x.view(), 0.5).unwrap();
    predictions.iter().zip(y).filter(|(p, y)| p == y).count() as f64 / y.len() as f64
}

fn assert_costs(history: &History, expected: &[(usize, f64)], rel: f64, what: &str) {
    for &(epoch, cost) in expected {
        common::assert_rel(history.costs[epoch], cost, rel, &format!("{what}, cost of epoch {epoch}"));
    }
}

const ADAM: Optimizer = Optimizer::Adam { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const MOMENTUM: Optimizer = Optimizer::Momentum { beta: 0.9 };

#[test]
fn mini_batch_gradient_descent_on_moons() {
    // §5.4 "Mini-batch GD" (costs_avg, ours (repr)); accuracy 0.7966666666666666 after 10000.
    let (network, history) = optimization_run(Optimizer::GradientDescent, 0.0007, 10000, None);
    let expected = [
        (0, 0.7024046849828726),
        (1000, 0.66810064295887),
        (2000, 0.6352875703390978),
        (3000, 0.600491198436302),
        (4000, 0.5733672256957693),
        (5000, 0.5519772083453836),
        (9000, 0.4680136839007519),
    ];
    assert_costs(&history, &expected, 1e-8, "mini-batch GD");
    let moons = builtin("optim-moons", 0).unwrap();
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.7966666666666666);
}

#[test]
fn momentum_on_moons() {
    // §5.4 "Momentum" (β 0.9): costs_avg; accuracy 0.7966666666666666 after 10000 epochs.
    let (network, history) = optimization_run(MOMENTUM, 0.0007, 10000, None);
    let expected = [
        (0, 0.7024127305373173),
        (1000, 0.6681667772046955),
        (4000, 0.5734441760375261),
        (5000, 0.5520579978012191),
        (9000, 0.46815966712698187),
    ];
    assert_costs(&history, &expected, 1e-8, "momentum");
    let moons = builtin("optim-moons", 0).unwrap();
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.7966666666666666);
}

#[test]
fn adam_on_moons() {
    // §5.4 "Adam" (β1 .9, β2 .999, ε 1e-8, t per mini-batch): costs_avg; accuracy 0.94 after
    // 10000 epochs. RESULTS.md: do not test Adam tighter than 1e-9.
    let (network, history) = optimization_run(ADAM, 0.0007, 10000, None);
    let expected = [
        (0, 0.7021655222604548),
        (1000, 0.16784505282581158),
        (2000, 0.14131619792956462),
        (3000, 0.13878783500985875),
        (4000, 0.13606616153974382),
        (5000, 0.13424011121482604),
        (9000, 0.12911837498636797),
    ];
    assert_costs(&history, &expected, 1e-8, "Adam");
    let moons = builtin("optim-moons", 0).unwrap();
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.94);
}

#[test]
fn learning_rate_decay_on_moons() {
    // §5.4 "Learning-rate decay", 5000 epochs, decay rate 1.
    // GD, lr0 0.1, update_lr: accuracy 0.6533333333333333.
    let update_lr = Decay { rate: 1.0, every: None };
    let (network, history) = optimization_run(Optimizer::GradientDescent, 0.1, 5000, Some(update_lr));
    let expected = [(0, 0.7010914685043044), (1000, 0.6618837411315917), (4000, 0.6554863419466547)];
    assert_costs(&history, &expected, 1e-8, "GD with update_lr");
    let moons = builtin("optim-moons", 0).unwrap();
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.6533333333333333);

    // GD, lr0 0.1, schedule_lr_decay (every 1000 epochs): accuracy 0.9433333333333334.
    let schedule = Decay { rate: 1.0, every: Some(1000) };
    let (network, history) = optimization_run(Optimizer::GradientDescent, 0.1, 5000, Some(schedule));
    let expected = [(0, 0.7010914685043044), (1000, 0.12716128325384327), (4000, 0.11751208532772561)];
    assert_costs(&history, &expected, 1e-8, "GD with schedule_lr_decay");
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.9433333333333334);

    // Momentum, lr0 0.1, schedule: accuracy 0.9533333333333334.
    let (network, history) = optimization_run(MOMENTUM, 0.1, 5000, Some(schedule));
    let expected = [(0, 0.7022260404521209), (1000, 0.12897377524516154), (4000, 0.12321780480081838)];
    assert_costs(&history, &expected, 1e-8, "momentum with schedule_lr_decay");
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.9533333333333334);

    // Adam, lr0 0.01, schedule: accuracy 0.94.
    let (network, history) = optimization_run(ADAM, 0.01, 5000, Some(schedule));
    let expected = [(0, 0.6993459937616683), (1000, 0.13007371296127115), (4000, 0.1283612062932734)];
    assert_costs(&history, &expected, 1e-8, "Adam with schedule_lr_decay");
    assert_eq!(training_accuracy(&network, &moons.x, &moons.y), 0.94);
}

#[test]
fn decay_formulas() {
    // §5.4 unit checks: update_lr(0.5, 2, 1) = 0.16666666666666666;
    // schedule_lr_decay(0.5, 10, 0.3, 100) = 0.5 and (0.5, 100, 0.3, 100) = 0.3846153846153846.
    assert_eq!(Decay { rate: 1.0, every: None }.learning_rate_after(0.5, 2), 0.16666666666666666);
    let schedule = Decay { rate: 0.3, every: Some(100) };
    assert_eq!(schedule.learning_rate_after(0.5, 10), 0.5);
    assert_eq!(schedule.learning_rate_after(0.5, 100), 0.3846153846153846);
    // The rate after epoch i is used from epoch i + 1 on.
    assert_eq!(schedule.learning_rate_for(0.5, 100), 0.5);
    assert_eq!(schedule.learning_rate_for(0.5, 101), 0.3846153846153846);
}

/// Football data (§3.1), one example per row: x1, x2, y. `None` when the file is absent.
fn football(name: &str) -> Option<(Array2<f64>, Array2<f64>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/football").join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("skipped: {} is absent", path.display());
        return None;
    };
    let rows: Vec<Vec<f64>> =
        text.lines().skip(1).map(|line| line.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let m = rows.len();
    let x = Array2::from_shape_fn((2, m), |(i, j)| rows[j][i]);
    let y = Array2::from_shape_fn((1, m), |(_, j)| rows[j][2]);
    Some((x, y))
}

/// §5.2's recipe: 2→20→3→1 ReLU/ReLU/sigmoid, W = randn/√n\[l−1\] from seed 3, GD lr 0.3.
fn regularization_run(iterations: usize, l2: f64, dropout: Option<Dropout>) -> Option<(Network<f64>, History)> {
    let (x, y) = football("train.csv")?;
    let arch = Architecture::new(&[2, 20, 3, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, Init::Lecun, &mut NumpyRng::new(3)).unwrap();
    let mut config = TrainConfig::new(0.3, iterations).with_threads(1).with_l2(l2);
    if let Some(dropout) = dropout {
        config = config.with_dropout(dropout);
    }
    Some(fit(network, x.view(), y.view(), &config.check().unwrap()).unwrap())
}

fn football_accuracies(network: &Network<f64>) -> (f64, f64) {
    let (x, y) = football("train.csv").unwrap();
    let (x_test, y_test) = football("test.csv").unwrap();
    (training_accuracy(network, &x, &y), training_accuracy(network, &x_test, &y_test))
}

#[test]
fn l2_regularization_on_football() {
    // §5.2 "L2" (λ 0.7): stable; accuracy 0.9383886255924171 / 0.93.
    let Some((network, history)) = regularization_run(30000, 0.7, None) else { return };
    let expected = [(0, 0.6974484493131264), (10000, 0.2684918873282239), (20000, 0.26809163371273004)];
    assert_costs(&history, &expected, 1e-8, "L2");
    assert_eq!(football_accuracies(&network), (0.9383886255924171, 0.93));
}

#[test]
fn dropout_on_football() {
    // §5.2 "Dropout" (keep_prob 0.86, masks from seed 1 drawn again before every forward
    // pass): stable; accuracy 0.9289099526066351 / 0.95.
    let dropout = Dropout { keep_prob: vec![0.86], seed: 1, reseed_every_pass: true };
    let Some((network, history)) = regularization_run(30000, 0.0, Some(dropout)) else { return };
    let expected = [(0, 0.6543912405149825), (10000, 0.0610169865749056), (20000, 0.060582435798513114)];
    assert_costs(&history, &expected, 1e-8, "dropout");
    assert_eq!(football_accuracies(&network), (0.9289099526066351, 0.95));
}

#[test]
fn no_regularization_on_football() {
    // §5.2 "No regularization": stable at 1e-9 through 29000; accuracy 0.9478672985781991 / 0.915.
    let Some((network, history)) = regularization_run(30000, 0.0, None) else { return };
    let expected = [(0, 0.6557412523481002), (10000, 0.16329987525724207), (20000, 0.1385164242324198)];
    assert_costs(&history, &expected, 1e-8, "no regularization");
    assert_eq!(football_accuracies(&network), (0.9478672985781991, 0.915));
}
