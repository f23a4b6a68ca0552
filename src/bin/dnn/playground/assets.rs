//! The page's files, embedded in the binary: no build step, nothing fetched from elsewhere.

/// `(path, content type, content)` of every file the page loads.
const FILES: [(&str, &str, &str); 4] = [
    ("/", "text/html; charset=utf-8", include_str!("assets/index.html")),
    ("/style.css", "text/css; charset=utf-8", include_str!("assets/style.css")),
    ("/app.js", "text/javascript; charset=utf-8", include_str!("assets/app.js")),
    ("/draw.js", "text/javascript; charset=utf-8", include_str!("assets/draw.js")),
];

/// The content type and content of the file at `path`.
pub fn find(path: &str) -> Option<(&'static str, &'static str)> {
    let path = if path == "/index.html" { "/" } else { path };
    FILES.iter().find(|(p, _, _)| *p == path).map(|&(_, content_type, body)| (content_type, body))
}
