//! `dnn search`: train every combination of the hyperparameters given (or a random sample),
//! score each on held-out data, rank them; a log makes it resumable and shardable.
//! `dnn search merge`: combine the logs of shards.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use anyhow::{anyhow, bail, Context, Result};
use dnn::data::{Dataset, Preprocessing, Scale, Task};
use dnn::model_file::{self, ModelInfo};
use dnn::plot::{self, Panel, PanelAxis};
use dnn::search::{
    self, Fold, Metric, Outcome, Sampling, SearchSettings, SearchSpace, Status, Trial, Validation, Values,
};
use dnn::Float;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::cli::{DTypeArg, MergeArgs, SearchArgs, SearchCommand, SearchRunArgs};
use crate::data::{load, parse_activation, parse_layers, preprocessing_for, task_for_output};
use crate::train::format_percent;

// Set by Ctrl-C (or SIGTERM, SIGHUP): running trials stop, finished ones are kept.
use crate::signals::STOP;

pub fn run(args: SearchArgs) -> Result<()> {
    match args.command {
        Some(SearchCommand::Merge(merge)) => run_merge(merge),
        None => run_search(args.run),
    }
}

/// One finished trial as a search log holds it (a CSV row or a JSON line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    trial: usize,
    layers: String,
    hidden_activation: String,
    init: String,
    learning_rate: f64,
    iterations: usize,
    seed: u32,
    metric: Metric,
    validation: String,
    score: Option<f64>,
    train_cost: Option<f64>,
    seconds: f64,
    status: Status,
}

impl Record {
    fn new(trial: &Trial, outcome: &Outcome, metric: Metric, validation: &str) -> Record {
        Record {
            trial: trial.index,
            layers: trial.layers_text(),
            hidden_activation: trial.hidden_activation.to_string(),
            init: trial.init.to_string(),
            learning_rate: trial.learning_rate,
            iterations: trial.iterations,
            seed: trial.seed,
            metric,
            validation: validation.to_string(),
            score: outcome.score,
            train_cost: outcome.train_cost,
            seconds: outcome.seconds,
            status: outcome.status,
        }
    }

    /// The trial this record is of (its values parsed back).
    fn to_trial(&self) -> Result<Trial> {
        Ok(Trial {
            index: self.trial,
            layers: parse_layers(&self.layers)?,
            hidden_activation: self.hidden_activation.parse()?,
            init: self.init.parse()?,
            learning_rate: self.learning_rate,
            iterations: self.iterations,
            seed: self.seed,
        })
    }

    fn done(&self) -> bool {
        self.status == Status::Done && self.score.is_some()
    }
}

fn run_search(args: SearchRunArgs) -> Result<()> {
    let output = parse_activation("--output-activation", &args.output_activation)?;
    let task = task_for_output(output)?;
    let metric = match &args.metric {
        Some(text) => text.parse::<Metric>().context("--metric")?,
        None if task == Task::Regression => Metric::Mse,
        None => Metric::Accuracy,
    };
    if metric.is_for_classification() != (task == Task::Classification) {
        let (kind, needs) =
            if metric.is_for_classification() { ("a classifier", "sigmoid") } else { ("a regression", "linear") };
        bail!("--metric {metric} measures {kind}: it needs --output-activation {needs}");
    }
    let space = SearchSpace {
        layers: args.layers.split(';').map(parse_layers).collect::<Result<_>>()?,
        hidden_activations: parse_list("--hidden-activation", &args.hidden_activation)?,
        inits: parse_list("--init", &args.init)?,
        learning_rates: parse_values("--learning-rate", &args.learning_rate)?,
        iterations: parse_values("--iterations", &args.iterations)?,
        seeds: parse_seeds(&args.seed)?,
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
    let settings = SearchSettings {
        output,
        metric,
        gram: args.gram.into(),
        allow_symmetry: args.allow_symmetry,
        threads_per_trial: (cores / jobs).max(1),
    };
    if let Some(path) = &args.out {
        LogFormat::of(path)?;
    }

    let mut data = load(&args.data, &args.data_args, task)?;
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
    let standardize = matches!(preprocessing.scale, Scale::Standardize { .. });
    if !standardize {
        preprocessing.scale.apply_in_place(&mut data.x);
    }
    let splits = search::splits(&data.y, validation, task == Task::Classification, args.search_seed)?;
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
        let sizes: Vec<usize> = std::iter::once(n_x).chain(trial.layers.iter().copied()).chain([1]).collect();
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

/// Everything a search run needs after its checks.
struct Job<'a> {
    args: &'a SearchRunArgs,
    settings: SearchSettings,
    /// Trials trained at once (the cores are shared among them: `settings.threads_per_trial`).
    jobs: usize,
    preprocessing: Preprocessing,
    validation_text: String,
    /// Trials of this shard, finished before or not.
    total: usize,
}

impl Job<'_> {
    fn run<T: Float>(
        &self,
        data: &Dataset,
        splits: &[search::Split],
        standardize: bool,
        pending: &[Trial],
        records: &mut Vec<Record>,
    ) -> Result<()> {
        let args = self.args;
        let folds: Vec<Fold<T>> = splits.iter().map(|s| Fold::new(&data.x, &data.y, s, standardize)).collect();
        let mut log = args.out.as_deref().map(LogWriter::open).transpose()?;
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(pending.len() as u64), ProgressDrawTarget::stderr())
        };
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} trials  ETA {eta}").expect("a valid template"),
        );
        crate::signals::stop_on_signal();
        let metric = self.settings.metric;
        search::run_trials(pending, &folds, &self.settings, self.jobs, &STOP, |trial, outcome| -> Result<()> {
            let record = Record::new(trial, outcome, metric, &self.validation_text);
            if let Some(log) = log.as_mut() {
                log.append(&record)?;
            }
            records.push(record);
            bar.inc(1);
            if !args.quiet {
                let result = match outcome.score {
                    Some(score) => format!("{metric} {}", format_score(metric, score)),
                    None => "diverged".to_string(),
                };
                let line = format!(
                    "[{}/{}] trial {}: {trial}: {result} ({:.2} s)",
                    records.len(),
                    self.total,
                    trial.index,
                    outcome.seconds
                );
                if bar.is_hidden() {
                    eprintln!("{line}");
                } else {
                    bar.println(line);
                }
            }
            Ok(())
        })?;
        bar.finish_and_clear();
        let interrupted = STOP.load(Ordering::SeqCst);
        if interrupted {
            let resume = match &args.out {
                Some(path) => format!("; rerun the same command to resume from {}", path.display()),
                None => String::new(),
            };
            eprintln!("interrupted: {} of {} trials finished{resume}", records.len(), self.total);
        }

        rank(records, metric);
        print_table(records, metric, &self.validation_text, args.top)?;
        if let Some(path) = &args.plot {
            draw(path, records, metric, &self.validation_text)?;
        }
        if let Some(path) = &args.model {
            let Some(best) = records.iter().find(|r| r.done()) else {
                bail!("no trial finished with a score, so there is no best model to save to {}", path.display());
            };
            if interrupted {
                eprintln!("interrupted: the best model is not retrained");
                return Ok(());
            }
            self.save_best::<T>(path, best, data)?;
        }
        Ok(())
    }

    /// Retrains the best trial on all the training data and saves it.
    fn save_best<T: Float>(&self, path: &Path, best: &Record, data: &Dataset) -> Result<()> {
        let trial = best.to_trial()?;
        // `data` is left unscaled only when standardising (each part is fitted on its own);
        // the scale fitted on all of it is the search's.
        let scale = self.preprocessing.scale.clone();
        let mut x = data.x.clone();
        if matches!(scale, Scale::Standardize { .. }) {
            scale.apply_in_place(&mut x);
        }
        let (x, y) = (x.mapv(T::from_f64), data.y.mapv(T::from_f64));
        let (network, history) = self.settings.train(&trial, &x, &y, &STOP)?;
        if history.stopped_early {
            eprintln!("interrupted: the best model was not saved");
            return Ok(());
        }
        let info = ModelInfo {
            preprocessing: Preprocessing { scale, image: self.preprocessing.image },
            class_names: data.class_names.clone(),
            training: Some(json!({
                "data": self.args.data,
                "learning_rate": trial.learning_rate,
                "iterations": trial.iterations,
                "init": trial.init.name(),
                "seed": trial.seed,
                "dtype": T::DTYPE.name(),
                "final_cost": history.final_cost(),
                "search": {
                    "trial": trial.index,
                    "metric": best.metric,
                    "score": best.score,
                    "validation": best.validation,
                },
            })),
        };
        model_file::save(path, &network, &info)?;
        outln!("Best trial retrained on all {} examples and saved to {}", data.m(), path.display());
        Ok(())
    }
}

fn run_merge(args: MergeArgs) -> Result<()> {
    if let Some(path) = &args.out {
        LogFormat::of(path)?;
    }
    let mut seen = HashSet::new();
    let mut records = Vec::new();
    let mut first: Option<(PathBuf, Metric, String)> = None;
    for path in &args.logs {
        let (log, _) = read_log(path)?;
        for record in log {
            let this = (record.metric, record.validation.clone());
            match &first {
                None => first = Some((path.clone(), this.0, this.1)),
                Some((first_path, metric, validation)) if (*metric, validation) != (this.0, &this.1) => bail!(
                    "{} holds trials scored by {} on {}, but {} holds trials scored by {metric} on {validation}: \
                     they cannot be ranked together",
                    path.display(),
                    this.0,
                    this.1,
                    first_path.display()
                ),
                Some(_) => {}
            }
            if seen.insert(record.to_trial().with_context(|| path.display().to_string())?.key()) {
                records.push(record);
            }
        }
    }
    let Some((_, metric, validation)) = first else {
        bail!(
            "the logs hold no trials: {}",
            args.logs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    };
    rank(&mut records, metric);
    if let Some(path) = &args.out {
        let format = LogFormat::of(path)?;
        let mut text = Vec::new();
        for (i, record) in records.iter().enumerate() {
            text.extend(format.line(record, i == 0)?);
        }
        dnn::write_atomically(path, &text)?;
    }
    print_table(&records, metric, &validation, args.top)
}

/// Best first: finished trials by score (ties by trial number), then diverged ones.
fn rank(records: &mut [Record], metric: Metric) {
    records.sort_by(|a, b| match (a.score.filter(|_| a.done()), b.score.filter(|_| b.done())) {
        (Some(x), Some(y)) => metric.compare(x, y).then(a.trial.cmp(&b.trial)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.trial.cmp(&b.trial),
    });
}

fn format_score(metric: Metric, score: f64) -> String {
    match metric {
        // Exact when it is a whole number of hundredths of a percent (as the course prints).
        Metric::Accuracy if (score * 1e6).round() == score * 1e6 => format!("{} %", format_percent(score)),
        Metric::Accuracy => format!("{:.4} %", score * 100.0),
        Metric::F1 | Metric::R2 => format!("{score:.4}"),
        Metric::LogLoss | Metric::Mse => format!("{score:.6}"),
    }
}

/// `x` to `digits` significant digits, or shorter when its exact form is.
fn significant(x: f64, digits: i32) -> String {
    let exact = x.to_string();
    let decimals = (digits - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    let rounded = format!("{x:.decimals$}");
    if exact.len() <= rounded.len() {
        exact
    } else {
        rounded
    }
}

/// The ranked table on stdout, then the best trial.
fn print_table(records: &[Record], metric: Metric, validation: &str, top: Option<usize>) -> Result<()> {
    let header = [
        "rank",
        metric.name(),
        "layers",
        "hidden",
        "init",
        "learning rate",
        "iterations",
        "seed",
        "train cost",
        "seconds",
        "status",
        "trial",
    ];
    let rows: Vec<[String; 12]> = records
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(rank, r)| {
            [
                (rank + 1).to_string(),
                r.score.filter(|_| r.done()).map_or("-".into(), |s| format_score(metric, s)),
                if r.layers.is_empty() { "none".into() } else { r.layers.clone() },
                r.hidden_activation.clone(),
                r.init.clone(),
                significant(r.learning_rate, 4),
                r.iterations.to_string(),
                r.seed.to_string(),
                r.train_cost.map_or("-".into(), |c| format!("{c:.6}")),
                format!("{:.2}", r.seconds),
                r.status.to_string(),
                r.trial.to_string(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|row| row[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let mut out = crate::stdout::stdout();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "Scored by {metric} on {validation}")?;
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    match records.iter().find(|r| r.done()) {
        Some(best) => writeln!(
            out,
            "Best: trial {}: {}: {metric} {}",
            best.trial,
            best.to_trial()?,
            format_score(metric, best.score.expect("a finished trial has a score"))
        )?,
        None if records.is_empty() => writeln!(out, "No trial finished")?,
        None => writeln!(out, "Every trial diverged: try smaller learning rates")?,
    }
    Ok(())
}

/// The score against each hyperparameter that takes more than one value.
fn draw(path: &Path, records: &[Record], metric: Metric, validation: &str) -> Result<()> {
    let mut done: Vec<(Trial, f64)> = records
        .iter()
        .filter(|r| r.done())
        .map(|r| Ok((r.to_trial()?, r.score.expect("a finished trial has a score"))))
        .collect::<Result<_>>()?;
    // Categories in the order the search lists them.
    done.sort_by_key(|(trial, _)| trial.index);
    let scale = if metric == Metric::Accuracy { 100.0 } else { 1.0 };
    let categories = |name: &str, value: &dyn Fn(&Trial) -> String| {
        let mut names: Vec<String> = Vec::new();
        for (trial, _) in &done {
            let v = value(trial);
            if !names.contains(&v) {
                names.push(v);
            }
        }
        let points = done
            .iter()
            .map(|(t, s)| (names.iter().position(|n| *n == value(t)).expect("listed") as f64, s * scale))
            .collect();
        Panel { name: name.to_string(), axis: PanelAxis::Categories(names), points }
    };
    let numeric = |name: &str, axis: PanelAxis, value: &dyn Fn(&Trial) -> f64| Panel {
        name: name.to_string(),
        axis,
        points: done.iter().map(|(t, s)| (value(t), s * scale)).collect(),
    };
    let panels = [
        categories("hidden layers", &|t| if t.layers.is_empty() { "none".into() } else { t.layers_text() }),
        categories("hidden activation", &|t| t.hidden_activation.to_string()),
        categories("initialisation", &|t| t.init.to_string()),
        numeric("learning rate", PanelAxis::Log, &|t| t.learning_rate),
        numeric("iterations", PanelAxis::Linear, &|t| t.iterations as f64),
        categories("seed", &|t| t.seed.to_string()),
    ];
    let distinct = |p: &Panel| {
        let mut xs: Vec<f64> = p.points.iter().map(|&(x, _)| x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs.len()
    };
    let varying: Vec<Panel> = panels.iter().filter(|p| distinct(p) > 1).cloned().collect();
    let panels = if varying.is_empty() { vec![panels[0].clone()] } else { varying };
    let score_name = if metric == Metric::Accuracy { "accuracy %".to_string() } else { metric.to_string() };
    let title = format!("{} trials, {metric} on {validation}", done.len());
    plot::search_scores(path, &title, &score_name, &panels)?;
    Ok(())
}

/// The records of an existing log that belong to this search's trials (after checking they
/// were scored the same way), trimming an unfinished last line.
fn resume(path: &Path, metric: Metric, validation: &str, mine: &[Trial]) -> Result<Vec<Record>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let (records, complete) = read_log(path)?;
    let length = std::fs::metadata(path).with_context(|| path.display().to_string())?.len();
    if complete < length {
        eprintln!("{}: dropping an unfinished last line", path.display());
        let file = OpenOptions::new().write(true).open(path).with_context(|| path.display().to_string())?;
        file.set_len(complete).with_context(|| path.display().to_string())?;
    }
    let keys: HashSet<String> = mine.iter().map(Trial::key).collect();
    let mut kept = Vec::new();
    let mut seen = HashSet::new();
    for record in records {
        if record.metric != metric || record.validation != validation {
            bail!(
                "{}: holds trials scored by {} on {}, and this search scores by {metric} on {validation}: \
                 give another --out",
                path.display(),
                record.metric,
                record.validation
            );
        }
        let key = record.to_trial().with_context(|| path.display().to_string())?.key();
        if keys.contains(&key) && seen.insert(key) {
            kept.push(record);
        }
    }
    Ok(kept)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Csv,
    JsonLines,
}

impl LogFormat {
    fn of(path: &Path) -> Result<LogFormat> {
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
        match extension.as_str() {
            "csv" => Ok(LogFormat::Csv),
            "jsonl" | "ndjson" | "json" => Ok(LogFormat::JsonLines),
            _ => bail!("{}: a search log is .csv or .jsonl, not '{extension}'", path.display()),
        }
    }

    /// One record as a line (CSV: with the header line before it when `header`).
    fn line(self, record: &Record, header: bool) -> Result<Vec<u8>> {
        Ok(match self {
            LogFormat::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(header).from_writer(Vec::new());
                writer.serialize(record)?;
                writer.into_inner().map_err(|e| anyhow!("{e}"))?
            }
            LogFormat::JsonLines => {
                let mut line = serde_json::to_vec(record)?;
                line.push(b'\n');
                line
            }
        })
    }
}

/// A log open for appending, one flushed line per finished trial.
struct LogWriter {
    path: PathBuf,
    format: LogFormat,
    file: File,
    empty: bool,
}

impl LogWriter {
    fn open(path: &Path) -> Result<LogWriter> {
        let file =
            OpenOptions::new().create(true).append(true).open(path).with_context(|| path.display().to_string())?;
        let empty = file.metadata().with_context(|| path.display().to_string())?.len() == 0;
        Ok(LogWriter { path: path.to_path_buf(), format: LogFormat::of(path)?, file, empty })
    }

    fn append(&mut self, record: &Record) -> Result<()> {
        let line = self.format.line(record, self.empty)?;
        self.file.write_all(&line).and_then(|()| self.file.flush()).with_context(|| self.path.display().to_string())?;
        self.empty = false;
        Ok(())
    }
}

/// A log's records, and the length of its complete lines (a last line without its newline
/// is an interrupted write and is left out).
fn read_log(path: &Path) -> Result<(Vec<Record>, u64)> {
    let format = LogFormat::of(path)?;
    let bytes = std::fs::read(path).map_err(|error| dnn::Error::Io { path: path.to_path_buf(), error })?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let text =
        std::str::from_utf8(&bytes[..complete]).map_err(|e| anyhow!("{}: not UTF-8 text: {e}", path.display()))?;
    let at = |line: usize, e: &dyn std::fmt::Display| anyhow!("{}: line {line}: {e}", path.display());
    let records = match format {
        LogFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
            let mut records = Vec::new();
            for (i, row) in reader.deserialize::<Record>().enumerate() {
                records.push(row.map_err(|e| {
                    let line = e.position().map_or(i + 2, |p| p.line() as usize);
                    at(line, &csv_reason(&e))
                })?);
            }
            records
        }
        LogFormat::JsonLines => text
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| serde_json::from_str(line).map_err(|e| at(i + 1, &e)))
            .collect::<Result<_>>()?,
    };
    Ok((records, complete as u64))
}

/// A CSV error without the position the caller already names.
fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(field) => format!("field {}: {}", field + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => error.to_string(),
    }
}

/// Comma-separated values of a flag, each parsed.
fn parse_list<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Vec<T>>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.split(',').map(|part| part.trim().parse::<T>().with_context(|| flag.to_string())).collect()
}

/// A list `a,b,c` or a range `low..high`.
fn parse_values<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Values<T>> {
    let number = |part: &str| {
        part.trim()
            .parse::<T>()
            .map_err(|_| anyhow!("invalid {flag} '{text}': expected numbers separated by commas, or a range LOW..HIGH"))
    };
    Ok(match text.split_once("..") {
        Some((low, high)) => Values::Range { low: number(low)?, high: number(high)? },
        None => Values::List(text.split(',').map(number).collect::<Result<_>>()?),
    })
}

/// Seeds: a list, or `a..b` for every seed from a to b.
fn parse_seeds(text: &str) -> Result<Vec<u32>> {
    match parse_values::<u32>("--seed", text)? {
        Values::List(seeds) => Ok(seeds),
        Values::Range { low, high } if low <= high && high - low < 100_000 => Ok((low..=high).collect()),
        Values::Range { .. } => bail!("invalid --seed '{text}': expected A..B with A ≤ B, at most 100000 seeds"),
    }
}

/// `--shard I/N` with 1 ≤ I ≤ N.
fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let parsed = text.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((i, n)) if 1 <= i && i <= n => Ok((i, n)),
        _ => bail!("invalid --shard '{text}': expected I/N with 1 ≤ I ≤ N, such as 2/4"),
    }
}
