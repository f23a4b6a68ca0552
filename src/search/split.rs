//! How a search scores a trial: which examples it trains on and which it is measured on.

use std::fmt;

use ndarray::{Array2, Axis};

use crate::data::Scale;
use crate::{Error, Float, NumpyRng, Result};

/// Where a trial's score is measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Validation {
    /// On the training data itself (`--validation 0`), as the course's hidden-size table.
    Training,
    /// On a seeded hold-out of this fraction of the examples (stratified by class for
    /// classification), training on the rest.
    HoldOut {
        /// The fraction held out, in (0, 1).
        fraction: f64,
    },
    /// k-fold cross-validation (stratified for classification): the mean score of k
    /// trainings, each measured on the fold it did not see.
    Folds {
        /// The number of folds, at least 2.
        k: usize,
    },
}

impl fmt::Display for Validation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validation::Training => f.write_str("training data"),
            Validation::HoldOut { fraction } => write!(f, "hold-out {fraction}"),
            Validation::Folds { k } => write!(f, "{k} folds"),
        }
    }
}

/// Indices of the examples one training uses and is measured on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Examples trained on, ascending.
    pub train: Vec<usize>,
    /// Examples measured on, ascending.
    pub validation: Vec<usize>,
}

/// The splits of m examples with labels `y` (1 × m) for `validation`, drawn with a
/// generator seeded by `seed`. With `stratify` (classification), every split keeps each
/// class's share: examples are shuffled within their class and dealt out class by class.
pub fn splits(y: &Array2<f64>, validation: Validation, stratify: bool, seed: u32) -> Result<Vec<Split>> {
    let m = y.ncols();
    let all: Vec<usize> = (0..m).collect();
    let mut rng = NumpyRng::new(seed);
    // The examples shuffled, grouped by class when stratifying.
    let groups: Vec<Vec<usize>> = if stratify {
        let mut classes: Vec<f64> = y.iter().copied().collect();
        classes.sort_by(f64::total_cmp);
        classes.dedup();
        classes.iter().map(|&c| (0..m).filter(|&j| y[(0, j)] == c).collect()).collect()
    } else {
        vec![all.clone()]
    };
    let groups: Vec<Vec<usize>> = groups
        .into_iter()
        .map(|mut g| {
            rng.shuffle(&mut g);
            g
        })
        .collect();
    let sorted = |mut v: Vec<usize>| {
        v.sort_unstable();
        v
    };
    match validation {
        Validation::Training => Ok(vec![Split { train: all.clone(), validation: all }]),
        Validation::HoldOut { fraction } => {
            if !(fraction > 0.0 && fraction < 1.0) {
                return Err(Error::InvalidHyperparameter {
                    name: "validation fraction",
                    value: fraction.to_string(),
                    expected: "a fraction between 0 and 1 (0 scores on the training data)",
                });
            }
            let (mut train, mut held) = (Vec::new(), Vec::new());
            for group in &groups {
                let n = (fraction * group.len() as f64).round() as usize;
                held.extend_from_slice(&group[..n]);
                train.extend_from_slice(&group[n..]);
            }
            if held.is_empty() || train.is_empty() {
                return Err(Error::InvalidHyperparameter {
                    name: "validation fraction",
                    value: fraction.to_string(),
                    expected: if held.is_empty() {
                        "a larger fraction: this one holds out no example"
                    } else {
                        "a smaller fraction: this one leaves no example to train on"
                    },
                });
            }
            Ok(vec![Split { train: sorted(train), validation: sorted(held) }])
        }
        Validation::Folds { k } => {
            if k < 2 || k > m {
                return Err(Error::InvalidHyperparameter {
                    name: "number of folds",
                    value: k.to_string(),
                    expected: "at least 2 and at most the number of examples",
                });
            }
            let dealt: Vec<usize> = groups.concat();
            Ok((0..k)
                .map(|fold| {
                    let (mut train, mut held) = (Vec::new(), Vec::new());
                    for (position, &j) in dealt.iter().enumerate() {
                        if position % k == fold {
                            held.push(j)
                        } else {
                            train.push(j)
                        }
                    }
                    Split { train: sorted(train), validation: sorted(held) }
                })
                .collect())
        }
    }
}

/// The data of one split, converted to the training precision: X and Y to train on and to
/// measure on.
#[derive(Debug, Clone)]
pub struct Fold<T> {
    /// Training features, n_x × m_train.
    pub x_train: Array2<T>,
    /// Training labels, 1 × m_train.
    pub y_train: Array2<T>,
    /// Validation features, n_x × m_valid.
    pub x_valid: Array2<T>,
    /// Validation labels, 1 × m_valid.
    pub y_valid: Array2<T>,
}

impl<T: Float> Fold<T> {
    /// Selects a split's columns of X (n_x × m) and Y (1 × m). With `standardize`, each
    /// feature is standardised with the mean and deviation of this split's training part,
    /// so no validation example leaks into training.
    pub fn new(x: &Array2<f64>, y: &Array2<f64>, split: &Split, standardize: bool) -> Fold<T> {
        let mut x_train = x.select(Axis(1), &split.train);
        let mut x_valid = x.select(Axis(1), &split.validation);
        if standardize {
            let scale = Scale::standardize_fit(&x_train);
            scale.apply_in_place(&mut x_train);
            scale.apply_in_place(&mut x_valid);
        }
        Fold {
            x_train: x_train.mapv(T::from_f64),
            y_train: y.select(Axis(1), &split.train).mapv(T::from_f64),
            x_valid: x_valid.mapv(T::from_f64),
            y_valid: y.select(Axis(1), &split.validation).mapv(T::from_f64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30 examples of class 0 and 10 of class 1.
    fn labels() -> Array2<f64> {
        Array2::from_shape_fn((1, 40), |(_, j)| if j % 4 == 3 { 1.0 } else { 0.0 })
    }

    fn ones(y: &Array2<f64>, indices: &[usize]) -> usize {
        indices.iter().filter(|&&j| y[(0, j)] == 1.0).count()
    }

    #[test]
    fn a_stratified_hold_out_keeps_each_class_share() {
        let y = labels();
        let split = &splits(&y, Validation::HoldOut { fraction: 0.2 }, true, 0).unwrap()[0];
        assert_eq!((split.validation.len(), ones(&y, &split.validation)), (8, 2));
        assert_eq!((split.train.len(), ones(&y, &split.train)), (32, 8));
        assert_eq!(splits(&y, Validation::HoldOut { fraction: 0.2 }, true, 0).unwrap()[0], *split);
        assert_ne!(splits(&y, Validation::HoldOut { fraction: 0.2 }, true, 1).unwrap()[0], *split);
    }

    #[test]
    fn folds_cover_every_example_once_with_each_class_share() {
        let y = labels();
        let folds = splits(&y, Validation::Folds { k: 5 }, true, 3).unwrap();
        let mut seen: Vec<usize> = folds.iter().flat_map(|s| s.validation.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
        for split in &folds {
            assert_eq!((split.validation.len(), ones(&y, &split.validation)), (8, 2));
            assert_eq!(split.train.len(), 32);
            assert!(split.train.iter().all(|j| !split.validation.contains(j)));
        }
    }

    #[test]
    fn impossible_splits_are_refused() {
        let y = labels();
        for validation in [
            Validation::HoldOut { fraction: 0.01 },
            Validation::HoldOut { fraction: 1.0 },
            Validation::Folds { k: 1 },
            Validation::Folds { k: 41 },
        ] {
            assert!(
                matches!(splits(&y, validation, true, 0), Err(Error::InvalidHyperparameter { .. })),
                "{validation}"
            );
        }
    }
}
