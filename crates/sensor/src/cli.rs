//! Command-line parsing. clap types stay in this module; the rest of the binary sees [`Command`].

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Passive network sensor for hospital wards and IoT fleets: inventories every connected device,
/// learns how each device model normally behaves, and raises explained alerts when one deviates.
#[derive(Debug, Parser)]
#[command(name = "wardwatch", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, Subcommand)]
enum Sub {}

/// A validated command, ready to run.
#[derive(Debug)]
pub enum Command {
    /// No subcommand: print help.
    Help(String),
}

/// Parses the process arguments. On `--help`/`--version` or a usage error, clap prints and the
/// caller exits with the returned code (0 for help/version, 2 for usage errors).
pub fn parse() -> Result<Command, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => match cli.command {
            None => {
                let mut cmd = <Cli as clap::CommandFactory>::command();
                Ok(Command::Help(cmd.render_help().to_string()))
            }
            Some(sub) => match sub {},
        },
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            Err(ExitCode::from(code))
        }
    }
}

impl Command {
    /// Runs the command.
    pub fn run(self) -> anyhow::Result<()> {
        match self {
            Command::Help(text) => {
                print!("{text}");
                Ok(())
            }
        }
    }
}
