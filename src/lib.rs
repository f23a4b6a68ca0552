//! Dense neural networks exactly as taught in "Neural Networks and Deep Learning": logistic
//! regression, shallow and deep fully-connected networks trained by batch gradient descent.
//!
//! # The shape convention
//!
//! The course's, everywhere: X is n_x × m with **one column per example**, Y is n\[L\] × m,
//! W\[l\] is n\[l\] × n\[l−1\] and b\[l\] has n\[l\] entries, broadcast over the m columns. Loaders
//! transpose once at load time; the maths never thinks in rows-as-examples.
//!
//! # The formulas and where they live
//!
//! | formula | function |
//! |---|---|
//! | `Z[l] = W[l]·A[l−1] + b[l]`, `A[l] = g[l](Z[l])` | one layer: [`Dense::linear_forward`] (Z only), [`Dense::linear_activation_forward`]; in training `Dense::forward` (src/layer.rs), swept by [`Network::forward`] |
//! | g and g' (sigmoid, tanh, ReLU, leaky ReLU, linear) | [`Activation::apply`], [`Activation::derivative`] |
//! | `J = −(1/m) Σ (y log a + (1−y) log(1−a))` | [`Loss::cost`] |
//! | `dZ[L] = A[L] − Y` (sigmoid + cross-entropy, softmax + categorical cross-entropy) | [`Loss::output_delta_in_place`] |
//! | `softmax(z)_i = e^(z_i) / Σ_j e^(z_j)`, `J = −(1/m) Σ y log a` over k classes | [`activation::softmax_columns_in_place`], [`Loss::cost`]; classes by [`Network::predict_classes`] |
//! | `dW = (1/m) dZ A[l−1]ᵀ`, `db = (1/m) Σ dZ`, `dA[l−1] = W[l]ᵀ dZ` | one layer: [`Dense::linear_backward`]; in training `Dense::backward` (src/layer.rs), swept by [`Network::backward`] |
//! | `dZ[l] = dA[l] ⊙ g'(Z[l])` | [`Activation::backward_in_place`]; followed by the linear part, [`Dense::linear_activation_backward`] |
//! | `W := W − α dW`, `b := b − α db` | one layer: [`Dense::update_parameters`]; in training `Dense::update` (src/layer.rs), swept by [`Network::update`] |
//! | the loop | [`fit`] |
//!
//! # Quick start
//!
//! ```
//! use dnn::{fit, Activation, Architecture, Init, Network, NumpyRng, TrainConfig};
//!
//! // The course's planar "flower" data: 2 features × 400 examples.
//! let data = dnn::data::planar(1);
//! // 2 → 4 tanh → 1 sigmoid, weights randn·0.01 drawn as after np.random.seed(2).
//! let arch = Architecture::new(&[2, 4, 1], Activation::Tanh, Activation::Sigmoid)?;
//! let network = Network::<f64>::init(&arch, Init::Scaled(0.01), &mut NumpyRng::new(2))?;
//! let config = TrainConfig::new(1.2, 1001).check()?;
//! let (network, history) = fit(network, data.x.view(), data.y.view(), &config)?;
//!
//! assert!((history.costs[0] - 0.693048).abs() < 1e-6); // the course's first cost
//! assert!((history.costs[1000] - 0.288083).abs() < 1e-6); // and after 1000 iterations
//! let predictions = network.predict(data.x.view(), 0.5)?;
//! let accuracy = dnn::metrics::accuracy(predictions.view(), data.y.view())?;
//! assert!(accuracy > 0.85);
//! # Ok::<(), dnn::Error>(())
//! ```

pub mod activation;
mod atomic;
pub mod data;
pub mod diagnose;
mod elementwise;
mod error;
mod float;
mod gradcheck;
mod gram;
mod helper;
mod init;
mod layer;
mod linalg;
pub mod loss;
pub mod memory;
pub mod metrics;
pub mod model_file;
mod network;
pub mod number;
pub mod optimizer;
#[cfg(feature = "plot")]
pub mod plot;
pub mod regularization;
mod rng;
pub mod search;
mod train;
mod transpose;
mod vmath;

pub use activation::Activation;
pub use atomic::{exit_removing_temporary_files, write_atomically};
pub use error::{Error, Result};
pub use float::{DType, Float};
pub use gradcheck::{gradient_check, gradient_check_l2, GradCheck};
pub use gram::GramMode;
pub use init::Init;
pub use layer::{Dense, Gradients};
pub use loss::Loss;
pub use network::{Architecture, Network, Workspace};
pub use optimizer::{Optimizer, OptimizerKind};
pub use rng::NumpyRng;
pub use train::{
    fit, fit_observed, fit_validated, fit_with, Decay, Divergence, Dropout, History, Progress, TrainConfig,
    ValidTrainConfig, ValidationData, DIVERGENCE_FACTOR,
};

/// README.md's Rust example, compiled and run as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
