//! Preprocessing that belongs to a model: applied to the training data, recorded in the
//! model file, and applied again to whatever the model later predicts on.

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

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

/// Everything done to raw inputs before the network sees them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    /// Feature scaling.
    #[serde(default)]
    pub scale: Scale,
    /// Set when the inputs are images flattened to one column each.
    #[serde(default)]
    pub image: Option<ImageShape>,
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
