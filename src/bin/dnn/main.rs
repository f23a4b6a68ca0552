//! The `dnn` command: train, evaluate, predict, search, gradcheck, info and playground.
//!
//! Every failure prints one line `error: …` (with its causes) to stderr. Exit codes: 0 on
//! success, 2 for bad input or usage, 1 when a check fails (gradcheck above its tolerance)
//! or something fails inside, 130 when quit by a signal (see `signals`). Output to a pipe
//! that the reader closed early ends the command quietly, with exit code 0 (see `stdout`).

#[macro_use]
mod stdout;

mod cli;
mod data;
mod evaluate;
mod gradcheck;
mod info;
mod optimization;
mod outcome;
mod playground;
mod predict;
mod search;
mod signals;
mod train;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, Commands};

/// An error that is not the user's input: exit code 1.
#[derive(Debug)]
pub struct Internal(pub String);

impl std::fmt::Display for Internal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Internal {}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    signals::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Commands::Course(command) => match *command {
            Command::Train(args) => train::run(*args),
            Command::Evaluate(args) => evaluate::run(args),
            Command::Predict(args) => predict::run(args),
            Command::Search(args) => search::run(*args),
            Command::Gradcheck(args) => gradcheck::run(args),
            Command::Info(args) => info::run(args),
        },
        Commands::Playground(args) => playground::run(args),
    };
    let result = result.and_then(|()| match stdout::failure() {
        Some(e) => Err(anyhow::Error::new(e).context("cannot write to standard output")),
        None => Ok(()),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if stdout::is_closed_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = format!("error: {error}");
            for cause in error.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(&format!(": {cause}"));
                }
            }
            // One line, whatever a third party's message held.
            if message.contains(['\n', '\r']) {
                message = message.split_whitespace().collect::<Vec<_>>().join(" ");
            }
            // Not `eprintln!`: a closed stderr must not turn the exit code into 0.
            let _ = writeln!(std::io::stderr(), "{message}");
            if error.downcast_ref::<Internal>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

/// A `println!` or `eprintln!` into a closed pipe panics in the standard library; the
/// command's own output goes through `stdout`, and any print left ends here quietly, with
/// exit code 0, instead of with a panic message.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if stdout::is_closed_pipe_panic(message) {
            dnn::exit_removing_temporary_files(0);
        }
        default(info);
    }));
}
