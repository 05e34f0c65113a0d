//! `wardwatch synth`.

use crate::cmd;
use clap::Args;

/// Flags of `wardwatch synth`.
#[derive(Debug, Args)]
pub(super) struct SynthFlags {
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

pub(super) fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(text).map_err(|e| format!("{e} (use e.g. 10m, 2h)"))
}

/// The parsed `--scenarios` list (a newtype so clap takes it as one value).
#[derive(Debug, Clone)]
pub(super) struct ScenarioList(Vec<wardwatch_synth::ScenarioKind>);

pub(super) fn parse_scenarios(text: &str) -> Result<ScenarioList, String> {
    wardwatch_synth::parse_scenarios(text)
        .map(ScenarioList)
        .map_err(|e| e.to_string())
}

pub(super) fn parse_start(text: &str) -> Result<wardwatch_flow::Timestamp, String> {
    wardwatch_flow::Timestamp::parse_rfc3339(text)
        .map_err(|e| format!("{e} (use e.g. 2026-01-05T08:00:00Z)"))
}

impl From<SynthFlags> for cmd::synth::SynthArgs {
    fn from(f: SynthFlags) -> Self {
        cmd::synth::SynthArgs {
            seed: f.seed,
            devices: f.devices,
            duration: f.duration,
            scenarios: f.scenarios.0,
            out: f.out,
            config: f.config,
            start: f.start,
            catalog: f.catalog,
        }
    }
}
