//! The routes: the page and its files, and the API of runs (create, stream, control,
//! download the model or the data, the command line).
//!
//! | route | what |
//! |---|---|
//! | `GET /`, `GET /app.js`, … | the page's files, embedded in the binary |
//! | `POST /api/runs` | a new run of the settings in the body (JSON): `{"id": N}` |
//! | `GET /api/runs/N/events` | server-sent events: `data` when the data changes, `frame` ≤ 30 times a second |
//! | `POST /api/runs/N/control` | `{"action": "play"\|"pause"\|"step"\|"reset", "learning_rate": α, "speed": n, "settings": …}` |
//! | `GET /api/runs/N/model` | the network as a safetensors file, as `dnn train --model` writes it |
//! | `GET /api/runs/N/data.csv` | the run's data as the CSV file its command reads |
//! | `GET /api/runs/N/command` | `{"command": "dnn train …", "exact": null or why not}` |

use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dnn::model_file::{self, ModelInfo};
use serde::Deserialize;
use serde_json::json;

use super::assets;
use super::command::{self, DATA_FILE};
use super::http::{self, Request, Response};
use super::registry::Registry;
use super::run::{Control, Frame};
use super::settings::Settings;
use super::snapshot::{self, Painter};

/// The fewest milliseconds between two frames sent to a page: at most ~30 a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// How often a paused stream checks that the page is still there.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// Answers one connection.
pub fn handle(mut stream: TcpStream, registry: &Registry) {
    let request = match http::read_request(&stream) {
        Ok(request) => request,
        Err(http::ReadError::Refuse(response)) => {
            let _ = http::write_response(&mut stream, &response);
            return;
        }
        Err(http::ReadError::Gone) => return,
    };
    if let Some(response) = cross_site(&request) {
        let _ = http::write_response(&mut stream, &response);
        return;
    }
    let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    let response = match (request.method.as_str(), segments.as_slice()) {
        ("GET", ["api", "runs", id, "events"]) => match parse_id(id) {
            Ok(id) => return stream_events(stream, registry, id),
            Err(response) => response,
        },
        (_, ["api", "runs"]) if request.method != "POST" => method_not_allowed(&request, "POST"),
        ("POST", ["api", "runs"]) => create(&request, registry),
        ("POST", ["api", "runs", id, "control"]) => {
            match parse_id(id).and_then(|id| registry.get(id).ok_or_else(|| no_run(id))) {
                Ok(entry) => control(&request, entry),
                Err(response) => response,
            }
        }
        ("GET", ["api", "runs", id, "model"]) => with_run(registry, id, model),
        ("GET", ["api", "runs", id, "data.csv"]) => with_run(registry, id, |frame| {
            Response::new(200, "text/csv", command::data_csv(&frame))
                .with_header("Content-Disposition", format!("attachment; filename=\"{DATA_FILE}\""))
        }),
        ("GET", ["api", "runs", id, "command"]) => with_run(registry, id, |frame| {
            let command = command::command(&frame);
            Response::json(200, &json!({ "command": command.line, "exact": command.exact.err() }))
        }),
        ("GET", _) => match assets::find(&request.path) {
            Some((content_type, body)) => Response::new(200, content_type, body),
            None => Response::error(404, format!("no such page or route: GET {}", request.path)),
        },
        (method, _) => Response::error(404, format!("no such route: {method} {}", request.path)),
    };
    let _ = http::write_response(&mut stream, &response);
}

/// A refusal of a POST that another site's page sent (its `Origin` is not this server): a
/// page elsewhere may not start or steer runs here.
fn cross_site(request: &Request) -> Option<Response> {
    let origin = request.origin.as_deref().filter(|_| request.method == "POST")?;
    let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    (Some(authority) != request.host.as_deref()).then(|| {
        Response::error(
            403,
            format!("{} {} from {origin}: only this server's page may send it", request.method, request.path),
        )
    })
}

fn method_not_allowed(request: &Request, allowed: &str) -> Response {
    Response::error(405, format!("{} {}: only {allowed} is allowed here", request.method, request.path))
}

fn parse_id(id: &str) -> Result<u64, Response> {
    id.parse().map_err(|_| Response::error(404, format!("no run '{id}': run ids are numbers")))
}

/// Calls `answer` with the run's latest frame, or says there is no such run.
fn with_run(registry: &Registry, id: &str, answer: impl FnOnce(Frame) -> Response) -> Response {
    match parse_id(id).and_then(|id| registry.get(id).ok_or_else(|| no_run(id))) {
        Ok(run) => answer(run.run.shared.next_frame(u64::MAX, Duration::ZERO)),
        Err(response) => response,
    }
}

fn no_run(id: u64) -> Response {
    Response::error(404, format!("no run {id}: it ended when its page closed, or never began"))
}

/// The body as JSON of type `T`, or a 400 naming what is wrong.
fn parse_body<T: for<'de> Deserialize<'de>>(request: &Request) -> Result<T, Response> {
    serde_json::from_slice(&request.body)
        .map_err(|e| Response::error(400, format!("{} {}: malformed JSON: {e}", request.method, request.path)))
}

/// `POST /api/runs`: checks the settings and starts a paused run.
fn create(request: &Request, registry: &Registry) -> Response {
    let settings: Settings = match parse_body(request) {
        Ok(settings) => settings,
        Err(response) => return response,
    };
    let plan = match settings.plan() {
        Ok(plan) => plan,
        Err(refusal) => return Response::error(422, refusal),
    };
    match registry.start(plan) {
        Ok(id) => Response::json(201, &json!({ "id": id })),
        Err(message) => Response::error(503, message),
    }
}

/// A control from the page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlRequest {
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    learning_rate: Option<f64>,
    /// Iterations per second; 0 for as fast as it goes.
    #[serde(default)]
    speed: Option<f64>,
    /// New settings, with `"action": "reset"`.
    #[serde(default)]
    settings: Option<Settings>,
}

/// `POST /api/runs/N/control`.
fn control(request: &Request, run: Arc<super::registry::Entry>) -> Response {
    let body: ControlRequest = match parse_body(request) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let shared = &run.run.shared;
    if let Some(rate) = body.learning_rate {
        if !(rate.is_finite() && rate > 0.0 && rate <= 1000.0) {
            return Response::error(
                422,
                format!("learning_rate {rate}: expected a number greater than 0 and at most 1000"),
            );
        }
    }
    if let Some(speed) = body.speed {
        if !(speed.is_finite() && speed >= 0.0) {
            return Response::error(422, format!("speed {speed}: expected iterations per second (0 for full speed)"));
        }
    }
    let action = match (body.action.as_deref(), body.settings) {
        (Some("reset"), settings) => {
            let settings =
                settings.unwrap_or_else(|| shared.next_frame(u64::MAX, Duration::ZERO).plan.settings.clone());
            match settings.plan() {
                Ok(plan) => Some(Control::Reset(Box::new(plan))),
                Err(refusal) => return Response::error(422, refusal),
            }
        }
        (_, Some(_)) => return Response::error(422, "settings come with \"action\": \"reset\"".to_string()),
        (Some("play"), None) => Some(Control::Play),
        (Some("pause"), None) => Some(Control::Pause),
        (Some("step"), None) => Some(Control::Step),
        (None, None) => None,
        (Some(other), None) => {
            return Response::error(422, format!("action '{other}': expected play, pause, step or reset"));
        }
    };
    if let Some(speed) = body.speed {
        shared.send(Control::Speed((speed > 0.0).then_some(speed)));
    }
    // A new learning rate after a reset applies to the new run.
    let reset = matches!(action, Some(Control::Reset(_)));
    if let Some(action) = action {
        shared.send(action);
    }
    if let Some(rate) = body.learning_rate.filter(|_| !reset) {
        shared.send(Control::LearningRate(rate));
    }
    Response::json(200, &json!({ "ok": true }))
}

/// `GET /api/runs/N/model`: the network as `dnn train --model` saves it.
fn model(frame: Frame) -> Response {
    let plan = &frame.plan;
    let settings = &plan.settings;
    let data =
        if settings.data.is_builtin() { format!("builtin:{}", settings.data.set) } else { DATA_FILE.to_string() };
    let mut config = plan.config.clone().with_threads(0);
    config.learning_rate = frame.learning_rate;
    config.iterations = frame.iterations.max(1);
    if let Some(size) = config.batch_size {
        config = config.with_batches(size, settings.network.seed);
    }
    let info = ModelInfo {
        preprocessing: crate::data::preprocessing_for(&plan.train, None),
        class_names: plan.train.class_names.clone(),
        training: Some(json!({
            "data": data,
            "learning_rate": frame.learning_rate,
            "iterations": frame.iterations,
            "config": config,
            "best_epoch": null,
            "init": plan.init.name(),
            "seed": settings.network.seed,
            "dtype": "f64",
            "final_cost": frame.cost,
            "interrupted": false,
            "diverged": frame.diverged.as_ref().map(crate::outcome::report),
        })),
    };
    let dir = std::env::temp_dir().join(format!("dnn-playground-{}", std::process::id()));
    let path = dir.join(format!("model-{}.safetensors", frame.version));
    let saved = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| model_file::save(&path, &frame.network, &info).map_err(|e| e.to_string()))
        .and_then(|()| std::fs::read(&path).map_err(|e| e.to_string()));
    let _ = std::fs::remove_file(&path);
    match saved {
        Ok(bytes) => Response::new(200, "application/octet-stream", bytes)
            .with_header("Content-Disposition", "attachment; filename=\"playground.safetensors\"".to_string()),
        Err(message) => Response::error(500, format!("cannot write the model: {message}")),
    }
}

/// `GET /api/runs/N/events`: the run's pictures as server-sent events until the page
/// closes; then the run ends.
fn stream_events(mut stream: TcpStream, registry: &Registry, id: u64) {
    let Some(entry) = registry.get(id) else {
        let _ = http::write_response(&mut stream, &no_run(id));
        return;
    };
    if !entry.watch() {
        let response = Response::error(409, format!("run {id} already has a page: each page starts its own run"));
        let _ = http::write_response(&mut stream, &response);
        return;
    }
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_nodelay(true);
    let shared = &entry.run.shared;
    let mut painter = Painter::new();
    let mut seen = 0;
    let mut plan_sent: Option<Arc<super::settings::Plan>> = None;
    let mut last_sent = Instant::now() - FRAME_INTERVAL;
    let mut result = http::start_events(&mut stream);
    while result.is_ok() && !shared.ended() {
        let frame = shared.next_frame(seen, HEARTBEAT);
        if frame.version <= seen {
            result = http::write_heartbeat(&mut stream);
            continue;
        }
        if !plan_sent.as_ref().is_some_and(|plan| Arc::ptr_eq(plan, &frame.plan)) {
            result = http::write_event(&mut stream, "data", &snapshot::points(&frame.plan).to_string());
            plan_sent = Some(Arc::clone(&frame.plan));
        }
        let wait = FRAME_INTERVAL.saturating_sub(last_sent.elapsed());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        // The latest frame, which may be newer than the one that woke us.
        let frame = shared.next_frame(u64::MAX, Duration::ZERO);
        if !Arc::ptr_eq(plan_sent.as_ref().expect("sent above"), &frame.plan) {
            continue;
        }
        seen = frame.version;
        last_sent = Instant::now();
        result = result.and_then(|()| http::write_event(&mut stream, "frame", &painter.snapshot(&frame)));
    }
    registry.remove(id);
}
