//! What `dnn train` says about how training went: a diverged run fails and saves no model
//! (unless asked), and a finished run warns, one line each, when it stalled or when the
//! features are badly scaled; the course's own runs get no warning.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn dnn(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dnn")).current_dir(dir).args(args).output().expect("dnn runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Linear regression on y = 100·x, x = 1, 2, 3, from zero weights, features and targets as
/// they are (tests/training.rs works it by hand): with α = 0.5 the cost of iteration 2 is over
/// 100 times the first.
const REGRESSION: [&str; 13] = [
    "train",
    "line.csv",
    "--layers",
    "",
    "--init",
    "zeros",
    "--output-activation",
    "linear",
    "--scale",
    "none",
    "--target-scale",
    "none",
    "--learning-rate",
];

/// The course's planar network's hyperparameters, on features as they are.
const COURSE: [&str; 12] = [
    "--layers",
    "4",
    "--hidden-activation",
    "tanh",
    "--init",
    "scaled:0.01",
    "--seed",
    "2",
    "--learning-rate",
    "1.2",
    "--scale",
    "none",
];

#[test]
fn a_diverged_run_fails_and_saves_no_model() {
    let dir = common::temp_dir("train-diverged");
    std::fs::write(dir.join("line.csv"), "x,y\n1,100\n2,200\n3,300\n").unwrap();
    let output = dnn(&dir, &[&REGRESSION[..], &["0.5", "--model", "m.safetensors", "--history", "h.csv"]].concat());
    assert_eq!(
        text(&output.stderr),
        "note: defaults for a data file: --iterations 2000 (give a flag to change one)\n\
         error: training diverged at iteration 2: the cost grew from 46666.666667 to 1.986e7, over 100 times its \
         first value, with learning rate 0.5; try a smaller learning rate, such as 0.05; no model saved \
         (--keep-diverged saves the last network whose cost was finite)\n"
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "Cost after iteration 0: 46666.666667\n");
    assert!(!dir.join("m.safetensors").exists() && !dir.join("h.csv").exists());

    // --json: the same error, and the report says where it diverged.
    let output = dnn(&dir, &[&REGRESSION[..], &["0.5", "--json"]].concat());
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["diverged"]["iteration"], 2);
    assert_eq!(report["diverged"]["learning_rate"], 0.5);
    assert_eq!(report["diverged"]["suggested_learning_rate"], 0.05);
    assert_eq!(report["model"], serde_json::Value::Null);
    assert_eq!(report["iterations"], 3);

    // A smaller rate trains: exit 0, a model.
    let output = dnn(&dir, &[&REGRESSION[..], &["0.05", "--iterations", "200", "--model", "m.safetensors"]].concat());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(dir.join("m.safetensors").exists());
}

/// A learning rate far out of range is written as it was typed, not as 31 digits.
#[test]
fn a_huge_learning_rate_is_written_in_scientific_notation() {
    let dir = common::temp_dir("train-huge-rate");
    let output = dnn(&dir, &["train", "builtin:planar", "--learning-rate", "1e30", "--quiet"]);
    assert_eq!(
        text(&output.stderr),
        "error: training diverged at iteration 1: the cost grew from 0.693048 to 3.918e27, over 100 times its first \
         value, with learning rate 1e30; try a smaller learning rate, such as 1e29\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn keep_diverged_saves_the_last_finite_network() {
    let dir = common::temp_dir("train-keep-diverged");
    // Targets of 1e153: the first cost is 4.67e306, the next 5.4 times that, and the one
    // after overflows to infinity. The last network with a finite cost is the one after one
    // update: w = 0.3 · (2/3)(1·1 + 2·2 + 3·3)e153 = 2.8e153, b = 0.3 · (2/3)(6e153) = 1.2e153.
    std::fs::write(dir.join("line.csv"), "x,y\n1,1e153\n2,2e153\n3,3e153\n").unwrap();
    let output =
        dnn(&dir, &[&REGRESSION[..], &["0.3", "--model", "m.safetensors", "--keep-diverged", "--quiet"]].concat());
    assert_eq!(
        text(&output.stderr),
        "error: training diverged at iteration 2: the cost became inf with learning rate 0.3; try a smaller \
         learning rate, such as 0.03; m.safetensors holds the last network whose cost was finite\n"
    );
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(stdout.ends_with("Model saved to m.safetensors (the last network whose cost was finite)\n"), "{stdout}");
    let (network, info) = dnn::model_file::load::<f64>(dir.join("m.safetensors")).unwrap();
    let layer = &network.layers()[0];
    common::assert_rel(layer.w()[(0, 0)], 2.8e153, 1e-14, "w");
    common::assert_rel(layer.b()[0], 1.2e153, 1e-14, "b");
    assert_eq!(info.training.unwrap()["diverged"]["iteration"], 2);

    // --keep-diverged needs --model.
    let output = dnn(&dir, &[&REGRESSION[..], &["0.3", "--keep-diverged"]].concat());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--model"), "{}", text(&output.stderr));
}

#[test]
fn the_course_runs_get_no_warning() {
    let dir = common::temp_dir("train-no-warning");
    // `dnn train` with no arguments: the course's flower.
    let output = dnn(&dir, &["train", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(report["diverged"], serde_json::Value::Null);

    // README.md's 4-layer cat model on the HDF5 files.
    if !common::cat_files_present() {
        return;
    }
    let cat = common::cat_dir();
    let (train, test) = (cat.join("train_catvnoncat.h5"), cat.join("test_catvnoncat.h5"));
    let readme =
        "--layers 20,7,5 --hidden-activation relu --init lecun --seed 1 --learning-rate 0.0075 --iterations 2500";
    let args: Vec<&str> = readme.split(' ').collect();
    let (train, test) = (train.to_str().unwrap(), test.to_str().unwrap());
    let output = dnn(&dir, &[&["train", train, "--test", test, "--json"][..], &args].concat());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["warnings"], serde_json::json!([]));
    let accuracy = report["train_accuracy"].as_f64().unwrap();
    assert!((accuracy - 206.0 / 209.0).abs() < 1e-12, "{accuracy}");

    // The same pixels left at 0–255: a model that says non-cat for every picture, and why.
    let output =
        dnn(&dir, &[&["train", train, "--scale", "none"][..], &args[..args.len() - 1], &["300", "--quiet"]].concat());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stderr),
        "warning: all 209 training examples are predicted as class 0: it has not learned to tell the classes \
         apart; train longer or with a larger learning rate, or standardize the features (--scale standardize)\n\
         warning: feature 4932 has values of size 149.5 (root mean square): inputs this large saturate the units; \
         standardize the features (--scale standardize)\n"
    );
}

#[test]
fn warnings_are_one_line_each_and_listed_in_json() {
    let dir = common::temp_dir("train-warnings");
    // Incomes in the tens of thousands beside ratios of about 0.01; class 1 when the ratio is
    // above 0.005.
    let noise = dnn::NumpyRng::new(3).randn_matrix(2, 100);
    let mut csv = String::from("income,ratio,label\n");
    for j in 0..100 {
        let (income, ratio) = (50_000.0 + 20_000.0 * noise[(0, j)], 0.01 * noise[(1, j)]);
        csv.push_str(&format!("{income:.0},{ratio:.5},{}\n", u8::from(ratio > 0.005)));
    }
    std::fs::write(dir.join("loans.csv"), csv).unwrap();
    let output = dnn(&dir, &[&["train", "loans.csv", "--iterations", "300", "--quiet"][..], &COURSE].concat());
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout).lines().next(), Some("Train accuracy: 75%"));
    assert_eq!(
        text(&output.stderr),
        "warning: feature 'income' has values of size 52348 (root mean square): inputs this large saturate the \
         units; standardize the features (--scale standardize)\n\
         warning: the features' scales differ by a factor of 2.420e6 (feature 'income' has standard deviation \
         21280, feature 'ratio' 0.008792): one learning rate cannot suit them all; standardize the features \
         (--scale standardize)\n"
    );
    let output = dnn(&dir, &[&["train", "loans.csv", "--iterations", "300", "--json"][..], &COURSE].concat());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let kinds: Vec<&str> = report["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["large-feature", "scale-spread"]);
    assert_eq!(report["warnings"][0]["feature"]["name"], "income");
    assert_eq!(report["warnings"][0]["rms"].as_f64().map(|rms| rms.round()), Some(52348.0));
    assert!(report["warnings"][1]["message"].as_str().unwrap().starts_with("the features' scales differ"));

    // The fix the warnings name.
    let course = &COURSE[..COURSE.len() - 2];
    let output = dnn(
        &dir,
        &[&["train", "loans.csv", "--iterations", "300", "--quiet", "--scale", "standardize"][..], course].concat(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout).lines().next(), Some("Train accuracy: 100%"));
}
