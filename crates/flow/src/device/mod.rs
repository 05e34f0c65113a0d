//! The device table: L2 stations sending from internal networks, keyed by MAC (or by IP behind
//! a router), in two partitions. Established devices (two-way traffic or DHCP) are protected: a
//! spoofed-source flood can only churn the small unestablished partition, evicted oldest first.
//! Every device keeps bounded histories of peers, ports and behaviour combinations, its
//! evidence and identification, and its accumulators for the open windows.

mod config;
mod history;
mod record;
mod routed;

pub use config::DeviceTableConfig;

pub(crate) use history::BoundedHistory;
pub use record::{DeviceRecord, DeviceSnapshot, ServedService};

use crate::catalog::EvidenceKind;
use crate::event::{Event, Identity};
use crate::identify::{Evidence, EvidenceSet};
use crate::ids::{DeviceId, MacAddr};
use crate::nets::InternalNets;
use crate::time::Timestamp;
use crate::window::{EntryBudget, ServiceKey, WindowAcc};
use foldhash::fast::RandomState;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// Most served services remembered per device.
pub const MAX_SERVED_PER_DEVICE: usize = 64;
/// Most 802.1Q VLAN ids remembered per device (the first ones seen are kept).
pub const MAX_VLANS_PER_DEVICE: usize = 4;
/// Most own addresses remembered for a router (the interface addresses it asks ARP from).
pub const MAX_ROUTER_OWN_IPS: usize = 64;

/// Device-table counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeviceStats {
    /// Devices created.
    pub created: u64,
    /// Established devices held now.
    pub established: u64,
    /// Unestablished devices held now.
    pub unestablished: u64,
    /// MACs found to carry many internal addresses.
    pub routers: u64,
    /// Promotions refused because the established partition was full.
    pub established_refused: u64,
    /// Established devices retired (silent past the idle timeout) to make room.
    pub established_retired: u64,
    /// Unestablished devices evicted (oldest first) to make room.
    pub unestablished_evicted: u64,
    /// Device windows lost because their device was evicted.
    pub windows_dropped: u64,
    /// Devices of a restored snapshot refused because their partition was full.
    pub restore_refused: u64,
    /// IP-keyed devices (hosts seen through a router) absorbed into the established MAC-keyed
    /// device that holds their address.
    pub routed_merged: u64,
}

/// One device.
#[derive(Debug)]
pub(crate) struct Device {
    pub(crate) id: DeviceId,
    pub(crate) mac: Option<MacAddr>,
    pub(crate) ips: Vec<IpAddr>,
    pub(crate) last_ip: Option<IpAddr>,
    pub(crate) first_seen: Timestamp,
    pub(crate) last_seen: Timestamp,
    pub(crate) established: bool,
    pub(crate) router: bool,
    pub(crate) evidence: EvidenceSet,
    pub(crate) identified_generation: Option<u64>,
    pub(crate) identity: Identity,
    pub(crate) decided_by: Vec<Evidence>,
    pub(crate) hostname: Option<String>,
    pub(crate) served: Vec<ServedService>,
    /// Outer VLAN ids of its flows (sorted, at most [`MAX_VLANS_PER_DEVICE`]).
    pub(crate) vlans: Vec<u16>,
    /// A unicast packet was delivered to its own MAC at one of its addresses (the network
    /// resolves its address to it).
    pub(crate) reached: bool,
    /// For a router: its own interface addresses, from its ARP requests (at most
    /// [`MAX_ROUTER_OWN_IPS`]).
    pub(crate) own_ips: Vec<IpAddr>,
    pub(crate) peer_history: BoundedHistory<IpAddr>,
    pub(crate) port_history: BoundedHistory<u16>,
    pub(crate) service_history: BoundedHistory<ServiceKey>,
    pub(crate) windows: [Option<Box<WindowAcc>>; 2],
    /// Queued in `DeviceTable::to_identify`.
    pub(crate) pending_identify: bool,
}

impl Device {
    /// Remembers an 802.1Q VLAN the device's traffic was tagged with (0 = untagged, ignored).
    /// Bounded: once [`MAX_VLANS_PER_DEVICE`] ids are held, further ones are not recorded.
    pub(crate) fn note_vlan(&mut self, vlan: u16) {
        if vlan == 0 || self.vlans.len() >= MAX_VLANS_PER_DEVICE {
            return;
        }
        if let Err(at) = self.vlans.binary_search(&vlan) {
            self.vlans.insert(at, vlan);
        }
    }
}

/// A device's accumulator for one window with the histories it checks against.
pub(crate) struct WindowCtx<'a> {
    pub(crate) acc: &'a mut WindowAcc,
    pub(crate) peer_history: &'a mut BoundedHistory<IpAddr>,
    pub(crate) port_history: &'a mut BoundedHistory<u16>,
    pub(crate) service_history: &'a mut BoundedHistory<ServiceKey>,
    pub(crate) budget: &'a mut EntryBudget,
    /// True when the accumulator was created by this call (register it with the windows).
    pub(crate) created: bool,
}

/// Devices, bounded and partitioned.
#[derive(Debug)]
pub(crate) struct DeviceTable {
    config: DeviceTableConfig,
    devices: HashMap<DeviceId, Device, RandomState>,
    by_ip: HashMap<IpAddr, DeviceId, RandomState>,
    /// Unestablished devices in second-chance order: (device, last_seen when queued).
    queue: VecDeque<(DeviceId, Timestamp)>,
    /// No established device can be retired before this time.
    no_retire_before: Timestamp,
    pub(crate) budget: EntryBudget,
    /// Devices whose evidence changed since they were last identified.
    pub(crate) to_identify: Vec<DeviceId>,
    pub(crate) stats: DeviceStats,
}

impl DeviceTable {
    pub(crate) fn new(config: DeviceTableConfig) -> Self {
        let budget = EntryBudget::new(config.max_window_entries);
        let cap = config
            .max_established
            .saturating_add(config.max_unestablished);
        DeviceTable {
            config,
            devices: crate::capped::map(cap),
            by_ip: HashMap::with_hasher(RandomState::default()),
            queue: VecDeque::new(),
            no_retire_before: Timestamp(0),
            budget,
            to_identify: Vec::new(),
            stats: DeviceStats::default(),
        }
    }

    pub(crate) fn get(&self, id: &DeviceId) -> Option<&Device> {
        self.devices.get(id)
    }

    pub(crate) fn get_mut(&mut self, id: &DeviceId) -> Option<&mut Device> {
        self.devices.get_mut(id)
    }

    /// Every device id, sorted.
    pub(crate) fn sorted_ids(&self) -> Vec<DeviceId> {
        let mut ids: Vec<DeviceId> = self.devices.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// The device that sent a frame from (`mac`, `ip`), created when new. Only stations sending
    /// from an internal address (or from no address yet, like DHCP clients and ARP probes) are
    /// devices. `ip == None` is a non-IP frame (ARP): keyed by MAC.
    pub(crate) fn sender(
        &mut self,
        mac: Option<MacAddr>,
        ip: Option<IpAddr>,
        ts: Timestamp,
        nets: &InternalNets,
    ) -> Option<DeviceId> {
        let internal = ip.is_some_and(|ip| nets.is_internal_unicast(ip));
        if ip.is_some_and(|ip| !internal && !ip.is_unspecified()) {
            return None;
        }
        if mac.is_some_and(|m| m.is_group()) {
            return None;
        }
        if let Some(id) = self.known_sender(mac, ip, internal, ts) {
            return Some(id);
        }
        let id = match (mac, ip) {
            (Some(m), _) => {
                let router = self
                    .devices
                    .get(&DeviceId::Mac(m))
                    .is_some_and(|d| d.router);
                match ip {
                    Some(ip) if router && internal => self.routed_host(m, ip),
                    _ => DeviceId::Mac(m),
                }
            }
            (None, Some(ip)) if internal => DeviceId::Ip(ip),
            _ => return None,
        };
        if !self.devices.contains_key(&id) {
            // Hosts behind a router are keyed by IP; the router's MAC is not theirs.
            let own_mac = if matches!(id, DeviceId::Mac(_)) {
                mac
            } else {
                None
            };
            self.create(id, own_mac, ts);
        }
        let threshold = self.config.router_ip_threshold;
        let device = self.devices.get_mut(&id)?;
        device.last_seen = device.last_seen.max(ts);
        if let Some(ip) = ip.filter(|_| internal) {
            device.last_ip = Some(ip);
            if !device.ips.contains(&ip) && device.ips.len() < threshold {
                device.ips.push(ip);
                if device.ips.len() >= threshold && matches!(id, DeviceId::Mac(_)) && !device.router
                {
                    device.router = true;
                    self.stats.routers = self.stats.routers.saturating_add(1);
                }
            }
            self.bind_ip(ip, id);
            if matches!(id, DeviceId::Mac(_)) && self.devices.contains_key(&DeviceId::Ip(ip)) {
                self.absorb_routed(id);
            }
        }
        Some(id)
    }

    /// Points `ip` at `id`, unless an established device holds it and `id` is not established
    /// (a spoofer must not take over an established device's address in the lookup). A router
    /// never holds an address against another device: the addresses it sent from before it was
    /// known as a router are mostly its routed hosts'.
    fn bind_ip(&mut self, ip: IpAddr, id: DeviceId) {
        let current = self.by_ip.get(&ip).copied();
        if current == Some(id) {
            return;
        }
        let holder_established = current
            .and_then(|c| self.devices.get(&c))
            .is_some_and(|d| d.established && !d.router);
        let claimant_established = self.devices.get(&id).is_some_and(|d| d.established);
        if holder_established && !claimant_established {
            return;
        }
        self.by_ip.insert(ip, id);
    }

    /// Fast path, one lookup: a known station sending from the address it used last.
    fn known_sender(
        &mut self,
        mac: Option<MacAddr>,
        ip: Option<IpAddr>,
        internal: bool,
        ts: Timestamp,
    ) -> Option<DeviceId> {
        let device = self.devices.get_mut(&DeviceId::Mac(mac?))?;
        if device.router && internal {
            return None;
        }
        device.last_seen = device.last_seen.max(ts);
        let id = device.id;
        let proven = device.established || device.reached;
        if ip.is_none() {
            return Some(id);
        }
        if !(internal && device.last_ip == ip) {
            return None;
        }
        // A twin keyed by this address may have appeared through a router since: absorb it.
        if let Some(ip) = ip
            && proven
            && self.stats.routers > 0
            && self.devices.contains_key(&DeviceId::Ip(ip))
        {
            self.absorb_routed(id);
        }
        Some(id)
    }

    /// The device a frame to (`mac`, `ip`) reached, if it is one (never created).
    pub(crate) fn receiver(
        &self,
        mac: Option<MacAddr>,
        ip: Option<IpAddr>,
        nets: &InternalNets,
    ) -> Option<DeviceId> {
        if let Some(ip) = ip
            && !nets.is_internal_unicast(ip)
        {
            return None;
        }
        if let Some(m) = mac.filter(|m| !m.is_group())
            && let Some(d) = self.devices.get(&DeviceId::Mac(m))
            && !d.router
        {
            return Some(d.id);
        }
        let id = *self.by_ip.get(&ip?)?;
        self.devices.contains_key(&id).then_some(id)
    }

    /// The existing device a station (MAC and/or address) belongs to.
    pub(crate) fn lookup(&self, mac: Option<MacAddr>, ip: Option<IpAddr>) -> Option<DeviceId> {
        if let Some(m) = mac.filter(|m| !m.is_group())
            && let Some(d) = self.devices.get(&DeviceId::Mac(m))
            && (!d.router || ip.is_none())
        {
            return Some(d.id);
        }
        let id = *self.by_ip.get(&ip?)?;
        self.devices.contains_key(&id).then_some(id)
    }

    /// The device holding `ip` (the last one that sent from it).
    pub(crate) fn by_ip(&self, ip: IpAddr) -> Option<&Device> {
        self.devices.get(self.by_ip.get(&ip)?)
    }

    fn create(&mut self, id: DeviceId, mac: Option<MacAddr>, ts: Timestamp) {
        while self.stats.unestablished >= self.config.max_unestablished as u64 {
            if !self.evict_unestablished() {
                break;
            }
        }
        let mut evidence = EvidenceSet::default();
        if let DeviceId::Mac(m) = id {
            evidence.insert(Evidence::new(EvidenceKind::Mac, &m.to_string()));
        }
        let c = &self.config;
        let device = Device {
            id,
            mac,
            ips: Vec::new(),
            last_ip: None,
            first_seen: ts,
            last_seen: ts,
            established: false,
            router: false,
            evidence,
            identified_generation: None,
            identity: Identity::default(),
            decided_by: Vec::new(),
            hostname: None,
            served: Vec::new(),
            vlans: Vec::new(),
            reached: false,
            own_ips: Vec::new(),
            peer_history: BoundedHistory::new(c.peer_history),
            port_history: BoundedHistory::new(c.port_history),
            service_history: BoundedHistory::new(c.service_history),
            windows: [None, None],
            pending_identify: true,
        };
        self.devices.insert(id, device);
        self.queue.push_back((id, ts));
        self.queue_identify_list(id);
        self.stats.created = self.stats.created.saturating_add(1);
        self.stats.unestablished = self.stats.unestablished.saturating_add(1);
        self.compact_queue();
    }

    /// Evicts the unestablished device that has been quiet longest (second-chance order).
    fn evict_unestablished(&mut self) -> bool {
        while let Some((id, queued)) = self.queue.pop_front() {
            let Some(device) = self.devices.get(&id) else {
                continue;
            };
            if device.established {
                continue;
            }
            if device.last_seen > queued {
                self.queue.push_back((id, device.last_seen));
                continue;
            }
            self.remove(id);
            self.stats.unestablished_evicted = self.stats.unestablished_evicted.saturating_add(1);
            return true;
        }
        false
    }

    /// Stale queue entries (promoted or removed devices) are dropped when the queue grows past
    /// twice the partition, so it stays bounded.
    fn compact_queue(&mut self) {
        if self.queue.len()
            <= self
                .config
                .max_unestablished
                .saturating_mul(2)
                .saturating_add(16)
        {
            return;
        }
        let devices = &self.devices;
        self.queue
            .retain(|(id, _)| devices.get(id).is_some_and(|d| !d.established));
        let mut seen = std::collections::HashSet::with_hasher(RandomState::default());
        self.queue.retain(|(id, _)| seen.insert(*id));
    }

    fn remove(&mut self, id: DeviceId) {
        let Some(device) = self.devices.remove(&id) else {
            return;
        };
        for ip in &device.ips {
            if self.by_ip.get(ip) == Some(&id) {
                self.by_ip.remove(ip);
            }
        }
        for acc in device.windows.iter().flatten() {
            self.budget.used = self.budget.used.saturating_sub(acc.entries);
            self.stats.windows_dropped = self.stats.windows_dropped.saturating_add(1);
        }
        if device.established {
            self.stats.established = self.stats.established.saturating_sub(1);
        } else {
            self.stats.unestablished = self.stats.unestablished.saturating_sub(1);
        }
    }

    /// Moves a device into the protected partition; emits [`Event::DeviceEstablished`] the
    /// first time. Refused (and counted) when the partition is full and nobody can retire.
    pub(crate) fn establish(&mut self, id: DeviceId, ts: Timestamp, events: &mut Vec<Event>) {
        if self.devices.get(&id).is_none_or(|d| d.established) {
            return;
        }
        if self.stats.established >= self.config.max_established as u64 && !self.retire_one(ts) {
            self.stats.established_refused = self.stats.established_refused.saturating_add(1);
            return;
        }
        let Some(device) = self.devices.get_mut(&id) else {
            return;
        };
        device.established = true;
        self.stats.established = self.stats.established.saturating_add(1);
        self.stats.unestablished = self.stats.unestablished.saturating_sub(1);
        events.push(Event::DeviceEstablished {
            ts,
            device: device.reference(),
            identity: device.identity.clone(),
        });
        self.absorb_routed(id);
    }

    /// Retires the established device silent longest, if silent past the idle timeout. The scan
    /// is skipped until the earliest time anyone could qualify.
    fn retire_one(&mut self, now: Timestamp) -> bool {
        if now < self.no_retire_before {
            return false;
        }
        let oldest = self
            .devices
            .values()
            .filter(|d| d.established)
            .map(|d| (d.last_seen, d.id))
            .min();
        let Some((last_seen, id)) = oldest else {
            return false;
        };
        let deadline = last_seen.add(self.config.established_idle_timeout);
        if deadline > now {
            self.no_retire_before = deadline;
            return false;
        }
        self.remove(id);
        self.stats.established_retired = self.stats.established_retired.saturating_add(1);
        true
    }

    /// Most devices held (both partitions).
    pub(crate) fn capacity(&self) -> usize {
        self.config
            .max_established
            .saturating_add(self.config.max_unestablished)
    }

    /// True when `id` is held and has an accumulator for window `index`.
    pub(crate) fn has_window(&self, id: &DeviceId, index: u64) -> bool {
        self.devices.get(id).is_some_and(|d| {
            d.windows
                .get((index % 2) as usize)
                .and_then(Option::as_ref)
                .is_some_and(|acc| acc.index == index)
        })
    }

    /// The accumulator of `id` for window `index`, created when missing.
    pub(crate) fn window(&mut self, id: &DeviceId, index: u64) -> Option<WindowCtx<'_>> {
        let device = self.devices.get_mut(id)?;
        let slot = device.windows.get_mut((index % 2) as usize)?;
        let mut created = false;
        if slot.as_ref().is_none_or(|acc| acc.index != index) {
            if let Some(old) = slot.take() {
                // Only a window that should have closed can be here; count it as lost.
                self.budget.used = self.budget.used.saturating_sub(old.entries);
                self.stats.windows_dropped = self.stats.windows_dropped.saturating_add(1);
            }
            *slot = Some(Box::new(WindowAcc::new(index)));
            created = true;
        }
        let acc = slot.as_deref_mut()?;
        Some(WindowCtx {
            acc,
            peer_history: &mut device.peer_history,
            port_history: &mut device.port_history,
            service_history: &mut device.service_history,
            budget: &mut self.budget,
            created,
        })
    }

    /// Takes the accumulator of `id` for window `index` (closing it) and releases its budget.
    pub(crate) fn take_window(&mut self, id: &DeviceId, index: u64) -> Option<Box<WindowAcc>> {
        let device = self.devices.get_mut(id)?;
        let slot = device.windows.get_mut((index % 2) as usize)?;
        if slot.as_ref().is_some_and(|acc| acc.index == index) {
            let acc = slot.take()?;
            self.budget.used = self.budget.used.saturating_sub(acc.entries);
            return Some(acc);
        }
        None
    }

    /// Adds evidence to a device; queues it for identification when the evidence is new.
    /// Returns false when the device's set refused it (kind full).
    pub(crate) fn add_evidence(&mut self, id: &DeviceId, evidence: Evidence) -> bool {
        let Some(device) = self.devices.get_mut(id) else {
            return false;
        };
        let dropped_before = device.evidence.dropped;
        let kept = device.evidence.insert(evidence);
        let refused = device.evidence.dropped != dropped_before;
        if kept && !device.pending_identify {
            device.pending_identify = true;
            self.queue_identify_list(*id);
        }
        !refused
    }

    /// Appends to the identification queue; the queue is compacted to live, pending devices
    /// when it grows past the device caps, so a flood cannot grow it without bound.
    fn queue_identify_list(&mut self, id: DeviceId) {
        self.to_identify.push(id);
        let cap = self
            .config
            .max_established
            .saturating_add(self.config.max_unestablished)
            .saturating_mul(2);
        if self.to_identify.len() > cap {
            let devices = &self.devices;
            self.to_identify
                .retain(|id| devices.get(id).is_some_and(|d| d.pending_identify));
            self.to_identify.sort_unstable();
            self.to_identify.dedup();
        }
    }

    /// Takes the devices queued for identification, sorted, clearing their flags.
    pub(crate) fn take_identify_queue(&mut self) -> Vec<DeviceId> {
        let mut ids = std::mem::take(&mut self.to_identify);
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|id| match self.devices.get_mut(id) {
            Some(d) if d.pending_identify => {
                d.pending_identify = false;
                true
            }
            _ => false,
        });
        ids
    }

    /// Records a served service (and its `ServedPort` evidence).
    pub(crate) fn add_served(&mut self, id: &DeviceId, service: ServedService) -> bool {
        let Some(device) = self.devices.get_mut(id) else {
            return true;
        };
        match device.served.binary_search(&service) {
            Ok(_) => return true,
            Err(at) if device.served.len() < MAX_SERVED_PER_DEVICE => {
                device.served.insert(at, service)
            }
            Err(_) => return true,
        }
        self.add_evidence(
            id,
            Evidence::new(EvidenceKind::ServedPort, &service.evidence_text()),
        )
    }

    /// Adds an address a device holds (DHCP lease, ARP sender).
    pub(crate) fn add_ip(&mut self, id: &DeviceId, ip: IpAddr) {
        let threshold = self.config.router_ip_threshold;
        if let Some(device) = self.devices.get_mut(id) {
            device.last_ip = Some(ip);
            if !device.ips.contains(&ip) && device.ips.len() < threshold {
                device.ips.push(ip);
            }
            self.bind_ip(ip, *id);
            if self.devices.contains_key(&DeviceId::Ip(ip)) {
                self.absorb_routed(*id);
            }
        }
    }
}

#[cfg(test)]
mod tests;
