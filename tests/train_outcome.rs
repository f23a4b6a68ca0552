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

/// Linear regression on y = 100·x, x = 1, 2, 3, from zero weights (tests/training.rs works
/// it by hand): with α = 0.5 the cost of iteration 2 is over 100 times the first.
const REGRESSION: [&str; 9] =
    ["train", "line.csv", "--layers", "", "--init", "zeros", "--output-activation", "linear", "--learning-rate"];

#[test]
fn a_diverged_run_fails_and_saves_no_model() {
    let dir = common::temp_dir("train-diverged");
    std::fs::write(dir.join("line.csv"), "x,y\n1,100\n2,200\n3,300\n").unwrap();
    let output = dnn(&dir, &[&REGRESSION[..], &["0.5", "--model", "m.safetensors", "--history", "h.csv"]].concat());
    assert_eq!(
        text(&output.stderr),
        "error: training diverged at iteration 2: the cost grew from 46666.666667 to 1.986e7, over 100 times its \
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
    common::assert_rel(layer.w[(0, 0)], 2.8e153, 1e-14, "w");
    common::assert_rel(layer.b[0], 1.2e153, 1e-14, "b");
    assert_eq!(info.training.unwrap()["diverged"]["iteration"], 2);

    // --keep-diverged needs --model.
    let output = dnn(&dir, &[&REGRESSION[..], &["0.3", "--keep-diverged"]].concat());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--model"), "{}", text(&output.stderr));
}
