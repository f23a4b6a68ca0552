//! The second course's runs with the `dnn` command alone: the flags of "Optimisation and
//! regularisation" reproduce the notebooks' printed lines (initialisation on the circles, L2
//! and dropout on the football data, mini-batch gradient descent, momentum, Adam and
//! learning-rate decay on the moons), and `dnn gradcheck` passes the notebook's threshold.
//! The commands are listed in docs/course.md.
//! Golden values: ../shared/reference/course2/RESULTS.md, the section named beside each; the
//! course's lines print costs with 6 decimals (`%f`), as `dnn train` does.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `dnn args` in a folder of its own, which must succeed, and returns its standard
/// output's lines.
fn dnn(args: &[&str]) -> Vec<String> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let dir = common::temp_dir(&format!("cli-course2-{}", RUNS.fetch_add(1, Ordering::Relaxed)));
    let run = common::run_dnn(&dir, args, None);
    assert_eq!(run.code, 0, "dnn {args:?}\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    run.stdout.lines().map(String::from).collect()
}

/// Asserts that `lines` contains each of `expected`, in that order.
fn assert_lines(lines: &[String], expected: &[&str]) {
    let mut rest = lines.iter();
    for want in expected {
        assert!(rest.any(|line| line == want), "no line '{want}' (in order) in:\n{}", lines.join("\n"));
    }
}

/// `dnn train` with the week-1 initialisation recipe (§5.1) and `init`.
fn circles(init: &[&str]) -> Vec<String> {
    let mut args = vec!["train", "builtin:init-circles-train", "--test", "builtin:init-circles-test"];
    args.extend(["--layers", "10,5", "--hidden-activation", "relu", "--seed", "3"]);
    args.extend(["--learning-rate", "0.01", "--iterations", "15000"]);
    args.extend(init);
    dnn(&args)
}

#[test]
fn he_initialization_on_circles() {
    // §5.1 He: 0: 0.8830537463419761, 1000: 0.6879825919728063, 7000: 0.3117803464844441,
    // 14000: 0.07357895962677366; accuracy train 0.9933333333333333, test 0.96.
    let lines = circles(&["--init", "he"]);
    assert_lines(
        &lines,
        &[
            "Cost after iteration 0: 0.883054",
            "Cost after iteration 1000: 0.687983",
            "Cost after iteration 7000: 0.311780",
            "Cost after iteration 14000: 0.073579",
            "Train accuracy: 99.33333333333333%",
            "Test accuracy: 96%",
        ],
    );
}

#[test]
fn zero_and_large_random_initialization_on_circles() {
    // §5.1 zeros: every cost ln 2; accuracy 0.5 / 0.5.
    let lines = circles(&["--init", "zeros", "--allow-symmetry"]);
    let costs: Vec<&String> = lines.iter().filter(|line| line.starts_with("Cost after iteration ")).collect();
    assert_eq!(costs.len(), 16, "{lines:?}");
    assert!(costs.iter().all(|line| line.ends_with(": 0.693147")), "{costs:?}");
    assert_lines(&lines, &["Train accuracy: 50%", "Test accuracy: 50%"]);
    // §5.1 random ×10: chaotic from iteration 1000, so only the accuracies 0.83 / 0.86. The
    // course prints "Cost after iteration 0: inf": its cost takes logs of a saturated
    // sigmoid. dnn's cost comes from Z and stays finite, the same cost where nothing saturates.
    let lines = circles(&["--init", "scaled:10"]);
    assert_lines(&lines, &["Cost after iteration 0: 1773.585955", "Train accuracy: 83%", "Test accuracy: 86%"]);
}

/// The football files (§3.1), or `None` (the test then returns) when they are absent.
fn football() -> Option<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/football");
    let path = |name: &str| -> Option<String> {
        let path: PathBuf = dir.join(name);
        path.exists().then(|| path.to_str().expect("a UTF-8 path").to_string())
    };
    let files = path("train.csv").zip(path("test.csv"));
    if files.is_none() {
        println!("skipped: {} is absent", dir.display());
    }
    files
}

/// `dnn train` with the week-1 regularisation recipe (§5.2) and `extra`.
fn football_run(extra: &[&str]) -> Option<Vec<String>> {
    let (train, test) = football()?;
    let mut args = vec!["train", train.as_str(), "--test", test.as_str(), "--scale", "none"];
    args.extend(["--layers", "20,3", "--hidden-activation", "relu", "--init", "lecun", "--seed", "3"]);
    args.extend(["--learning-rate", "0.3", "--iterations", "30000", "--print-every", "10000"]);
    args.extend(extra);
    Some(dnn(&args))
}

#[test]
fn l2_regularization_on_football() {
    // §5.2 L2 (λ 0.7): 0: 0.6974484493131264, 10000: 0.2684918873282238, 20000:
    // 0.26809163371273004; accuracy 0.9383886255924171 / 0.93.
    let Some(lines) = football_run(&["--l2", "0.7"]) else { return };
    assert_lines(
        &lines,
        &[
            "Cost after iteration 0: 0.697448",
            "Cost after iteration 10000: 0.268492",
            "Cost after iteration 20000: 0.268092",
            "Train accuracy: 93.8388625592417%",
            "Test accuracy: 93%",
        ],
    );
}

#[test]
fn dropout_and_no_regularization_on_football() {
    // §5.2 dropout (keep_prob 0.86, np.random.seed(1) before every forward pass): 0:
    // 0.6543912405149825, 10000: 0.0610169865749056, 20000: 0.060582435798513114; accuracy
    // 0.9289099526066351 / 0.95.
    let Some(lines) = football_run(&["--keep-prob", "0.86", "--dropout-seed", "1", "--dropout-reseed"]) else {
        return;
    };
    assert_lines(
        &lines,
        &[
            "Cost after iteration 0: 0.654391",
            "Cost after iteration 10000: 0.061017",
            "Cost after iteration 20000: 0.060582",
            "Train accuracy: 92.89099526066352%",
            "Test accuracy: 95%",
        ],
    );
    // §5.2 no regularisation: 0: 0.6557412523481002, 10000: 0.16329987525724204, 20000:
    // 0.13851642423234922; accuracy 0.9478672985781991 / 0.915.
    let Some(lines) = football_run(&[]) else { return };
    assert_lines(
        &lines,
        &[
            "Cost after iteration 0: 0.655741",
            "Cost after iteration 10000: 0.163300",
            "Cost after iteration 20000: 0.138516",
            "Train accuracy: 94.7867298578199%",
            "Test accuracy: 91.5%",
        ],
    );
}

/// `dnn train` with the week-2 recipe (§5.4): moons, 2 → 5 → 2 → 1, He from seed 3, batches of
/// 64 shuffled from seed 10, and `extra`.
fn moons(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["train", "builtin:optim-moons", "--layers", "5,2", "--hidden-activation", "relu"];
    args.extend(["--init", "he", "--seed", "3", "--batch-size", "64", "--shuffle-seed", "10"]);
    args.extend(extra);
    dnn(&args)
}

#[test]
fn adam_on_moons() {
    // §5.4 Adam, learning rate 0.0007, 10000 epochs: published 0.702166, 0.167845, 0.141316,
    // 0.138788, 0.136066; 9000: 0.12911837498636797; accuracy 0.94.
    let lines = moons(&["--optimizer", "adam", "--learning-rate", "0.0007", "--epochs", "10000"]);
    assert_lines(
        &lines,
        &[
            "Cost after epoch 0: 0.702166",
            "Cost after epoch 1000: 0.167845",
            "Cost after epoch 2000: 0.141316",
            "Cost after epoch 3000: 0.138788",
            "Cost after epoch 4000: 0.136066",
            "Cost after epoch 9000: 0.129118",
            "Train accuracy: 94%",
        ],
    );
}

#[test]
fn gradient_descent_and_momentum_on_moons() {
    // §5.4 mini-batch GD: published 0.702405, 0.668101, …, 0.573367 at 4000; 9000:
    // 0.4680136839007519; accuracy after 10000 epochs 0.7966666666666666.
    let lines = moons(&["--optimizer", "gd", "--learning-rate", "0.0007", "--epochs", "10000"]);
    assert_lines(
        &lines,
        &[
            "Cost after epoch 0: 0.702405",
            "Cost after epoch 1000: 0.668101",
            "Cost after epoch 4000: 0.573367",
            "Cost after epoch 9000: 0.468014",
            "Train accuracy: 79.66666666666666%",
        ],
    );
    // §5.4 momentum (β 0.9): published 0.702413, 0.668167, …, 0.573444 at 4000; 9000:
    // 0.46815966712698187; accuracy 0.7966666666666666.
    let args = ["--optimizer", "momentum", "--beta1", "0.9", "--learning-rate", "0.0007", "--epochs", "10000"];
    assert_lines(
        &moons(&args),
        &[
            "Cost after epoch 0: 0.702413",
            "Cost after epoch 1000: 0.668167",
            "Cost after epoch 4000: 0.573444",
            "Cost after epoch 9000: 0.468160",
            "Train accuracy: 79.66666666666666%",
        ],
    );
}

#[test]
fn learning_rate_decay_on_moons() {
    // §5.4 learning-rate decay, 5000 epochs, decay rate 1. The learning rate on each line is
    // the one that epoch trained with; the course prints the one computed after it (used from
    // the next epoch on): 0.000100 and 0.050000 after epoch 1000 where dnn shows 0.000100
    // and 0.100000.
    let decay = |optimizer: &str, rate: &str, every: Option<&str>| {
        let mut args = vec!["--optimizer", optimizer, "--learning-rate", rate, "--decay", "1"];
        if let Some(every) = every {
            args.extend(["--decay-every", every]);
        }
        args.extend(["--epochs", "5000", "--print-every", "1000"]);
        moons(&args)
    };
    // GD, α₀ 0.1, update_lr: published 0.701091, 0.661884, …, 0.655486; accuracy
    // 0.6533333333333333.
    assert_lines(
        &decay("gd", "0.1", None),
        &[
            "Cost after epoch 0: 0.701091  learning rate: 0.100000",
            "Cost after epoch 1000: 0.661884  learning rate: 0.000100",
            "Cost after epoch 4000: 0.655486  learning rate: 0.000025",
            "Train accuracy: 65.33333333333333%",
        ],
    );
    // GD, α₀ 0.1, schedule_lr_decay: 0.701091, 0.127161, …, 0.117512; accuracy
    // 0.9433333333333334.
    assert_lines(
        &decay("gd", "0.1", Some("1000")),
        &[
            "Cost after epoch 0: 0.701091  learning rate: 0.100000",
            "Cost after epoch 1000: 0.127161  learning rate: 0.100000",
            "Cost after epoch 4000: 0.117512  learning rate: 0.025000",
            "Train accuracy: 94.33333333333334%",
        ],
    );
    // Momentum, α₀ 0.1, schedule: 0.702226, 0.128974, …, 0.123218; accuracy 0.9533333333333334.
    assert_lines(
        &decay("momentum", "0.1", Some("1000")),
        &[
            "Cost after epoch 0: 0.702226  learning rate: 0.100000",
            "Cost after epoch 1000: 0.128974  learning rate: 0.100000",
            "Cost after epoch 4000: 0.123218  learning rate: 0.025000",
            "Train accuracy: 95.33333333333334%",
        ],
    );
    // Adam, α₀ 0.01, schedule: 0.699346, 0.130074, …, 0.128361; accuracy 0.94.
    assert_lines(
        &decay("adam", "0.01", Some("1000")),
        &[
            "Cost after epoch 0: 0.699346  learning rate: 0.010000",
            "Cost after epoch 1000: 0.130074  learning rate: 0.010000",
            "Cost after epoch 4000: 0.128361  learning rate: 0.002500",
            "Train accuracy: 94%",
        ],
    );
}

#[test]
fn gradient_check_passes_the_notebooks_threshold() {
    // §5.3 N-D: the notebook's network 4 → 5 ReLU → 3 ReLU → 1 sigmoid, 3 examples, ε = 1e-7,
    // threshold 2e-7. `dnn gradcheck` draws its own random network of that shape (not the
    // notebook's test case, which the examples/gradient_checking.rs example uses); the
    // relative error is rounding noise, so only the verdict is compared.
    let lines = dnn(&["gradcheck", "--examples", "3", "--epsilon", "1e-7", "--tolerance", "2e-7"]);
    assert_eq!(lines[0], "layers [4, 5, 3, 1], relu hidden, sigmoid output, 47 parameters, 3 examples");
    let error: f64 = lines[1]
        .strip_prefix("relative error ")
        .and_then(|rest| rest.strip_suffix(" (tolerance 2e-7): ok"))
        .unwrap_or_else(|| panic!("{}", lines[1]))
        .parse()
        .unwrap();
    assert!(error < 2e-7, "{error}");
}
