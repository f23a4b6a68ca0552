//! Training and scoring trials, one at a time or many in parallel.

use std::cmp::Ordering as CmpOrdering;
use std::fmt;
use std::ops::ControlFlow;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::{Fold, Trial};
use crate::metrics::{self, ClassReport, ConfusionMatrix};
use crate::optimizer::{DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON};
use crate::{
    fit_with, Activation, Architecture, Dropout, Error, Float, GramMode, Network, NumpyRng, Progress, Result,
    TrainConfig,
};

/// What a trial's score measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// The fraction classified correctly (higher is better).
    Accuracy,
    /// The mean cross-entropy of the predicted probabilities (lower is better).
    LogLoss,
    /// The harmonic mean of precision and recall of class 1 (higher is better).
    F1,
    /// The unweighted mean over the classes of each one's F1 (higher is better): for k
    /// classes, or two when both matter alike.
    MacroF1,
    /// Mean squared error of a regression (lower is better).
    Mse,
    /// Coefficient of determination of a regression (higher is better).
    R2,
}

impl Metric {
    /// Every metric, in the order the command line lists them.
    pub const ALL: [Metric; 6] =
        [Metric::Accuracy, Metric::LogLoss, Metric::F1, Metric::MacroF1, Metric::Mse, Metric::R2];

    /// The name used on the command line and in search logs.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::LogLoss => "log-loss",
            Metric::F1 => "f1",
            Metric::MacroF1 => "macro-f1",
            Metric::Mse => "mse",
            Metric::R2 => "r2",
        }
    }

    /// Whether a larger score is better.
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::F1 | Metric::MacroF1 | Metric::R2)
    }

    /// Whether the metric measures a classifier (sigmoid or softmax output) rather than a
    /// regression.
    pub fn is_for_classification(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::LogLoss | Metric::F1 | Metric::MacroF1)
    }

    /// Orders two scores best first.
    pub fn compare(self, a: f64, b: f64) -> CmpOrdering {
        if self.higher_is_better() {
            b.total_cmp(&a)
        } else {
            a.total_cmp(&b)
        }
    }

    /// The score of a trained network on X (n_x × m) and its labels Y (1 × m).
    pub fn score<T: Float>(self, network: &Network<T>, x: &ndarray::Array2<T>, y: &ndarray::Array2<T>) -> Result<f64> {
        self.score_outputs(network.predict_proba(x.view())?.view(), y.view())
    }

    /// The score of a network's outputs A\[L\] (1 × m: probabilities, or values of a
    /// regression) against the labels Y (1 × m). Classes are `a > 0.5`, as
    /// [`Network::predict`] draws them. For a softmax output, A\[L\] and Y are k × m
    /// (probabilities and one-hot columns) and the classes are the first argmax.
    pub fn score_outputs<T: Float>(self, outputs: ArrayView2<T>, y: ArrayView2<T>) -> Result<f64> {
        let labels = || labels(outputs);
        let k = outputs.nrows().max(2);
        let report = || {
            let actual = metrics::classes_of(y);
            ClassReport::from_classes(&metrics::classes_of(outputs), &actual, k)
        };
        if outputs.nrows() > 1 {
            return match self {
                Metric::Accuracy => Ok(report()?.accuracy()),
                Metric::LogLoss => metrics::categorical_log_loss(outputs, &metrics::classes_of(y)),
                Metric::MacroF1 => Ok(report()?.macro_average().f1),
                Metric::F1 | Metric::Mse | Metric::R2 => Err(Error::InvalidHyperparameter {
                    name: "metric",
                    value: self.to_string(),
                    expected: "accuracy, log-loss or macro-f1 for k classes",
                }),
            };
        }
        Ok(match self {
            Metric::MacroF1 => report()?.macro_average().f1,
            Metric::Accuracy => metrics::accuracy(labels().view(), y)?,
            Metric::LogLoss => metrics::log_loss(outputs, y)?,
            Metric::F1 => ConfusionMatrix::from_labels(labels().view(), y)?.f1(),
            Metric::Mse => metrics::regression_metrics(outputs, y)?.mse,
            Metric::R2 => metrics::regression_metrics(outputs, y)?.r2,
        })
    }
}

/// Classes of probabilities: 1 where `a > 0.5`, else 0.
fn labels<T: Float>(outputs: ArrayView2<T>) -> ndarray::Array2<T> {
    let half = T::from_f64(0.5);
    outputs.mapv(|a| if a > half { T::one() } else { T::zero() })
}

/// Whether every output falls on the same side of 0.5 (or, for k classes, has the same
/// argmax): a classifier that says one class whatever the input.
fn one_class<T: Float>(outputs: ArrayView2<T>) -> bool {
    if outputs.nrows() > 1 {
        let classes = metrics::classes_of(outputs);
        return classes.iter().all(|&c| c == classes[0]);
    }
    let half = T::from_f64(0.5);
    let mut sides = outputs.iter().map(|&a| a > half);
    let first = sides.next();
    sides.all(|side| Some(side) == first)
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Metric::ALL.into_iter().find(|m| m.name() == text).ok_or_else(|| Error::Parse {
            what: "metric",
            input: text.to_string(),
            expected: "accuracy, log-loss, f1, macro-f1 (classification), mse or r2 (regression)",
        })
    }
}

/// What every trial of a search shares.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSettings {
    /// The output layer's activation: sigmoid (two classes), softmax (k classes) or linear
    /// (regression).
    pub output: Activation,
    /// n\[L\], the output units: k for a softmax, else 1.
    pub outputs: usize,
    /// What the score measures.
    pub metric: Metric,
    /// The Gram form of the first layer, as for [`TrainConfig`].
    pub gram: GramMode,
    /// Whether zero initialisation is allowed with hidden layers.
    pub allow_symmetry: bool,
    /// Threads each trial's matrix products use (at least 1).
    pub threads_per_trial: usize,
}

impl SearchSettings {
    /// Checks that a trial can be trained with these settings: its architecture, its
    /// initialisation and its learning rate and iterations. Run on every trial before the
    /// search starts, so that a bad value fails at once (no weights are drawn).
    pub fn check(&self, trial: &Trial, n_x: usize) -> Result<()> {
        self.architecture(trial, n_x)?;
        self.config(trial).check()?;
        Ok(())
    }

    /// A trial's architecture, its initialisation checked against it (zeros with hidden
    /// layers only when symmetry is allowed).
    fn architecture(&self, trial: &Trial, n_x: usize) -> Result<Architecture> {
        let sizes: Vec<usize> =
            std::iter::once(n_x).chain(trial.layers.iter().copied()).chain(std::iter::once(self.outputs)).collect();
        let arch = Architecture::new(&sizes, trial.hidden_activation, self.output)?;
        if !self.allow_symmetry {
            arch.check_init(trial.init)?;
        }
        Ok(arch)
    }

    /// A trial's training: its learning rate and iterations, its regimen (mini-batches
    /// shuffled and dropout masks drawn from its seed).
    fn config(&self, trial: &Trial) -> TrainConfig {
        let regimen = trial.regimen;
        let optimizer = regimen.optimizer.with(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
        let mut config = TrainConfig::new(trial.learning_rate, trial.iterations)
            .with_threads(self.threads_per_trial)
            .with_gram(self.gram)
            .with_optimizer(optimizer)
            .with_l2(regimen.l2);
        if let Some(size) = regimen.batch_size {
            config = config.with_batches(size, trial.seed);
        }
        if regimen.keep_prob < 1.0 {
            config = config.with_dropout(Dropout {
                keep_prob: vec![regimen.keep_prob],
                seed: trial.seed,
                reseed_every_pass: false,
            });
        }
        config
    }

    /// The network a trial starts from: its architecture with its initialisation, drawn
    /// with its seed.
    pub fn initial_network<T: Float>(&self, trial: &Trial, n_x: usize) -> Result<Network<T>> {
        let arch = self.architecture(trial, n_x)?;
        Ok(Network::init_allowing_symmetry(&arch, trial.init, &mut NumpyRng::new(trial.seed)))
    }

    /// Trains a trial's network on all of X and Y (to keep the best one), stopping early
    /// when `stop` is set. Returns the network and its cost history.
    pub fn train<T: Float>(
        &self,
        trial: &Trial,
        x: &ndarray::Array2<T>,
        y: &ndarray::Array2<T>,
        stop: &AtomicBool,
    ) -> Result<(Network<T>, crate::History)> {
        let network = self.initial_network(trial, x.nrows())?;
        let config = self.config(trial).check()?;
        fit_with(network, x.view(), y.view(), &config, until(stop))
    }
}

/// A callback for [`fit_with`] that stops training once `stop` is set.
fn until(stop: &AtomicBool) -> impl FnMut(Progress) -> ControlFlow<()> + Send + '_ {
    |_| if stop.load(Ordering::Relaxed) { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
}

/// How a trial ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Trained and scored.
    Done,
    /// Its cost became NaN or infinite, or exploded (training stopped it: see
    /// [`crate::Divergence`]); it has no score.
    Diverged,
    /// Trained and scored, but a classifier that predicts one class for every validation
    /// example, in every fold: a constant predictor, whatever its score. It is never the
    /// best trial while another one predicts both classes.
    OneClass,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Done => "done",
            Status::Diverged => "diverged",
            Status::OneClass => "one-class",
        })
    }
}

/// A finished trial's results.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    /// The metric on the validation examples (the mean over folds); `None` when diverged.
    pub score: Option<f64>,
    /// The last training cost (the mean over folds); `None` when diverged.
    pub train_cost: Option<f64>,
    /// Wall-clock time of training and scoring.
    pub seconds: f64,
    /// Whether it finished, diverged, or predicts one class only.
    pub status: Status,
}

/// Trains `trial` on each fold's training part and scores it on the fold's validation
/// part; a classifier whose validation predictions are all one class in every fold is
/// [`Status::OneClass`]. Returns `None` when `stop` was set before it finished (an interrupted trial has
/// no result).
pub fn run_trial<T: Float>(
    trial: &Trial,
    folds: &[Fold<T>],
    settings: &SearchSettings,
    stop: &AtomicBool,
) -> Result<Option<Outcome>> {
    let start = Instant::now();
    let config = settings.config(trial).check()?;
    let (mut score, mut cost) = (0.0, 0.0);
    let mut every_fold_one_class = true;
    let diverged = |start: Instant| Outcome {
        score: None,
        train_cost: None,
        seconds: start.elapsed().as_secs_f64(),
        status: Status::Diverged,
    };
    for fold in folds {
        let network = settings.initial_network::<T>(trial, fold.x_train.nrows())?;
        let (network, history) = fit_with(network, fold.x_train.view(), fold.y_train.view(), &config, until(stop))?;
        if history.diverged.is_some() {
            return Ok(Some(diverged(start)));
        }
        if history.stopped_early {
            return Ok(None);
        }
        let outputs = network.predict_proba(fold.x_valid.view())?;
        let fold_score = settings.metric.score_outputs(outputs.view(), fold.y_valid.view())?;
        if !fold_score.is_finite() {
            return Ok(Some(diverged(start)));
        }
        every_fold_one_class &= settings.metric.is_for_classification() && one_class(outputs.view());
        score += fold_score;
        cost += history.final_cost().unwrap_or(f64::NAN);
    }
    let n = folds.len() as f64;
    Ok(Some(Outcome {
        score: Some(score / n),
        train_cost: Some(cost / n),
        seconds: start.elapsed().as_secs_f64(),
        status: if every_fold_one_class { Status::OneClass } else { Status::Done },
    }))
}

/// Runs `trials` on `jobs` threads at once (each trial's products on
/// `settings.threads_per_trial` threads), calling `on_done` on the calling thread as each
/// finishes, in the order they finish. Interrupted trials (`stop` set) are not reported.
/// Each trial's result is the same whatever `jobs` is.
pub fn run_trials<T: Float, E: From<Error>>(
    trials: &[Trial],
    folds: &[Fold<T>],
    settings: &SearchSettings,
    jobs: usize,
    stop: &AtomicBool,
    mut on_done: impl FnMut(&Trial, &Outcome) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<Result<(usize, Outcome)>>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, trials.len().max(1)) {
            let sender = sender.clone();
            let (next, failed) = (&next, &failed);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(trial) = trials.get(i) else { break };
                match run_trial(trial, folds, settings, stop) {
                    Ok(Some(outcome)) => {
                        let _ = sender.send(Ok((i, outcome)));
                    }
                    Ok(None) => break,
                    Err(error) => {
                        failed.store(true, Ordering::Relaxed);
                        let _ = sender.send(Err(error));
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut result = Ok(());
        for message in receiver {
            let reported = match message {
                Ok((i, outcome)) => on_done(&trials[i], &outcome),
                Err(error) => Err(E::from(error)),
            };
            if let Err(error) = reported {
                failed.store(true, Ordering::Relaxed);
                if result.is_ok() {
                    result = Err(error);
                }
            }
        }
        result
    })
}
