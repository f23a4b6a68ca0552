//! Diagnoses of a finished training run: did it stall, and were the features scaled so
//! that gradient descent can work? Each finding is a [`Warning`] whose text names the fix.
//!
//! The thresholds, and why the course's own runs stay clear of them:
//! - **Flat cost**: the cost of iteration [`FLAT_ITERATIONS`] differs from the first by
//!   less than [`FLAT_CHANGE`] of it, and the last cost by less than [`FLAT_OVERALL`].
//!   The course's runs move 6.7 % (the cat 2-layer model) to 15.7 % (logistic regression)
//!   in their first 100 iterations, over 60 times the threshold; the second condition
//!   keeps quiet about a run that sat on a plateau and then learned.
//! - **One class**: every training example predicted as the same class. A classifier that
//!   says one thing whatever the input has not learned to tell the classes apart (on
//!   unbalanced data it scores the majority's share, on balanced data a coin's).
//! - **Large features**: a feature whose root mean square exceeds [`LARGE_FEATURE`]. The
//!   initialisations (lecun, he, xavier, and the course's ×0.01 for pixels in 0–1) assume
//!   inputs of order 1; ten times larger inputs make Z ten times larger, where sigmoid and
//!   tanh are flat (σ'(10) ≈ 5·10⁻⁵). The course's inputs stay well below: a largest root
//!   mean square of 0.59 for the cat pixels ÷ 255 and 2.0 for the flower's coordinates.
//! - **Scale spread**: the largest standard deviation of a feature over the smallest (of
//!   features that vary) exceeds [`SCALE_SPREAD`]. One learning rate serves every weight,
//!   and the stable step shrinks with the square of the largest scale: at a ratio of 100
//!   the smallest feature's weights learn 10⁴ times slower than the largest's. The course's
//!   data has ratios of 1.5 (cat pixels) and 1.02 (the flower).

use std::fmt;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::{Float, History};

/// The iteration whose cost is compared with the first to call the cost flat.
pub const FLAT_ITERATIONS: usize = 100;
/// The relative change of the cost, over the first [`FLAT_ITERATIONS`] iterations, below
/// which it is flat.
pub const FLAT_CHANGE: f64 = 1e-3;
/// The relative change of the cost over the whole run below which a flat start was never
/// left.
pub const FLAT_OVERALL: f64 = 1e-2;
/// The root mean square of a feature above which it is too large for the initialisations.
pub const LARGE_FEATURE: f64 = 10.0;
/// The ratio of the largest to the smallest standard deviation of the features above
/// which one learning rate cannot serve them all.
pub const SCALE_SPREAD: f64 = 100.0;

/// A feature (a row of X): its index from 0, and its name when the data names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Row of X, from 0.
    pub index: usize,
    /// The column's name (a CSV header), when known.
    pub name: Option<String>,
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "feature '{name}'"),
            None => write!(f, "feature {}", self.index),
        }
    }
}

/// Something about a training run that makes its result suspect, with the values that
/// show it. Its text (`Display`) is one line ending with the fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// The cost barely moved from the start (see [`FLAT_CHANGE`], [`FLAT_OVERALL`]).
    FlatCost {
        /// The cost of iteration 0.
        first: f64,
        /// The cost of iteration [`FLAT_ITERATIONS`].
        after: f64,
        /// The last cost.
        last: f64,
    },
    /// Every training example is predicted as the same class.
    OneClass {
        /// The class predicted (0 or 1).
        class: u8,
        /// How many examples.
        examples: usize,
    },
    /// A feature's values are large (see [`LARGE_FEATURE`]): the largest such.
    LargeFeature {
        /// The feature.
        feature: Feature,
        /// Its root mean square over the examples.
        rms: f64,
    },
    /// The features' scales differ widely (see [`SCALE_SPREAD`]).
    ScaleSpread {
        /// The feature with the largest standard deviation.
        widest: Feature,
        /// Its standard deviation.
        widest_std: f64,
        /// The feature with the smallest standard deviation that is not 0.
        narrowest: Feature,
        /// Its standard deviation.
        narrowest_std: f64,
    },
}

const STANDARDIZE: &str = "standardize the features (--scale standardize)";

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::FlatCost { first, after, last } => write!(
                f,
                "the cost stayed flat from the start ({} at iteration 0, {} at iteration {FLAT_ITERATIONS}, {} at \
                 the end): training is stuck; try a larger learning rate, or {STANDARDIZE}",
                cost(*first),
                cost(*after),
                cost(*last)
            ),
            Warning::OneClass { class, examples } => write!(
                f,
                "all {examples} training examples are predicted as class {class}: it has not learned to \
                 tell the classes apart; train longer or with a larger learning rate, or {STANDARDIZE}"
            ),
            Warning::LargeFeature { feature, rms } => write!(
                f,
                "{feature} has values of size {} (root mean square): inputs this large saturate the units; \
                 {STANDARDIZE}",
                short(*rms)
            ),
            Warning::ScaleSpread { widest, widest_std, narrowest, narrowest_std } => write!(
                f,
                "the features' scales differ by a factor of {} ({widest} has standard deviation {}, {narrowest} \
                 {}): one learning rate cannot suit them all; {STANDARDIZE}",
                short(widest_std / narrowest_std),
                short(*widest_std),
                short(*narrowest_std)
            ),
        }
    }
}

/// A cost as the course prints it (six decimals), or in scientific notation when large.
fn cost(x: f64) -> String {
    if x.abs() < 1e6 {
        format!("{x:.6}")
    } else {
        format!("{x:.3e}")
    }
}

/// Four significant digits.
fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e6 || x.abs() < 1e-3) {
        format!("{x:.3e}")
    } else {
        let decimals = (3 - x.abs().log10().floor() as i32).max(0) as usize;
        format!("{x:.decimals$}")
    }
}

/// Every warning about a run: from its `history`, its predicted classes on the training
/// examples (`predicted`, 1 × m of 0 and 1; `None` for a regression) and the inputs X as the
/// network saw them (n_x × m, after scaling), whose rows `feature_names` names when known.
/// Empty when nothing is suspect.
pub fn diagnose<T: Float>(
    history: &History,
    predicted: Option<ArrayView2<T>>,
    x: ArrayView2<T>,
    feature_names: Option<&[String]>,
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    warnings.extend(flat_cost(history));
    if let Some(predicted) = predicted {
        warnings.extend(one_class(predicted));
    }
    warnings.extend(feature_scales(x, feature_names));
    warnings
}

fn flat_cost(history: &History) -> Option<Warning> {
    let (&first, &after, &last) = (history.costs.first()?, history.costs.get(FLAT_ITERATIONS)?, history.costs.last()?);
    let change = |cost: f64| (cost - first).abs() / first.abs();
    (change(after) < FLAT_CHANGE && change(last) < FLAT_OVERALL).then_some(Warning::FlatCost { first, after, last })
}

fn one_class<T: Float>(predicted: ArrayView2<T>) -> Option<Warning> {
    let first = *predicted.iter().next()?;
    predicted
        .iter()
        .all(|&p| p == first)
        .then(|| Warning::OneClass { class: u8::from(first > T::zero()), examples: predicted.len() })
}

/// `Σ_j f(i, x[i, j])` for each feature i, summed over the examples in their order, reading X
/// along memory (feature by feature, or example by example when X is stored so).
fn feature_sums<T: Float>(x: ArrayView2<T>, f: impl Fn(usize, f64) -> f64) -> Vec<f64> {
    let mut sums = vec![0.0; x.nrows()];
    if x.nrows() > 1 && x.strides()[0] == 1 {
        for example in x.columns() {
            for (i, (sum, &v)) in sums.iter_mut().zip(example).enumerate() {
                *sum += f(i, v.as_f64());
            }
        }
    } else {
        for (i, (sum, feature)) in sums.iter_mut().zip(x.rows()).enumerate() {
            *sum = feature.iter().fold(0.0, |total, &v| total + f(i, v.as_f64()));
        }
    }
    sums
}

fn feature_scales<T: Float>(x: ArrayView2<T>, names: Option<&[String]>) -> Vec<Warning> {
    let feature = |index: usize| Feature { index, name: names.and_then(|n| n.get(index)).cloned() };
    let m = x.ncols() as f64;
    // (root mean square, standard deviation) of each feature.
    let means: Vec<f64> = feature_sums(x, |_, v| v).into_iter().map(|sum| sum / m).collect();
    let squares = feature_sums(x, |_, v| v * v);
    let deviations = feature_sums(x, |i, v| (v - means[i]).powi(2));
    let stats: Vec<(f64, f64)> = squares
        .iter()
        .zip(&deviations)
        .map(|(square, deviation)| ((square / m).sqrt(), (deviation / m).sqrt()))
        .collect();
    let mut warnings = Vec::new();
    let largest = stats.iter().enumerate().max_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
    if let Some((index, &(rms, _))) = largest.filter(|(_, (rms, _))| *rms > LARGE_FEATURE) {
        warnings.push(Warning::LargeFeature { feature: feature(index), rms });
    }
    let varying = || stats.iter().enumerate().filter(|(_, (_, std))| *std > 0.0);
    let widest = varying().max_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
    let narrowest = varying().min_by(|a, b| a.1 .1.total_cmp(&b.1 .1));
    if let (Some((wide, &(_, widest_std))), Some((narrow, &(_, narrowest_std)))) = (widest, narrowest) {
        if widest_std > SCALE_SPREAD * narrowest_std {
            warnings.push(Warning::ScaleSpread {
                widest: feature(wide),
                widest_std,
                narrowest: feature(narrow),
                narrowest_std,
            });
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// X stored one example per row (as mini-batch training keeps it) gets the warnings X
    /// stored by features gets, with the same numbers: each feature is summed in the same order.
    #[test]
    fn the_feature_warnings_do_not_depend_on_how_x_is_stored() {
        let x = Array2::from_shape_fn((3, 50), |(i, j)| [1e4, 1e-3, 1.0][i] * ((j * 7 + i) % 11) as f64);
        let by_examples = x.t().as_standard_layout().into_owned();
        let by_features = feature_scales(x.view(), None);
        assert_eq!(by_features.len(), 2, "{by_features:?}");
        assert_eq!(feature_scales(by_examples.t(), None), by_features);
    }
}
