//! `dnn train`: load, preprocess, initialise, train with progress, report, save.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use dnn::data::{Dataset, LabelNeed, Preprocessing, TargetScale, Task};
use dnn::metrics::{self, RegressionMetrics};
use dnn::model_file::{self, ModelInfo};
use dnn::plot::{self, Curve};
use dnn::{
    fit_validated, Activation, Architecture, Float, History, Init, Loss, Network, NumpyRng, OptimizerKind, TrainConfig,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::{DTypeArg, TargetScaleArg, TrainArgs};
use crate::data::{
    apply_to_training, load, load_for, parse_activation, parse_layers, preprocessing_for, targets, task_for_output,
    Classes, Reader,
};
use crate::optimization::{self, Regimen};
use crate::outcome;

/// Everything checked before any work starts.
struct Plan {
    arch: Architecture,
    init: Init,
    config: dnn::ValidTrainConfig,
    task: Task,
    print_every: usize,
    seed: u32,
    /// Whether training counts epochs of mini-batches (rather than full-batch iterations).
    batches: bool,
}

/// The hyperparameters a run uses: the flags given, and for the others the defaults for its
/// data.
struct Hyper {
    layers: String,
    hidden_activation: String,
    init: String,
    seed: u32,
    learning_rate: f64,
    iterations: usize,
}

/// The hyperparameters a run takes when their flags are not given.
struct Defaults {
    layers: &'static str,
    hidden_activation: &'static str,
    init: &'static str,
    seed: u32,
    learning_rate: f64,
    iterations: usize,
}

/// For the built-in sets: the course's planar network (one hidden layer of 4 tanh units,
/// weights randn·0.01 after np.random.seed(2), α = 1.2, 10000 iterations).
const COURSE_DEFAULTS: Defaults = Defaults {
    layers: "4",
    hidden_activation: "tanh",
    init: "scaled:0.01",
    seed: 2,
    learning_rate: 1.2,
    iterations: 10_000,
};

/// For a user's data file (standardised features, or pixels ÷255): one hidden layer of 32
/// ReLU units with He initialisation, α = 0.02, 2000 iterations. README.md's data section has
/// what they reach on real data sets, measured by bench/defaults.py.
const FILE_DEFAULTS: Defaults =
    Defaults { layers: "32", hidden_activation: "relu", init: "he", seed: 1, learning_rate: 0.02, iterations: 2000 };

impl Hyper {
    /// The flags given, the others from the defaults for the data; and, for a data file, the
    /// defaults that were used (`--flag value`, one each).
    fn resolve(args: &TrainArgs) -> (Hyper, Vec<String>) {
        let builtin = args.data.starts_with("builtin:");
        let d = if builtin { COURSE_DEFAULTS } else { FILE_DEFAULTS };
        let adaptive = matches!(args.optimization.optimizer.parse(), Ok(OptimizerKind::Adam | OptimizerKind::RmsProp));
        let learning_rate = if adaptive { optimization::ADAPTIVE_LEARNING_RATE } else { d.learning_rate };
        let mut used = Vec::new();
        let layers = or_default(args.layers.clone(), d.layers.to_string(), "--layers", &mut used);
        // Without a hidden layer the activation is not used, and not worth a mention.
        let mut unused = Vec::new();
        let mentioned = if layers.trim().is_empty() { &mut unused } else { &mut used };
        let hidden_activation = or_default(
            args.hidden_activation.clone(),
            d.hidden_activation.to_string(),
            "--hidden-activation",
            mentioned,
        );
        let hyper = Hyper {
            layers,
            hidden_activation,
            init: or_default(args.init.clone(), d.init.to_string(), "--init", &mut used),
            seed: args.seed.unwrap_or(d.seed),
            learning_rate: or_default(args.learning_rate, learning_rate, "--learning-rate", &mut used),
            iterations: match args.optimization.epochs {
                Some(epochs) => epochs,
                None if Regimen::uses_batches(&args.optimization) && args.iterations.is_none() => {
                    or_default(None, optimization::DEFAULT_EPOCHS, "--epochs", &mut used)
                }
                None => or_default(args.iterations, d.iterations, "--iterations", &mut used),
            },
        };
        if builtin {
            used.clear();
        }
        (hyper, used)
    }
}

/// The value given, or else `default`, noting `--flag default` in `used`.
fn or_default<V: std::fmt::Display>(given: Option<V>, default: V, flag: &str, used: &mut Vec<String>) -> V {
    given.unwrap_or_else(|| {
        used.push(format!("{flag} {default}"));
        default
    })
}

pub fn run(args: TrainArgs) -> Result<()> {
    let (hyper, defaults_used) = Hyper::resolve(&args);
    let hidden = parse_activation("--hidden-activation", &hyper.hidden_activation)?;
    let output = args.output_activation.as_deref().map(|text| parse_activation("--output-activation", text));
    let output = output.transpose()?;
    let task = task_for_output(output.unwrap_or(Activation::Sigmoid))?;
    let hidden_sizes = parse_layers(&hyper.layers)?;
    let init: Init = hyper.init.parse().context("--init")?;
    let base = TrainConfig::new(hyper.learning_rate, hyper.iterations)
        .with_threads(args.threads.unwrap_or(0))
        .with_gram(args.gram.into());
    let regimen = Regimen::check(&args.optimization, args.iterations.is_some(), hyper.seed)?;
    base.check()?;
    if args.threads == Some(0) {
        bail!("invalid --threads 0: expected at least 1");
    }
    let print_every = match args.print_every {
        Some(0) => bail!("invalid --print-every 0: expected at least 1"),
        Some(n) => n,
        None if hyper.iterations >= 10_000 => 1000,
        None => 100,
    };

    let count = if output == Some(Activation::Sigmoid) { Classes::Two } else { Classes::Any };
    let mut train = load(&args.data, &args.data_args, task, count)?;
    // More than two classes: a softmax output of one unit per class.
    let k = train.class_names.as_ref().map_or(2, Vec::len);
    let output =
        output.unwrap_or(if task == Task::Classification && k > 2 { Activation::Softmax } else { Activation::Sigmoid });
    let n_out = if output == Activation::Softmax { k } else { 1 };
    if args.boundary.is_some() && train.n_x() != 2 {
        bail!("--boundary needs 2-D data, and {} has {} features per example", args.data, train.n_x());
    }
    let classify = task == Task::Classification;
    let mut validation = match args.optimization.validation {
        Some(fraction) => Some(optimization::hold_out(&mut train, fraction, classify, hyper.seed, &args.data)?),
        None => None,
    };
    let mut preprocessing = preprocessing_for(&train, args.scale);
    let n_x = train.n_x();
    let classes = train.class_names.clone();
    let reader = Reader { preprocessing: &preprocessing, classes: classes.as_deref(), task, n_x };
    let test =
        args.test.as_deref().map(|spec| load_for(spec, &args.data_args, &reader, LabelNeed::Required)).transpose()?;
    apply_to_training(&preprocessing, &mut train);
    if let Some(validation) = validation.as_mut() {
        apply_to_training(&preprocessing, validation);
    }
    if task == Task::Regression && args.target_scale == TargetScaleArg::Standardize {
        let target = TargetScale::fit(&train.y);
        target.apply_in_place(&mut train.y);
        if let Some(validation) = validation.as_mut() {
            target.apply_in_place(&mut validation.y);
        }
        preprocessing.target = Some(target);
    }

    let sizes: Vec<usize> = std::iter::once(n_x).chain(hidden_sizes).chain(std::iter::once(n_out)).collect();
    let arch = Architecture::new(&sizes, hidden, output)?;
    if init == Init::Zeros && arch.hidden_layers() > 0 && !args.allow_symmetry {
        Err(dnn::Error::SymmetricInit { hidden_layers: arch.hidden_layers() })
            .context("--init zeros (pass --allow-symmetry to train anyway)")?;
    }
    let human = !args.json && !args.quiet;
    let config = regimen
        .config(&args.optimization, base, arch.hidden_layers(), train.m(), human)?
        .check()
        .context("--gram on")?;
    if human && !defaults_used.is_empty() {
        eprintln!("note: defaults for a data file: {} (give a flag to change one)", defaults_used.join(" "));
    }
    if let (true, Some([negative, positive])) = (human, classes.as_deref()) {
        if (negative.as_str(), positive.as_str()) != ("0", "1") {
            eprintln!("note: classes: 0 = {negative}, 1 = {positive} (the positive class; --positive-class to change)");
        }
    }
    if let (true, Some(names), Activation::Softmax) = (human, classes.as_deref(), output) {
        let numbered = names.iter().enumerate().all(|(i, name)| *name == i.to_string());
        let listed: Vec<String> = names.iter().enumerate().map(|(i, name)| format!("{i} = {name}")).collect();
        let listed = if numbered { format!("0 to {}", names.len() - 1) } else { listed.join(", ") };
        eprintln!("note: {} classes: {listed} (a softmax output)", names.len());
    }
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if let (true, Some(threads)) = (human, args.threads.filter(|&threads| threads > cores)) {
        eprintln!(
            "note: --threads {threads} is more than this machine's {cores} cores: the others only wait their turn"
        );
    }
    let dtype = match args.dtype {
        DTypeArg::F64 => dnn::DType::F64,
        DTypeArg::F32 => dnn::DType::F32,
    };
    dnn::memory::check_fits("training", dnn::memory::configured_training_bytes(&arch, train.m(), &config, dtype))?;
    let batches = config.batch_size(train.m()) < train.m();
    let plan = Plan { arch, init, config, task, print_every, seed: hyper.seed, batches };
    let data = Data { train: &train, validation: validation.as_ref(), test: test.as_ref() };
    match args.dtype {
        DTypeArg::F64 => train_as::<f64>(&args, &plan, data, preprocessing),
        DTypeArg::F32 => train_as::<f32>(&args, &plan, data, preprocessing),
    }
}

/// How well a network does on one data set.
enum Score {
    Accuracy(f64),
    Regression(RegressionMetrics),
}

/// The score on `data`; for a regression in the targets' own units, with `target` the
/// standardisation of the outputs and `y_standardized` whether `data`'s Y has it too.
fn score<T: Float>(
    network: &Network<T>,
    data: &Dataset,
    task: Task,
    target: Option<&TargetScale>,
    y_standardized: bool,
) -> Result<Score> {
    let x = data.x.mapv(T::from_f64);
    Ok(match task {
        Task::Classification if network.loss() == Loss::CategoricalCrossEntropy => {
            let classes = network.predict_classes(x.view())?;
            let right = classes.iter().zip(&data.y).filter(|&(&c, &y)| c as f64 == y).count();
            Score::Accuracy(right as f64 / classes.len() as f64)
        }
        Task::Classification => {
            let predicted = network.predict(x.view(), T::from_f64(0.5))?;
            Score::Accuracy(metrics::accuracy(predicted.view(), data.y.mapv(T::from_f64).view())?)
        }
        Task::Regression => {
            let undo = |v: f64| target.map_or(v, |t| t.undo(v));
            let output = network.predict_proba(x.view())?.mapv(|v| undo(v.as_f64()));
            let y = if y_standardized { data.y.mapv(undo) } else { data.y.clone() };
            Score::Regression(metrics::regression_metrics(output.view(), y.view())?)
        }
    })
}

/// The data of a run: what it trains on, what it watches for early stopping, what it is
/// tested on.
#[derive(Clone, Copy)]
struct Data<'a> {
    train: &'a Dataset,
    validation: Option<&'a Dataset>,
    test: Option<&'a Dataset>,
}

fn train_as<T: Float>(args: &TrainArgs, plan: &Plan, data: Data, preprocessing: Preprocessing) -> Result<()> {
    let Data { train, validation, test } = data;
    let human = !args.json;
    let network = if args.allow_symmetry {
        Network::<T>::init_allowing_symmetry(&plan.arch, plan.init, &mut NumpyRng::new(plan.seed))
    } else {
        Network::<T>::init(&plan.arch, plan.init, &mut NumpyRng::new(plan.seed))?
    };
    // Mini-batches read X one example per row: converted straight into that layout, it is
    // not copied again when training starts.
    let x = if plan.batches { dnn::data::by_examples::<T>(train.x.view()) } else { train.x.mapv(T::from_f64) };
    let y = targets(train, &network).mapv(T::from_f64);
    let validation = validation.map(|v| (v.x.mapv(T::from_f64), targets(v, &network).mapv(T::from_f64)));
    let iterations = plan.config.iterations();
    let unit = if plan.batches { "epoch" } else { "iteration" };
    let initial = args.keep_diverged.then(|| network.clone());

    let bar = if human && !args.quiet {
        ProgressBar::with_draw_target(Some(iterations as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(&format!("{{bar:40}} {{pos}}/{{len}} {unit}s  {{msg}}  ETA {{eta}}"))
            .expect("a valid template"),
    );
    // Ctrl-C (or SIGTERM, SIGHUP) stops training after the current iteration.
    crate::signals::stop_on_signal();
    let print_line = |line: String| {
        if bar.is_hidden() {
            outln!("{line}");
        } else {
            bar.println(line);
        }
    };
    let start = Instant::now();
    let validation_views = validation.as_ref().map(|(x, y)| (x.view(), y.view()));
    let decays = plan.config.config().decay.is_some();
    let (network, history) = fit_validated(network, x.view(), y.view(), validation_views, &plan.config, |progress| {
        let last = progress.iteration + 1 == progress.iterations;
        if human && !args.quiet && (progress.iteration % plan.print_every == 0 || last) {
            let mut line = format!("Cost after {unit} {}: {:.6}", progress.iteration, progress.cost);
            if let Some(cost) = progress.validation_cost {
                line.push_str(&format!("  validation cost: {cost:.6}"));
            }
            if let Some(accuracy) = progress.validation_accuracy {
                line.push_str(&format!("  validation accuracy: {}%", format_percent(accuracy)));
            }
            if decays {
                line.push_str(&format!("  learning rate: {:.6}", progress.learning_rate));
            }
            print_line(line);
        }
        if progress.iteration % 16 == 0 || last {
            // The message first: moving the bar redraws it.
            bar.set_message(format!("cost {:.6}", progress.cost));
            bar.set_position(progress.iteration as u64 + 1);
        }
        if crate::signals::stop_requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    let seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let network = match history.diverged {
        Some(_) => outcome::keep_diverged(args, &history, network, initial, &plan.config, x.view(), y.view())?,
        None => network,
    };
    let done = history.costs.len();
    match (history.best_epoch, history.stopped_early) {
        (Some(best), true) if human => eprintln!(
            "note: early stopping after epoch {}: no lower validation cost for {} epochs; \
             kept the weights of epoch {best} (validation cost {:.6})",
            done - 1,
            plan.config.config().patience.unwrap_or_default(),
            history.validation_costs[best]
        ),
        (Some(best), false) if human && best + 1 < done => eprintln!(
            "note: kept the weights of epoch {best}, whose validation cost {:.6} was the lowest",
            history.validation_costs[best]
        ),
        (None, true) if human => eprintln!("interrupted: stopped after {unit} {} of {iterations}", done - 1),
        _ => {}
    }

    let target = preprocessing.target;
    let train_score = score(&network, train, plan.task, target.as_ref(), true)?;
    let validation_score = data.validation.map(|v| score(&network, v, plan.task, target.as_ref(), true)).transpose()?;
    let test_score = test.map(|t| score(&network, t, plan.task, target.as_ref(), false)).transpose()?;
    let warnings = outcome::warnings(&network, x.view(), &history, plan.task, train.feature_names.as_deref())?;
    if let Some(path) = &args.model {
        let info = ModelInfo {
            preprocessing,
            class_names: train.class_names.clone(),
            training: Some(json!({
                "data": args.data,
                "learning_rate": plan.config.learning_rate(),
                "iterations": done,
                "config": plan.config.config(),
                "best_epoch": history.best_epoch,
                "init": plan.init.name(),
                "seed": plan.seed,
                "dtype": T::DTYPE.name(),
                "final_cost": history.final_cost(),
                "interrupted": history.stopped_early && history.best_epoch.is_none(),
                "diverged": history.diverged.as_ref().map(outcome::report),
            })),
        };
        model_file::save(path, &network, &info)?;
    }
    if let Some(path) = &args.history {
        write_history(path, &history, plan.print_every, unit)?;
    }
    if let Some(path) = &args.plot {
        let title = format!("Cost, learning rate {}", dnn::number::written(plan.config.learning_rate()));
        let mut curves = vec![Curve { label: "cost", costs: &history.costs }];
        if !history.validation_costs.is_empty() {
            curves.push(Curve { label: "validation cost", costs: &history.validation_costs });
        }
        plot::cost_curves_per(path, &title, unit, &curves)?;
    }
    if let (Some(path), Loss::CategoricalCrossEntropy) = (&args.boundary, network.loss()) {
        let title = format!("Decision regions, layers {:?}", plan.arch.sizes());
        let labels: Vec<usize> = train.y.iter().map(|&c| c as usize).collect();
        plot::decision_regions(path, &title, train.x.view(), &labels, |grid| {
            let p = network.predict_proba(grid.mapv(T::from_f64).view())?;
            let classes = metrics::classes_of(p.view());
            Ok(classes.iter().enumerate().map(|(j, &c)| (c, p[(c, j)].as_f64())).collect())
        })?;
    } else if let Some(path) = &args.boundary {
        let title = format!("Decision boundary, layers {:?}", plan.arch.sizes());
        let labels: Vec<f64> = train.y.iter().copied().collect();
        // Drawn in the coordinates the network sees (after any scaling).
        plot::decision_boundary(path, &title, train.x.view(), &labels, |grid| {
            let grid = grid.mapv(T::from_f64);
            Ok(network.predict_proba(grid.view())?.iter().map(|p| p.as_f64()).collect())
        })?;
    }

    if args.json {
        let (train_accuracy, train_regression) = split_score(&train_score);
        let (test_accuracy, test_regression) = test_score.as_ref().map_or((None, None), split_score);
        let report = json!({
            "final_cost": history.final_cost(),
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "train_regression": train_regression,
            "test_regression": test_regression,
            "iterations": done,
            "epochs": plan.batches.then_some(done),
            "batch_size": plan.config.config().batch_size,
            "optimizer": plan.config.config().optimizer.kind().name(),
            "validation_cost": history.validation_costs.last(),
            "validation_accuracy": history.validation_accuracies.last(),
            "best_epoch": history.best_epoch,
            "interrupted": history.stopped_early && history.best_epoch.is_none(),
            "early_stopped": history.stopped_early && history.best_epoch.is_some(),
            "seconds": seconds,
            "dtype": T::DTYPE.name(),
            "layers": plan.arch.sizes(),
            "learning_rate": plan.config.learning_rate(),
            "model": args.model,
            "diverged": history.diverged.as_ref().map(outcome::report),
            "warnings": warnings,
        });
        outln!("{report}");
        return outcome::finish(args, &history);
    }
    let mut out = crate::stdout::stdout();
    report_score(&mut out, "Train", &train_score)?;
    if let Some(validation_score) = &validation_score {
        report_score(&mut out, "Validation", validation_score)?;
    }
    if let Some(test_score) = &test_score {
        report_score(&mut out, "Test", test_score)?;
    }
    writeln!(out, "Trained {done} {unit}s in {seconds:.2} s ({})", T::DTYPE.name())?;
    if let Some(path) = &args.model {
        let best = history.best_epoch.map(|b| format!(" (the weights of epoch {b}, the best on validation)"));
        let note = match (history.stopped_early, history.diverged) {
            _ if best.is_some() && history.best_epoch != Some(done - 1) => best.as_deref().unwrap_or_default(),
            (true, _) => " (trained so far)",
            (_, Some(_)) => " (the last network whose cost was finite)",
            _ => "",
        };
        writeln!(out, "Model saved to {}{note}", path.display())?;
    }
    outcome::finish(args, &history)
}

fn split_score(score: &Score) -> (Option<f64>, Option<RegressionMetrics>) {
    match score {
        Score::Accuracy(a) => (Some(*a), None),
        Score::Regression(r) => (None, Some(*r)),
    }
}

fn report_score(out: &mut impl Write, name: &str, score: &Score) -> Result<()> {
    match score {
        Score::Accuracy(a) => writeln!(out, "{name} accuracy: {}%", format_percent(*a))?,
        Score::Regression(r) => writeln!(out, "{name} MSE: {:.6}  MAE: {:.6}  R²: {:.4}", r.mse, r.mae, r.r2)?,
    }
    Ok(())
}

/// 0.9075 → "90.75", 0.72 → "72", 207/209 → "99.04306220095694" (as the course prints).
pub fn format_percent(fraction: f64) -> String {
    let percent = fraction * 100.0;
    let rounded = (percent * 1e6).round() / 1e6;
    if (percent - rounded).abs() < 1e-9 {
        format!("{rounded}")
    } else {
        format!("{percent}")
    }
}

/// `iteration,cost` (or `epoch,cost`) for iteration 0, every `every`, and the last; with
/// validation data, also `validation_cost` and, for a classifier, `validation_accuracy`.
fn write_history(path: &Path, history: &History, every: usize, unit: &str) -> Result<()> {
    let validated = !history.validation_costs.is_empty();
    let accuracies = !history.validation_accuracies.is_empty();
    let mut text = format!("{unit},cost");
    if validated {
        text.push_str(",validation_cost");
    }
    if accuracies {
        text.push_str(",validation_accuracy");
    }
    text.push('\n');
    let last = history.costs.len().saturating_sub(1);
    for (i, cost) in history.costs.iter().enumerate() {
        if i % every == 0 || i == last {
            text.push_str(&format!("{i},{cost}"));
            // The epoch that diverged has a cost but no validation score.
            if validated {
                let value = history.validation_costs.get(i).map_or(String::new(), f64::to_string);
                text.push_str(&format!(",{value}"));
            }
            if accuracies {
                let value = history.validation_accuracies.get(i).map_or(String::new(), f64::to_string);
                text.push_str(&format!(",{value}"));
            }
            text.push('\n');
        }
    }
    dnn::write_atomically(path, text.as_bytes())?;
    Ok(())
}
