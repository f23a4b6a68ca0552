//! Losses L(ŷ, y), the cost J = (1/m) Σ L, and the gradient that starts backpropagation.

use std::fmt;
use std::str::FromStr;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::activation::softplus;
use crate::{Activation, Error, Float, Result};

/// The loss a network is trained to minimise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loss {
    /// Binary cross-entropy `L(ŷ, y) = −(y log ŷ + (1 − y) log(1 − ŷ))`, for a sigmoid output
    /// and labels in {0, 1}.
    CrossEntropy,
    /// Categorical cross-entropy `L(ŷ, y) = −Σ_i y_i log ŷ_i` over the k classes, for a
    /// softmax output and one-hot labels (one column per example, a single 1 in it).
    CategoricalCrossEntropy,
    /// Squared error `L(ŷ, y) = (ŷ − y)²`, for a real-valued output; its cost is the mean
    /// squared error.
    MeanSquaredError,
}

impl Loss {
    /// The loss that goes with an output activation: cross-entropy for sigmoid, categorical
    /// cross-entropy for softmax, squared error for everything else.
    pub fn for_output(output: Activation) -> Loss {
        match output {
            Activation::Sigmoid => Loss::CrossEntropy,
            Activation::Softmax => Loss::CategoricalCrossEntropy,
            _ => Loss::MeanSquaredError,
        }
    }

    /// Checks that this loss can be used with the output activation: cross-entropy needs
    /// ŷ in (0, 1), so a sigmoid output; categorical cross-entropy needs a probability per
    /// class, so a softmax output, and a softmax output goes with nothing else.
    pub fn check_output(self, output: Activation) -> Result<()> {
        let expected = match (self, output) {
            (Loss::CrossEntropy, Activation::Sigmoid) | (Loss::CategoricalCrossEntropy, Activation::Softmax) => {
                return Ok(())
            }
            (Loss::MeanSquaredError, g) if g != Activation::Softmax => return Ok(()),
            (Loss::CrossEntropy, _) => "cross-entropy needs a sigmoid output; use mean-squared-error otherwise",
            (Loss::CategoricalCrossEntropy, _) => "categorical-cross-entropy needs a softmax output",
            (Loss::MeanSquaredError, _) => "a softmax output goes with categorical-cross-entropy",
        };
        Err(Error::IncompatibleLoss { loss: self.to_string(), activation: output.to_string(), expected })
    }

    /// The cost `J = (1/m) Σ L(a, y)` over all m examples (and all output units).
    ///
    /// Cross-entropy is computed from the output layer's pre-activation Z\[L\], never from
    /// log(A): with `log σ(z) = −softplus(−z)` and `log(1 − σ(z)) = −softplus(z)`,
    /// `L = y·softplus(−z) + (1 − y)·softplus(z)`, finite for every z (a saturated wrong
    /// answer costs about |z|, not infinity) and free of the cancellation in `log(1 − a)`.
    ///
    /// Categorical cross-entropy is computed from Z\[L\] too: `log ŷ_i = z_i − max − log Σ_j
    /// e^(z_j − max)` (log-sum-exp with the column's maximum subtracted), so a class given
    /// probability 0 in floating point still costs a finite amount, never log(0).
    ///
    /// # Shapes
    /// `z`, `a`, `y`: n\[L\] × m. The sum is accumulated in `f64`.
    pub fn cost<T: Float>(self, z: ArrayView2<T>, a: ArrayView2<T>, y: ArrayView2<T>) -> f64 {
        self.total(z, a, y) / y.ncols() as f64
    }

    /// `Σ L(a, y)` over all m examples (and all output units): the cost before dividing by m,
    /// computed as [`Loss::cost`] says.
    ///
    /// # Shapes
    /// `z`, `a`, `y`: n\[L\] × m. The sum is accumulated in `f64`.
    pub fn total<T: Float>(self, z: ArrayView2<T>, a: ArrayView2<T>, y: ArrayView2<T>) -> f64 {
        match self {
            Loss::CrossEntropy => match (z.as_slice(), y.as_slice()) {
                (Some(z), Some(y)) => crate::elementwise::cross_entropy_total(z, y),
                _ => ndarray::Zip::from(&z).and(&y).fold(0.0, |sum, &z, &y| {
                    let (z, y) = (z.as_f64(), y.as_f64());
                    sum + y * softplus(-z) + (1.0 - y) * softplus(z)
                }),
            },
            Loss::CategoricalCrossEntropy => ndarray::Zip::from(z.columns()).and(y.columns()).fold(0.0, |sum, z, y| {
                let max = z.iter().fold(f64::NEG_INFINITY, |max, &z| max.max(z.as_f64()));
                let log_sum = z.iter().fold(0.0, |sum, &z| sum + (z.as_f64() - max).exp()).ln();
                let column = z.iter().zip(y).fold(0.0, |sum, (&z, &y)| sum + y.as_f64() * (z.as_f64() - max - log_sum));
                sum - column
            }),
            Loss::MeanSquaredError => ndarray::Zip::from(&a).and(&y).fold(0.0, |sum, &a, &y| {
                let e = a.as_f64() - y.as_f64();
                sum + e * e
            }),
        }
    }

    /// The output layer's `dZ[L]`, scaled by m (the 1/m is applied with dW and db), in place.
    ///
    /// For a sigmoid output with cross-entropy, `dL/dA ⊙ σ'(Z)` simplifies exactly to
    /// `A − Y` (the course's `dZ[L] = A[L] − Y`). The same fused form holds for a softmax
    /// output with categorical cross-entropy and one-hot Y (Σ_i y_i = 1 in every column), and
    /// only for these two pairs.
    /// For squared error `dL/dA = 2(A − Y)`, times g'(Z) of the output activation (1 for a
    /// linear output).
    ///
    /// # Shapes
    /// `z`, `a`, `y`, `dz`: n\[L\] × m, all in the same (standard) layout.
    pub fn output_delta_in_place<T: Float>(self, output: Activation, z: &[T], a: &[T], y: &[T], dz: &mut [T]) {
        match self {
            Loss::CrossEntropy | Loss::CategoricalCrossEntropy => {
                debug_assert_eq!(
                    output,
                    if self == Loss::CrossEntropy { Activation::Sigmoid } else { Activation::Softmax }
                );
                dz.iter_mut().zip(a.iter().zip(y)).for_each(|(d, (&a, &y))| *d = a - y);
            }
            Loss::MeanSquaredError => {
                let two = T::from_f64(2.0);
                dz.iter_mut().zip(a.iter().zip(y)).for_each(|(d, (&a, &y))| *d = two * (a - y));
                output.backward_in_place(z, a, dz);
            }
        }
    }

    /// The name used on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Loss::CrossEntropy => "cross-entropy",
            Loss::CategoricalCrossEntropy => "categorical-cross-entropy",
            Loss::MeanSquaredError => "mean-squared-error",
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "cross-entropy" => Ok(Loss::CrossEntropy),
            "categorical-cross-entropy" => Ok(Loss::CategoricalCrossEntropy),
            "mean-squared-error" | "mse" => Ok(Loss::MeanSquaredError),
            _ => Err(Error::Parse {
                what: "loss",
                input: s.to_string(),
                expected: "cross-entropy, categorical-cross-entropy or mean-squared-error",
            }),
        }
    }
}
