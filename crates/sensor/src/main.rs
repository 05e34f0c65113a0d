//! `wardwatch`: the one binary. The command-line surface lives in [`cli`]; each subcommand is a
//! thin orchestrator over the sans-IO crates. Exit codes: 0 ok, 1 runtime failure, 2 usage or
//! configuration error.

mod cli;
mod cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::parse() {
        Ok(command) => match command.run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("wardwatch: error: {err:#}");
                ExitCode::from(if err.downcast_ref::<cmd::UsageError>().is_some() {
                    2
                } else {
                    1
                })
            }
        },
        Err(code) => code,
    }
}
