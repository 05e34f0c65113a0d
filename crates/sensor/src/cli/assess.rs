//! `wardwatch assess`.

use crate::cmd;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Arguments of `wardwatch assess`.
#[derive(Debug, Args)]
pub(super) struct AssessArgs {
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
pub(super) enum AssessFormat {
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
