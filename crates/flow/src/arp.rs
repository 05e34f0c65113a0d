//! IP → MAC bindings and address conflicts (ARP spoofing, duplicate addresses).
//!
//! A binding is claimed by ARP (sender fields of requests, replies and gratuitous ARP) and by
//! IP traffic from a station. A different MAC claiming a held address is a conflict unless a
//! DHCP server leased the address to it after the holder bound it (readdressing), or the holder
//! has been silent longer than the takeover time (a replaced device), or the holder's claim came
//! from IP traffic of a station now known to forward for others (a router's MAC carrying a
//! routed host's address before the router was recognised). Conflicts are reported at most once
//! per (address, new MAC) per window, and again in later windows while claims go on.

use crate::event::Event;
use crate::ids::MacAddr;
use crate::time::{Span, Timestamp};
use foldhash::fast::RandomState;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// Most remembered DHCP leases.
pub const MAX_LEASES: usize = 4_096;
/// Most (address, MAC) conflict states tracked.
pub const MAX_CONFLICTS: usize = 1_024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Binding {
    mac: MacAddr,
    since: Timestamp,
    last_seen: Timestamp,
    /// Bound by IP traffic only, never by the holder's own ARP.
    from_traffic: bool,
}

#[derive(Clone, Copy, Debug)]
struct Conflict {
    claims: u32,
    reported_window: Option<u64>,
}

/// Counters of the address book.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AddressStats {
    /// Bindings held now.
    pub bindings: u64,
    /// Bindings evicted (least recently claimed first) to stay within the cap.
    pub bindings_evicted: u64,
    /// Addresses that moved to a new MAC without a conflict (DHCP lease or silent holder).
    pub rebinds: u64,
    /// Claims of a held address by another MAC.
    pub conflicting_claims: u64,
    /// Conflict events emitted.
    pub conflicts_reported: u64,
}

/// A binding as saved in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BindingRecord {
    /// The address.
    pub ip: IpAddr,
    /// The MAC holding it.
    pub mac: MacAddr,
    /// When the MAC first claimed it.
    pub since: Timestamp,
    /// Last claim.
    pub last_seen: Timestamp,
    /// Bound by IP traffic only (absent in older snapshots: treated as ARP, the cautious side).
    #[serde(default)]
    pub from_traffic: bool,
}

/// One claim of an address.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Claim {
    pub(crate) ts: Timestamp,
    pub(crate) ip: IpAddr,
    pub(crate) mac: MacAddr,
    /// Index of the window the claim falls in.
    pub(crate) window: u64,
    /// The claim is IP traffic, not ARP.
    pub(crate) from_traffic: bool,
}

/// Bindings, leases and conflict states, all bounded.
#[derive(Debug)]
pub(crate) struct AddressBook {
    cap: usize,
    takeover_after: Span,
    bindings: HashMap<IpAddr, Binding, RandomState>,
    queue: VecDeque<(IpAddr, Timestamp)>,
    leases: HashMap<IpAddr, (MacAddr, Timestamp), RandomState>,
    lease_order: VecDeque<IpAddr>,
    conflicts: HashMap<(IpAddr, MacAddr), Conflict, RandomState>,
    conflict_order: VecDeque<(IpAddr, MacAddr)>,
    pub(crate) stats: AddressStats,
}

impl AddressBook {
    /// An empty book of at most `cap` bindings.
    pub(crate) fn new(cap: usize, takeover_after: Span) -> Self {
        AddressBook {
            cap: cap.max(1),
            takeover_after,
            bindings: crate::capped::map(cap.max(1)),
            queue: VecDeque::new(),
            leases: HashMap::with_hasher(RandomState::default()),
            lease_order: VecDeque::new(),
            conflicts: HashMap::with_hasher(RandomState::default()),
            conflict_order: VecDeque::new(),
            stats: AddressStats::default(),
        }
    }

    /// The MAC currently bound to `ip`.
    pub(crate) fn mac_of(&self, ip: IpAddr) -> Option<MacAddr> {
        self.bindings.get(&ip).map(|b| b.mac)
    }

    /// Remembers that a DHCP server leased `ip` to `mac`.
    pub(crate) fn lease(&mut self, ip: IpAddr, mac: MacAddr, ts: Timestamp) {
        if self.leases.insert(ip, (mac, ts)).is_none() {
            self.lease_order.push_back(ip);
            while self.leases.len() > MAX_LEASES {
                match self.lease_order.pop_front() {
                    Some(old) => {
                        self.leases.remove(&old);
                    }
                    None => break,
                }
            }
        }
    }

    /// Records a claim; pushes an [`Event::AddressConflict`] when it conflicts and was not
    /// reported yet in this window. `infrastructure` says whether an address is a gateway or
    /// a widely used server; `forwarder` whether a MAC forwards traffic for others.
    pub(crate) fn claim(
        &mut self,
        claim: Claim,
        infrastructure: impl Fn(IpAddr, MacAddr) -> bool,
        forwarder: impl Fn(MacAddr) -> bool,
        events: &mut Vec<Event>,
    ) {
        let Some(binding) = self.bindings.get_mut(&claim.ip) else {
            self.insert(claim.ip, claim.mac, claim.ts, claim.from_traffic);
            return;
        };
        if binding.mac == claim.mac {
            binding.last_seen = binding.last_seen.max(claim.ts);
            binding.from_traffic &= claim.from_traffic;
            return;
        }
        let leased = self
            .leases
            .get(&claim.ip)
            .is_some_and(|(mac, at)| *mac == claim.mac && *at >= binding.since);
        let silent = claim.ts.since(binding.last_seen) > self.takeover_after;
        let forwarded = binding.from_traffic && forwarder(binding.mac);
        if leased || silent || forwarded {
            *binding = Binding {
                mac: claim.mac,
                since: claim.ts,
                last_seen: claim.ts,
                from_traffic: claim.from_traffic,
            };
            self.stats.rebinds = self.stats.rebinds.saturating_add(1);
            return;
        }
        let previous = binding.mac;
        self.stats.conflicting_claims = self.stats.conflicting_claims.saturating_add(1);
        let state = self.conflict_state(claim.ip, claim.mac);
        state.claims = state.claims.saturating_add(1);
        if state.reported_window == Some(claim.window) {
            return;
        }
        state.reported_window = Some(claim.window);
        let claims = state.claims;
        self.stats.conflicts_reported = self.stats.conflicts_reported.saturating_add(1);
        events.push(Event::AddressConflict {
            ts: claim.ts,
            ip: claim.ip,
            previous_mac: previous,
            new_mac: claim.mac,
            infrastructure: infrastructure(claim.ip, previous),
            claims,
        });
    }

    fn conflict_state(&mut self, ip: IpAddr, mac: MacAddr) -> &mut Conflict {
        if !self.conflicts.contains_key(&(ip, mac)) {
            while self.conflicts.len() >= MAX_CONFLICTS {
                match self.conflict_order.pop_front() {
                    Some(old) => {
                        self.conflicts.remove(&old);
                    }
                    None => break,
                }
            }
            self.conflict_order.push_back((ip, mac));
        }
        self.conflicts.entry((ip, mac)).or_insert(Conflict {
            claims: 0,
            reported_window: None,
        })
    }

    fn insert(&mut self, ip: IpAddr, mac: MacAddr, ts: Timestamp, from_traffic: bool) {
        while self.bindings.len() >= self.cap {
            self.evict_one();
        }
        self.bindings.insert(
            ip,
            Binding {
                mac,
                since: ts,
                last_seen: ts,
                from_traffic,
            },
        );
        self.queue.push_back((ip, ts));
        self.stats.bindings = self.bindings.len() as u64;
    }

    /// Second-chance eviction: a binding claimed since it was queued goes round again.
    fn evict_one(&mut self) {
        while let Some((ip, queued)) = self.queue.pop_front() {
            match self.bindings.get(&ip).map(|b| b.last_seen) {
                Some(last) if last > queued => self.queue.push_back((ip, last)),
                Some(_) => {
                    self.bindings.remove(&ip);
                    self.stats.bindings_evicted = self.stats.bindings_evicted.saturating_add(1);
                    return;
                }
                None => {}
            }
        }
    }

    /// Every binding, sorted by address (for snapshots).
    pub(crate) fn records(&self) -> Vec<BindingRecord> {
        let mut out: Vec<BindingRecord> = self
            .bindings
            .iter()
            .map(|(ip, b)| BindingRecord {
                ip: *ip,
                mac: b.mac,
                since: b.since,
                last_seen: b.last_seen,
                from_traffic: b.from_traffic,
            })
            .collect();
        out.sort_by_key(|r| r.ip);
        out
    }

    /// Restores bindings from a snapshot (within the cap).
    pub(crate) fn restore(&mut self, records: &[BindingRecord]) {
        for r in records {
            if !self.bindings.contains_key(&r.ip) {
                self.insert(r.ip, r.mac, r.since, r.from_traffic);
            }
            if let Some(b) = self.bindings.get_mut(&r.ip) {
                b.last_seen = r.last_seen;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(last: u8) -> MacAddr {
        MacAddr([0, 0x09, 0xfb, 0, 0, last])
    }
    fn claim(secs: u64, last: u8, window: u64) -> Claim {
        Claim {
            ts: Timestamp::from_secs(secs),
            ip: "10.0.0.1".parse().unwrap(),
            mac: mac(last),
            window,
            from_traffic: false,
        }
    }

    #[test]
    fn conflicts_once_per_window_and_again_while_claims_go_on() {
        let mut book = AddressBook::new(16, Span::from_secs(600));
        let mut events = Vec::new();
        book.claim(claim(0, 1, 0), |_, _| false, |_| false, &mut events);
        book.claim(claim(1, 1, 0), |_, _| false, |_| false, &mut events);
        assert!(events.is_empty());
        for s in 2..6 {
            book.claim(claim(s, 2, 0), |_, _| true, |_| false, &mut events);
        }
        assert_eq!(events.len(), 1);
        book.claim(claim(61, 2, 1), |_, _| true, |_| false, &mut events);
        assert_eq!(events.len(), 2);
        match &events[1] {
            Event::AddressConflict {
                previous_mac,
                new_mac,
                infrastructure,
                claims,
                ..
            } => {
                assert_eq!(*previous_mac, mac(1));
                assert_eq!(*new_mac, mac(2));
                assert!(*infrastructure);
                assert_eq!(*claims, 5);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(book.mac_of("10.0.0.1".parse().unwrap()), Some(mac(1)));
        assert_eq!(book.stats.conflicting_claims, 5);
        assert_eq!(book.stats.conflicts_reported, 2);
    }

    #[test]
    fn dhcp_lease_and_silent_holder_rebind_quietly() {
        let mut book = AddressBook::new(16, Span::from_secs(600));
        let mut events = Vec::new();
        book.claim(claim(0, 1, 0), |_, _| false, |_| false, &mut events);
        book.lease("10.0.0.1".parse().unwrap(), mac(2), Timestamp::from_secs(5));
        book.claim(claim(6, 2, 0), |_, _| false, |_| false, &mut events);
        assert!(events.is_empty());
        assert_eq!(book.mac_of("10.0.0.1".parse().unwrap()), Some(mac(2)));
        book.claim(claim(6 + 601, 3, 10), |_, _| false, |_| false, &mut events);
        assert!(events.is_empty(), "holder silent for over 10 min");
        assert_eq!(book.stats.rebinds, 2);
    }

    #[test]
    fn a_routers_traffic_binding_yields_to_the_hosts_arp_but_its_own_arp_does_not() {
        let router = mac(9);
        let mut book = AddressBook::new(16, Span::from_secs(600));
        let mut events = Vec::new();
        // Routed traffic from the host arrives with the router's MAC before the router is known.
        let mut routed = claim(0, 9, 0);
        routed.from_traffic = true;
        book.claim(routed, |_, _| true, |m| m == router, &mut events);
        // The host itself answers ARP for its address: the router was never the holder.
        book.claim(claim(5, 1, 0), |_, _| true, |m| m == router, &mut events);
        assert!(events.is_empty());
        assert_eq!(book.mac_of("10.0.0.1".parse().unwrap()), Some(mac(1)));
        assert_eq!(book.stats.rebinds, 1);
        // An address the router holds by its own ARP is defended.
        let mut book = AddressBook::new(16, Span::from_secs(600));
        book.claim(claim(0, 9, 0), |_, _| true, |m| m == router, &mut events);
        book.claim(claim(5, 1, 0), |_, _| true, |m| m == router, &mut events);
        assert_eq!(events.len(), 1);
        // A snapshot keeps how a binding was made.
        let mut book = AddressBook::new(16, Span::from_secs(600));
        let mut routed = claim(0, 9, 0);
        routed.from_traffic = true;
        book.claim(routed, |_, _| true, |_| false, &mut events);
        assert!(book.records()[0].from_traffic);
    }

    #[test]
    fn bindings_are_bounded() {
        let mut book = AddressBook::new(2, Span::from_secs(600));
        let mut events = Vec::new();
        for i in 0..5u8 {
            let c = Claim {
                ts: Timestamp::from_secs(u64::from(i)),
                ip: IpAddr::from([10, 0, 0, i]),
                mac: mac(i),
                window: 0,
                from_traffic: false,
            };
            book.claim(c, |_, _| false, |_| false, &mut events);
        }
        assert_eq!(book.stats.bindings, 2);
        assert_eq!(book.stats.bindings_evicted, 3);
        assert_eq!(book.records().len(), 2);
    }
}
