//! The class `Network`: a network of the library in f32 or f64, with what a model file keeps
//! beside its weights. It is created, trained, asked for predictions, saved and loaded
//! through the library's own functions.

use std::path::PathBuf;

use dnn::data::Preprocessing;
use dnn::model_file::{self, ModelInfo};
use dnn::{Activation, Architecture, DType, Dense, Float, Init, Network, NumpyRng};
use ndarray::{Array2, ArrayView2};
use numpy::{Element, IntoPyArray, PyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::OrPy;
use crate::training::{self, Settings};

/// A network in one of the two float types.
#[derive(Clone)]
pub enum Net {
    F32(Network<f32>),
    F64(Network<f64>),
}

/// Runs `$body` with `$n` bound to the network, whatever its float type.
macro_rules! each {
    ($net:expr, $n:ident => $body:expr) => {
        match $net {
            Net::F32($n) => $body,
            Net::F64($n) => $body,
        }
    };
}

/// A network and the parts of its model file that are not weights: preprocessing (for a
/// model trained by the command line on a data file), class names and the training's record.
#[pyclass(name = "Network", module = "dnn._native")]
pub struct PyNetwork {
    net: Net,
    preprocessing: Preprocessing,
    class_names: Option<Vec<String>>,
    training: Option<serde_json::Value>,
}

#[pymethods]
impl PyNetwork {
    /// A new network of layer sizes `[n_x, n[1], …, n[L]]`, its weights drawn by `init`
    /// (`zeros`, `scaled:S`, `lecun`, `he`, `xavier`) from NumPy's generator seeded by `seed`.
    #[new]
    #[pyo3(signature = (sizes, hidden_activation, output_activation, init, seed, dtype))]
    fn new(
        sizes: Vec<usize>,
        hidden_activation: &str,
        output_activation: &str,
        init: &str,
        seed: u32,
        dtype: &str,
    ) -> PyResult<Self> {
        let hidden: Activation = hidden_activation.parse().or_py()?;
        let output: Activation = output_activation.parse().or_py()?;
        let init: Init = init.parse().or_py()?;
        let dtype: DType = dtype.parse().or_py()?;
        let arch = Architecture::new(&sizes, hidden, output).or_py()?;
        let mut rng = NumpyRng::new(seed);
        let net = match dtype {
            DType::F32 => Net::F32(Network::init(&arch, init, &mut rng).or_py()?),
            DType::F64 => Net::F64(Network::init(&arch, init, &mut rng).or_py()?),
        };
        Ok(PyNetwork { net, preprocessing: Preprocessing::default(), class_names: None, training: None })
    }

    /// Reads a model file written by `dnn train --model` or [`PyNetwork::save`], in the float
    /// type it was saved in.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let meta = model_file::read_meta(&path).or_py()?;
        let (net, meta) = match meta.dtype {
            DType::F32 => {
                let (network, meta) = model_file::load::<f32>(&path).or_py()?;
                (Net::F32(network), meta)
            }
            DType::F64 => {
                let (network, meta) = model_file::load::<f64>(&path).or_py()?;
                (Net::F64(network), meta)
            }
        };
        Ok(PyNetwork { net, preprocessing: meta.preprocessing, class_names: meta.class_names, training: meta.training })
    }

    /// The bytes of the model file [`PyNetwork::save`] would write.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = each!(&self.net, n => model_file::to_vec(n, &self.info())).or_py()?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// A network from the bytes of a model file.
    #[staticmethod]
    fn from_bytes(bytes: &[u8]) -> PyResult<Self> {
        let (network, meta) = model_file::load_bytes::<f64>(bytes, "(bytes)").or_py()?;
        // Weights stored as f32 widen to f64 exactly, and narrow back exactly.
        let net = match meta.dtype {
            DType::F32 => Net::F32(network.cast()),
            DType::F64 => Net::F64(network),
        };
        Ok(PyNetwork { net, preprocessing: meta.preprocessing, class_names: meta.class_names, training: meta.training })
    }

    /// Pickling goes through the model file's bytes.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.borrow().to_bytes(slf.py())?,)))
    }

    /// Writes the model file (atomically), with `class_names` and `training` (a JSON
    /// document) in its metadata.
    #[pyo3(signature = (path, class_names=None, training=None))]
    fn save(&mut self, path: PathBuf, class_names: Option<Vec<String>>, training: Option<&str>) -> PyResult<()> {
        let training = match training {
            Some(text) => Some(
                serde_json::from_str(text)
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("training record: {e}")))?,
            ),
            None => self.training.clone(),
        };
        if class_names.is_some() {
            self.class_names = class_names;
        }
        self.training = training;
        let info = self.info();
        each!(&self.net, n => model_file::save(&path, n, &info)).or_py()
    }

    /// Trains the network on X (m × n_x, rows as examples, of the network's float type) and
    /// Y: class indexes (m × 1) for a softmax output, else the targets (m × n\[L\]). Returns
    /// the history as a dict: `costs`, `validation_costs`, `validation_accuracies`,
    /// `best_epoch`, `stopped_early`.
    #[pyo3(signature = (x, y, *, learning_rate, epochs, optimizer, beta1, beta2, epsilon, batch_size,
        seed, l2, validation_fraction, patience, threads, verbose))]
    #[allow(clippy::too_many_arguments)]
    fn fit<'py>(
        &mut self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        y: PyReadonlyArray2<'py, f64>,
        learning_rate: f64,
        epochs: usize,
        optimizer: String,
        beta1: f64,
        beta2: f64,
        epsilon: f64,
        batch_size: Option<usize>,
        seed: u32,
        l2: f64,
        validation_fraction: Option<f64>,
        patience: Option<usize>,
        threads: usize,
        verbose: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let settings = Settings {
            learning_rate,
            epochs,
            optimizer,
            beta1,
            beta2,
            epsilon,
            batch_size,
            seed,
            l2,
            validation_fraction,
            patience,
            threads,
            verbose,
        };
        let y = y.as_array();
        let history = match &mut self.net {
            Net::F32(network) => {
                let x = x_of::<f32>(x)?;
                let (trained, history) = training::fit(py, network, x.as_array().reversed_axes(), y, &settings)?;
                *network = trained;
                history
            }
            Net::F64(network) => {
                let x = x_of::<f64>(x)?;
                let (trained, history) = training::fit(py, network, x.as_array().reversed_axes(), y, &settings)?;
                *network = trained;
                history
            }
        };
        let dict = PyDict::new(py);
        dict.set_item("costs", history.costs)?;
        dict.set_item("validation_costs", history.validation_costs)?;
        dict.set_item("validation_accuracies", history.validation_accuracies)?;
        dict.set_item("best_epoch", history.best_epoch)?;
        dict.set_item("stopped_early", history.stopped_early)?;
        Ok(dict)
    }

    /// The output A\[L\] for the rows of X (m × n_x): probabilities for a sigmoid or softmax
    /// output, values for a linear one; m × n\[L\], of the network's float type. The model
    /// file's preprocessing is applied first, and a regression's target scaling undone.
    fn predict_proba<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        Ok(each!(&self.net, n => self.outputs(py, n, x)?.into_pyarray(py).into_any()))
    }

    /// The class index of each row of X: the most probable output of a softmax, or
    /// `p > 0.5` for a single sigmoid output.
    fn predict_classes<'py>(&self, py: Python<'py>, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let classes = each!(&self.net, n => {
            let p = self.outputs(py, n, x)?;
            dnn::metrics::classes_of(p.t())
        });
        Ok(classes.into_iter().map(|c| c as i64).collect::<Vec<_>>().into_pyarray(py))
    }

    /// The weights as the course keeps them: `W1` (n\[1\] × n\[0\]), `b1` (n\[1\] × 1), ….
    fn parameters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        each!(&self.net, n => parameter_dict(py, n.layers()))
    }

    /// `[n_x, n[1], …, n[L]]`.
    #[getter]
    fn sizes(&self) -> Vec<usize> {
        each!(&self.net, n => n.sizes())
    }

    /// The activation of each layer, by name (`relu`, `softmax`, …).
    #[getter]
    fn activations(&self) -> Vec<String> {
        each!(&self.net, n => n.layers().iter().map(|layer| layer.activation().name()).collect())
    }

    /// The loss trained on: `cross-entropy`, `categorical-cross-entropy` or `mean-squared-error`.
    #[getter]
    fn loss(&self) -> &'static str {
        each!(&self.net, n => n.loss().name())
    }

    /// `f32` or `f64`.
    #[getter]
    fn dtype(&self) -> &'static str {
        each!(&self.net, n => dtype_of(n).name())
    }

    /// The class names of the model file, when it has them.
    #[getter]
    fn class_names(&self) -> Option<Vec<String>> {
        self.class_names.clone()
    }

    /// The names of the features in the order X gives them, for a model trained by `dnn
    /// train` on a file with a header (`None` otherwise): the columns with the role of a
    /// feature, in the file's order.
    #[getter]
    fn feature_names(&self) -> Option<Vec<String>> {
        let columns = self.preprocessing.columns.as_ref()?;
        let names = columns.names.as_ref()?;
        let features = names.iter().zip(&columns.roles).filter(|(_, role)| **role == dnn::data::ColumnRole::Feature);
        Some(features.map(|(name, _)| name.clone()).collect())
    }

    /// The model file's record of training, as a JSON document (or `None`).
    #[getter]
    fn training(&self) -> Option<String> {
        self.training.as_ref().map(serde_json::Value::to_string)
    }

    /// Whether the model carries a preprocessing of its inputs (a command-line model trained
    /// on a data file): X is then given in the units of that file.
    #[getter]
    fn preprocesses(&self) -> bool {
        self.preprocessing.scale != dnn::data::Scale::None || self.preprocessing.fill.is_some()
    }
}

impl PyNetwork {
    /// What the model file keeps besides the weights.
    fn info(&self) -> ModelInfo {
        ModelInfo {
            preprocessing: self.preprocessing.clone(),
            class_names: self.class_names.clone(),
            training: self.training.clone(),
        }
    }

    /// The outputs for the rows of `x` (m × n\[L\], transposed back from the library's
    /// n\[L\] × m), with the preprocessing applied before and the target scaling undone after.
    ///
    /// The products' rounding depends on X's layout: X is given to the library as the command
    /// line gives it, one column per example in standard layout, so that both compute the same
    /// bits. That is X's own memory for one row or for rows in Fortran order, and a copy
    /// otherwise. A model with a preprocessing takes X in f64 and scales it in f64, as the
    /// command line does, before converting it to `T`.
    fn outputs<T: Float + Element>(
        &self,
        py: Python<'_>,
        network: &Network<T>,
        x: &Bound<'_, PyAny>,
    ) -> PyResult<Array2<T>> {
        let output = if self.preprocesses() {
            let x = x_of::<f64>(x)?;
            let prepared = self.prepared(x.as_array().reversed_axes());
            py.detach(|| network.predict_proba(prepared.view())).or_py()?
        } else {
            let x = x_of::<T>(x)?;
            let x = x.as_array().reversed_axes();
            let x = x.as_standard_layout();
            let x = x.view();
            py.detach(|| network.predict_proba(x)).or_py()?
        };
        let output = match self.preprocessing.target {
            Some(target) => output.mapv(|v| T::from_f64(target.undo(v.as_f64()))),
            None => output,
        };
        Ok(output.reversed_axes())
    }

    /// X (n_x × m) after the model file's filling of missing values and scaling.
    fn prepared<T: Float>(&self, x: ArrayView2<f64>) -> Array2<T> {
        let Preprocessing { scale, fill, .. } = &self.preprocessing;
        let mut x = x.as_standard_layout().into_owned();
        if let Some(fill) = fill {
            dnn::data::fill_missing(&mut x, fill);
        }
        // Another feature count is refused by the network, naming the shapes.
        if x.nrows() == scale_len(scale).unwrap_or(x.nrows()) {
            scale.apply_in_place(&mut x);
        }
        x.mapv(T::from_f64)
    }
}

/// The parameters of `layers` as the course keeps them: `W1` (n\[1\] × n\[0\]), `b1`
/// (n\[1\] × 1), ….
pub fn parameter_dict<'py, T: Float + Element>(py: Python<'py>, layers: &[Dense<T>]) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (l, layer) in layers.iter().enumerate() {
        dict.set_item(format!("W{}", l + 1), layer.w().clone().into_pyarray(py))?;
        let b = layer.b().clone().into_shape_with_order((layer.n_out(), 1)).expect("n[l] values");
        dict.set_item(format!("b{}", l + 1), b.into_pyarray(py))?;
    }
    Ok(dict)
}

/// The feature count a standardisation was fitted to (others scale any count).
fn scale_len(scale: &dnn::data::Scale) -> Option<usize> {
    match scale {
        dnn::data::Scale::Standardize { mean, .. } => Some(mean.len()),
        _ => None,
    }
}

fn dtype_of<T: Float>(_: &Network<T>) -> DType {
    T::DTYPE
}

/// X as an array of `T`, or a `TypeError` naming the type expected.
fn x_of<'py, T: Element + Float>(x: &Bound<'py, PyAny>) -> PyResult<PyReadonlyArray2<'py, T>> {
    x.extract::<PyReadonlyArray2<'py, T>>().map_err(|_| {
        PyTypeError::new_err(format!("X must be a 2-D numpy array of {} for this network", numpy_name(T::DTYPE)))
    })
}

fn numpy_name(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "float32",
        DType::F64 => "float64",
    }
}
