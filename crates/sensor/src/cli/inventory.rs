//! `wardwatch inventory` and its subcommands.

use crate::cmd;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Arguments of `wardwatch inventory`: captures to inventory, or a state subcommand.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(super) struct InventoryArgs {
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
pub(super) enum InventoryFormat {
    Table,
    Json,
    Csv,
}

/// Where `inventory mark|states|history` find the state directory.
#[derive(Debug, Args)]
pub(super) struct StateDirFlags {
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
pub(super) enum InventorySub {
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

pub(super) fn parse_device(text: &str) -> Result<wardwatch_flow::DeviceId, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a MAC (00:09:fb:12:34:56) or IP address"))
}

pub(super) fn parse_state(text: &str) -> Result<crate::inventory::DeviceState, String> {
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
