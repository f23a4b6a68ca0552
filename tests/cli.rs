//! The `dnn` command as a user runs it: the main job, every data format, the outputs, and
//! the exact error line and exit code of each kind of bad input.
#![cfg(feature = "cli")]

mod common;

use common::{assert_error, write_image, Run};

use std::path::Path;

use assert_cmd::Command;
use ndarray::{Array1, Array2};

fn dnn() -> Command {
    Command::cargo_bin("dnn").expect("the dnn binary is built")
}

fn run(cmd: &mut Command) -> Run {
    let output = cmd.output().expect("dnn runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn the_main_job_prints_the_course_numbers() {
    // `dnn train` with no arguments: the course's planar shallow network (course_results.md:
    // "costs: 0: 0.693048 · 1000: 0.288083 · 2000: 0.254385 · 5000: 0.222644").
    let r = run(dnn().arg("train"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "Cost after iteration 0: 0.693048");
    assert_eq!(lines[1], "Cost after iteration 1000: 0.288083");
    assert_eq!(lines[2], "Cost after iteration 2000: 0.254385");
    assert_eq!(lines[5], "Cost after iteration 5000: 0.222644");
    // numpy on this data (tests/fixtures/planar_costs.txt): 6000: 0.21973140404281324,
    // 7000: 0.21750365405131297.
    assert_eq!(lines[6], "Cost after iteration 6000: 0.219731");
    assert_eq!(lines[7], "Cost after iteration 7000: 0.217504");
    // Past 7000 iterations this run is sensitive to rounding (course_results.md: numpy,
    // PyTorch and scikit-learn differ in the 4th digit by 8000), so: "9000: 0.218607" to 1e-3.
    let cost_9000: f64 = lines[9].strip_prefix("Cost after iteration 9000: ").unwrap().parse().unwrap();
    assert!((cost_9000 - 0.218607).abs() < 1e-3, "{}", lines[9]);
    assert!(lines[10].starts_with("Cost after iteration 9999: "));
    // "Accuracy 90 %" (the accuracy truncated to an integer; numpy gets 90.75 %).
    let accuracy: f64 = lines[11].strip_prefix("Train accuracy: ").unwrap().trim_end_matches('%').parse().unwrap();
    assert!((90.0..91.0).contains(&accuracy), "{}", lines[11]);
    assert!(lines[12].starts_with("Trained 10000 iterations in "), "{}", lines[12]);
}

#[test]
fn json_history_plots_and_the_model_file() {
    let dir = common::temp_dir("cli-outputs");
    let r = run(dnn().current_dir(&dir).args([
        "train",
        "--iterations",
        "300",
        "--print-every",
        "100",
        "--json",
        "--history",
        "h.csv",
        "--plot",
        "cost.png",
        "--boundary",
        "boundary.png",
        "--model",
        "m.safetensors",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 1, "one JSON line: {}", r.stdout);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["iterations"], 300);
    assert_eq!(report["dtype"], "f64");
    assert_eq!(report["layers"], serde_json::json!([2, 4, 1]));
    assert!(report["test_accuracy"].is_null());
    assert!(report["train_accuracy"].as_f64().unwrap() > 0.5);
    assert!(report["seconds"].as_f64().unwrap() >= 0.0);
    let history = std::fs::read_to_string(dir.join("h.csv")).unwrap();
    let rows: Vec<&str> = history.lines().collect();
    assert_eq!(rows[0], "iteration,cost");
    // numpy's first cost (course_results.md) to the last bit or so.
    let first: f64 = rows[1].strip_prefix("0,").unwrap().parse().unwrap();
    common::assert_rel(first, 0.6930480201239823, 1e-15, "first cost");
    assert_eq!(
        rows.iter().skip(1).map(|r| r.split(',').next().unwrap()).collect::<Vec<_>>(),
        ["0", "100", "200", "299"]
    );
    let final_cost: f64 = rows[4].split(',').nth(1).unwrap().parse().unwrap();
    assert_eq!(final_cost, report["final_cost"].as_f64().unwrap());
    for png in ["cost.png", "boundary.png"] {
        let image = image::open(dir.join(png)).unwrap().into_rgb8();
        assert_eq!(image.dimensions(), (900, 600), "{png}");
        // Not blank: many distinct colours (axes, text, curve or regions).
        let colours: std::collections::HashSet<_> = image.pixels().map(|p| p.0).collect();
        assert!(colours.len() > 20, "{png} has {} colours", colours.len());
    }

    // evaluate, predict and info on the saved model.
    let r = run(dnn().current_dir(&dir).args(["evaluate", "--model", "m.safetensors", "builtin:planar", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let eval: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(eval["accuracy"], report["train_accuracy"]);
    assert_eq!(eval["examples"], 400);
    let cm = &eval["confusion_matrix"];
    let total: u64 = ["true_negatives", "false_positives", "false_negatives", "true_positives"]
        .iter()
        .map(|k| cm[*k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 400);
    let r = run(dnn().current_dir(&dir).args(["predict", "--model", "m.safetensors", "builtin:planar"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "input,probability,label");
    assert_eq!(lines.len(), 401);
    let r = run(dnn().current_dir(&dir).args(["info", "--model", "m.safetensors"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("layers:        2 inputs → 4 tanh → 1 sigmoid"), "{}", r.stdout);
    assert!(r.stdout.contains("parameters:    17"));
}

#[test]
fn gradcheck_passes_and_fails_by_its_tolerance() {
    let r = run(dnn().args(["gradcheck", "--layers", "5,3", "--hidden-activation", "tanh"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(": ok"), "{}", r.stdout);
    // A tolerance nothing can meet: the check reports failure with exit code 1.
    let r = run(dnn().args(["gradcheck", "--tolerance", "1e-30"]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("FAILED"));
    assert!(r.stderr.starts_with("error: gradient check failed: relative error "), "{}", r.stderr);
}

/// Writes `rows` (features..., label) as CSV with a header.
fn write_csv(path: &Path, header: &str, rows: &[String]) {
    std::fs::write(path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
}

#[test]
fn csv_with_named_classes_trains_and_predicts_with_the_names() {
    let dir = common::temp_dir("cli-csv");
    let data = dnn::data::builtin("moons", 3).unwrap();
    let rows: Vec<String> = (0..data.m())
        .map(|j| {
            format!("{},{},{}", data.x[(0, j)], data.x[(1, j)], if data.y[(0, j)] == 1.0 { "spam" } else { "ham" })
        })
        .collect();
    write_csv(&dir.join("moons.csv"), "x1,x2,kind", &rows);
    let r = run(dnn().current_dir(&dir).args([
        "train",
        "moons.csv",
        "--layers",
        "8",
        "--iterations",
        "4000",
        "--learning-rate",
        "1.2",
        "--scale",
        "standardize",
        "--model",
        "m.safetensors",
        "--quiet",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let accuracy: f64 =
        r.stdout.lines().next().unwrap().trim_start_matches("Train accuracy: ").trim_end_matches('%').parse().unwrap();
    assert!(accuracy > 95.0, "{}", r.stdout);
    // Predict on the features alone (no label column); names come back.
    let features: Vec<String> = rows.iter().map(|r| r.rsplit_once(',').unwrap().0.to_string()).collect();
    write_csv(&dir.join("new.csv"), "x1,x2", &features[..5]);
    let r = run(dnn().current_dir(&dir).args(["predict", "--model", "m.safetensors", "new.csv", "--output", "p.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let predictions = std::fs::read_to_string(dir.join("p.csv")).unwrap();
    let lines: Vec<&str> = predictions.lines().collect();
    assert_eq!(lines.len(), 6);
    for line in &lines[1..] {
        let label = line.rsplit(',').next().unwrap();
        assert!(label == "ham" || label == "spam", "{line}");
    }
    let r = run(dnn().current_dir(&dir).args(["info", "--model", "m.safetensors"]));
    assert!(r.stdout.contains("classes:       0 = ham, 1 = spam"), "{}", r.stdout);
    assert!(r.stdout.contains("scaling:       standardize"), "{}", r.stdout);
}

#[test]
fn a_regression_with_a_linear_output() {
    let dir = common::temp_dir("cli-regression");
    // y = 2·x1 − x2 + 0.5 exactly: a linear model fits it.
    let mut rng = dnn::NumpyRng::new(4);
    let rows: Vec<String> = (0..100)
        .map(|_| {
            let (a, b) = (rng.randn(), rng.randn());
            format!("{a},{b},{}", 2.0 * a - b + 0.5)
        })
        .collect();
    write_csv(&dir.join("lin.csv"), "a,b,y", &rows);
    let r = run(dnn().current_dir(&dir).args([
        "train",
        "lin.csv",
        "--layers",
        "",
        "--output-activation",
        "linear",
        "--init",
        "zeros",
        "--learning-rate",
        "0.1",
        "--iterations",
        "500",
        "--json",
        "--model",
        "lin.safetensors",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(report["train_accuracy"].is_null());
    assert!(report["train_regression"]["r2"].as_f64().unwrap() > 0.999999, "{report}");
    assert!(report["final_cost"].as_f64().unwrap() < 1e-6, "{report}");
    let r = run(dnn().current_dir(&dir).args(["evaluate", "--model", "lin.safetensors", "lin.csv"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("R²: 1.000000") || r.stdout.contains("R²: 0.99999"), "{}", r.stdout);
}

#[test]
fn numpy_files_npz_and_npy_pairs() {
    use ndarray_npy::{NpzWriter, WriteNpyExt};
    let dir = common::temp_dir("cli-numpy");
    let data = dnn::data::builtin("circles", 1).unwrap();
    // Rows are examples, as NumPy users store them.
    let x: Array2<f64> = data.x.t().to_owned();
    let y: Array1<i64> = data.y.row(0).mapv(|v| v as i64);
    let mut npz = NpzWriter::new(std::fs::File::create(dir.join("circles.npz")).unwrap());
    npz.add_array("x", &x).unwrap();
    npz.add_array("y", &y).unwrap();
    npz.finish().unwrap();
    x.write_npy(std::fs::File::create(dir.join("train_x.npy")).unwrap()).unwrap();
    y.write_npy(std::fs::File::create(dir.join("train_y.npy")).unwrap()).unwrap();
    let mut reports = Vec::new();
    for file in ["circles.npz", "train_x.npy"] {
        let r = run(dnn().current_dir(&dir).args(["train", file, "--iterations", "200", "--json"]));
        assert_eq!(r.code, 0, "{file}: {}", r.stderr);
        let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        reports.push(report["final_cost"].clone());
    }
    // Same data, same numbers.
    assert_eq!(reports[0], reports[1]);
    std::fs::remove_file(dir.join("train_y.npy")).unwrap();
    assert_error(&dir, &["train", "train_x.npy"], "train_x.npy: the labels file train_y.npy does not exist");
}

#[test]
fn image_folders_train_and_single_images_predict() {
    let dir = common::temp_dir("cli-images");
    for (class, red) in [("blue", false), ("red", true)] {
        std::fs::create_dir_all(dir.join("train").join(class)).unwrap();
        for i in 0..6 {
            write_image(&dir.join("train").join(class).join(format!("{i}.png")), 8, red, i + 10 * u32::from(red));
        }
    }
    let r = run(dnn().current_dir(&dir).args([
        "train",
        "train",
        "--layers",
        "",
        "--init",
        "zeros",
        "--learning-rate",
        "0.01",
        "--iterations",
        "100",
        "--model",
        "m.safetensors",
        "--quiet",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().next(), Some("Train accuracy: 100%"));
    let r = run(dnn().current_dir(&dir).args(["info", "--model", "m.safetensors"]));
    assert!(r.stdout.contains("scaling:       divide by 255"), "{}", r.stdout);
    assert!(r.stdout.contains("images:        8×8 pixels, 3 channel(s)"), "{}", r.stdout);
    // A user's own pictures, larger than the training images: resized to 8×8.
    write_image(&dir.join("mine_red.png"), 32, true, 99);
    write_image(&dir.join("mine_blue.jpg"), 32, false, 98);
    let r = run(dnn().current_dir(&dir).args(["predict", "--model", "m.safetensors", "mine_red.png", "mine_blue.jpg"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "input,probability,label");
    assert!(lines[1].starts_with("mine_red.png,") && lines[1].ends_with(",red"), "{}", lines[1]);
    assert!(lines[2].starts_with("mine_blue.jpg,") && lines[2].ends_with(",blue"), "{}", lines[2]);
    assert_error(
        &dir,
        &["predict", "--model", "m.safetensors", "mine_red.png", "--no-resize"],
        "mine_red.png: the image is 32×32 pixels, expected 8×8 (resizing is off)",
    );
}

#[test]
fn chunked_gzip_hdf5_reads_like_the_plain_file() {
    let dir = common::temp_dir("cli-hdf5");
    let data = dnn::data::builtin("blobs", 2).unwrap();
    // As h5py users often write: (m, 2, 2, 1) uint8 "images", chunked and compressed.
    let m = data.m();
    let pixels: Vec<u8> = (0..m).flat_map(|j| (0..4).map(move |i| ((j * 7 + i * 31) % 256) as u8)).collect();
    let labels: Vec<i64> = data.y.iter().map(|&v| v as i64).collect();
    for (name, compressed) in [("plain.h5", false), ("gzip.h5", true)] {
        let mut builder = hdf5_pure::FileBuilder::new();
        let x = builder.create_dataset("set_x");
        x.with_u8_data(&pixels).with_shape(&[m as u64, 2, 2, 1]);
        if compressed {
            x.with_chunks(&[16, 2, 2, 1]).with_deflate(6);
        }
        builder.create_dataset("set_y").with_i64_data(&labels);
        builder.write(dir.join(name)).unwrap();
    }
    let plain = dnn::data::read_hdf5(dir.join("plain.h5"), &Default::default()).unwrap();
    let gzip = dnn::data::read_hdf5(dir.join("gzip.h5"), &Default::default()).unwrap();
    assert_eq!(plain, gzip);
    assert_eq!(plain.x[(1, 0)], 31.0);
    let r = run(dnn().current_dir(&dir).args(["train", "gzip.h5", "--iterations", "20", "--json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_course_cat_files_work_with_no_extra_flags() {
    let Some(_) = common::cat_data() else { return };
    let dir = common::cat_dir();
    let train = dir.join("train_catvnoncat.h5");
    let test = dir.join("test_catvnoncat.h5");
    // The week-2 logistic regression: "Train accuracy 99.04306220095694 %, test 70.0 %";
    // its costs are checked to 1e-8 in tests/course_cat.rs.
    let r = run(dnn().args(["train"]).arg(&train).arg("--test").arg(&test).args([
        "--layers",
        "",
        "--init",
        "zeros",
        "--learning-rate",
        "0.005",
        "--iterations",
        "2000",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "Cost after iteration 0: 0.693147");
    assert_eq!(lines[1], "Cost after iteration 100: 0.584508");
    assert_eq!(lines[19], "Cost after iteration 1900: 0.140872");
    assert_eq!(lines[21], "Train accuracy: 99.04306220095694%");
    assert_eq!(lines[22], "Test accuracy: 70%");
}

#[test]
fn bad_input_gets_one_clear_line_and_exit_code_2() {
    let dir = common::temp_dir("cli-bad");
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w("ok.csv", "a,b,label\n1,2,0\n3,4,1\n");
    w("empty.csv", "");
    w("ragged.csv", "a,b,label\n1,2,0\n3,4\n");
    w("word.csv", "a,b,label\n1,2,0\n3,x,1\n");
    w("nan.csv", "a,b,label\n1,2,0\n3,NaN,1\n");
    w("inf.csv", "a,b,label\n1,inf,0\n3,4,1\n");
    w("third.csv", "a,b,label\n1,2,cat\n3,4,dog\n5,6,cow\n");
    w("two.csv", "a,b,label\n1,2,0\n3,4,2\n");
    w("wide.csv", "a,b,c,label\n1,2,3,0\n3,4,5,1\n");
    w("notes.txt.json", "{}");
    let mut builder = hdf5_pure::FileBuilder::new();
    builder.create_dataset("pixels").with_u8_data(&[1, 2, 3, 4]).with_shape(&[2, 2]);
    builder.create_dataset("labels").with_i64_data(&[0, 1]);
    builder.write(dir.join("keys.h5")).unwrap();
    let whole = std::fs::read(dir.join("keys.h5")).unwrap();
    std::fs::write(dir.join("cut.h5"), &whole[..whole.len() / 2]).unwrap();

    assert_error(&dir, &["train", "missing.csv"], "missing.csv: no such file or folder");
    assert_error(
        &dir,
        &["train", "empty.csv"],
        "empty.csv: the file is empty: expected a header line and one line per example",
    );
    assert_error(&dir, &["train", "ragged.csv"], "ragged.csv: line 3: 2 fields, expected 3 like the first line");
    assert_error(&dir, &["train", "word.csv"], "word.csv: line 3, column 'b' (1): 'x' is not a number");
    assert_error(
        &dir,
        &["train", "nan.csv"],
        "nan.csv: line 3, column 'b' (1): missing value 'NaN': choose --missing drop (skip such examples) or \
         --missing mean (fill in the training mean)",
    );
    assert_error(&dir, &["train", "inf.csv"], "inf.csv: line 2, column 'b' (1): inf is not a finite number");
    assert_error(
        &dir,
        &["train", "third.csv", "--output-activation", "sigmoid"],
        "third.csv: line 4, label column 'label': 3 distinct labels (cat, dog, cow): expected two classes",
    );
    // Any two label values are two classes: the larger number is class 1.
    let r = run(dnn().current_dir(&dir).args(["train", "two.csv", "--iterations", "2"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("note: classes: 0 = 0, 1 = 2 (the positive class; --positive-class to change)"));
    assert_error(
        &dir,
        &["train", "ok.csv", "--label-column", "kind"],
        "ok.csv: no label column 'kind' (columns: a, b, label)",
    );
    assert_error(
        &dir,
        &["train", "ok.csv", "--label-column", "5"],
        "ok.csv: no label column 5: the file has 3 columns, numbered from 0",
    );
    assert_error(
        &dir,
        &["train", "keys.h5"],
        "keys.h5: no dataset named 'x' or '*_x' (datasets: pixels, labels); name it with --x-key",
    );
    let r = run(dnn().current_dir(&dir).args(["train", "cut.h5", "--x-key", "pixels", "--y-key", "labels"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: cut.h5: ") && r.stderr.lines().count() == 1, "{}", r.stderr);
    assert_error(
        &dir,
        &["train", "ok.csv", "--test", "wide.csv"],
        "wide.csv: column 'c' is not among the model's features, label or ID columns: remove it or pass --ignore-columns c",
    );
    assert_error(
        &dir,
        &["train", "wide.csv", "--boundary", "b.png"],
        "--boundary needs 2-D data, and wide.csv has 3 features per example",
    );
    assert_error(
        &dir,
        &["train", "notes.txt.json"],
        "notes.txt.json: cannot tell the format from the extension 'json': expected .csv, .tsv, .csv.gz, .h5, .hdf5, .npz, .npy or a folder of images; or give --format",
    );
    assert_error(
        &dir,
        &["train", "--learning-rate", "-0.5"],
        "invalid learning rate -0.5: a finite number greater than 0",
    );
    assert_error(
        &dir,
        &["train", "--learning-rate", "NaN"],
        "invalid learning rate NaN: a finite number greater than 0",
    );
    assert_error(&dir, &["train", "--iterations", "0"], "invalid iterations 0: at least 1");
    assert_error(
        &dir,
        &["train", "--layers", "3,,4"],
        "invalid --layers '3,,4': expected comma-separated positive sizes such as 20,7,5 (or \"\" for none)",
    );
    assert_error(
        &dir,
        &["train", "--hidden-activation", "swish"],
        "--hidden-activation: invalid activation 'swish': expected sigmoid, tanh, relu, leaky-relu, leaky-relu:SLOPE (0 <= SLOPE < 1), linear or softmax",
    );
    assert_error(
        &dir,
        &["train", "builtin:swirl"],
        "invalid built-in data set 'swirl': expected planar, moons, circles, blobs, gaussian-quantiles, xor, \
         spiral, init-circles-train, init-circles-test or optim-moons",
    );
    let r = run(dnn().current_dir(&dir).args(["train", "--init", "zeros"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with(
        "error: --init zeros (pass --allow-symmetry to train anyway): zero initialisation with 1 hidden layer(s)"
    ));

    // Model files.
    w("corrupt.safetensors", "garbage");
    assert_error(
        &dir,
        &["evaluate", "--model", "corrupt.safetensors", "ok.csv"],
        "corrupt.safetensors: not a valid dnn model file: not a safetensors file, or truncated (header too small)",
    );
    let r = run(dnn().current_dir(&dir).args([
        "train",
        "ok.csv",
        "--layers",
        "",
        "--iterations",
        "3",
        "--model",
        "good.safetensors",
        "-q",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let model = std::fs::read(dir.join("good.safetensors")).unwrap();
    std::fs::write(dir.join("cut.safetensors"), &model[..model.len() - 5]).unwrap();
    let r = run(dnn().current_dir(&dir).args(["predict", "--model", "cut.safetensors", "ok.csv"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: cut.safetensors: not a valid dnn model file: not a safetensors file, or truncated"),
        "{}",
        r.stderr
    );
    assert_error(&dir, &["info", "--model", "none.safetensors"], "none.safetensors: no such file or folder");
    assert_error(
        &dir,
        &["evaluate", "--model", "good.safetensors", "wide.csv"],
        "wide.csv: column 'c' is not among the model's features, label or ID columns: remove it or pass \
         --ignore-columns c",
    );
    w("wide-no-header.csv", "1,2,3,0\n3,4,5,1\n");
    assert_error(
        &dir,
        &["evaluate", "--model", "good.safetensors", "wide-no-header.csv"],
        "wide-no-header.csv: 4 columns, but the model reads 3: 2 features, the label in column 2, counted from 0",
    );

    // A failed run leaves no model file behind.
    for args in [
        &["train", "word.csv", "--model", "never.safetensors"][..],
        &["train", "--iterations", "0", "--model", "never.safetensors"],
    ] {
        let _ = run(dnn().current_dir(&dir).args(args));
        assert!(!dir.join("never.safetensors").exists());
    }
}

#[test]
fn ctrl_c_stops_after_the_iteration_and_saves_the_model() {
    let dir = common::temp_dir("cli-interrupt");
    let args = ["train", "--iterations", "100000000", "--model", "m.safetensors", "--print-every", "1000000"];
    // Interrupted once training has begun (its first cost is printed).
    let (status, stdout, stderr) =
        common::interrupt_when(&dir, &args, |stdout| stdout.contains("Cost after iteration 0:"));
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.starts_with("interrupted: stopped after iteration "), "{stderr}");
    assert!(stdout.contains("Model saved to m.safetensors (trained so far)"), "{stdout}");
    let (_, meta) = dnn::model_file::load::<f64>(dir.join("m.safetensors")).unwrap();
    assert_eq!(meta.training.unwrap()["interrupted"], true);
}
