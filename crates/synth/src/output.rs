//! The ground-truth files: `ward.devices.jsonl` (one line per device) and `ward.labels.jsonl`
//! (one line per attack), both in a fixed field order so the same run gives the same bytes.

use crate::scenario::plan::{Params, mac_text};
use crate::scenario::{Plan, ScenarioKind};
use crate::ward::{HostKind, Ward};
use serde::Serialize;
use serde_json::{Value, json};
use std::io::{self, Write};
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::Catalog;

/// Most victims a label lists; `victims_total` in `details` says how many there were.
pub const MAX_LABEL_VICTIMS: usize = 64;

/// One line of `ward.devices.jsonl`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DeviceRecord {
    /// MAC address.
    pub mac: String,
    /// IPv4 address (the gateway: its management address).
    pub ip: String,
    /// Catalog model id, or null for hosts the catalog has no model of.
    pub model: Option<String>,
    /// Vendor.
    pub vendor: String,
    /// Class id.
    pub class: String,
    /// Software/firmware version at the start of the capture.
    pub software_version: String,
    /// Location text.
    pub location: String,
    /// Host name.
    pub hostname: String,
    /// VLAN of the host's area.
    pub vlan: u16,
    /// Server roles the host plays (empty for ward devices).
    pub roles: Vec<String>,
}

/// One line of `ward.labels.jsonl`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Label {
    /// Scenario kind.
    pub kind: &'static str,
    /// MAC of the attacker's frames (the gateway's for attackers outside the hospital).
    pub mac: String,
    /// Attacker address.
    pub ip: String,
    /// Victim addresses (at most [`MAX_LABEL_VICTIMS`]).
    pub victims: Vec<String>,
    /// Packet time of the first attack frame, RFC 3339.
    pub start: String,
    /// Packet time of the last attack frame, RFC 3339.
    pub end: String,
    /// What happens.
    pub description: String,
    /// Alert kinds a detector is expected to raise.
    pub expected_alerts: Vec<&'static str>,
    /// Kind-specific facts.
    pub details: Value,
}

/// The device records of a ward (devices and internal servers, not scenario hosts).
pub fn devices(ward: &Ward, catalog: &Catalog) -> Vec<DeviceRecord> {
    ward.inventory()
        .map(|(_, h)| DeviceRecord {
            mac: mac_text(h.mac),
            ip: h.ip.to_string(),
            model: h.model.map(|m| catalog.models[m].id.as_str().to_owned()),
            vendor: h.vendor.clone(),
            class: h.class.clone(),
            software_version: h.version.clone(),
            location: h.location.clone(),
            hostname: h.hostname.clone(),
            vlan: h.area.map(|a| ward.areas[a].vlan).unwrap_or(0),
            roles: match &h.kind {
                HostKind::Server(r) => r.clone(),
                HostKind::Gateway => vec!["gateway".into()],
                _ => Vec::new(),
            },
        })
        .collect()
}

fn details(plan: &Plan) -> Value {
    match &plan.params {
        Params::LateralMovement { .. } => json!({"methods": ["psexec_smb_svcctl", "rdp", "winrm"]}),
        Params::PumpScan { targets, ports, .. } => {
            json!({"addresses_scanned": targets.len(), "ports": ports})
        }
        Params::TelnetScan { probes, .. } => json!({"probes": probes, "ports": [23, 2323]}),
        Params::Beaconing {
            c2,
            domain,
            period_us,
        } => {
            json!({"c2": c2.to_string(), "domain": domain, "period_s": period_us / 1_000_000, "jitter": 0.05})
        }
        Params::DicomExfiltration { dest, port, bytes } => {
            json!({"destination": dest.to_string(), "port": port, "bytes_unscaled": bytes})
        }
        Params::VendorRemoteAccess { from, port } => {
            json!({"from": from.to_string(), "port": port})
        }
        Params::ArpSpoofing { gateway_ip } => json!({"claimed_ip": gateway_ip.to_string()}),
        Params::FirmwareChange {
            from,
            to,
            update_ip,
            update_name,
        } => {
            json!({"from_version": from, "to_version": to, "new_peer": update_ip.to_string(), "new_peer_name": update_name})
        }
        Params::RogueDevice => {
            json!({"dhcp_vendor_class": "dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835"})
        }
        Params::SshBruteForce { attempts, .. } => json!({"attempts": attempts}),
    }
}

/// The label of a scenario that ran from `first` to `last` (packet times).
pub fn label(ward: &Ward, plan: &Plan, first: Timestamp, last: Timestamp) -> Label {
    let a = &ward.hosts[plan.attacker];
    let mac = if a.area.is_some() {
        a.mac
    } else {
        ward.gateway_mac()
    };
    let mut d = details(plan);
    if plan.victims.len() > MAX_LABEL_VICTIMS {
        d["victims_total"] = json!(plan.victims.len());
    }
    Label {
        kind: plan.kind.name(),
        mac: mac_text(mac),
        ip: a.ip.to_string(),
        victims: plan
            .victims
            .iter()
            .take(MAX_LABEL_VICTIMS)
            .map(|v| v.to_string())
            .collect(),
        start: first.to_rfc3339(),
        end: last.to_rfc3339(),
        description: plan.description.clone(),
        expected_alerts: plan.kind.expected_alerts().to_vec(),
        details: d,
    }
}

/// Writes records as JSON lines.
pub fn write_jsonl<T: Serialize>(out: &mut impl Write, records: &[T]) -> io::Result<()> {
    for r in records {
        serde_json::to_writer(&mut *out, r).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// True when every kind name in the labels is a scenario kind (a sanity check for readers).
pub fn is_scenario(kind: &str) -> bool {
    ScenarioKind::from_name(kind).is_some()
}
