//! The library's errors as Python exceptions: bad input is a `ValueError` carrying the
//! library's message, a missing or unreadable file an `OSError`, a run too large for the
//! memory a `MemoryError`.

use pyo3::exceptions::{
    PyFileNotFoundError, PyMemoryError, PyOSError, PyPermissionError, PyRuntimeError, PyValueError,
};
use pyo3::PyErr;

/// The exception for `error`, with the library's message. Examples are columns in the
/// library and rows in Python, so the row and column of a non-finite value are swapped to
/// name the place in the array the caller gave.
pub fn to_py(error: dnn::Error) -> PyErr {
    let text = error.to_string();
    match error {
        dnn::Error::NonFinite { what, row, column, value } => {
            let swapped = dnn::Error::NonFinite { what, row: column, column: row, value };
            PyValueError::new_err(swapped.to_string())
        }
        dnn::Error::Io { error: io, .. } => match io.kind() {
            std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(text),
            std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(text),
            _ => PyOSError::new_err(text),
        },
        dnn::Error::OutOfMemory { .. } => PyMemoryError::new_err(text),
        dnn::Error::Threads { .. } => PyRuntimeError::new_err(text),
        _ => PyValueError::new_err(text),
    }
}

/// The result with its error converted by [`to_py`].
pub trait OrPy<T> {
    fn or_py(self) -> pyo3::PyResult<T>;
}

impl<T> OrPy<T> for dnn::Result<T> {
    fn or_py(self) -> pyo3::PyResult<T> {
        self.map_err(to_py)
    }
}
