//! The `dnn` command: train, evaluate, predict, search, gradcheck and info.
//!
//! Every failure prints one line `error: …` (with its causes) to stderr. Exit codes: 0 on
//! success, 2 for bad input or usage, 1 when a check fails (gradcheck above its tolerance)
//! or something fails inside.

mod cli;
mod data;
mod evaluate;
mod gradcheck;
mod info;
mod outcome;
mod predict;
mod search;
mod train;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};

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
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(*args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Search(args) => search::run(*args),
        Command::Gradcheck(args) => gradcheck::run(args),
        Command::Info(args) => info::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = format!("error: {error}");
            for cause in error.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(&format!(": {cause}"));
                }
            }
            eprintln!("{message}");
            if error.downcast_ref::<Internal>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
