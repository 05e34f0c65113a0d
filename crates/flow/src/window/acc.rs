//! Per-device accumulators for one window: plain counters plus the bounded sets the distinct
//! counts, peer summaries and behaviour combinations come from.

use crate::event::{Direction, PeerRole, RemoteExec, Transport};
use crate::features::{FEATURE_COUNT, Feature};
use crate::periodicity::PeriodKey;
use foldhash::fast::RandomState;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// Most entries of one set (peers, ports, targets, combinations) per device window; further
/// distinct values are counted as refused and the distinct counts saturate here.
pub const MAX_WINDOW_SET: usize = 4_096;
/// Most behaviour combinations tracked per device window (the busiest are reported).
pub const MAX_SERVICES_TRACKED: usize = 256;
/// Most ports listed per peer summary.
pub const MAX_PORTS_PER_PEER: usize = 8;
/// Most beacon-candidate destinations examined per device window.
pub const MAX_PERIODIC_TRACKED: usize = 64;

/// One (direction, peer role, protocol, port) behaviour combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceKey {
    /// Who started the flows.
    pub direction: Direction,
    /// Role of the peer.
    pub role: PeerRole,
    /// Transport protocol.
    pub proto: Transport,
    /// Service port.
    pub port: u16,
}

/// Traffic with one peer in the window.
#[derive(Clone, Debug, Default)]
pub(crate) struct PeerAcc {
    pub(crate) internal: bool,
    pub(crate) new: bool,
    pub(crate) admin: bool,
    pub(crate) ports: Vec<u16>,
    pub(crate) flows_out: u32,
    pub(crate) flows_in: u32,
    pub(crate) failed: u32,
    pub(crate) bytes_out: u64,
    pub(crate) bytes_in: u64,
}

impl PeerAcc {
    pub(crate) fn add_port(&mut self, port: u16) {
        if let Err(at) = self.ports.binary_search(&port)
            && self.ports.len() < MAX_PORTS_PER_PEER
        {
            self.ports.insert(at, port);
        }
    }
}

/// Flows and bytes of one behaviour combination.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ServiceAcc {
    pub(crate) flows: u32,
    pub(crate) bytes: u64,
}

/// The pipeline-wide budget of set entries across all open device windows.
#[derive(Clone, Debug)]
pub(crate) struct EntryBudget {
    pub(crate) used: usize,
    pub(crate) cap: usize,
    /// Entries refused (per-set cap or budget exhausted).
    pub(crate) refused: u64,
}

impl EntryBudget {
    pub(crate) fn new(cap: usize) -> Self {
        EntryBudget {
            used: 0,
            cap,
            refused: 0,
        }
    }
}

/// Accumulators of one device for one window.
#[derive(Clone, Debug)]
pub(crate) struct WindowAcc {
    pub(crate) index: u64,
    counts: [u64; FEATURE_COUNT],
    pub(crate) peers: HashMap<IpAddr, PeerAcc, RandomState>,
    pub(crate) dst_ports: HashMap<u16, bool, RandomState>,
    pub(crate) arp_targets: HashSet<IpAddr, RandomState>,
    pub(crate) echo_targets: HashSet<IpAddr, RandomState>,
    pub(crate) services: HashMap<ServiceKey, ServiceAcc, RandomState>,
    /// Flow or byte updates of combinations that found no room.
    pub(crate) services_untracked: u32,
    pub(crate) remote_exec: Vec<RemoteExec>,
    pub(crate) periodic: Vec<PeriodKey>,
    /// Set entries this window holds against the budget.
    pub(crate) entries: usize,
}

impl WindowAcc {
    pub(crate) fn new(index: u64) -> Self {
        WindowAcc {
            index,
            counts: [0; FEATURE_COUNT],
            peers: HashMap::with_hasher(RandomState::default()),
            dst_ports: HashMap::with_hasher(RandomState::default()),
            arp_targets: HashSet::with_hasher(RandomState::default()),
            echo_targets: HashSet::with_hasher(RandomState::default()),
            services: HashMap::with_hasher(RandomState::default()),
            services_untracked: 0,
            remote_exec: Vec::new(),
            periodic: Vec::new(),
            entries: 0,
        }
    }

    /// Adds to a plain counter.
    pub(crate) fn count(&mut self, feature: Feature, by: u64) {
        if let Some(c) = self.counts.get_mut(feature.index()) {
            *c = c.saturating_add(by);
        }
    }

    /// A plain counter's value.
    pub(crate) fn counted(&self, feature: Feature) -> u64 {
        self.counts.get(feature.index()).copied().unwrap_or(0)
    }

    fn admit(&mut self, set_len: usize, limit: usize, budget: &mut EntryBudget) -> bool {
        if set_len >= limit || budget.used >= budget.cap {
            budget.refused = budget.refused.saturating_add(1);
            return false;
        }
        budget.used = budget.used.saturating_add(1);
        self.entries = self.entries.saturating_add(1);
        true
    }

    /// The peer entry for `ip`, created with `new` (was it unknown to the history?) when room.
    pub(crate) fn peer(
        &mut self,
        ip: IpAddr,
        internal: bool,
        new: impl FnOnce() -> bool,
        budget: &mut EntryBudget,
    ) -> Option<&mut PeerAcc> {
        if !self.peers.contains_key(&ip) {
            let is_new = new();
            if !self.admit(self.peers.len(), MAX_WINDOW_SET, budget) {
                return None;
            }
            self.peers.insert(
                ip,
                PeerAcc {
                    internal,
                    new: is_new,
                    ..PeerAcc::default()
                },
            );
        }
        self.peers.get_mut(&ip)
    }

    /// Records a destination port of a flow the device started.
    pub(crate) fn dst_port(
        &mut self,
        port: u16,
        new: impl FnOnce() -> bool,
        budget: &mut EntryBudget,
    ) {
        if !self.dst_ports.contains_key(&port) {
            let is_new = new();
            if self.admit(self.dst_ports.len(), MAX_WINDOW_SET, budget) {
                self.dst_ports.insert(port, is_new);
            }
        }
    }

    /// Records an ARP target.
    pub(crate) fn arp_target(&mut self, ip: IpAddr, budget: &mut EntryBudget) {
        if !self.arp_targets.contains(&ip)
            && self.admit(self.arp_targets.len(), MAX_WINDOW_SET, budget)
        {
            self.arp_targets.insert(ip);
        }
    }

    /// Records an ICMP echo target.
    pub(crate) fn echo_target(&mut self, ip: IpAddr, budget: &mut EntryBudget) {
        if !self.echo_targets.contains(&ip)
            && self.admit(self.echo_targets.len(), MAX_WINDOW_SET, budget)
        {
            self.echo_targets.insert(ip);
        }
    }

    /// Adds flows and bytes to a behaviour combination.
    pub(crate) fn service(
        &mut self,
        key: ServiceKey,
        flows: u32,
        bytes: u64,
        budget: &mut EntryBudget,
    ) {
        if !self.services.contains_key(&key)
            && !self.admit(self.services.len(), MAX_SERVICES_TRACKED, budget)
        {
            self.services_untracked = self.services_untracked.saturating_add(1);
            return;
        }
        let entry = self.services.entry(key).or_default();
        entry.flows = entry.flows.saturating_add(flows);
        entry.bytes = entry.bytes.saturating_add(bytes);
    }

    /// Remembers a destination whose periodicity is examined when the window closes.
    pub(crate) fn periodic_key(&mut self, key: PeriodKey) {
        if self.periodic.len() < MAX_PERIODIC_TRACKED && !self.periodic.contains(&key) {
            self.periodic.push(key);
        }
    }

    /// Records remote-execution evidence (distinct (peer, kind) pairs, bounded).
    pub(crate) fn remote_exec(&mut self, entry: RemoteExec) {
        self.count(Feature::RemoteExec, 1);
        if self.remote_exec.len() < crate::event::MAX_REMOTE_EXEC_PER_WINDOW
            && !self.remote_exec.contains(&entry)
        {
            self.remote_exec.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_respect_per_set_cap_and_budget() {
        let mut budget = EntryBudget::new(3);
        let mut acc = WindowAcc::new(7);
        for i in 0..5u8 {
            acc.arp_target(IpAddr::from([10, 0, 0, i]), &mut budget);
        }
        assert_eq!(acc.arp_targets.len(), 3);
        assert_eq!(budget.refused, 2);
        assert_eq!(acc.entries, 3);
        acc.count(Feature::ArpRequests, 5);
        assert_eq!(acc.counted(Feature::ArpRequests), 5);
        let mut p = PeerAcc::default();
        for port in [445, 22, 445, 1, 2, 3, 4, 5, 6, 7] {
            p.add_port(port);
        }
        assert_eq!(p.ports, vec![1, 2, 3, 4, 5, 6, 22, 445]);
    }
}
