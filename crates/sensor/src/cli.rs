//! Command-line parsing. clap types stay in this module; the rest of the binary sees [`Command`].

use crate::cmd;
use crate::cmd::run::RunCommand;
use crate::config::Overrides;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
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
    /// Run the sensor on a live interface or a capture file: metrics, alerts, inventory.
    Run(RunArgs),
    /// Pre-purchase / pre-install risk of a device model from its SBOMs, MDS2 form and MUD file,
    /// matched against vulnerability data kept offline (OSV, CSAF, CISA KEV).
    Assess(AssessArgs),
    /// Generate a labelled synthetic hospital-ward capture (ward.pcap + labels + devices).
    Synth(SynthFlags),
}

/// Flags of `wardwatch run`; each overrides the configuration key named in its help.
#[derive(Debug, Args)]
struct RunArgs {
    /// TOML configuration file (see wardwatch.example.toml); re-read on SIGHUP.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Live interface to capture on (capture.interface).
    #[arg(long, value_name = "IF", conflicts_with = "replay")]
    interface: Option<String>,
    /// BPF filter (capture.filter).
    #[arg(long, value_name = "EXPR")]
    filter: Option<String>,
    /// pcap/pcapng file to replay instead of a live interface (capture.replay).
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
    /// Replay pace as a multiple of packet time; 0 = as fast as possible (capture.replay_speed).
    #[arg(long, value_name = "X")]
    replay_speed: Option<f64>,
    /// Model directory (models.dir).
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Internal network; repeat for several (pipeline.internal_networks).
    #[arg(long = "internal-net", value_name = "CIDR")]
    internal_net: Vec<String>,
    /// JSON-lines alert file, or - for standard output (alerts.file).
    #[arg(long, value_name = "FILE|-")]
    alerts: Option<String>,
    /// Feature log for retraining (outputs.features).
    #[arg(long, value_name = "FILE")]
    features_out: Option<PathBuf>,
    /// Inventory JSON file (outputs.inventory).
    #[arg(long, value_name = "FILE")]
    inventory_out: Option<PathBuf>,
    /// Address of /metrics, /healthz, /readyz (metrics.listen).
    #[arg(long, value_name = "ADDR")]
    metrics_listen: Option<String>,
    /// After a replay ends, keep serving metrics until SIGTERM.
    #[arg(long)]
    keep_running: bool,
    /// Keep root after opening a live capture (privileges.user = "").
    #[arg(long)]
    allow_root: bool,
}

impl From<RunArgs> for RunCommand {
    fn from(args: RunArgs) -> Self {
        RunCommand {
            config_path: args.config,
            keep_running: args.keep_running,
            overrides: Overrides {
                interface: args.interface,
                filter: args.filter,
                replay: args.replay,
                replay_speed: args.replay_speed,
                models: args.models,
                internal_nets: args.internal_net,
                alerts: args.alerts,
                features_out: args.features_out,
                inventory_out: args.inventory_out,
                metrics_listen: args.metrics_listen,
                allow_root: args.allow_root,
            },
        }
    }
}

/// Arguments of `wardwatch assess`.
#[derive(Debug, Args)]
struct AssessArgs {
    /// Device model name (the catalog id when the model is in models/catalog.toml).
    #[arg(long, value_name = "NAME")]
    model: String,
    /// SBOM: CycloneDX JSON 1.4–1.6 or SPDX JSON 2.2/2.3 (repeat for several).
    #[arg(long = "sbom", value_name = "FILE")]
    sboms: Vec<PathBuf>,
    /// MDS2 form (2019 edition) exported as CSV or XLSX.
    #[arg(long, value_name = "FILE")]
    mds2: Option<PathBuf>,
    /// MUD file (RFC 8520 JSON).
    #[arg(long, value_name = "FILE")]
    mud: Option<PathBuf>,
    /// Folder of OSV records, CSAF 2.0 advisories and CISA's known_exploited_vulnerabilities.json.
    #[arg(long, value_name = "DIR")]
    vulns: Option<PathBuf>,
    /// Known advisories per catalog model [default: models/advisories.toml, skipped when absent].
    #[arg(long, value_name = "FILE")]
    advisories: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = AssessFormat::Table)]
    format: AssessFormat,
    /// Also write the declared network profile (MUD / MDS2 port list) as JSON, atomically.
    #[arg(long, value_name = "FILE")]
    write_profile: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AssessFormat {
    Table,
    Json,
    Markdown,
}

impl From<AssessArgs> for cmd::assess::Options {
    fn from(a: AssessArgs) -> Self {
        cmd::assess::Options {
            model: a.model,
            sboms: a.sboms,
            mds2: a.mds2,
            mud: a.mud,
            vulns: a.vulns,
            advisories: a.advisories,
            format: match a.format {
                AssessFormat::Table => cmd::assess::Format::Table,
                AssessFormat::Json => cmd::assess::Format::Json,
                AssessFormat::Markdown => cmd::assess::Format::Markdown,
            },
            write_profile: a.write_profile,
        }
    }
}

/// Flags of `wardwatch synth`.
#[derive(Debug, Args)]
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
    wardwatch_flow::Timestamp::parse_rfc3339(text)
        .map_err(|e| format!("{e} (use e.g. 2026-01-05T08:00:00Z)"))
}

/// A validated command, ready to run.
#[derive(Debug)]
pub enum Command {
    /// No subcommand: print help.
    Help(String),
    /// `wardwatch run`.
    Run(Box<RunCommand>),
    /// `wardwatch assess`.
    Assess(cmd::assess::Options),
    /// Generate a synthetic ward capture.
    Synth(cmd::synth::SynthArgs),
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
            Some(Sub::Run(args)) => Ok(Command::Run(Box::new(args.into()))),
            Some(Sub::Assess(args)) => Ok(Command::Assess(args.into())),
            Some(Sub::Synth(f)) => Ok(Command::Synth(cmd::synth::SynthArgs {
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
            Command::Run(run) => run.run(),
            Command::Assess(options) => cmd::assess::run(options),
            Command::Synth(args) => cmd::synth::run(args),
        }
    }
}
