//! Command-line parsing. clap types stay in this module and its children (one per group of
//! subcommands); the rest of the binary sees [`Command`].

mod alerts;
mod allow;
mod assess;
mod inventory;
mod offline;
mod run;
mod synth;

use crate::cmd;
use crate::cmd::run::RunCommand;
use alerts::AlertsArgs;
use allow::AllowSub;
use assess::AssessArgs;
use clap::{Parser, Subcommand};
use inventory::InventoryArgs;
use offline::{EvalArgs, ModelsArgs, RetrainArgs};
use run::RunArgs;
use std::process::ExitCode;
use synth::SynthFlags;

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
            Some(Sub::Synth(flags)) => Ok(Command::Synth(flags.into())),
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
