//! How good predictions are: accuracy, precision, recall, F1, the confusion matrix and log
//! loss for binary classification; the same for k classes ([`ClassReport`]); MSE, MAE and R²
//! for regression.

mod classes;

pub use crate::network::classes_of;
pub use classes::{categorical_log_loss, ClassReport, Scores};

use ndarray::{ArrayView2, Zip};
use serde::{Deserialize, Serialize};

use crate::{Error, Float, Result};

/// Counts of a binary classifier's four outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Predicted 0, actually 0.
    pub true_negatives: usize,
    /// Predicted 1, actually 0.
    pub false_positives: usize,
    /// Predicted 0, actually 1.
    pub false_negatives: usize,
    /// Predicted 1, actually 1.
    pub true_positives: usize,
}

impl ConfusionMatrix {
    /// Counts predicted labels against actual ones; both hold 0 or 1 and have the same shape.
    pub fn from_labels<T: Float>(predicted: ArrayView2<T>, actual: ArrayView2<T>) -> Result<Self> {
        check_same_shape(predicted, actual)?;
        let mut counts = ConfusionMatrix::default();
        for ((column, &p), &y) in predicted.indexed_iter().map(|((_, c), p)| (c, p)).zip(actual.iter()) {
            let p = binary(p, column)?;
            match (p, binary(y, column)?) {
                (false, false) => counts.true_negatives += 1,
                (true, false) => counts.false_positives += 1,
                (false, true) => counts.false_negatives += 1,
                (true, true) => counts.true_positives += 1,
            }
        }
        Ok(counts)
    }

    /// The number of examples counted.
    pub fn total(&self) -> usize {
        self.true_negatives + self.false_positives + self.false_negatives + self.true_positives
    }

    /// The fraction predicted correctly.
    pub fn accuracy(&self) -> f64 {
        ratio(self.true_positives + self.true_negatives, self.total())
    }

    /// TP / (TP + FP): of those predicted 1, the fraction that are 1 (0 when none is
    /// predicted 1).
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    /// TP / (TP + FN): of those that are 1, the fraction found (0 when none is 1).
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    /// The harmonic mean of precision and recall, 2TP / (2TP + FP + FN) (0 when both are 0).
    pub fn f1(&self) -> f64 {
        ratio(2 * self.true_positives, 2 * self.true_positives + self.false_positives + self.false_negatives)
    }
}

/// The fraction of labels predicted correctly (the course's
/// `100 − mean(|Ŷ − Y|)·100`, as a fraction).
pub fn accuracy<T: Float>(predicted: ArrayView2<T>, actual: ArrayView2<T>) -> Result<f64> {
    check_same_shape(predicted, actual)?;
    let correct = Zip::from(&predicted).and(&actual).fold(0usize, |n, p, y| n + usize::from(p == y));
    Ok(ratio(correct, actual.len()))
}

/// The probability a smallest or largest prediction is clipped to in [`log_loss`].
pub const LOG_LOSS_EPSILON: f64 = 1e-15;

/// The mean cross-entropy of predicted probabilities against 0/1 labels, with probabilities
/// clipped to [1e-15, 1 − 1e-15] so that a confident wrong answer costs about 34.5, not ∞.
pub fn log_loss<T: Float>(probabilities: ArrayView2<T>, actual: ArrayView2<T>) -> Result<f64> {
    check_same_shape(probabilities, actual)?;
    let mut total = 0.0;
    for ((column, &p), &y) in probabilities.indexed_iter().map(|((_, c), p)| (c, p)).zip(actual.iter()) {
        let p = p.as_f64().clamp(LOG_LOSS_EPSILON, 1.0 - LOG_LOSS_EPSILON);
        total -= if binary(y, column)? { p.ln() } else { (1.0 - p).ln() };
    }
    Ok(total / actual.len().max(1) as f64)
}

/// Errors of a real-valued prediction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionMetrics {
    /// Mean squared error.
    pub mse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination, 1 − SS_res / SS_tot (1 is perfect; NaN-free: 0 when the
    /// targets are constant and the fit is not exact).
    pub r2: f64,
}

/// MSE, MAE and R² of predictions against targets of the same shape.
pub fn regression_metrics<T: Float>(predicted: ArrayView2<T>, actual: ArrayView2<T>) -> Result<RegressionMetrics> {
    check_same_shape(predicted, actual)?;
    let n = actual.len().max(1) as f64;
    let mean = actual.iter().map(|y| y.as_f64()).sum::<f64>() / n;
    let (mut squared, mut absolute, mut total) = (0.0, 0.0, 0.0);
    Zip::from(&predicted).and(&actual).for_each(|&p, &y| {
        let e = p.as_f64() - y.as_f64();
        squared += e * e;
        absolute += e.abs();
        total += (y.as_f64() - mean).powi(2);
    });
    let r2 = if total > 0.0 {
        1.0 - squared / total
    } else if squared == 0.0 {
        1.0
    } else {
        0.0
    };
    Ok(RegressionMetrics { mse: squared / n, mae: absolute / n, r2 })
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn binary<T: Float>(value: T, example: usize) -> Result<bool> {
    if value == T::zero() {
        Ok(false)
    } else if value == T::one() {
        Ok(true)
    } else {
        Err(Error::LabelNotBinary { example, value: value.as_f64() })
    }
}

fn check_same_shape<T: Float>(predicted: ArrayView2<T>, actual: ArrayView2<T>) -> Result<()> {
    if predicted.dim() == actual.dim() {
        Ok(())
    } else {
        Err(Error::shape("predictions", actual.dim(), predicted.dim()))
    }
}
