//! `dnn playground`'s server: the page and its files, a run streamed until its cost falls,
//! controls, the model download and the copied command, refusals, load, and the end of a
//! run when its page closes.
#![cfg(feature = "cli")]

mod common;
mod playground_server;

use std::process::Command;
use std::time::{Duration, Instant};

use playground_server::{flower, Server};
use serde_json::{json, Value};

#[test]
fn the_page_and_its_files_are_served_from_the_binary() {
    let server = Server::start();
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(page.text().contains("<title>dnn playground</title>"));
    for (path, content_type) in [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/draw.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
    ] {
        let reply = server.get(path);
        assert_eq!((reply.status, reply.header("content-type")), (200, Some(content_type)), "{path}");
        assert!(page.text().contains(path), "the page loads {path}");
        // Offline: nothing is loaded from another host.
        assert!(!reply.text().contains("http://") && !reply.text().contains("https://"), "{path}");
    }
    assert!(!page.text().contains("http://") && !page.text().contains("https://"));
}

/// The words of a copied command line, as a shell splits them (`""` is an empty word).
fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(|w| if w == "\"\"" { String::new() } else { w.to_string() }).collect()
}

#[test]
fn a_run_learns_and_its_command_and_model_reproduce_it() {
    let server = Server::start();
    let id = server.start_run(&flower());
    let mut events = server.events(id);
    let (name, data) = events.next();
    assert_eq!(name, "data");
    assert_eq!((data["train"].as_array().unwrap().len(), data["test"].as_array().unwrap().len()), (320, 80));
    let first = events.frame();
    assert_eq!((first["iteration"].as_u64(), first["playing"].as_bool()), (Some(0), Some(false)));
    assert_eq!(first["sizes"], json!([2, 4, 1]));
    assert_eq!(first["grid"], json!(100));
    // 100 × 100 probabilities, one byte each, in base64.
    assert_eq!(first["boundary"].as_str().unwrap().len(), 10_000usize.div_ceil(3) * 4);
    assert_eq!(first["units"][0]["maps"].as_array().unwrap().len(), 4);

    server.control(id, json!({ "action": "play" }));
    let mut frames = 0;
    let cost = loop {
        let frame = events.frame();
        frames += 1;
        if let Some(cost) = frame["cost"].as_f64() {
            // The flower's first cost is ln 2; the course's network gets below 0.3.
            if cost < 0.3 {
                break cost;
            }
        }
        assert!(frames < 3000, "the cost did not fall: {frame}");
    };
    assert!(cost < 0.3);
    server.control(id, json!({ "action": "pause" }));
    let frame = loop {
        let frame = events.frame();
        if !frame["playing"].as_bool().unwrap() {
            break frame;
        }
    };
    let iterations = frame["iteration"].as_u64().unwrap();
    let cost = frame["cost"].as_f64().unwrap();
    let test_cost = frame["test_cost"].as_f64().unwrap();
    assert!(iterations > 0 && cost < 0.3 && test_cost < 0.5, "{iterations} {cost} {test_cost}");
    assert_eq!(frame["costs"][0][0], json!(0));
    assert!((frame["costs"][0][1].as_f64().unwrap() - 0.693).abs() < 1e-3);

    // The copied command trains the same network to the same cost.
    let reply = server.get(&format!("/api/runs/{id}/command")).json();
    assert_eq!(reply["exact"], Value::Null);
    let line = reply["command"].as_str().unwrap();
    assert_eq!(
        line,
        format!(
            "dnn train builtin:planar --data-seed 1 --layers 4 --hidden-activation tanh --init scaled:0.01 --seed 2 \
             --learning-rate 1.2 --iterations {iterations} --validation 0.2"
        )
    );
    assert_eq!(frame["command"].as_str(), Some(line));
    let dir = common::temp_dir("playground-reproduce");
    let cli_model = dir.join("cli.safetensors");
    let output = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(&words(line)[1..])
        .args(["--json", "--model"])
        .arg(&cli_model)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["iterations"].as_u64(), Some(iterations));
    let relative = |a: f64, b: f64| (a - b).abs() / b.abs();
    assert!(relative(report["final_cost"].as_f64().unwrap(), cost) < 1e-12, "{report} vs {cost}");
    assert!(relative(report["validation_cost"].as_f64().unwrap(), test_cost) < 1e-12, "{report} vs {test_cost}");
    assert_eq!(report["train_accuracy"], frame["train_accuracy"]);

    // The downloaded model is the file `dnn train --model` writes, weights and all.
    let model = server.get(&format!("/api/runs/{id}/model"));
    assert_eq!(model.status, 200);
    assert_eq!(model.header("content-disposition"), Some("attachment; filename=\"playground.safetensors\""));
    let page_model = dir.join("page.safetensors");
    std::fs::write(&page_model, &model.body).unwrap();
    let (network, meta) = dnn::model_file::load::<f64>(&page_model).unwrap();
    let (cli_network, cli_meta) = dnn::model_file::load::<f64>(&cli_model).unwrap();
    assert_eq!(network.sizes(), vec![2, 4, 1]);
    for (page, cli) in network.layers().iter().zip(cli_network.layers()) {
        for (p, c) in page.w().iter().zip(cli.w()).chain(page.b().iter().zip(cli.b())) {
            assert!((p - c).abs() <= 1e-12 * c.abs().max(1.0), "{p} vs {c}");
        }
    }
    let mut training = meta.training.clone().unwrap();
    let mut cli_training = cli_meta.training.clone().unwrap();
    for t in [&mut training, &mut cli_training] {
        t.as_object_mut().unwrap().remove("final_cost");
    }
    assert_eq!(training, cli_training);
    assert_eq!((meta.preprocessing, meta.class_names), (cli_meta.preprocessing, cli_meta.class_names));
    let info = Command::new(env!("CARGO_BIN_EXE_dnn")).args(["info", "--model"]).arg(&page_model).output().unwrap();
    assert!(info.status.success(), "{}", String::from_utf8_lossy(&info.stderr));
}

/// The frame after a pause: the first that says the run is not playing.
fn paused(events: &mut playground_server::Events) -> Value {
    loop {
        let frame = events.frame();
        if !frame["playing"].as_bool().unwrap() {
            break frame;
        }
    }
}

#[test]
fn adam_with_mini_batches_and_dropout_paused_and_stepped_is_the_copied_command() {
    let server = Server::start();
    let mut settings = flower();
    settings["training"] = json!({ "learning_rate": 0.01, "batch_size": 64, "optimizer": "adam", "keep_prob": 0.8 });
    let id = server.start_run(&settings);
    let mut events = server.events(id);
    assert_eq!(events.frame()["iteration"], json!(0));
    server.control(id, json!({ "action": "play", "speed": 2000 }));
    while events.frame()["iteration"].as_u64().unwrap() < 40 {}
    server.control(id, json!({ "action": "pause" }));
    let at = paused(&mut events)["iteration"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    for step in 1..=2 {
        server.control(id, json!({ "action": "step" }));
        assert_eq!(events.frame()["iteration"].as_u64(), Some(at + step));
    }
    server.control(id, json!({ "action": "play" }));
    while events.frame()["iteration"].as_u64().unwrap() < at + 200 {}
    server.control(id, json!({ "action": "pause" }));
    let frame = paused(&mut events);
    let epochs = frame["iteration"].as_u64().unwrap();
    assert_eq!(frame["command_exact"], Value::Null);
    let line = frame["command"].as_str().unwrap();
    assert_eq!(
        line,
        format!(
            "dnn train builtin:planar --data-seed 1 --layers 4 --hidden-activation tanh --init scaled:0.01 --seed 2 \
             --learning-rate 0.01 --batch-size 64 --epochs {epochs} --optimizer adam --keep-prob 0.8 --validation 0.2"
        )
    );
    let output = Command::new(env!("CARGO_BIN_EXE_dnn")).args(&words(line)[1..]).arg("--json").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["iterations"].as_u64(), Some(epochs));
    let relative = |a: f64, b: f64| (a - b).abs() / b.abs();
    let (cost, test_cost) = (frame["cost"].as_f64().unwrap(), frame["test_cost"].as_f64().unwrap());
    assert!(relative(report["final_cost"].as_f64().unwrap(), cost) < 1e-12, "{report} vs {cost}");
    assert!(relative(report["validation_cost"].as_f64().unwrap(), test_cost) < 1e-12, "{report} vs {test_cost}");
    assert_eq!(report["train_accuracy"], frame["train_accuracy"]);
}

#[test]
fn steps_count_one_iteration_and_a_new_learning_rate_keeps_the_weights() {
    let server = Server::start();
    let id = server.start_run(&flower());
    let mut events = server.events(id);
    assert_eq!(events.frame()["iteration"], json!(0));
    server.control(id, json!({ "action": "step" }));
    let frame = events.frame();
    assert_eq!(frame["iteration"], json!(1));
    // The course's first cost, 0.693048 on all 400 points; here on the 320 kept for training.
    let first = frame["cost"].as_f64().unwrap();
    assert!((first - std::f64::consts::LN_2).abs() < 1e-3, "{first}");
    server.control(id, json!({ "action": "step" }));
    server.control(id, json!({ "action": "step" }));
    let mut frame = events.frame();
    while frame["iteration"] != json!(3) {
        frame = events.frame();
    }
    let weights = frame["weights"].clone();
    server.control(id, json!({ "learning_rate": 0.5 }));
    let frame = events.frame();
    assert_eq!((frame["iteration"].as_u64(), frame["learning_rate"].as_f64()), (Some(3), Some(0.5)));
    assert_eq!(frame["weights"], weights, "the weights stay");
    assert_eq!(frame["command_exact"], json!("the learning rate changed at iteration 3"));
    assert!(frame["command"].as_str().unwrap().contains("--learning-rate 0.5 --iterations 3"));
    server.control(id, json!({ "action": "step" }));
    let frame = events.frame();
    assert_eq!(frame["iteration"], json!(4));
    assert_ne!(frame["weights"], weights);
    // A reset starts again from the initial weights, with the settings' rate.
    server.control(id, json!({ "action": "reset" }));
    let (name, _) = events.next();
    assert_eq!(name, "data");
    let frame = events.frame();
    assert_eq!((frame["iteration"].as_u64(), frame["learning_rate"].as_f64()), (Some(0), Some(1.2)));
    assert_eq!(frame["command_exact"], json!("no iteration has been trained yet"));
}

#[test]
fn zero_initialisation_keeps_hidden_units_identical() {
    let server = Server::start();
    let mut settings = flower();
    settings["network"]["init"] = json!("zeros");
    let id = server.start_run(&settings);
    let mut events = server.events(id);
    server.control(id, json!({ "action": "play" }));
    let frame = loop {
        let frame = events.frame();
        if frame["iteration"].as_u64().unwrap() > 1000 {
            break frame;
        }
    };
    assert_eq!(frame["identical"], json!([true]));
    let w = frame["weights"][0]["w"].as_array().unwrap();
    assert!(w.iter().all(|row| row == &w[0]), "{w:?}");
    assert!(frame["command"].as_str().unwrap().ends_with("--allow-symmetry"));
}

#[test]
fn bad_requests_get_a_4xx_with_a_message_and_the_server_stays_up() {
    let server = Server::start();
    let cases: Vec<(&str, &str, String, u16, &str)> = vec![
        ("GET", "/nope", String::new(), 404, "no such page or route: GET /nope"),
        ("DELETE", "/api/runs", String::new(), 405, "DELETE /api/runs: only POST is allowed here"),
        ("POST", "/api/runs/7/control", "{}".into(), 404, "no run 7: it ended when its page closed, or never began"),
        ("GET", "/api/runs/x/model", String::new(), 404, "no run 'x': run ids are numbers"),
        ("POST", "/api/runs", "{bad".into(), 400, "POST /api/runs: malformed JSON: key must be a string at line 1 column 2"),
        (
            "POST",
            "/api/runs",
            json!({ "data": { "set": "planar" }, "network": { "hidden": [{ "units": 1_000_000, "activation": "tanh" }],
                "output": "sigmoid", "init": "he", "seed": 1 }, "training": { "learning_rate": 0.1 } })
            .to_string(),
            422,
            "network.hidden[0].units 1000000: expected 1 to 16",
        ),
        (
            "POST",
            "/api/runs",
            json!({ "data": { "set": "planar" }, "network": { "hidden": vec![json!({ "units": 4, "activation": "tanh" }); 7],
                "output": "sigmoid", "init": "he", "seed": 1 }, "training": { "learning_rate": 0.1 } })
            .to_string(),
            422,
            "network.hidden: 7 layers, at most 6 accepted",
        ),
        (
            "POST",
            "/api/runs",
            json!({ "data": { "set": "spiral" }, "network": { "hidden": [], "output": "sigmoid", "init": "he", "seed": 1 },
                "training": { "learning_rate": 0.1 } })
            .to_string(),
            422,
            "network.output sigmoid: the data has 3 classes, which need softmax",
        ),
        (
            "POST",
            "/api/runs",
            json!({ "data": { "set": "moons" }, "network": { "hidden": [], "output": "sigmoid", "init": "he", "seed": 1 },
                "training": { "learning_rate": -1 } })
            .to_string(),
            422,
            "training.learning_rate -1: expected a number greater than 0 and at most 1000",
        ),
    ];
    for (method, path, body, status, message) in cases {
        let reply = server.request(method, path, &body);
        assert_eq!((reply.status, reply.json()["error"].as_str()), (status, Some(message)), "{method} {path}");
    }
    let id = server.start_run(&flower());
    let reply = server.request("POST", &format!("/api/runs/{id}/control"), r#"{"action": "fly"}"#);
    assert_eq!(
        (reply.status, reply.json()["error"].as_str()),
        (422, Some("action 'fly': expected play, pause, step or reset"))
    );
    let reply = server.request("POST", &format!("/api/runs/{id}/control"), r#"{"actions": "play"}"#);
    assert_eq!(reply.status, 400);
    assert!(reply.json()["error"].as_str().unwrap().contains("unknown field `actions`"));
    let reply = server.request("POST", &format!("/api/runs/{id}/control"), r#"{"learning_rate": 0}"#);
    assert_eq!(reply.json()["error"], json!("learning_rate 0: expected a number greater than 0 and at most 1000"));
    // Another site's page may not start runs here.
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    let body = flower().to_string();
    write!(
        stream,
        "POST /api/runs HTTP/1.1\r\nHost: {}\r\nOrigin: http://example.com\r\nContent-Length: {}\r\n\r\n{body}",
        server.address,
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 403"), "{raw}");
    assert!(
        raw.ends_with(r#"{"error":"POST /api/runs from http://example.com: only this server's page may send it"}"#),
        "{raw}"
    );
    // A body too large to read is refused from its length alone.
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    use std::io::{Read, Write};
    write!(stream, "POST /api/runs HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    assert!(raw.contains("request body of 999999999 bytes: at most 4194304 accepted"), "{raw}");
    // Garbage instead of HTTP.
    let mut stream = std::net::TcpStream::connect(&server.address).unwrap();
    stream.write_all(b"\x00\x01\x02\r\n\r\n").unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    assert_eq!(server.get("/").status, 200, "the server still answers");
}

#[test]
fn closing_the_page_ends_its_run() {
    let server = Server::start();
    let id = server.start_run(&flower());
    let mut events = server.events(id);
    server.control(id, json!({ "action": "play" }));
    events.frame();
    assert_eq!(server.get(&format!("/api/runs/{id}/command")).status, 200);
    // A second page cannot take over the run.
    let reply = server.get(&format!("/api/runs/{id}/events"));
    assert_eq!(reply.json()["error"], json!(format!("run {id} already has a page: each page starts its own run")));
    drop(events);
    let start = Instant::now();
    while server.get(&format!("/api/runs/{id}/command")).status == 200 {
        assert!(start.elapsed() < Duration::from_secs(10), "the run outlived its page");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(server.get(&format!("/api/runs/{id}/command")).status, 404);
}

#[test]
fn ten_runs_training_at_once_leave_the_page_quick_to_load() {
    let server = Server::start();
    let mut readers = Vec::new();
    for _ in 0..10 {
        let id = server.start_run(&flower());
        let mut events = server.events(id);
        server.control(id, json!({ "action": "play" }));
        readers.push(std::thread::spawn(move || {
            let mut last = 0;
            for _ in 0..60 {
                last = events.frame()["iteration"].as_u64().unwrap();
            }
            last
        }));
    }
    std::thread::sleep(Duration::from_millis(300));
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            assert_eq!(server.get("/").status, 200);
            start.elapsed()
        })
        .collect();
    times.sort();
    assert!(times[3] < Duration::from_millis(100), "page requests took {times:?}");
    for reader in readers {
        assert!(reader.join().unwrap() > 0);
    }
}

#[test]
fn own_points_train_and_the_command_reproduces_them_from_the_downloaded_csv() {
    let server = Server::start();
    let settings = json!({
        "data": { "set": "moons", "seed": 3, "noise": 0.1, "test_fraction": 0.25,
                  "points": [[0.0, 0.25, 1], [1.5, -0.5, 0], [-1.0, 1.0, 0]] },
        "network": { "hidden": [{ "units": 5, "activation": "relu" }, { "units": 3, "activation": "relu" }],
                     "output": "sigmoid", "init": "he", "seed": 4 },
        "training": { "learning_rate": 0.1, "batch_size": 32 }
    });
    let id = server.start_run(&settings);
    let mut events = server.events(id);
    let (_, data) = events.next();
    // 200 moons and 3 points, a quarter of them held out.
    assert_eq!(data["train"].as_array().unwrap().len() + data["test"].as_array().unwrap().len(), 203);
    server.control(id, json!({ "action": "play", "speed": 2000 }));
    while events.frame()["iteration"].as_u64().unwrap() < 300 {}
    server.control(id, json!({ "action": "pause" }));
    let frame = loop {
        let frame = events.frame();
        if !frame["playing"].as_bool().unwrap() {
            break frame;
        }
    };
    let epochs = frame["iteration"].as_u64().unwrap();
    let line = frame["command"].as_str().unwrap();
    assert_eq!(frame["command_exact"], Value::Null);
    assert_eq!(
        line,
        format!(
            "dnn train playground-data.csv --scale none --layers 5,3 --hidden-activation relu --init he --seed 4 \
             --learning-rate 0.1 --batch-size 32 --epochs {epochs} --validation 0.25"
        )
    );
    let csv = server.get(&format!("/api/runs/{id}/data.csv"));
    assert_eq!(csv.header("content-disposition"), Some("attachment; filename=\"playground-data.csv\""));
    let text = csv.text();
    assert_eq!(text.lines().count(), 204);
    assert!(text.starts_with("x1,x2,label\n"));
    assert!(text.ends_with("0,0.25,1\n1.5,-0.5,0\n-1,1,0\n"), "{}", &text[text.len() - 60..]);
    let dir = common::temp_dir("playground-csv");
    std::fs::write(dir.join("playground-data.csv"), &csv.body).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dnn"))
        .args(&words(line)[1..])
        .arg("--json")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let (cost, cli_cost) = (frame["cost"].as_f64().unwrap(), report["final_cost"].as_f64().unwrap());
    assert!((cost - cli_cost).abs() <= 1e-12 * cli_cost, "{cost} vs {report}");
    assert_eq!(report["train_accuracy"], frame["train_accuracy"]);
}

#[test]
fn a_port_in_use_is_refused_in_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output =
        Command::new(env!("CARGO_BIN_EXE_dnn")).args(["playground", "--port", &port.to_string()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!("error: cannot listen on 127.0.0.1:{port}: Address already in use (os error 98)\n")
    );
}
