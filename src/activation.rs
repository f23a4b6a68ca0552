//! Activation functions `g` and their derivatives `g'`, each written from cached values.
//!
//! | activation | g(z) | g'(z) from the cache |
//! |---|---|---|
//! | sigmoid | 1 / (1 + e^(−z)) | a (1 − a) |
//! | tanh | tanh z | 1 − a² |
//! | ReLU | max(0, z) | 1 if z > 0, else 0 (ReLU'(0) = 0, as the course) |
//! | leaky ReLU | max(αz, z) | 1 if z > 0, else α |
//! | linear | z | 1 |
//! | softmax (output only) | e^(z_i) / Σ_j e^(z_j) over each column | the k × k Jacobian: [`softmax_backward_in_place`] |
//!
//! Softmax is the one activation that is not element-wise: each unit's output depends on the
//! whole column (one example). It is the output of a k-class classifier, never of a hidden
//! layer, and goes with [`Loss::CategoricalCrossEntropy`](crate::Loss::CategoricalCrossEntropy).

use std::fmt;
use std::str::FromStr;

use ndarray::{ArrayView2, ArrayViewMut2, Zip};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Error, Float};

/// The slope of leaky ReLU for z < 0 unless another is given.
pub const DEFAULT_LEAKY_SLOPE: f64 = 0.01;

/// An activation function, applied element-wise: `A = g(Z)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// σ(z) = 1/(1+e^(−z)): the output of a binary classifier.
    Sigmoid,
    /// tanh(z): zero-centred, the course's choice for the shallow network's hidden layer.
    Tanh,
    /// max(0, z): the default for hidden layers.
    Relu,
    /// max(αz, z) with the given slope α for z < 0 (0.01 by default).
    LeakyRelu(f64),
    /// The identity: the output of a regression.
    Linear,
    /// e^(z_i) / Σ_j e^(z_j) over each column: the output of a k-class classifier (k ≥ 2),
    /// the probability of each class. Output layer only.
    Softmax,
}

/// σ(z), finite and correct to rounding for every z: e^(−|z|) never overflows.
#[inline]
pub fn sigmoid<T: Float>(z: T) -> T {
    if z >= T::zero() {
        T::one() / (T::one() + (-z).exp())
    } else {
        let e = z.exp();
        e / (T::one() + e)
    }
}

/// softplus(z) = log(1 + e^z), without overflow or loss of precision for any z.
#[inline]
pub fn softplus<T: Float>(z: T) -> T {
    z.max(T::zero()) + (-z.abs()).exp().ln_1p()
}

/// `A = softmax(Z)` column by column, in place: `a` holds Z on entry and A on return.
///
/// Computed the stable way, with the column's maximum subtracted first
/// (`e^(z_i − max) / Σ_j e^(z_j − max)`, the same value), so no exponential overflows; the sum
/// runs over the rows in order.
///
/// # Shapes
/// `a`: k × m, one column per example.
pub fn softmax_columns_in_place<T: Float>(mut a: ArrayViewMut2<T>) {
    for mut column in a.columns_mut() {
        let max = column.iter().fold(T::neg_infinity(), |max, &z| if z > max { z } else { max });
        column.mapv_inplace(|z| (z - max).exp());
        let sum = column.iter().fold(T::zero(), |sum, &e| sum + e);
        column.mapv_inplace(|e| e / sum);
    }
}

/// `dZ = J_softmaxᵀ·dA` column by column, in place: for each column,
/// `dz_i = a_i (da_i − Σ_j da_j a_j)`. `dz` holds dA on entry and dZ on return.
///
/// Training never needs it: with categorical cross-entropy the output gradient is the fused
/// `dZ = A − Y` ([`Loss::output_delta_in_place`](crate::Loss::output_delta_in_place)). It
/// serves the step-by-step [`Dense::linear_activation_backward`](crate::Dense::linear_activation_backward).
///
/// # Shapes
/// `a`, `dz`: k × m.
pub fn softmax_backward_in_place<T: Float>(a: ArrayView2<T>, mut dz: ArrayViewMut2<T>) {
    Zip::from(a.columns()).and(dz.columns_mut()).for_each(|a, mut dz| {
        let dot = a.iter().zip(dz.iter()).fold(T::zero(), |sum, (&a, &d)| sum + a * d);
        dz.zip_mut_with(&a, |d, &a| *d = a * (*d - dot));
    });
}

impl Activation {
    /// Whether g works value by value (every activation but softmax).
    pub fn is_elementwise(self) -> bool {
        self != Activation::Softmax
    }

    /// g(z) for one value.
    ///
    /// # Panics
    /// For [`Activation::Softmax`], which needs the whole column: see
    /// [`softmax_columns_in_place`].
    #[inline]
    pub fn apply<T: Float>(self, z: T) -> T {
        match self {
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Relu => {
                if z > T::zero() {
                    z
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu(slope) => {
                if z > T::zero() {
                    z
                } else {
                    T::from_f64(slope) * z
                }
            }
            Activation::Linear => z,
            Activation::Softmax => panic!("softmax is not element-wise: use softmax_columns_in_place"),
        }
    }

    /// g'(z) for one value, from the cached pre-activation `z` and activation `a = g(z)`.
    ///
    /// # Panics
    /// For [`Activation::Softmax`], whose derivative is a k × k Jacobian: see
    /// [`softmax_backward_in_place`].
    #[inline]
    pub fn derivative<T: Float>(self, z: T, a: T) -> T {
        match self {
            Activation::Sigmoid => a * (T::one() - a),
            Activation::Tanh => T::one() - a * a,
            Activation::Relu => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::zero()
                }
            }
            Activation::LeakyRelu(slope) => {
                if z > T::zero() {
                    T::one()
                } else {
                    T::from_f64(slope)
                }
            }
            Activation::Linear => T::one(),
            Activation::Softmax => panic!("softmax is not element-wise: use softmax_backward_in_place"),
        }
    }

    /// `dZ = dA ⊙ g'(Z)` in place: `dz` holds dA on entry and dZ on return.
    ///
    /// # Shapes
    /// `z`, `a` and `dz` have the same length (n\[l\]·m).
    ///
    /// # Panics
    /// For [`Activation::Softmax`], which needs the columns: see [`softmax_backward_in_place`].
    pub fn backward_in_place<T: Float>(self, z: &[T], a: &[T], dz: &mut [T]) {
        debug_assert!(z.len() == dz.len() && a.len() == dz.len());
        match self {
            Activation::Linear => {}
            Activation::Sigmoid => dz.iter_mut().zip(a).for_each(|(d, &a)| *d *= a * (T::one() - a)),
            Activation::Tanh => dz.iter_mut().zip(a).for_each(|(d, &a)| *d *= T::one() - a * a),
            // Selects rather than conditional stores, so that the loops vectorise.
            Activation::Relu => {
                dz.iter_mut().zip(z).for_each(|(d, &z)| *d = if z > T::zero() { *d } else { T::zero() })
            }
            Activation::LeakyRelu(slope) => {
                let slope = T::from_f64(slope);
                dz.iter_mut().zip(z).for_each(|(d, &z)| *d = if z > T::zero() { *d } else { *d * slope })
            }
            Activation::Softmax => panic!("softmax is not element-wise: use softmax_backward_in_place"),
        }
    }

    /// The name used on the command line and in model files: `sigmoid`, `tanh`, `relu`,
    /// `leaky-relu` (slope 0.01) or `leaky-relu:0.2`, `linear`, `softmax`.
    pub fn name(self) -> String {
        match self {
            Activation::Sigmoid => "sigmoid".into(),
            Activation::Tanh => "tanh".into(),
            Activation::Relu => "relu".into(),
            Activation::LeakyRelu(slope) if slope == DEFAULT_LEAKY_SLOPE => "leaky-relu".into(),
            Activation::LeakyRelu(slope) => format!("leaky-relu:{slope}"),
            Activation::Linear => "linear".into(),
            Activation::Softmax => "softmax".into(),
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Activation {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        const EXPECTED: &str = "sigmoid, tanh, relu, leaky-relu, leaky-relu:SLOPE (0 <= SLOPE < 1), linear or softmax";
        let parse_error = || Error::Parse { what: "activation", input: s.to_string(), expected: EXPECTED };
        match s.trim() {
            "sigmoid" => Ok(Activation::Sigmoid),
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "leaky-relu" => Ok(Activation::LeakyRelu(DEFAULT_LEAKY_SLOPE)),
            "linear" => Ok(Activation::Linear),
            "softmax" => Ok(Activation::Softmax),
            other => {
                let slope = other.strip_prefix("leaky-relu:").ok_or_else(parse_error)?;
                let slope: f64 = slope.trim().parse().map_err(|_| parse_error())?;
                if (0.0..1.0).contains(&slope) {
                    Ok(Activation::LeakyRelu(slope))
                } else {
                    Err(parse_error())
                }
            }
        }
    }
}

impl Serialize for Activation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Activation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
