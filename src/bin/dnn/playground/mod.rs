//! `dnn playground`: a page on a local web server where a network trains live (natively, on
//! a thread per page, with the library's `fit_with`) and is drawn as it learns.
//!
//! The server is the standard library's: one thread per connection, one request per
//! connection, and server-sent events for the pictures, which need nothing but a response
//! that stays open. The command has no async runtime, and a page on loopback needs none.

mod assets;
mod command;
mod costs;
mod http;
mod registry;
mod routes;
mod run;
mod settings;
mod snapshot;

use std::net::TcpListener;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::PlaygroundArgs;
use registry::Registry;

pub fn run(args: PlaygroundArgs) -> Result<()> {
    let address = format!("{}:{}", args.host, args.port);
    let listener = TcpListener::bind(&address).with_context(|| format!("cannot listen on {address}"))?;
    let local = listener.local_addr().context("cannot read the server's address")?;
    let host = if local.ip().is_ipv6() { format!("[{}]", local.ip()) } else { local.ip().to_string() };
    let url = format!("http://{host}:{}/", local.port());
    outln!("dnn playground: {url}  (Ctrl-C to stop)");
    // The line is read by whoever started the server (a script, a test) before any request.
    let _ = crate::stdout::failure();
    if args.open {
        open_browser(&url);
    }
    let registry = Arc::new(Registry::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let registry = Arc::clone(&registry);
        let spawned = std::thread::Builder::new()
            .name("playground-connection".into())
            .spawn(move || routes::handle(stream, &registry));
        if let Err(e) = spawned {
            eprintln!("warning: cannot answer a request: {e}");
        }
    }
    Ok(())
}

/// Opens `url` in the desktop's browser, or says how to.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if std::process::Command::new(opener.0).args(&opener.1).spawn().is_err() {
        eprintln!("note: cannot open a browser ({} failed): open {url} yourself", opener.0);
    }
}
