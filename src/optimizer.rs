//! The update rules after backpropagation: gradient descent, momentum, RMSprop and Adam, each
//! written as the course writes it, and their state (velocities, squared averages, the step
//! counter t), allocated once before training.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array, Array1, Array2, ArrayView, ArrayViewMut, Dimension};
use serde::{Deserialize, Serialize};

use crate::layer::Gradients;
use crate::{Error, Float, Network, Result};

/// β₁ (momentum's β too), β₂ and ε when not given: the course's and Adam's paper's values.
pub const DEFAULT_BETA1: f64 = 0.9;
/// See [`DEFAULT_BETA1`].
pub const DEFAULT_BETA2: f64 = 0.999;
/// See [`DEFAULT_BETA1`].
pub const DEFAULT_EPSILON: f64 = 1e-8;

/// How the gradients of one step change the parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "name")]
pub enum Optimizer {
    /// `W := W − α·dW` (the first course's update).
    #[default]
    GradientDescent,
    /// `v := β·v + (1 − β)·dW`, `W := W − α·v`, with v zero at the start.
    Momentum {
        /// β, the weight of the past velocity (0.9 in the course).
        beta: f64,
    },
    /// `s := β₂·s + (1 − β₂)·dW²`, `W := W − α·dW / (√s + ε)`, with s zero at the start.
    RmsProp {
        /// β₂, the weight of the past squared gradients.
        beta2: f64,
        /// ε, which keeps the division finite.
        epsilon: f64,
    },
    /// Momentum and RMSprop together, each bias-corrected by the step counter t (1 at the
    /// first update, never reset):
    /// `v := β₁·v + (1 − β₁)·dW`, `v̂ = v / (1 − β₁ᵗ)`, `s := β₂·s + (1 − β₂)·dW²`,
    /// `ŝ = s / (1 − β₂ᵗ)`, `W := W − α·v̂ / (√ŝ + ε)`.
    Adam {
        /// β₁, the weight of the past velocity.
        beta1: f64,
        /// β₂, the weight of the past squared gradients.
        beta2: f64,
        /// ε, which keeps the division finite.
        epsilon: f64,
    },
}

/// The optimizer's name alone, as on the command line (`--optimizer gd|momentum|rmsprop|adam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    /// [`Optimizer::GradientDescent`].
    GradientDescent,
    /// [`Optimizer::Momentum`].
    Momentum,
    /// [`Optimizer::RmsProp`].
    RmsProp,
    /// [`Optimizer::Adam`].
    Adam,
}

impl OptimizerKind {
    /// The name on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::GradientDescent => "gd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::RmsProp => "rmsprop",
            OptimizerKind::Adam => "adam",
        }
    }

    /// The optimizer with these hyperparameters (`beta1` is momentum's β); those it does not
    /// use are ignored.
    pub fn with(self, beta1: f64, beta2: f64, epsilon: f64) -> Optimizer {
        match self {
            OptimizerKind::GradientDescent => Optimizer::GradientDescent,
            OptimizerKind::Momentum => Optimizer::Momentum { beta: beta1 },
            OptimizerKind::RmsProp => Optimizer::RmsProp { beta2, epsilon },
            OptimizerKind::Adam => Optimizer::Adam { beta1, beta2, epsilon },
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OptimizerKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "gd" | "sgd" | "gradient-descent" => Ok(OptimizerKind::GradientDescent),
            "momentum" => Ok(OptimizerKind::Momentum),
            "rmsprop" => Ok(OptimizerKind::RmsProp),
            "adam" => Ok(OptimizerKind::Adam),
            _ => {
                Err(Error::Parse { what: "optimizer", input: s.to_string(), expected: "gd, momentum, rmsprop or adam" })
            }
        }
    }
}

impl Optimizer {
    /// Its name alone.
    pub fn kind(&self) -> OptimizerKind {
        match self {
            Optimizer::GradientDescent => OptimizerKind::GradientDescent,
            Optimizer::Momentum { .. } => OptimizerKind::Momentum,
            Optimizer::RmsProp { .. } => OptimizerKind::RmsProp,
            Optimizer::Adam { .. } => OptimizerKind::Adam,
        }
    }

    /// Which running averages it keeps: (velocity v, squared average s).
    pub(crate) fn moments(self) -> (bool, bool) {
        match self {
            Optimizer::GradientDescent => (false, false),
            Optimizer::Momentum { .. } => (true, false),
            Optimizer::RmsProp { .. } => (false, true),
            Optimizer::Adam { .. } => (true, true),
        }
    }

    /// Checks the hyperparameters: every β in [0, 1), ε finite and greater than 0.
    pub fn check(&self) -> Result<()> {
        let beta = |name: &'static str, value: f64| {
            if (0.0..1.0).contains(&value) {
                Ok(())
            } else {
                Err(Error::InvalidHyperparameter { name, value: value.to_string(), expected: "a number in [0, 1)" })
            }
        };
        let epsilon = |value: f64| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(Error::InvalidHyperparameter {
                    name: "epsilon",
                    value: value.to_string(),
                    expected: "a finite number greater than 0",
                })
            }
        };
        match *self {
            Optimizer::GradientDescent => Ok(()),
            Optimizer::Momentum { beta: b } => beta("beta1", b),
            Optimizer::RmsProp { beta2, epsilon: e } => beta("beta2", beta2).and(epsilon(e)),
            Optimizer::Adam { beta1, beta2, epsilon: e } => {
                beta("beta1", beta1).and(beta("beta2", beta2)).and(epsilon(e))
            }
        }
    }
}

impl fmt::Display for Optimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Optimizer::GradientDescent => write!(f, "gd"),
            Optimizer::Momentum { beta } => write!(f, "momentum (beta {beta})"),
            Optimizer::RmsProp { beta2, epsilon } => write!(f, "rmsprop (beta2 {beta2}, epsilon {epsilon:e})"),
            Optimizer::Adam { beta1, beta2, epsilon } => {
                write!(f, "adam (beta1 {beta1}, beta2 {beta2}, epsilon {epsilon:e})")
            }
        }
    }
}

/// One parameter's running averages: the velocity v (momentum, Adam) and the squared
/// average s (RMSprop, Adam), each empty when the optimizer has none.
#[derive(Debug, Clone)]
struct Moments<D> {
    v: D,
    s: D,
}

/// The running averages of one layer's W and b.
#[derive(Debug, Clone)]
struct LayerState<T> {
    w: Moments<Array2<T>>,
    b: Moments<Array1<T>>,
}

/// The optimizer's state over a whole network, zero at the start and sized once: nothing is
/// allocated by [`OptimizerState::update`].
#[derive(Debug, Clone)]
pub(crate) struct OptimizerState<T> {
    optimizer: Optimizer,
    layers: Vec<LayerState<T>>,
    /// The number of updates so far (Adam's t is this plus one during an update).
    t: u64,
}

/// The scalars of one update, in the parameters' type.
#[derive(Debug, Clone, Copy)]
struct Step<T> {
    learning_rate: T,
    beta1: T,
    one_minus_beta1: T,
    beta2: T,
    one_minus_beta2: T,
    epsilon: T,
    /// 1 − β₁ᵗ and 1 − β₂ᵗ (Adam's bias corrections; 1 otherwise).
    correction1: T,
    correction2: T,
}

impl<T: Float> OptimizerState<T> {
    /// Zero velocities and squared averages shaped like `network`'s parameters, for those the
    /// optimizer uses.
    pub(crate) fn new(optimizer: Optimizer, network: &Network<T>) -> Self {
        let (velocity, squares) = optimizer.moments();
        let layers = network
            .layers()
            .iter()
            .map(|layer| {
                let (w_dim, b_dim) = (layer.w().raw_dim(), layer.b().raw_dim());
                let zeros_w = |used: bool| if used { Array2::zeros(w_dim) } else { Array2::zeros((0, 0)) };
                let zeros_b = |used: bool| if used { Array1::zeros(b_dim) } else { Array1::zeros(0) };
                LayerState {
                    w: Moments { v: zeros_w(velocity), s: zeros_w(squares) },
                    b: Moments { v: zeros_b(velocity), s: zeros_b(squares) },
                }
            })
            .collect();
        OptimizerState { optimizer, layers, t: 0 }
    }

    /// One update of every layer with the gradients `grads` (layer 1 first) and learning
    /// rate α; `first_w` false leaves W\[1\] alone (the Gram form carries it). Counts the step.
    /// With `threads` = 2, large arrays are updated in halves on this thread and the helper.
    pub(crate) fn update(
        &mut self,
        network: &mut Network<T>,
        grads: &[Gradients<T>],
        learning_rate: f64,
        first_w: bool,
        threads: usize,
    ) {
        let parts = if threads == 2 { 2 } else { 1 };
        self.t += 1;
        let step = self.step(learning_rate);
        let optimizer = self.optimizer;
        for (l, ((w, b), (state, grads))) in network.layers_mut().zip(self.layers.iter_mut().zip(grads)).enumerate() {
            if l > 0 || first_w {
                update_parameters(optimizer, &step, w, grads.dw.view(), &mut state.w.v, &mut state.w.s, parts);
            }
            update_parameters(optimizer, &step, b, grads.db.view(), &mut state.b.v, &mut state.b.s, parts);
        }
    }

    fn step(&self, learning_rate: f64) -> Step<T> {
        let (beta1, beta2, epsilon) = match self.optimizer {
            Optimizer::GradientDescent => (0.0, 0.0, 0.0),
            Optimizer::Momentum { beta } => (beta, 0.0, 0.0),
            Optimizer::RmsProp { beta2, epsilon } => (0.0, beta2, epsilon),
            Optimizer::Adam { beta1, beta2, epsilon } => (beta1, beta2, epsilon),
        };
        let (correction1, correction2) = match self.optimizer {
            // β^t as the course computes it: C's pow of a double t.
            Optimizer::Adam { .. } => (1.0 - beta1.powf(self.t as f64), 1.0 - beta2.powf(self.t as f64)),
            _ => (1.0, 1.0),
        };
        Step {
            learning_rate: T::from_f64(learning_rate),
            beta1: T::from_f64(beta1),
            one_minus_beta1: T::from_f64(1.0 - beta1),
            beta2: T::from_f64(beta2),
            one_minus_beta2: T::from_f64(1.0 - beta2),
            epsilon: T::from_f64(epsilon),
            correction1: T::from_f64(correction1),
            correction2: T::from_f64(correction2),
        }
    }
}

/// Parameters from which an update is split in two between threads: gradient descent and
/// momentum cost a few additions a value, RMSprop and Adam a square root and divisions, which
/// pay for the hand-over on far shorter arrays.
fn parallel_parameters(optimizer: Optimizer) -> usize {
    match optimizer {
        Optimizer::GradientDescent | Optimizer::Momentum { .. } => 1 << 15,
        Optimizer::RmsProp { .. } | Optimizer::Adam { .. } => 1 << 12,
    }
}

/// One parameter array's update, in the course's expression order (which matters only in the
/// last bit): `W − α·dW`; momentum `β·v + (1 − β)·dW` then `W − α·v`; RMSprop
/// `β₂·s + (1 − β₂)·dW²` then `W − (α·dW)/(√s + ε)`; Adam both averages, then
/// `W − (α·(v/(1 − β₁ᵗ)))/(√(s/(1 − β₂ᵗ)) + ε)`. Each value is updated alone, so on two
/// threads (`parts`) the halves go to the polling helper thread: the same bits.
///
/// # Shapes
/// `param`, `grad` and the used moments (`v`, `s`) have one shape; unused moments are empty.
fn update_parameters<T: Float, D: Dimension>(
    optimizer: Optimizer,
    step: &Step<T>,
    mut param: ArrayViewMut<T, D>,
    grad: ArrayView<T, D>,
    v: &mut Array<T, D>,
    s: &mut Array<T, D>,
    parts: usize,
) {
    let contiguous = "parameters, gradients and moments are contiguous";
    let param = param.as_slice_memory_order_mut().expect(contiguous);
    let grad = grad.to_slice_memory_order().expect(contiguous);
    let v = v.as_slice_memory_order_mut().expect(contiguous);
    let s = s.as_slice_memory_order_mut().expect(contiguous);
    update_in_parts(optimizer, step, param, grad, v, s, parts);
}

/// [`update_parameters`] on slices, split in halves while `parts` ≥ 2 and they are long.
fn update_in_parts<T: Float>(
    optimizer: Optimizer,
    step: &Step<T>,
    param: &mut [T],
    grad: &[T],
    v: &mut [T],
    s: &mut [T],
    parts: usize,
) {
    if parts >= 2 && param.len() >= parallel_parameters(optimizer) {
        let mid = param.len() / 2;
        // Unused moments are empty and stay so in both halves.
        let at = |moment: &[T]| mid.min(moment.len());
        let (param_left, param_right) = param.split_at_mut(mid);
        let (grad_left, grad_right) = grad.split_at(mid);
        let (v_left, v_right) = v.split_at_mut(at(v));
        let (s_left, s_right) = s.split_at_mut(at(s));
        crate::helper::join(
            || update_in_parts(optimizer, step, param_left, grad_left, v_left, s_left, 1),
            || update_in_parts(optimizer, step, param_right, grad_right, v_right, s_right, 1),
        );
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::Kernel::detect() >= crate::linalg::Kernel::Avx2 {
        // SAFETY: the AVX2 kernels are only detected on CPUs with AVX2.
        unsafe { update_avx2(optimizer, step, param, grad, v, s) };
        return;
    }
    update_loop(optimizer, step, param, grad, v, s);
}

/// [`update_loop`] compiled for AVX2: its divisions and square roots eight values at a time,
/// each as exactly rounded as one at a time (and no multiply fused with an add), so the same
/// bits.
///
/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_avx2<T: Float>(
    optimizer: Optimizer,
    step: &Step<T>,
    param: &mut [T],
    grad: &[T],
    v: &mut [T],
    s: &mut [T],
) {
    update_loop(optimizer, step, param, grad, v, s);
}

/// The update of each value, in the course's expression order.
#[inline(always)]
fn update_loop<T: Float>(optimizer: Optimizer, step: &Step<T>, param: &mut [T], grad: &[T], v: &mut [T], s: &mut [T]) {
    let &Step { learning_rate: lr, beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon, correction1, correction2 } =
        step;
    match optimizer {
        Optimizer::GradientDescent => param.iter_mut().zip(grad).for_each(|(w, &dw)| *w -= lr * dw),
        Optimizer::Momentum { .. } => param.iter_mut().zip(grad).zip(v).for_each(|((w, &dw), v)| {
            *v = beta1 * *v + one_minus_beta1 * dw;
            *w -= lr * *v;
        }),
        Optimizer::RmsProp { .. } => param.iter_mut().zip(grad).zip(s).for_each(|((w, &dw), s)| {
            *s = beta2 * *s + one_minus_beta2 * (dw * dw);
            *w -= (lr * dw) / (s.sqrt() + epsilon);
        }),
        // A bias correction that has reached 1 (1 − β₁ᵗ does after about 165 steps in f32
        // and 355 in f64, with β₁ = 0.9) divides exactly: x / 1 = x. Skipping that division
        // gives the same bits and spares the divider, which Adam's update keeps busy.
        Optimizer::Adam { .. } => match (correction1 == T::one(), correction2 == T::one()) {
            (false, false) => adam_loop::<T, false, false>(step, param, grad, v, s),
            (true, false) => adam_loop::<T, true, false>(step, param, grad, v, s),
            (false, true) => adam_loop::<T, false, true>(step, param, grad, v, s),
            (true, true) => adam_loop::<T, true, true>(step, param, grad, v, s),
        },
    }
}

/// Adam's update of each value (see [`update_loop`]), with the bias corrections that equal 1
/// (`ONE1`: 1 − β₁ᵗ, `ONE2`: 1 − β₂ᵗ) left out: dividing by 1 changes nothing.
#[inline(always)]
fn adam_loop<T: Float, const ONE1: bool, const ONE2: bool>(
    step: &Step<T>,
    param: &mut [T],
    grad: &[T],
    v: &mut [T],
    s: &mut [T],
) {
    let &Step { learning_rate: lr, beta1, one_minus_beta1, beta2, one_minus_beta2, epsilon, correction1, correction2 } =
        step;
    param.iter_mut().zip(grad).zip(v.iter_mut().zip(s)).for_each(|((w, &dw), (v, s))| {
        *v = beta1 * *v + one_minus_beta1 * dw;
        *s = beta2 * *s + one_minus_beta2 * (dw * dw);
        let v_corrected = if ONE1 { *v } else { *v / correction1 };
        let s_corrected = if ONE2 { *s } else { *s / correction2 };
        *w -= (lr * v_corrected) / (s_corrected.sqrt() + epsilon);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NumpyRng;

    /// The course's update test case: after `np.random.seed(1)`, W1 = randn(2, 3),
    /// b1 = randn(2, 1), W2 = randn(3, 3), b2 = randn(3, 1), then dW1 = randn(2, 3) (the rest
    /// is not needed for W1). Returns W1 and dW1.
    fn test_case() -> (Array2<f64>, Array2<f64>) {
        let mut rng = NumpyRng::new(1);
        let w1 = rng.randn_matrix(2, 3);
        for (rows, cols) in [(2, 1), (3, 3), (3, 1)] {
            rng.randn_matrix(rows, cols);
        }
        (w1, rng.randn_matrix(2, 3))
    }

    /// W1's first row after one update at step t with zero moments.
    fn first_row_after(optimizer: Optimizer, learning_rate: f64, t: u64) -> Vec<f64> {
        let (mut w1, dw1) = test_case();
        let state = OptimizerState::<f64> { optimizer, layers: Vec::new(), t };
        let step = state.step(learning_rate);
        let (mut v, mut s) = (Array2::zeros((2, 3)), Array2::zeros((2, 3)));
        update_parameters(optimizer, &step, w1.view_mut(), dw1.view(), &mut v, &mut s, 1);
        w1.row(0).to_vec()
    }

    // Source: ../shared/reference/course2/RESULTS.md §5.4, "Unit checks in the script" (equal
    // to the notebooks' 8-digit expected outputs).
    #[test]
    fn gradient_descent_step() {
        let row = first_row_after(Optimizer::GradientDescent, 0.01, 1);
        assert_eq!(row, [1.6353515554353708, -0.6232036507484715, -0.5371876594693836]);
    }

    #[test]
    fn momentum_step() {
        let row = first_row_after(Optimizer::Momentum { beta: 0.9 }, 0.01, 1);
        assert_eq!(row, [1.6254459828404546, -0.612901137359915, -0.5290733429840485]);
    }

    /// Large arrays updated in halves on two threads get the bits of one thread's update, for
    /// every optimizer, over three steps (moments carried).
    #[test]
    fn an_update_in_halves_gives_the_bits_of_one_thread() {
        let mut rng = NumpyRng::new(7);
        let (w, dw) = (rng.randn_matrix(200, 300), rng.randn_matrix(200, 300));
        let adam = Optimizer::Adam { beta1: DEFAULT_BETA1, beta2: DEFAULT_BETA2, epsilon: DEFAULT_EPSILON };
        let momentum = Optimizer::Momentum { beta: DEFAULT_BETA1 };
        let rmsprop = Optimizer::RmsProp { beta2: DEFAULT_BETA2, epsilon: DEFAULT_EPSILON };
        for optimizer in [Optimizer::GradientDescent, momentum, rmsprop, adam] {
            let run = |parts: usize| {
                let mut state = OptimizerState { optimizer, layers: Vec::new(), t: 0 };
                // Unused moments are empty, as `OptimizerState::new` makes them.
                let (velocity, squares) = optimizer.moments();
                let zeros = |used: bool| if used { Array2::zeros(w.raw_dim()) } else { Array2::zeros((0, 0)) };
                let (mut w, mut v, mut s) = (w.clone(), zeros(velocity), zeros(squares));
                for _ in 0..3 {
                    state.t += 1;
                    let step = state.step(0.01);
                    update_parameters(optimizer, &step, w.view_mut(), dw.view(), &mut v, &mut s, parts);
                }
                w
            };
            let (one, two) = (run(1), run(2));
            assert!(one.iter().zip(&two).all(|(a, b)| a.to_bits() == b.to_bits()), "{optimizer}");
            assert!(one.iter().zip(&w).any(|(a, b)| a != b), "{optimizer} moved nothing");
        }
    }

    /// Once a bias correction has reached 1, the update skips dividing by it: the bits of the
    /// course's expression, which divides, on values of every kind (zeros of both signs,
    /// subnormals, the largest and smallest normals), in f32 and f64, at steps where
    /// 1 − β₁ᵗ is 1 and 1 − β₂ᵗ is not, and where both are.
    #[test]
    fn a_bias_correction_of_one_gives_the_bits_of_dividing_by_it() {
        fn check<T: Float>(t: u64) {
            let adam = Optimizer::Adam { beta1: DEFAULT_BETA1, beta2: DEFAULT_BETA2, epsilon: DEFAULT_EPSILON };
            let state = OptimizerState::<T> { optimizer: adam, layers: Vec::new(), t };
            let step = state.step(0.01);
            assert_eq!(step.correction1, T::one(), "1 − β₁ᵗ at t = {t}");
            let specials = [0.0, -0.0, 1e-310, -1e-310, 1e-40, -1e-40, 1e-30, 3.0, -2.5e30, f64::MIN_POSITIVE];
            let mut rng = NumpyRng::new(11);
            let values = |rng: &mut NumpyRng| -> Vec<T> {
                let mut v: Vec<T> = rng.randn_matrix(1, 40).iter().map(|&x| T::from_f64(x * 1e-3)).collect();
                v.extend(specials.iter().map(|&x| T::from_f64(x)));
                v
            };
            let (w0, dw, v0) = (values(&mut rng), values(&mut rng), values(&mut rng));
            let s0: Vec<T> = values(&mut rng).iter().map(|&x| x * x).collect();
            let (mut w, mut v, mut s) = (w0.clone(), v0.clone(), s0.clone());
            update_in_parts(adam, &step, &mut w, &dw, &mut v, &mut s, 1);
            let Step {
                learning_rate: lr,
                beta1,
                one_minus_beta1,
                beta2,
                one_minus_beta2,
                epsilon,
                correction1,
                correction2,
            } = step;
            for i in 0..w0.len() {
                let v_i = beta1 * v0[i] + one_minus_beta1 * dw[i];
                let s_i = beta2 * s0[i] + one_minus_beta2 * (dw[i] * dw[i]);
                let w_i = w0[i] - (lr * (v_i / correction1)) / ((s_i / correction2).sqrt() + epsilon);
                assert_eq!(w[i].as_f64().to_bits(), w_i.as_f64().to_bits(), "{} t = {t}, value {i}", T::DTYPE.name());
                assert_eq!(v[i].as_f64().to_bits(), v_i.as_f64().to_bits());
            }
        }
        // f32: 1 − 0.9ᵗ rounds to 1 from t = 165 on, 1 − 0.999ᵗ from about 17 000.
        check::<f32>(200);
        check::<f32>(20_000);
        // f64: from t = 356 and about 36 000.
        check::<f64>(400);
        check::<f64>(40_000);
    }

    #[test]
    fn adam_step_at_t_2() {
        // The current notebook's test: t 2, learning rate 0.02, β1 0.8, β2 0.888, ε 1e-2.
        let adam = Optimizer::Adam { beta1: 0.8, beta2: 0.888, epsilon: 1e-2 };
        let row = first_row_after(adam, 0.02, 2);
        let expected = [1.639424282075354, -0.6268424990180875, -0.5432097379151726];
        for (got, want) in row.iter().zip(expected) {
            assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
        }
        // The 2017 notebook's test: t 2, learning rate 0.01, the default βs and ε.
        let adam = Optimizer::Adam { beta1: DEFAULT_BETA1, beta2: DEFAULT_BETA2, epsilon: DEFAULT_EPSILON };
        let row = first_row_after(adam, 0.01, 2);
        let expected = [1.6317867318033195, -0.6191977817938361, -0.5356131203824311];
        for (got, want) in row.iter().zip(expected) {
            assert!((got - want).abs() <= 1e-15 * want.abs(), "{got} vs {want}");
        }
    }
}
