//! The flags of the second course (mini-batches, optimizers, decay, L2, dropout, early
//! stopping), checked one by one with the flag's name in the message, and turned into the
//! library's [`TrainConfig`] and a validation split.

use anyhow::{bail, Result};
use dnn::data::Dataset;
use dnn::search::{splits, Validation};
use dnn::{Decay, Dropout, OptimizerKind, TrainConfig};

use crate::cli::OptimizationArgs;

/// What the flags ask for, checked as far as they can be without the data.
pub struct Regimen {
    /// The optimizer's name.
    pub optimizer: OptimizerKind,
    args_seed: u32,
}

/// An epoch count for mini-batches when neither --epochs nor --iterations is given.
pub const DEFAULT_EPOCHS: usize = 100;

/// A learning rate for Adam and RMSprop on a data file when --learning-rate is not given
/// (their steps are about α whatever the gradient's size).
pub const ADAPTIVE_LEARNING_RATE: f64 = 0.001;

impl Regimen {
    /// Checks every flag that needs no data: the optimizer's name, β₁, β₂ and ε, the batch
    /// size, decay, λ, keep probabilities, patience; and that --epochs and --iterations are
    /// not both given.
    pub fn check(args: &OptimizationArgs, iterations_given: bool, seed: u32) -> Result<Regimen> {
        let Ok(optimizer) = args.optimizer.parse::<OptimizerKind>() else {
            bail!("invalid --optimizer '{}': expected gd, momentum, rmsprop or adam", args.optimizer);
        };
        if args.epochs.is_some() && iterations_given {
            bail!("--epochs and --iterations count the same passes over the data: give one of them");
        }
        if args.epochs == Some(0) {
            bail!("invalid --epochs 0: expected at least 1");
        }
        if args.batch_size == Some(0) {
            bail!("invalid --batch-size 0: expected at least 1 example per batch");
        }
        for (flag, value) in [("--beta1", args.beta1), ("--beta2", args.beta2)] {
            if !(0.0..1.0).contains(&value) {
                bail!("invalid {flag} {value}: expected a number in [0, 1)");
            }
        }
        if !(args.epsilon.is_finite() && args.epsilon > 0.0) {
            bail!("invalid --epsilon {}: expected a number greater than 0", args.epsilon);
        }
        if let Some(rate) = args.decay {
            if !(rate.is_finite() && rate >= 0.0) {
                bail!("invalid --decay {rate}: expected a rate of at least 0");
            }
        }
        match (args.decay_every, args.decay) {
            (Some(0), _) => bail!("invalid --decay-every 0: expected at least 1 epoch"),
            (Some(_), None) => bail!("--decay-every needs --decay RATE: the rate it applies in steps"),
            _ => {}
        }
        if let Some(lambda) = args.l2 {
            if !(lambda.is_finite() && lambda >= 0.0) {
                bail!("invalid --l2 {lambda}: expected a number of at least 0");
            }
        }
        keep_probs(args)?;
        if let Some(fraction) = args.validation {
            if !(fraction > 0.0 && fraction < 1.0) {
                bail!("invalid --validation {fraction}: expected a fraction between 0 and 1, such as 0.1");
            }
        }
        match (args.patience, args.validation) {
            (Some(0), _) => bail!("invalid --patience 0: expected at least 1 epoch"),
            (Some(_), None) => bail!("--patience needs --validation FRACTION: the held-out data it watches"),
            _ => {}
        }
        Ok(Regimen { optimizer, args_seed: seed })
    }

    /// Whether the run uses mini-batches (then it counts epochs).
    pub fn uses_batches(args: &OptimizationArgs) -> bool {
        args.batch_size.is_some()
    }

    /// The library configuration: `base` (learning rate, epochs, threads, Gram form) with
    /// the flags' settings, for a network with `hidden_layers` hidden layers trained on `m`
    /// examples. Prints a note when the batch size is at least m.
    pub fn config(
        &self,
        args: &OptimizationArgs,
        base: TrainConfig,
        hidden_layers: usize,
        m: usize,
        human: bool,
    ) -> Result<TrainConfig> {
        let mut config = base.with_optimizer(self.optimizer.with(args.beta1, args.beta2, args.epsilon));
        if let Some(size) = args.batch_size {
            if size >= m && human {
                eprintln!(
                    "note: --batch-size {size} is not less than the {m} training examples: one batch of all of them"
                );
            }
            config = config.with_batches(size, args.shuffle_seed.unwrap_or(self.args_seed));
        }
        if let Some(rate) = args.decay {
            config = config.with_decay(Decay { rate, every: args.decay_every });
        }
        if let Some(lambda) = args.l2 {
            config = config.with_l2(lambda);
        }
        if let Some(keep_prob) = keep_probs(args)? {
            if hidden_layers == 0 {
                bail!("--keep-prob needs a hidden layer: dropout acts on hidden units");
            }
            if keep_prob.len() != 1 && keep_prob.len() != hidden_layers {
                bail!(
                    "invalid --keep-prob {}: expected one probability, or one per hidden layer ({hidden_layers})",
                    args.keep_prob.as_deref().unwrap_or_default()
                );
            }
            let seed = args.dropout_seed.unwrap_or(self.args_seed);
            config = config.with_dropout(Dropout { keep_prob, seed, reseed_every_pass: args.dropout_reseed });
        }
        if let Some(patience) = args.patience {
            config = config.with_patience(patience);
        }
        Ok(config)
    }
}

/// `--keep-prob` as numbers, each in (0, 1].
fn keep_probs(args: &OptimizationArgs) -> Result<Option<Vec<f64>>> {
    let Some(text) = &args.keep_prob else { return Ok(None) };
    let values: Vec<f64> = text
        .split(',')
        .map(|part| match part.trim().parse::<f64>() {
            Ok(p) if p > 0.0 && p <= 1.0 => Ok(p),
            _ => bail!("invalid --keep-prob '{text}': expected probabilities in (0, 1], such as 0.86 or 0.8,0.9"),
        })
        .collect::<Result<_>>()?;
    Ok(Some(values))
}

/// Splits off `fraction` of `train` for validation, stratified by class (for a classifier)
/// and seeded; refuses a split that leaves a class without training or validation examples.
pub fn hold_out(train: &mut Dataset, fraction: f64, classify: bool, seed: u32, spec: &str) -> Result<Dataset> {
    let split = splits(&train.y, Validation::HoldOut { fraction }, classify, seed)
        .map_err(|e| anyhow::anyhow!("--validation {fraction}: {e}"))?
        .remove(0);
    if classify {
        let class_name = |c: f64| match &train.class_names {
            Some(names) => format!("'{}'", names[c as usize]),
            None => format!("{c}"),
        };
        let mut classes: Vec<f64> = train.y.iter().copied().collect();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        for &c in &classes {
            let count = |part: &[usize]| part.iter().filter(|&&j| train.y[(0, j)] == c).count();
            let total = count(&split.train) + count(&split.validation);
            if count(&split.validation) == 0 {
                bail!(
                    "--validation {fraction} leaves class {} of {spec} without validation examples \
                     (it has {total}): use a larger fraction",
                    class_name(c)
                );
            }
            if count(&split.train) == 0 {
                bail!(
                    "--validation {fraction} leaves class {} of {spec} without training examples \
                     (it has {total}): use a smaller fraction",
                    class_name(c)
                );
            }
        }
    }
    let mut validation = train.clone();
    validation.select_examples(&split.validation);
    train.select_examples(&split.train);
    Ok(validation)
}

/// The settings of the second course in one line, e.g. "adam (beta1 0.9, beta2 0.999,
/// epsilon 0.00000001), learning rate 0.0007, mini-batches of 64 (shuffle seed 10),
/// 10000 epochs".
pub fn describe(config: &TrainConfig, best_epoch: Option<u64>) -> String {
    let unit = if config.batch_size.is_some() { "epochs" } else { "iterations" };
    let mut parts =
        vec![config.optimizer.to_string(), format!("learning rate {}", dnn::number::written(config.learning_rate))];
    if let Some(size) = config.batch_size {
        parts.push(format!("mini-batches of {size} (shuffle seed {})", config.shuffle_seed));
    }
    parts.push(format!("{} {unit}", config.iterations));
    if let Some(decay) = config.decay {
        parts.push(match decay.every {
            Some(every) => format!("decay {} every {every} epochs", decay.rate),
            None => format!("decay {}", decay.rate),
        });
    }
    if config.l2 > 0.0 {
        parts.push(format!("L2 {}", config.l2));
    }
    if let Some(dropout) = &config.dropout {
        let keep: Vec<String> = dropout.keep_prob.iter().map(f64::to_string).collect();
        let reseed = if dropout.reseed_every_pass { ", the same masks every pass" } else { "" };
        parts.push(format!("dropout keep {} (seed {}{reseed})", keep.join(","), dropout.seed));
    }
    if let Some(patience) = config.patience {
        let best = best_epoch.map_or(String::new(), |b| format!(", best epoch {b}"));
        parts.push(format!("early stopping after {patience} epochs{best}"));
    }
    parts.join(", ")
}
