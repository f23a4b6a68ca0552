//! The extension module `dnn._native`: the library's networks, training and model files for
//! Python, with numpy arrays at the boundary. The scikit-learn estimators and the course's
//! functions (package `dnn`, in `python/dnn/`) are written on top of it.
//!
//! Python passes examples as rows (m × n_x); the library thinks in columns (n_x × m), so each
//! array is transposed once here, as a view: a float array of the network's type is read
//! without a copy where its layout allows.

mod course;
mod errors;
mod network;
mod training;

use pyo3::prelude::*;

/// The module's contents: the class `Network`, the course's functions and the model files'
/// format version.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<network::PyNetwork>()?;
    m.add_function(wrap_pyfunction!(course::initialize_parameters_deep, m)?)?;
    m.add_function(wrap_pyfunction!(course::l_model_forward, m)?)?;
    m.add_function(wrap_pyfunction!(course::compute_cost, m)?)?;
    m.add_function(wrap_pyfunction!(course::l_model_backward, m)?)?;
    m.add_function(wrap_pyfunction!(course::update_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(course::predict, m)?)?;
    m.add_function(wrap_pyfunction!(course::train_model, m)?)?;
    m.add("FORMAT_VERSION", dnn::model_file::FORMAT_VERSION)?;
    Ok(())
}
