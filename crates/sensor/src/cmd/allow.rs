//! `wardwatch allow add|list`: the site allow-list file (operator verdicts that an alert is
//! benign, docs/detection.md section 6). `add` appends one entry with its audit fields through
//! `wardwatch_baseline::append_entry`, re-parses the whole result and replaces the file
//! atomically: a file that does not parse is never overwritten, and a result that does not parse
//! never replaces a good file. `list` shows the entries and flags the expired ones.

use super::InputFailure;
use super::inventory::{StateDirArgs, author, state_dir};
use crate::inventory::render::terminal_text;
use crate::store;
use anyhow::{Context, Result};
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use wardwatch_baseline::{AlertKind, AllowEntry, Allowlist, append_entry};
use wardwatch_flow::{DeviceId, ModelId, Timestamp};

/// Default allow-list file name inside the state directory.
pub const DEFAULT_FILE: &str = "allowlist.toml";
/// Largest allow-list file read.
pub const MAX_ALLOWLIST_BYTES: u64 = 16 << 20;
/// First line of a new allow-list file.
const NEW_FILE_HEADER: &str =
    "# wardwatch site allow-list: operator verdicts (docs/detection.md, section 6).\n";

/// Where the allow-list file is.
#[derive(Clone, Debug, Default)]
pub struct FileArgs {
    /// `--file PATH`.
    pub file: Option<PathBuf>,
    /// `--config` / `--state-dir`: `<state.dir>/allowlist.toml`.
    pub dirs: StateDirArgs,
}

/// `wardwatch allow add`, as typed (validated by [`run`]).
#[derive(Clone, Debug, Default)]
pub struct AddOptions {
    /// `--reason`.
    pub reason: String,
    /// `--author`; `None`: the login name.
    pub author: Option<String>,
    /// `--device MAC|IP`.
    pub device: Option<String>,
    /// `--model ID`.
    pub model: Option<String>,
    /// `--kind KIND`.
    pub kind: Option<String>,
    /// `--peer IP|CIDR`.
    pub peer: Option<String>,
    /// `--port N`.
    pub port: Option<u16>,
    /// `--expires RFC3339|DURATION`.
    pub expires: Option<String>,
    /// The file.
    pub file: FileArgs,
}

/// The allow subcommands.
#[derive(Clone, Debug)]
pub enum Action {
    /// Append an entry.
    Add(AddOptions),
    /// List entries; `at` is the time expiry is judged at (`--at`, default now).
    List {
        /// The file.
        file: FileArgs,
        /// `--at RFC3339`.
        at: Option<String>,
    },
}

fn input(message: impl Into<String>) -> anyhow::Error {
    InputFailure(message.into()).into()
}

/// Runs the command.
pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Add(options) => add(options),
        Action::List { file, at } => list(&file, at.as_deref()),
    }
}

fn allowlist_path(args: &FileArgs) -> Result<PathBuf> {
    if let Some(file) = &args.file {
        return Ok(file.clone());
    }
    match state_dir(&args.dirs)? {
        Some(dir) => Ok(dir.join(DEFAULT_FILE)),
        None => Err(input(
            "--file: give the allow-list file (or --state-dir DIR / --config FILE with state.dir for DIR/allowlist.toml)",
        )),
    }
}

fn wall_clock() -> Timestamp {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(u64::try_from(since.as_micros()).unwrap_or(u64::MAX))
}

/// `--expires`: an RFC 3339 time, or a duration from `created` (`30d`, `12h`, `90days`).
fn expiry(text: &str, created: Timestamp) -> Result<Timestamp> {
    if let Ok(at) = Timestamp::parse_rfc3339(text) {
        return Ok(at);
    }
    match humantime::parse_duration(text) {
        Ok(d) => {
            Ok(Timestamp(created.micros().saturating_add(
                u64::try_from(d.as_micros()).unwrap_or(u64::MAX),
            )))
        }
        Err(_) => Err(input(format!(
            "--expires: {text:?} is neither an RFC 3339 time (2026-04-05T08:00:00Z) nor a duration (30d, 12h)"
        ))),
    }
}

fn peer(text: &str) -> Result<IpNet> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| input(format!("--peer: {text:?} is not an address or network")))
}

/// The entry the options describe, created now.
fn entry(o: &AddOptions, created: Timestamp) -> Result<AllowEntry> {
    let device = o
        .device
        .as_deref()
        .map(|d| {
            d.parse::<DeviceId>()
                .map_err(|_| input(format!("--device: {d:?} is not a MAC or IP address")))
        })
        .transpose()?;
    let kind = o
        .kind
        .as_deref()
        .map(|k| {
            AlertKind::from_name(k).ok_or_else(|| {
                let kinds: Vec<&str> = AlertKind::ALL.iter().map(|k| k.name()).collect();
                input(format!(
                    "--kind: {k:?} is not an alert kind (one of {})",
                    kinds.join(", ")
                ))
            })
        })
        .transpose()?;
    let peer = o.peer.as_deref().map(peer).transpose()?;
    if device.is_none() && o.model.is_none() && kind.is_none() && peer.is_none() && o.port.is_none()
    {
        return Err(input(
            "give at least one of --device, --model, --kind, --peer, --port (an entry must match something)",
        ));
    }
    if o.reason.trim().is_empty() {
        return Err(input("--reason: must not be empty"));
    }
    let expires = o
        .expires
        .as_deref()
        .map(|x| expiry(x, created))
        .transpose()?;
    if expires.is_some_and(|x| x <= created) {
        return Err(input("--expires: already in the past"));
    }
    Ok(AllowEntry {
        device,
        model: o.model.as_deref().map(ModelId::from),
        kind,
        peer,
        port: o.port,
        reason: o.reason.trim().to_owned(),
        author: author(o.author.clone())?,
        created,
        expires,
    })
}

/// Reads the allow-list text; `None` when the file does not exist.
fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(input(format!("{}: {e}", path.display()))),
        Ok(meta) if meta.len() > MAX_ALLOWLIST_BYTES => {
            return Err(input(format!(
                "{}: {} bytes is too large for an allow-list (limit {MAX_ALLOWLIST_BYTES})",
                path.display(),
                meta.len()
            )));
        }
        Ok(_) => {}
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| input(format!("{}: cannot read: {e}", path.display())))?;
    Ok(Some(text))
}

fn add(o: AddOptions) -> Result<()> {
    let path = allowlist_path(&o.file)?;
    let created = wall_clock();
    let new_entry = entry(&o, created)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the directory {}", dir.display()))?;
    }
    let _lock = crate::file_lock::lock_exclusive(&path)
        .with_context(|| format!("locking {}", path.display()))?;
    let existing = read(&path)?.unwrap_or_else(|| NEW_FILE_HEADER.to_owned());
    let old_count = Allowlist::parse(&existing)
        .map_err(|e| {
            input(format!(
                "{}: {e} (the file was left unchanged; fix it first)",
                path.display()
            ))
        })?
        .entries()
        .len();
    let text = append_entry(&existing, &new_entry)
        .map_err(|e| input(format!("the new entry was refused: {e}")))?;
    store::write_atomic_verified(&path, text.as_bytes(), |written| {
        let text = std::str::from_utf8(written).map_err(|e| e.to_string())?;
        match Allowlist::parse(text) {
            Ok(list) if list.entries().len() == old_count + 1 => Ok(()),
            Ok(list) => Err(format!(
                "the result holds {} entries, expected {}",
                list.entries().len(),
                old_count + 1
            )),
            Err(e) => Err(format!("the result does not parse: {e}")),
        }
    })?;
    println!(
        "{}: added entry {} ({})",
        path.display(),
        old_count + 1,
        terminal_text(&describe(&new_entry))
    );
    Ok(())
}

/// What an entry matches, e.g. `device 00:09:fb:12:34:56, kind beaconing, port 443`.
fn describe(e: &AllowEntry) -> String {
    let mut parts = Vec::new();
    if let Some(d) = e.device {
        parts.push(format!("device {d}"));
    }
    if let Some(m) = &e.model {
        parts.push(format!("model {m}"));
    }
    if let Some(k) = e.kind {
        parts.push(format!("kind {k}"));
    }
    if let Some(p) = e.peer {
        parts.push(format!("peer {p}"));
    }
    if let Some(p) = e.port {
        parts.push(format!("port {p}"));
    }
    parts.join(", ")
}

fn list(args: &FileArgs, at: Option<&str>) -> Result<()> {
    let path = allowlist_path(args)?;
    let at = match at {
        Some(text) => Timestamp::parse_rfc3339(text).map_err(|e| input(format!("--at: {e}")))?,
        None => wall_clock(),
    };
    let Some(text) = read(&path)? else {
        return Err(input(format!(
            "{}: no such allow-list file",
            path.display()
        )));
    };
    let list = Allowlist::parse(&text).map_err(|e| input(format!("{}: {e}", path.display())))?;
    let expired: Vec<usize> = list.expired(at).iter().map(|(n, _)| *n).collect();
    let mut out = String::new();
    for (i, e) in list.entries().iter().enumerate() {
        let number = i + 1;
        let flag = if expired.contains(&number) {
            "  EXPIRED"
        } else {
            ""
        };
        out.push_str(&format!(
            "#{number}{flag}  {}\n    reason: {}\n    author: {}  created {}  expires {}\n",
            terminal_text(&describe(e)),
            terminal_text(&e.reason),
            terminal_text(&e.author),
            e.created.to_rfc3339(),
            e.expires.map_or("never".into(), Timestamp::to_rfc3339)
        ));
    }
    out.push_str(&format!(
        "{}: {} entries, {} expired at {}\n",
        path.display(),
        list.entries().len(),
        expired.len(),
        at.to_rfc3339()
    ));
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn created() -> Timestamp {
        Timestamp::parse_rfc3339("2026-01-05T08:00:00Z").unwrap()
    }

    #[test]
    fn expiry_takes_a_time_or_a_duration() {
        assert_eq!(
            expiry("2026-04-05T08:00:00Z", created())
                .unwrap()
                .to_rfc3339(),
            "2026-04-05T08:00:00.000000Z"
        );
        assert_eq!(
            expiry("30d", created()).unwrap().to_rfc3339(),
            "2026-02-04T08:00:00.000000Z"
        );
        let err = expiry("soon", created()).unwrap_err().to_string();
        assert!(err.starts_with("--expires: \"soon\" is neither"), "{err}");
    }

    #[test]
    fn entries_are_validated_and_errors_name_the_flag() {
        let base = AddOptions {
            reason: "vendor telemetry".into(),
            author: Some("j.doe".into()),
            ..AddOptions::default()
        };
        let err = entry(&base, created()).unwrap_err().to_string();
        assert!(err.starts_with("give at least one of --device"), "{err}");
        let bad = |o: AddOptions| entry(&o, created()).unwrap_err().to_string();
        let with = |f: &dyn Fn(&mut AddOptions)| {
            let mut o = base.clone();
            f(&mut o);
            o
        };
        assert_eq!(
            bad(with(&|o| o.device = Some("pump".into()))),
            "--device: \"pump\" is not a MAC or IP address"
        );
        assert!(
            bad(with(&|o| o.kind = Some("scan".into())))
                .starts_with("--kind: \"scan\" is not an alert kind (one of port_scan, host_scan")
        );
        assert_eq!(
            bad(with(&|o| o.peer = Some("10.0.0.0/33".into()))),
            "--peer: \"10.0.0.0/33\" is not an address or network"
        );
        assert_eq!(
            bad(with(&|o| {
                o.port = Some(443);
                o.expires = Some("2020-01-01T00:00:00Z".into());
            })),
            "--expires: already in the past"
        );
        let ok = entry(
            &with(&|o| {
                o.peer = Some("203.0.113.7".into());
                o.kind = Some("beaconing".into());
                o.expires = Some("90d".into());
            }),
            created(),
        )
        .unwrap();
        assert_eq!(ok.peer, Some("203.0.113.7/32".parse().unwrap()));
        assert_eq!(ok.kind, Some(AlertKind::Beaconing));
        assert_eq!(ok.author, "j.doe");
        assert_eq!(describe(&ok), "kind beaconing, peer 203.0.113.7/32");
    }
}
