//! `wardwatch run`.

use crate::cmd::run::RunCommand;
use crate::config::Overrides;
use clap::Args;
use std::path::PathBuf;

/// Flags of `wardwatch run`; each overrides the configuration key named in its help.
#[derive(Debug, Args)]
pub(super) struct RunArgs {
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
