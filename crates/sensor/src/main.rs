//! `wardwatch`: the one binary. The command-line surface lives in [`cli`]; each subcommand is a
//! thin orchestrator over the sans-IO crates. Exit codes: 0 ok, 1 runtime failure, 2 usage or
//! configuration error.

mod alert_log;
mod alert_table;
mod capture;
mod cli;
mod cmd;
mod config;
mod daemon;
mod declared;
mod engine;
mod evaluation;
mod feature_log;
mod file_lock;
mod http;
mod inventory;
mod json_lines;
mod logging;
mod metrics;
mod model_manifest;
mod model_set;
mod model_store;
mod mud_export;
mod offline;
mod privileges;
mod progress;
mod signals;
mod sinks;
mod site_allowlist;
mod store;
#[cfg(test)]
mod testutil;
mod training;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::parse() {
        Ok(command) => match command.run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("wardwatch: error: {err:#}");
                ExitCode::from(exit_code(&err))
            }
        },
        Err(code) => code,
    }
}

/// 2 for configuration and input (usage) errors, 1 for everything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err.chain().any(|cause| {
        cause.is::<config::ConfigError>()
            || cause.is::<cmd::InputFailure>()
            || cause
                .downcast_ref::<capture::CaptureError>()
                .is_some_and(capture::CaptureError::is_input)
    }) {
        2
    } else {
        1
    }
}
