//! `wardwatch`: the one binary. The command-line surface lives in [`cli`]; each subcommand is a
//! thin orchestrator over the sans-IO crates. Exit codes: 0 ok, 1 runtime failure, 2 usage or
//! configuration error.

// Temporary while the pieces land one commit at a time; removed when `wardwatch run` wires them.
#![allow(dead_code)]

mod capture;
mod cli;
mod config;
mod http;
mod logging;
mod metrics;
mod sinks;
mod store;
#[cfg(test)]
mod testutil;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::parse() {
        Ok(command) => match command.run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("wardwatch: error: {err:#}");
                ExitCode::from(1)
            }
        },
        Err(code) => code,
    }
}
