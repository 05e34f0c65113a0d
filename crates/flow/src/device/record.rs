//! What the device table shows (inventory records) and saves (snapshots).

use super::{BoundedHistory, Device, DeviceTable, MAX_SERVED_PER_DEVICE};
use crate::catalog::EvidenceKind;
use crate::event::{Direction, Identity, Transport};
use crate::identify::{Evidence, EvidenceSet};
use crate::ids::{DeviceId, DeviceRef, MacAddr};
use crate::time::Timestamp;
use crate::window::ServiceKey;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A service a device accepted connections on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServedService {
    /// Transport protocol.
    pub proto: Transport,
    /// Port.
    pub port: u16,
}

impl ServedService {
    /// The evidence text, e.g. `tcp/104`.
    pub fn evidence_text(&self) -> String {
        let proto = match self.proto {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Icmp => "icmp",
            Transport::Other => "other",
        };
        format!("{proto}/{}", self.port)
    }
}

/// One device in the inventory view.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// The device.
    pub device: DeviceRef,
    /// Internal addresses it sent from, sorted (bounded).
    pub ips: Vec<IpAddr>,
    /// Identification.
    pub identity: Identity,
    /// Best host name seen.
    pub hostname: Option<String>,
    /// Services it served, sorted.
    pub services: Vec<ServedService>,
    /// Services it used as a client: the TCP/UDP ports of flows it started, from its bounded
    /// behaviour-combination history, sorted.
    #[serde(default)]
    pub used: Vec<ServedService>,
    /// Outer 802.1Q VLAN ids its flows were tagged with, sorted (empty when untagged).
    #[serde(default)]
    pub vlans: Vec<u16>,
    /// First packet time.
    pub first_seen: Timestamp,
    /// Last packet time it sent.
    pub last_seen: Timestamp,
    /// True once it showed two-way traffic.
    pub established: bool,
    /// Evidence collected, sorted.
    pub evidence: Vec<Evidence>,
    /// Evidence that decided the identification.
    pub decided_by: Vec<Evidence>,
}

/// A device as saved in the daemon's state file: inventory plus histories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSnapshot {
    /// Key.
    pub id: DeviceId,
    /// MAC, when known.
    pub mac: Option<MacAddr>,
    /// Addresses it sent from.
    pub ips: Vec<IpAddr>,
    /// Most recent address.
    pub last_ip: Option<IpAddr>,
    /// First packet time.
    pub first_seen: Timestamp,
    /// Last packet time it sent.
    pub last_seen: Timestamp,
    /// Established.
    pub established: bool,
    /// A MAC carrying many internal addresses (its hosts are keyed by IP).
    pub router: bool,
    /// Collected evidence.
    pub evidence: EvidenceSet,
    /// Identification.
    pub identity: Identity,
    /// Evidence that decided the identification.
    pub decided_by: Vec<Evidence>,
    /// Best host name seen.
    pub hostname: Option<String>,
    /// Services served.
    pub served: Vec<ServedService>,
    /// VLAN ids seen.
    #[serde(default)]
    pub vlans: Vec<u16>,
    /// Peers seen before (sorted).
    pub peer_history: Vec<IpAddr>,
    /// Destination ports seen before (sorted).
    pub port_history: Vec<u16>,
    /// Behaviour combinations seen before (sorted).
    pub service_history: Vec<ServiceKey>,
}

impl Device {
    /// The reference outputs name the device by.
    pub(crate) fn reference(&self) -> DeviceRef {
        DeviceRef {
            id: self.id,
            mac: self.mac,
            ip: self.last_ip,
        }
    }

    /// The inventory record.
    pub(crate) fn record(&self) -> DeviceRecord {
        let mut ips = self.ips.clone();
        ips.sort_unstable();
        let mut evidence: Vec<Evidence> = self.evidence.iter().cloned().collect();
        evidence.sort();
        DeviceRecord {
            device: self.reference(),
            ips,
            identity: self.identity.clone(),
            hostname: self.hostname.clone(),
            services: self.served.clone(),
            used: self.used_services(),
            vlans: self.vlans.clone(),
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            established: self.established,
            evidence,
            decided_by: self.decided_by.clone(),
        }
    }

    /// Services the device started flows to (TCP/UDP with a port), from its combination
    /// history: sorted, deduplicated.
    fn used_services(&self) -> Vec<ServedService> {
        let mut used: Vec<ServedService> = self
            .service_history
            .sorted_keys()
            .into_iter()
            .filter(|k| {
                k.direction == Direction::Outbound
                    && k.port != 0
                    && matches!(k.proto, Transport::Tcp | Transport::Udp)
            })
            .map(|k| ServedService {
                proto: k.proto,
                port: k.port,
            })
            .collect();
        used.sort_unstable();
        used.dedup();
        used
    }

    /// The snapshot.
    pub(crate) fn snapshot(&self) -> DeviceSnapshot {
        let mut ips = self.ips.clone();
        ips.sort_unstable();
        DeviceSnapshot {
            id: self.id,
            mac: self.mac,
            ips,
            last_ip: self.last_ip,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            established: self.established,
            router: self.router,
            evidence: self.evidence.clone(),
            identity: self.identity.clone(),
            decided_by: self.decided_by.clone(),
            hostname: self.hostname.clone(),
            served: self.served.clone(),
            vlans: self.vlans.clone(),
            peer_history: self.peer_history.sorted_keys(),
            port_history: self.port_history.sorted_keys(),
            service_history: self.service_history.sorted_keys(),
        }
    }
}

/// Most deciding evidence values restored from a snapshot.
const MAX_DECIDED_BY: usize = 64;

impl DeviceTable {
    /// Inventory records sorted by device id.
    pub(crate) fn records(&self) -> Vec<DeviceRecord> {
        self.sorted_ids()
            .iter()
            .filter_map(|id| self.devices.get(id))
            .map(Device::record)
            .collect()
    }

    /// Snapshots sorted by device id.
    pub(crate) fn snapshots(&self) -> Vec<DeviceSnapshot> {
        self.sorted_ids()
            .iter()
            .filter_map(|id| self.devices.get(id))
            .map(Device::snapshot)
            .collect()
    }

    /// Restores one device from a snapshot (partition caps apply; refused ones are counted).
    pub(crate) fn restore(&mut self, snap: DeviceSnapshot) {
        if self.devices.contains_key(&snap.id) {
            return;
        }
        let full = if snap.established {
            self.stats.established >= self.config.max_established as u64
        } else {
            self.stats.unestablished >= self.config.max_unestablished as u64
        };
        if full {
            self.stats.restore_refused = self.stats.restore_refused.saturating_add(1);
            return;
        }
        let device = device_from_snapshot(&self.config, snap);
        for ip in &device.ips {
            self.by_ip.insert(*ip, device.id);
        }
        if device.router {
            self.stats.routers = self.stats.routers.saturating_add(1);
        }
        if device.established {
            self.stats.established = self.stats.established.saturating_add(1);
        } else {
            self.stats.unestablished = self.stats.unestablished.saturating_add(1);
            self.queue.push_back((device.id, device.last_seen));
        }
        self.devices.insert(device.id, device);
    }
}

/// A device rebuilt from a snapshot. A state file is input too: evidence is re-inserted through
/// the bounded set, free text is cut, lists are capped.
fn device_from_snapshot(c: &super::DeviceTableConfig, snap: DeviceSnapshot) -> Device {
    let mut evidence = EvidenceSet::default();
    for e in snap.evidence.iter() {
        evidence.insert(Evidence::new(e.kind, &e.value));
    }
    let generation = evidence.generation;
    let decided_by = snap
        .decided_by
        .iter()
        .take(MAX_DECIDED_BY)
        .map(|e| Evidence::new(e.kind, &e.value))
        .collect();
    let hostname = snap
        .hostname
        .map(|h| Evidence::new(EvidenceKind::DhcpHostname, &h).value);
    let mut served: Vec<ServedService> = snap
        .served
        .into_iter()
        .take(MAX_SERVED_PER_DEVICE)
        .collect();
    served.sort_unstable();
    served.dedup();
    let mut vlans: Vec<u16> = snap.vlans.into_iter().filter(|v| *v != 0).collect();
    vlans.sort_unstable();
    vlans.dedup();
    vlans.truncate(super::MAX_VLANS_PER_DEVICE);
    let mut device = Device {
        id: snap.id,
        mac: snap.mac,
        ips: snap.ips.into_iter().take(c.router_ip_threshold).collect(),
        last_ip: snap.last_ip,
        first_seen: snap.first_seen,
        last_seen: snap.last_seen,
        established: snap.established,
        router: snap.router,
        evidence,
        // The saved identity stands until new evidence arrives.
        identified_generation: Some(generation),
        identity: snap.identity,
        decided_by,
        hostname,
        served,
        vlans,
        reached: false,
        own_ips: Vec::new(),
        peer_history: BoundedHistory::new(c.peer_history),
        port_history: BoundedHistory::new(c.port_history),
        service_history: BoundedHistory::new(c.service_history),
        windows: [None, None],
        pending_identify: false,
    };
    for ip in snap.peer_history {
        device.peer_history.observe(ip, 0);
    }
    for port in snap.port_history {
        device.port_history.observe(port, 0);
    }
    for key in snap.service_history {
        device.service_history.observe(key, 0);
    }
    device
}
