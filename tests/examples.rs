//! The course's assignments as examples (examples/*.rs), run as built and their numbers read
//! back. Each example prints tables `quantity | course | dnn | match` and one summary line,
//! and exits 1 when a number does not match the course's; these tests check the exit status,
//! the summary and the key numbers, and that the PNGs are there.
//!
//! `cargo test` builds the examples before running the tests. With a target filter
//! (`cargo test --release --test examples`) cargo does not: build them first with
//! `cargo build --release --examples` (a test fails, saying so, when an example is older than
//! its sources). The examples that need the course's cat pictures skip, saying so, when
//! ../shared/data/catvnoncat is absent.
//! Golden values: ../shared/reference/course_results.md and README.md, quoted beside each.

#![cfg(all(feature = "io", feature = "plot"))]
// Golden values are quoted digit for digit as published, including ln 2 at iteration 0.
#![allow(clippy::excessive_precision, clippy::approx_constant)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// The built example `name`: this test runs from target/<profile>/deps, and cargo puts the
/// examples in target/<profile>/examples.
fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>");
    profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The newest modification time of the files an example is built from.
fn newest_source(name: &str) -> SystemTime {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("examples").join(format!("{name}.rs")), root.join("examples/common/mod.rs")];
    let mut folders = vec![root.join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())) {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                // The command's sources are not the examples' (cargo does not rebuild them).
                if !path.ends_with("src/bin") {
                    folders.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files.iter().filter_map(|f| f.metadata().and_then(|m| m.modified()).ok()).max().expect("sources exist")
}

/// What an example printed.
struct Run {
    stdout: String,
}

impl Run {
    /// Runs example `name` with `args`; it must exit with status 0 and report no mismatch.
    fn new(name: &str, args: &[&str]) -> Run {
        let run = Run::with_status(name, args, Some(0));
        let summary = run.stdout.lines().rev().find(|line| line.starts_with("checks: ")).expect("a summary line");
        assert!(summary.ends_with(", 0 do not match"), "{name}: {summary}\n{}", run.stdout);
        run
    }

    /// Runs example `name` with `args` and checks its exit code (`None`: any).
    fn with_status(name: &str, args: &[&str], code: Option<i32>) -> Run {
        let path = example_path(name);
        let built = path.metadata().and_then(|m| m.modified()).unwrap_or_else(|_| {
            panic!("{} is not built: run `cargo build --release --examples` first", path.display())
        });
        assert!(
            built >= newest_source(name),
            "{} is older than its sources: run `cargo build --release --examples` first",
            path.display()
        );
        let output = Command::new(&path).args(args).output().expect("the example starts");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if let Some(code) = code {
            assert_eq!(output.status.code(), Some(code), "{name} {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        Run { stdout: stdout + &stderr }
    }

    /// The table rows `[quantity, course, dnn, match]` of the section whose title starts with
    /// `title`.
    fn section(&self, title: &str) -> Vec<[String; 4]> {
        let mut rows = Vec::new();
        let mut inside = false;
        for line in self.stdout.lines() {
            if let Some(heading) = line.strip_prefix("== ") {
                inside = heading.starts_with(title);
                continue;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if inside && cells.len() == 4 && cells[0] != "quantity" && !cells[0].starts_with('-') {
                rows.push([0, 1, 2, 3].map(|i| cells[i].to_string()));
            }
        }
        assert!(!rows.is_empty(), "no section '{title}' in\n{}", self.stdout);
        rows
    }

    /// The row `quantity` of section `title`.
    fn row(&self, title: &str, quantity: &str) -> [String; 4] {
        let rows = self.section(title);
        let found = rows.iter().find(|row| row[0] == quantity);
        found.unwrap_or_else(|| panic!("no row '{quantity}' in section '{title}': {rows:?}")).clone()
    }

    /// dnn's value in row `quantity` of section `title`, checked to be reported as matching
    /// when the row is a comparison.
    fn dnn(&self, title: &str, quantity: &str) -> String {
        let [_, course, dnn, verdict] = self.row(title, quantity);
        assert!(course == "-" || verdict.starts_with("yes"), "{quantity}: {course} | {dnn} | {verdict}");
        dnn
    }

    /// dnn's value in row `quantity` of section `title`, as a number.
    fn number(&self, title: &str, quantity: &str) -> f64 {
        let text = self.dnn(title, quantity);
        text.parse().unwrap_or_else(|e| panic!("{quantity}: '{text}' is not a number ({e})"))
    }
}

/// Checks that a PNG was written with the given size.
fn assert_png(path: &Path, size: (u32, u32)) {
    let image = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!((image.width(), image.height()), size, "{}", path.display());
}

#[test]
fn deep_step_by_step_matches_the_notebook() {
    let run = Run::new("deep_step_by_step", &[]);
    // "init, seed 1, ×0.01, dims (3, 2, 1): W2 = [[0.01744812, −0.00761207]]"
    assert_eq!(run.dnn("initialize_parameters(3, 2, 1)", "W2"), "[0.01744812, -0.00761207]");
    // "init, seed 3, ×0.01, dims [5, 4, 3]: W1 row 0 = [0.01788628, 0.0043651, 0.00096497,
    //  −0.01863493, −0.00277388]"
    let row0 = run.dnn("initialize_parameters_deep", "W1 row 0");
    assert_eq!(row0, "[0.01788628, 0.00436510, 0.00096497, -0.01863493, -0.00277388]");
    // The notebook's expected outputs of linear_forward, linear_activation_forward and
    // L_model_forward.
    assert_eq!(run.dnn("linear_forward", "Z"), "[3.26295337, -1.23429987]");
    assert_eq!(run.dnn("linear_activation_forward", "A with sigmoid"), "[0.96890023, 0.11013289]");
    assert_eq!(run.dnn("linear_activation_forward", "A with ReLU"), "[3.43896131, 0]");
    assert_eq!(run.dnn("L_model_forward", "AL"), "[0.03921668, 0.70498921, 0.19734387, 0.04728177]");
    // "cost(AL = [[.8, .9, .4]], Y = [[1, 1, 0]]) = 0.2797765635793422"
    let cost = run.number("compute_cost", "cost, from Z[L] (Loss::cost)");
    common::assert_rel(cost, 0.2797765635793422, 1e-12, "cost");
    // "ReLU backward: dZ = 0 where Z ≤ 0."
    assert_eq!(run.dnn("ReLU backward", "dZ"), "[0, 0, 0, 6]");
    assert_eq!(run.dnn("linear_backward", "dbᵀ"), "[-0.14713786, -0.11313155, -0.13209101]");
    assert_eq!(run.dnn("linear_activation_backward", "ReLU: dW"), "[0.44513824, 0.37371418, -0.10478989]");
    assert_eq!(run.dnn("L_model_backward", "dW1 row 1"), "[0, 0, 0, 0]");
    assert_eq!(run.dnn("update_parameters", "W2"), "[-0.55569196, 0.03540550, 1.32964895]");
    // dnn's own backward sweep and update agree with the steps, every row.
    let sweep = run.section("dnn's backward sweep and update");
    assert_eq!(sweep.len(), 22, "{sweep:?}");
    assert!(sweep.iter().all(|row| row[3].starts_with("yes")), "{sweep:?}");
}

#[test]
fn symmetry_keeps_the_hidden_units_identical() {
    let run = Run::new("symmetry", &[]);
    let w1_rows = |title: &str| {
        (0..4).map(|i| run.dnn(title, &format!("W1 row {i} (hidden unit {})", i + 1))).collect::<Vec<_>>()
    };
    assert!(w1_rows("Zero initialisation").iter().all(|row| row == "[0, 0]"));
    let equal = w1_rows("Every weight 0.01");
    assert!(equal.iter().all(|row| *row == equal[0]), "{equal:?}");
    let random = w1_rows("Random weights");
    for (i, row) in random.iter().enumerate() {
        assert!(random[i + 1..].iter().all(|other| other != row), "{random:?}");
    }
    assert_eq!(run.number("Accuracy on the flower", "zero initialisation (%)"), 50.0);
    // The course's "90 %" for the random initialisation, truncated to an integer.
    assert_eq!(run.number("Accuracy on the flower", "random weights (%)").trunc(), 90.0);
}

#[test]
fn planar_shallow_reproduces_week_3() {
    let out = common::temp_dir("example-planar");
    let run = Run::new("planar_shallow", &["--out-dir", out.to_str().expect("a UTF-8 path")]);
    // "Logistic regression on the same data: 47 %." (the course's scikit-learn fit; ±3 points).
    let logistic = run.number("Logistic regression", "accuracy (%), course: LogisticRegressionCV");
    assert!((logistic - 47.0).abs() <= 3.0, "{logistic}");
    // "numpy f64 with the seed-2 init: … 1000: 0.28808329356901846"
    let cost = run.number("One hidden layer", "cost after iteration 1000 (numpy, in full)");
    common::assert_rel(cost, 0.28808329356901846, 1e-8, "cost after iteration 1000");
    // "Accuracy 90 %" (truncated to an integer).
    assert_eq!(run.number("One hidden layer", "accuracy (%), truncated as printed"), 90.0);
    // "Hidden-size sweep, 5000 iterations, training accuracy: n_h 1 → 67.5 %, 2 → 67.25 %,
    //  3 → 90.75 %, 4 → 90.5 %, 5 → 91.25 %, 20 → 90.0 %, 50 → 90.25 %."
    for (n_h, expected) in [(1, 67.5), (2, 67.25), (3, 90.75), (4, 90.5), (5, 91.25)] {
        assert_eq!(run.number("Hidden-layer sizes", &format!("n_h = {n_h}: accuracy (%)")), expected);
    }
    for (n_h, expected) in [(20, 90.0), (50, 90.25)] {
        let accuracy = run.number("Hidden-layer sizes", &format!("n_h = {n_h}: accuracy (%), rounding-sensitive"));
        assert!((accuracy - expected).abs() <= 1.0, "n_h = {n_h}: {accuracy}");
    }
    // The other data sets have no published numbers; the network must still fit them well.
    for (name, at_least) in
        [("noisy circles", 75.0), ("noisy moons", 90.0), ("blobs", 75.0), ("Gaussian quantiles", 90.0)]
    {
        let accuracy = run.number("The other data sets", &format!("{name}: training accuracy (%)"));
        assert!(accuracy >= at_least, "{name}: {accuracy}");
    }
    for png in ["planar_logistic_regression", "planar_hidden_4", "circles_hidden_4", "moons_hidden_4"]
        .into_iter()
        .chain(["blobs_hidden_4", "gaussian-quantiles_hidden_4"])
    {
        assert_png(&out.join(format!("{png}.png")), (900, 600));
    }
}

#[test]
fn logistic_regression_cat_reproduces_week_2() {
    if !common::cat_files_present() {
        return;
    }
    let out = common::temp_dir("example-logistic");
    let run = Run::new("logistic_regression_cat", &["--out-dir", out.to_str().expect("a UTF-8 path")]);
    // "propagate(…) → … cost = 0.15900537707692405"
    common::assert_rel(run.number("Building blocks", "propagate: cost"), 0.15900537707692405, 1e-12, "cost");
    // "Costs: 0: 0.69314718055994529 · … · 1900: 0.14087207570310162."
    let title = "The model";
    common::assert_rel(run.number(title, "cost after iteration 0"), 0.69314718055994529, 1e-8, "cost at 0");
    common::assert_rel(run.number(title, "cost after iteration 1900"), 0.14087207570310162, 1e-8, "cost at 1900");
    // "Final b = −0.015906243999692933. Train accuracy 99.04306220095694 %, test 70.0 %."
    common::assert_rel(run.number(title, "final b"), -0.015906243999692933, 1e-8, "final b");
    assert_eq!(run.number(title, "train accuracy (%)"), 100.0 * 207.0 / 209.0);
    assert_eq!(run.number(title, "test accuracy (%)"), 70.0);
    // "Learning-rate comparison, 1500 iterations: 0.01 → 99.52 / 68.0 %; 0.001 → 88.995 /
    //  64.0 %; 0.0001 → 68.42 / 36.0 %"
    for (rate, train, test) in [("0.01", 208.0, 68.0), ("0.001", 186.0, 64.0), ("0.0001", 143.0, 36.0)] {
        let title = "Learning rates";
        assert_eq!(run.number(title, &format!("α = {rate}: train accuracy (%)")), 100.0 * train / 209.0);
        assert_eq!(run.number(title, &format!("α = {rate}: test accuracy (%)")), test);
    }
    assert_png(&out.join("logistic_regression_cost.png"), (900, 600));
    assert_png(&out.join("logistic_regression_learning_rates.png"), (900, 600));
}

#[test]
fn deep_cat_application_reproduces_week_4() {
    if !common::cat_files_present() {
        return;
    }
    let out = common::temp_dir("example-deep-cat");
    let my_cat = out.join("my_cat.jpg");
    common::write_my_cat(&my_cat);

    let args = ["--out-dir", out.to_str().expect("a UTF-8 path"), my_cat.to_str().expect("a UTF-8 path")];
    let run = Run::new("deep_cat_application", &args);
    // "2-layer [12288, 7, 1] … 2499: 0.0442149821586896. Train accuracy 1.0, test 0.72."
    let title = "2-layer model";
    common::assert_rel(run.number(title, "cost after iteration 2499"), 0.0442149821586896, 1e-8, "2-layer cost");
    assert_eq!(run.number(title, "train accuracy"), 1.0);
    assert_eq!(run.number(title, "test accuracy"), 0.72);
    // "4-layer [12288, 20, 7, 5, 1] … 900: 0.39174697434805344 … 2499: 0.08843994344170202.
    //  Train accuracy 0.9856459330143541, test 0.8."
    let title = "4-layer model";
    common::assert_rel(run.number(title, "cost after iteration 900"), 0.39174697434805344, 1e-8, "4-layer cost");
    common::assert_rel(run.number(title, "cost after iteration 2499"), 0.08843994344170202, 1e-8, "4-layer cost");
    assert_eq!(run.number(title, "train accuracy"), 0.9856459330143541);
    assert_eq!(run.number(title, "test accuracy"), 0.8);
    // Test accuracy 0.8: 10 of the 50 pictures wrong, 5 to a row of the grid, each 64×64
    // enlarged twice with a 4-pixel frame, 10 pixels apart: 5·146 + 10 by 2·146 + 10.
    assert_eq!(run.number("Test pictures the 4-layer model gets wrong", "pictures wrong"), 10.0);
    assert_png(&out.join("cat_mislabelled.png"), (740, 302));
    assert_png(&out.join("cat_2_layer_cost.png"), (900, 600));
    assert_png(&out.join("cat_4_layer_cost.png"), (900, 600));
    // README.md: `dnn predict --model cat.safetensors my_cat.jpg` → 0.9990101916219589,cat.
    let quantity = format!("{}: probability of cat", my_cat.display());
    common::assert_abs(run.number("Your own image", &quantity), 0.9990101916219589, 1e-9, "probability");
    assert_eq!(run.dnn("Your own image", &format!("{}: class", my_cat.display())), "cat");
}

#[test]
fn examples_refuse_bad_arguments_with_exit_code_2() {
    let run = Run::with_status("symmetry", &["--learning-rate", "2"], Some(2));
    assert!(run.stdout.starts_with("error: unknown option --learning-rate\nusage: symmetry"), "{}", run.stdout);
    let run = Run::with_status("planar_shallow", &["extra"], Some(2));
    assert!(run.stdout.starts_with("error: unexpected argument extra"), "{}", run.stdout);
    if common::cat_files_present() {
        let missing = common::temp_dir("example-missing").join("no_such_picture.png");
        let run = Run::with_status("deep_cat_application", &[missing.to_str().expect("a UTF-8 path")], Some(2));
        let expected = format!("error: {}: no such file or folder", missing.display());
        assert!(run.stdout.starts_with(&expected), "{}", run.stdout);
    }
}

/// Golden values of the second course: ../shared/reference/course2/RESULTS.md, section named
/// beside each.
#[test]
fn initialization_reproduces_course_2_week_1() {
    let out = common::temp_dir("example-initialization");
    let run = Run::new("initialization", &["--out-dir", out.to_str().expect("a UTF-8 path")]);
    // §5.1: "He([2,4,1]) W2 = [-0.030984124422056857, -0.33744410537169206, -0.9290426766647434,
    //  0.6255224840406426]".
    let w2 = run.dnn("The initialisers", "He, layers [2, 4, 1]: W2");
    assert_eq!(w2, "[-0.03098412, -0.33744411, -0.92904268, 0.62552248]");
    // "Zeros — every printed cost is ln 2 up to 1 ulp … Accuracy 0.5 / 0.5".
    let title = "Zero initialisation";
    assert_eq!(run.number(title, "train accuracy"), 0.5);
    assert_eq!(run.number(title, "test accuracy"), 0.5);
    run.dnn(title, "every cost (15000 iterations)");
    // "Random ×10 — chaotic … Accuracy 0.83 / 0.86 … (use that, and "cost[0] = inf", as the
    //  test)".
    let title = "Random initialisation";
    assert_eq!(run.number(title, "train accuracy"), 0.83);
    assert_eq!(run.number(title, "test accuracy"), 0.86);
    assert_eq!(run.dnn(title, "cost after iteration 0, from A[L] with nansum"), "inf");
    let stable = run.number(title, "cost after iteration 0, dnn's (from Z[L], finite)");
    assert!(stable.is_finite() && stable > 1.0, "{stable}");
    // "He … 0: 0.8830537463419761 … 14000: 0.07357895962677366; accuracy train
    //  0.9933333333333333, test 0.96".
    let title = "He initialisation";
    common::assert_rel(run.number(title, "cost after iteration 0"), 0.8830537463419761, 1e-8, "He cost at 0");
    common::assert_rel(run.number(title, "cost after iteration 14000"), 0.07357895962677366, 1e-8, "He cost at 14000");
    assert_eq!(run.number(title, "train accuracy"), 0.9933333333333333);
    assert_eq!(run.number(title, "test accuracy"), 0.96);
    for png in ["init_zeros", "init_random", "init_he", "init_costs"] {
        assert_png(&out.join(format!("{png}.png")), (900, 600));
    }
}

/// The course's football data, or `None` (the test then returns) when it is absent.
fn football_files() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/football");
    let (train, test) = (dir.join("train.csv"), dir.join("test.csv"));
    if train.exists() && test.exists() {
        Some((train, test))
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn regularization_reproduces_course_2_week_1() {
    if football_files().is_none() {
        return;
    }
    let out = common::temp_dir("example-regularization");
    let run = Run::new("regularization", &["--out-dir", out.to_str().expect("a UTF-8 path")]);
    // §5.2 unit values: "L2 cost on the notebook's test case … = 1.7864859451590758"; dropout
    // forward "A3 = [0.36974720617815354, 0.003051758134649767, …]".
    common::assert_rel(run.number("Unit checks", "cost with L2 (λ = 0.1)"), 1.7864859451590758, 1e-15, "L2 cost");
    let a3 = run.dnn("Unit checks", "A3 with dropout (keep_prob 0.7)");
    assert_eq!(a3, "[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]");
    // "No regularization — accuracy 0.9478672985781991 / 0.915"; "L2 — … 0.9383886255924171 /
    //  0.93"; "Dropout — … 0.9289099526066351 / 0.95"; the costs at 10000.
    for (title, cost_10000, train, test) in [
        ("Without regularisation", 0.16329987525724204, 0.9478672985781991, 0.915),
        ("L2 regularisation", 0.2684918873282238, 0.9383886255924171, 0.93),
        ("Dropout", 0.0610169865749056, 0.9289099526066351, 0.95),
    ] {
        common::assert_rel(run.number(title, "cost after iteration 10000"), cost_10000, 1e-8, title);
        assert_eq!(run.number(title, "train accuracy"), train, "{title}");
        assert_eq!(run.number(title, "test accuracy"), test, "{title}");
    }
    for png in ["football_none", "football_l2", "football_dropout"] {
        assert_png(&out.join(format!("{png}.png")), (900, 600));
    }
}

#[test]
fn regularization_skips_the_training_runs_without_the_data() {
    let missing = common::temp_dir("example-regularization-missing").join("train.csv");
    let missing = missing.to_str().expect("a UTF-8 path");
    let run = Run::with_status("regularization", &[missing, missing], Some(0));
    assert!(run.stdout.contains(&format!("skipped the training runs: {missing} does not exist")), "{}", run.stdout);
    assert!(run.stdout.contains("checks: 2 match, 0 do not match"), "{}", run.stdout);
}

#[test]
fn gradient_checking_reproduces_course_2_week_1() {
    let run = Run::new("gradient_checking", &[]);
    // §5.3: "gradapprox = 2.0000000011677344 … difference = 2.919335883291695e-10".
    assert_eq!(run.number("1-D", "gradapprox"), 2.0000000011677344);
    assert_eq!(run.number("1-D", "difference"), 2.919335883291695e-10);
    // "planted-bug backward (dW2 ×2, db1 ×4): 0.2850931567761623 … test at ~1e-6 relative".
    let buggy = run.number("N-D", "difference, backward with dW2 ×2 and db1 ×4");
    common::assert_rel(buggy, 0.2850931567761623, 1e-6, "planted bugs");
    // "fixed backward: … Test only "< 2e-7"".
    assert!(run.number("N-D", "difference, dnn's backward") < 2e-7);
    assert!(run.number("N-D", "difference with the course's cost (from A[L])") < 2e-7);
}

#[test]
fn optimization_methods_reproduce_course_2_week_2() {
    let out = common::temp_dir("example-optimization");
    let run = Run::new("optimization_methods", &["--out-dir", out.to_str().expect("a UTF-8 path")]);
    // §5.4: published "%f" costs at epoch 1000, accuracies after 5000 and 10000 epochs.
    for (title, cost_1000, after_5000, after_10000) in [
        ("Mini-batch gradient descent", "0.668101", 0.7166666666666667, 0.7966666666666666),
        ("Momentum, β = 0.9", "0.668167", 0.7166666666666667, 0.7966666666666666),
        ("Adam, β1", "0.167845", 0.9433333333333334, 0.94),
    ] {
        let cost = run.number(title, "cost after epoch 1000");
        assert_eq!(format!("{cost:.6}"), cost_1000, "{title}");
        assert_eq!(run.number(title, "accuracy after 5000 epochs"), after_5000, "{title}");
        assert_eq!(run.number(title, "accuracy after 10000 epochs"), after_10000, "{title}");
    }
    // "Adam … 9000: 0.12911837498636797".
    let cost = run.number("Adam, β1", "cost after epoch 9000 (in full)");
    common::assert_rel(cost, 0.12911837498636797, 1e-8, "Adam at 9000");
    // The decay runs: costs at 1000 in full and accuracies after 5000 epochs.
    for (title, cost_1000, accuracy) in [
        ("Gradient descent, α₀ = 0.1, update_lr", 0.6618837411315917, 0.6533333333333333),
        ("Gradient descent, α₀ = 0.1, schedule_lr_decay", 0.12716128325384327, 0.9433333333333334),
        ("Momentum, α₀ = 0.1, schedule_lr_decay", 0.12897377524516154, 0.9533333333333334),
        ("Adam, α₀ = 0.01, schedule_lr_decay", 0.13007371296127115, 0.94),
    ] {
        common::assert_rel(run.number(title, "cost after epoch 1000 (in full)"), cost_1000, 1e-8, title);
        assert_eq!(run.number(title, "accuracy after 5000 epochs"), accuracy, "{title}");
    }
    // "Printed "learning rate after epoch i" = 0.100000, 0.000100, … (update_lr)".
    assert_eq!(format!("{:.6}", run.number("Learning-rate decay", "update_lr after epoch 1000")), "0.000100");
    let pngs = ["moons_gd", "moons_momentum", "moons_adam", "moons_costs", "moons_gd_update_lr", "moons_gd_schedule"];
    for png in pngs.into_iter().chain(["moons_momentum_schedule", "moons_adam_schedule", "moons_decay_costs"]) {
        assert_png(&out.join(format!("{png}.png")), (900, 600));
    }
}
