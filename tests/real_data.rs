//! Data sets nobody here made: scikit-learn's iris (4 features, 3 classes), wine (13
//! features, 3 classes) and digits (64 pixels, 10 classes, gzip-compressed), the CSV files
//! inside the scikit-learn package, trained with a softmax network and checked against a numpy
//! reference (fixtures sklearn_iris_softmax.txt, sklearn_wine_softmax.txt and
//! sklearn_digits_softmax.txt, with the script that computed them in their headers).
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};

use dnn::data::{classes, one_hot, Dataset, Scale};
use dnn::{fit, Activation, Architecture, Init, Network, NumpyRng, TrainConfig};
use ndarray::Array2;

/// scikit-learn's copy of a data set, or `None` (with the reason printed) when it is absent.
fn sklearn_file(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../venv/lib/python3.11/site-packages/sklearn/datasets/data")
        .join(name);
    if !path.exists() {
        println!("skipped: scikit-learn's {name} is not at {}", path.display());
        return None;
    }
    Some(path)
}

/// The reference: (iteration, cost) pairs and the training accuracy.
fn reference(fixture: &str) -> (Vec<(usize, f64)>, f64) {
    let numbers = common::fixture_numbers(fixture);
    let (pairs, accuracy) = numbers.split_at(numbers.len() - 1);
    (pairs.chunks(2).map(|p| (p[0] as usize, p[1])).collect(), accuracy[0])
}

/// Checks a `--history` file (iteration,cost) against the reference's costs, to 1e-8.
fn assert_history_matches(path: &Path, costs: &[(usize, f64)], name: &str) {
    let history = std::fs::read_to_string(path).unwrap();
    let recorded: Vec<(usize, f64)> = history
        .lines()
        .skip(1)
        .map(|line| {
            let (i, cost) = line.split_once(',').unwrap();
            (i.parse().unwrap(), cost.parse().unwrap())
        })
        .collect();
    assert_eq!(recorded.len(), costs.len(), "{name}: {history}");
    for ((i, cost), (j, expected)) in recorded.iter().zip(costs) {
        assert_eq!(i, j);
        common::assert_rel(*cost, *expected, 1e-8, &format!("{name}: cost after {i} iterations"));
    }
}

#[test]
fn iris_and_wine_through_the_command_match_numpy() {
    let dir = common::temp_dir("real-data");
    for (name, fixture) in [("iris.csv", "sklearn_iris_softmax.txt"), ("wine_data.csv", "sklearn_wine_softmax.txt")] {
        let Some(path) = sklearn_file(name) else { return };
        // The files' first line is "m,n_x,class names…": as is, iris's reads as a header of
        // its five columns; wine's has fewer fields than its rows, so it is left out.
        let text = std::fs::read_to_string(&path).unwrap();
        let data = if name == "iris.csv" { text } else { text.split_once('\n').unwrap().1.to_string() };
        std::fs::write(dir.join(name), data).unwrap();
        let args = ["train", name, "--layers", "10", "--init", "he", "--seed", "1", "--learning-rate", "0.1"];
        let run = common::run_dnn(
            &dir,
            &[&args[..], &["--iterations", "1000", "--history", "h.csv", "--json"]].concat(),
            None,
        );
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let (costs, accuracy) = reference(fixture);
        assert_history_matches(&dir.join("h.csv"), &costs, name);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        // serde_json's default number parsing may be 1 ulp off: compared to 1e-15.
        common::assert_rel(report["train_accuracy"].as_f64().unwrap(), accuracy, 1e-15, name);
        assert_eq!(report["layers"][2], 3, "{name}: a softmax of three classes");
    }
}

#[test]
fn wine_through_the_library_matches_numpy() {
    let Some(path) = sklearn_file("wine_data.csv") else { return };
    let text = std::fs::read_to_string(path).unwrap();
    let rows: Vec<Vec<f64>> =
        text.lines().skip(1).map(|line| line.split(',').map(|v| v.parse().unwrap()).collect()).collect();
    let (m, n_x) = (rows.len(), rows[0].len() - 1);
    let mut data = Dataset {
        x: Array2::from_shape_fn((n_x, m), |(i, j)| rows[j][i]),
        y: Array2::from_shape_fn((1, m), |(_, j)| rows[j][n_x]),
        ..Dataset::default()
    };
    let (y, names) = classes(&data, None).unwrap();
    assert_eq!(names, ["0", "1", "2"]);
    Scale::standardize_fit(&data.x).apply_in_place(&mut data.x);
    let arch = Architecture::new(&[n_x, 10, 3], Activation::Relu, Activation::Softmax).unwrap();
    let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(1)).unwrap();
    let config = TrainConfig::new(0.1, 1000).check().unwrap();
    let (network, history) = fit(network, data.x.view(), one_hot(&y, 3).view(), &config).unwrap();
    let (costs, accuracy) = reference("sklearn_wine_softmax.txt");
    for (i, expected) in costs {
        common::assert_rel(history.costs[i], expected, 1e-8, &format!("wine: cost after {i} iterations"));
    }
    let predicted = network.predict_classes(data.x.view()).unwrap();
    let right = predicted.iter().zip(&y).filter(|&(&p, &y)| p as f64 == y).count();
    assert_eq!(right as f64 / m as f64, accuracy);
}

#[test]
fn digits_as_scikit_learn_ships_it_gzipped_matches_numpy() {
    // digits.csv.gz is read as it is in the package: a gzip-compressed CSV file without a
    // header, its last column the label 0–9 (ten classes, so a softmax of ten units).
    let Some(path) = sklearn_file("digits.csv.gz") else { return };
    let dir = common::temp_dir("real-data-digits");
    let path = path.to_str().unwrap();
    let args = ["train", path, "--layers", "10", "--init", "he", "--seed", "1", "--learning-rate", "0.1"];
    let run =
        common::run_dnn(&dir, &[&args[..], &["--iterations", "300", "--history", "h.csv", "--json"]].concat(), None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (costs, accuracy) = reference("sklearn_digits_softmax.txt");
    assert_history_matches(&dir.join("h.csv"), &costs, "digits");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    common::assert_rel(report["train_accuracy"].as_f64().unwrap(), accuracy, 1e-15, "digits");
    assert_eq!(report["layers"], serde_json::json!([64, 10, 10]));
}

#[test]
fn a_gz_file_that_is_not_gzip_is_one_error_line() {
    let dir = common::temp_dir("real-data-bad-gzip");
    // A plain CSV file under a .gz name.
    std::fs::write(dir.join("bad.csv.gz"), "x,y\n1,0\n2,1\n3,0\n4,1\n").unwrap();
    common::assert_error(
        &dir,
        &["train", "bad.csv.gz"],
        "bad.csv.gz: not a readable gzip file (invalid gzip header); its name ends in .gz",
    );
}
