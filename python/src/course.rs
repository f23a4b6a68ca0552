//! The course's functions ("Building your Deep Neural Network: Step by Step" and "Deep Neural
//! Network for Image Classification: Application") with their numpy shapes: X is n_x × m,
//! the parameters a dict `W1`, `b1`, … with b\[l\] of shape n\[l\] × 1, hidden layers ReLU and
//! the output a sigmoid. Each one is the library's own step: the layers' forward and backward
//! functions, its cost, its update and its training loop.

use std::ops::ControlFlow;
use std::sync::atomic::Ordering;

use dnn::{fit_with, Activation, Architecture, Dense, Gradients, Init, Loss, Network, NumpyRng, TrainConfig};
use ndarray::{Array1, Array2, ArrayView2};
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::errors::OrPy;
use crate::network::parameter_dict;
use crate::training::{print_line, watched};

/// The course's activation of layer `l` (from 1) of `layers`: ReLU, and a sigmoid for the last.
fn activation(l: usize, layers: usize) -> Activation {
    if l == layers {
        Activation::Sigmoid
    } else {
        Activation::Relu
    }
}

/// An array of a dict, or a `ValueError` naming the missing key.
fn array<'py>(dict: &Bound<'py, PyDict>, key: &str) -> PyResult<PyReadonlyArray2<'py, f64>> {
    match dict.get_item(key)? {
        Some(value) => value
            .extract::<PyReadonlyArray2<'py, f64>>()
            .map_err(|_| PyValueError::new_err(format!("{key} must be a 2-D numpy array of float64"))),
        None => Err(PyValueError::new_err(format!("no {key}: expected the parameters W1, b1, W2, b2, …"))),
    }
}

/// b\[l\] (n\[l\] × 1) as the library's vector, refusing another shape.
fn bias(b: ArrayView2<f64>, key: &str) -> PyResult<Array1<f64>> {
    if b.ncols() != 1 {
        return Err(dnn::Error::ShapeMismatch { what: key.into(), expected: (b.nrows(), 1), found: b.dim() }).or_py();
    }
    Ok(b.column(0).to_owned())
}

/// The layers of a course parameter dict `W1`, `b1`, …, `WL`, `bL`.
fn layers_of(parameters: &Bound<'_, PyDict>) -> PyResult<Vec<Dense<f64>>> {
    let count = (1..).take_while(|l| parameters.contains(format!("W{l}")).unwrap_or(false)).count();
    if count == 0 {
        return Err(PyValueError::new_err("no W1: expected the parameters W1, b1, W2, b2, …"));
    }
    (1..=count)
        .map(|l| {
            let w = array(parameters, &format!("W{l}"))?.as_array().to_owned();
            let key = format!("b{l}");
            let b = bias(array(parameters, &key)?.as_array(), &key)?;
            Dense::new(w, b, activation(l, count)).or_py()
        })
        .collect()
}

fn network_of(parameters: &Bound<'_, PyDict>) -> PyResult<Network<f64>> {
    Network::from_layers(layers_of(parameters)?, Loss::CrossEntropy).or_py()
}

/// The architecture of `layer_dims` with the course's activations.
fn architecture(layer_dims: &[usize]) -> PyResult<Architecture> {
    Architecture::new(layer_dims, Activation::Relu, Activation::Sigmoid).or_py()
}

/// `initialize_parameters_deep(layer_dims)` after `np.random.seed(seed)`: W\[l\] drawn with
/// `np.random.randn(n[l], n[l−1])` scaled as `init` says (`lecun`, `/ np.sqrt(n[l−1])`, the
/// application's; `scaled:0.01`, the step-by-step notebook's), b\[l\] zeros.
#[pyfunction]
#[pyo3(signature = (layer_dims, seed, init))]
pub fn initialize_parameters_deep<'py>(
    py: Python<'py>,
    layer_dims: Vec<usize>,
    seed: u32,
    init: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let init: Init = init.parse().or_py()?;
    let network = Network::<f64>::init(&architecture(&layer_dims)?, init, &mut NumpyRng::new(seed)).or_py()?;
    parameter_dict(py, network.layers())
}

/// `L_model_forward(X, parameters)`: `(AL, caches)`, with caches the course's
/// `((A_prev, W, b), Z)` of each layer.
#[pyfunction]
pub fn l_model_forward<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    parameters: &Bound<'py, PyDict>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, Bound<'py, PyList>)> {
    let network = network_of(parameters)?;
    let x_view = x.as_array();
    network.check_input(x_view).or_py()?;
    let mut ws = dnn::Workspace::new(&network, x_view.ncols());
    py.detach(|| network.forward(x_view, &mut ws));
    let caches = PyList::empty(py);
    let layers = network.layers().len();
    for l in 1..=layers {
        let a_prev = if l == 1 { x.as_any().clone() } else { ws.a(l - 1).to_owned().into_pyarray(py).into_any() };
        let w = parameters.get_item(format!("W{l}"))?.expect("checked by layers_of");
        let b = parameters.get_item(format!("b{l}"))?.expect("checked by layers_of");
        let linear = PyTuple::new(py, [a_prev, w, b])?;
        let z = ws.z(l).to_owned().into_pyarray(py);
        caches.append((linear, z))?;
    }
    Ok((ws.output().to_owned().into_pyarray(py), caches))
}

/// `compute_cost(AL, Y)`: `−(1/m)·Σ (Y·log(AL) + (1 − Y)·log(1 − AL))`.
#[pyfunction]
pub fn compute_cost(al: PyReadonlyArray2<'_, f64>, y: PyReadonlyArray2<'_, f64>) -> PyResult<f64> {
    dnn::metrics::log_loss(al.as_array(), y.as_array()).or_py()
}

/// `L_model_backward(AL, Y, caches)`: the course's grads `dA{l−1}`, `dW{l}`, `db{l}`, from
/// `dZ[L] = AL − Y` (sigmoid with cross-entropy) down through the ReLU layers.
#[pyfunction]
pub fn l_model_backward<'py>(
    py: Python<'py>,
    al: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    caches: &Bound<'py, PyList>,
) -> PyResult<Bound<'py, PyDict>> {
    type Cache<'py> = (
        (PyReadonlyArray2<'py, f64>, PyReadonlyArray2<'py, f64>, PyReadonlyArray2<'py, f64>),
        PyReadonlyArray2<'py, f64>,
    );
    let caches: Vec<Cache<'py>> = caches
        .iter()
        .map(|cache| {
            cache
                .extract()
                .map_err(|_| PyValueError::new_err("caches must be the ((A_prev, W, b), Z) of L_model_forward"))
        })
        .collect::<PyResult<_>>()?;
    let layers = caches.len();
    if layers == 0 {
        return Err(PyValueError::new_err("caches is empty: expected the ((A_prev, W, b), Z) of each layer"));
    }
    let dense: Vec<Dense<f64>> = caches
        .iter()
        .enumerate()
        .map(|(l, ((_, w, b), _))| {
            let key = format!("b{}", l + 1);
            Dense::new(w.as_array().to_owned(), bias(b.as_array(), &key)?, activation(l + 1, layers)).or_py()
        })
        .collect::<PyResult<_>>()?;
    let (al, y) = (al.as_array(), y.as_array());
    let ((a_prev_last, _, _), z_last) = &caches[layers - 1];
    for (what, found) in [(format!("Z{layers}"), z_last.as_array().dim()), ("Y".to_string(), y.dim())] {
        if found != al.dim() {
            return Err(dnn::Error::ShapeMismatch { what, expected: al.dim(), found }).or_py();
        }
    }
    let grads = PyDict::new(py);
    // dZ[L] = AL − Y, as the library's output layer computes it.
    let z_last = z_last.as_array();
    let (al_std, y_std, z_std) = (al.as_standard_layout(), y.as_standard_layout(), z_last.as_standard_layout());
    let mut dz = Array2::zeros(al.dim());
    let contiguous = "standard layout is contiguous";
    Loss::CrossEntropy.output_delta_in_place(
        Activation::Sigmoid,
        z_std.as_slice().expect(contiguous),
        al_std.as_slice().expect(contiguous),
        y_std.as_slice().expect(contiguous),
        dz.as_slice_mut().expect(contiguous),
    );
    let (mut da, last) = dense[layers - 1].linear_backward(dz.view(), a_prev_last.as_array()).or_py()?;
    set_gradients(py, &grads, layers, &da, last)?;
    for l in (1..layers).rev() {
        let ((a_prev, _, _), z) = &caches[l - 1];
        let ((a, _, _), _) = &caches[l];
        let (da_prev, gradients) = dense[l - 1]
            .linear_activation_backward(da.view(), z.as_array(), a.as_array(), a_prev.as_array())
            .or_py()?;
        da = da_prev;
        set_gradients(py, &grads, l, &da, gradients)?;
    }
    Ok(grads)
}

/// `dA{l−1}`, `dW{l}` and `db{l}` (n\[l\] × 1) into `grads`.
fn set_gradients(
    py: Python<'_>,
    grads: &Bound<'_, PyDict>,
    l: usize,
    da_prev: &Array2<f64>,
    gradients: Gradients<f64>,
) -> PyResult<()> {
    grads.set_item(format!("dA{}", l - 1), da_prev.clone().into_pyarray(py))?;
    grads.set_item(format!("dW{l}"), gradients.dw.into_pyarray(py))?;
    let n = gradients.db.len();
    grads.set_item(format!("db{l}"), gradients.db.into_shape_with_order((n, 1)).expect("n values").into_pyarray(py))?;
    Ok(())
}

/// `update_parameters(parameters, grads, learning_rate)`: `W[l] − α·dW[l]`, `b[l] − α·db[l]`,
/// as new arrays.
#[pyfunction]
pub fn update_parameters<'py>(
    py: Python<'py>,
    parameters: &Bound<'py, PyDict>,
    grads: &Bound<'py, PyDict>,
    learning_rate: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let mut layers = layers_of(parameters)?;
    for (l, layer) in layers.iter_mut().enumerate() {
        let dw_key = format!("dW{}", l + 1);
        let db_key = format!("db{}", l + 1);
        let dw = array(grads, &dw_key)?.as_array().to_owned();
        let db = bias(array(grads, &db_key)?.as_array(), &db_key)?;
        for (what, expected, found) in
            [(dw_key, layer.w().dim(), dw.dim()), (db_key, (layer.n_out(), 1), (db.len(), 1))]
        {
            if expected != found {
                return Err(dnn::Error::ShapeMismatch { what, expected, found }).or_py();
            }
        }
        layer.update_parameters(&Gradients { dw, db }, learning_rate);
    }
    parameter_dict(py, &layers)
}

/// The course's `predict(X, y, parameters)` without its print: `p` (1 × m), 1 where
/// AL > 0.5.
#[pyfunction]
pub fn predict<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    parameters: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let network = network_of(parameters)?;
    let x = x.as_array();
    Ok(py.detach(|| network.predict(x, 0.5)).or_py()?.into_pyarray(py))
}

/// The course's `two_layer_model` and `L_layer_model`: W drawn after `np.random.seed(seed)`
/// as `init` says, then `num_iterations` steps of batch gradient descent. Returns the
/// parameters and the cost of every 100th iteration; with `print_cost`, prints
/// `Cost after iteration i: cost` for those and the last.
#[pyfunction]
#[pyo3(signature = (x, y, layers_dims, learning_rate, num_iterations, print_cost, init, seed))]
#[allow(clippy::too_many_arguments)]
pub fn train_model<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray2<'py, f64>,
    layers_dims: Vec<usize>,
    learning_rate: f64,
    num_iterations: usize,
    print_cost: bool,
    init: &str,
    seed: u32,
) -> PyResult<(Bound<'py, PyDict>, Vec<f64>)> {
    let init: Init = init.parse().or_py()?;
    let network = Network::<f64>::init(&architecture(&layers_dims)?, init, &mut NumpyRng::new(seed)).or_py()?;
    let config = TrainConfig::new(learning_rate, num_iterations).check().or_py()?;
    let (x, y) = (x.as_array(), y.as_array());
    let (outcome, interrupted) = watched(py, |stop| {
        fit_with(network, x, y, &config, |progress| {
            let last = progress.iteration + 1 == progress.iterations;
            if print_cost && (progress.iteration.is_multiple_of(100) || last) {
                print_line(&format!("Cost after iteration {}: {}", progress.iteration, progress.cost));
            }
            if stop.load(Ordering::Relaxed) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
    })?;
    let (network, history) = outcome.or_py()?;
    if let Some(signal) = interrupted {
        return Err(signal);
    }
    let costs = history.costs.iter().step_by(100).copied().collect();
    Ok((parameter_dict(py, network.layers())?, costs))
}
