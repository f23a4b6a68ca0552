//! The library's error type: one enum whose variants carry the offending values.

use std::path::PathBuf;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the library, with the values that made it go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Two arrays whose shapes must agree do not. Shapes are `(rows, columns)`.
    #[error("shape mismatch for {what}: expected {expected:?}, found {found:?}")]
    ShapeMismatch {
        /// What was being checked, e.g. `"X"` or `"W2"`.
        what: String,
        /// The shape that was required.
        expected: (usize, usize),
        /// The shape that was given.
        found: (usize, usize),
    },

    /// A label of a binary classification is neither 0 nor 1.
    #[error("label at example {example} is {value}, expected 0 or 1")]
    LabelNotBinary {
        /// Zero-based index of the example (column of Y).
        example: usize,
        /// The label found.
        value: f64,
    },

    /// A label column of a k-class classification is not one-hot (a single 1, zeros elsewhere).
    #[error("label at example {example} is not one-hot: expected a single 1 and {zeros} zeros in its column")]
    LabelNotOneHot {
        /// Zero-based index of the example (column of Y).
        example: usize,
        /// k − 1, the zeros a one-hot column has.
        zeros: usize,
    },

    /// An input value is NaN or infinite.
    #[error("{what} has a non-finite value {value} at row {row}, column {column}")]
    NonFinite {
        /// Which array, e.g. `"X"`.
        what: String,
        /// Zero-based row.
        row: usize,
        /// Zero-based column (example).
        column: usize,
        /// The value found.
        value: f64,
    },

    /// A hyperparameter is outside its valid range.
    #[error("invalid {name} {value}: {expected}")]
    InvalidHyperparameter {
        /// The hyperparameter, e.g. `"learning rate"`.
        name: &'static str,
        /// The value given, as text.
        value: String,
        /// What a valid value is.
        expected: &'static str,
    },

    /// The Gram form was asked for (`GramMode::On`) with settings it cannot carry exactly.
    #[error("the Gram form cannot be used here: {reason}")]
    GramNotExact {
        /// Which setting stands in the way, and why.
        reason: &'static str,
    },

    /// Early stopping was asked for without validation data to stop on.
    #[error("early stopping (patience {patience}) needs validation data")]
    PatienceWithoutValidation {
        /// The patience asked for.
        patience: usize,
    },

    /// Zero initial weights were asked for a network with hidden layers.
    #[error(
        "zero initialisation with {hidden_layers} hidden layer(s): every hidden unit of a layer \
         would compute the same function and receive the same gradient, so they stay identical \
         forever (symmetry) and the network learns no more than one unit per layer; \
         use a random initialisation (scaled:0.01, lecun, he, xavier) or allow symmetry explicitly"
    )]
    SymmetricInit {
        /// How many hidden layers the network has.
        hidden_layers: usize,
    },

    /// The output activation and the loss do not go together.
    #[error("loss {loss} cannot be used with a {activation} output: {expected}")]
    IncompatibleLoss {
        /// The loss's name.
        loss: String,
        /// The output activation's name.
        activation: String,
        /// What would work.
        expected: &'static str,
    },

    /// A name or value given as text could not be understood.
    #[error("invalid {what} '{input}': expected {expected}")]
    Parse {
        /// What was being parsed, e.g. `"activation"`.
        what: &'static str,
        /// The text given.
        input: String,
        /// What was expected.
        expected: &'static str,
    },

    /// The threads for training could not be started.
    #[error("cannot start {threads} threads: {reason}")]
    Threads {
        /// How many were asked for.
        threads: usize,
        /// What the system said.
        reason: String,
    },

    /// A file could not be read or written.
    #[error("{}: {}", path.display(), describe_io(error))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },

    /// A model file is truncated, corrupt, of another version or inconsistent.
    #[error("{}: not a valid dnn model file: {reason}", path.display())]
    ModelFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A model file was written by a newer dnn, in a format version this one cannot read.
    #[error(
        "{}: written by a newer dnn (model format version {found}, and this dnn reads up to version {supported}): \
         upgrade dnn to load it",
        path.display()
    )]
    ModelVersion {
        /// The file.
        path: PathBuf,
        /// The version the file says.
        found: u64,
        /// The newest version this dnn reads.
        supported: u64,
    },

    /// A run needs more memory than the machine has free (`needed` is `None` when the count
    /// passes `u64`).
    #[error(
        "{what} needs {} of memory, but {} is available",
        needed.map_or_else(|| format!("more than {}", crate::memory::gigabytes(u64::MAX)), crate::memory::gigabytes),
        crate::memory::gigabytes(*available)
    )]
    OutOfMemory {
        /// What needs it, e.g. `"training"`.
        what: String,
        /// Bytes needed.
        needed: Option<u64>,
        /// Bytes available.
        available: u64,
    },

    /// A data file does not hold what was expected.
    #[error("{}: {reason}", path.display())]
    DataFile {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key, line or field.
        reason: String,
    },
}

/// An I/O error in words, without the OS error number for the common cases.
fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a folder, expected a file".into(),
        _ => error.to_string(),
    }
}

/// A message from a third party's error on one line, as every error of this crate is: line
/// breaks and runs of spaces become one space, other control characters are escaped.
pub(crate) fn one_line(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    let words: Vec<String> = text
        .split_whitespace()
        .map(|word| {
            word.chars().flat_map(|c| if c.is_control() { c.escape_default().collect() } else { vec![c] }).collect()
        })
        .collect();
    words.join(" ")
}

impl Error {
    /// A [`Error::ShapeMismatch`] from two `(rows, columns)` pairs.
    pub(crate) fn shape(what: impl Into<String>, expected: (usize, usize), found: (usize, usize)) -> Self {
        Error::ShapeMismatch { what: what.into(), expected, found }
    }
}
