//! k classes through the command: labels in every format, the softmax chosen for more than two
//! classes, the model's class names, evaluate's report, predict's probability columns, the
//! plots, search's macro-F1, and the refusals of bad input.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;

use common::{assert_error, run_dnn, temp_dir, Run};

/// `dnn args` in `dir`, which must succeed.
#[track_caller]
fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = run_dnn(dir, args, None);
    assert_eq!(run.code, 0, "dnn {}: {}", args.join(" "), run.stderr);
    run
}

/// Three well-separated clusters of `per_class` points in 2-D, labelled by `names`.
fn clusters_csv(names: [&str; 3], per_class: usize) -> String {
    let mut rng = dnn::NumpyRng::new(5);
    let centres = [(0.0, 3.0), (3.0, -2.0), (-3.0, -2.0)];
    let mut text = String::from("x1,x2,kind\n");
    for i in 0..per_class {
        for (c, name) in names.iter().enumerate() {
            let (x, y) = (centres[c].0 + 0.5 * rng.randn(), centres[c].1 + 0.5 * rng.randn());
            text.push_str(&format!("{x},{y},{name}\n"));
            let _ = i;
        }
    }
    text
}

/// The value of column `name` in every row of a CSV text.
fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let index = header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    lines.map(|line| line.split(',').nth(index).expect("a full row").to_string()).collect()
}

#[test]
fn named_classes_train_a_softmax_whose_model_keeps_them() {
    let dir = temp_dir("classes-names");
    std::fs::write(dir.join("flowers.csv"), clusters_csv(["virginica", "setosa", "versicolor"], 20)).unwrap();
    let run = ok(&dir, &["train", "flowers.csv", "--iterations", "300", "--model", "m.st"]);
    assert!(
        run.stderr.contains("note: 3 classes: 0 = setosa, 1 = versicolor, 2 = virginica (a softmax output)\n"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("Cost after iteration 0: "), "{}", run.stdout);
    assert!(run.stdout.contains("Train accuracy: 100%\n"), "{}", run.stdout);
    let info = ok(&dir, &["info", "--model", "m.st"]).stdout;
    assert!(info.contains("layers:        2 inputs → 32 relu → 3 softmax\n"), "{info}");
    assert!(info.contains("loss:          categorical-cross-entropy\n"), "{info}");
    assert!(info.contains("classes:       3 (0 = setosa, 1 = versicolor, 2 = virginica)\n"), "{info}");

    // Predict: the label, then one probability per class, summing to 1.
    let csv = ok(&dir, &["predict", "--model", "m.st", "flowers.csv"]).stdout;
    assert!(csv.starts_with("input,label,p_setosa,p_versicolor,p_virginica\n"), "{csv}");
    assert_eq!(&column(&csv, "label")[..3], ["virginica", "setosa", "versicolor"]);
    for line in csv.lines().skip(1) {
        let sum: f64 = line.split(',').skip(2).map(|p| p.parse::<f64>().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{line}");
    }
    // --top 2: the two most likely, most likely first.
    let top = ok(&dir, &["predict", "--model", "m.st", "flowers.csv", "--top", "2"]).stdout;
    assert!(top.starts_with("input,label,class_1,p_1,class_2,p_2\n"), "{top}");
    assert_eq!(column(&top, "class_1"), column(&csv, "label"));
    for (line, full) in top.lines().zip(csv.lines()).skip(1) {
        let p1: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
        let p2: f64 = line.split(',').nth(5).unwrap().parse().unwrap();
        let most: f64 = full.split(',').skip(2).map(|p| p.parse::<f64>().unwrap()).fold(0.0, f64::max);
        assert!(p1 == most && p2 <= p1, "{line} / {full}");
    }
    assert_error(
        &dir,
        &["predict", "--model", "m.st", "flowers.csv", "--top", "4"],
        "invalid --top 4: expected 1 to 3, the model's classes",
    );
}

#[test]
fn evaluate_reports_every_class_and_agrees_with_predict() {
    let dir = temp_dir("classes-evaluate");
    // Integer labels 0…2: the classes keep their values.
    std::fs::write(dir.join("train.csv"), clusters_csv(["2", "0", "1"], 20)).unwrap();
    ok(&dir, &["train", "train.csv", "--iterations", "40", "--learning-rate", "0.05", "--model", "m.st", "--quiet"]);
    let json = ok(&dir, &["evaluate", "--model", "m.st", "train.csv", "--json", "--plot", "confusion.png"]).stdout;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["classes"], serde_json::json!(["0", "1", "2"]));
    assert_eq!(report["examples"], 60);
    let counts: Vec<Vec<u64>> = serde_json::from_value(report["confusion_matrix"].clone()).unwrap();
    assert_eq!(counts.iter().map(|row| row.iter().sum::<u64>()).collect::<Vec<_>>(), [20, 20, 20]);
    // Against predict's probabilities: the same classes, accuracy and log loss.
    let csv = ok(&dir, &["predict", "--model", "m.st", "train.csv"]).stdout;
    let truth: Vec<usize> = std::fs::read_to_string(dir.join("train.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    let labels: Vec<usize> = column(&csv, "label").iter().map(|l| l.parse().unwrap()).collect();
    let mut from_predict = vec![vec![0u64; 3]; 3];
    let mut log_loss = 0.0;
    for (j, (&y, &p)) in truth.iter().zip(&labels).enumerate() {
        from_predict[y][p] += 1;
        let probability: f64 = column(&csv, &format!("p_{y}"))[j].parse().unwrap();
        log_loss -= probability.ln() / 60.0;
    }
    assert_eq!(counts, from_predict);
    let right = (0..3).map(|c| from_predict[c][c]).sum::<u64>() as f64 / 60.0;
    assert_eq!(report["accuracy"].as_f64().unwrap(), right);
    common::assert_rel(report["log_loss"].as_f64().unwrap(), log_loss, 1e-12, "log loss");
    // Macro average: the mean of the classes' F1.
    let f1: Vec<f64> = (0..3).map(|c| report["per_class"][c]["f1"].as_f64().unwrap()).collect();
    common::assert_rel(
        report["macro_average"]["f1"].as_f64().unwrap(),
        f1.iter().sum::<f64>() / 3.0,
        1e-15,
        "macro F1",
    );
    let png = std::fs::read(dir.join("confusion.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    // The text report: its table's header and one row per class.
    let text = ok(&dir, &["evaluate", "--model", "m.st", "train.csv"]).stdout;
    assert!(text.contains("\n              precision     recall         F1  support\n"), "{text}");
    for name in ["0", "1", "2", "macro avg", "weighted avg"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(name)), "{name}: {text}");
    }
    assert!(text.contains("confusion matrix (rows: actual, columns: predicted):\n"), "{text}");
}

#[test]
fn a_binary_model_draws_its_confusion_matrix_too() {
    let dir = temp_dir("classes-binary-plot");
    ok(&dir, &["train", "builtin:moons", "--iterations", "50", "--model", "m.st", "--quiet"]);
    let text = ok(&dir, &["evaluate", "--model", "m.st", "builtin:moons", "--plot", "cm.png"]).stdout;
    assert!(text.starts_with("examples:  200\naccuracy:  "), "{text}");
    assert_eq!(&std::fs::read(dir.join("cm.png")).unwrap()[1..4], b"PNG");
}

/// An RGB picture of one colour with seeded noise: red, green or blue by `class`.
fn write_colour(path: &Path, class: usize, seed: u32) {
    let mut rng = dnn::NumpyRng::new(seed);
    let picture = image::RgbImage::from_fn(8, 8, |_, _| {
        let mut pixel = [(rng.uniform() * 50.0) as u8; 3];
        pixel[class] = 180 + (rng.uniform() * 60.0) as u8;
        image::Rgb(pixel)
    });
    picture.save(path).unwrap();
}

#[test]
fn a_folder_of_three_class_folders_trains_and_predicts_a_picture() {
    let dir = temp_dir("classes-pictures");
    for (class, name) in ["red", "green", "blue"].iter().enumerate() {
        std::fs::create_dir_all(dir.join("pictures").join(name)).unwrap();
        for i in 0..6 {
            write_colour(&dir.join("pictures").join(name).join(format!("{i}.png")), class, 10 * class as u32 + i);
        }
    }
    write_colour(&dir.join("new.png"), 1, 99);
    let run = ok(&dir, &["train", "pictures", "--iterations", "200", "--model", "m.st"]);
    assert!(
        run.stderr.contains("note: 3 classes: 0 = blue, 1 = green, 2 = red (a softmax output)\n"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Train accuracy: 100%\n"), "{}", run.stdout);
    let csv = ok(&dir, &["predict", "--model", "m.st", "new.png"]).stdout;
    assert!(csv.starts_with("input,label,p_blue,p_green,p_red\nnew.png,green,"), "{csv}");
}

#[test]
fn numpy_files_and_generated_sets_of_k_classes() {
    use ndarray_npy::WriteNpyExt;
    let dir = temp_dir("classes-numpy");
    let x = ndarray::Array2::from_shape_fn((12, 2), |(i, j)| (i % 4) as f64 * 3.0 + j as f64 * 0.1 + i as f64 * 0.01);
    let y = ndarray::Array1::from_shape_fn(12, |i| (i % 4) as i64);
    x.write_npy(std::fs::File::create(dir.join("data_x.npy")).unwrap()).unwrap();
    y.write_npy(std::fs::File::create(dir.join("data_y.npy")).unwrap()).unwrap();
    ok(&dir, &["train", "data_x.npy", "--iterations", "5", "--model", "m.st", "--quiet"]);
    assert!(ok(&dir, &["info", "--model", "m.st"]).stdout.contains("classes:       4 (0 = 0, 1 = 1, 2 = 2, 3 = 3)\n"));

    let run = ok(&dir, &["train", "builtin:blobs", "--classes", "4", "--iterations", "100", "--boundary", "b.png"]);
    assert!(run.stderr.contains("note: 4 classes: 0 to 3 (a softmax output)\n"), "{}", run.stderr);
    assert_eq!(&std::fs::read(dir.join("b.png")).unwrap()[1..4], b"PNG");
    let run = ok(
        &dir,
        &[
            "train",
            "builtin:spiral",
            "--layers",
            "50",
            "--hidden-activation",
            "relu",
            "--init",
            "he",
            "--learning-rate",
            "1",
            "--iterations",
            "3000",
            "--json",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["layers"], serde_json::json!([2, 50, 3]));
    assert!(report["train_accuracy"].as_f64().unwrap() > 0.95, "{}", run.stdout);
    // Two classes stay a sigmoid output, with today's numbers.
    let run = ok(&dir, &["train", "builtin:blobs", "--iterations", "1", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["layers"], serde_json::json!([2, 4, 1]));
}

#[test]
fn the_course_signs_file_trains_from_the_command_line() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/signs/test_signs.h5");
    if !path.exists() {
        println!("skipped: the course's SIGNS data is not at {}", path.display());
        return;
    }
    let dir = temp_dir("classes-signs");
    let path = path.to_str().unwrap();
    let run = ok(&dir, &["train", path, "--layers", "4", "--iterations", "2", "--model", "m.st"]);
    assert!(run.stderr.contains("note: 6 classes: 0 to 5 (a softmax output)\n"), "{}", run.stderr);
    let info = ok(&dir, &["info", "--model", "m.st"]).stdout;
    assert!(info.contains("layers:        12288 inputs → 4 relu → 6 softmax\n"), "{info}");
}

#[test]
fn search_scores_k_classes_by_macro_f1() {
    let dir = temp_dir("classes-search");
    let run = ok(
        &dir,
        &[
            "search",
            "builtin:spiral",
            "--layers",
            "10;50",
            "--hidden-activation",
            "relu",
            "--init",
            "he",
            "--learning-rate",
            "1",
            "--iterations",
            "1000",
            "--metric",
            "macro-f1",
            "--quiet",
        ],
    );
    assert!(run.stdout.contains("Scored by macro-f1 on hold-out 0.2 seed 0\n"), "{}", run.stdout);
    assert!(run.stdout.contains("rank  macro-f1  layers"), "{}", run.stdout);
    assert_error(
        &dir,
        &["search", "builtin:spiral", "--metric", "f1"],
        "--metric f1 scores class 1 of two, and builtin:spiral has 3 classes: use macro-f1",
    );
}

#[test]
fn bad_labels_and_mismatched_data_get_one_clear_line() {
    let dir = temp_dir("classes-errors");
    std::fs::write(dir.join("one.csv"), "a,b,kind\n1,2,cat\n3,4,cat\n").unwrap();
    assert_error(
        &dir,
        &["train", "one.csv"],
        "one.csv: label column 'kind': every label is 'cat': a classification needs examples of two classes",
    );
    let many: String =
        std::iter::once("a,price\n".to_string()).chain((0..1200).map(|i| format!("{i},{}.5\n", i * 7))).collect();
    std::fs::write(dir.join("prices.csv"), many).unwrap();
    assert_error(
        &dir,
        &["train", "prices.csv"],
        "prices.csv: label column 'price': 1200 distinct labels (0.5, 7.5, 14.5, …): too many for a classification \
         (at most 1000 classes); this looks like a real-valued target: use --output-activation linear",
    );
    std::fs::write(dir.join("flowers.csv"), clusters_csv(["virginica", "setosa", "versicolor"], 5)).unwrap();
    std::fs::write(dir.join("other.csv"), "x1,x2,kind\n0,1,setosa\n1,0,rose\n2,2,tulip\n").unwrap();
    assert_error(
        &dir,
        &["train", "flowers.csv", "--iterations", "1", "--test", "other.csv", "--quiet"],
        "other.csv: labels 'rose', 'tulip' are not among the model's classes (setosa, versicolor, virginica)",
    );
    ok(&dir, &["train", "flowers.csv", "--iterations", "1", "--model", "m.st", "--quiet"]);
    std::fs::write(dir.join("wide.csv"), "x1,x2,x3,kind\n0,1,2,setosa\n").unwrap();
    std::fs::write(dir.join("bare.csv"), "0,1,2,setosa\n").unwrap();
    assert_error(
        &dir,
        &["evaluate", "--model", "m.st", "other.csv"],
        "other.csv: labels 'rose', 'tulip' are not among the model's classes (setosa, versicolor, virginica)",
    );
    assert_error(
        &dir,
        &["predict", "--model", "m.st", "bare.csv"],
        "bare.csv: 4 columns, but the model reads 3 (or 2 without the label): 2 features, the label in column 2, \
         counted from 0",
    );
    assert_error(
        &dir,
        &["gradcheck", "--output-activation", "softmax"],
        "invalid output softmax over 1 output: softmax needs at least two outputs, one per class; use sigmoid for a single output",
    );
    assert_error(
        &dir,
        &["train", "flowers.csv", "--positive-class", "setosa"],
        "flowers.csv: label column 'kind': --positive-class applies to two classes, and the labels have 3 (setosa, versicolor, virginica)",
    );
    assert_error(
        &dir,
        &["train", "builtin:blobs", "--classes", "1"],
        "--classes: invalid number of classes 1: at least 2",
    );
    assert_error(
        &dir,
        &["train", "flowers.csv", "--classes", "3"],
        "--classes 3 applies to builtin:blobs and builtin:spiral, and flowers.csv is a data file",
    );
}
