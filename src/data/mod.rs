//! Data sets in the course's layout: X is n_x × m (one column per example), Y is 1 × m.
//!
//! Loaders transpose once, at load time; everything after them thinks in columns.

mod builtin;
mod hdf5;
mod preprocess;

pub use builtin::planar;
pub use hdf5::{read_hdf5, Hdf5Keys};
pub use preprocess::{ImageShape, Preprocessing, Scale};

use ndarray::Array2;

/// Examples and labels, with what is known about where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Features, n_x × m: column j is example j.
    pub x: Array2<f64>,
    /// Labels, 1 × m.
    pub y: Array2<f64>,
    /// Names of class 0 and class 1, when the source names them.
    pub class_names: Option<Vec<String>>,
    /// Set when each column is a flattened image of this shape, in (row, column, channel)
    /// order.
    pub image: Option<ImageShape>,
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
}
