//! Training from Python: the estimators' hyperparameters become the library's
//! [`TrainConfig`], checked by it, and [`fit_validated`] runs with the GIL released, on a
//! thread of its own while the calling thread watches for Ctrl-C.
//!
//! Python runs signal handlers only on its main thread, and the library trains inside a
//! thread pool of its own when it uses more than one thread, so the check for Ctrl-C cannot
//! sit in the callback: the calling thread checks Python's signals every 50 ms and asks the
//! callback to stop, which it does after the current epoch. The `KeyboardInterrupt` is then
//! raised and the network keeps what it learned so far.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use dnn::search::{splits, Validation};
use dnn::{fit_validated, Float, History, Loss, Network, OptimizerKind, TrainConfig};
use ndarray::{Array2, ArrayView2, Axis};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::errors::OrPy;

/// How often the calling thread looks for Ctrl-C while training runs.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// The hyperparameters of one training, as the estimators name them.
pub struct Settings {
    pub learning_rate: f64,
    pub epochs: usize,
    pub optimizer: String,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// `None`: one batch of all examples.
    pub batch_size: Option<usize>,
    /// The seed of the mini-batches' shuffles and of the validation split.
    pub seed: u32,
    pub l2: f64,
    /// The fraction of the examples held out for early stopping.
    pub validation_fraction: Option<f64>,
    pub patience: Option<usize>,
    /// 0: all cores.
    pub threads: usize,
    pub verbose: bool,
}

impl Settings {
    /// The library's checked configuration.
    fn config(&self) -> PyResult<dnn::ValidTrainConfig> {
        let kind: OptimizerKind = self.optimizer.parse().or_py()?;
        let mut config = TrainConfig::new(self.learning_rate, self.epochs)
            .with_threads(self.threads)
            .with_optimizer(kind.with(self.beta1, self.beta2, self.epsilon))
            .with_l2(self.l2);
        if let Some(size) = self.batch_size {
            config = config.with_batches(size, self.seed);
        }
        if let Some(patience) = self.patience {
            config = config.with_patience(patience);
        }
        config.check().or_py()
    }
}

/// Trains a copy of `network` on X (n_x × m) and `y_rows` (m × t: class indexes for a
/// softmax output, else the targets) and returns it with its history.
pub fn fit<T: Float>(
    py: Python<'_>,
    network: &Network<T>,
    x: ArrayView2<T>,
    y_rows: ArrayView2<f64>,
    settings: &Settings,
) -> PyResult<(Network<T>, History)> {
    let config = settings.config()?;
    network.check_input(x).or_py()?;
    let classify = network.loss() != Loss::MeanSquaredError;
    let y = match network.loss() {
        Loss::CategoricalCrossEntropy if y_rows.ncols() == 1 => {
            dnn::data::one_hot(&y_rows.t().to_owned(), network.n_out()).mapv(T::from_f64)
        }
        _ => y_rows.t().mapv(T::from_f64),
    };
    network.check_labels(y.view(), x.ncols()).or_py()?;
    let held_out = match settings.validation_fraction {
        Some(fraction) => Some(hold_out(x, y.view(), y_rows, fraction, classify, settings.seed)?),
        None => None,
    };
    let (x, y) = match &held_out {
        Some(parts) => (parts.x.view(), parts.y.view()),
        None => (x, y.view()),
    };
    let validation = held_out.as_ref().map(|parts| (parts.x_val.view(), parts.y_val.view()));
    check_memory(network, &config, x.ncols())?;

    let m = x.ncols();
    let unit = if config.batch_size(m) < m { "epoch" } else { "iteration" };
    let print_every = if config.iterations() >= 10_000 { 1000 } else { 100 };
    let initial = network.clone();
    let (outcome, interrupted) = watched(py, |stop| {
        let on_epoch = |progress: dnn::Progress| {
            let last = progress.iteration + 1 == progress.iterations;
            if settings.verbose && (progress.iteration.is_multiple_of(print_every) || last) {
                let mut line = format!("Cost after {unit} {}: {:.6}", progress.iteration, progress.cost);
                if let Some(cost) = progress.validation_cost {
                    line.push_str(&format!("  validation cost: {cost:.6}"));
                }
                print_line(&line);
            }
            if stop.load(Ordering::Relaxed) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        fit_validated(initial, x, y, validation, &config, on_epoch)
    })?;
    let (trained, history) = outcome.or_py()?;
    if let Some(signal) = interrupted {
        return Err(signal);
    }
    if let Some(divergence) = &history.diverged {
        return Err(PyValueError::new_err(divergence.to_string()));
    }
    Ok((trained, history))
}

/// Runs `work` with the GIL released, on a thread of its own, while the calling thread checks
/// Python's signals every [`SIGNAL_CHECK`]; at the first signal handler that raises (Ctrl-C's
/// `KeyboardInterrupt`), the flag `work` is given turns true, and `work`'s result comes back
/// with that exception. A panic in `work` becomes a `RuntimeError`.
pub fn watched<R: Send>(py: Python<'_>, work: impl FnOnce(&AtomicBool) -> R + Send) -> PyResult<(R, Option<PyErr>)> {
    let stop = AtomicBool::new(false);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (outcome, interrupted) = py.detach(move || {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                let outcome = work(&stop);
                // The receiver waits for this or for the sender's drop; either ends its wait.
                let _ = done_tx.send(());
                outcome
            });
            let mut interrupted = None;
            loop {
                match done_rx.recv_timeout(SIGNAL_CHECK) {
                    Err(mpsc::RecvTimeoutError::Timeout) if interrupted.is_none() => {
                        if let Err(signal) = Python::attach(|py| py.check_signals()) {
                            interrupted = Some(signal);
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            (worker.join(), interrupted)
        })
    });
    let outcome = outcome.map_err(|_| PyRuntimeError::new_err("training failed: an internal error in dnn"))?;
    Ok((outcome, interrupted))
}

/// The training and validation parts of a seeded hold-out (stratified for a classifier).
struct HeldOut<T> {
    x: Array2<T>,
    y: Array2<T>,
    x_val: Array2<T>,
    y_val: Array2<T>,
}

/// Splits off `fraction` of the examples with the library's split (the one `dnn train
/// --validation` uses).
fn hold_out<T: Float>(
    x: ArrayView2<T>,
    y: ArrayView2<T>,
    y_rows: ArrayView2<f64>,
    fraction: f64,
    classify: bool,
    seed: u32,
) -> PyResult<HeldOut<T>> {
    let labels = y_rows.column(0).to_owned().insert_axis(Axis(0));
    let split = splits(&labels, Validation::HoldOut { fraction }, classify, seed).or_py()?.remove(0);
    Ok(HeldOut {
        x: x.select(Axis(1), &split.train),
        y: y.select(Axis(1), &split.train),
        x_val: x.select(Axis(1), &split.validation),
        y_val: y.select(Axis(1), &split.validation),
    })
}

/// Refuses a training that needs more memory than is free, as `dnn train` does.
fn check_memory<T: Float>(network: &Network<T>, config: &dnn::ValidTrainConfig, m: usize) -> PyResult<()> {
    let needed = dnn::memory::configured_training_bytes(&network.architecture(), m, config, T::DTYPE);
    dnn::memory::check_fits("training", needed).or_py()
}

/// Prints one line on Python's `sys.stdout` (so that notebooks and pytest see it).
pub fn print_line(line: &str) {
    Python::attach(|py| {
        let written = py
            .import("sys")
            .and_then(|sys| sys.getattr("stdout"))
            .and_then(|out| out.call_method1("write", (format!("{line}\n"),)));
        if let Err(error) = written {
            error.print(py);
        }
    });
}
