//! What `dnn train` makes of how training went: a diverged run fails, keeping the last
//! network whose cost was finite only when asked (`--keep-diverged`); a finished run's
//! diagnoses are printed as warnings.

use anyhow::{bail, Result};
use dnn::data::Task;
use dnn::diagnose::diagnose;
use dnn::{fit, Divergence, Float, History, Network, TrainConfig, ValidTrainConfig};
use ndarray::ArrayView2;
use serde_json::json;

use crate::cli::TrainArgs;
use crate::Internal;

/// The network to go on with after training diverged: with `--keep-diverged`, the last one
/// whose cost was finite (`trained` itself when its cost is finite and only grew too far,
/// otherwise `initial` retrained to one update before it: training is deterministic).
/// Without the flag, prints the JSON report (with `--json`) and returns the error that ends
/// the command; nothing is saved.
pub fn keep_diverged<T: Float>(
    args: &TrainArgs,
    history: &History,
    trained: Network<T>,
    initial: Option<Network<T>>,
    config: &ValidTrainConfig,
    x: ArrayView2<T>,
    y: ArrayView2<T>,
) -> Result<Network<T>> {
    let divergence = history.diverged.as_ref().expect("a diverged history");
    let Some(initial) = initial else {
        if args.json {
            let report = json!({
                "final_cost": history.final_cost(),
                "iterations": history.costs.len(),
                "learning_rate": config.learning_rate(),
                "diverged": report(divergence),
                "model": null,
            });
            outln!("{report}");
        }
        return Err(error(args, history));
    };
    match divergence.last_finite_updates() {
        None => bail!(Internal(format!("{divergence}; no network had a finite cost, so none is saved"))),
        Some(updates) if updates == divergence.iteration => Ok(trained),
        Some(0) => Ok(initial),
        Some(updates) => {
            let config = TrainConfig { iterations: updates, ..config.config().clone() }.check()?;
            Ok(fit(initial, x, y, &config)?.0)
        }
    }
}

/// The error that ends a diverged run (exit code 1), or `Ok` when training did not diverge.
pub fn finish(args: &TrainArgs, history: &History) -> Result<()> {
    match history.diverged {
        Some(_) => Err(error(args, history)),
        None => Ok(()),
    }
}

fn error(args: &TrainArgs, history: &History) -> anyhow::Error {
    let divergence = history.diverged.as_ref().expect("a diverged history");
    let saved = match (&args.model, args.keep_diverged) {
        (None, _) => String::new(),
        (Some(path), true) => format!("; {} holds the last network whose cost was finite", path.display()),
        (Some(_), false) => "; no model saved (--keep-diverged saves the last network whose cost was finite)".into(),
    };
    anyhow::Error::new(Internal(format!("{divergence}{saved}")))
}

/// The divergence as `--json` reports it (a NaN or infinite cost as null).
pub fn report(divergence: &Divergence) -> serde_json::Value {
    json!({
        "iteration": divergence.iteration,
        "cost": divergence.cost,
        "first_cost": divergence.first_cost,
        "learning_rate": divergence.learning_rate,
        "suggested_learning_rate": divergence.suggested_learning_rate(),
        "message": divergence.to_string(),
    })
}

/// Diagnoses a finished run (see [`dnn::diagnose`]) on its training inputs X as the network
/// saw them: prints each warning as one line `warning: …` on stderr and returns them as
/// `--json` lists them. None for a diverged run, which has its own error.
pub fn warnings<T: Float>(
    network: &Network<T>,
    x: ArrayView2<T>,
    history: &History,
    task: Task,
    feature_names: Option<&[String]>,
) -> Result<Vec<serde_json::Value>> {
    if history.diverged.is_some() {
        return Ok(Vec::new());
    }
    let predicted = match task {
        // The one-class diagnosis reads 0/1 predictions of a sigmoid output.
        Task::Classification if network.n_out() == 1 => Some(network.predict(x, T::from_f64(0.5))?),
        Task::Classification | Task::Regression => None,
    };
    let mut listed = Vec::new();
    for warning in diagnose(history, predicted.as_ref().map(|p| p.view()), x, feature_names) {
        eprintln!("warning: {warning}");
        let mut value = serde_json::to_value(&warning)?;
        value["message"] = warning.to_string().into();
        listed.push(value);
    }
    Ok(listed)
}
