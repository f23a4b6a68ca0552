//! Every `dnn` command of README.md's tour runs here as written, and prints what the README
//! says it prints. (`cargo run --release -- train`, `cargo test --release` and the Python
//! snippet are run by .ci/run; the Rust snippet is a doctest.)
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The lines of README.md's ```sh blocks that start with `dnn `.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if in_sh && line.starts_with("dnn ") {
            commands.push(line.to_string());
        }
    }
    commands
}

/// Splits a README command into arguments, as a shell does for words and "double quotes".
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut started) = (String::new(), false, false);
    for c in command.chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        words.push(word);
    }
    words.into_iter().skip(1).collect()
}

/// A working folder `T/work` with `T/shared` pointing at the real ../shared, so that the
/// README's `../shared/...` paths resolve while outputs stay out of the repository.
fn workspace() -> PathBuf {
    let root = std::env::temp_dir().join(format!("dnn-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("work")).unwrap();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if shared.exists() {
        std::os::unix::fs::symlink(shared.canonicalize().unwrap(), root.join("shared")).unwrap();
    }
    root.join("work")
}

#[test]
fn the_tour_runs_as_written() {
    let commands = readme_commands();
    assert_eq!(commands.len(), 7, "{commands:?}");
    let work = workspace();
    let cat_present = common::cat_data().is_some();
    let signs_present = common::signs_file().is_some();
    if signs_present {
        common::write_signs_folders(&work);
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for command in &commands {
        if command.contains("cat") && !cat_present {
            println!("skipped (no cat data): {command}");
            continue;
        }
        if command.contains("signs") && !signs_present {
            println!("skipped (no SIGNS data): {command}");
            continue;
        }
        if command.contains("my_cat.jpg") {
            common::write_my_cat(&work.join("my_cat.jpg"));
        }
        let output = Command::new(env!("CARGO_BIN_EXE_dnn")).current_dir(&work).args(words(command)).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{command}\n{}", String::from_utf8_lossy(&output.stderr));
        // The planar costs are course_results.md's (7000: numpy's, tests/fixtures/planar_costs.txt);
        // 90.5 % is what course_results.md gives for PyTorch and scikit-learn.
        let expected: &[&str] = if command.starts_with("dnn train builtin:planar") {
            &["Cost after iteration 1000: 0.288083", "Cost after iteration 7000: 0.217504", "Train accuracy: 90.5%"]
        } else if command.starts_with("dnn search") {
            &["Best: trial 4: layers 5, tanh, init scaled:0.01, learning rate 1.2, 5000 iterations, seed 2: \
                 accuracy 91.25 %"]
        } else if command.starts_with("dnn train ../shared") {
            &["Cost after iteration 2499: 0.088440", "Train accuracy: 98.56459330143541%", "Test accuracy: 80%"]
        } else if command.starts_with("dnn train signs") {
            // RESULTS.md §5.5 of course 2: 0.5559080800831575 after 900 iterations, 0.93 / 0.55.
            &["Cost after iteration 900: 0.555908", "Train accuracy: 93%", "Test accuracy: 55%"]
        } else if command.starts_with("dnn predict --model signs") {
            &["input,label,p_0,p_1,p_2,p_3,p_4,p_5"]
        } else if command.starts_with("dnn evaluate") {
            &["accuracy:  0.5500", "confusion matrix (rows: actual, columns: predicted):"]
        } else {
            &["input,probability,label"]
        };
        for line in expected {
            assert!(stdout.lines().any(|l| l == *line), "{command}: no line {line:?} in\n{stdout}");
            assert!(readme.contains(line), "README does not show {line:?}");
        }
        if command.starts_with("dnn search") {
            // The README shows this table: every row as printed, up to the seconds column.
            let seconds = stdout.lines().nth(1).and_then(|header| header.find("seconds")).unwrap();
            for line in stdout.lines() {
                let shown = if line.len() > seconds { &line[..seconds] } else { line };
                assert!(readme.contains(shown), "README should show `{shown}`");
            }
        }
        if command.starts_with("dnn evaluate") {
            // The README shows the whole report.
            assert!(readme.contains(&*stdout), "README should show\n{stdout}");
        }
        if command.starts_with("dnn predict") {
            // The README shows this very line.
            let line = stdout.lines().nth(1).unwrap();
            assert!(readme.contains(line), "README should show `{line}`");
        }
    }
    for file in ["boundary.png", "cost.png", "planar.safetensors", "search.png"] {
        assert!(work.join(file).exists(), "{file}");
    }
    if signs_present {
        for file in ["signs.safetensors", "confusion.png"] {
            assert!(work.join(file).exists(), "{file}");
        }
    }
}
