//! Metrics of a classification into k classes, as scikit-learn's `classification_report`:
//! the k × k confusion matrix, each class's precision, recall, F1 and support, their macro
//! and weighted averages, accuracy, and the log loss of the predicted probabilities.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::{ratio, LOG_LOSS_EPSILON};
use crate::{Error, Float, Result};

/// The confusion matrix of k classes: `counts[actual][predicted]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassReport {
    /// `counts[i][j]`: examples of class i predicted as class j.
    pub counts: Vec<Vec<usize>>,
}

/// Precision, recall and F1 together (one class's, or an average).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Of the examples predicted as the class, the fraction that are.
    pub precision: f64,
    /// Of the examples of the class, the fraction predicted as it.
    pub recall: f64,
    /// The harmonic mean of the two.
    pub f1: f64,
}

impl ClassReport {
    /// Counts predicted classes against actual ones, both indexes below `k` and as many.
    pub fn from_classes(predicted: &[usize], actual: &[usize], k: usize) -> Result<ClassReport> {
        if predicted.len() != actual.len() {
            return Err(Error::shape("predictions", (1, actual.len()), (1, predicted.len())));
        }
        let mut counts = vec![vec![0; k]; k];
        for (example, (&p, &y)) in predicted.iter().zip(actual).enumerate() {
            if p >= k || y >= k {
                return Err(Error::InvalidHyperparameter {
                    name: "class index",
                    value: format!("{} at example {example}", p.max(y)),
                    expected: "below the number of classes",
                });
            }
            counts[y][p] += 1;
        }
        Ok(ClassReport { counts })
    }

    /// k, the number of classes.
    pub fn classes(&self) -> usize {
        self.counts.len()
    }

    /// The number of examples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The fraction predicted correctly.
    pub fn accuracy(&self) -> f64 {
        ratio((0..self.classes()).map(|c| self.counts[c][c]).sum(), self.total())
    }

    /// The number of examples of class `c`.
    pub fn support(&self, c: usize) -> usize {
        self.counts[c].iter().sum()
    }

    /// Class `c`'s precision, recall and F1 (each 0 where its denominator is, as
    /// scikit-learn's `zero_division=0`).
    pub fn scores(&self, c: usize) -> Scores {
        let true_positives = self.counts[c][c];
        let predicted: usize = self.counts.iter().map(|row| row[c]).sum();
        let actual = self.support(c);
        Scores {
            precision: ratio(true_positives, predicted),
            recall: ratio(true_positives, actual),
            f1: ratio(2 * true_positives, predicted + actual),
        }
    }

    /// The unweighted mean of the classes' scores.
    pub fn macro_average(&self) -> Scores {
        self.average(|_| 1.0)
    }

    /// The classes' scores weighted by their support.
    pub fn weighted_average(&self) -> Scores {
        self.average(|c| self.support(c) as f64)
    }

    fn average(&self, weight: impl Fn(usize) -> f64) -> Scores {
        let total: f64 = (0..self.classes()).map(&weight).sum();
        let mean = |score: fn(&Scores) -> f64| {
            if total == 0.0 {
                return 0.0;
            }
            (0..self.classes()).map(|c| weight(c) * score(&self.scores(c))).sum::<f64>() / total
        };
        Scores { precision: mean(|s| s.precision), recall: mean(|s| s.recall), f1: mean(|s| s.f1) }
    }
}

/// The mean of −log p(actual class) over the examples, with probabilities (k × m, one
/// column per example) clipped to [1e-15, 1 − 1e-15] as in [`super::log_loss`].
pub fn categorical_log_loss<T: Float>(probabilities: ArrayView2<T>, actual: &[usize]) -> Result<f64> {
    if probabilities.ncols() != actual.len() {
        return Err(Error::shape("probabilities", (probabilities.nrows(), actual.len()), probabilities.dim()));
    }
    let mut total = 0.0;
    for (example, &y) in actual.iter().enumerate() {
        let Some(&p) = probabilities.get((y, example)) else {
            return Err(Error::InvalidHyperparameter {
                name: "class index",
                value: format!("{y} at example {example}"),
                expected: "below the number of classes",
            });
        };
        total -= p.as_f64().clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON).ln();
    }
    Ok(total / actual.len().max(1) as f64)
}
