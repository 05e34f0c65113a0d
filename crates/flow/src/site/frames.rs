//! Observations outside flows: ARP, frames without a flow, payload facts and DHCP leases.

use super::Site;
use crate::arp::Claim;
use crate::decode::ArpInfo;
use crate::event::{Event, RemoteExec};
use crate::features::Feature;
use crate::identify::{PayloadFact, Subject};
use crate::ids::{DeviceId, MacAddr};
use crate::observe::Station;
use crate::time::Timestamp;
use std::net::IpAddr;

impl Site {
    /// Counts a frame that belongs to no flow: the sender's packets out (a device is created
    /// only for IP frames from internal addresses), the receiver's packets in.
    pub(super) fn frame(
        &mut self,
        ts: Timestamp,
        src: Station,
        dst: Station,
        bytes: u64,
        link_group: bool,
    ) {
        let k = self.windows.index_of(ts);
        let group = link_group || dst.ip.is_some_and(crate::nets::is_group);
        let sender = match src.ip {
            Some(ip) => self.devices.sender(src.mac, Some(ip), ts, &self.nets),
            None => self.devices.lookup(src.mac, None),
        };
        if let Some(id) = sender {
            self.with_window(id, k, |ctx| {
                ctx.acc.count(Feature::PacketsOut, 1);
                ctx.acc.count(Feature::BytesOut, bytes);
                if group {
                    ctx.acc.count(Feature::BroadcastPackets, 1);
                }
            });
        }
        if group {
            return;
        }
        if let Some(id) = self.devices.lookup(dst.mac, dst.ip) {
            self.with_window(id, k, |ctx| {
                ctx.acc.count(Feature::PacketsIn, 1);
                ctx.acc.count(Feature::BytesIn, bytes);
            });
        }
    }

    /// An ARP packet: the sender's requests and targets, and its claim of its address.
    pub(super) fn arp(
        &mut self,
        ts: Timestamp,
        (src_mac, dst_mac): (Option<MacAddr>, Option<MacAddr>),
        arp: &ArpInfo,
        bytes: u64,
        link_group: bool,
        events: &mut Vec<Event>,
    ) {
        let k = self.windows.index_of(ts);
        let claimed_mac = arp.sender_mac.filter(|m| !m.is_group()).or(src_mac);
        let sender_ip = arp.sender_ip.map(IpAddr::V4);
        // ARP is link-local: the sending station is a device whatever address it asks for,
        // as long as it claims an internal one or none (a probe).
        let station = src_mac.or(claimed_mac);
        // A router asking ARP from an address owns it (ARP is not routed): its own device.
        let router_request = arp.operation == ArpInfo::REQUEST
            && matches!((station, sender_ip), (Some(m), Some(ip))
                if self.nets.is_internal_unicast(ip) && self.devices.note_arp_request(m, ip, ts));
        let sender = if router_request {
            station.map(DeviceId::Mac)
        } else {
            self.devices.sender(station, sender_ip, ts, &self.nets)
        };
        if let Some(id) = sender {
            let request = arp.operation == ArpInfo::REQUEST;
            let target = arp.target_ip.map(IpAddr::V4);
            self.with_window(id, k, |ctx| {
                ctx.acc.count(Feature::PacketsOut, 1);
                ctx.acc.count(Feature::BytesOut, bytes);
                if link_group {
                    ctx.acc.count(Feature::BroadcastPackets, 1);
                }
                if request {
                    ctx.acc.count(Feature::ArpRequests, 1);
                    if let Some(t) = target {
                        ctx.acc.arp_target(t, ctx.budget);
                    }
                }
            });
        }
        if let (Some(ip), Some(mac)) = (sender_ip.filter(|ip| !ip.is_unspecified()), claimed_mac)
            && self.nets.is_internal_unicast(ip)
        {
            let claim = Claim {
                ts,
                ip,
                mac,
                window: k,
                from_traffic: false,
            };
            let (infra, book, devices) = (&self.infra, &mut self.book, &self.devices);
            let widely = |ip, previous| infra.is_gateway(previous) || infra.is_widely_used(ip);
            book.claim(claim, widely, super::forwarder(infra, devices), events);
        }
        if !link_group && let Some(id) = self.devices.lookup(dst_mac, None) {
            self.with_window(id, k, |ctx| {
                ctx.acc.count(Feature::PacketsIn, 1);
                ctx.acc.count(Feature::BytesIn, bytes);
            });
        }
    }

    /// A fact identification found: evidence goes to the device it describes; DNS and
    /// remote-execution facts count in its window.
    pub(super) fn fact(&mut self, ts: Timestamp, src: Station, dst: Station, fact: &PayloadFact) {
        let k = self.windows.index_of(ts);
        let (station, feature) = match fact {
            PayloadFact::Evidence { subject, evidence } => {
                let station = match subject {
                    Subject::Source => src,
                    Subject::Destination => dst,
                };
                match self.devices.lookup(station.mac, station.ip) {
                    Some(id) => {
                        if !self.devices.add_evidence(&id, evidence.clone()) {
                            self.stats.evidence_dropped =
                                self.stats.evidence_dropped.saturating_add(1);
                        }
                    }
                    None => self.unrouted(),
                }
                return;
            }
            PayloadFact::DnsQuery => (src, Feature::DnsQueries),
            PayloadFact::DnsNxdomain => (dst, Feature::DnsNxdomain),
            PayloadFact::RemoteExec(_) => (src, Feature::RemoteExec),
        };
        let Some(id) = self.devices.lookup(station.mac, station.ip) else {
            self.unrouted();
            return;
        };
        let remote = match (fact, dst.ip) {
            (PayloadFact::RemoteExec(kind), Some(peer)) => Some(RemoteExec { peer, kind: *kind }),
            _ => None,
        };
        self.with_window(id, k, |ctx| match remote {
            Some(entry) => ctx.acc.remote_exec(entry),
            None => ctx.acc.count(feature, 1),
        });
    }

    fn unrouted(&mut self) {
        self.stats.facts_unrouted = self.stats.facts_unrouted.saturating_add(1);
    }

    /// A DHCP server leased `ip` to `mac`: the client is established (DHCP is two-way by
    /// nature) and later claims of the address by it are readdressing, not a conflict.
    pub(super) fn lease(
        &mut self,
        ts: Timestamp,
        mac: MacAddr,
        ip: IpAddr,
        events: &mut Vec<Event>,
    ) {
        self.book.lease(ip, mac, ts);
        let id = DeviceId::Mac(mac);
        if self.devices.get(&id).is_some() {
            if self.nets.is_internal_unicast(ip) {
                self.devices.add_ip(&id, ip);
            }
            self.devices.establish(id, ts, events);
        }
    }
}
