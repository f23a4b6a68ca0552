//! The `dnn` command as a process among others: output into a pipe that its reader closed,
//! SIGTERM, SIGHUP and a second Ctrl-C, and runs too large for the machine's memory.
#![cfg(feature = "cli")]

mod common;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn dnn() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dnn"))
}

/// Runs `dnn args` with its stdout into a pipe whose reading end is closed before the
/// command starts, so that its first write meets a closed pipe; returns the exit code and
/// stderr.
fn run_into_closed_pipe(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = dnn().current_dir(dir).args(args).stdout(writer).stderr(Stdio::piped()).output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn every_command_ends_quietly_with_code_0_when_its_output_pipe_is_closed() {
    let dir = common::temp_dir("process-closed-pipe");
    let train = ["train", "--iterations", "300", "--print-every", "1", "--model", "m.safetensors"];
    assert_eq!(run_into_closed_pipe(&dir, &train), (Some(0), String::new()));
    // The work asked for is still done: the model is saved.
    let (_, meta) = dnn::model_file::load::<f64>(dir.join("m.safetensors")).unwrap();
    assert_eq!(meta.training.unwrap()["iterations"], 300);
    for args in [
        &["train", "--iterations", "20", "--json"][..],
        &["predict", "--model", "m.safetensors", "builtin:planar"],
        &["evaluate", "--model", "m.safetensors", "builtin:planar"],
        &["evaluate", "--model", "m.safetensors", "builtin:planar", "--json"],
        &["info", "--model", "m.safetensors"],
        &["info", "--model", "m.safetensors", "--json"],
        &["gradcheck"],
        &["gradcheck", "--json"],
        &["search", "builtin:planar", "--layers", "2;3", "--iterations", "20", "--quiet"],
    ] {
        assert_eq!(run_into_closed_pipe(&dir, args), (Some(0), String::new()), "dnn {}", args.join(" "));
    }
    // An error is still an error, with its message and exit code 2.
    let (code, stderr) = run_into_closed_pipe(&dir, &["info", "--model", "nope.safetensors"]);
    assert_eq!((code, stderr.as_str()), (Some(2), "error: nope.safetensors: no such file or folder\n"));
}

#[test]
fn a_reader_that_stops_after_two_lines_ends_predict_quietly() {
    // `dnn predict … | head -2`, with more output than a pipe buffers (64 KiB).
    let dir = common::temp_dir("process-head");
    let status = dnn()
        .current_dir(&dir)
        .args(["train", "--iterations", "10", "--quiet", "--model", "m.safetensors"])
        .status()
        .unwrap();
    assert!(status.success());
    let mut csv = String::from("a,b\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{},{}\n", i % 7, i % 5));
    }
    std::fs::write(dir.join("big.csv"), csv).unwrap();
    let mut child = dnn()
        .current_dir(&dir)
        .args(["predict", "--model", "m.safetensors", "big.csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8];
    while head.iter().filter(|&&b| b == b'\n').count() < 2 {
        stdout.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(head).unwrap().lines().next(), Some("input,probability,label"));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
}

/// Starts `dnn args` in `dir` and waits until its stdout has shown `sign`.
fn start_and_wait_for(dir: &std::path::Path, args: &[&str], sign: &str) -> (Child, std::thread::JoinHandle<String>) {
    let mut child = dnn().current_dir(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    let sign = sign.to_string();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let mut buffer = [0u8; 4096];
        let mut told = false;
        while let Ok(n @ 1..) = stdout.read(&mut buffer) {
            text.push_str(&String::from_utf8_lossy(&buffer[..n]));
            if !told && text.contains(&sign) {
                told = true;
                let _ = seen_tx.send(());
            }
        }
        text
    });
    seen_rx.recv_timeout(Duration::from_secs(60)).expect("the command got going");
    (child, reader)
}

fn send(child: &Child, signal: &str) {
    let sent = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
}

#[test]
fn sigterm_and_sighup_stop_training_like_ctrl_c_and_save_the_model() {
    for signal in ["TERM", "HUP", "INT"] {
        let dir = common::temp_dir(&format!("process-{signal}"));
        let args = ["train", "--iterations", "100000000", "--model", "m.safetensors"];
        let (child, reader) = start_and_wait_for(&dir, &args, "Cost after iteration 0:");
        send(&child, signal);
        let output = child.wait_with_output().unwrap();
        let stdout = reader.join().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "SIG{signal}: {stderr}");
        assert!(stderr.starts_with("interrupted: stopped after iteration "), "SIG{signal}: {stderr}");
        assert!(stdout.contains("Model saved to m.safetensors (trained so far)"), "SIG{signal}: {stdout}");
        let (_, meta) = dnn::model_file::load::<f64>(dir.join("m.safetensors")).unwrap();
        assert_eq!(meta.training.unwrap()["interrupted"], true);
    }
}

#[test]
fn a_second_signal_quits_at_once_with_code_130_leaving_no_partial_file() {
    // A large model (n_x = 2, 3000 × 3000 hidden weights: 72 MB), so that its save takes
    // long enough for the second signal to find it in progress more often than not. When
    // the first signal's stop and save win the race, the run ends normally (exit 0, the
    // model whole); that is allowed, but at least one of five runs must show the quick exit.
    let mut quick_exits = 0;
    for attempt in 0..5 {
        let dir = common::temp_dir(&format!("process-twice-{attempt}"));
        let args = ["train", "--layers", "3000,3000", "--iterations", "100000000", "--model", "m.safetensors"];
        let (child, reader) = start_and_wait_for(&dir, &args, "Cost after iteration 0:");
        send(&child, "INT");
        send(&child, "INT");
        let started = Instant::now();
        let output = child.wait_with_output().unwrap();
        reader.join().unwrap();
        let code = output.status.code();
        assert!(code == Some(130) || code == Some(0), "{code:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert!(started.elapsed() < Duration::from_secs(10));
        let names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        // The model was either saved whole before the second signal, or not at all.
        assert!(names.iter().all(|n| n == "m.safetensors"), "{names:?}");
        if code == Some(0) {
            assert_eq!(names, ["m.safetensors"]);
        }
        if !names.is_empty() {
            dnn::model_file::load::<f64>(dir.join("m.safetensors")).unwrap();
        }
        if code == Some(130) {
            quick_exits += 1;
            break;
        }
    }
    assert_eq!(quick_exits, 1, "the second signal never arrived before the run ended");
}

#[test]
fn a_run_too_large_for_memory_is_refused_before_allocating() {
    let dir = common::temp_dir("process-memory");
    let check = |args: &[&str], prefix: &str| {
        let output = dnn().current_dir(&dir).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "dnn {}: {stderr}", args.join(" "));
        assert!(stderr.starts_with(prefix), "dnn {}: {stderr}", args.join(" "));
        assert!(stderr.ends_with(" GB is available\n") && stderr.lines().count() == 1, "{stderr}");
    };
    // [2, 10⁸, 1] on 400 examples: 3·10⁸·400 workspace values alone, 8 bytes each.
    check(&["train", "builtin:planar", "--layers", "100000000", "--iterations", "1"], "error: training needs 966.4 GB");
    check(
        &["train", "--layers", "18446744073709551615,18446744073709551615"],
        "error: training needs more than 18446744073.7 GB of memory, but ",
    );
    check(&["search", "builtin:planar", "--layers", "4;100000000", "--jobs", "1"], "error: the search needs 966.4 GB");
    check(&["gradcheck", "--layers", "100000,100000"], "error: the gradient check needs 400.1 GB");
}
