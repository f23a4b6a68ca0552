//! `dnn playground` in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`). It opens the page, presses Play, waits until the cost
//! on the page falls, switches the data set, trains again and saves a screenshot to
//! `target/tmp/playground.png`. Without Chromium it says so and skips.
#![cfg(feature = "cli")]

mod playground_server;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use playground_server::Server;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    address: String,
    session: String,
}

impl Driver {
    fn start(user_data: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let address = format!("127.0.0.1:{port}");
        let mut driver = Driver { child, address, session: String::new() };
        let start = Instant::now();
        while !driver.call("GET", "/status", None).get("value").and_then(|v| v["ready"].as_bool()).unwrap_or(false) {
            assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not get ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", user_data.display()));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
        }}});
        let reply = driver.call("POST", "/session", Some(capabilities));
        driver.session =
            reply["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {reply}")).to_string();
        driver
    }

    /// One WebDriver command: plain HTTP and JSON.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let Ok(mut stream) = TcpStream::connect(&self.address) else { return Value::Null };
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let body = body.map_or(String::new(), |b| b.to_string());
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )
        .unwrap();
        // chromedriver may keep the connection open: read the head, then as many bytes as
        // it announces (or chunks up to the last).
        let mut raw = Vec::new();
        let mut buffer = [0u8; 65536];
        loop {
            if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok());
                let expected = length.map(|n| end + 4 + n);
                let done = match expected {
                    Some(total) => raw.len() >= total,
                    None => raw.ends_with(b"0\r\n\r\n"),
                };
                if done {
                    break;
                }
            }
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buffer[..n]),
            }
        }
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else { return Value::Null };
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let mut content = raw[end + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            content = unchunk(&content);
        }
        serde_json::from_slice(&content).unwrap_or(Value::Null)
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.call(method, &format!("/session/{}{path}", self.session), body);
        if reply["value"].get("error").is_some() {
            panic!("{method} {path}: {reply}");
        }
        reply["value"].clone()
    }

    /// Runs `script` in the page and returns its value.
    fn script(&self, script: &str) -> Value {
        self.session_call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    /// The WebDriver id of the element `css` selects.
    fn element(&self, css: &str) -> String {
        let found = self.session_call("POST", "/element", Some(json!({ "using": "css selector", "value": css })));
        found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).unwrap().to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.session_call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Moves the mouse over the element `css` selects.
    fn hover(&self, css: &str) {
        let id = self.element(css);
        let origin = json!({ "element-6066-11e4-a52e-4f735466cecf": id });
        let actions = json!({ "actions": [{ "type": "pointer", "id": "mouse", "parameters": { "pointerType": "mouse" },
            "actions": [{ "type": "pointerMove", "duration": 0, "origin": origin, "x": 0, "y": 0 }] }] });
        self.session_call("POST", "/actions", Some(actions));
    }

    /// Saves a screenshot of the window as `name` in target/tmp.
    fn screenshot(&self, name: &str) {
        let screenshot = self.session_call("GET", "/screenshot", None);
        let png = decode_base64(screenshot.as_str().unwrap());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, &png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    /// Waits until `script` returns true.
    fn wait_for(&self, what: &str, script: &str) {
        let start = Instant::now();
        while self.script(script) != json!(true) {
            assert!(start.elapsed() < Duration::from_secs(60), "waited a minute for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn text(&self, id: &str) -> String {
        self.script(&format!("return document.getElementById('{id}').textContent")).as_str().unwrap().to_string()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body of a chunked transfer.
fn unchunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

/// Standard base64 (a screenshot's PNG).
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let clean: Vec<u8> = text.bytes().filter(|&c| c != b'=' && !c.is_ascii_whitespace()).collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | (value(c) as u32) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn the_page_trains_in_chromium_and_switches_data_sets() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(tool).exists() {
            eprintln!("skipped: {tool} is missing (apt-get install chromium chromium-driver)");
            return;
        }
    }
    let server = Server::start();
    let user_data = std::env::temp_dir().join(format!("dnn-playground-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&user_data);
    let driver = Driver::start(&user_data);
    driver.session_call("POST", "/url", Some(json!({ "url": server.url() })));
    driver.wait_for("the first frame", "return typeof frame !== 'undefined' && frame !== null && data !== null");
    assert_eq!(driver.text("iteration"), "0");
    assert_eq!(driver.text("cost"), "–");
    assert_eq!(driver.script("return document.getElementById('set').value"), json!("planar"));

    driver.click("#play");
    driver.wait_for("a first cost", "return frame.cost !== null");
    let first: f64 = driver.script("return frame.costs[0][1]").as_f64().unwrap();
    assert!((first - std::f64::consts::LN_2).abs() < 1e-3, "{first}");
    // The cost shown on the page falls well below the first.
    driver.wait_for("the cost to fall", "return Number(document.getElementById('cost').textContent) < 0.35");
    let shown: f64 = driver.text("cost").parse().unwrap();
    assert!(shown < 0.35 && shown < first);
    assert_eq!(driver.script("return document.getElementById('message').textContent"), json!(""));

    // Another data set: moons, which starts again, paused.
    driver.click("#set option[value='moons']");
    driver.wait_for("the moons", "return data.settings.data.set === 'moons' && frame.iteration === 0");
    assert!(driver.script("return location.hash").as_str().unwrap().contains("set=moons"));
    driver.click("#play");
    driver.wait_for("training on the moons", "return frame.iteration > 2000 && frame.cost < 0.5");
    driver.wait_for("the heat maps and links", "return document.querySelectorAll('#links line').length === 12");
    driver.click("#play");
    driver.wait_for("a pause", "return !frame.playing");
    driver.screenshot("playground.png");

    // Hovering a hidden unit enlarges it, and shows its layer's formulas with their shapes.
    driver.hover("#columns .column[data-layer='1'] canvas");
    driver.wait_for(
        "the formulas",
        "return document.getElementById('maths').textContent.includes('Z[1] = W[1]·X + b[1]')",
    );
    let maths = driver.text("maths");
    assert!(maths.contains("(4 × 160) = (4 × 2)·(2 × 160) + (4 × 1)"), "{maths}");
    assert_eq!(driver.script("return getComputedStyle(document.getElementById('zoom')).display"), json!("block"));
    driver.screenshot("playground-maths.png");

    // A click on the picture adds a point of the chosen class: the data is the page's own now,
    // and the command reads it from the downloaded CSV.
    driver.click("#boundary");
    driver.wait_for(
        "the added point",
        "return data.settings.data.points.length === 1 && data.train.length + data.test.length === 201",
    );
    driver.wait_for(
        "a command reading the CSV",
        "return frame.command.startsWith('dnn train playground-data.csv --scale none')",
    );

    // Three spiral arms: a softmax output; then two hidden layers, started at zeros.
    driver.click("#set option[value='spiral']");
    driver.wait_for("the spiral", "return data.k === 3 && frame.sizes.join() === '2,4,3'");
    assert_eq!(driver.script("return document.getElementById('output').value"), json!("softmax"));
    driver.click("#add-layer");
    driver.click("#init option[value='zeros']");
    driver.wait_for(
        "two zero layers",
        "return frame.sizes.join() === '2,4,2,3' && data.settings.network.init === 'zeros'",
    );
    // Each softmax output shows its class's probability over the plane.
    assert_eq!(driver.script("return frame.units.map(layer => layer.maps.length)"), json!([4, 2, 3]));
    driver.click("#play");
    driver.wait_for("training from zeros", "return frame.iteration > 500");
    assert_eq!(driver.script("return frame.identical"), json!([true, true]));
    assert!(
        driver.text("symmetry").contains("In hidden layers 1 and 2, every unit is identical to the others"),
        "{}",
        driver.text("symmetry")
    );
    driver.click("#play");
    assert_eq!(driver.script("return getComputedStyle(document.getElementById('zoom')).display"), json!("none"));
    driver.screenshot("playground-spiral-zeros.png");

    // He's initialisation breaks the symmetry, and the arms get told apart.
    driver.click("#init option[value='he']");
    driver.wait_for("He's initialisation", "return data.settings.network.init === 'he' && frame.iteration === 0");
    driver.click("#play");
    driver.wait_for("the arms told apart", "return frame.train_accuracy > 0.9");
    assert_eq!(driver.text("symmetry"), "");
    driver.click("#play");
    driver.screenshot("playground-spiral.png");

    // A weight's link shows its value under the mouse.
    driver.hover("#links line");
    let tip = driver.text("tip");
    assert!(tip.starts_with("W[1][1,1] = "), "{tip}");
    let shown: f64 = tip["W[1][1,1] = ".len()..].parse().unwrap();
    let w = driver.script("return frame.weights[0].w[0][0]").as_f64().unwrap();
    assert!((shown - w).abs() <= 5e-5, "{shown} vs {w}");

    // An uploaded CSV replaces the data; its labels become classes 0 and 1.
    let csv = user_data.with_extension("csv");
    std::fs::write(&csv, "x,y,kind\n0,0,cat\n1,1,cat\n0,1,dog\n1,0,dog\n0.5,0.2,cat\n0.2,0.6,dog\n").unwrap();
    let input = driver.element("#upload");
    driver.session_call("POST", &format!("/element/{input}/value"), Some(json!({ "text": csv.display().to_string() })));
    driver.wait_for(
        "the uploaded points",
        "return data.settings.data.set === 'custom' && data.settings.data.points.length === 6",
    );
    assert_eq!(driver.script("return data.settings.data.points[2]"), json!([0, 1, 1]));
    let _ = std::fs::remove_file(&csv);

    // The address holds the settings: a shared link opens the same run.
    let link =
        format!("{}#set=xor&dseed=5&test=0.3&layers=3:relu,2:sigmoid&init=xavier&seed=7&lr=0.3&speed=0", server.url());
    driver.session_call("POST", "/url", Some(json!({ "url": link })));
    driver.session_call("POST", "/refresh", Some(json!({})));
    driver.wait_for(
        "the shared settings",
        "return typeof data !== 'undefined' && data !== null && data.settings.data.set === 'xor'",
    );
    let settings = driver.script("return data.settings");
    assert_eq!(settings["data"]["seed"], json!(5));
    assert_eq!(settings["data"]["test_fraction"], json!(0.3));
    assert_eq!(
        settings["network"]["hidden"],
        json!([{ "units": 3, "activation": "relu" }, { "units": 2, "activation": "sigmoid" }])
    );
    assert_eq!((&settings["network"]["init"], &settings["network"]["seed"]), (&json!("xavier"), &json!(7)));
    assert_eq!(settings["training"]["learning_rate"], json!(0.3));
    driver.wait_for(
        "the shared run's command",
        "return frame !== null && frame.command.includes('dnn train builtin:xor --data-seed 5 --layers 3,2')",
    );

    // No script error, no failed load on the way.
    let log = driver.session_call("POST", "/se/log", Some(json!({ "type": "browser" })));
    let errors: Vec<&Value> = log.as_array().unwrap().iter().filter(|entry| entry["level"] == "SEVERE").collect();
    assert!(errors.is_empty(), "{errors:?}");
    drop(driver);
    let _ = std::fs::remove_dir_all(&user_data);
}
