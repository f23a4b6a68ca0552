//! Running a search's pending trials: progress, the log, Ctrl-C, the table, the plot, and
//! retraining the best trial for `--model`.

use std::path::Path;
use std::sync::atomic::Ordering;

use anyhow::{bail, Result};
use dnn::data::{Dataset, Preprocessing, Scale};
use dnn::model_file::{self, ModelInfo};
use dnn::search::{self, Fold, SearchSettings, Status, Trial};
use dnn::Float;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use super::log::{LogWriter, Record};
use super::plot::draw;
use super::rank::{best, rank};
use super::table::{format_score, print_table};
use crate::cli::SearchRunArgs;

// Set by Ctrl-C (or SIGTERM, SIGHUP): running trials stop, finished ones are kept.
use crate::signals::STOP;

/// Everything a search run needs after its checks.
pub struct Job<'a> {
    pub args: &'a SearchRunArgs,
    pub settings: SearchSettings,
    /// Trials trained at once (the cores are shared among them: `settings.threads_per_trial`).
    pub jobs: usize,
    pub preprocessing: Preprocessing,
    pub validation_text: String,
    /// Trials of this shard, finished before or not.
    pub total: usize,
}

impl Job<'_> {
    pub fn run<T: Float>(
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
                let result = match (outcome.score, outcome.status) {
                    (Some(score), Status::OneClass) => {
                        format!("{metric} {}, predicts one class only", format_score(metric, score))
                    }
                    (Some(score), _) => format!("{metric} {}", format_score(metric, score)),
                    (None, _) => "diverged".to_string(),
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
            let Some(best) = best(records) else {
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
        if let Some(divergence) = history.diverged {
            bail!("trial {} retrained on all {} examples: {divergence}; no model saved", trial.index, data.m());
        }
        let info = ModelInfo {
            preprocessing: Preprocessing { scale, ..self.preprocessing.clone() },
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
