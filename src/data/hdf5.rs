//! HDF5 files such as the course's `train_catvnoncat.h5`, read with a pure-Rust reader.
//!
//! The features are a dataset whose first axis is the example: `(m, 64, 64, 3)` uint8 images
//! or `(m, n_x)` numbers. Each example is flattened in row-major order — for images
//! (row, column, channel), the course's `reshape(m, -1).T` — into one column of X. Values are
//! returned as stored (0–255 for images); scaling is the caller's [`super::Scale`].

use std::path::Path;

use hdf5_pure::{DType as H5Type, File};
use ndarray::Array2;

use super::{find_member, Dataset, ImageShape};
use crate::error::one_line;
use crate::{Error, Result};

/// Which datasets of an HDF5 file hold X and Y. Left `None`, they are found by the
/// convention of the course's files: the one dataset named `*_x` (or `x`, `X`) and the one
/// named `*_y` (or `y`, `Y`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hdf5Keys {
    /// The features' dataset.
    pub x: Option<String>,
    /// The labels' dataset.
    pub y: Option<String>,
}

/// Reads X (n_x × m) and Y (1 × m) from an HDF5 file; class names from a `list_classes`
/// dataset when present.
pub fn read_hdf5(path: impl AsRef<Path>, keys: &Hdf5Keys) -> Result<Dataset> {
    let path = path.as_ref();
    let fail = |reason: String| Error::DataFile { path: path.to_path_buf(), reason: one_line(&reason) };
    if let Err(source) = std::fs::metadata(path) {
        return Err(Error::Io { path: path.to_path_buf(), error: source });
    }
    let file = File::open(path).map_err(|e| fail(format!("not a readable HDF5 file ({e})")))?;
    let names = file.root().datasets().map_err(|e| fail(format!("cannot list the datasets ({e})")))?;
    let x_key = find_member(&names, keys.x.as_deref(), "x", "dataset").map_err(&fail)?;
    let y_key = find_member(&names, keys.y.as_deref(), "y", "dataset").map_err(&fail)?;

    let x_set = file.dataset(&x_key).map_err(|e| fail(format!("dataset '{x_key}': {e}")))?;
    let shape: Vec<usize> =
        x_set.shape().map_err(|e| fail(format!("dataset '{x_key}': {e}")))?.into_iter().map(|d| d as usize).collect();
    let Some((&m, example_shape)) = shape.split_first() else {
        return Err(fail(format!("dataset '{x_key}' is a scalar, expected one example per row")));
    };
    // The values are read, then converted to f64 and transposed: 16 bytes each at the peak.
    check_claim(&x_key, &shape, 16).map_err(&fail)?;
    let n_x: usize = example_shape.iter().product();
    let dtype = x_set.dtype().map_err(|e| fail(format!("dataset '{x_key}': {e}")))?;
    let values: Vec<f64> = match dtype {
        H5Type::U8 => x_set.read_u8().map(|v| v.into_iter().map(f64::from).collect()),
        H5Type::F32
        | H5Type::F64
        | H5Type::I8
        | H5Type::I16
        | H5Type::I32
        | H5Type::I64
        | H5Type::U16
        | H5Type::U32
        | H5Type::U64 => x_set.read_f64(),
        other => return Err(fail(format!("dataset '{x_key}' holds {other}, expected numbers"))),
    }
    .map_err(|e| fail(format!("dataset '{x_key}' cannot be read ({e})")))?;
    if values.len() != m * n_x {
        return Err(fail(format!(
            "dataset '{x_key}' holds {} values, its shape {shape:?} says {}",
            values.len(),
            m * n_x
        )));
    }
    // Row j of the (m, n_x) block is example j; the transpose makes it column j.
    let x = Array2::from_shape_vec((m, n_x), values)
        .expect("length checked above")
        .reversed_axes()
        .as_standard_layout()
        .into_owned();
    if let Some(((row, column), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(fail(format!("dataset '{x_key}' has a non-finite value {v} at example {column}, feature {row}")));
    }

    let y_set = file.dataset(&y_key).map_err(|e| fail(format!("dataset '{y_key}': {e}")))?;
    let y_shape = y_set.shape().map_err(|e| fail(format!("dataset '{y_key}': {e}")))?;
    check_claim(&y_key, &y_shape.iter().map(|&d| d as usize).collect::<Vec<_>>(), 8).map_err(&fail)?;
    let labels = y_set.read_f64().map_err(|e| fail(format!("dataset '{y_key}' cannot be read as numbers ({e})")))?;
    if labels.len() != m {
        return Err(fail(format!("dataset '{y_key}' has {} labels, but '{x_key}' has {m} examples", labels.len())));
    }
    let y = Array2::from_shape_vec((1, m), labels).expect("length checked above");

    let class_names = if names.iter().any(|n| n == "list_classes") {
        let classes = file.dataset("list_classes").map_err(|e| fail(format!("dataset 'list_classes': {e}")))?;
        let is_number = matches!(
            classes.dtype(),
            Ok(H5Type::F32
                | H5Type::F64
                | H5Type::I8
                | H5Type::I16
                | H5Type::I32
                | H5Type::I64
                | H5Type::U8
                | H5Type::U16
                | H5Type::U32
                | H5Type::U64)
        );
        // Names (the cat files' b'non-cat', b'cat') or numbers (SIGNS's 0…5), which name
        // their classes in their shortest text.
        Some(if is_number {
            let numbers = classes
                .read_f64()
                .map_err(|e| fail(format!("dataset 'list_classes' cannot be read as numbers ({e})")))?;
            numbers.iter().map(|v| format!("{v}")).collect()
        } else {
            classes
                .read_string()
                .map_err(|e| fail(format!("dataset 'list_classes' cannot be read as strings ({e})")))?
        })
    } else {
        None
    };
    let image = match (dtype, example_shape) {
        (H5Type::U8, &[height, width, channels]) => Some(ImageShape { height, width, channels }),
        (H5Type::U8, &[height, width]) => Some(ImageShape { height, width, channels: 1 }),
        _ => None,
    };
    Ok(Dataset { x, y, class_names, image, ..Dataset::default() })
}

/// Refuses a dataset whose shape claims more values than memory holds (`bytes_each` bytes a
/// value), before the reader allocates them.
fn check_claim(key: &str, shape: &[usize], bytes_each: u64) -> Result<(), String> {
    let values = shape.iter().try_fold(1u64, |n, &d| n.checked_mul(d as u64));
    crate::memory::check_fits(
        &format!("dataset '{key}' of shape {shape:?}"),
        values.and_then(|n| n.checked_mul(bytes_each)),
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::check_claim;

    #[test]
    fn a_shape_past_memory_is_refused_before_reading() {
        assert!(check_claim("x", &[209, 64, 64, 3], 16).is_ok());
        let huge = check_claim("x", &[1 << 40, 64, 64, 3], 16).unwrap_err();
        assert!(
            huge.starts_with("dataset 'x' of shape [1099511627776, 64, 64, 3] needs 216172782.1 GB of memory, but "),
            "{huge}"
        );
        let overflow = check_claim("x", &[usize::MAX, 2], 8).unwrap_err();
        assert!(overflow.starts_with("dataset 'x' of shape [18446744073709551615, 2] needs more than "), "{overflow}");
    }
}
