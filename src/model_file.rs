//! Model files: weights as safetensors (`W1`, `b1`, `W2`, …), and under the `__metadata__`
//! key `dnn` a JSON document with the format version, architecture, preprocessing, class
//! names and training configuration. Python's `safetensors` package reads them as they are.
//!
//! Files are written atomically: to a temporary file in the same directory, then renamed,
//! so a failed or interrupted save never leaves a half-written model behind.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use serde::{Deserialize, Serialize};

use crate::data::Preprocessing;
use crate::error::one_line;
use crate::layer::Dense;
use crate::{Activation, Architecture, DType, Error, Float, Loss, Network, Result};

/// The version of the metadata layout this crate writes; it reads every version from 1 up to
/// this one. Version 2 added the training file's columns, the fill of missing values and a
/// regression's target scaling to the preprocessing: a reader of version 1 would ignore them
/// and read new files wrongly, so it refuses them.
pub const FORMAT_VERSION: u32 = 2;

/// The `__metadata__` key under which the JSON document is stored.
pub const METADATA_KEY: &str = "dnn";

/// What a model file says about its network besides the weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// `[n_x, n[1], …, n[L]]`.
    pub layer_sizes: Vec<usize>,
    /// g\[1\], …, g\[L\].
    pub activations: Vec<Activation>,
    /// The loss trained on.
    pub loss: Loss,
    /// The float type of the stored tensors.
    pub dtype: DType,
    /// What is done to raw inputs before the network sees them.
    #[serde(default)]
    pub preprocessing: Preprocessing,
    /// Names of the classes in the order of their indexes, when known: class 0 and class 1
    /// for a sigmoid output, one per output unit (k in all) for a softmax output.
    #[serde(default)]
    pub class_names: Option<Vec<String>>,
    /// The training configuration (free-form JSON).
    #[serde(default)]
    pub training: Option<serde_json::Value>,
}

/// The parts of a model file that the caller supplies; the rest comes from the network.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelInfo {
    /// See [`ModelMeta::preprocessing`].
    pub preprocessing: Preprocessing,
    /// See [`ModelMeta::class_names`].
    pub class_names: Option<Vec<String>>,
    /// See [`ModelMeta::training`].
    pub training: Option<serde_json::Value>,
}

/// Writes `network` and `info` to `path` atomically.
pub fn save<T: Float>(path: impl AsRef<Path>, network: &Network<T>, info: &ModelInfo) -> Result<()> {
    let path = path.as_ref();
    let bytes = to_bytes(network, info).map_err(|reason| Error::ModelFile { path: path.to_path_buf(), reason })?;
    crate::write_atomically(path, &bytes)
}

/// Reads a model file, converting the weights to `T` if they were stored in the other type.
pub fn load<T: Float>(path: impl AsRef<Path>) -> Result<(Network<T>, ModelMeta)> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    from_bytes(&bytes).map_err(|refusal| refusal.at(path))
}

/// The bytes [`save`] writes to a file, for a caller that keeps them elsewhere (Python's
/// pickle, a database).
pub fn to_vec<T: Float>(network: &Network<T>, info: &ModelInfo) -> Result<Vec<u8>> {
    to_bytes(network, info).map_err(|reason| Error::ModelFile { path: "(in memory)".into(), reason })
}

/// Reads a model file's bytes as [`load`] reads the file; errors name them `name`.
pub fn load_bytes<T: Float>(bytes: &[u8], name: impl AsRef<Path>) -> Result<(Network<T>, ModelMeta)> {
    from_bytes(bytes).map_err(|refusal| refusal.at(name.as_ref()))
}

/// Reads only the metadata of a model file.
pub fn read_meta(path: impl AsRef<Path>) -> Result<ModelMeta> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), error: source })?;
    parse_meta(&bytes).map_err(|refusal| refusal.at(path))
}

/// The file's bytes for `network` and `info`.
fn to_bytes<T: Float>(network: &Network<T>, info: &ModelInfo) -> Result<Vec<u8>, String> {
    let arch = network.architecture();
    let meta = ModelMeta {
        format_version: FORMAT_VERSION,
        layer_sizes: arch.sizes().to_vec(),
        activations: arch.activations().to_vec(),
        loss: arch.loss(),
        dtype: T::DTYPE,
        preprocessing: info.preprocessing.clone(),
        class_names: info.class_names.clone(),
        training: info.training.clone(),
    };
    let json = serde_json::to_string(&meta).map_err(|e| format!("cannot encode metadata: {e}"))?;
    let dtype = match T::DTYPE {
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
    };
    let mut buffers = Vec::new();
    for (l, layer) in network.layers().iter().enumerate() {
        let w: Vec<u8> = layer.w().iter().flat_map(|v| le_bytes(*v)).collect();
        let b: Vec<u8> = layer.b().iter().flat_map(|v| le_bytes(*v)).collect();
        buffers.push((format!("W{}", l + 1), vec![layer.n_out(), layer.n_in()], w));
        buffers.push((format!("b{}", l + 1), vec![layer.n_out(), 1], b));
    }
    let views = buffers
        .iter()
        .map(|(name, shape, data)| {
            Ok((name.clone(), TensorView::new(dtype, shape.clone(), data).map_err(|e| e.to_string())?))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let metadata = HashMap::from([(METADATA_KEY.to_string(), json)]);
    safetensors::serialize(views, Some(metadata)).map_err(|e| e.to_string())
}

fn le_bytes<T: Float>(value: T) -> Vec<u8> {
    match T::DTYPE {
        DType::F32 => (value.as_f64() as f32).to_le_bytes().to_vec(),
        DType::F64 => value.as_f64().to_le_bytes().to_vec(),
    }
}

fn parse_meta(bytes: &[u8]) -> Result<ModelMeta, Refusal> {
    let (_, header) =
        SafeTensors::read_metadata(bytes).map_err(|e| format!("not a safetensors file, or truncated ({e})"))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(METADATA_KEY))
        .ok_or_else(|| format!("the safetensors header has no '{METADATA_KEY}' metadata: not written by dnn"))?;
    let document: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("metadata is not valid JSON ({e})"))?;
    match document.get("format_version").and_then(serde_json::Value::as_u64) {
        Some(v) if v > u64::from(FORMAT_VERSION) => return Err(Refusal::Newer(v)),
        Some(0) => return Err("format version 0, but versions start at 1".to_string().into()),
        Some(_) => {}
        None => return Err("metadata has no format_version".to_string().into()),
    }
    let meta: ModelMeta =
        serde_json::from_value(document).map_err(|e| format!("metadata is incomplete or invalid ({e})"))?;
    check_meta(&meta)?;
    Ok(meta)
}

/// The checks that make a metadata document safe to use: a valid architecture, an image
/// shape (when given) whose pixels are the inputs, and two class names for one sigmoid output
/// or one per output of a softmax.
fn check_meta(meta: &ModelMeta) -> Result<(), String> {
    let arch = Architecture::with_activations(&meta.layer_sizes, meta.activations.clone(), meta.loss)
        .map_err(|e| format!("metadata describes no valid network ({e})"))?;
    let n_x = arch.sizes()[0];
    if let Some(image) = meta.preprocessing.image {
        let pixels = image.height.checked_mul(image.width).and_then(|p| p.checked_mul(image.channels));
        if pixels != Some(n_x) {
            return Err(format!(
                "metadata says images of {}×{} pixels with {} channel(s), which is not the {n_x} inputs of the network",
                image.width, image.height, image.channels
            ));
        }
    }
    if let Some(names) = &meta.class_names {
        if meta.loss == Loss::CategoricalCrossEntropy {
            let k = arch.sizes()[arch.sizes().len() - 1];
            if names.len() != k {
                return Err(format!("metadata names {} classes, expected {k} (one per output)", names.len()));
            }
        } else if names.len() != 2 {
            return Err(format!("metadata names {} classes, expected 2", names.len()));
        }
    }
    Ok(())
}

/// Why a model file is refused: invalid, or written by a newer dnn.
enum Refusal {
    Invalid(String),
    Newer(u64),
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Refusal::Invalid(reason)
    }
}

impl Refusal {
    fn at(self, path: &Path) -> Error {
        match self {
            Refusal::Invalid(reason) => Error::ModelFile { path: path.to_path_buf(), reason: one_line(&reason) },
            Refusal::Newer(found) => {
                Error::ModelVersion { path: path.to_path_buf(), found, supported: u64::from(FORMAT_VERSION) }
            }
        }
    }
}

fn from_bytes<T: Float>(bytes: &[u8]) -> Result<(Network<T>, ModelMeta), Refusal> {
    let meta = parse_meta(bytes)?;
    let tensors = SafeTensors::deserialize(bytes).map_err(|e| format!("not a safetensors file, or truncated ({e})"))?;
    let arch = Architecture::with_activations(&meta.layer_sizes, meta.activations.clone(), meta.loss)
        .map_err(|e| format!("metadata describes no valid network ({e})"))?;
    let mut layers = Vec::with_capacity(arch.activations().len());
    for (l, (pair, &activation)) in arch.sizes().windows(2).zip(arch.activations()).enumerate() {
        let w = read_tensor::<T>(&tensors, &format!("W{}", l + 1), [pair[1], pair[0]], meta.dtype)?;
        let b = read_tensor::<T>(&tensors, &format!("b{}", l + 1), [pair[1], 1], meta.dtype)?;
        let b = b.into_shape_with_order(pair[1]).map_err(|e| e.to_string())?;
        layers.push(Dense::new(w, b, activation).map_err(|e| e.to_string())?);
    }
    let network = Network::from_layers(layers, meta.loss).map_err(|e| e.to_string())?;
    Ok((network, meta))
}

fn read_tensor<T: Float>(
    tensors: &SafeTensors<'_>,
    name: &str,
    shape: [usize; 2],
    dtype: DType,
) -> Result<ndarray::Array2<T>, String> {
    let view = tensors.tensor(name).map_err(|_| format!("tensor {name} is missing"))?;
    if view.shape() != shape {
        return Err(format!("tensor {name} has shape {:?}, the metadata says {:?}", view.shape(), shape));
    }
    let values: Vec<T> = match (view.dtype(), dtype) {
        (Dtype::F64, DType::F64) => view
            .data()
            .chunks_exact(8)
            .map(|c| T::from_f64(f64::from_le_bytes(c.try_into().expect("8-byte chunk"))))
            .collect(),
        (Dtype::F32, DType::F32) => view
            .data()
            .chunks_exact(4)
            .map(|c| T::from_f64(f64::from(f32::from_le_bytes(c.try_into().expect("4-byte chunk")))))
            .collect(),
        (found, expected) => return Err(format!("tensor {name} is {found:?}, the metadata says {expected}")),
    };
    ndarray::Array2::from_shape_vec(shape, values).map_err(|e| format!("tensor {name}: {e}"))
}
