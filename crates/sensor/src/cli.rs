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
enum Sub {
    /// Generate a labelled synthetic hospital-ward capture (ward.pcap + labels + devices).
    Synth(SynthFlags),
}

/// Flags of `wardwatch synth`.
#[derive(Debug, clap::Args)]
struct SynthFlags {
    /// Run seed: the same seed and flags give byte-identical files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of ward devices (servers come on top); default: the ward config's counts.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    devices: Option<u32>,
    /// Capture length, e.g. 10m, 2h, 1day.
    #[arg(long, default_value = "2h", value_parser = parse_duration)]
    duration: std::time::Duration,
    /// Attack scenarios: all, none, or a comma-separated list of kinds.
    #[arg(long, default_value = "all", value_parser = parse_scenarios)]
    scenarios: ScenarioList,
    /// Output capture; the labels and devices files are written beside it.
    #[arg(long)]
    out: std::path::PathBuf,
    /// Ward config (TOML); default: the embedded crates/synth/ward.default.toml.
    #[arg(long)]
    config: Option<std::path::PathBuf>,
    /// Packet time of the first frame (RFC 3339, UTC).
    #[arg(long, default_value = "2026-01-05T08:00:00Z", value_parser = parse_start)]
    start: wardwatch_flow::Timestamp,
    /// Device-model catalog.
    #[arg(long, default_value = "models/catalog.toml")]
    catalog: std::path::PathBuf,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (use e.g. 10m, 2h)"))
}

/// The parsed `--scenarios` list (a newtype so clap takes it as one value).
#[derive(Debug, Clone)]
struct ScenarioList(Vec<wardwatch_synth::ScenarioKind>);

fn parse_scenarios(text: &str) -> Result<ScenarioList, String> {
    wardwatch_synth::parse_scenarios(text)
        .map(ScenarioList)
        .map_err(|e| e.to_string())
}

fn parse_start(text: &str) -> Result<wardwatch_flow::Timestamp, String> {
    let t = humantime::parse_rfc3339(text)
        .map_err(|e| format!("{e} (use e.g. 2026-01-05T08:00:00Z)"))?;
    let d = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| "before 1970".to_string())?;
    Ok(wardwatch_flow::Timestamp(
        u64::try_from(d.as_micros()).map_err(|_| "too late".to_string())?,
    ))
}

/// A validated command, ready to run.
#[derive(Debug)]
pub enum Command {
    /// No subcommand: print help.
    Help(String),
    /// Generate a synthetic ward capture.
    Synth(crate::cmd::synth::SynthArgs),
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
            Some(Sub::Synth(f)) => Ok(Command::Synth(crate::cmd::synth::SynthArgs {
                seed: f.seed,
                devices: f.devices,
                duration: f.duration,
                scenarios: f.scenarios.0,
                out: f.out,
                config: f.config,
                start: f.start,
                catalog: f.catalog,
            })),
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
            Command::Synth(args) => crate::cmd::synth::run(args),
        }
    }
}
