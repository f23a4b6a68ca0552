//! `dnn search`: train every combination of the hyperparameters given (or a random sample),
//! score each on held-out data, rank them; a log makes it resumable and shardable.
//! `dnn search merge`: combine the logs of shards.

mod job;
mod log;
mod merge;
mod parse;
mod plot;
mod rank;
mod table;

use std::collections::HashSet;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use dnn::data::{Dataset, Scale, Task};
use dnn::search::{self, Metric, Sampling, SearchSettings, SearchSpace, Trial, Validation, Values};
use dnn::{Activation, OptimizerKind};

use crate::cli::{DTypeArg, SearchArgs, SearchCommand, SearchRunArgs};
use crate::data::{load, parse_activation, parse_layers, preprocessing_for, task_for_output, Classes};
use job::Job;
use log::{resume, LogFormat};
use merge::run_merge;
use parse::{parse_batch_sizes, parse_checked, parse_list, parse_seeds, parse_shard, parse_values};

pub fn run(args: SearchArgs) -> Result<()> {
    match args.command {
        Some(SearchCommand::Merge(merge)) => run_merge(merge),
        None => run_search(args.run),
    }
}

fn run_search(args: SearchRunArgs) -> Result<()> {
    let output = args.output_activation.as_deref().map(|text| parse_activation("--output-activation", text));
    let output = output.transpose()?;
    let task = task_for_output(output.unwrap_or(Activation::Sigmoid))?;
    let metric = match &args.metric {
        Some(text) => text.parse::<Metric>().context("--metric")?,
        None if task == Task::Regression => Metric::Mse,
        None => Metric::Accuracy,
    };
    if metric.is_for_classification() != (task == Task::Classification) {
        let (kind, needs) = if metric.is_for_classification() {
            ("a classifier", "sigmoid (or softmax)")
        } else {
            ("a regression", "linear")
        };
        bail!("--metric {metric} measures {kind}: it needs --output-activation {needs}");
    }
    let space = SearchSpace {
        layers: args.layers.split(';').map(parse_layers).collect::<Result<_>>()?,
        hidden_activations: parse_list("--hidden-activation", &args.hidden_activation)?,
        inits: parse_list("--init", &args.init)?,
        learning_rates: parse_values("--learning-rate", &args.learning_rate)?,
        iterations: parse_values("--iterations", &args.iterations)?,
        seeds: parse_seeds(&args.seed)?,
        optimizers: args
            .optimizer
            .split(',')
            .map(|name| {
                name.parse::<OptimizerKind>().map_err(|_| {
                    anyhow!("invalid --optimizer '{}': expected gd, momentum, rmsprop or adam", args.optimizer)
                })
            })
            .collect::<Result<_>>()?,
        batch_sizes: parse_batch_sizes(&args.batch_size)?,
        l2s: parse_checked("--l2", &args.l2, |l| l.is_finite() && l >= 0.0, "numbers of at least 0")?,
        keep_probs: parse_checked("--keep-prob", &args.keep_prob, |p| p > 0.0 && p <= 1.0, "probabilities in (0, 1]")?,
    };
    if args.random.is_none() {
        for (flag, is_range) in [
            ("--learning-rate", matches!(space.learning_rates, Values::Range { .. })),
            ("--iterations", matches!(space.iterations, Values::Range { .. })),
        ] {
            if is_range {
                bail!("{flag} is a range: ranges are sampled by random search, give --random N (or list values)");
            }
        }
    }
    let sampling = match args.random {
        Some(trials) => Sampling::Random { trials, seed: args.search_seed },
        None => Sampling::Grid,
    };
    let trials = space.trials(sampling)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let validation = match args.folds {
        Some(k) => Validation::Folds { k },
        None if args.validation == 0.0 => Validation::Training,
        None => Validation::HoldOut { fraction: args.validation },
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let jobs = match args.jobs {
        Some(0) => bail!("invalid --jobs 0: expected at least 1"),
        Some(jobs) => jobs,
        None => cores,
    };
    let count = if output == Some(Activation::Sigmoid) { Classes::Two } else { Classes::Any };
    let mut data = load(&args.data, &args.data_args, task, count)?;
    // More than two classes: a softmax output of one unit per class.
    let k = data.class_names.as_ref().map_or(2, Vec::len);
    let output =
        output.unwrap_or(if task == Task::Classification && k > 2 { Activation::Softmax } else { Activation::Sigmoid });
    let outputs = if output == Activation::Softmax { k } else { 1 };
    if output == Activation::Softmax && metric == Metric::F1 {
        bail!("--metric f1 scores class 1 of two, and {} has {k} classes: use macro-f1", args.data);
    }
    let settings = SearchSettings {
        output,
        outputs,
        metric,
        gram: args.gram.into(),
        allow_symmetry: args.allow_symmetry,
        threads_per_trial: (cores / jobs).max(1),
    };
    if let Some(path) = &args.out {
        LogFormat::of(path)?;
    }

    let n_x = data.n_x();
    for trial in &trials {
        settings.check(trial, n_x).map_err(|error| {
            let context = match error {
                dnn::Error::SymmetricInit { .. } => "--init zeros (pass --allow-symmetry to search anyway)".to_string(),
                _ => format!("trial {trial}"),
            };
            anyhow::Error::new(error).context(context)
        })?;
    }
    check_memory(&args, &trials, &settings, jobs, &data)?;
    let preprocessing = preprocessing_for(&data, args.scale);
    // Missing values are filled with the means of all the data (before any split).
    if let Some(fill) = &preprocessing.fill {
        dnn::data::fill_missing(&mut data.x, fill);
    }
    let standardize = matches!(preprocessing.scale, Scale::Standardize { .. });
    if !standardize {
        preprocessing.scale.apply_in_place(&mut data.x);
    }
    let splits = search::splits(&data.y, validation, task == Task::Classification, args.search_seed)?;
    if output == Activation::Softmax {
        // The splits are drawn from the class indexes; training and scoring take one-hot Y.
        data.y = dnn::data::one_hot(&data.y, k);
    }
    let validation_text = match validation {
        Validation::Training => validation.to_string(),
        _ => format!("{validation} seed {}", args.search_seed),
    };

    // This shard's trials, less those the log already holds.
    let mine: Vec<Trial> = trials.into_iter().filter(|t| shard.is_none_or(|(i, n)| t.index % n == i - 1)).collect();
    let mut records = match &args.out {
        Some(path) => resume(path, metric, &validation_text, &mine)?,
        None => Vec::new(),
    };
    let finished: HashSet<String> = records.iter().map(|r| r.to_trial().map(|t| t.key())).collect::<Result<_>>()?;
    let pending: Vec<Trial> = mine.iter().filter(|t| !finished.contains(&t.key())).cloned().collect();
    if !records.is_empty() && !args.quiet {
        eprintln!(
            "resuming: {} of {} trials already in {}",
            records.len(),
            mine.len(),
            args.out.as_deref().map(Path::display).expect("a log to resume from")
        );
    }

    let job = Job { args: &args, settings, jobs, preprocessing, validation_text, total: mine.len() };
    match args.dtype {
        DTypeArg::F64 => job.run::<f64>(&data, &splits, standardize, &pending, &mut records),
        DTypeArg::F32 => job.run::<f32>(&data, &splits, standardize, &pending, &mut records),
    }
}

/// Refuses a search whose `jobs` trials at once, each as large as the largest, do not fit
/// in memory beside a copy of the data per validation fold.
fn check_memory(
    args: &SearchRunArgs,
    trials: &[Trial],
    settings: &SearchSettings,
    jobs: usize,
    data: &Dataset,
) -> Result<()> {
    let (dtype, bytes) = match args.dtype {
        DTypeArg::F64 => (dnn::DType::F64, 8u64),
        DTypeArg::F32 => (dnn::DType::F32, 4u64),
    };
    let (n_x, m) = (data.n_x(), data.m());
    let gram = settings.gram.applies(n_x, m, bytes as usize);
    let mut largest = Some(0u64);
    for trial in trials {
        let sizes: Vec<usize> =
            std::iter::once(n_x).chain(trial.layers.iter().copied()).chain([settings.outputs]).collect();
        let arch = dnn::Architecture::new(&sizes, trial.hidden_activation, settings.output)?;
        largest = largest.zip(dnn::memory::training_bytes(&arch, m, dtype, gram)).map(|(a, b)| a.max(b));
    }
    let folds = args.folds.unwrap_or(1) as u64;
    let data_copies = (n_x as u64 + 1).checked_mul(m as u64).and_then(|v| v.checked_mul(bytes * folds));
    let running = trials.len().min(jobs) as u64;
    let needed = largest.and_then(|l| l.checked_mul(running)).zip(data_copies).and_then(|(a, b)| a.checked_add(b));
    dnn::memory::check_fits("the search", needed)?;
    Ok(())
}
