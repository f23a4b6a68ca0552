//! Weight initialisations, drawn from NumPy's legacy generator so that a seed gives the
//! course's weights. Biases always start at zero.

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, NumpyRng};

/// How W\[l\] (n\[l\] × n\[l−1\]) is drawn. Each random variant draws `randn(n[l], n[l−1])`
/// row-major and scales it exactly as the course's numpy code does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// All zeros: fine for logistic regression, but hidden units stay identical (symmetry).
    Zeros,
    /// `randn · s`, the course's `np.random.randn(n, n_prev) * 0.01`.
    Scaled(f64),
    /// `randn / √n[l−1]`, the course's deep-network initialisation.
    Lecun,
    /// `randn · √(2 / n[l−1])`, for ReLU layers.
    He,
    /// `randn · √(2 / (n[l−1] + n[l]))`.
    Xavier,
}

impl Init {
    /// Draws W (n_out × n_in) from `rng`, consuming `n_out · n_in` normal values unless zeros.
    pub fn draw(self, n_out: usize, n_in: usize, rng: &mut NumpyRng) -> Array2<f64> {
        match self {
            Init::Zeros => Array2::zeros((n_out, n_in)),
            Init::Scaled(s) => rng.randn_matrix(n_out, n_in) * s,
            // Divided, not multiplied by the reciprocal, to round as numpy's `/ np.sqrt(n)`.
            Init::Lecun => rng.randn_matrix(n_out, n_in) / (n_in as f64).sqrt(),
            Init::He => rng.randn_matrix(n_out, n_in) * (2.0 / n_in as f64).sqrt(),
            Init::Xavier => rng.randn_matrix(n_out, n_in) * (2.0 / (n_in + n_out) as f64).sqrt(),
        }
    }

    /// The name used on the command line and in model files.
    pub fn name(self) -> String {
        match self {
            Init::Zeros => "zeros".into(),
            Init::Scaled(s) => format!("scaled:{s}"),
            Init::Lecun => "lecun".into(),
            Init::He => "he".into(),
            Init::Xavier => "xavier".into(),
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Init {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let parse_error = || Error::Parse {
            what: "initialisation",
            input: s.to_string(),
            expected: "zeros, scaled:S (S > 0, e.g. scaled:0.01), lecun, he or xavier",
        };
        match s.trim() {
            "zeros" => Ok(Init::Zeros),
            "lecun" => Ok(Init::Lecun),
            "he" => Ok(Init::He),
            "xavier" => Ok(Init::Xavier),
            other => {
                let scale = other.strip_prefix("scaled:").ok_or_else(parse_error)?;
                match scale.trim().parse::<f64>() {
                    Ok(s) if s.is_finite() && s > 0.0 => Ok(Init::Scaled(s)),
                    _ => Err(parse_error()),
                }
            }
        }
    }
}

impl Serialize for Init {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Init {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
