//! What a page asks a run to train: the data, the network and the training settings, as
//! JSON, checked once into a [`Plan`] with a message naming the field for anything refused.

use dnn::data::{Dataset, Task};
use dnn::optimizer::{DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON};
use dnn::{Activation, Architecture, Init, NumpyRng, OptimizerKind, TrainConfig};
use serde::{Deserialize, Serialize};

use crate::data::Classes;

/// The most hidden layers a page may ask for.
pub const MAX_HIDDEN_LAYERS: usize = 6;
/// The most units in one hidden layer.
pub const MAX_UNITS: usize = 16;
/// The most classes of a generated set.
pub const MAX_CLASSES: usize = 8;
/// The most points of a data set (a built-in set's, added and uploaded ones together).
pub const MAX_POINTS: usize = 5000;

/// The built-in 2-D sets a page may choose.
pub const SETS: [&str; 7] = ["planar", "moons", "circles", "xor", "blobs", "gaussian-quantiles", "spiral"];

/// A run's settings as the page sends them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub data: DataSettings,
    pub network: NetworkSettings,
    pub training: TrainingSettings,
}

/// The data: a built-in set (or the page's own points), jitter, added points and the test split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSettings {
    /// One of [`SETS`], or `custom` for the page's own points only.
    pub set: String,
    /// The seed of the generated set (`--data-seed`).
    #[serde(default = "one")]
    pub seed: u32,
    /// Classes of `blobs` and `spiral` (`--classes`); `None` for the set's default.
    #[serde(default)]
    pub classes: Option<usize>,
    /// Standard deviation of Gaussian jitter added to every coordinate of the set (0: none).
    #[serde(default)]
    pub noise: f64,
    /// The fraction of examples held out as the test set (`--validation`; 0: none).
    #[serde(default)]
    pub test_fraction: f64,
    /// Points added by hand or uploaded: `[x1, x2, class]`.
    #[serde(default)]
    pub points: Vec<[f64; 3]>,
}

fn one() -> u32 {
    1
}

/// The network: hidden layers, output, initialisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Hidden layers, first to last.
    pub hidden: Vec<HiddenLayer>,
    /// `sigmoid` (two classes) or `softmax`.
    pub output: String,
    /// `zeros`, `scaled:S`, `lecun`, `he` or `xavier`.
    pub init: String,
    /// The initialisation's seed (`--seed`; also the split's, shuffles' and dropout's).
    pub seed: u32,
}

/// One hidden layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HiddenLayer {
    pub units: usize,
    pub activation: String,
}

/// How to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    pub learning_rate: f64,
    /// `gd`, `momentum`, `rmsprop` or `adam`.
    #[serde(default = "gd")]
    pub optimizer: String,
    /// Examples per mini-batch; `None` for full batches.
    #[serde(default)]
    pub batch_size: Option<usize>,
    /// L2's λ (0: none).
    #[serde(default)]
    pub l2: f64,
    /// Dropout's keep probability for every hidden layer (1: none).
    #[serde(default = "keep_all")]
    pub keep_prob: f64,
}

fn gd() -> String {
    "gd".into()
}

fn keep_all() -> f64 {
    1.0
}

/// Settings checked: the data split, the architecture, the initialisation and the
/// configuration, ready to train.
#[derive(Debug, Clone)]
pub struct Plan {
    pub settings: Settings,
    /// All examples before the split, in their order (what "Download data" writes).
    pub all: Dataset,
    pub train: Dataset,
    pub test: Option<Dataset>,
    /// The number of classes.
    pub k: usize,
    pub arch: Architecture,
    pub init: Init,
    /// The configuration without its epoch count (each stretch of training sets its own).
    pub config: TrainConfig,
}

/// A refusal: the field and what was wrong with it.
pub type Refusal = String;

impl Settings {
    /// Checks every value and builds the data and the network's shape.
    pub fn plan(&self) -> Result<Plan, Refusal> {
        let all = self.data.dataset()?;
        let k = class_count(&all);
        let mut train = all.clone();
        let fraction = self.data.test_fraction;
        let test = if fraction == 0.0 {
            None
        } else if fraction > 0.0 && fraction <= 0.9 {
            let spec = format!("the {} data", self.data.set);
            let test = crate::optimization::hold_out(&mut train, fraction, true, self.network.seed, &spec)
                .map_err(|e| format!("data.test_fraction: {e}"))?;
            Some(test)
        } else {
            return Err(format!("data.test_fraction {fraction}: expected a fraction from 0 to 0.9"));
        };
        let (arch, init) = self.network.architecture(k)?;
        let config = self.training.config(&self.network, arch.hidden_layers())?;
        Ok(Plan { settings: self.clone(), all, train, test, k, arch, init, config })
    }
}

impl DataSettings {
    /// Whether the data is exactly a built-in set that `dnn train builtin:NAME` makes.
    pub fn is_builtin(&self) -> bool {
        self.set != "custom" && self.noise == 0.0 && self.points.is_empty()
    }

    /// The examples: the set, jittered, with the added points after its own.
    fn dataset(&self) -> Result<Dataset, Refusal> {
        if !(self.noise.is_finite() && (0.0..=2.0).contains(&self.noise)) {
            return Err(format!("data.noise {}: expected a number from 0 to 2", self.noise));
        }
        if self.points.len() > MAX_POINTS {
            return Err(format!("data.points: {} points, at most {MAX_POINTS} accepted", self.points.len()));
        }
        let mut set = match (self.set.as_str(), self.classes) {
            ("custom", _) => Dataset::default(),
            (name, Some(k)) if name != "blobs" && name != "spiral" => {
                return Err(format!("data.classes {k}: only blobs and spiral have a number of classes, not {name}"));
            }
            (_, Some(k)) if !(2..=MAX_CLASSES).contains(&k) => {
                return Err(format!("data.classes {k}: expected 2 to {MAX_CLASSES}"));
            }
            (name, classes) if SETS.contains(&name) => {
                // As `dnn train builtin:NAME --data-seed S [--classes K]` loads it.
                let args = crate::cli::DataArgs {
                    format: None,
                    label_column: None,
                    x_key: None,
                    y_key: None,
                    data_seed: self.seed,
                    classes,
                    delimiter: None,
                    missing: None,
                    ignore_columns: Vec::new(),
                    id_column: None,
                    positive_class: None,
                };
                let spec = format!("builtin:{name}");
                crate::data::load(&spec, &args, Task::Classification, Classes::Any)
                    .map_err(|e| format!("data.set: {e}"))?
            }
            (name, _) => {
                return Err(format!("data.set '{name}': expected one of {} or custom", SETS.join(", ")));
            }
        };
        if self.noise > 0.0 {
            let mut rng = NumpyRng::new(self.seed);
            set.x.mapv_inplace(|v| v + self.noise * rng.randn());
        }
        let set_classes = if set.m() > 0 { class_count(&set) } else { MAX_CLASSES };
        for (i, &[x1, x2, class]) in self.points.iter().enumerate() {
            if !(x1.is_finite() && x2.is_finite()) || x1.abs() > 1e6 || x2.abs() > 1e6 {
                return Err(format!("data.points[{i}]: coordinates must be finite numbers of at most 1e6"));
            }
            if class.fract() != 0.0 || !(0.0..set_classes as f64).contains(&class) {
                return Err(format!(
                    "data.points[{i}]: class {class}: expected a whole number from 0 to {}",
                    set_classes - 1
                ));
            }
        }
        let m = set.m() + self.points.len();
        if m > MAX_POINTS {
            return Err(format!("data: {m} points, at most {MAX_POINTS} accepted"));
        }
        let mut x = ndarray::Array2::zeros((2, m));
        let mut y = ndarray::Array2::zeros((1, m));
        if set.m() > 0 {
            x.slice_mut(ndarray::s![.., ..set.m()]).assign(&set.x);
            y.slice_mut(ndarray::s![.., ..set.m()]).assign(&set.y);
        }
        for (j, &[x1, x2, class]) in self.points.iter().enumerate() {
            let j = set.m() + j;
            (x[(0, j)], x[(1, j)], y[(0, j)]) = (x1, x2, class);
        }
        let k = y.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1;
        let all = if self.is_builtin() {
            set
        } else {
            let class_names = Some((0..k).map(|c| c.to_string()).collect());
            Dataset { x, y, class_names, ..Dataset::default() }
        };
        for c in 0..k {
            if !all.y.iter().any(|&label| label == c as f64) {
                return Err(format!(
                    "data: no point of class {c}: the classes must be 0 to {} with at least one point each",
                    k - 1
                ));
            }
        }
        if k < 2 {
            return Err("data: points of at least two classes are needed".into());
        }
        Ok(all)
    }
}

/// The number of classes: as many as names, or the largest label plus one.
pub fn class_count(data: &Dataset) -> usize {
    match &data.class_names {
        Some(names) => names.len(),
        None => data.y.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1,
    }
}

impl NetworkSettings {
    /// The architecture for `k` classes and the initialisation.
    fn architecture(&self, k: usize) -> Result<(Architecture, Init), Refusal> {
        if self.hidden.len() > MAX_HIDDEN_LAYERS {
            return Err(format!("network.hidden: {} layers, at most {MAX_HIDDEN_LAYERS} accepted", self.hidden.len()));
        }
        let mut sizes = vec![2];
        let mut activations = Vec::new();
        for (l, layer) in self.hidden.iter().enumerate() {
            if !(1..=MAX_UNITS).contains(&layer.units) {
                return Err(format!("network.hidden[{l}].units {}: expected 1 to {MAX_UNITS}", layer.units));
            }
            let activation: Activation =
                layer.activation.parse().map_err(|e| format!("network.hidden[{l}].activation: {e}"))?;
            if activation == Activation::Softmax {
                return Err(format!("network.hidden[{l}].activation softmax: only the output may be softmax"));
            }
            sizes.push(layer.units);
            activations.push(activation);
        }
        let (output, n_out) = match self.output.as_str() {
            "sigmoid" if k == 2 => (Activation::Sigmoid, 1),
            "sigmoid" => return Err(format!("network.output sigmoid: the data has {k} classes, which need softmax")),
            "softmax" => (Activation::Softmax, k),
            other => return Err(format!("network.output '{other}': expected sigmoid or softmax")),
        };
        sizes.push(n_out);
        activations.push(output);
        let loss =
            if output == Activation::Softmax { dnn::Loss::CategoricalCrossEntropy } else { dnn::Loss::CrossEntropy };
        let arch = Architecture::with_activations(&sizes, activations, loss).map_err(|e| format!("network: {e}"))?;
        let init: Init = self.init.parse().map_err(|e| format!("network.init: {e}"))?;
        Ok((arch, init))
    }

    /// The one hidden activation of every hidden layer, when they all have the same (what
    /// `--hidden-activation` can say).
    pub fn common_activation(&self) -> Option<&str> {
        let first = self.hidden.first()?.activation.as_str();
        self.hidden.iter().all(|layer| layer.activation == first).then_some(first)
    }
}

impl TrainingSettings {
    /// The library's configuration (one epoch; each stretch of training sets its count).
    fn config(&self, network: &NetworkSettings, hidden_layers: usize) -> Result<TrainConfig, Refusal> {
        let lr = self.learning_rate;
        if !(lr.is_finite() && lr > 0.0 && lr <= 1000.0) {
            return Err(format!("training.learning_rate {lr}: expected a number greater than 0 and at most 1000"));
        }
        let kind: OptimizerKind = self
            .optimizer
            .parse()
            .map_err(|_| format!("training.optimizer '{}': expected gd, momentum, rmsprop or adam", self.optimizer))?;
        // One thread: the sets are small, and other runs may be training beside this one.
        let mut config = TrainConfig::new(lr, 1).with_threads(1).with_optimizer(kind.with(
            DEFAULT_BETA1,
            DEFAULT_BETA2,
            DEFAULT_EPSILON,
        ));
        match self.batch_size {
            Some(0) => return Err("training.batch_size 0: expected at least 1".into()),
            Some(size) if size > MAX_POINTS => {
                return Err(format!("training.batch_size {size}: expected at most {MAX_POINTS}"))
            }
            Some(size) => config = config.with_batches(size, network.seed),
            None => {}
        }
        if !(self.l2.is_finite() && (0.0..=100.0).contains(&self.l2)) {
            return Err(format!("training.l2 {}: expected a number from 0 to 100", self.l2));
        }
        if self.l2 > 0.0 {
            config = config.with_l2(self.l2);
        }
        let p = self.keep_prob;
        if !(p > 0.0 && p <= 1.0) {
            return Err(format!("training.keep_prob {p}: expected a probability in (0, 1]"));
        }
        if p < 1.0 {
            if hidden_layers == 0 {
                return Err("training.keep_prob: dropout needs a hidden layer".into());
            }
            config =
                config.with_dropout(dnn::Dropout { keep_prob: vec![p], seed: network.seed, reseed_every_pass: false });
        }
        config.check().map_err(|e| format!("training: {e}"))?;
        Ok(config)
    }
}
