//! Model files: bit-exact round trips, the safetensors layout Python reads, atomic writes,
//! and typed errors for every kind of broken file.

mod common;

use std::collections::HashMap;
use std::path::Path;

use dnn::data::{ImageShape, Preprocessing, Scale};
use dnn::model_file::{self, ModelInfo};
use dnn::{Activation, Architecture, Error, Float, Init, Network, NumpyRng};

fn network<T: Float>() -> Network<T> {
    let arch = Architecture::new(&[4, 3, 2, 1], Activation::LeakyRelu(0.2), Activation::Sigmoid).unwrap();
    let mut rng = NumpyRng::new(11);
    let mut net = Network::<T>::init(&arch, Init::He, &mut rng).unwrap();
    for (_, mut b) in net.layers_mut() {
        b.mapv_inplace(|_| T::from_f64(rng.randn()));
    }
    net
}

fn info() -> ModelInfo {
    ModelInfo {
        preprocessing: Preprocessing {
            scale: Scale::Standardize { mean: vec![0.5, 1.0, -2.0, 3.25], std: vec![1.0, 2.0, 0.5, 1.0] },
            image: Some(ImageShape { height: 2, width: 2, channels: 1 }),
            ..Preprocessing::default()
        },
        class_names: Some(vec!["non-cat".into(), "cat".into()]),
        training: Some(serde_json::json!({"learning_rate": 0.0075, "iterations": 2500, "seed": 1})),
    }
}

fn assert_bits_equal<T: Float>(a: &Network<T>, b: &Network<T>) {
    assert_eq!(a.layers().len(), b.layers().len());
    for (la, lb) in a.layers().iter().zip(b.layers()) {
        assert_eq!(la.activation(), lb.activation());
        let bits = |v: &T| v.as_f64().to_bits();
        assert_eq!(la.w().iter().map(bits).collect::<Vec<_>>(), lb.w().iter().map(bits).collect::<Vec<_>>());
        assert_eq!(la.b().iter().map(bits).collect::<Vec<_>>(), lb.b().iter().map(bits).collect::<Vec<_>>());
    }
}

#[test]
fn bytes_in_memory_are_the_file_and_read_back_bit_exact() {
    let dir = common::temp_dir("model-file-bytes");
    let path = dir.join("model.safetensors");
    let net = network::<f64>();
    model_file::save(&path, &net, &info()).unwrap();
    let bytes = model_file::to_vec(&net, &info()).unwrap();
    assert_eq!(bytes, std::fs::read(&path).unwrap());
    let (loaded, meta) = model_file::load_bytes::<f64>(&bytes, "pickled").unwrap();
    assert_bits_equal(&net, &loaded);
    assert_eq!(meta.class_names, info().class_names);
    let error = model_file::load_bytes::<f64>(&bytes[..40], "pickled").map(|_| ()).unwrap_err();
    assert!(error.to_string().starts_with("pickled: not a valid dnn model file: "), "{error}");
}

#[test]
fn round_trip_is_bit_exact_in_f64_and_f32() {
    let dir = common::temp_dir("model-file-round-trip");
    let path = dir.join("model.safetensors");
    let net64 = network::<f64>();
    model_file::save(&path, &net64, &info()).unwrap();
    let (loaded, meta) = model_file::load::<f64>(&path).unwrap();
    assert_bits_equal(&net64, &loaded);
    assert_eq!(meta.layer_sizes, vec![4, 3, 2, 1]);
    assert_eq!(meta.dtype, dnn::DType::F64);
    assert_eq!(meta.preprocessing, info().preprocessing);
    assert_eq!(meta.class_names, info().class_names);
    assert_eq!(meta.training, info().training);

    let net32 = network::<f32>();
    model_file::save(&path, &net32, &ModelInfo::default()).unwrap();
    let (loaded, meta) = model_file::load::<f32>(&path).unwrap();
    assert_bits_equal(&net32, &loaded);
    assert_eq!(meta.dtype, dnn::DType::F32);
    // f32 weights read as f64 are widened exactly.
    let (widened, _) = model_file::load::<f64>(&path).unwrap();
    assert_bits_equal(&net32.cast::<f64>(), &widened);
    // Nothing but the model is left in the folder (no temporary files).
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("model.safetensors")]);
}

#[test]
fn the_file_is_plain_safetensors() {
    let dir = common::temp_dir("model-file-layout");
    let path = dir.join("model.safetensors");
    model_file::save(&path, &network::<f64>(), &info()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // Layout: u64 little-endian header length, JSON header, data.
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    for (name, shape) in
        [("W1", [3, 4]), ("b1", [3, 1]), ("W2", [2, 3]), ("b2", [2, 1]), ("W3", [1, 2]), ("b3", [1, 1])]
    {
        assert_eq!(header[name]["dtype"], "F64", "{name}");
        assert_eq!(header[name]["shape"], serde_json::json!(shape), "{name}");
    }
    let meta: serde_json::Value = serde_json::from_str(header["__metadata__"]["dnn"].as_str().unwrap()).unwrap();
    assert_eq!(meta["format_version"], 2);
    assert_eq!(meta["activations"], serde_json::json!(["leaky-relu:0.2", "leaky-relu:0.2", "sigmoid"]));
    assert_eq!(meta["loss"], "cross-entropy");
}

fn model_file_error(path: &Path) -> String {
    match model_file::load::<f64>(path) {
        Err(Error::ModelFile { path: p, reason }) => {
            assert_eq!(p, path);
            reason
        }
        other => panic!("expected Error::ModelFile, got {other:?}"),
    }
}

#[test]
fn truncated_files_give_a_typed_error_at_every_length() {
    let dir = common::temp_dir("model-file-truncated");
    let good = dir.join("good.safetensors");
    model_file::save(&good, &network::<f64>(), &info()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("cut.safetensors");
    for len in (0..bytes.len()).step_by(7).chain([bytes.len() - 1]) {
        std::fs::write(&cut, &bytes[..len]).unwrap();
        let reason = model_file_error(&cut);
        assert!(reason.contains("not a safetensors file, or truncated"), "length {len}: {reason}");
    }
}

#[test]
fn corrupt_files_give_a_typed_error() {
    let dir = common::temp_dir("model-file-corrupt");
    let path = dir.join("bad.safetensors");
    std::fs::write(&path, b"this is not a model file at all, just text").unwrap();
    assert!(model_file_error(&path).contains("not a safetensors file"));
    // Random bytes after a plausible length.
    let mut rng = NumpyRng::new(5);
    let mut bytes = 64u64.to_le_bytes().to_vec();
    bytes.extend((0..200).map(|_| rng.below(256) as u8));
    std::fs::write(&path, &bytes).unwrap();
    assert!(model_file_error(&path).contains("not a safetensors file"));
}

fn write_safetensors(path: &Path, tensors: &[(&str, Vec<usize>, Vec<f64>)], meta: Option<String>) {
    let buffers: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(n, s, v)| (n.to_string(), s.clone(), v.iter().flat_map(|x| x.to_le_bytes()).collect()))
        .collect();
    let views: Vec<_> = buffers
        .iter()
        .map(|(n, s, d)| {
            (n.clone(), safetensors::tensor::TensorView::new(safetensors::Dtype::F64, s.clone(), d).unwrap())
        })
        .collect();
    let metadata = meta.map(|m| HashMap::from([("dnn".to_string(), m)]));
    std::fs::write(path, safetensors::serialize(views, metadata).unwrap()).unwrap();
}

fn meta_json(version: u32, sizes: &[usize]) -> String {
    serde_json::json!({
        "format_version": version,
        "layer_sizes": sizes,
        "activations": ["sigmoid"],
        "loss": "cross-entropy",
        "dtype": "f64",
    })
    .to_string()
}

#[test]
fn wrong_version_shape_dtype_or_metadata_is_refused() {
    let dir = common::temp_dir("model-file-wrong");
    let path = dir.join("m.safetensors");
    let tensors = vec![("W1", vec![1, 2], vec![0.5, -0.5]), ("b1", vec![1, 1], vec![0.1])];

    write_safetensors(&path, &tensors, Some(meta_json(1, &[2, 1])));
    let (net, _) = model_file::load::<f64>(&path).unwrap();
    assert_eq!(net.layers()[0].w()[(0, 1)], -0.5);

    write_safetensors(&path, &tensors, Some(meta_json(0, &[2, 1])));
    assert_eq!(model_file_error(&path), "format version 0, but versions start at 1");

    write_safetensors(&path, &tensors, Some(meta_json(1, &[3, 1])));
    assert_eq!(model_file_error(&path), "tensor W1 has shape [1, 2], the metadata says [1, 3]");

    write_safetensors(&path, &tensors[..1], Some(meta_json(1, &[2, 1])));
    assert_eq!(model_file_error(&path), "tensor b1 is missing");

    write_safetensors(&path, &tensors, None);
    assert_eq!(model_file_error(&path), "the safetensors header has no 'dnn' metadata: not written by dnn");

    write_safetensors(&path, &tensors, Some("{not json".into()));
    assert!(model_file_error(&path).starts_with("metadata is not valid JSON"));

    let mut wrong_dtype = meta_json(1, &[2, 1]);
    wrong_dtype = wrong_dtype.replace("\"f64\"", "\"f32\"");
    write_safetensors(&path, &tensors, Some(wrong_dtype));
    assert_eq!(model_file_error(&path), "tensor W1 is F64, the metadata says f32");

    let bad_activation = meta_json(1, &[2, 1]).replace("sigmoid", "swish");
    write_safetensors(&path, &tensors, Some(bad_activation));
    assert!(model_file_error(&path).starts_with("metadata is incomplete or invalid"));
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = common::temp_dir("model-file-missing").join("nope.safetensors");
    match model_file::load::<f64>(&path) {
        Err(Error::Io { path: p, error }) => {
            assert_eq!(p, path);
            assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected Error::Io, got {other:?}"),
    }
}

#[test]
fn a_failed_save_leaves_the_old_file_and_no_temporary() {
    let dir = common::temp_dir("model-file-atomic");
    let path = dir.join("model.safetensors");
    model_file::save(&path, &network::<f64>(), &info()).unwrap();
    let before = std::fs::read(&path).unwrap();
    // Saving into a folder that does not exist fails and writes nothing.
    let error = model_file::save(dir.join("no/such/dir/m.safetensors"), &network::<f64>(), &info()).unwrap_err();
    assert!(matches!(error, Error::Io { .. }), "{error:?}");
    // Saving over a directory fails at the rename; the temporary file is removed.
    std::fs::create_dir(dir.join("taken")).unwrap();
    std::fs::write(dir.join("taken/x"), b"x").unwrap();
    assert!(model_file::save(dir.join("taken"), &network::<f32>(), &info()).is_err());
    let mut names: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["model.safetensors", "taken"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_file_of_a_newer_format_version_is_refused_naming_both_versions() {
    let dir = common::temp_dir("model-file-newer");
    let path = dir.join("m.safetensors");
    let tensors = vec![("W1", vec![1, 2], vec![0.5, -0.5]), ("b1", vec![1, 1], vec![0.1])];
    let newer = model_file::FORMAT_VERSION + 1;
    write_safetensors(&path, &tensors, Some(meta_json(newer, &[2, 1])));
    for error in [model_file::load::<f64>(&path).unwrap_err(), model_file::read_meta(&path).unwrap_err()] {
        assert!(matches!(error, Error::ModelVersion { found, supported: 2, .. } if found == u64::from(newer)));
        assert_eq!(
            error.to_string(),
            format!(
                "{}: written by a newer dnn (model format version 3, and this dnn reads up to version 2): \
                 upgrade dnn to load it",
                path.display()
            )
        );
    }
}

/// A model written by `dnn` 0.1.0 (format version 1), kept to prove that files written
/// today keep loading. Made with
/// `dnn train builtin:planar --iterations 100 --model tests/fixtures/planar_v1.safetensors`.
#[test]
fn a_model_file_written_by_format_version_1_loads_and_predicts_the_same() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/planar_v1.safetensors");
    let (network, meta) = model_file::load::<f64>(&path).unwrap();
    assert_eq!(meta.format_version, 1);
    assert_eq!(meta.layer_sizes, vec![2, 4, 1]);
    assert_eq!(meta.activations, vec![Activation::Tanh, Activation::Sigmoid]);
    assert_eq!(meta.loss, dnn::Loss::CrossEntropy);
    assert_eq!(meta.dtype, dnn::DType::F64);
    assert_eq!(meta.preprocessing, Preprocessing::default());
    assert_eq!(meta.class_names, None);
    let training = meta.training.unwrap();
    assert_eq!(training["iterations"], 100);
    assert_eq!(training["final_cost"], 0.6046930102778137);
    // `printf 'x1,x2\n0,0\n1,2\n-3,0.5\n2.5,-1\n' > g.csv` and
    // `dnn predict --model tests/fixtures/planar_v1.safetensors g.csv` printed these.
    let x = ndarray::array![[0.0, 1.0, -3.0, 2.5], [0.0, 2.0, 0.5, -1.0]];
    let p = network.predict_proba(x.view()).unwrap();
    assert_eq!(p.row(0).to_vec(), [0.4720116066680604, 0.21627848498667582, 0.5043315197117804, 0.5328703322850967]);
}

#[test]
fn a_header_claiming_absurd_sizes_is_refused_before_anything_is_allocated() {
    let dir = common::temp_dir("model-file-absurd");
    let path = dir.join("m.safetensors");
    let tensors = vec![("W1", vec![1, 2], vec![0.5, -0.5]), ("b1", vec![1, 1], vec![0.1])];
    let huge = usize::MAX;
    write_safetensors(&path, &tensors, Some(meta_json(1, &[huge, 1])));
    assert_eq!(model_file_error(&path), format!("tensor W1 has shape [1, 2], the metadata says [1, {huge}]"));
    // read_meta (all that `dnn info` reads) checks the metadata without the tensors, and
    // the parameters are counted without overflow.
    let meta = model_file::read_meta(&path).unwrap();
    let arch = Architecture::with_activations(&meta.layer_sizes, meta.activations, meta.loss).unwrap();
    assert_eq!(dnn::memory::parameter_count(&arch), None);
    // Image pixels that overflow are not taken for the network's inputs.
    let image = meta_json(1, &[2, 1]).replace(
        "\"dtype\"",
        &format!("\"preprocessing\":{{\"image\":{{\"height\":{huge},\"width\":{huge},\"channels\":3}}}},\"dtype\""),
    );
    write_safetensors(&path, &tensors, Some(image));
    assert_eq!(
        model_file_error(&path),
        format!(
            "metadata says images of {huge}×{huge} pixels with 3 channel(s), which is not the 2 inputs of the network"
        )
    );
}

/// Two networks of 8 MB each, told apart by their first weight.
fn large_network(which: u32) -> Network<f64> {
    let arch = Architecture::new(&[1000, 1000, 1], Activation::Relu, Activation::Sigmoid).unwrap();
    Network::init(&arch, Init::He, &mut NumpyRng::new(which)).unwrap()
}

/// Not a test on its own: the child process of the next test, saving two networks in
/// turn to the file named by `DNN_SAVE_LOOP` until it is killed.
#[test]
fn save_loop_child() {
    let Some(path) = std::env::var_os("DNN_SAVE_LOOP") else { return };
    let networks = [large_network(1), large_network(2)];
    for i in 0.. {
        model_file::save(&path, &networks[i % 2], &ModelInfo::default()).unwrap();
    }
}

#[test]
fn a_save_killed_at_any_point_leaves_the_old_model_or_the_new() {
    let dir = common::temp_dir("model-file-kill");
    let path = dir.join("model.safetensors");
    let networks = [large_network(1), large_network(2)];
    model_file::save(&path, &networks[0], &ModelInfo::default()).unwrap();
    let first_weights: Vec<f64> = networks.iter().map(|n| n.layers()[0].w()[(0, 0)]).collect();
    let mut seen = [0; 2];
    for round in 0..12u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["save_loop_child", "--exact", "--test-threads", "1"])
            .env("DNN_SAVE_LOOP", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Killed after 150 ms to 700 ms: saves take some milliseconds each, so the kill
        // falls inside a write, an fsync or a rename at different points.
        std::thread::sleep(std::time::Duration::from_millis(150 + round * 50));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let (loaded, _) = model_file::load::<f64>(&path)
            .unwrap_or_else(|e| panic!("round {round}: the model does not load after kill -9: {e}"));
        let which = first_weights.iter().position(|&w| w == loaded.layers()[0].w()[(0, 0)]);
        let which = which.unwrap_or_else(|| panic!("round {round}: the model is neither of the two saved"));
        assert_bits_equal(&loaded, &networks[which]);
        seen[which] += 1;
    }
    // Temporary files of killed saves may stay (nothing runs after SIGKILL), never the model.
    eprintln!("after kill -9: old/new model {seen:?} times");
    let _ = std::fs::remove_dir_all(&dir);
}
