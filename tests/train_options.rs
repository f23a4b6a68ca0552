//! `dnn train` past full-batch gradient descent: the flags of mini-batches, optimizers,
//! decay, L2, dropout and early stopping as a user runs them, and the exact error of every
//! bad value.
#![cfg(feature = "cli")]

mod common;

use common::{assert_error, run_dnn, temp_dir};

/// The course's moons with a small network, two epochs: the flags under test come after.
fn moons(extra: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["train", "builtin:optim-moons", "--layers", "5,2", "--hidden-activation", "relu"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn bad_values_are_refused_before_any_work() {
    let dir = temp_dir("train-options-errors");
    let cases: [(&[&str], &str); 17] = [
        (&["--batch-size", "0"], "invalid --batch-size 0: expected at least 1 example per batch"),
        (&["--epochs", "0"], "invalid --epochs 0: expected at least 1"),
        (
            &["--epochs", "5", "--iterations", "5"],
            "--epochs and --iterations count the same passes over the data: give one of them",
        ),
        (
            &["--keep-prob", "1.5"],
            "invalid --keep-prob '1.5': expected probabilities in (0, 1], such as 0.86 or 0.8,0.9",
        ),
        (&["--keep-prob", "0"], "invalid --keep-prob '0': expected probabilities in (0, 1], such as 0.86 or 0.8,0.9"),
        (
            &["--keep-prob", "0.5,0.6,0.7"],
            "invalid --keep-prob 0.5,0.6,0.7: expected one probability, or one per hidden layer (2)",
        ),
        (&["--l2", "-1"], "invalid --l2 -1: expected a number of at least 0"),
        (&["--beta1", "1"], "invalid --beta1 1: expected a number in [0, 1)"),
        (&["--beta2", "-0.1"], "invalid --beta2 -0.1: expected a number in [0, 1)"),
        (&["--epsilon", "0"], "invalid --epsilon 0: expected a number greater than 0"),
        (&["--optimizer", "sgdx"], "invalid --optimizer 'sgdx': expected gd, momentum, rmsprop or adam"),
        (&["--decay", "-1"], "invalid --decay -1: expected a rate of at least 0"),
        (&["--decay-every", "3"], "--decay-every needs --decay RATE: the rate it applies in steps"),
        (&["--patience", "3"], "--patience needs --validation FRACTION: the held-out data it watches"),
        (&["--validation", "1.5"], "invalid --validation 1.5: expected a fraction between 0 and 1, such as 0.1"),
        (
            &["--batch-size", "64", "--gram", "on"],
            "--gram on: the Gram form cannot be used here: mini-batches change X from step to step",
        ),
        (
            &["--optimizer", "adam", "--gram", "on"],
            "--gram on: the Gram form cannot be used here: RMSprop and Adam scale each weight's step by its own history, \
             which W₀ + C·Xᵀ cannot hold",
        ),
    ];
    for (extra, message) in cases {
        assert_error(&dir, &moons(extra), message);
    }
    let no_hidden = ["train", "builtin:optim-moons", "--layers", "", "--keep-prob", "0.5"];
    assert_error(&dir, &no_hidden, "--keep-prob needs a hidden layer: dropout acts on hidden units");
    // Nothing was written by any of them.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

#[test]
fn a_validation_split_must_leave_every_class_on_both_sides() {
    let dir = temp_dir("train-options-split");
    // 19 examples of class a and one of class b: 10 % of one example rounds to none.
    let mut csv = String::from("x,label\n");
    for i in 0..20 {
        csv.push_str(&format!("{i},{}\n", if i == 7 { "b" } else { "a" }));
    }
    std::fs::write(dir.join("few.csv"), csv).unwrap();
    assert_error(
        &dir,
        &["train", "few.csv", "--validation", "0.1"],
        "--validation 0.1 leaves class 'b' of few.csv without validation examples (it has 1): use a larger fraction",
    );
}

#[test]
fn a_batch_larger_than_the_data_is_one_full_batch() {
    let dir = temp_dir("train-options-big-batch");
    let full = run_dnn(&dir, &moons(&["--iterations", "3", "--json"]), None);
    let big = run_dnn(&dir, &moons(&["--batch-size", "1000", "--iterations", "3"]), None);
    assert_eq!(big.code, 0, "{}", big.stderr);
    assert!(
        big.stderr
            .contains("note: --batch-size 1000 is not less than the 300 training examples: one batch of all of them"),
        "{}",
        big.stderr
    );
    // The same iterations and costs as without --batch-size.
    assert!(big.stdout.contains("Cost after iteration 2: "), "{}", big.stdout);
    let report: serde_json::Value = serde_json::from_str(&full.stdout).unwrap();
    let cost = report["final_cost"].as_f64().unwrap();
    assert!(big.stdout.contains(&format!("Cost after iteration 2: {cost:.6}")), "{}", big.stdout);
}

#[test]
fn early_stopping_keeps_the_best_epoch_and_says_so() {
    let dir = temp_dir("train-options-early-stopping");
    // Adam at a rate high enough that the validation cost turns up within 300 epochs.
    let args = moons(&[
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.05",
        "--batch-size",
        "32",
        "--epochs",
        "300",
        "--validation",
        "0.2",
        "--patience",
        "10",
        "--seed",
        "3",
        "--init",
        "he",
        "--model",
        "m.safetensors",
        "--history",
        "h.csv",
        "--print-every",
        "1",
    ]);
    let run = run_dnn(&dir, &args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let history = std::fs::read_to_string(dir.join("h.csv")).unwrap();
    let mut lines = history.lines();
    assert_eq!(lines.next(), Some("epoch,cost,validation_cost,validation_accuracy"));
    let rows: Vec<Vec<f64>> = lines.map(|l| l.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let epochs = rows.len();
    assert!(epochs < 300, "stopped early: {epochs} epochs");
    // The best epoch has the lowest validation cost, and the 10 after it are all higher.
    let best = (0..epochs).min_by(|&a, &b| rows[a][2].total_cmp(&rows[b][2])).unwrap();
    assert_eq!(best + 10 + 1, epochs, "stopped 10 epochs after the best");
    let note = format!(
        "note: early stopping after epoch {}: no lower validation cost for 10 epochs; \
         kept the weights of epoch {best} (validation cost {:.6})",
        epochs - 1,
        rows[best][2]
    );
    assert!(run.stderr.contains(&note), "{}\nexpected: {note}", run.stderr);
    assert!(run.stdout.contains(&format!("(the weights of epoch {best}, the best on validation)")), "{}", run.stdout);
    // The saved network is the best epoch's: its validation accuracy is the one recorded.
    let shown = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Validation accuracy: ")?.strip_suffix('%')?.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no validation accuracy in\n{}", run.stdout));
    assert!((shown / 100.0 - rows[best][3]).abs() < 1e-12, "shown {shown}%, recorded {}", rows[best][3]);
    // The settings are in the model file and `dnn info` shows them.
    let info = run_dnn(&dir, &["info", "--model", "m.safetensors"], None);
    let line = format!(
        "optimisation:  adam (beta1 0.9, beta2 0.999, epsilon 1e-8), learning rate 0.05, mini-batches of 32 \
         (shuffle seed 3), 300 epochs, early stopping after 10 epochs, best epoch {best}"
    );
    assert!(info.stdout.contains(&line), "{}\nexpected: {line}", info.stdout);
}

#[test]
fn regularised_mini_batch_training_in_f32_follows_f64() {
    let dir = temp_dir("train-options-f32");
    let base = ["--optimizer", "momentum", "--batch-size", "64", "--epochs", "50", "--l2", "0.1", "--keep-prob", "0.9"];
    let report = |dtype: &'static str| {
        let mut args = moons(&base);
        args.extend_from_slice(&["--dtype", dtype, "--json"]);
        let run = run_dnn(&dir, &args, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()
    };
    let (f64_run, f32_run) = (report("f64"), report("f32"));
    assert_eq!(f64_run["epochs"], 50);
    assert_eq!(f64_run["optimizer"], "momentum");
    let (a, b) = (f64_run["final_cost"].as_f64().unwrap(), f32_run["final_cost"].as_f64().unwrap());
    assert!((a - b).abs() < 1e-4 * a, "f64 {a} against f32 {b}");
}

#[test]
fn gradcheck_checks_the_l2_gradient() {
    let dir = temp_dir("train-options-gradcheck");
    let run = run_dnn(&dir, &["gradcheck", "--l2", "0.5", "--json"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["l2"], 0.5);
    assert!(report["relative_error"].as_f64().unwrap() < 1e-7, "{report}");
    assert_error(&dir, &["gradcheck", "--l2", "-1"], "invalid --l2 -1: expected a number of at least 0");
}

#[test]
fn search_varies_the_optimizer_batches_and_regularisation() {
    let dir = temp_dir("train-options-search");
    let args = [
        "search",
        "builtin:optim-moons",
        "--layers",
        "5,2",
        "--hidden-activation",
        "relu",
        "--init",
        "he",
        "--seed",
        "3",
        "--learning-rate",
        "0.0007",
        "--iterations",
        "200",
        "--optimizer",
        "gd,adam",
        "--batch-size",
        "64,full",
        "--l2",
        "0,0.1",
        "--keep-prob",
        "1,0.86",
        "--quiet",
        "--out",
        "log.csv",
    ];
    let run = run_dnn(&dir, &args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = std::fs::read_to_string(dir.join("log.csv")).unwrap();
    let mut lines = log.lines();
    assert_eq!(
        lines.next(),
        Some(
            "trial,layers,hidden_activation,init,learning_rate,iterations,seed,metric,validation,score,train_cost,\
             seconds,status,optimizer,batch_size,l2,keep_prob"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 16, "every combination once");
    // The grid varies the optimizer slowest of the four and the keep probability fastest.
    let settings = |trial: usize| {
        let row = rows.iter().find(|r| r.starts_with(&format!("{trial},"))).unwrap();
        row.rsplitn(5, ',').take(4).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(",")
    };
    assert_eq!(settings(0), "gd,64,0.0,1.0");
    assert_eq!(settings(1), "gd,64,0.0,0.86");
    assert_eq!(settings(6), "gd,,0.1,1.0");
    assert_eq!(settings(15), "adam,,0.1,0.86");
    // The table names them, and the mini-batch trials count epochs.
    assert!(run.stdout.contains("optimizer  batch  l2   keep"), "{}", run.stdout);
    // Trial 8 is Adam with batches of 64 and nothing else.
    assert!(rows.iter().any(|r| r.starts_with("8,") && r.ends_with(",done,adam,64,0.0,1.0")), "{log}");

    // A rerun resumes everything from the log; a log of the first course's columns (no
    // regimen columns) still resumes as trials of the default regimen.
    let again = run_dnn(&dir, &args, None);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("log.csv")).unwrap(), log, "no trial ran again");
    let old_log: String = std::iter::once("trial,layers,hidden_activation,init,learning_rate,iterations,seed,metric,validation,score,train_cost,seconds,status".to_string())
        .chain(rows.iter().filter(|r| r.ends_with(",gd,,0.0,1.0")).map(|r| r.rsplitn(5, ',').last().unwrap().to_string()))
        .map(|l| l + "\n")
        .collect();
    std::fs::write(dir.join("old.csv"), old_log).unwrap();
    let first_course = [&args[..12], &["--iterations", "200", "--quiet", "--out", "old.csv"]].concat();
    let before = std::fs::read_to_string(dir.join("old.csv")).unwrap();
    let resumed = run_dnn(&dir, &first_course, None);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("old.csv")).unwrap(), before, "the trial was in the old log");
    assert!(!resumed.stdout.contains("optimizer"), "a first-course table: {}", resumed.stdout);
}

/// `fit_observed` shows the network after every epoch, and a callback that takes its time
/// (as a paused page does) changes nothing: Adam on mini-batches with dropout gives the costs
/// and weights of `fit_with` with the Gram form off, and the network shown after the last
/// epoch is the one returned.
#[test]
fn fit_observed_shows_each_epoch_and_matches_fit_with() {
    use dnn::{
        fit_observed, fit_with, Activation, Architecture, Dropout, GramMode, Init, Network, NumpyRng, OptimizerKind,
        TrainConfig,
    };
    use std::ops::ControlFlow;
    let mut rng = NumpyRng::new(3);
    let x = rng.randn_matrix(2, 90);
    let y = x.row(0).mapv(|v| f64::from(u8::from(v > 0.0))).insert_axis(ndarray::Axis(0));
    let arch = Architecture::new(&[2, 6, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
    let config = TrainConfig::new(0.01, 12)
        .with_batches(32, 4)
        .with_optimizer(OptimizerKind::Adam.with(0.9, 0.999, 1e-8))
        .with_dropout(Dropout { keep_prob: vec![0.8], seed: 5, reseed_every_pass: false })
        .with_gram(GramMode::Off)
        .check()
        .unwrap();
    let (plain, plain_history) =
        fit_with(network.clone(), x.view(), y.view(), &config, |_| ControlFlow::Continue(())).unwrap();
    let mut shown = Vec::new();
    let (observed, history) = fit_observed(network, x.view(), y.view(), None, &config, |progress, net| {
        std::thread::sleep(std::time::Duration::from_millis(2));
        shown.push((progress.iteration, net.layers()[0].w().to_owned()));
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(history.costs, plain_history.costs);
    assert_eq!(shown.len(), 12);
    assert_eq!(shown.iter().map(|(epoch, _)| *epoch).collect::<Vec<_>>(), (0..12).collect::<Vec<_>>());
    assert_ne!(shown[0].1, shown[11].1, "the weights move");
    assert_eq!(&shown[11].1, observed.layers()[0].w());
    assert_eq!(observed.layers()[0].w(), plain.layers()[0].w());
}

/// A run of any length starts: the history is not sized for all of `usize::MAX / 2` epochs up
/// front (that was a capacity-overflow panic, and `dnn train --iterations 100000000000000` an
/// abort). The callback ends it after three.
#[test]
fn a_run_of_absurd_length_starts_and_stops_when_told() {
    use dnn::{fit_with, Activation, Architecture, Init, Network, NumpyRng, TrainConfig};
    use std::ops::ControlFlow;
    let mut rng = NumpyRng::new(3);
    let x = rng.randn_matrix(2, 20);
    let y = x.row(0).mapv(|v| f64::from(u8::from(v > 0.0))).insert_axis(ndarray::Axis(0));
    let arch = Architecture::new(&[2, 3, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
    let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
    let config = TrainConfig::new(0.1, usize::MAX / 2).check().unwrap();
    let (_, history) = fit_with(network, x.view(), y.view(), &config, |progress| {
        if progress.iteration == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(history.costs.len(), 3);
    assert!(history.stopped_early);
}

/// More threads than cores trains (the same numbers), with a note that the extra ones only
/// wait; as many as the cores, no note.
#[test]
fn more_threads_than_cores_get_a_note() {
    let dir = temp_dir("threads-note");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let more = (cores + 1).to_string();
    let run = run_dnn(&dir, &["train", "builtin:planar", "--iterations", "3", "--threads", &more], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!("note: --threads {more} is more than this machine's {cores} cores: the others only wait their turn\n")
    );
    let all = cores.to_string();
    let run = run_dnn(&dir, &["train", "builtin:planar", "--iterations", "3", "--threads", &all], None);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}
