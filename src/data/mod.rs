//! Data sets in the course's layout: X is n_x × m (one column per example), Y is 1 × m
//! (a class index or a value per example; one-hot k × m only for training a softmax).
//!
//! Loaders transpose once, at load time; everything after them thinks in columns.

mod builtin;
mod columns;
#[cfg(feature = "io")]
mod csv;
#[cfg(feature = "io")]
mod hdf5;
#[cfg(feature = "io")]
mod images;
mod labels;
#[cfg(feature = "io")]
mod npy;
mod preprocess;

pub use builtin::{builtin, builtin_classes, make_circles, make_moons, planar, BUILTIN_NAMES};
pub use columns::{ColumnRef, ColumnRole, Columns};
#[cfg(feature = "io")]
pub use csv::{read_csv, read_csv_bytes, read_csv_for_model, CsvOptions, Delimiter, LabelColumn, LabelNeed, Missing};
#[cfg(feature = "io")]
pub use hdf5::{read_hdf5, Hdf5Keys};
#[cfg(feature = "io")]
pub use images::{is_image_file, read_image, read_image_files, read_image_folder, Resize};
pub use labels::{binary_classes, classes, encode_classes, label_keys, one_hot, LabelError, MAX_CLASSES};
#[cfg(feature = "io")]
pub use npy::read_numpy;
pub use preprocess::{fill_missing, means_ignoring_missing, ImageShape, Preprocessing, Scale, TargetScale};

use ndarray::Array2;

/// What the labels are: classes, or real numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Classes 0, 1, … (or class names): two with a sigmoid output and cross-entropy, more
    /// with a softmax output and categorical cross-entropy.
    Classification,
    /// Real-valued labels; a linear output with squared error.
    Regression,
}

/// Examples and labels, with what is known about where they came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    /// Features, n_x × m: column j is example j.
    pub x: Array2<f64>,
    /// Labels, 1 × m: numbers as the source gives them, or, where the labels are names
    /// (`labels`), each example's index in `class_names`.
    pub y: Array2<f64>,
    /// Names of the classes, in the order of their indexes: for the values 0, 1, … of `y`
    /// (an HDF5 file's `list_classes`, the class folders of pictures, a CSV's label names).
    pub class_names: Option<Vec<String>>,
    /// Set when each column is a flattened image of this shape, in (row, column, channel)
    /// order, with values 0–255.
    pub image: Option<ImageShape>,
    /// The features' names (a CSV header), when known.
    pub feature_names: Option<Vec<String>>,
    /// What each column of a CSV file was (feature, label, ID, ignored), so that a model
    /// trained on it reads new files the same way.
    pub columns: Option<Columns>,
    /// The ID of each example (a CSV's `--id-column`), carried through to predictions.
    pub ids: Option<Vec<String>>,
    /// The line of the file each example was read from (CSV), for messages.
    pub lines: Option<Vec<u64>>,
    /// The lines of the examples dropped for a missing value ([`Missing::Drop`]).
    pub dropped: Vec<u64>,
    /// The name of the generated set (`builtin:NAME`) this data is, if any.
    pub builtin: Option<String>,
}

impl Dataset {
    /// n_x, the number of features.
    pub fn n_x(&self) -> usize {
        self.x.nrows()
    }

    /// m, the number of examples.
    pub fn m(&self) -> usize {
        self.x.ncols()
    }

    /// Where example `j` came from, for messages: "line N" for a CSV file, else "example j"
    /// (from 0).
    pub fn place(&self, j: usize) -> String {
        match self.lines.as_ref().and_then(|lines| lines.get(j)) {
            Some(line) => format!("line {line}"),
            None => format!("example {j}"),
        }
    }

    /// Keeps only the examples (columns) at `keep`, in that order, with their IDs and lines.
    pub fn select_examples(&mut self, keep: &[usize]) {
        self.x = self.x.select(ndarray::Axis(1), keep);
        self.y = self.y.select(ndarray::Axis(1), keep);
        if let Some(ids) = &mut self.ids {
            *ids = keep.iter().map(|&j| ids[j].clone()).collect();
        }
        if let Some(lines) = &mut self.lines {
            *lines = keep.iter().map(|&j| lines[j]).collect();
        }
    }
}

/// X (n_x × m) in `T`, stored one example per row: the same n_x × m matrix, its columns
/// contiguous. Mini-batch training reads X in this layout, so given so it does not copy it
/// again (the products read it as they read X by rows).
pub fn by_examples<T: crate::Float>(x: ndarray::ArrayView2<f64>) -> Array2<T> {
    crate::transpose::transposed(x, T::from_f64).reversed_axes()
}

/// The member (HDF5 dataset, `.npz` array) named `given`, or else the one matching the
/// course's convention: named `x` (`X`) or `*_x` for `suffix` "x". `kind` names members in
/// messages.
#[cfg(feature = "io")]
fn find_member(names: &[String], given: Option<&str>, suffix: &str, kind: &str) -> Result<String, String> {
    let listing = || if names.is_empty() { "none".to_string() } else { names.join(", ") };
    if let Some(key) = given {
        return if names.iter().any(|n| n == key) {
            Ok(key.to_string())
        } else {
            Err(format!("no {kind} '{key}' ({kind}s: {})", listing()))
        };
    }
    let matches: Vec<&String> = names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case(suffix) || n.to_ascii_lowercase().ends_with(&format!("_{suffix}")))
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no {kind} named '{suffix}' or '*_{suffix}' ({kind}s: {}); name it with --{suffix}-key",
            listing()
        )),
        several => Err(format!(
            "several {kind}s could hold {}: {}; name one with --{suffix}-key",
            suffix.to_uppercase(),
            several.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}
