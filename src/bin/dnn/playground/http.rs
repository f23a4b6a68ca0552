//! Just enough HTTP/1.1 for a page on loopback: one request per connection (`Connection:
//! close`), a request line, headers and a body of `Content-Length` bytes, all bounded; and
//! responses with a status, a content type and a body, or a stream of server-sent events.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The longest request line or header line read.
const MAX_LINE: usize = 8 * 1024;
/// The most header lines read.
const MAX_HEADERS: usize = 100;
/// The largest request body read (an uploaded CSV of a few thousand points fits).
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long a client may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request as read from the connection.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// The `Host` header, if any.
    pub host: Option<String>,
    /// The `Origin` header, which browsers send with cross-site POSTs.
    pub origin: Option<String>,
    pub body: Vec<u8>,
}

/// A response: a status, a content type and a body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// Extra headers, such as `Content-Disposition`.
    pub headers: Vec<(&'static str, String)>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response { status, content_type, body: body.into(), headers: Vec::new() }
    }

    /// A JSON body.
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string())
    }

    /// A refusal: `{"error": message}` with a 4xx status.
    pub fn error(status: u16, message: impl Into<String>) -> Response {
        Response::json(status, &serde_json::json!({ "error": message.into() }))
    }

    /// The same response with one more header.
    pub fn with_header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }
}

/// Why a request could not be read: a response to send back, or nothing when the client is
/// gone.
pub enum ReadError {
    Refuse(Response),
    Gone,
}

/// Reads one request from `stream`.
pub fn read_request(stream: &TcpStream) -> Result<Request, ReadError> {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let mut reader = BufReader::new(stream);
    let request_line = read_line(&mut reader)?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(ReadError::Refuse(Response::error(400, "malformed request line")));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(ReadError::Refuse(Response::error(505, format!("unsupported protocol {version}"))));
    }
    let mut content_length = 0usize;
    let (mut host, mut origin) = (None, None);
    for count in 0.. {
        let line = read_line(&mut reader)?;
        if line.is_empty() {
            break;
        }
        if count == MAX_HEADERS {
            return Err(ReadError::Refuse(Response::error(431, "too many header lines")));
        }
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("host") {
                host = Some(value.trim().to_string());
            } else if name.eq_ignore_ascii_case("origin") {
                origin = Some(value.trim().to_string());
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().map_err(|_| {
                    ReadError::Refuse(Response::error(400, format!("invalid Content-Length '{}'", value.trim())))
                })?;
            }
        }
    }
    if content_length > MAX_BODY {
        return Err(ReadError::Refuse(Response::error(
            413,
            format!("request body of {content_length} bytes: at most {MAX_BODY} accepted"),
        )));
    }
    let mut body = vec![0; content_length];
    reader.read_exact(&mut body).map_err(|_| ReadError::Gone)?;
    let path = target.split(['?', '#']).next().unwrap_or_default().to_string();
    Ok(Request { method: method.to_string(), path, host, origin, body })
}

/// One line without its CRLF, at most [`MAX_LINE`] bytes.
fn read_line(reader: &mut impl BufRead) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let read = reader.take(MAX_LINE as u64 + 1).read_until(b'\n', &mut line).map_err(|_| ReadError::Gone)?;
    if read == 0 {
        return Err(ReadError::Gone);
    }
    if line.len() > MAX_LINE {
        return Err(ReadError::Refuse(Response::error(431, "request line or header too long")));
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| ReadError::Refuse(Response::error(400, "request line or header not UTF-8")))
}

/// The reason phrase of the statuses this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Writes `response` and closes the connection's writing side.
pub fn write_response(stream: &mut TcpStream, response: &Response) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(&response.body)?;
    stream.flush()
}

/// Starts a stream of server-sent events: the head, then [`write_event`] for each event.
pub fn start_events(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
    )?;
    stream.flush()
}

/// One server-sent event of type `name` whose data is one line of JSON.
pub fn write_event(stream: &mut TcpStream, name: &str, data: &str) -> std::io::Result<()> {
    stream.write_all(format!("event: {name}\ndata: {data}\n\n").as_bytes())?;
    stream.flush()
}

/// A comment line that keeps the stream alive and finds out whether the page is gone.
pub fn write_heartbeat(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b": alive\n\n")?;
    stream.flush()
}
