//! NumPy files: an `.npz` archive with arrays `x` and `y` (or `X`, `Y`, `*_x`, `*_y`), or a
//! pair of `.npy` files named `…x.npy` and `…y.npy` side by side.
//!
//! X's first axis is the example, as in NumPy and scikit-learn: `(m, n_x)` numbers or
//! `(m, h, w, c)` uint8 images (flattened in (row, column, channel) order, like HDF5). A
//! 2-D X whose second axis (not its first) matches the number of labels is taken to be in
//! the course's `(n_x, m)` layout already.

use std::fs::File;
use std::path::{Path, PathBuf};

use std::io::Read;

use ndarray::{Array2, ArrayD};
use ndarray_npy::npy::header::Header;
use ndarray_npy::{ReadNpyExt, ReadableElement};
use zip::ZipArchive;

use super::{find_member, Dataset, Hdf5Keys, ImageShape};
use crate::error::one_line;
use crate::{Error, Result};

/// An array read from NumPy, as f64, remembering whether it was uint8.
struct Loaded {
    values: ArrayD<f64>,
    was_u8: bool,
}

/// Reads `x`/`y` from an `.npz` archive (or the arrays `keys` names), or from `…x.npy` with
/// its `…y.npy` sibling.
pub fn read_numpy(path: impl AsRef<Path>, keys: &Hdf5Keys) -> Result<Dataset> {
    let path = path.as_ref();
    let fail = |p: &Path, reason: String| Error::DataFile { path: p.to_path_buf(), reason: one_line(&reason) };
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let (x, y) = if extension.as_deref() == Some("npz") {
        let file = File::open(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
        let mut npz = ZipArchive::new(file).map_err(|e| fail(path, format!("not a readable .npz archive ({e})")))?;
        let names: Vec<String> = npz.file_names().map(|n| n.trim_end_matches(".npy").to_string()).collect();
        let x_name = find_member(&names, keys.x.as_deref(), "x", "array").map_err(|e| fail(path, e))?;
        let y_name = find_member(&names, keys.y.as_deref(), "y", "array").map_err(|e| fail(path, e))?;
        let x = read_npz_array(&mut npz, &x_name).map_err(|e| fail(path, format!("array '{x_name}': {e}")))?;
        let y = read_npz_array(&mut npz, &y_name).map_err(|e| fail(path, format!("array '{y_name}': {e}")))?;
        (x, y)
    } else {
        let y_path = sibling_labels(path).ok_or_else(|| {
            fail(path, "expected a file named like 'x.npy' or 'train_x.npy' with its labels in 'y.npy' or 'train_y.npy' beside it".into())
        })?;
        if !y_path.exists() {
            return Err(fail(path, format!("the labels file {} does not exist", y_path.display())));
        }
        let x = read_npy_file(path)?;
        let y = read_npy_file(&y_path)?;
        (x, y)
    };
    to_dataset(path, x, y)
}

/// For `dir/train_x.npy` → `dir/train_y.npy` (also `X` → `Y`).
fn sibling_labels(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_str()?;
    let swapped = if let Some(prefix) = stem.strip_suffix('x') {
        format!("{prefix}y")
    } else {
        format!("{}Y", stem.strip_suffix('X')?)
    };
    Some(path.with_file_name(format!("{swapped}.npy")))
}

/// Where an array is read from, in whichever element type is asked for.
trait ArraySource {
    fn read<E: ReadableElement>(&mut self) -> Result<ArrayD<E>, String>;
}

/// The bytes of a `.npy` file, whose header is checked ([`check_header`]) before any read.
struct NpyBytes<'a>(&'a [u8]);

impl ArraySource for NpyBytes<'_> {
    fn read<E: ReadableElement>(&mut self) -> Result<ArrayD<E>, String> {
        ArrayD::<E>::read_npy(self.0).map_err(|e| e.to_string())
    }
}

/// Refuses a `.npy` whose header claims more values than its data holds: the reader
/// allocates the claimed array before reading, so a broken header must not get that far.
fn check_header(bytes: &[u8]) -> Result<(), String> {
    let mut data = bytes;
    let header = Header::from_reader(&mut data).map_err(|e| format!("not a .npy array ({e})"))?;
    // The width of one value from the type descriptor, such as '<f8' or '|u1'; one byte
    // where it cannot be read, which still bounds the count of values.
    let descriptor = header.type_descriptor.to_string();
    let width = descriptor
        .trim_matches(['\'', '"'])
        .trim_start_matches(['<', '>', '|', '='])
        .get(1..)
        .and_then(|w| w.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let claimed = header.shape.iter().try_fold(width, |bytes, &n| bytes.checked_mul(n));
    match claimed {
        Some(claimed) if claimed <= data.len() => Ok(()),
        _ => Err(format!(
            "the header claims shape {:?} of {}, more than the {} bytes of data the file holds",
            header.shape,
            descriptor,
            data.len()
        )),
    }
}

/// Reads an array of uint8, float64, float32, int64, int32 or bool as f64.
fn read_numbers(source: &mut impl ArraySource) -> Result<Loaded, String> {
    let first_error = match source.read::<u8>() {
        Ok(a) => return Ok(Loaded { values: a.mapv(f64::from), was_u8: true }),
        Err(e) => e,
    };
    let loaded = |values| Ok(Loaded { values, was_u8: false });
    if let Ok(a) = source.read::<f64>() {
        return loaded(a);
    }
    if let Ok(a) = source.read::<f32>() {
        return loaded(a.mapv(f64::from));
    }
    if let Ok(a) = source.read::<i64>() {
        return loaded(a.mapv(|v| v as f64));
    }
    if let Ok(a) = source.read::<i32>() {
        return loaded(a.mapv(f64::from));
    }
    if let Ok(a) = source.read::<bool>() {
        return loaded(a.mapv(|v| f64::from(u8::from(v))));
    }
    Err(format!("not an array of uint8, float, int or bool ({first_error})"))
}

fn read_npy_file(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    read_npy_bytes(&bytes).map_err(|reason| Error::DataFile { path: path.to_path_buf(), reason: one_line(&reason) })
}

fn read_npy_bytes(bytes: &[u8]) -> Result<Loaded, String> {
    check_header(bytes)?;
    read_numbers(&mut NpyBytes(bytes))
}

/// Reads array `name` (stored as `name` or `name.npy`) of an `.npz` archive whole, after
/// checking that its stated size fits in memory, then parses it as a `.npy` file.
fn read_npz_array(npz: &mut ZipArchive<File>, name: &str) -> Result<Loaded, String> {
    let stored = if npz.index_for_name(name).is_some() { name.to_string() } else { format!("{name}.npy") };
    let mut entry = npz.by_name(&stored).map_err(|e| format!("not a readable .npz member ({e})"))?;
    let size = entry.size();
    crate::memory::check_fits("reading it", Some(size)).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).map_err(|e| e.to_string())?);
    // No more than the stated size is read, whatever the compressed stream holds.
    (&mut entry).take(size).read_to_end(&mut bytes).map_err(|e| format!("not a readable .npz member ({e})"))?;
    read_npy_bytes(&bytes)
}

fn to_dataset(path: &Path, x: Loaded, y: Loaded) -> Result<Dataset> {
    let fail = |reason: String| Error::DataFile { path: path.to_path_buf(), reason };
    let labels: Vec<f64> = y.values.iter().copied().collect();
    let y_shape = y.values.shape().to_vec();
    if y_shape.len() > 2 || (y_shape.len() == 2 && y_shape[0] != 1 && y_shape[1] != 1) {
        return Err(fail(format!("labels have shape {y_shape:?}, expected (m,), (m, 1) or (1, m)")));
    }
    let m = labels.len();
    let shape = x.values.shape().to_vec();
    let transposed_course_layout = shape.len() == 2 && shape[0] != m && shape[1] == m;
    let (x_matrix, image) = if transposed_course_layout {
        let owned = x.values.into_dimensionality::<ndarray::Ix2>().expect("2-D checked above");
        (owned.as_standard_layout().into_owned(), None)
    } else {
        let Some((&rows, example_shape)) = shape.split_first() else {
            return Err(fail("X is a scalar, expected one example per row".into()));
        };
        if rows != m {
            return Err(fail(format!("X has {rows} examples (shape {shape:?}) but there are {m} labels")));
        }
        let n_x: usize = example_shape.iter().product();
        let values = x.values.as_standard_layout();
        let rows = values.view().into_shape_with_order((m, n_x)).expect("size checked, standard layout");
        let image = match (x.was_u8, example_shape) {
            (true, &[height, width, channels]) => Some(ImageShape { height, width, channels }),
            (true, &[height, width]) => Some(ImageShape { height, width, channels: 1 }),
            _ => None,
        };
        (crate::transpose::transposed_copy(rows), image)
    };
    let values = x_matrix.as_slice().expect("standard layout");
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        let (row, column) = (at / m, at % m);
        return Err(fail(format!("X has a non-finite value {} at example {column}, feature {row}", values[at])));
    }
    let y = Array2::from_shape_vec((1, m), labels).expect("m labels");
    Ok(Dataset { x: x_matrix, y, image, ..Dataset::default() })
}
