//! Preprocessing that belongs to a model: applied to the training data, recorded in the
//! model file, and applied again to whatever the model later predicts on.

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::Columns;

/// How raw feature values are scaled before they reach the network.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Scale {
    /// Values are used as they are.
    #[default]
    None,
    /// Every value is divided by `by` (255 for 8-bit images: the course's `X / 255`).
    Divide {
        /// The divisor.
        by: f64,
    },
    /// Each feature (row of X) has `mean[i]` subtracted and is divided by `std[i]`.
    Standardize {
        /// Per-feature means of the training data.
        mean: Vec<f64>,
        /// Per-feature standard deviations of the training data (1 where a feature is
        /// constant, so it maps to 0 rather than NaN).
        std: Vec<f64>,
    },
}

/// The shape of the images a model was trained on, for resizing new ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    /// Rows of pixels.
    pub height: usize,
    /// Columns of pixels.
    pub width: usize,
    /// Channels per pixel (3 for RGB). Flattened in (row, column, channel) order.
    pub channels: usize,
}

/// Standardisation of a regression's targets: the network learns `(y − mean) / std`, and
/// its outputs are mapped back by `value·std + mean`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TargetScale {
    /// The mean of the training targets.
    pub mean: f64,
    /// Their population standard deviation (1 when they are all equal).
    pub std: f64,
}

impl TargetScale {
    /// Fitted to the targets Y (1 × m).
    pub fn fit(y: &Array2<f64>) -> TargetScale {
        let m = y.len().max(1) as f64;
        let mean = y.sum() / m;
        let var = y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / m;
        TargetScale { mean, std: if var > 0.0 { var.sqrt() } else { 1.0 } }
    }

    /// Targets in the network's units, in place.
    pub fn apply_in_place(&self, y: &mut Array2<f64>) {
        y.mapv_inplace(|v| (v - self.mean) / self.std);
    }

    /// A network output back in the targets' units.
    pub fn undo(&self, value: f64) -> f64 {
        value * self.std + self.mean
    }
}

/// Everything done to raw inputs before the network sees them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    /// Feature scaling.
    #[serde(default)]
    pub scale: Scale,
    /// Set when the inputs are images flattened to one column each.
    #[serde(default)]
    pub image: Option<ImageShape>,
    /// The columns of the CSV file trained on, to read new files by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Columns>,
    /// Per-feature values (the training means, before scaling) that fill missing values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill: Option<Vec<f64>>,
    /// The standardisation of a regression's targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetScale>,
}

/// Each feature's mean over the values that are not missing (NaN); `None` for a feature with
/// no value at all.
pub fn means_ignoring_missing(x: &Array2<f64>) -> Vec<Option<f64>> {
    x.rows()
        .into_iter()
        .map(|row| {
            let (sum, count) = row.iter().filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
            (count > 0).then(|| sum / count as f64)
        })
        .collect()
}

/// Replaces each missing value (NaN) of feature i with `fill[i]`.
pub fn fill_missing(x: &mut Array2<f64>, fill: &[f64]) {
    for (mut row, &value) in x.rows_mut().into_iter().zip(fill) {
        row.mapv_inplace(|v| if v.is_nan() { value } else { v });
    }
}

impl Scale {
    /// Standardisation fitted to X (n_x × m): each row's mean and population standard
    /// deviation.
    pub fn standardize_fit(x: &Array2<f64>) -> Scale {
        let m = x.ncols().max(1) as f64;
        let mean: Vec<f64> = x.sum_axis(Axis(1)).iter().map(|s| s / m).collect();
        let std = x
            .rows()
            .into_iter()
            .zip(&mean)
            .map(|(row, &mu)| {
                let var = row.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / m;
                if var > 0.0 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        Scale::Standardize { mean, std }
    }

    /// Applies the scaling to X (n_x × m) in place.
    ///
    /// # Panics
    /// If a standardisation's length differs from X's rows; [`crate::Error`]-returning
    /// callers check the feature count first.
    pub fn apply_in_place(&self, x: &mut Array2<f64>) {
        match self {
            Scale::None => {}
            Scale::Divide { by } => x.mapv_inplace(|v| v / by),
            Scale::Standardize { mean, std } => {
                assert_eq!(mean.len(), x.nrows(), "standardisation fitted to another feature count");
                for ((mut row, mu), sigma) in x.rows_mut().into_iter().zip(mean).zip(std) {
                    row.mapv_inplace(|v| (v - mu) / sigma);
                }
            }
        }
    }
}
