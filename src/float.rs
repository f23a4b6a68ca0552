//! The floating-point types the networks compute in: `f32` and `f64`, one code path.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use serde::{Deserialize, Serialize};

/// The element type of a network's parameters and activations.
///
/// Implemented for `f32` and `f64` only. Every numeric function of the crate is generic over
/// it, so the same code trains in single and double precision.
pub trait Float:
    num_traits::Float
    + LinalgScalar
    + ScalarOperand
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Sum
    + Default
    + Debug
    + Display
    + Send
    + Sync
    + 'static
    + crate::linalg::GemmScalar
{
    /// The tag stored in model files and printed by the command line.
    const DTYPE: DType;

    /// Converts from `f64`, rounding to nearest for `f32`.
    fn from_f64(x: f64) -> Self;

    /// Widens to `f64` (exact for both types).
    fn as_f64(self) -> f64;
}

impl Float for f32 {
    const DTYPE: DType = DType::F32;

    fn from_f64(x: f64) -> Self {
        x as f32
    }

    fn as_f64(self) -> f64 {
        f64::from(self)
    }
}

impl Float for f64 {
    const DTYPE: DType = DType::F64;

    fn from_f64(x: f64) -> Self {
        x
    }

    fn as_f64(self) -> f64 {
        self
    }
}

/// Which of the two float types a network computes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// Single precision: faster, about 7 significant digits.
    F32,
    /// Double precision: the course's numbers.
    F64,
}

impl DType {
    /// The lowercase name used on the command line and in model files (`"f32"`, `"f64"`).
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }
}

impl Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DType {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(DType::F32),
            "f64" => Ok(DType::F64),
            _ => Err(crate::Error::Parse { what: "dtype", input: s.to_string(), expected: "f32 or f64" }),
        }
    }
}
