//! `wardwatch alerts`.

use crate::cmd;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Arguments of `wardwatch alerts`.
#[derive(Debug, Args)]
pub(super) struct AlertsArgs {
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
pub(super) enum AlertsFormat {
    Table,
    Json,
}

/// Alert severities, least urgent first (`wardwatch_baseline::Severity`).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(super) enum SeverityArg {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

pub(super) fn parse_alert_kind(text: &str) -> Result<wardwatch_baseline::AlertKind, String> {
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
