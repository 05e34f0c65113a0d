//! Hosts seen both directly and through a router.
//!
//! Behind a router (a MAC sending from many internal addresses) hosts are keyed by IP. When the
//! sensor also watches the host's own segment — a multi-VLAN SPAN sees a server on its server
//! VLAN with its own MAC, and on every ward VLAN behind the gateway's MAC — the same host would
//! be two devices: its MAC and its address. Once the host's own MAC is a device holding the
//! address that is *established* (two-way traffic) or *reached* (a unicast packet to the address
//! was delivered to that MAC: the network resolves the address to it; a spoofed source address
//! alone cannot absorb anything),
//! routed traffic from or to that address counts for the MAC device, and an IP-keyed device
//! already created for the address is absorbed into it: evidence, served services, VLANs, host
//! name, first/last seen and histories move over, the IP-keyed entry goes (its open windows are
//! dropped and counted), and the merge is counted.

use super::{Device, DeviceTable};
use crate::ids::{DeviceId, MacAddr};
use std::net::IpAddr;

impl DeviceTable {
    /// The device a packet from (or to) `ip` through the router `router` belongs to: the
    /// established MAC-keyed device that holds the address, else the address itself.
    pub(super) fn routed_host(&self, router: MacAddr, ip: IpAddr) -> DeviceId {
        let router_id = DeviceId::Mac(router);
        if self
            .devices
            .get(&router_id)
            .is_some_and(|d| d.own_ips.contains(&ip))
        {
            return router_id;
        }
        match self.by_ip.get(&ip) {
            Some(&owner @ DeviceId::Mac(mac))
                if mac != router
                    && self.devices.get(&owner).is_some_and(|d| {
                        (d.established || d.reached) && !d.router && d.ips.contains(&ip)
                    }) =>
            {
                owner
            }
            _ => DeviceId::Ip(ip),
        }
    }

    /// An ARP request from `mac` asking from `ip`: ARP is never routed, so a router asking from
    /// an address owns it (its interface on that subnet). Traffic of the router from that address
    /// then counts for the router itself, and a device already keyed by the address is absorbed.
    /// Returns true when `mac` is a router (the caller then keeps the frame on its MAC).
    pub(crate) fn note_arp_request(
        &mut self,
        mac: MacAddr,
        ip: IpAddr,
        ts: crate::time::Timestamp,
    ) -> bool {
        let id = DeviceId::Mac(mac);
        let Some(device) = self.devices.get_mut(&id) else {
            return false;
        };
        if !device.router {
            return false;
        }
        device.last_seen = device.last_seen.max(ts);
        if !device.own_ips.contains(&ip) && device.own_ips.len() < super::MAX_ROUTER_OWN_IPS {
            device.own_ips.push(ip);
            if self.devices.contains_key(&DeviceId::Ip(ip)) {
                self.absorb(DeviceId::Ip(ip), id);
            }
        }
        true
    }

    /// Notes that a unicast packet to `ip` was delivered to the MAC-keyed device `id` itself
    /// (not through a router), and absorbs an IP-keyed device of that address.
    pub(crate) fn note_reached(&mut self, id: DeviceId, mac: Option<MacAddr>, ip: IpAddr) {
        let DeviceId::Mac(own) = id else {
            return;
        };
        let Some(device) = self.devices.get_mut(&id) else {
            return;
        };
        if device.reached || mac != Some(own) || device.router || !device.ips.contains(&ip) {
            return;
        }
        device.reached = true;
        self.absorb_routed(id);
    }

    /// Absorbs the IP-keyed devices of the addresses an established (or reached) MAC-keyed
    /// device holds.
    pub(super) fn absorb_routed(&mut self, id: DeviceId) {
        let Some(device) = self.devices.get(&id) else {
            return;
        };
        if !matches!(id, DeviceId::Mac(_))
            || !(device.established || device.reached)
            || device.router
        {
            return;
        }
        let targets: Vec<DeviceId> = device
            .ips
            .iter()
            .map(|ip| DeviceId::Ip(*ip))
            .filter(|ip_id| self.devices.contains_key(ip_id))
            .collect();
        for ip_id in targets {
            self.absorb(ip_id, id);
        }
    }

    /// Moves what `from` learnt into `into` and removes `from`.
    pub(super) fn absorb(&mut self, from: DeviceId, into: DeviceId) {
        let Some(old) = self.devices.get(&from) else {
            return;
        };
        let evidence: Vec<_> = old.evidence.iter().cloned().collect();
        let served = old.served.clone();
        let moved = Moved::of(old);
        self.remove(from);
        for e in evidence {
            self.add_evidence(&into, e);
        }
        for service in served {
            self.add_served(&into, service);
        }
        if let Some(device) = self.devices.get_mut(&into) {
            moved.apply(device);
        }
        for ip in moved.ips {
            // The absorbing device holds the address now, whoever the lookup named before.
            self.by_ip.insert(ip, into);
        }
        self.stats.routed_merged = self.stats.routed_merged.saturating_add(1);
    }
}

/// The plain fields an absorbed device hands over.
struct Moved {
    first_seen: crate::time::Timestamp,
    last_seen: crate::time::Timestamp,
    hostname: Option<String>,
    vlans: Vec<u16>,
    ips: Vec<IpAddr>,
    peers: Vec<IpAddr>,
    ports: Vec<u16>,
    services: Vec<crate::window::ServiceKey>,
}

impl Moved {
    fn of(d: &Device) -> Moved {
        Moved {
            first_seen: d.first_seen,
            last_seen: d.last_seen,
            hostname: d.hostname.clone(),
            vlans: d.vlans.clone(),
            ips: d.ips.clone(),
            peers: d.peer_history.sorted_keys(),
            ports: d.port_history.sorted_keys(),
            services: d.service_history.sorted_keys(),
        }
    }

    fn apply(&self, d: &mut Device) {
        d.first_seen = d.first_seen.min(self.first_seen);
        d.last_seen = d.last_seen.max(self.last_seen);
        if d.hostname.is_none() {
            d.hostname.clone_from(&self.hostname);
        }
        for vlan in &self.vlans {
            d.note_vlan(*vlan);
        }
        for peer in &self.peers {
            d.peer_history.observe(*peer, 0);
        }
        for port in &self.ports {
            d.port_history.observe(*port, 0);
        }
        for key in &self.services {
            d.service_history.observe(*key, 0);
        }
    }
}
