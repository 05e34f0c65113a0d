//! Declared (manufacturer) profiles for day-one enforcement: every `*.json` in
//! `<models.dir>/declared/` is an expected profile written by `wardwatch assess --write-profile`
//! (`wardwatch_assess::ExpectedProfile`, from a MUD file or an MDS2 port list). Each becomes a
//! `wardwatch_baseline::DeclaredProfile` for its catalog model, so the detector holds the model
//! to it from the first packet: traffic outside it raises `new_service` /
//! `new_external_destination` "not declared by the manufacturer".
//!
//! How the rules map (and what cannot be represented; `docs/retraining.md` lists it too):
//! - `from-device` → outbound, `to-device` → inbound; peer `internal` / `external` / `any` →
//!   the same peer scope.
//! - `transport: any` → one entry per transport; ICMP and other IP protocols have no ports (the
//!   flow crate counts them at port 0), so their rules become port 0 whatever range they name.
//! - TCP/UDP port ranges are expanded port by port up to [`MAX_RANGE_PORTS`] ports; a wider
//!   range, or "any port" (`ports: null`), cannot be represented and the rule is left out — its
//!   traffic then alerts as undeclared (stricter, never looser), and the load logs it.
//! - `dns_name` and `peer_class` (other than `local-networks`, which is exactly the internal
//!   scope) cannot be represented: the sensor matches the peer's scope (internal / external),
//!   not its name or MUD class, so such a rule allows every peer of its scope on its transport
//!   and ports (looser than the declaration; logged).
//! - At most `MAX_DECLARED_ENTRIES` (1024) entries per model; beyond, the rest are left out.
//! - DHCP client broadcasts (UDP 67 and 547 to local broadcast/multicast) are added: the detector
//!   allows DHCP, DNS and NTP to infrastructure servers implicitly (`implicit_infrastructure`),
//!   but a DHCP request goes to the broadcast address before any server is known, and
//!   declarations rarely list it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use wardwatch_assess::profile::{
    ExpectedProfile, ExpectedRule, Initiator, PROFILE_FORMAT, PeerKind, TransportMatch,
};
use wardwatch_baseline::declared::MAX_DECLARED_ENTRIES;
use wardwatch_baseline::{DeclaredPeer, DeclaredProfile, DeclaredService};
use wardwatch_flow::ModelId;
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::event::{Direction, Transport};

/// Folder of declared profiles inside `models.dir`.
pub const DECLARED_DIR: &str = "declared";
/// Widest TCP/UDP port range expanded into single-port entries.
pub const MAX_RANGE_PORTS: u32 = 256;
/// Most declared-profile files read.
const MAX_FILES: usize = 1024;
/// Largest declared-profile file read.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// One declared profile, ready for `ModelSet::declare`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    /// The catalog model it holds.
    pub model: ModelId,
    /// The mapped profile.
    pub profile: DeclaredProfile,
    /// The file it came from.
    pub file: PathBuf,
    /// What could not be represented exactly (one line each).
    pub notes: Vec<String>,
    /// The file's bytes (hashed into the model-set version).
    pub bytes: Vec<u8>,
}

/// Why the declared profiles could not be loaded. Messages name the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct DeclaredError {
    /// The file or folder.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

fn error(path: &Path, reason: impl Into<String>) -> DeclaredError {
    DeclaredError {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads every `*.json` in `<models_dir>/declared/` (sorted by name); none when the folder is
/// absent. A file that does not parse, names a model the catalog lacks, or repeats a model is
/// an error.
pub fn load(models_dir: &Path, catalog: &Catalog) -> Result<Vec<Declaration>, DeclaredError> {
    let dir = models_dir.join(DECLARED_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(error(&dir, format!("cannot list: {e}"))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| error(&dir, format!("cannot list: {e}")))?
            .path();
        if path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path);
        }
    }
    if files.len() > MAX_FILES {
        return Err(error(
            &dir,
            format!("more than {MAX_FILES} declared profiles"),
        ));
    }
    files.sort();
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let declaration = read_one(&file, catalog)?;
        if !seen.insert(declaration.model.clone()) {
            return Err(error(
                &file,
                format!("a second declared profile for model {}", declaration.model),
            ));
        }
        out.push(declaration);
    }
    Ok(out)
}

fn read_one(file: &Path, catalog: &Catalog) -> Result<Declaration, DeclaredError> {
    let size = std::fs::metadata(file)
        .map_err(|e| error(file, format!("cannot read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(error(
            file,
            format!("{size} bytes is too large (limit {MAX_FILE_BYTES})"),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| error(file, format!("cannot read: {e}")))?;
    let expected: ExpectedProfile = serde_json::from_slice(&bytes).map_err(|e| {
        error(
            file,
            format!("not an expected profile (wardwatch assess --write-profile): {e}"),
        )
    })?;
    if expected.format != PROFILE_FORMAT {
        return Err(error(
            file,
            format!(
                "profile format {} is not supported (this build reads {PROFILE_FORMAT})",
                expected.format
            ),
        ));
    }
    if !catalog
        .models
        .iter()
        .any(|m| m.id.as_str() == expected.model)
    {
        return Err(error(
            file,
            format!(
                "model {:?} is not in the catalog, so no device can be held to it; assess with the catalog id (--model)",
                expected.model
            ),
        ));
    }
    let (profile, notes) = map_profile(&expected);
    Ok(Declaration {
        model: ModelId::from(expected.model.as_str()),
        profile,
        file: file.to_path_buf(),
        notes,
        bytes,
    })
}

/// Maps an expected profile onto the detector's declared profile; returns what could not be
/// represented exactly.
pub fn map_profile(expected: &ExpectedProfile) -> (DeclaredProfile, Vec<String>) {
    let mut services = Vec::new();
    let mut notes = Vec::new();
    for rule in &expected.rules {
        map_rule(rule, &mut services, &mut notes);
    }
    for port in [67, 547] {
        services.push(DeclaredService {
            direction: Direction::Outbound,
            proto: Transport::Udp,
            port,
            peer: DeclaredPeer::Internal,
        });
    }
    let unique: BTreeSet<DeclaredService> = services.into_iter().collect();
    if unique.len() > MAX_DECLARED_ENTRIES {
        notes.push(format!(
            "{} entries; only the first {MAX_DECLARED_ENTRIES} are kept",
            unique.len()
        ));
    }
    let profile = DeclaredProfile::new(unique.into_iter().collect(), &source_text(expected));
    (profile, notes)
}

fn map_rule(rule: &ExpectedRule, out: &mut Vec<DeclaredService>, notes: &mut Vec<String>) {
    let direction = match rule.direction {
        Initiator::FromDevice => Direction::Outbound,
        Initiator::ToDevice => Direction::Inbound,
    };
    let peer = match rule.peer {
        PeerKind::Internal => DeclaredPeer::Internal,
        PeerKind::External => DeclaredPeer::External,
        PeerKind::Any => DeclaredPeer::Any,
    };
    if let Some(name) = &rule.dns_name {
        notes.push(format!(
            "rule {}: DNS name {name:?} is not checked; every {} peer is allowed on its ports",
            rule.source,
            scope_word(rule.peer)
        ));
    } else if let Some(class) = rule.peer_class.as_ref().filter(|c| *c != "local-networks") {
        notes.push(format!(
            "rule {}: peer class {class:?} is not checked; every {} peer is allowed on its ports",
            rule.source,
            scope_word(rule.peer)
        ));
    }
    let transports: &[Transport] = match rule.transport {
        TransportMatch::Tcp => &[Transport::Tcp],
        TransportMatch::Udp => &[Transport::Udp],
        TransportMatch::Icmp => &[Transport::Icmp],
        TransportMatch::Other => &[Transport::Other],
        TransportMatch::Any => &[
            Transport::Tcp,
            Transport::Udp,
            Transport::Icmp,
            Transport::Other,
        ],
    };
    for &proto in transports {
        let Some(ports) = ports_of(rule, proto, notes) else {
            continue;
        };
        out.extend(ports.into_iter().map(|port| DeclaredService {
            direction,
            proto,
            port,
            peer,
        }));
    }
}

/// The ports one rule declares for `proto`; `None` (noted) when they cannot be represented.
fn ports_of(rule: &ExpectedRule, proto: Transport, notes: &mut Vec<String>) -> Option<Vec<u16>> {
    match (proto, rule.ports) {
        (Transport::Icmp | Transport::Other, _) => Some(vec![0]),
        (_, Some(range))
            if u32::from(range.last) >= u32::from(range.first)
                && u32::from(range.last) - u32::from(range.first) < MAX_RANGE_PORTS =>
        {
            Some((range.first..=range.last).collect())
        }
        (_, Some(range)) => {
            notes.push(format!(
                "rule {}: port range {}-{} is wider than {MAX_RANGE_PORTS} ports; left out (its traffic alerts as undeclared)",
                rule.source, range.first, range.last
            ));
            None
        }
        (_, None) => {
            notes.push(format!(
                "rule {}: any {} port cannot be represented; left out (its traffic alerts as undeclared)",
                rule.source,
                transport_word(proto)
            ));
            None
        }
    }
}

fn scope_word(peer: PeerKind) -> &'static str {
    match peer {
        PeerKind::Internal => "internal",
        PeerKind::External => "external",
        PeerKind::Any => "internal or external",
    }
}

fn transport_word(proto: Transport) -> &'static str {
    match proto {
        Transport::Tcp => "TCP",
        Transport::Udp => "UDP",
        Transport::Icmp => "ICMP",
        Transport::Other => "IP",
    }
}

/// `MUD <url or file>` / `MDS2 <file>`, joined with `; ` (the detector cuts it to 256 chars).
fn source_text(expected: &ExpectedProfile) -> String {
    let parts: Vec<String> = expected
        .sources
        .iter()
        .map(|s| {
            let name = s.url.clone().unwrap_or_else(|| {
                Path::new(&s.file)
                    .file_name()
                    .map_or_else(|| s.file.clone(), |n| n.to_string_lossy().into_owned())
            });
            format!("{} {name}", s.kind.to_uppercase())
        })
        .collect();
    if parts.is_empty() {
        format!("declared profile of {}", expected.model)
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests;
