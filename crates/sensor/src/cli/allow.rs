//! `wardwatch allow`.

use crate::cmd;
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// Where `allow add|list` find the allow-list file.
#[derive(Debug, Args)]
pub(super) struct AllowFileFlags {
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
pub(super) enum AllowSub {
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
