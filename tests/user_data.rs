//! A user's own data, handled right: a model takes its columns by name and its labels by the
//! classes it was trained on, any two label values are two classes, CSV files as people write
//! them (delimiters, missing values, IDs), regression targets in their own units, and defaults
//! that train unscaled tabular data.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;

use common::{assert_error, run_dnn, Run};
use dnn::NumpyRng;

fn dnn(dir: &Path, args: &[&str]) -> Run {
    run_dnn(dir, args, None)
}

/// The run's stdout, after checking it succeeded.
#[track_caller]
fn ok(run: &Run) -> String {
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.clone()
}

/// Two classes told apart by three features of very different scales: `a` around 1000,
/// `b` around 0.001, `c` around 1. Rows of `(a, b, c, class)`.
fn two_classes(m: usize, seed: u32) -> Vec<(f64, f64, f64, bool)> {
    let mut rng = NumpyRng::new(seed);
    (0..m)
        .map(|j| {
            let class = j % 2 == 1;
            let sign = if class { 1.0 } else { -1.0 };
            let a = 1000.0 + 40.0 * sign + 30.0 * rng.randn();
            let b = 0.001 * (sign + rng.randn());
            let c = 0.8 * sign + rng.randn();
            (a, b, c, class)
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The rows as CSV with the given column order (names among a, b, c, label) and labels.
fn csv(rows: &[(f64, f64, f64, bool)], order: &[&str], labels: [&str; 2]) -> String {
    let mut text = order.join(",") + "\n";
    for &(a, b, c, class) in rows {
        let cells: Vec<String> = order
            .iter()
            .map(|name| match *name {
                "a" => a.to_string(),
                "b" => b.to_string(),
                "c" => c.to_string(),
                _ => labels[usize::from(class)].to_string(),
            })
            .collect();
        text.push_str(&(cells.join(",") + "\n"));
    }
    text
}

/// The probabilities of a `dnn predict` output, in order.
fn probabilities(stdout: &str) -> Vec<String> {
    stdout.lines().skip(1).map(|line| line.split(',').nth(1).unwrap().to_string()).collect()
}

fn accuracy(stdout: &str, which: &str) -> f64 {
    let line = stdout.lines().find(|l| l.starts_with(which)).unwrap_or_else(|| panic!("{stdout}"));
    line.rsplit(' ').next().unwrap().trim_end_matches('%').parse().unwrap()
}

#[test]
fn a_model_takes_its_columns_by_name_as_trained() {
    let dir = common::temp_dir("user-columns");
    let rows = two_classes(200, 1);
    // The label in the first column, as with `--label-column 0` on the wine data.
    write(&dir, "train.csv", &csv(&rows, &["label", "a", "b", "c"], ["0", "1"]));
    let args = ["train", "train.csv", "--label-column", "0", "--iterations", "300", "--model", "m.safetensors", "-q"];
    ok(&dnn(&dir, &args));
    let reference = probabilities(&ok(&dnn(&dir, &["predict", "--model", "m.safetensors", "train.csv"])));
    assert_eq!(reference.len(), 200);
    // Other orders, and no label column: the same numbers.
    for (name, order) in [("shuffled.csv", &["c", "label", "b", "a"][..]), ("features.csv", &["b", "c", "a"])] {
        write(&dir, name, &csv(&rows, order, ["0", "1"]));
        let predicted = probabilities(&ok(&dnn(&dir, &["predict", "--model", "m.safetensors", name])));
        assert_eq!(predicted, reference, "{name}");
    }
    let evaluated = ok(&dnn(&dir, &["evaluate", "--model", "m.safetensors", "shuffled.csv"]));
    assert_eq!(evaluated, ok(&dnn(&dir, &["evaluate", "--model", "m.safetensors", "train.csv"])));
    // A missing feature, an extra column, a missing label: refused, named.
    write(&dir, "no-b.csv", &csv(&rows, &["label", "a", "c"], ["0", "1"]));
    assert_error(
        &dir,
        &["predict", "--model", "m.safetensors", "no-b.csv"],
        "no-b.csv: no column 'b': the model takes the features a, b, c",
    );
    let extra: String = std::fs::read_to_string(dir.join("features.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{line},{}\n", if i == 0 { "notes".to_string() } else { i.to_string() }))
        .collect();
    write(&dir, "extra.csv", &extra);
    assert_error(
        &dir,
        &["predict", "--model", "m.safetensors", "extra.csv"],
        "extra.csv: column 'notes' is not among the model's features, label or ID columns: remove it or pass \
         --ignore-columns notes",
    );
    let ignored = ok(&dnn(&dir, &["predict", "--model", "m.safetensors", "extra.csv", "--ignore-columns", "notes"]));
    assert_eq!(probabilities(&ignored), reference);
    assert_error(
        &dir,
        &["evaluate", "--model", "m.safetensors", "features.csv"],
        "features.csv: no label column 'label' (the model's)",
    );
    // Without a header: exactly the model's width, the label where it was.
    let bare: String =
        std::fs::read_to_string(dir.join("train.csv")).unwrap().lines().skip(1).map(|l| format!("{l}\n")).collect();
    write(&dir, "bare.csv", &bare);
    assert_eq!(probabilities(&ok(&dnn(&dir, &["predict", "--model", "m.safetensors", "bare.csv"]))), reference);
    let cut: String = bare.lines().map(|l| format!("{}\n", l.rsplit_once(',').unwrap().0)).collect();
    write(&dir, "cut.csv", &cut);
    assert_error(
        &dir,
        &["evaluate", "--model", "m.safetensors", "cut.csv"],
        "cut.csv: 3 columns, but the model reads 4: 3 features, the label in column 0, counted from 0",
    );
    let r = dnn(&dir, &["info", "--model", "m.safetensors"]);
    assert!(ok(&r).contains("columns:       features a, b, c; label 'label'"), "{}", r.stdout);
}

#[test]
fn predicting_on_the_training_file_with_named_labels_works() {
    let dir = common::temp_dir("user-named");
    write(&dir, "named.csv", "a,answer,b\n1,yes,2\n3,no,1\n2,yes,2\n0,no,1\n");
    let args =
        ["train", "named.csv", "--label-column", "answer", "--iterations", "200", "--model", "n.safetensors", "-q"];
    ok(&dnn(&dir, &args));
    let out = ok(&dnn(&dir, &["predict", "--model", "n.safetensors", "named.csv"]));
    let labels: Vec<&str> = out.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    assert_eq!(labels, ["yes", "no", "yes", "no"]);
}

#[test]
fn labels_must_mean_the_same_thing() {
    let dir = common::temp_dir("user-labels");
    let rows = two_classes(100, 2);
    write(&dir, "bc.csv", &csv(&rows, &["a", "b", "c", "diagnosis"], ["benign", "malignant"]));
    ok(&dnn(&dir, &["train", "bc.csv", "--iterations", "100", "--model", "bc.safetensors", "-q"]));
    write(&dir, "numbers.csv", &csv(&rows, &["a", "b", "c", "diagnosis"], ["0", "1"]));
    assert_error(
        &dir,
        &["evaluate", "--model", "bc.safetensors", "numbers.csv"],
        "numbers.csv: labels '0', '1' are not among the model's classes (benign, malignant)",
    );
    write(&dir, "healthy.csv", &csv(&rows, &["a", "b", "c", "diagnosis"], ["benign", "healthy"]));
    assert_error(
        &dir,
        &["evaluate", "--model", "bc.safetensors", "healthy.csv"],
        "healthy.csv: label 'healthy' is not one of the model's classes (benign, malignant)",
    );
    assert_error(
        &dir,
        &["train", "bc.csv", "--test", "healthy.csv"],
        "healthy.csv: label 'healthy' is not one of the model's classes (benign, malignant)",
    );
    // A test file of one class only is fine.
    let benign: Vec<_> = rows.iter().copied().filter(|r| !r.3).collect();
    write(&dir, "benign.csv", &csv(&benign, &["a", "b", "c", "diagnosis"], ["benign", "malignant"]));
    ok(&dnn(&dir, &["evaluate", "--model", "bc.safetensors", "benign.csv"]));
}

#[test]
fn any_two_label_values_are_two_classes_and_the_positive_one_is_said() {
    let dir = common::temp_dir("user-two-values");
    let rows = two_classes(100, 3);
    for (labels, positive, note) in [
        (["-1", "1"], None, "note: classes: 0 = -1, 1 = 1"),
        (["False", "True"], None, "note: classes: 0 = False, 1 = True"),
        (["no", "yes"], None, "note: classes: 0 = no, 1 = yes"),
        (["benign", "malignant"], None, "note: classes: 0 = benign, 1 = malignant"),
        (["benign", "malignant"], Some("benign"), "note: classes: 0 = malignant, 1 = benign"),
    ] {
        write(&dir, "d.csv", &csv(&rows, &["a", "b", "c", "y"], labels));
        let mut args = vec!["train", "d.csv", "--iterations", "300"];
        if let Some(positive) = positive {
            args.extend(["--positive-class", positive]);
        }
        let r = dnn(&dir, &args);
        assert!(accuracy(&ok(&r), "Train accuracy") > 90.0, "{labels:?}: {}", r.stdout);
        assert!(r.stderr.contains(&format!("{note} (the positive class; --positive-class to change)")), "{}", r.stderr);
    }
    assert_error(
        &dir,
        &["train", "d.csv", "--positive-class", "healthy"],
        "d.csv: label column 'y': --positive-class 'healthy' is not one of the classes (benign, malignant)",
    );
}

/// An 8×8 picture leaning red or blue.
fn picture(path: &Path, red: bool, seed: u32) {
    common::write_image(path, 8, red, seed);
}

#[test]
fn a_folder_named_non_cat_is_not_the_positive_class() {
    let dir = common::temp_dir("user-cat-folders");
    for (class, red) in [("cat", true), ("non-cat", false)] {
        std::fs::create_dir_all(dir.join("pictures").join(class)).unwrap();
        for i in 0..4 {
            picture(&dir.join("pictures").join(class).join(format!("{i}.png")), red, i + 10 * u32::from(red));
        }
    }
    let r = dnn(
        &dir,
        &["train", "pictures", "--layers", "", "--init", "zeros", "--iterations", "50", "--model", "c.safetensors"],
    );
    ok(&r);
    assert!(r.stderr.contains("note: classes: 0 = non-cat, 1 = cat (the positive class"), "{}", r.stderr);
    let info = dnn(&dir, &["info", "--model", "c.safetensors"]);
    assert!(ok(&info).contains("classes:       0 = non-cat, 1 = cat"), "{}", info.stdout);
    picture(&dir.join("red.png"), true, 99);
    let out = dnn(&dir, &["predict", "--model", "c.safetensors", "red.png"]);
    assert!(ok(&out).lines().nth(1).unwrap().ends_with(",cat"), "{}", out.stdout);
    // A plain folder of pictures: each predicted, named by its file.
    std::fs::create_dir_all(dir.join("new")).unwrap();
    picture(&dir.join("new").join("b.png"), false, 97);
    picture(&dir.join("new").join("a.png"), true, 98);
    let out = ok(&dnn(&dir, &["predict", "--model", "c.safetensors", "new"]));
    let rows: Vec<(&str, &str)> =
        out.lines().skip(1).map(|l| (l.split(',').next().unwrap(), l.rsplit(',').next().unwrap())).collect();
    assert_eq!(rows, [("a.png", "cat"), ("b.png", "non-cat")]);
}

#[test]
fn grey_pictures_stay_one_channel() {
    let dir = common::temp_dir("user-grey");
    for (class, level) in [("dark", 40u8), ("light", 200)] {
        std::fs::create_dir_all(dir.join("digits").join(class)).unwrap();
        for i in 0..3u8 {
            image::GrayImage::from_fn(8, 8, |x, y| image::Luma([level + (x as u8 + y as u8 + i) % 8]))
                .save(dir.join("digits").join(class).join(format!("{i}.png")))
                .unwrap();
        }
    }
    let args =
        ["train", "digits", "--layers", "", "--init", "zeros", "--iterations", "20", "--model", "g.safetensors", "-q"];
    ok(&dnn(&dir, &args));
    let meta = dnn::model_file::read_meta(dir.join("g.safetensors")).unwrap();
    assert_eq!(meta.layer_sizes[0], 64);
    let info = ok(&dnn(&dir, &["info", "--model", "g.safetensors"]));
    assert!(info.contains("images:        8×8 pixels, 1 channel(s)"), "{info}");
}

#[test]
fn regression_targets_are_standardised_and_predictions_come_back_in_their_units() {
    let dir = common::temp_dir("user-regression");
    // Targets from 25 to about 350, as scikit-learn's diabetes data: y = 150 + 60·a − 30·b².
    let mut rng = NumpyRng::new(5);
    let mut text = String::from("a,b,target\n");
    for _ in 0..300 {
        let (a, b) = (rng.randn(), rng.randn());
        text.push_str(&format!("{a},{b},{}\n", 150.0 + 60.0 * a - 30.0 * b * b));
    }
    write(&dir, "diab.csv", &text);
    let r = dnn(&dir, &["train", "diab.csv", "--output-activation", "linear", "--json", "--model", "d.safetensors"]);
    let report: serde_json::Value = serde_json::from_str(&ok(&r)).unwrap();
    let r2 = report["train_regression"]["r2"].as_f64().unwrap();
    assert!(r2 > 0.97, "{report}");
    let meta = dnn::model_file::read_meta(dir.join("d.safetensors")).unwrap();
    let target = meta.preprocessing.target.expect("the target scale is stored");
    assert!((target.mean - 120.0).abs() < 15.0 && target.std > 30.0, "{target:?}");
    write(&dir, "one.csv", "a,b\n1,0\n");
    let out = dnn(&dir, &["predict", "--model", "d.safetensors", "one.csv"]);
    let value: f64 = ok(&out).lines().nth(1).unwrap().split(',').nth(1).unwrap().parse().unwrap();
    assert!((value - 210.0).abs() < 10.0, "{}", out.stdout);
    let evaluated = dnn(&dir, &["evaluate", "--model", "d.safetensors", "diab.csv", "--json"]);
    let evaluated: serde_json::Value = serde_json::from_str(&ok(&evaluated)).unwrap();
    assert!((evaluated["r2"].as_f64().unwrap() - r2).abs() < 1e-12, "{evaluated}");
}

#[test]
fn the_defaults_train_unscaled_features() {
    let dir = common::temp_dir("user-defaults");
    write(&dir, "train.csv", &csv(&two_classes(400, 6), &["a", "b", "c", "label"], ["0", "1"]));
    write(&dir, "test.csv", &csv(&two_classes(200, 7), &["a", "b", "c", "label"], ["0", "1"]));
    let r = dnn(&dir, &["train", "train.csv", "--test", "test.csv", "--model", "m.safetensors"]);
    let out = &ok(&r);
    // Two classes 1.4 standard deviations apart in each of three features: about 94 % is
    // the best a classifier can do.
    assert!(accuracy(out, "Test accuracy") > 88.0, "{out}");
    assert!(
        r.stderr.contains(
            "note: defaults for a data file: --layers 32 --hidden-activation relu --init he --learning-rate 0.02 \
             --iterations 2000 (give a flag to change one)"
        ),
        "{}",
        r.stderr
    );
    let info = dnn(&dir, &["info", "--model", "m.safetensors"]);
    assert!(ok(&info).contains("scaling:       standardize"), "{}", info.stdout);
    // The course's main job keeps the course's defaults and scaling.
    let main = dnn(&dir, &["train", "--iterations", "1001", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&ok(&main)).unwrap();
    assert_eq!(report["layers"], serde_json::json!([2, 4, 1]));
    common::assert_abs(report["final_cost"].as_f64().unwrap(), 0.288083, 5e-7, "planar cost at 1000");
}

#[test]
fn csv_files_as_people_write_them() {
    let dir = common::temp_dir("user-dialects");
    let rows = two_classes(60, 8);
    let comma = csv(&rows, &["a", "b", "c", "label"], ["0", "1"]);
    write(&dir, "comma.csv", &comma);
    ok(&dnn(&dir, &["train", "comma.csv", "--iterations", "50", "--model", "m.safetensors", "-q"]));
    let reference = probabilities(&ok(&dnn(&dir, &["predict", "--model", "m.safetensors", "comma.csv"])));
    for (name, text, extra) in [
        ("semicolon.csv", comma.replace(',', ";"), None),
        ("tabs.tsv", comma.replace(',', "\t"), None),
        ("tabs.csv", comma.replace(',', "\t"), None),
        ("pipes.txt", comma.replace(',', "|"), Some("|")),
        ("bom.csv", format!("\u{feff}{comma}"), None),
    ] {
        write(&dir, name, &text);
        let mut args = vec!["predict", "--model", "m.safetensors", name];
        if let Some(delimiter) = extra {
            args.extend(["--delimiter", delimiter]);
        }
        assert_eq!(probabilities(&ok(&dnn(&dir, &args))), reference, "{name}");
    }
    // Standard input.
    let piped = run_dnn(&dir, &["predict", "--model", "m.safetensors", "-"], Some(comma.as_bytes()));
    assert_eq!(probabilities(&ok(&piped)), reference);
    // Line numbers are the file's own: the header is line 1, a blank line counts.
    write(&dir, "bad.csv", "a,b,c,label\n1,2,3,0\n\n4,five,6,1\n");
    assert_error(&dir, &["train", "bad.csv"], "bad.csv: line 4, column 'b' (1): 'five' is not a number");
    assert_error(
        &dir,
        &["train", "comma.csv", "--delimiter", "ab"],
        "invalid --delimiter 'ab': expected one character such as , ; | or the word tab",
    );
}

#[test]
fn missing_values_are_refused_dropped_or_filled() {
    let dir = common::temp_dir("user-missing");
    let rows = two_classes(40, 9);
    let mut text = csv(&rows, &["a", "b", "c", "label"], ["0", "1"]);
    // Line 3 lacks b (empty), line 6 has NA for c, line 9 a missing label.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let blank = |line: &mut String, field: usize, with: &str| {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        cells[field] = with.to_string();
        *line = cells.join(",");
    };
    blank(&mut lines[2], 1, "");
    blank(&mut lines[5], 2, "NA");
    blank(&mut lines[8], 3, "nan");
    text = lines.join("\n") + "\n";
    write(&dir, "holes.csv", &text);
    assert_error(
        &dir,
        &["train", "holes.csv"],
        "holes.csv: line 3, column 'b' (1): missing value: choose --missing drop (skip such examples) or --missing \
         mean (fill in the training mean)",
    );
    let r = dnn(&dir, &["train", "holes.csv", "--missing", "drop", "--iterations", "10", "--json"]);
    ok(&r);
    assert_eq!(r.stderr, "note: holes.csv: dropped 3 example(s) with a missing value (line 3, 6, 9)\n");
    let r = dnn(
        &dir,
        &["train", "holes.csv", "--missing", "mean", "--iterations", "10", "--model", "m.safetensors", "--json"],
    );
    ok(&r);
    assert_eq!(r.stderr, "note: holes.csv: dropped 1 example(s) with a missing value (line 9)\n");
    let meta = dnn::model_file::read_meta(dir.join("m.safetensors")).unwrap();
    let fill = meta.preprocessing.fill.unwrap();
    // The fill of b is the mean of b over the 38 examples that have it and a label.
    let with_b: Vec<f64> = rows.iter().enumerate().filter(|(i, _)| *i != 1 && *i != 7).map(|(_, r)| r.1).collect();
    common::assert_rel(fill[1], with_b.iter().sum::<f64>() / with_b.len() as f64, 1e-12, "mean of b");
    // Prediction fills with the model's means by default: one row out per row in.
    let out = dnn(&dir, &["predict", "--model", "m.safetensors", "holes.csv"]);
    assert_eq!(ok(&out).lines().count(), 41);
    assert_error(
        &dir,
        &["predict", "--model", "m.safetensors", "holes.csv", "--missing", "error"],
        "holes.csv: line 3, column 'b' (1): missing value: choose --missing drop (skip such examples) or --missing \
         mean (fill in the training mean)",
    );
    // Dropped examples keep their index in the output.
    let out = dnn(&dir, &["predict", "--model", "m.safetensors", "holes.csv", "--missing", "drop"]);
    let out = ok(&out);
    let names: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap()).take(5).collect();
    assert_eq!(names, ["0", "2", "3", "5", "6"]);
}

#[test]
fn an_id_column_is_carried_to_the_predictions() {
    let dir = common::temp_dir("user-ids");
    let rows = two_classes(30, 10);
    let mut text = String::from("id,a,b,c,name,label\n");
    for (i, &(a, b, c, class)) in rows.iter().enumerate() {
        text.push_str(&format!("p{i},{a},{b},{c},Person {i},{}\n", u8::from(class)));
    }
    write(&dir, "people.csv", &text);
    let args = [
        "train",
        "people.csv",
        "--id-column",
        "id",
        "--ignore-columns",
        "name",
        "--iterations",
        "20",
        "--model",
        "p.safetensors",
        "-q",
    ];
    ok(&dnn(&dir, &args));
    let meta = dnn::model_file::read_meta(dir.join("p.safetensors")).unwrap();
    assert_eq!(meta.layer_sizes[0], 3);
    // The model remembers the ID and ignored columns.
    let out = dnn(&dir, &["predict", "--model", "p.safetensors", "people.csv"]);
    let out = ok(&out);
    let ids: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').next().unwrap()).take(3).collect();
    assert_eq!(ids, ["p0", "p1", "p2"]);
}

#[test]
fn bad_data_flags_get_one_clear_line() {
    let dir = common::temp_dir("user-bad-flags");
    write(&dir, "ok.csv", "a,b,y\n1,2,0\n3,4,1\n");
    assert_error(&dir, &["train", "ok.csv", "--id-column", "zz"], "ok.csv: no ID column 'zz' (columns: a, b, y)");
    assert_error(
        &dir,
        &["train", "ok.csv", "--ignore-columns", "y"],
        "ok.csv: column 'y' (2) is the label: it cannot also be ignored or the ID column",
    );
    assert_error(
        &dir,
        &["train", "ok.csv", "--ignore-columns", "a,b"],
        "ok.csv: 3 column(s) and none of them a feature: expected at least one feature and a label",
    );
    assert_error(
        &dir,
        &["train", "builtin:moons", "--missing", "drop"],
        "--missing applies to CSV files only, and builtin:moons is a built-in data set",
    );
    assert_error(&dir, &["train", "-", "--format", "hdf5"], "standard input (-) can only be CSV, not --format hdf5");
    assert_error(&dir, &["train", "-"], "<stdin>: the file is empty: expected a header line and one line per example");
    ok(&dnn(&dir, &["train", "ok.csv", "--iterations", "2", "--model", "m.safetensors", "-q"]));
    assert_error(
        &dir,
        &["predict", "--model", "m.safetensors", "ok.csv", "--label-column", "y"],
        "--label-column is the model's: it cannot be given with --model",
    );
}
