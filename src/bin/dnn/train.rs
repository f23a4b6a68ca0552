//! `dnn train`: load, preprocess, initialise, train with progress, report, save.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use dnn::data::{Dataset, Preprocessing, Task};
use dnn::metrics::{self, RegressionMetrics};
use dnn::model_file::{self, ModelInfo};
use dnn::plot::{self, Curve};
use dnn::{fit_with, Architecture, Float, History, Init, Network, NumpyRng, TrainConfig};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::{DTypeArg, TrainArgs};
use crate::data::{apply, load, parse_activation, parse_layers, preprocessing_for, task_for_output};

/// Everything checked before any work starts.
struct Plan {
    arch: Architecture,
    init: Init,
    config: dnn::ValidTrainConfig,
    task: Task,
    print_every: usize,
}

pub fn run(args: TrainArgs) -> Result<()> {
    let hidden = parse_activation("--hidden-activation", &args.hidden_activation)?;
    let output = parse_activation("--output-activation", &args.output_activation)?;
    let task = task_for_output(output)?;
    let hidden_sizes = parse_layers(&args.layers)?;
    let init: Init = args.init.parse().context("--init")?;
    let config = TrainConfig {
        learning_rate: args.learning_rate,
        iterations: args.iterations,
        threads: args.threads.unwrap_or(0),
        gram: args.gram.into(),
    }
    .check()?;
    if args.threads == Some(0) {
        bail!("invalid --threads 0: expected at least 1");
    }
    let print_every = match args.print_every {
        Some(0) => bail!("invalid --print-every 0: expected at least 1"),
        Some(n) => n,
        None if args.iterations >= 10_000 => 1000,
        None => 100,
    };

    let mut train = load(&args.data, &args.data_args, task)?;
    let mut test = args.test.as_deref().map(|spec| load(spec, &args.data_args, task)).transpose()?;
    if let Some(test) = &test {
        if test.n_x() != train.n_x() {
            bail!(
                "train and test feature counts differ: {} has {} features, {} has {}",
                args.data,
                train.n_x(),
                args.test.as_deref().unwrap_or_default(),
                test.n_x()
            );
        }
    }
    if args.boundary.is_some() && train.n_x() != 2 {
        bail!("--boundary needs 2-D data, and {} has {} features per example", args.data, train.n_x());
    }
    let preprocessing = preprocessing_for(&train, args.scale);
    let n_x = train.n_x();
    apply(&preprocessing, &mut train, n_x, &args.data)?;
    if let (Some(test), Some(spec)) = (test.as_mut(), args.test.as_deref()) {
        apply(&preprocessing, test, n_x, spec)?;
    }

    let sizes: Vec<usize> = std::iter::once(n_x).chain(hidden_sizes).chain(std::iter::once(1)).collect();
    let arch = Architecture::new(&sizes, hidden, output)?;
    if init == Init::Zeros && arch.hidden_layers() > 0 && !args.allow_symmetry {
        Err(dnn::Error::SymmetricInit { hidden_layers: arch.hidden_layers() })
            .context("--init zeros (pass --allow-symmetry to train anyway)")?;
    }
    let (dtype, bytes) = match args.dtype {
        DTypeArg::F64 => (dnn::DType::F64, 8),
        DTypeArg::F32 => (dnn::DType::F32, 4),
    };
    let gram = config.config().gram.applies(n_x, train.m(), bytes);
    dnn::memory::check_fits("training", dnn::memory::training_bytes(&arch, train.m(), dtype, gram))?;
    let plan = Plan { arch, init, config, task, print_every };
    match args.dtype {
        DTypeArg::F64 => train_as::<f64>(&args, &plan, &train, test.as_ref(), preprocessing),
        DTypeArg::F32 => train_as::<f32>(&args, &plan, &train, test.as_ref(), preprocessing),
    }
}

/// How well a network does on one data set.
enum Score {
    Accuracy(f64),
    Regression(RegressionMetrics),
}

fn score<T: Float>(network: &Network<T>, data: &Dataset, task: Task) -> Result<Score> {
    let x = data.x.mapv(T::from_f64);
    let y = data.y.mapv(T::from_f64);
    Ok(match task {
        Task::Classification => {
            let predicted = network.predict(x.view(), T::from_f64(0.5))?;
            Score::Accuracy(metrics::accuracy(predicted.view(), y.view())?)
        }
        Task::Regression => {
            Score::Regression(metrics::regression_metrics(network.predict_proba(x.view())?.view(), y.view())?)
        }
    })
}

fn train_as<T: Float>(
    args: &TrainArgs,
    plan: &Plan,
    train: &Dataset,
    test: Option<&Dataset>,
    preprocessing: Preprocessing,
) -> Result<()> {
    let human = !args.json;
    let network = if args.allow_symmetry {
        Network::<T>::init_allowing_symmetry(&plan.arch, plan.init, &mut NumpyRng::new(args.seed))
    } else {
        Network::<T>::init(&plan.arch, plan.init, &mut NumpyRng::new(args.seed))?
    };
    let x = train.x.mapv(T::from_f64);
    let y = train.y.mapv(T::from_f64);
    let iterations = plan.config.iterations();

    let bar = if human && !args.quiet {
        ProgressBar::with_draw_target(Some(iterations as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} iterations  {msg}  ETA {eta}").expect("a valid template"),
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
    let (network, history) = fit_with(network, x.view(), y.view(), &plan.config, |progress| {
        let last = progress.iteration + 1 == progress.iterations;
        if human && !args.quiet && (progress.iteration % plan.print_every == 0 || last) {
            print_line(format!("Cost after iteration {}: {:.6}", progress.iteration, progress.cost));
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
    let done = history.costs.len();
    if history.stopped_early && human {
        eprintln!("interrupted: stopped after iteration {} of {iterations}", done - 1);
    }

    let train_score = score(&network, train, plan.task)?;
    let test_score = test.map(|t| score(&network, t, plan.task)).transpose()?;
    if let Some(path) = &args.model {
        let info = ModelInfo {
            preprocessing,
            class_names: train.class_names.clone(),
            training: Some(json!({
                "data": args.data,
                "learning_rate": plan.config.learning_rate(),
                "iterations": done,
                "init": plan.init.name(),
                "seed": args.seed,
                "dtype": T::DTYPE.name(),
                "final_cost": history.final_cost(),
                "interrupted": history.stopped_early,
            })),
        };
        model_file::save(path, &network, &info)?;
    }
    if let Some(path) = &args.history {
        write_history(path, &history, plan.print_every)?;
    }
    if let Some(path) = &args.plot {
        let title = format!("Cost, learning rate {}", plan.config.learning_rate());
        plot::cost_curves(path, &title, &[Curve { label: "cost", costs: &history.costs }])?;
    }
    if let Some(path) = &args.boundary {
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
            "interrupted": history.stopped_early,
            "seconds": seconds,
            "dtype": T::DTYPE.name(),
            "layers": plan.arch.sizes(),
            "learning_rate": plan.config.learning_rate(),
            "model": args.model,
        });
        outln!("{report}");
        return Ok(());
    }
    let mut out = crate::stdout::stdout();
    report_score(&mut out, "Train", &train_score)?;
    if let Some(test_score) = &test_score {
        report_score(&mut out, "Test", test_score)?;
    }
    writeln!(out, "Trained {done} iterations in {seconds:.2} s ({})", T::DTYPE.name())?;
    if let Some(path) = &args.model {
        let note = if history.stopped_early { " (trained so far)" } else { "" };
        writeln!(out, "Model saved to {}{note}", path.display())?;
    }
    Ok(())
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

/// `iteration,cost` for iteration 0, every `every`, and the last.
fn write_history(path: &Path, history: &History, every: usize) -> Result<()> {
    let mut text = String::from("iteration,cost\n");
    let last = history.costs.len().saturating_sub(1);
    for (i, cost) in history.costs.iter().enumerate() {
        if i % every == 0 || i == last {
            text.push_str(&format!("{i},{cost}\n"));
        }
    }
    dnn::write_atomically(path, text.as_bytes())?;
    Ok(())
}
