//! `wardwatch retrain`, `eval` and `models`.

use crate::cmd;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Arguments of `wardwatch retrain`.
#[derive(Debug, Args)]
pub(super) struct RetrainArgs {
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
pub(super) struct EvalArgs {
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
pub(super) enum EvalFormat {
    Table,
    Json,
}

/// Arguments of `wardwatch models`.
#[derive(Debug, Args)]
pub(super) struct ModelsArgs {
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
pub(super) enum ModelsAction {
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
