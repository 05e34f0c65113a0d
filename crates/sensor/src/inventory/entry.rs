//! One inventory entry per device, built from the flow pipeline's device records, the model
//! set's advisories, the configured locations and the operators' device states.

use super::location::{SiteWard, locate};
use super::states::{DeviceState, DeviceStates};
use crate::config::Location;
use crate::metrics::{DeviceRiskSummary, device_label};
use crate::model_set::ModelSet;
use serde::Serialize;
use std::cmp::Ordering;
use std::net::IpAddr;
use wardwatch_flow::catalog::EvidenceKind;
use wardwatch_flow::identify::advisory::{DeviceRisk, RankedAdvisory, Reachability, rank};
use wardwatch_flow::{DeviceId, DeviceRecord, MacAddr, ModelId, Timestamp};

/// One device of the inventory. Serialised with exactly these JSON fields, in this order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InventoryEntry {
    /// The device-table key (MAC, or IP for hosts behind a router); not a JSON field (it is
    /// `mac`, or the single address in `ips`).
    #[serde(skip)]
    pub id: DeviceId,
    /// MAC address (`null` for hosts keyed by IP behind a router).
    pub mac: Option<MacAddr>,
    /// Internal addresses it sent from, sorted.
    pub ips: Vec<IpAddr>,
    /// Vendor: the catalog model's, else the MAC registry's.
    pub vendor: Option<String>,
    /// Catalog model id, when identified.
    pub model: Option<ModelId>,
    /// Device class (catalog class, or a class-level guess).
    pub class: Option<String>,
    /// Operating system.
    pub os: Option<String>,
    /// Software or firmware version, when evidence carries it.
    pub software_version: Option<String>,
    /// Host name (DHCP, else mDNS, else NetBIOS).
    pub hostname: Option<String>,
    /// Services it accepted connections on, as `tcp/104`, sorted.
    pub services: Vec<String>,
    /// Site and ward from the configured locations.
    pub location: Option<SiteWard>,
    /// First packet time.
    pub first_seen: Timestamp,
    /// Last packet time it sent.
    pub last_seen: Timestamp,
    /// Confidence of the model match, 0..1 (0 when unidentified).
    pub confidence: f64,
    /// Identification evidence collected, sorted by kind and value.
    pub evidence: Vec<EvidenceEntry>,
    /// Advisories that apply, in risk order.
    pub advisories: Vec<AdvisoryEntry>,
    /// The device's overall risk.
    pub risk: RiskEntry,
    /// Operator state.
    pub state: DeviceState,
    /// The `device` label of this device's metric series (`metrics::device_label`).
    pub metrics_device: String,
}

/// One piece of identification evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EvidenceEntry {
    /// Evidence kind, e.g. `dhcp_hostname`.
    pub kind: EvidenceKind,
    /// The value as seen on the wire (control characters replaced, at most 256 bytes).
    pub value: String,
    /// True when a matching fingerprint rule used it to decide the model.
    pub decided: bool,
}

/// How a vulnerable service was seen on this network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeenAs {
    /// The device accepted connections on it.
    Served,
    /// The device connected to it as a client.
    Used,
}

/// An advisory that applies to a device.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdvisoryEntry {
    /// Rank among the device's advisories, from 1 (most urgent).
    pub priority: u32,
    /// CVE id.
    pub cve: String,
    /// Short description.
    pub title: String,
    /// Where it is published (ICS medical advisory id, vendor bulletin).
    pub source: String,
    /// Link to the source.
    pub url: Option<String>,
    /// CVSS 3.x base score.
    pub cvss_score: f64,
    /// CVSS 3.x base vector.
    pub cvss_vector: String,
    /// Listed in the CISA Known Exploited Vulnerabilities catalog.
    pub known_exploited: bool,
    /// First fixed version, when published.
    pub fixed: Option<String>,
    /// The vulnerable network services (`tcp/23`); empty when not reached over the network.
    pub services: Vec<String>,
    /// Whether a vulnerable service was seen on this network.
    pub reachability: Reachability,
    /// The vulnerable service seen, when one was.
    pub observed_service: Option<String>,
    /// Whether the device served or used it.
    pub observed_as: Option<SeenAs>,
    /// CVSS adjusted for reachability, 0..10 (`identify::advisory::rank`).
    pub risk: f64,
}

/// A device's overall risk: known-exploited first, then the highest advisory risk.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RiskEntry {
    /// Highest advisory risk, 0..10 (0 when no advisory applies).
    pub score: f64,
    /// Some applicable advisory is known exploited.
    pub known_exploited: bool,
}

/// Builds the inventory: one entry per device record (`Pipeline::devices()`), sorted by
/// [`cmp_entries`].
pub fn build_inventory(
    records: &[DeviceRecord],
    models: &ModelSet,
    locations: &[Location],
    states: &DeviceStates,
) -> Vec<InventoryEntry> {
    let mut entries: Vec<InventoryEntry> = records
        .iter()
        .map(|record| entry(record, models, locations, states))
        .collect();
    entries.sort_by(cmp_entries);
    entries
}

/// Inventory order: known-exploited devices first, then by risk (highest first), then by
/// device id (MACs before IP-keyed hosts, each ascending).
pub fn cmp_entries(a: &InventoryEntry, b: &InventoryEntry) -> Ordering {
    b.risk
        .known_exploited
        .cmp(&a.risk.known_exploited)
        .then(b.risk.score.total_cmp(&a.risk.score))
        .then(a.id.cmp(&b.id))
}

fn entry(
    record: &DeviceRecord,
    models: &ModelSet,
    locations: &[Location],
    states: &DeviceStates,
) -> InventoryEntry {
    let identity = &record.identity;
    let observed = observed_services(record);
    let applicable = identity
        .model
        .as_ref()
        .map(|model| {
            models
                .advisories
                .for_device(model.as_str(), identity.software_version.as_deref())
        })
        .unwrap_or_default();
    let texts: Vec<String> = observed.iter().map(|(text, _)| text.clone()).collect();
    let ranked = rank(&applicable, &texts);
    let risk = DeviceRisk::from_ranked(&ranked);
    InventoryEntry {
        id: record.device.id,
        mac: record.device.mac,
        ips: record.ips.clone(),
        vendor: identity.vendor.clone(),
        model: identity.model.clone(),
        class: identity.class.clone(),
        os: identity.os.clone(),
        software_version: identity.software_version.clone(),
        hostname: record.hostname.clone(),
        services: record.services.iter().map(|s| s.evidence_text()).collect(),
        location: locate(record, locations),
        first_seen: record.first_seen,
        last_seen: record.last_seen,
        confidence: identity.confidence,
        evidence: evidence(record),
        advisories: advisories(&ranked, &observed),
        risk: RiskEntry {
            score: risk.risk,
            known_exploited: risk.known_exploited,
        },
        state: states.state_of(record),
        metrics_device: device_label(&record.device.id),
    }
}

/// The services a device is seen to expose or use on this network ("observed reachability"):
/// services it accepted connections on (the record's served services and `served_port`
/// evidence) and TCP/UDP services it started flows to (the record's used services). Served
/// first, so a service both served and used counts as served.
fn observed_services(record: &DeviceRecord) -> Vec<(String, SeenAs)> {
    let mut out: Vec<(String, SeenAs)> = Vec::new();
    let served = record.services.iter().map(|s| s.evidence_text()).chain(
        record
            .evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::ServedPort)
            .map(|e| e.value.clone()),
    );
    for text in served {
        if !out.iter().any(|(t, _)| *t == text) {
            out.push((text, SeenAs::Served));
        }
    }
    for text in record.used.iter().map(|s| s.evidence_text()) {
        if !out.iter().any(|(t, _)| *t == text) {
            out.push((text, SeenAs::Used));
        }
    }
    out
}

fn evidence(record: &DeviceRecord) -> Vec<EvidenceEntry> {
    record
        .evidence
        .iter()
        .map(|e| EvidenceEntry {
            kind: e.kind,
            value: e.value.clone(),
            decided: record.decided_by.contains(e),
        })
        .collect()
}

fn advisories(ranked: &[RankedAdvisory<'_>], observed: &[(String, SeenAs)]) -> Vec<AdvisoryEntry> {
    ranked
        .iter()
        .zip(1u32..)
        .map(|(r, priority)| {
            let a = r.advisory;
            let seen = a
                .services
                .iter()
                .find_map(|s| observed.iter().find(|(text, _)| text == s));
            AdvisoryEntry {
                priority,
                cve: a.cve.clone(),
                title: a.title.clone(),
                source: a.source.clone(),
                url: a.url.clone(),
                cvss_score: a.cvss_score,
                cvss_vector: a.cvss_vector.clone(),
                known_exploited: a.known_exploited,
                fixed: a.fixed.clone(),
                services: a.services.clone(),
                reachability: r.reachability,
                observed_service: seen.map(|(text, _)| text.clone()),
                observed_as: seen.map(|(_, how)| *how),
                risk: r.risk,
            }
        })
        .collect()
}

/// What the risk gauges need (`Metrics::observe_device_risks`): one summary per entry, zeros
/// for devices without advisories.
pub fn risk_summaries(entries: &[InventoryEntry]) -> Vec<DeviceRiskSummary> {
    entries
        .iter()
        .map(|e| DeviceRiskSummary {
            id: e.id,
            advisories: u32::try_from(e.advisories.len()).unwrap_or(u32::MAX),
            highest_cvss: e
                .advisories
                .iter()
                .map(|a| a.cvss_score)
                .fold(0.0, f64::max),
            known_exploited: e.risk.known_exploited,
            risk: e.risk.score,
        })
        .collect()
}
