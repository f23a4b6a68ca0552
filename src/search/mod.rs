//! Hyperparameter search: the course's "try values and see" made systematic.
//!
//! A [`SearchSpace`] lists the values to try for each hyperparameter (or a range to sample
//! from); [`SearchSpace::trials`] turns it into a deterministic list of [`Trial`]s, every
//! combination ([`Sampling::Grid`]) or a seeded sample ([`Sampling::Random`]). Each trial is
//! trained and scored on [`Fold`]s made by [`splits`] (a stratified hold-out, k-fold
//! cross-validation, or the training data itself), by [`run_trial`]; [`run_trials`] runs
//! many in parallel. Scores do not depend on how many run at once.

mod run;
mod split;

pub use run::{run_trial, run_trials, Metric, Outcome, SearchSettings, Status};
pub use split::{splits, Fold, Split, Validation};

use std::fmt;

use crate::optimizer::OptimizerKind;
use crate::{Activation, Error, Init, NumpyRng, Result};

/// The values to try for one numeric hyperparameter: a list, or a range `low..high` that
/// random search samples from.
#[derive(Debug, Clone, PartialEq)]
pub enum Values<T> {
    /// Exactly these values.
    List(Vec<T>),
    /// Anything from `low` to `high` inclusive (log-uniformly for the learning rate,
    /// uniformly for the iteration count). Random search only.
    Range {
        /// The smallest value.
        low: T,
        /// The largest value.
        high: T,
    },
}

impl<T: Copy> Values<T> {
    fn len(&self) -> Option<usize> {
        match self {
            Values::List(values) => Some(values.len()),
            Values::Range { .. } => None,
        }
    }

    /// Value `i` of a list (a grid has lists only).
    fn at(&self, i: usize) -> T {
        match self {
            Values::List(values) => values[i],
            Values::Range { .. } => unreachable!("a grid has lists only"),
        }
    }
}

/// Every hyperparameter's candidate values. Each list must be non-empty.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpace {
    /// Hidden layer sizes to try; an empty list of sizes is logistic regression.
    pub layers: Vec<Vec<usize>>,
    /// Activations of every hidden layer.
    pub hidden_activations: Vec<Activation>,
    /// Weight initialisations.
    pub inits: Vec<Init>,
    /// Learning rates α.
    pub learning_rates: Values<f64>,
    /// Iteration counts.
    pub iterations: Values<usize>,
    /// Initialisation seeds (each trial's mini-batches and dropout masks draw from its seed
    /// too).
    pub seeds: Vec<u32>,
    /// Optimizers (with their default β₁, β₂ and ε).
    pub optimizers: Vec<OptimizerKind>,
    /// Mini-batch sizes; `None` is one full batch.
    pub batch_sizes: Vec<Option<usize>>,
    /// L2 strengths λ (0 is none).
    pub l2s: Vec<f64>,
    /// Dropout's keep probabilities, one for every hidden layer (1 is none).
    pub keep_probs: Vec<f64>,
}

/// How a trial trains past full-batch gradient descent: the second course's settings a
/// search can vary. The default is the first course's training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regimen {
    /// The optimizer, with its default β₁, β₂ and ε.
    pub optimizer: OptimizerKind,
    /// The mini-batch size; `None` is one full batch.
    pub batch_size: Option<usize>,
    /// λ of L2 regularisation.
    pub l2: f64,
    /// Dropout's keep probability for every hidden layer.
    pub keep_prob: f64,
}

impl Default for Regimen {
    fn default() -> Self {
        Regimen { optimizer: OptimizerKind::GradientDescent, batch_size: None, l2: 0.0, keep_prob: 1.0 }
    }
}

impl Regimen {
    /// The settings that differ from the default, as `key=value` pairs.
    fn key_parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if self.optimizer != OptimizerKind::GradientDescent {
            parts.push(format!("optimizer={}", self.optimizer));
        }
        if let Some(size) = self.batch_size {
            parts.push(format!("batch_size={size}"));
        }
        if self.l2 != 0.0 {
            parts.push(format!("l2={}", self.l2));
        }
        if self.keep_prob != 1.0 {
            parts.push(format!("keep_prob={}", self.keep_prob));
        }
        parts
    }
}

impl fmt::Display for Regimen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = vec![self.optimizer.to_string()];
        if let Some(size) = self.batch_size {
            parts.push(format!("batches of {size}"));
        }
        if self.l2 != 0.0 {
            parts.push(format!("L2 {}", crate::number::written(self.l2)));
        }
        if self.keep_prob != 1.0 {
            parts.push(format!("keep {}", self.keep_prob));
        }
        f.write_str(&parts.join(", "))
    }
}

/// How trials are drawn from a [`SearchSpace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// Every combination of the listed values, in a fixed order (layers vary slowest,
    /// seeds fastest).
    Grid,
    /// `trials` combinations drawn with a generator seeded by `seed`: without repetition
    /// when every hyperparameter is a list (the whole grid when it has at most `trials`
    /// points), otherwise each value drawn independently (ranges log-uniformly for the
    /// learning rate, uniformly for iterations).
    Random {
        /// How many trials to draw.
        trials: usize,
        /// The generator's seed.
        seed: u32,
    },
}

/// The most trials a search may hold.
pub const MAX_TRIALS: usize = 1_000_000;

/// One combination of hyperparameters to train and score.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// Position in the search's trial list, from 0.
    pub index: usize,
    /// Hidden layer sizes.
    pub layers: Vec<usize>,
    /// Activation of every hidden layer.
    pub hidden_activation: Activation,
    /// Weight initialisation.
    pub init: Init,
    /// Learning rate α.
    pub learning_rate: f64,
    /// Gradient descent iterations (epochs with mini-batches).
    pub iterations: usize,
    /// Initialisation seed.
    pub seed: u32,
    /// Optimizer, mini-batches and regularisation.
    pub regimen: Regimen,
}

impl Trial {
    /// The hidden sizes as the command line writes them: `20,7,5`, or empty for none.
    pub fn layers_text(&self) -> String {
        self.layers.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
    }

    /// The hyperparameters as one line of text, equal for equal trials whatever their
    /// index (the learning rate in its shortest exact form). Settings of the [`Regimen`] are
    /// named only when they differ from the default, so a trial of the first course's
    /// training has the key it had before they existed.
    pub fn key(&self) -> String {
        let mut key = format!(
            "layers={} hidden_activation={} init={} learning_rate={} iterations={} seed={}",
            self.layers_text(),
            self.hidden_activation,
            self.init,
            self.learning_rate,
            self.iterations,
            self.seed
        );
        for part in self.regimen.key_parts() {
            key.push(' ');
            key.push_str(&part);
        }
        key
    }
}

impl fmt::Display for Trial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layers = if self.layers.is_empty() { "none".to_string() } else { self.layers_text() };
        let unit = if self.regimen.batch_size.is_some() { "epochs" } else { "iterations" };
        write!(
            f,
            "layers {layers}, {}, init {}, learning rate {}, {} {unit}, seed {}",
            self.hidden_activation,
            self.init,
            crate::number::written(self.learning_rate),
            self.iterations,
            self.seed
        )?;
        if self.regimen != Regimen::default() {
            write!(f, ", {}", self.regimen)?;
        }
        Ok(())
    }
}

impl SearchSpace {
    /// The trials to run, indexed from 0 in order. The same space and sampling always give
    /// the same list.
    ///
    /// A network without hidden layers has no hidden activation: such trials take the first
    /// listed one, and a trial equal to an earlier one is left out.
    pub fn trials(&self, sampling: Sampling) -> Result<Vec<Trial>> {
        self.check()?;
        let mut trials = self.draw(sampling)?;
        let first_activation = self.hidden_activations[0];
        let mut seen = std::collections::HashSet::new();
        trials.retain_mut(|trial| {
            if trial.layers.is_empty() {
                trial.hidden_activation = first_activation;
            }
            seen.insert(trial.key())
        });
        for (index, trial) in trials.iter_mut().enumerate() {
            trial.index = index;
        }
        Ok(trials)
    }

    fn draw(&self, sampling: Sampling) -> Result<Vec<Trial>> {
        match sampling {
            Sampling::Grid => {
                let size = self.grid_size().ok_or_else(|| Error::InvalidHyperparameter {
                    name: "search space",
                    value: "a range".into(),
                    expected: "lists of values for a grid search (ranges need random search)",
                })?;
                Ok((0..size).map(|point| self.grid_point(point)).collect())
            }
            Sampling::Random { trials, seed } => {
                if trials == 0 {
                    return Err(Error::InvalidHyperparameter {
                        name: "number of random trials",
                        value: "0".into(),
                        expected: "at least 1",
                    });
                }
                if trials > MAX_TRIALS {
                    return Err(too_many(trials));
                }
                let mut rng = NumpyRng::new(seed);
                match self.grid_size() {
                    Some(size) if size <= trials => self.draw(Sampling::Grid),
                    Some(size) => {
                        let mut points: Vec<usize> = (0..size).collect();
                        rng.shuffle(&mut points);
                        Ok(points[..trials].iter().map(|&point| self.grid_point(point)).collect())
                    }
                    None => Ok((0..trials).map(|_| self.sample(&mut rng)).collect()),
                }
            }
        }
    }

    fn check(&self) -> Result<()> {
        let empty = |name: &'static str| Error::InvalidHyperparameter {
            name,
            value: "no values".into(),
            expected: "at least one value to try",
        };
        if self.layers.is_empty() {
            return Err(empty("layers"));
        }
        if self.hidden_activations.is_empty() {
            return Err(empty("hidden activation"));
        }
        if self.inits.is_empty() {
            return Err(empty("initialisation"));
        }
        if self.seeds.is_empty() {
            return Err(empty("seed"));
        }
        if self.optimizers.is_empty() {
            return Err(empty("optimizer"));
        }
        if self.batch_sizes.is_empty() {
            return Err(empty("batch size"));
        }
        if self.l2s.is_empty() {
            return Err(empty("L2 lambda"));
        }
        if self.keep_probs.is_empty() {
            return Err(empty("keep probability"));
        }
        match &self.learning_rates {
            Values::List(v) if v.is_empty() => return Err(empty("learning rate")),
            Values::Range { low, high } if !(*low > 0.0 && low <= high && high.is_finite()) => {
                return Err(Error::InvalidHyperparameter {
                    name: "learning rate range",
                    value: format!("{low}..{high}"),
                    expected: "0 < low ≤ high, both finite",
                })
            }
            _ => {}
        }
        match &self.iterations {
            Values::List(v) if v.is_empty() => return Err(empty("iterations")),
            Values::Range { low, high } if !(*low > 0 && low <= high) => {
                return Err(Error::InvalidHyperparameter {
                    name: "iterations range",
                    value: format!("{low}..{high}"),
                    expected: "1 ≤ low ≤ high",
                })
            }
            _ => {}
        }
        if let Some(size) = self.grid_size() {
            if size > MAX_TRIALS {
                return Err(too_many(size));
            }
        }
        Ok(())
    }

    /// The number of grid points, or `None` when a hyperparameter is a range (or the count
    /// overflows).
    fn grid_size(&self) -> Option<usize> {
        self.dimensions().iter().try_fold(1usize, |acc, d| d.and_then(|d| acc.checked_mul(d)))
    }

    fn dimensions(&self) -> [Option<usize>; 10] {
        [
            Some(self.layers.len()),
            Some(self.hidden_activations.len()),
            Some(self.inits.len()),
            self.learning_rates.len(),
            self.iterations.len(),
            Some(self.optimizers.len()),
            Some(self.batch_sizes.len()),
            Some(self.l2s.len()),
            Some(self.keep_probs.len()),
            Some(self.seeds.len()),
        ]
    }

    /// Grid point `point` (mixed radix over the dimensions, seeds fastest); its index is set
    /// by [`SearchSpace::trials`].
    fn grid_point(&self, point: usize) -> Trial {
        let dims = self.dimensions().map(|d| d.expect("a grid has lists only"));
        let mut digits = [0usize; 10];
        let mut rest = point;
        for (digit, &d) in digits.iter_mut().zip(&dims).rev() {
            *digit = rest % d;
            rest /= d;
        }
        Trial {
            index: 0,
            layers: self.layers[digits[0]].clone(),
            hidden_activation: self.hidden_activations[digits[1]],
            init: self.inits[digits[2]],
            learning_rate: self.learning_rates.at(digits[3]),
            iterations: self.iterations.at(digits[4]),
            regimen: Regimen {
                optimizer: self.optimizers[digits[5]],
                batch_size: self.batch_sizes[digits[6]],
                l2: self.l2s[digits[7]],
                keep_prob: self.keep_probs[digits[8]],
            },
            seed: self.seeds[digits[9]],
        }
    }

    /// One independent draw of every hyperparameter, in a fixed order; its index is set by
    /// [`SearchSpace::trials`].
    fn sample(&self, rng: &mut NumpyRng) -> Trial {
        fn pick<'a, T>(rng: &mut NumpyRng, values: &'a [T]) -> &'a T {
            &values[rng.below(values.len() as u32) as usize]
        }
        let layers = pick(rng, &self.layers).clone();
        let hidden_activation = *pick(rng, &self.hidden_activations);
        let init = *pick(rng, &self.inits);
        let learning_rate = match &self.learning_rates {
            Values::List(v) => *pick(rng, v),
            Values::Range { low, high } => (low.ln() + rng.uniform() * (high.ln() - low.ln())).exp().clamp(*low, *high),
        };
        let iterations = match &self.iterations {
            Values::List(v) => *pick(rng, v),
            Values::Range { low, high } => low + rng.below((high - low + 1) as u32) as usize,
        };
        let seed = *pick(rng, &self.seeds);
        // Drawn after the others, so that the first course's searches draw what they did.
        let regimen = Regimen {
            optimizer: *pick(rng, &self.optimizers),
            batch_size: *pick(rng, &self.batch_sizes),
            l2: *pick(rng, &self.l2s),
            keep_prob: *pick(rng, &self.keep_probs),
        };
        Trial { index: 0, layers, hidden_activation, init, learning_rate, iterations, seed, regimen }
    }
}

fn too_many(count: usize) -> Error {
    Error::InvalidHyperparameter { name: "number of trials", value: count.to_string(), expected: "at most 1000000" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> SearchSpace {
        SearchSpace {
            layers: vec![vec![1], vec![20, 7, 5]],
            hidden_activations: vec![Activation::Tanh, Activation::Relu],
            inits: vec![Init::Scaled(0.01)],
            learning_rates: Values::List(vec![0.1, 1.2]),
            iterations: Values::List(vec![100]),
            seeds: vec![1, 2],
            optimizers: vec![OptimizerKind::GradientDescent],
            batch_sizes: vec![None],
            l2s: vec![0.0],
            keep_probs: vec![1.0],
        }
    }

    #[test]
    fn grid_varies_seeds_fastest_and_layers_slowest() {
        let trials = space().trials(Sampling::Grid).unwrap();
        assert_eq!(trials.len(), 16);
        assert_eq!((trials[0].layers.clone(), trials[0].seed, trials[1].seed), (vec![1], 1, 2));
        assert_eq!((trials[2].learning_rate, trials[4].hidden_activation), (1.2, Activation::Relu));
        assert_eq!(trials[8].layers, vec![20, 7, 5]);
        assert!(trials.iter().enumerate().all(|(i, t)| t.index == i));
    }

    #[test]
    fn random_sampling_of_lists_draws_distinct_points_and_is_repeatable() {
        let draw = |seed| space().trials(Sampling::Random { trials: 5, seed }).unwrap();
        let trials = draw(7);
        let mut keys: Vec<String> = trials.iter().map(Trial::key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 5);
        assert_eq!(trials, draw(7));
        assert_ne!(trials, draw(8));
        // More trials than grid points: the whole grid.
        assert_eq!(space().trials(Sampling::Random { trials: 99, seed: 0 }).unwrap().len(), 16);
    }

    #[test]
    fn logistic_regression_is_tried_once_whatever_the_hidden_activations() {
        let mut space = space();
        space.layers = vec![vec![], vec![4]];
        space.learning_rates = Values::List(vec![1.2]);
        space.seeds = vec![2];
        let trials = space.trials(Sampling::Grid).unwrap();
        let described: Vec<String> = trials.iter().map(|t| format!("{} {}", t.index, t)).collect();
        assert_eq!(
            described,
            [
                "0 layers none, tanh, init scaled:0.01, learning rate 1.2, 100 iterations, seed 2",
                "1 layers 4, tanh, init scaled:0.01, learning rate 1.2, 100 iterations, seed 2",
                "2 layers 4, relu, init scaled:0.01, learning rate 1.2, 100 iterations, seed 2",
            ]
        );
    }

    #[test]
    fn ranges_are_sampled_within_bounds_and_refused_by_a_grid() {
        let mut space = space();
        space.learning_rates = Values::Range { low: 1e-4, high: 1e-1 };
        space.iterations = Values::Range { low: 1000, high: 2000 };
        let trials = space.trials(Sampling::Random { trials: 200, seed: 3 }).unwrap();
        assert!(trials.iter().all(|t| (1e-4..=1e-1).contains(&t.learning_rate)));
        assert!(trials.iter().all(|t| (1000..=2000).contains(&t.iterations)));
        // Log-uniform: about a third of the draws in each decade.
        let below_1e3 = trials.iter().filter(|t| t.learning_rate < 1e-3).count();
        assert!((40..=95).contains(&below_1e3), "{below_1e3} of 200 below 1e-3");
        assert!(matches!(space.trials(Sampling::Grid), Err(Error::InvalidHyperparameter { .. })));
    }
}
