//! The static world conversations are built in: the ward plan, the catalog and the config, and
//! the addressing rules of the capture point (which MAC and TTL a host's frames show, which
//! VLAN tag, which round-trip time).

use crate::config::WardConfig;
use crate::proto::Party;
use crate::seed::Rng;
use crate::sink::Origin;
use crate::ward::{HostId, HostKind, Ward};
use crate::wire::conv::{Body, Conversation, Endpoint, Path, Script, Side};
use crate::wire::tcp::{TcpConv, TcpOutcome, TcpParams, WINDOW_BYTES};
use crate::wire::udp::UdpConv;
use rand::{Rng as _, RngCore};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::Catalog;

/// Router hops between the hospital and external hosts (TTL decrease at the capture point).
const EXTERNAL_HOPS: u8 = 14;

/// The ward, the catalog and the config, shared read-only by every builder.
pub struct World<'a> {
    /// The ward plan (mutable only between events, e.g. for a firmware change).
    pub ward: &'a Ward,
    /// The catalog.
    pub catalog: &'a Catalog,
    /// The config.
    pub cfg: &'a WardConfig,
    /// Ports each host accepts connections on (from the catalog and the ward's traffic).
    pub served: &'a BTreeMap<HostId, BTreeSet<u16>>,
}

/// One side of a conversation before it is placed on the capture VLAN.
#[derive(Clone, Copy, Debug)]
pub enum Peer {
    /// A host of the ward (device, server, gateway, external endpoint, rogue).
    Host(HostId),
    /// A group address (broadcast or multicast) with its MAC.
    Group(Ipv4Addr, [u8; 6]),
    /// An address outside the hospital that is no planned host (scan targets, C2 servers).
    Remote(Ipv4Addr),
}

impl World<'_> {
    /// The area whose VLAN a conversation involving `local` is captured on.
    pub fn capture_area(&self, local: HostId) -> usize {
        self.ward.hosts[local].area.unwrap_or(0)
    }

    /// An endpoint as seen on the capture area's VLAN.
    pub fn endpoint(&self, peer: Peer, port: u16, area: usize) -> Endpoint {
        match peer {
            Peer::Group(ip, mac) => Endpoint {
                mac,
                ip,
                port,
                ttl: 1,
            },
            Peer::Remote(ip) => Endpoint {
                mac: self.ward.gateway_mac(),
                ip,
                port,
                ttl: 64 - EXTERNAL_HOPS,
            },
            Peer::Host(id) => {
                let h = &self.ward.hosts[id];
                let local = h.area == Some(area) || matches!(h.kind, HostKind::Gateway);
                let ttl = match (local, h.area) {
                    (true, _) => h.ttl,
                    (false, Some(_)) => h.ttl.saturating_sub(1),
                    (false, None) => h.ttl.saturating_sub(EXTERNAL_HOPS),
                };
                let ip = if matches!(h.kind, HostKind::Gateway) {
                    self.ward.areas[area].gateway_ip
                } else {
                    h.ip
                };
                Endpoint {
                    mac: if local {
                        h.mac
                    } else {
                        self.ward.gateway_mac()
                    },
                    ip,
                    port,
                    ttl,
                }
            }
        }
    }

    /// True when `host` accepts connections on `port`.
    pub fn serves(&self, host: HostId, port: u16) -> bool {
        self.served.get(&host).is_some_and(|s| s.contains(&port))
    }

    /// True when the host is outside the hospital.
    pub fn is_external(&self, peer: Peer) -> bool {
        match peer {
            Peer::Host(id) => self.ward.hosts[id].area.is_none(),
            Peer::Remote(_) => true,
            Peer::Group(..) => false,
        }
    }

    /// The path of a conversation from `a` to `b` captured on the VLAN of `local`'s area.
    pub fn path(&self, rng: &mut Rng, local: HostId, a: (Peer, u16), b: (Peer, u16)) -> Path {
        let area = self.capture_area(local);
        let t = &self.cfg.traffic;
        let base = if self.is_external(a.0) || self.is_external(b.0) {
            t.external_rtt_us
        } else {
            t.internal_rtt_us
        };
        let rtt = u64::from(base) * rng.gen_range(90..=110) / 100;
        Path {
            a: self.endpoint(a.0, a.1, area),
            b: self.endpoint(b.0, b.1, area),
            vlan: t.vlan_tags.then_some(self.ward.areas[area].vlan),
            rtt_us: rtt.max(2),
        }
    }

    /// Parameters of a TCP connection on `path` starting at `start_us`.
    pub fn tcp_params(
        &self,
        rng: &mut Rng,
        path: &Path,
        start_us: u64,
        outcome: TcpOutcome,
    ) -> TcpParams {
        let mss = self.cfg.traffic.mss;
        let link_gap = (u64::from(mss) + 58) * 8 / u64::from(self.cfg.traffic.link_mbps).max(1);
        // Keep the bytes in flight under the receive window: throughput <= window / RTT.
        let window_gap = path.rtt_us * u64::from(mss) / WINDOW_BYTES;
        TcpParams {
            start_us,
            mss,
            gap_us: link_gap.max(window_gap).max(1),
            isn: [rng.next_u32(), rng.next_u32()],
            ip_id: [rng.r#gen(), rng.r#gen()],
            outcome,
            close_by: Side::A,
        }
    }

    /// A TCP conversation.
    pub fn tcp(
        &self,
        rng: &mut Rng,
        path: Path,
        start_us: u64,
        outcome: TcpOutcome,
        script: Box<dyn Script>,
        origin: Origin,
    ) -> Conversation {
        let params = self.tcp_params(rng, &path, start_us, outcome);
        Conversation {
            origin,
            owner: None,
            body: Body::Tcp(Box::new(TcpConv::new(path, params, script))),
        }
    }

    /// A UDP conversation.
    pub fn udp(
        &self,
        rng: &mut Rng,
        path: Path,
        start_us: u64,
        silent: bool,
        script: Box<dyn Script>,
        origin: Origin,
    ) -> Conversation {
        Conversation {
            origin,
            owner: None,
            body: Body::Udp(Box::new(UdpConv::new(
                path,
                start_us,
                [rng.r#gen(), rng.r#gen()],
                silent,
                script,
            ))),
        }
    }

    /// The payload view of a host.
    pub fn party(&self, id: HostId) -> Party<'_> {
        let h = &self.ward.hosts[id];
        let product = h
            .model
            .map(|m| self.catalog.models[m].name.as_str())
            .unwrap_or("");
        Party {
            ip: h.ip,
            mac: h.mac,
            hostname: &h.hostname,
            fqdn: h.fqdn.as_deref(),
            identity: &h.identity,
            version: &h.version,
            vendor: &h.vendor,
            product,
            serial: &h.serial,
            location: &h.location,
        }
    }

    /// The VLAN tag of an area, when tags are written.
    pub fn vlan(&self, area: usize) -> Option<u16> {
        self.cfg
            .traffic
            .vlan_tags
            .then_some(self.ward.areas[area].vlan)
    }

    /// The broadcast address of a host's area.
    pub fn broadcast(&self, id: HostId) -> Ipv4Addr {
        let area = self.capture_area(id);
        self.ward.areas[area].subnet.broadcast()
    }
}

/// Ephemeral source ports, one counter per host.
pub struct Ports {
    next: Vec<u16>,
}

impl Ports {
    /// Counters for hosts with these stable labels, each starting at a seeded point of
    /// 49152..65535.
    pub fn new(seed: u64, labels: &[&str]) -> Ports {
        let next = labels
            .iter()
            .map(|l| 49_152 + (crate::seed::derive(seed, &format!("{l}/ports")) % 15_000) as u16)
            .collect();
        Ports { next }
    }

    /// The next ephemeral port of `host`.
    pub fn next(&mut self, host: HostId) -> u16 {
        if host >= self.next.len() {
            self.next.resize(host + 1, 49_152);
        }
        let p = self.next[host];
        self.next[host] = if p >= 65_000 { 49_152 } else { p + 1 };
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn setup() -> (Ward, Catalog, WardConfig) {
        let cfg = WardConfig::default_ward().unwrap();
        let catalog = Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap();
        let ward = Ward::plan(&cfg, &catalog, Some(40), 1).unwrap();
        (ward, catalog, cfg)
    }

    #[test]
    fn endpoints_follow_the_capture_point() {
        let (ward, catalog, cfg) = setup();
        let served = BTreeMap::new();
        let w = World {
            ward: &ward,
            catalog: &catalog,
            cfg: &cfg,
            served: &served,
        };
        let pump = ward
            .hosts
            .iter()
            .position(|h| h.class == "infusion_pump")
            .unwrap();
        let dc = ward.role("dc").unwrap();
        let central = ward.role("central_philips").unwrap();
        let cloud = ward.role("philips_remote").unwrap();
        let area = w.capture_area(pump);
        assert_eq!(ward.areas[area].vlan, 20);
        let me = w.endpoint(Peer::Host(pump), 1, area);
        assert_eq!((me.mac, me.ttl), (ward.hosts[pump].mac, 64));
        // A server in another subnet is reached through the gateway, one hop away.
        let server = w.endpoint(Peer::Host(dc), 53, area);
        assert_eq!(
            (server.mac, server.ttl, server.ip),
            (ward.gateway_mac(), 127, ward.hosts[dc].ip)
        );
        // The gateway shows its address in the capture area.
        let gw = w.endpoint(Peer::Host(ward.gateway), 0, area);
        assert_eq!(gw.ip, Ipv4Addr::new(10, 10, 20, 1));
        // External hosts arrive 14 hops away through the gateway.
        let ext = w.endpoint(Peer::Host(cloud), 443, area);
        assert_eq!((ext.mac, ext.ttl), (ward.gateway_mac(), 64 - EXTERNAL_HOPS));
        assert!(w.is_external(Peer::Host(cloud)) && !w.is_external(Peer::Host(central)));
        let mut rng = Rng::seed_from_u64(1);
        let p = w.path(
            &mut rng,
            pump,
            (Peer::Host(pump), 50_000),
            (Peer::Host(cloud), 443),
        );
        assert!((27_000..=33_000).contains(&p.rtt_us), "{}", p.rtt_us);
        assert_eq!(p.vlan, Some(20));
        assert_eq!(w.broadcast(pump), Ipv4Addr::new(10, 10, 20, 255));
    }

    #[test]
    fn ephemeral_ports_wrap_inside_the_dynamic_range() {
        let mut ports = Ports::new(1, &["a", "b"]);
        let first = ports.next(0);
        assert!((49_152..65_000).contains(&first));
        assert_ne!(first, Ports::new(1, &["b"]).next(0), "seeded by label");
        for _ in 0..20_000 {
            let p = ports.next(0);
            assert!((49_152..=65_000).contains(&p));
        }
        assert!(ports.next(7) >= 49_152, "unknown hosts get a counter");
    }
}
