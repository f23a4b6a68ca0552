//! Broken files of every format the loaders read: from a valid file made here, thousands of
//! seeded mutants (bit flips, truncations, inserted runs, huge numbers written over header
//! and length fields) go through the loaders. Each must load or be refused with an error:
//! no panic, no abort, no hang. A sample also goes through the `dnn` command, which must
//! then exit 2 with one line `error: …` (or 0 when the mutant still loads).
//!
//! `DNN_MUTANTS=5000 cargo test --release --test mutation` runs more mutants per format
//! (default 300); `DNN_MUTANT_TRACE=1` prints each mutant before it is loaded, to find the
//! one that aborted a run.
#![cfg(feature = "cli")]

mod common;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use dnn::data::{self, Columns, CsvOptions, Hdf5Keys, ImageShape, LabelNeed, Missing, Resize};
use dnn::model_file::{self, ModelInfo};
use dnn::{Activation, Architecture, Init, Network, NumpyRng};
use ndarray::{Array1, Array2};

/// The formats, each with the file name its valid seed is written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Hdf5,
    Hdf5Gzip,
    Npy,
    Npz,
    NpzCompressed,
    Png,
    Jpeg,
    Model,
}

impl Format {
    fn file_name(self) -> &'static str {
        match self {
            Format::Csv => "data.csv",
            Format::Hdf5 | Format::Hdf5Gzip => "data.h5",
            Format::Npy => "train_x.npy",
            Format::Npz | Format::NpzCompressed => "data.npz",
            Format::Png => "picture.png",
            Format::Jpeg => "picture.jpg",
            Format::Model => "model.safetensors",
        }
    }
}

/// 24 examples of 4 features (a 2×2 grey picture each), labels alternating 0 and 1.
fn examples() -> (Array2<u8>, Array1<i64>) {
    let x = Array2::from_shape_fn((24, 4), |(i, j)| ((i * 7 + j * 31) % 256) as u8);
    let y = Array1::from_shape_fn(24, |i| (i % 2) as i64);
    (x, y)
}

/// Writes the valid seed file of `format` into `dir` (with what it needs beside it) and
/// returns its bytes.
fn write_seed(format: Format, dir: &Path) -> Vec<u8> {
    let path = dir.join(format.file_name());
    let (x, y) = examples();
    match format {
        Format::Csv => {
            let mut text = String::from("a,b,c,d,label\n");
            for (row, label) in x.rows().into_iter().zip(&y) {
                let row: Vec<String> = row.iter().map(|v| format!("{}", f64::from(*v) / 10.0)).collect();
                text.push_str(&format!("{},{label}\n", row.join(",")));
            }
            std::fs::write(&path, text).unwrap();
        }
        Format::Hdf5 | Format::Hdf5Gzip => {
            let mut builder = hdf5_pure::FileBuilder::new();
            let pixels: Vec<u8> = x.iter().copied().collect();
            let set = builder.create_dataset("train_set_x");
            set.with_u8_data(&pixels).with_shape(&[24, 2, 2, 1]);
            if format == Format::Hdf5Gzip {
                set.with_chunks(&[8, 2, 2, 1]).with_deflate(6);
            }
            builder.create_dataset("train_set_y").with_i64_data(y.as_slice().unwrap());
            builder.create_dataset("list_classes").with_ascii_strings(&["non-cat", "cat"]).unwrap();
            builder.write(&path).unwrap();
        }
        Format::Npy => {
            use ndarray_npy::WriteNpyExt;
            x.write_npy(std::fs::File::create(&path).unwrap()).unwrap();
            y.write_npy(std::fs::File::create(dir.join("train_y.npy")).unwrap()).unwrap();
        }
        Format::Npz | Format::NpzCompressed => {
            let file = std::fs::File::create(&path).unwrap();
            let mut npz = if format == Format::Npz {
                ndarray_npy::NpzWriter::new(file)
            } else {
                ndarray_npy::NpzWriter::new_compressed(file)
            };
            npz.add_array("x", &x.mapv(f64::from)).unwrap();
            npz.add_array("y", &y).unwrap();
            npz.finish().unwrap();
        }
        Format::Png | Format::Jpeg => {
            let picture = image::RgbImage::from_fn(16, 12, |c, r| image::Rgb([(r * 20) as u8, (c * 15) as u8, 128]));
            picture.save(&path).unwrap();
        }
        Format::Model => {
            let arch = Architecture::new(&[4, 5, 3, 1], Activation::Relu, Activation::Sigmoid).unwrap();
            let network = Network::<f64>::init(&arch, Init::He, &mut NumpyRng::new(3)).unwrap();
            let info = ModelInfo {
                preprocessing: data::Preprocessing {
                    scale: data::Scale::Divide { by: 255.0 },
                    image: Some(ImageShape { height: 2, width: 2, channels: 1 }),
                    ..data::Preprocessing::default()
                },
                class_names: Some(vec!["no".into(), "yes".into()]),
                training: Some(serde_json::json!({"iterations": 10})),
            };
            model_file::save(&path, &network, &info).unwrap();
        }
    }
    std::fs::read(&path).unwrap()
}

/// Loads `path` as `format` through the library; `Err` is a refusal (fine), a panic is not.
fn load(format: Format, path: &Path) -> Result<(), dnn::Error> {
    match format {
        Format::Csv => {
            let mean = CsvOptions { missing: Missing::Mean, ..CsvOptions::default() };
            data::read_csv(path, &CsvOptions::default())?;
            data::read_csv(path, &mean)?;
            data::read_csv_for_model(path, &mean, &Columns::unnamed(4), LabelNeed::Optional).map(drop)
        }
        Format::Hdf5 | Format::Hdf5Gzip => data::read_hdf5(path, &Hdf5Keys::default()).map(drop),
        Format::Npy | Format::Npz | Format::NpzCompressed => data::read_numpy(path, &Hdf5Keys::default()).map(drop),
        Format::Png | Format::Jpeg => {
            data::read_image(path, None, Resize::Yes)?;
            data::read_image(path, Some(ImageShape { height: 8, width: 8, channels: 3 }), Resize::Yes).map(drop)
        }
        Format::Model => {
            model_file::read_meta(path)?;
            model_file::load::<f64>(path)?;
            model_file::load::<f32>(path).map(drop)
        }
    }
}

/// Numbers a length or size field might be made to say.
const HUGE: [u64; 8] = [u64::MAX, u64::MAX / 2, 1 << 63, u32::MAX as u64, i32::MAX as u64, 1 << 31, 1 << 40, 0xFFFF];

/// One mutant of `seed`, drawn from `rng`.
fn mutate(seed: &[u8], rng: &mut NumpyRng) -> (Vec<u8>, String) {
    let mut bytes = seed.to_vec();
    let len = bytes.len() as u32;
    // Headers and length fields sit near the start: half the edits land in the first 512
    // bytes.
    let position = |rng: &mut NumpyRng, len: u32| {
        if rng.below(2) == 0 {
            rng.below(len.clamp(1, 512))
        } else {
            rng.below(len.max(1))
        }
    };
    let kind = rng.below(8);
    let what = match kind {
        0 => {
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let at = position(rng, len) as usize;
                bytes[at] ^= 1 << rng.below(8);
            }
            format!("{flips} bit flips")
        }
        1 => {
            let at = rng.below(len) as usize;
            bytes.truncate(at);
            format!("truncated to {at} bytes")
        }
        2 => {
            let at = position(rng, len) as usize;
            let run = 1 + rng.below(64) as usize;
            let value = rng.below(256) as u8;
            let random = rng.below(2) == 0;
            let inserted: Vec<u8> = (0..run).map(|_| if random { rng.below(256) as u8 } else { value }).collect();
            bytes.splice(at..at, inserted);
            format!("{run} bytes inserted at {at}")
        }
        3 => {
            let at = position(rng, len) as usize;
            let value = HUGE[rng.below(HUGE.len() as u32) as usize];
            let width = [1usize, 2, 4, 8][rng.below(4) as usize];
            let big_endian = rng.below(2) == 0;
            let encoded = if big_endian { value.to_be_bytes() } else { value.to_le_bytes() };
            let field = if big_endian { &encoded[8 - width..] } else { &encoded[..width] };
            let end = (at + width).min(bytes.len());
            bytes[at..end].copy_from_slice(&field[..end - at]);
            format!("{value:#x} as {width} bytes ({}) at {at}", if big_endian { "BE" } else { "LE" })
        }
        4 => {
            let at = position(rng, len) as usize;
            let count = (1 + rng.below(32) as usize).min(bytes.len() - at);
            bytes.drain(at..at + count);
            format!("{count} bytes removed at {at}")
        }
        5 => {
            // A number written in text (NumPy's header, the model's JSON, CSV) made huge.
            let runs = digit_runs(&bytes);
            if runs.is_empty() {
                return mutate(seed, rng);
            }
            let (start, end) = runs[rng.below(runs.len() as u32) as usize];
            let huge = [
                "18446744073709551615",
                "18446744073709551616",
                "9223372036854775807",
                "4294967296",
                "99999999999999999999999",
                "1e308",
                "-1",
            ];
            let text = huge[rng.below(huge.len() as u32) as usize];
            bytes.splice(start..end, text.bytes());
            format!("number at {start} written as {text}")
        }
        6 => {
            // A binary field holding one of the seed's sizes (a shape, a count of bytes)
            // made huge.
            let fields = size_fields(&bytes);
            if fields.is_empty() {
                return mutate(seed, rng);
            }
            let (at, width) = fields[rng.below(fields.len() as u32) as usize];
            let value = HUGE[rng.below(HUGE.len() as u32) as usize];
            bytes[at..at + width].copy_from_slice(&value.to_le_bytes()[..width]);
            format!("size field at {at} ({width} bytes) set to {value:#x}")
        }
        _ => {
            let edits = 1 + rng.below(16);
            for _ in 0..edits {
                let at = position(rng, len) as usize;
                bytes[at] = rng.below(256) as u8;
            }
            format!("{edits} bytes overwritten")
        }
    };
    (bytes, what)
}

/// The (start, end) of every run of ASCII digits in the first 4 KiB.
fn digit_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().take(4096).enumerate() {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// Little-endian fields of 2, 4 or 8 bytes in the first 4 KiB that hold a small size of the
/// seed files (2, 4, 12, 16, 24, 96 or their byte counts).
fn size_fields(bytes: &[u8]) -> Vec<(usize, usize)> {
    const SIZES: [u64; 9] = [2, 4, 12, 16, 24, 96, 192, 576, 768];
    let mut fields = Vec::new();
    for width in [2usize, 4, 8] {
        for at in 0..bytes.len().min(4096).saturating_sub(width) {
            let mut value = [0u8; 8];
            value[..width].copy_from_slice(&bytes[at..at + width]);
            if SIZES.contains(&u64::from_le_bytes(value)) {
                fields.push((at, width));
            }
        }
    }
    fields
}

fn mutant_count() -> usize {
    std::env::var("DNN_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

/// Keeps this test process below 8 GiB of address space, where the system lets it, so that
/// a loader that believed a huge size would fail to allocate (and abort the test) instead of
/// taking the machine's memory.
fn limit_memory() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = Command::new("prlimit")
            .args(["--pid", &std::process::id().to_string(), "--as=8589934592"])
            .stderr(Stdio::null())
            .status();
    });
}

/// Runs the mutants of `format` in-process; fails naming every mutant that panicked, and
/// the one that hung, if one did.
fn mutants_load_or_fail_cleanly(format: Format) {
    limit_memory();
    let dir = common::temp_dir(&format!("mutation-{format:?}"));
    let seed = write_seed(format, &dir);
    load(format, &dir.join(format.file_name())).unwrap_or_else(|e| panic!("{format:?}: the seed does not load: {e}"));
    let count = mutant_count();
    let trace = std::env::var_os("DNN_MUTANT_TRACE").is_some();
    let (progress, watch) = mpsc::channel::<Option<String>>();
    let worker_dir = dir.clone();
    let worker = std::thread::spawn(move || {
        let mut rng = NumpyRng::new(format as u32 + 1);
        let path = worker_dir.join(format.file_name());
        let mut panics = Vec::new();
        let mut refused = 0;
        for i in 0..count {
            let (bytes, what) = mutate(&seed, &mut rng);
            let name = format!("{format:?} mutant {i} ({what})");
            if trace {
                eprintln!("{name}");
            }
            let _ = progress.send(Some(name.clone()));
            std::fs::write(&path, &bytes).unwrap();
            match std::panic::catch_unwind(AssertUnwindSafe(|| load(format, &path))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) if e.to_string().contains(['\n', '\r']) => {
                    panics.push(format!("{name}: a message of several lines: {e:?}"))
                }
                Ok(Err(_)) => refused += 1,
                Err(_) => panics.push(name),
            }
        }
        let _ = progress.send(None);
        (panics, refused)
    });
    let mut current = String::from("the seed");
    loop {
        match watch.recv_timeout(Duration::from_secs(20)) {
            Ok(Some(name)) => current = name,
            Ok(None) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{current} hangs: no answer in 20 s"),
        }
    }
    let (panics, refused) = worker.join().unwrap();
    eprintln!(
        "{format:?}: {count} mutants, {refused} refused, {} loaded, {} panicked",
        count - refused - panics.len(),
        panics.len()
    );
    assert!(
        panics.is_empty(),
        "{} of {count} mutants panicked or broke the one-line rule:\n{}",
        panics.len(),
        panics.join("\n")
    );
    // Most mutants must be refused, or the mutations do not reach the format's checks.
    assert!(refused >= count / 4, "{format:?}: only {refused} of {count} mutants were refused");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_mutants() {
    mutants_load_or_fail_cleanly(Format::Csv);
}

#[test]
fn hdf5_mutants() {
    mutants_load_or_fail_cleanly(Format::Hdf5);
}

#[test]
fn hdf5_gzip_mutants() {
    mutants_load_or_fail_cleanly(Format::Hdf5Gzip);
}

#[test]
fn npy_mutants() {
    mutants_load_or_fail_cleanly(Format::Npy);
}

#[test]
fn npz_mutants() {
    mutants_load_or_fail_cleanly(Format::Npz);
}

#[test]
fn npz_compressed_mutants() {
    mutants_load_or_fail_cleanly(Format::NpzCompressed);
}

#[test]
fn png_mutants() {
    mutants_load_or_fail_cleanly(Format::Png);
}

#[test]
fn jpeg_mutants() {
    mutants_load_or_fail_cleanly(Format::Jpeg);
}

#[test]
fn model_mutants() {
    mutants_load_or_fail_cleanly(Format::Model);
}

/// The `dnn` command that reads `format`'s file in `dir`.
fn command_for(format: Format, dir: &Path) -> Vec<String> {
    let args: Vec<&str> = match format {
        Format::Model => vec!["predict", "--model", "model.safetensors", "builtin:xor"],
        Format::Png | Format::Jpeg => vec!["train", "pictures", "--iterations", "2", "--quiet"],
        _ => vec!["train", format.file_name(), "--iterations", "2", "--quiet", "--layers", "3"],
    };
    let _ = dir;
    args.into_iter().map(String::from).collect()
}

#[test]
fn through_the_command_a_mutant_is_one_error_line_and_exit_code_2() {
    limit_memory();
    let per_format = (mutant_count() / 30).max(6);
    let mut failures = Vec::new();
    for format in [
        Format::Csv,
        Format::Hdf5,
        Format::Hdf5Gzip,
        Format::Npy,
        Format::Npz,
        Format::NpzCompressed,
        Format::Png,
        Format::Jpeg,
        Format::Model,
    ] {
        let dir = common::temp_dir(&format!("mutation-cli-{format:?}"));
        let seed = write_seed(format, &dir);
        let target: PathBuf = match format {
            Format::Png | Format::Jpeg => {
                // A folder of two classes, the mutant in one of them.
                for class in ["a", "b"] {
                    std::fs::create_dir_all(dir.join("pictures").join(class)).unwrap();
                    std::fs::write(dir.join("pictures").join(class).join(format.file_name()), &seed).unwrap();
                }
                dir.join("pictures/b").join(format.file_name())
            }
            Format::Model => {
                // xor has 2 features: a model of 2 inputs.
                let arch = Architecture::new(&[2, 3, 1], Activation::Tanh, Activation::Sigmoid).unwrap();
                let network = Network::<f64>::init(&arch, Init::Xavier, &mut NumpyRng::new(1)).unwrap();
                model_file::save(dir.join(format.file_name()), &network, &ModelInfo::default()).unwrap();
                dir.join(format.file_name())
            }
            _ => dir.join(format.file_name()),
        };
        let seed = std::fs::read(&target).unwrap();
        let mut rng = NumpyRng::new(1000 + format as u32);
        for i in 0..per_format {
            let (bytes, what) = mutate(&seed, &mut rng);
            std::fs::write(&target, &bytes).unwrap();
            let args = command_for(format, &dir);
            let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
                .current_dir(&dir)
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let started = Instant::now();
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break Some(status);
                }
                if started.elapsed() > Duration::from_secs(30) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                std::thread::sleep(Duration::from_millis(5));
            };
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            let name = format!("{format:?} mutant {i} ({what}), dnn {}", args.join(" "));
            match status.and_then(|s| s.code()) {
                None => failures.push(format!("{name}: hung or was killed ({status:?})")),
                Some(0) => {}
                Some(2) if stderr.starts_with("error: ") && stderr.lines().count() == 1 => {}
                Some(code) => failures.push(format!("{name}: exit code {code}, stderr {stderr:?}")),
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{} mutants broke the command's contract:\n{}", failures.len(), failures.join("\n"));
}

/// A `.npy` header rewritten to claim far more examples than the file holds (its length
/// kept, so the header still parses): refused before the claimed array is allocated (8 GiB
/// of address space is all this process may take). HDF5 object headers and `.npz` members
/// carry checksums, which catch such edits first; the model file's shapes are checked
/// against its tensors (tests/model_file.rs).
#[test]
fn a_npy_header_claiming_sizes_far_past_the_data_is_refused_before_allocating() {
    limit_memory();
    let dir = common::temp_dir("mutation-claims");
    let seed = write_seed(Format::Npy, &dir);
    let path = dir.join(Format::Npy.file_name());
    let text = String::from_utf8_lossy(&seed).into_owned();
    assert!(text.contains("'shape': (24, 4)"));
    for claim in [1u64 << 33, 1 << 40, u32::MAX as u64, u64::MAX / 64] {
        let grown = format!("({claim}, 4)");
        let extra = grown.len() - "(24, 4)".len();
        let at = seed.windows(7).position(|w| w == b"(24, 4)").unwrap();
        let newline = seed.iter().position(|&b| b == b'\n').unwrap();
        let mut bytes = seed[..at].to_vec();
        bytes.extend(grown.as_bytes());
        bytes.extend(&seed[at + 7..newline - extra]); // the padding gives way
        bytes.extend(&seed[newline..]);
        assert_eq!(bytes.len(), seed.len());
        std::fs::write(&path, &bytes).unwrap();
        let error = std::panic::catch_unwind(|| load(Format::Npy, &path)).unwrap().unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: the header claims shape [{claim}, 4] of '|u1', more than the 96 bytes of data the file holds",
                path.display()
            )
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
