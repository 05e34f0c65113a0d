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
    /// Learn every device model's profiles from captures and/or feature logs, validate them on a
    /// time-ordered hold-out, and write a new version into a model store.
    Retrain(RetrainArgs),
    /// Replay a labelled capture through the full pipeline and score the alerts: recall, time to
    /// detect, false alerts per 100 device-days.
    Eval(EvalArgs),
    /// The model store: list versions, show or export (MUD) a learnt profile, activate, roll back.
    Models(ModelsArgs),
    /// Device inventory of captures (vendor, model, version, services, location, advisories in
    /// risk order); `inventory mark|states|history` record operator device states.
    Inventory(InventoryArgs),
    /// Read alert files (JSON lines from `wardwatch run --alerts`): one row per alert with the
    /// explanation, then a count per kind and severity; or the matching lines as JSON.
    Alerts(AlertsArgs),
    /// Site allow-list of operator verdicts: `allow add` appends an entry, `allow list` shows them.
    #[command(subcommand)]
    Allow(AllowSub),
    /// Generate a labelled synthetic hospital-ward capture (ward.pcap + labels + devices).
    Synth(SynthFlags),
}

/// Arguments of `wardwatch alerts`.
#[derive(Debug, Args)]
struct AlertsArgs {
    /// Alert files (JSON lines, one alert each), read in the order given.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// `table`: for people, as wide as $COLUMNS (default 100); `json`: the matching lines,
    /// unchanged.
    #[arg(long, value_enum, default_value_t = AlertsFormat::Table)]
    format: AlertsFormat,
    /// Only alerts at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = SeverityArg::Info)]
    min_severity: SeverityArg,
    /// Only alerts of this kind, e.g. port_scan (repeat for several).
    #[arg(long = "kind", value_name = "KIND", value_parser = parse_alert_kind)]
    kinds: Vec<wardwatch_baseline::AlertKind>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AlertsFormat {
    Table,
    Json,
}

/// Alert severities, least urgent first (`wardwatch_baseline::Severity`).
#[derive(Clone, Copy, Debug, ValueEnum)]
enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

fn parse_alert_kind(text: &str) -> Result<wardwatch_baseline::AlertKind, String> {
    use wardwatch_baseline::AlertKind;
    AlertKind::from_name(text).ok_or_else(|| {
        let kinds: Vec<&str> = AlertKind::ALL.iter().map(|k| k.name()).collect();
        format!("not an alert kind (one of {})", kinds.join(", "))
    })
}

impl From<AlertsArgs> for cmd::alerts::Options {
    fn from(a: AlertsArgs) -> Self {
        use wardwatch_baseline::Severity;
        cmd::alerts::Options {
            files: a.files,
            format: match a.format {
                AlertsFormat::Table => cmd::alerts::Format::Table,
                AlertsFormat::Json => cmd::alerts::Format::Json,
            },
            filter: cmd::alerts::Filter {
                min_severity: match a.min_severity {
                    SeverityArg::Info => Severity::Info,
                    SeverityArg::Low => Severity::Low,
                    SeverityArg::Medium => Severity::Medium,
                    SeverityArg::High => Severity::High,
                    SeverityArg::Critical => Severity::Critical,
                },
                kinds: a.kinds,
            },
        }
    }
}

/// Arguments of `wardwatch retrain`.
#[derive(Debug, Args)]
struct RetrainArgs {
    /// Captures (pcap/pcapng) and feature logs (from `wardwatch run --features-out`), told
    /// apart by content; read in parallel, learnt in the order given.
    #[arg(value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// Model store to write the new version into (e.g. models/default).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Catalog used to identify devices in captures [default: <models>/catalog.toml].
    #[arg(long, value_name = "FILE")]
    catalog: Option<PathBuf>,
    /// Reference data directory: catalog.toml, oui.tsv (models.dir) [default: models].
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Configuration whose [pipeline] and [capture] settings the replays use.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Training settings as TOML (wardwatch_baseline::TrainParams, docs/detection.md 2.6);
    /// every key optional, e.g. `[maturity]` requirements for short captures.
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,
    /// Share of the time-ordered input held out to validate the new profiles (0 to 0.9).
    #[arg(long, value_name = "SHARE", default_value_t = 0.2)]
    holdout: f64,
    /// Make the new version the active one.
    #[arg(long)]
    activate: bool,
}

/// Arguments of `wardwatch eval`.
#[derive(Debug, Args)]
struct EvalArgs {
    /// The capture to replay (pcap/pcapng).
    #[arg(value_name = "CAPTURE")]
    capture: PathBuf,
    /// Labels: one JSON object per attack, as `wardwatch synth` writes them.
    #[arg(long, value_name = "FILE")]
    labels: PathBuf,
    /// A model store (a directory with ACTIVE, e.g. a `retrain --out` directory) or a reference
    /// directory whose `default` store is used [default: models].
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// Devices the site already knows: JSON lines with a `mac` and/or `ip` each, e.g. `ward.devices.jsonl`
    /// [default: the labels' sibling <stem>.devices.jsonl when present].
    #[arg(long, value_name = "FILE")]
    known: Option<PathBuf>,
    /// Configuration whose [pipeline], [capture] and [alerts] settings the replay uses.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    format: EvalFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EvalFormat {
    Table,
    Json,
}

/// Arguments of `wardwatch models`.
#[derive(Debug, Args)]
struct ModelsArgs {
    #[command(subcommand)]
    action: ModelsAction,
    /// The model store [default: models/default].
    #[arg(long, value_name = "DIR", global = true)]
    store: Option<PathBuf>,
    /// Reference data directory (catalog names for export-mud) [default: models].
    #[arg(long, value_name = "DIR", global = true)]
    models: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ModelsAction {
    /// List the versions in the store (the active one marked *).
    List,
    /// Print a device model's learnt profile.
    Show {
        /// Catalog model id.
        #[arg(value_name = "MODEL_ID")]
        model: String,
    },
    /// Write a device model's learnt profile as an RFC 8520 MUD document.
    ExportMud {
        /// Catalog model id.
        #[arg(value_name = "MODEL_ID")]
        model: String,
        /// Output file [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Make a version active.
    Activate {
        /// Version id (see `wardwatch models list`).
        #[arg(value_name = "VERSION")]
        version: String,
    },
    /// Re-activate the version that was active before the current one.
    Rollback,
}

impl From<RetrainArgs> for cmd::retrain::Options {
    fn from(a: RetrainArgs) -> Self {
        cmd::retrain::Options {
            inputs: a.inputs,
            out: a.out,
            catalog: a.catalog,
            models: a.models,
            config: a.config,
            params: a.params,
            holdout: a.holdout,
            activate: a.activate,
        }
    }
}

impl From<EvalArgs> for cmd::eval::Options {
    fn from(a: EvalArgs) -> Self {
        cmd::eval::Options {
            capture: a.capture,
            labels: a.labels,
            models: a.models,
            known: a.known,
            config: a.config,
            format: match a.format {
                EvalFormat::Table => cmd::eval::Format::Table,
                EvalFormat::Json => cmd::eval::Format::Json,
            },
        }
    }
}

impl From<ModelsArgs> for cmd::models::Options {
    fn from(a: ModelsArgs) -> Self {
        let models = a
            .models
            .unwrap_or_else(|| crate::config::models_dir(crate::config::DEFAULT_MODELS_DIR));
        cmd::models::Options {
            store: a
                .store
                .unwrap_or_else(|| models.join(crate::config::DEFAULT_STORE)),
            models,
            action: match a.action {
                ModelsAction::List => cmd::models::Action::List,
                ModelsAction::Show { model } => cmd::models::Action::Show(model),
                ModelsAction::ExportMud { model, out } => {
                    cmd::models::Action::ExportMud { model, out }
                }
                ModelsAction::Activate { version } => cmd::models::Action::Activate(version),
                ModelsAction::Rollback => cmd::models::Action::Rollback,
            },
        }
    }
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
    /// Reference data directory (models.dir); trained profiles come from DIR/default unless
    /// models.store is set.
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

/// Arguments of `wardwatch inventory`: captures to inventory, or a state subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
struct InventoryArgs {
    #[command(subcommand)]
    action: Option<InventorySub>,
    /// pcap/pcapng captures, read one after another into one pipeline (give them in time order).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Output format; devices are listed known-exploited first, then by risk, then by id.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    format: InventoryFormat,
    /// Configuration file: pipeline settings, [[locations]], models.dir, state.dir (device states).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Model directory (models.dir).
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
    /// State directory holding the device states (state.dir).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum InventoryFormat {
    Table,
    Json,
    Csv,
}

/// Where `inventory mark|states|history` find the state directory.
#[derive(Debug, Args)]
struct StateDirFlags {
    /// Configuration file whose state.dir holds the device states.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// State directory (overrides the configuration's state.dir).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

impl From<StateDirFlags> for cmd::inventory::StateDirArgs {
    fn from(f: StateDirFlags) -> Self {
        cmd::inventory::StateDirArgs {
            config: f.config,
            state_dir: f.state_dir,
        }
    }
}

#[derive(Debug, Subcommand)]
enum InventorySub {
    /// Record a device's state (new, authorized, investigating, retired) in the audit trail.
    Mark {
        /// The device: its MAC or IP address.
        #[arg(value_name = "DEVICE", value_parser = parse_device)]
        device: wardwatch_flow::DeviceId,
        /// new, authorized, investigating or retired.
        #[arg(value_name = "STATE", value_parser = parse_state)]
        state: crate::inventory::DeviceState,
        /// Why (recorded in the audit trail).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Who [default: the login name].
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
        #[command(flatten)]
        dirs: StateDirFlags,
    },
    /// Print the marked devices and the whole audit trail.
    States {
        #[command(flatten)]
        dirs: StateDirFlags,
    },
    /// Print the audit trail of one device.
    History {
        /// The device: its MAC or IP address.
        #[arg(value_name = "DEVICE", value_parser = parse_device)]
        device: wardwatch_flow::DeviceId,
        #[command(flatten)]
        dirs: StateDirFlags,
    },
}

fn parse_device(text: &str) -> Result<wardwatch_flow::DeviceId, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a MAC (00:09:fb:12:34:56) or IP address"))
}

fn parse_state(text: &str) -> Result<crate::inventory::DeviceState, String> {
    text.parse()
}

impl From<InventoryArgs> for cmd::inventory::Action {
    fn from(a: InventoryArgs) -> Self {
        use cmd::inventory::{Action, Format, MarkOptions, ReportOptions, StateDirArgs};
        match a.action {
            Some(InventorySub::Mark {
                device,
                state,
                reason,
                author,
                dirs,
            }) => Action::Mark(MarkOptions {
                device,
                state,
                reason,
                author,
                dirs: dirs.into(),
            }),
            Some(InventorySub::States { dirs }) => Action::States(dirs.into()),
            Some(InventorySub::History { device, dirs }) => Action::History(device, dirs.into()),
            None => Action::Report(ReportOptions {
                files: a.files,
                format: match a.format {
                    InventoryFormat::Table => Format::Table,
                    InventoryFormat::Json => Format::Json,
                    InventoryFormat::Csv => Format::Csv,
                },
                models: a.models,
                state: StateDirArgs {
                    config: a.config,
                    state_dir: a.state_dir,
                },
            }),
        }
    }
}

/// Where `allow add|list` find the allow-list file.
#[derive(Debug, Args)]
struct AllowFileFlags {
    /// Allow-list file [default: allowlist.toml in the state directory].
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// Configuration file whose state.dir holds allowlist.toml.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// State directory holding allowlist.toml.
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

impl From<AllowFileFlags> for cmd::allow::FileArgs {
    fn from(f: AllowFileFlags) -> Self {
        cmd::allow::FileArgs {
            file: f.file,
            dirs: cmd::inventory::StateDirArgs {
                config: f.config,
                state_dir: f.state_dir,
            },
        }
    }
}

#[derive(Debug, Subcommand)]
enum AllowSub {
    /// Append an entry (with its reason, author and creation time) to the allow-list file.
    Add {
        /// Why the alert is benign.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Who decided [default: the login name].
        #[arg(long, value_name = "NAME")]
        author: Option<String>,
        /// Device it applies to (MAC or IP).
        #[arg(long, value_name = "MAC|IP")]
        device: Option<String>,
        /// Catalog model it applies to.
        #[arg(long, value_name = "ID")]
        model: Option<String>,
        /// Alert kind it applies to (e.g. beaconing).
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Peer address or network it applies to.
        #[arg(long, value_name = "IP|CIDR")]
        peer: Option<String>,
        /// Peer service port it applies to.
        #[arg(long, value_name = "N")]
        port: Option<u16>,
        /// When it stops applying: an RFC 3339 time or a duration from now (30d, 12h).
        #[arg(long, value_name = "RFC3339|DURATION")]
        expires: Option<String>,
        #[command(flatten)]
        file: AllowFileFlags,
    },
    /// List the entries; expired ones are flagged.
    List {
        /// Judge expiry at this RFC 3339 time [default: now].
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        #[command(flatten)]
        file: AllowFileFlags,
    },
}

impl From<AllowSub> for cmd::allow::Action {
    fn from(sub: AllowSub) -> Self {
        match sub {
            AllowSub::Add {
                reason,
                author,
                device,
                model,
                kind,
                peer,
                port,
                expires,
                file,
            } => cmd::allow::Action::Add(cmd::allow::AddOptions {
                reason,
                author,
                device,
                model,
                kind,
                peer,
                port,
                expires,
                file: file.into(),
            }),
            AllowSub::List { at, file } => cmd::allow::Action::List {
                file: file.into(),
                at,
            },
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
    /// `wardwatch retrain`.
    Retrain(cmd::retrain::Options),
    /// `wardwatch eval`.
    Eval(cmd::eval::Options),
    /// `wardwatch models`.
    Models(cmd::models::Options),
    /// `wardwatch inventory`.
    Inventory(cmd::inventory::Action),
    /// `wardwatch alerts`.
    Alerts(cmd::alerts::Options),
    /// `wardwatch allow`.
    Allow(cmd::allow::Action),
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
            Some(Sub::Retrain(args)) => Ok(Command::Retrain(args.into())),
            Some(Sub::Eval(args)) => Ok(Command::Eval(args.into())),
            Some(Sub::Models(args)) => Ok(Command::Models(args.into())),
            Some(Sub::Inventory(args)) => Ok(Command::Inventory(args.into())),
            Some(Sub::Alerts(args)) => Ok(Command::Alerts(args.into())),
            Some(Sub::Allow(sub)) => Ok(Command::Allow(sub.into())),
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
            Command::Retrain(options) => cmd::retrain::run(options),
            Command::Eval(options) => cmd::eval::run(options),
            Command::Models(options) => cmd::models::run(options),
            Command::Inventory(action) => cmd::inventory::run(action),
            Command::Alerts(options) => cmd::alerts::run(options),
            Command::Allow(action) => cmd::allow::run(action),
            Command::Synth(args) => cmd::synth::run(args),
        }
    }
}
