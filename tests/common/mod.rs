//! Helpers shared by the integration tests: fixtures, the course's data, tolerances.
#![allow(dead_code)]

use std::path::PathBuf;

#[cfg(feature = "io")]
use dnn::data::{read_hdf5, Dataset, Hdf5Keys, Scale};

/// Numbers from a fixture in tests/fixtures: every whitespace-separated token of the lines
/// that are not comments.
pub fn fixture_numbers(name: &str) -> Vec<f64> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(|line| {
            line.split_whitespace()
                .map(|t| t.parse::<f64>().unwrap_or_else(|e| panic!("{name}: {t}: {e}")))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A fresh, empty folder for one test, unique to this test process.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dnn-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The folder with the course's cat / non-cat HDF5 files.
#[cfg(feature = "io")]
pub fn cat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/catvnoncat")
}

/// Whether the course's cat files are there; prints why not.
#[cfg(feature = "io")]
pub fn cat_files_present() -> bool {
    let dir = cat_dir();
    let present = ["train_catvnoncat.h5", "test_catvnoncat.h5"].iter().all(|f| dir.join(f).exists());
    if !present {
        println!(
            "skipped: the course's cat data is not at {} (train_catvnoncat.h5, test_catvnoncat.h5)",
            dir.display()
        );
    }
    present
}

#[cfg(feature = "io")]
/// The course's cat data, flattened and divided by 255, or `None` (with the reason printed)
/// when the files are absent.
pub fn cat_data() -> Option<(Dataset, Dataset)> {
    if !cat_files_present() {
        return None;
    }
    let dir = cat_dir();
    let (train_path, test_path) = (dir.join("train_catvnoncat.h5"), dir.join("test_catvnoncat.h5"));
    let mut train = read_hdf5(&train_path, &Hdf5Keys::default()).expect("read the training file");
    let mut test = read_hdf5(&test_path, &Hdf5Keys::default()).expect("read the test file");
    let scale = Scale::Divide { by: 255.0 };
    scale.apply_in_place(&mut train.x);
    scale.apply_in_place(&mut test.x);
    Some((train, test))
}

/// |actual − expected| ≤ rel·|expected|, with both values in the message.
#[track_caller]
pub fn assert_rel(actual: f64, expected: f64, rel: f64, what: &str) {
    let error = (actual - expected).abs() / expected.abs().max(f64::MIN_POSITIVE);
    assert!(error <= rel, "{what}: got {actual:.17}, expected {expected:.17} (relative error {error:.2e} > {rel:.0e})");
}

/// |actual − expected| ≤ abs.
#[track_caller]
pub fn assert_abs(actual: f64, expected: f64, abs: f64, what: &str) {
    assert!((actual - expected).abs() <= abs, "{what}: got {actual:.17}, expected {expected:.17} (±{abs:e})");
}

/// Runs the `dnn` command in `dir` and asserts exit code 2 and exactly one stderr line
/// `error: {message}` (no panic).
#[cfg(feature = "cli")]
#[track_caller]
pub fn assert_error(dir: &std::path::Path, args: &[&str], message: &str) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_dnn")).current_dir(dir).args(args).output();
    let output = output.expect("dnn runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, format!("error: {message}\n"), "dnn {}", args.join(" "));
    assert_eq!(output.status.code(), Some(2), "dnn {}", args.join(" "));
    assert!(!stderr.contains("panicked"));
}

/// Runs `dnn args` in `dir`, sends it Ctrl-C (SIGINT) once `ready` says so (it is asked
/// every 20 ms with the output so far; a minute at most), and returns how it ended with all
/// it wrote to stdout and stderr. Waiting for a sign in the output, not for a fixed time,
/// makes sure the command has set its handler and got as far as the test needs.
#[cfg(feature = "cli")]
pub fn interrupt_when(
    dir: &std::path::Path,
    args: &[&str],
    ready: impl Fn(&str) -> bool,
) -> (std::process::ExitStatus, String, String) {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dnn runs");
    // Pipes are read on their own threads, so that a full pipe never stalls the command.
    let collect = |mut pipe: Box<dyn Read + Send>| {
        let text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = text.clone();
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        (text, reader)
    };
    let (stdout, stdout_reader) = collect(Box::new(child.stdout.take().unwrap()));
    let (stderr, stderr_reader) = collect(Box::new(child.stderr.take().unwrap()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ready(&stdout.lock().unwrap()) {
        assert!(std::time::Instant::now() < deadline, "dnn {} never got ready to interrupt", args.join(" "));
        assert!(child.try_wait().unwrap().is_none(), "dnn {} ended before the interrupt", args.join(" "));
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    stdout_reader.join().unwrap();
    stderr_reader.join().unwrap();
    let text = |text: std::sync::Arc<std::sync::Mutex<String>>| text.lock().unwrap().clone();
    (status, text(stdout), text(stderr))
}

/// The course's first test picture (a cat), enlarged to 128×128 and saved as JPEG: a
/// "picture of your own" of another size than the model's input, as README.md's tour makes
/// `my_cat.jpg`. Needs the cat data ([`cat_data`]).
#[cfg(feature = "io")]
pub fn write_my_cat(path: &std::path::Path) {
    let (_, test) = cat_data().expect("cat data present");
    let pixels: Vec<u8> = test.x.column(0).iter().map(|v| (v * 255.0).round() as u8).collect();
    let image = image::RgbImage::from_raw(64, 64, pixels).expect("64×64×3 pixels");
    image::imageops::resize(&image, 128, 128, image::imageops::FilterType::Triangle).save(path).unwrap();
}

/// How a run of the `dnn` command ended.
#[cfg(feature = "cli")]
pub struct Run {
    /// The exit code (−1 when killed by a signal).
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// Runs `dnn args` in `dir`, with `stdin` as its standard input when given.
#[cfg(feature = "cli")]
pub fn run_dnn(dir: &std::path::Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .current_dir(dir)
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dnn runs");
    if let Some(bytes) = stdin {
        child.stdin.take().expect("piped").write_all(bytes).expect("dnn reads its input");
    }
    let output = child.wait_with_output().expect("dnn runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// An RGB image of `size` × `size` whose colour leans red or blue, with seeded noise.
#[cfg(feature = "cli")]
pub fn write_image(path: &std::path::Path, size: u32, red: bool, seed: u32) {
    let mut rng = dnn::NumpyRng::new(seed);
    let image = image::RgbImage::from_fn(size, size, |_, _| {
        let noise = (rng.uniform() * 60.0) as u8;
        if red {
            image::Rgb([190 + noise / 2, noise, 40])
        } else {
            image::Rgb([40, noise, 190 + noise / 2])
        }
    });
    image.save(path).unwrap();
}

/// The course's SIGNS file (6 hand signs, 120 pictures of 64×64), or `None` (with the reason
/// printed) when it is absent.
#[cfg(feature = "io")]
pub fn signs_file() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/signs/test_signs.h5");
    if !path.exists() {
        println!("skipped: the course's SIGNS data is not at {}", path.display());
        return None;
    }
    Some(path)
}

/// SIGNS's pictures as a folder of pictures in class folders, as a user's pictures would be:
/// the first 100 in `signs/train/<class>/NNN.png`, the last 20 in `signs/test/<class>/`, and
/// picture 119 again as `my_sign.png`. Needs the SIGNS file ([`signs_file`]).
#[cfg(feature = "io")]
pub fn write_signs_folders(dir: &std::path::Path) {
    let data = read_hdf5(signs_file().expect("SIGNS data present"), &Hdf5Keys::default()).unwrap();
    for j in 0..data.m() {
        let pixels: Vec<u8> = data.x.column(j).iter().map(|&v| v as u8).collect();
        let picture = image::RgbImage::from_raw(64, 64, pixels).expect("64×64×3 pixels");
        let part = if j < 100 { "train" } else { "test" };
        let folder = dir.join("signs").join(part).join(data.y[(0, j)].to_string());
        std::fs::create_dir_all(&folder).unwrap();
        picture.save(folder.join(format!("{j:03}.png"))).unwrap();
        if j == 119 {
            picture.save(dir.join("my_sign.png")).unwrap();
        }
    }
}
