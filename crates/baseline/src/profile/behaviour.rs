//! The behaviour profile (MUD-like allow-list) of a device model: which (direction, peer role,
//! transport, port) combinations its devices use, with support (fraction of devices and of
//! windows), whether it talks to external peers and to which few prefixes, at which hours of
//! the day it is active and receives remote-access sessions, and whether remote execution is
//! part of its normal work.

use crate::ports;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use wardwatch_flow::WindowFeatures;
use wardwatch_flow::event::{Direction, PeerRole, Transport};

/// Most distinct services one device's training history keeps (the rest are counted).
pub const MAX_SERVICES_PER_DEVICE: usize = 1024;
/// Most distinct external prefixes one device's training history keeps.
pub const MAX_PREFIXES_PER_DEVICE: usize = 64;
/// A model whose devices reach at most this many external prefixes has a *closed* external set.
pub const MAX_CLOSED_PREFIXES: usize = 16;

/// Every peer role, for lookups by scope.
const ALL_ROLES: [PeerRole; 6] = [
    PeerRole::SameModel,
    PeerRole::Infrastructure,
    PeerRole::InternalServer,
    PeerRole::InternalClient,
    PeerRole::External,
    PeerRole::Multicast,
];

/// Where a peer sits, coarser than [`PeerRole`]: profiles match services on this scope so a
/// server seen as "infrastructure" on one site and "internal server" on another still matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerScope {
    /// Inside the internal networks.
    Internal,
    /// Outside the internal networks.
    External,
    /// Broadcast or multicast.
    Multicast,
}

impl PeerScope {
    /// The scope of a peer role.
    pub fn of(role: PeerRole) -> PeerScope {
        match role {
            PeerRole::External => PeerScope::External,
            PeerRole::Multicast => PeerScope::Multicast,
            PeerRole::SameModel
            | PeerRole::Infrastructure
            | PeerRole::InternalServer
            | PeerRole::InternalClient => PeerScope::Internal,
        }
    }
}

/// One behaviour combination (the port normalised for dynamic ranges).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServiceKey {
    /// Who started the flows.
    pub direction: Direction,
    /// Role of the peer.
    pub role: PeerRole,
    /// Transport protocol.
    pub proto: Transport,
    /// Service port (dynamic ports folded into the profile's dynamic-port floor).
    pub port: u16,
}

/// Per-device training counts of one service.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct ServiceCount {
    pub windows: u64,
    pub flows: u64,
    pub bytes: u64,
}

/// What one device did in training, accumulated window by window (bounded).
#[derive(Clone, Debug, Default)]
pub(crate) struct DeviceBehaviour {
    pub windows: u64,
    pub services: BTreeMap<ServiceKey, ServiceCount>,
    pub services_overflow: u64,
    pub external_windows: u64,
    pub prefixes: BTreeSet<IpNet>,
    pub prefixes_overflow: bool,
    pub hour_windows: [u64; 24],
    pub hour_active: [u64; 24],
    pub remote_access_hours: [u64; 24],
    pub remote_exec_windows: u64,
}

/// The /24 (IPv4) or /48 (IPv6) holding an address: the unit of external destinations.
pub fn prefix_of(ip: IpAddr) -> IpNet {
    match ip {
        IpAddr::V4(v4) => Ipv4Net::new(v4, 24).map(|n| IpNet::V4(n.trunc())),
        IpAddr::V6(v6) => Ipv6Net::new(v6, 48).map(|n| IpNet::V6(n.trunc())),
    }
    .unwrap_or_else(|_| IpNet::from(ip))
}

impl DeviceBehaviour {
    /// Adds one training window.
    pub fn observe(&mut self, w: &WindowFeatures, dynamic_floor: u16) {
        self.windows = self.windows.saturating_add(1);
        let hour = (w.window_start.second_of_day() / 3600) as usize;
        let mut active = false;
        let mut remote = false;
        let mut external = false;
        for s in &w.services {
            let key = ServiceKey {
                direction: s.direction,
                role: s.role,
                proto: s.proto,
                port: ports::normalise(s.port, dynamic_floor),
            };
            active |= s.flows > 0;
            remote |= s.direction == Direction::Inbound && ports::is_remote_access(s.port);
            external |= s.direction == Direction::Outbound && s.role == PeerRole::External;
            if let Some(c) = self.services.get_mut(&key) {
                c.windows = c.windows.saturating_add(1);
                c.flows = c.flows.saturating_add(u64::from(s.flows));
                c.bytes = c.bytes.saturating_add(s.bytes);
            } else if self.services.len() < MAX_SERVICES_PER_DEVICE {
                let count = ServiceCount {
                    windows: 1,
                    flows: u64::from(s.flows),
                    bytes: s.bytes,
                };
                self.services.insert(key, count);
            } else {
                self.services_overflow = self.services_overflow.saturating_add(1);
            }
        }
        for p in w.peers.iter().filter(|p| !p.internal && p.flows_out > 0) {
            let prefix = prefix_of(p.ip);
            if self.prefixes.len() < MAX_PREFIXES_PER_DEVICE || self.prefixes.contains(&prefix) {
                self.prefixes.insert(prefix);
            } else {
                self.prefixes_overflow = true;
            }
        }
        if external {
            self.external_windows = self.external_windows.saturating_add(1);
        }
        if !w.remote_exec.is_empty() {
            self.remote_exec_windows = self.remote_exec_windows.saturating_add(1);
        }
        if let Some(slot) = self.hour_windows.get_mut(hour) {
            *slot = slot.saturating_add(1);
        }
        if active && let Some(slot) = self.hour_active.get_mut(hour) {
            *slot = slot.saturating_add(1);
        }
        if remote && let Some(slot) = self.remote_access_hours.get_mut(hour) {
            *slot = slot.saturating_add(1);
        }
    }
}

/// How much support makes a service part of the profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupportRule {
    /// Fleet profiles: at least this many devices must have used a service.
    pub min_devices: u32,
    /// Fleet profiles: and at least this fraction of the fleet's devices.
    pub min_device_fraction: f64,
    /// Per-device profiles: the device must have used the service in this many windows.
    pub min_windows_single: u64,
}

impl Default for SupportRule {
    fn default() -> Self {
        SupportRule {
            min_devices: 2,
            min_device_fraction: 0.05,
            min_windows_single: 3,
        }
    }
}

impl SupportRule {
    fn supported(&self, devices: u32, windows: u64, fleet: u32) -> bool {
        if fleet >= 2 {
            let fraction = (self.min_device_fraction * f64::from(fleet)).ceil();
            let need = f64::from(self.min_devices.min(fleet)).max(fraction);
            f64::from(devices) >= need
        } else {
            windows >= self.min_windows_single
        }
    }
}

/// Training support of one service in a profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceStats {
    /// The combination.
    #[serde(flatten)]
    pub key: ServiceKey,
    /// Devices that used it.
    pub devices: u32,
    /// Windows that used it.
    pub windows: u64,
    /// Fraction of the profile's devices that used it.
    pub device_support: f64,
    /// Fraction of the profile's windows that used it.
    pub window_support: f64,
    /// Flows in training.
    pub flows: u64,
    /// True when the support is enough for the service to count as normal.
    pub allowed: bool,
}

/// The learnt behaviour allow-list of one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BehaviourProfile {
    /// Devices the profile was learnt from.
    pub devices: u32,
    /// Windows the profile was learnt from.
    pub windows: u64,
    /// Every combination seen, sorted by key.
    pub services: Vec<ServiceStats>,
    /// Ports at or above this value were folded into one dynamic-port bucket.
    pub dynamic_port_floor: u16,
    /// True when the model normally starts flows to external peers.
    pub external_outbound: bool,
    /// Fraction of windows with outbound external flows.
    pub external_window_fraction: f64,
    /// External /24 or /48 prefixes with enough support.
    pub external_prefixes: Vec<IpNet>,
    /// True when the model reaches only a few fixed external prefixes (vendor endpoints), so a
    /// new prefix is worth an alert.
    pub external_prefixes_closed: bool,
    /// Per UTC hour, fraction of training windows with any flow.
    pub hour_activity: Vec<f64>,
    /// Per UTC hour, training windows with inbound remote-access flows.
    pub remote_access_hours: Vec<u64>,
    /// True when remote execution (svcctl/atsvc/WMI/WinRM) is part of the model's normal work.
    pub remote_exec_normal: bool,
}

impl BehaviourProfile {
    /// Builds the profile of the given devices' training behaviour.
    pub(crate) fn build(devices: &[&DeviceBehaviour], rule: &SupportRule, floor: u16) -> Self {
        let fleet = u32::try_from(devices.len()).unwrap_or(u32::MAX);
        let windows: u64 = devices.iter().map(|d| d.windows).sum();
        let mut per_service: BTreeMap<ServiceKey, (u32, ServiceCount)> = BTreeMap::new();
        let mut per_prefix: BTreeMap<IpNet, u32> = BTreeMap::new();
        let mut prefixes_overflow = false;
        let (mut hour_windows, mut hour_active, mut remote_hours) =
            ([0u64; 24], [0u64; 24], [0u64; 24]);
        let (mut external_windows, mut exec_devices, mut exec_windows) = (0u64, 0u32, 0u64);
        for d in devices {
            for (key, c) in &d.services {
                let e = per_service.entry(*key).or_default();
                e.0 = e.0.saturating_add(1);
                e.1.windows = e.1.windows.saturating_add(c.windows);
                e.1.flows = e.1.flows.saturating_add(c.flows);
                e.1.bytes = e.1.bytes.saturating_add(c.bytes);
            }
            for p in &d.prefixes {
                *per_prefix.entry(*p).or_default() += 1;
            }
            prefixes_overflow |= d.prefixes_overflow;
            for h in 0..24 {
                add_at(&mut hour_windows, h, d.hour_windows.get(h));
                add_at(&mut hour_active, h, d.hour_active.get(h));
                add_at(&mut remote_hours, h, d.remote_access_hours.get(h));
            }
            external_windows = external_windows.saturating_add(d.external_windows);
            if d.remote_exec_windows > 0 {
                exec_devices = exec_devices.saturating_add(1);
            }
            exec_windows = exec_windows.saturating_add(d.remote_exec_windows);
        }
        let services: Vec<ServiceStats> = per_service
            .into_iter()
            .map(|(key, (devs, c))| ServiceStats {
                key,
                devices: devs,
                windows: c.windows,
                device_support: ratio(u64::from(devs), u64::from(fleet)),
                window_support: ratio(c.windows, windows),
                flows: c.flows,
                allowed: rule.supported(devs, c.windows, fleet),
            })
            .collect();
        let external_outbound = services.iter().any(|s| {
            s.allowed && s.key.direction == Direction::Outbound && s.key.role == PeerRole::External
        });
        let distinct_prefixes = per_prefix.len();
        let external_prefixes: Vec<IpNet> = per_prefix
            .into_iter()
            .filter(|(_, devs)| rule.supported(*devs, u64::MAX, fleet))
            .map(|(p, _)| p)
            .collect();
        BehaviourProfile {
            devices: fleet,
            windows,
            services,
            dynamic_port_floor: floor,
            external_outbound,
            external_window_fraction: ratio(external_windows, windows),
            external_prefixes_closed: external_outbound
                && !prefixes_overflow
                && distinct_prefixes <= MAX_CLOSED_PREFIXES,
            external_prefixes,
            hour_activity: (0..24)
                .map(|h| {
                    ratio(
                        hour_active.get(h).copied().unwrap_or(0),
                        hour_windows.get(h).copied().unwrap_or(0),
                    )
                })
                .collect(),
            remote_access_hours: remote_hours.to_vec(),
            remote_exec_normal: rule.supported(exec_devices, exec_windows, fleet),
        }
    }

    /// True when the profile allows this combination (matched on direction, transport,
    /// normalised port and peer scope).
    pub fn allows(
        &self,
        direction: Direction,
        role: PeerRole,
        proto: Transport,
        port: u16,
    ) -> bool {
        // Services are sorted by key: one binary search per role of the same scope.
        let port = ports::normalise(port, self.dynamic_port_floor);
        let scope = PeerScope::of(role);
        ALL_ROLES
            .iter()
            .filter(|r| PeerScope::of(**r) == scope)
            .any(|r| {
                let key = ServiceKey {
                    direction,
                    role: *r,
                    proto,
                    port,
                };
                self.services
                    .binary_search_by(|s| s.key.cmp(&key))
                    .ok()
                    .and_then(|i| self.services.get(i))
                    .is_some_and(|s| s.allowed)
            })
    }

    /// True when the address lies in a learnt external prefix (prefixes are the sorted /24s
    /// and /48s of training destinations, so one binary search decides).
    pub fn knows_external(&self, ip: IpAddr) -> bool {
        self.external_prefixes.binary_search(&prefix_of(ip)).is_ok()
    }

    /// True when training saw inbound remote access at this UTC hour.
    pub fn remote_access_at(&self, hour: u32) -> bool {
        self.remote_access_hours
            .get(hour as usize)
            .is_some_and(|c| *c > 0)
    }

    /// Checks a decoded profile's shape.
    pub fn validate(&self) -> Result<(), String> {
        if self.hour_activity.len() != 24 || self.remote_access_hours.len() != 24 {
            return Err("behaviour profile hour tables must have 24 entries".into());
        }
        if self
            .services
            .windows(2)
            .any(|p| matches!(p, [a, b] if a.key >= b.key))
        {
            return Err("behaviour profile services are not sorted and unique".into());
        }
        let prefixes_ok = self
            .external_prefixes
            .iter()
            .all(|p| *p == prefix_of(p.addr()))
            && !self
                .external_prefixes
                .windows(2)
                .any(|p| matches!(p, [a, b] if a >= b));
        if !prefixes_ok {
            return Err(
                "behaviour profile external prefixes must be sorted /24 or /48 networks".into(),
            );
        }
        Ok(())
    }
}

fn add_at(table: &mut [u64; 24], h: usize, v: Option<&u64>) {
    if let (Some(slot), Some(v)) = (table.get_mut(h), v) {
        *slot = slot.saturating_add(*v);
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::WindowBuilder;

    fn pump_window(n: u32, minute: u64, smb: bool) -> WindowFeatures {
        let mut b = WindowBuilder::new(n, minute * 60)
            .service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                443,
                2,
                900,
            )
            .service(
                Direction::Outbound,
                PeerRole::Infrastructure,
                Transport::Udp,
                53,
                1,
                120,
            )
            .service(
                Direction::Inbound,
                PeerRole::InternalClient,
                Transport::Tcp,
                51_000,
                1,
                90,
            );
        if smb {
            b = b.service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                445,
                3,
                4000,
            );
        }
        b.build()
    }

    #[test]
    fn support_decides_what_is_allowed() {
        let mut devices = vec![DeviceBehaviour::default(); 4];
        for (i, d) in devices.iter_mut().enumerate() {
            for minute in 0..10 {
                // Only device 0 ever uses SMB: one device is not enough support.
                d.observe(&pump_window(i as u32, minute, i == 0), 32_768);
            }
        }
        let refs: Vec<&DeviceBehaviour> = devices.iter().collect();
        let p = BehaviourProfile::build(&refs, &SupportRule::default(), 32_768);
        assert_eq!(p.devices, 4);
        assert_eq!(p.windows, 40);
        assert!(p.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            443
        ));
        // Scope matching: the same port to an "infrastructure" peer is still internal.
        assert!(p.allows(
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Tcp,
            443
        ));
        assert!(!p.allows(Direction::Outbound, PeerRole::External, Transport::Tcp, 443));
        assert!(!p.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            445
        ));
        // Dynamic ports are one bucket.
        assert!(p.allows(
            Direction::Inbound,
            PeerRole::InternalClient,
            Transport::Tcp,
            60_001
        ));
        let smb = p.services.iter().find(|s| s.key.port == 445).unwrap();
        assert_eq!((smb.devices, smb.windows, smb.allowed), (1, 10, false));
        assert_eq!(smb.device_support, 0.25);
        assert!(!p.external_outbound);
        assert_eq!(p.hour_activity[0], 1.0);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn single_device_needs_repeated_windows() {
        let mut d = DeviceBehaviour::default();
        d.observe(&pump_window(0, 0, true), 32_768);
        d.observe(&pump_window(0, 1, true), 32_768);
        d.observe(&pump_window(0, 2, false), 32_768);
        let p = BehaviourProfile::build(&[&d], &SupportRule::default(), 32_768);
        assert!(p.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            443
        ));
        // SMB in 2 windows < 3 required.
        assert!(!p.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            445
        ));
    }

    #[test]
    fn prefixes() {
        let a: IpAddr = "203.0.113.77".parse().unwrap();
        assert_eq!(prefix_of(a).to_string(), "203.0.113.0/24");
        let b: IpAddr = "2001:db8:1:2::5".parse().unwrap();
        assert_eq!(prefix_of(b).to_string(), "2001:db8:1::/48");
    }
}
