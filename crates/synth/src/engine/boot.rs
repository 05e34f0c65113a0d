//! Host-level background traffic: booting (DHCP DISCOVER/OFFER/REQUEST/ACK through the
//! gateway's relay, then gratuitous ARP; static hosts only announce themselves) and ARP cache
//! refreshes of the gateway and same-subnet servers.

use super::kinds_net::lease_for;
use super::world::World;
use crate::proto::dhcp;
use crate::seed::Rng;
use crate::sink::Origin;
use crate::ward::HostId;
use crate::wire::conv::{Body, Conversation, FrameConv};
use crate::wire::frame::{self, Arp, ArpOp, Ip4, L2};
use dhcproto::v4::MessageType;
use rand::{Rng as _, RngCore};
use std::net::Ipv4Addr;

/// DHCP renewal period assumed for a booting host whose model has no DHCP item.
const DEFAULT_RENEW_S: f64 = 1800.0;

fn frames(origin: Origin, frames: Vec<(u64, Vec<u8>)>) -> Conversation {
    Conversation {
        origin,
        owner: None,
        body: Body::Frames(FrameConv::new(frames)),
    }
}

fn arp_frame(l2: L2, a: Arp) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    frame::arp(&mut out, &l2, &a).ok().map(|()| out)
}

/// How a host boots.
pub struct Boot {
    /// The host.
    pub host: HostId,
    /// When.
    pub t: u64,
    /// Its DHCP renewal period, if its model renews.
    pub renew_s: Option<f64>,
    /// Normal traffic or a scenario's.
    pub origin: Origin,
}

/// The frames of a host booting: DHCP DORA when it uses DHCP, then ARP probe and announcement.
pub fn boot(w: &World, rng: &mut Rng, b: &Boot) -> Conversation {
    let h = &w.ward.hosts[b.host];
    let vlan = w.vlan(w.capture_area(b.host));
    let (mut out, at) = if h.dhcp {
        dora(w, rng, b)
    } else {
        (Vec::new(), b.t)
    };
    let l2 = L2 {
        src: h.mac,
        dst: [0xff; 6],
        vlan,
    };
    let probe = Arp {
        op: ArpOp::Request,
        sha: h.mac,
        spa: Ipv4Addr::UNSPECIFIED,
        tha: [0; 6],
        tpa: h.ip,
    };
    let announce = Arp { spa: h.ip, ..probe };
    for (k, a) in [probe, announce].into_iter().enumerate() {
        if let Some(f) = arp_frame(l2, a) {
            out.push((at + k as u64 * 1_000_000, f));
        }
    }
    frames(b.origin, out)
}

/// DISCOVER, OFFER, REQUEST, ACK (broadcast; through the gateway's relay when the DHCP server is
/// on another subnet), and the time after them.
fn dora(w: &World, rng: &mut Rng, b: &Boot) -> (Vec<(u64, Vec<u8>)>, u64) {
    let Some(server) = w.ward.role("dhcp") else {
        return (Vec::new(), b.t);
    };
    let h = &w.ward.hosts[b.host];
    let area = w.capture_area(b.host);
    let vlan = w.vlan(area);
    let client = dhcp::Client {
        mac: h.mac,
        identity: h.identity.dhcp.as_ref(),
    };
    let renew = b.renew_s.unwrap_or(DEFAULT_RENEW_S);
    let lease = lease_for(w, b.host, renew, server, w.ward.areas[area].gateway_ip);
    let (relay_mac, relay_ip) = if lease.relay == Ipv4Addr::UNSPECIFIED {
        (w.ward.hosts[server].mac, w.ward.hosts[server].ip)
    } else {
        (w.ward.gateway_mac(), lease.relay)
    };
    let xid = rng.next_u32();
    let none = Ipv4Addr::UNSPECIFIED;
    let to_all = Ipv4Addr::BROADCAST;
    let from_client = (
        L2 {
            src: h.mac,
            dst: [0xff; 6],
            vlan,
        },
        Ip4 {
            src: none,
            dst: to_all,
            ttl: h.ttl,
            id: rng.r#gen(),
        },
        (68, 67),
    );
    let from_server = (
        L2 {
            src: relay_mac,
            dst: [0xff; 6],
            vlan,
        },
        Ip4 {
            src: relay_ip,
            dst: to_all,
            ttl: 128,
            id: rng.r#gen(),
        },
        (67, 68),
    );
    let messages = [
        (
            from_client,
            dhcp::client_message(MessageType::Discover, xid, &client, none, None, None, 0),
        ),
        (
            from_server,
            dhcp::server_message(MessageType::Offer, xid, h.mac, none, &lease, true),
        ),
        (
            from_client,
            dhcp::client_message(
                MessageType::Request,
                xid,
                &client,
                none,
                Some(h.ip),
                Some(lease.server),
                1,
            ),
        ),
        (
            from_server,
            dhcp::server_message(MessageType::Ack, xid, h.mac, none, &lease, true),
        ),
    ];
    let mut out = Vec::new();
    let mut at = b.t;
    for ((l2, ip, ports), payload) in messages {
        let mut buf = Vec::new();
        if frame::udp(&mut buf, &l2, &ip, ports, &payload).is_ok() {
            out.push((at, buf));
        }
        at += rng.gen_range(2_000..400_000);
    }
    (out, at)
}

/// An ARP refresh: `host` asks for `target`'s address and gets the reply (or the gateway asks
/// for the host's).
pub fn refresh(
    w: &World,
    rng: &mut Rng,
    host: HostId,
    target: Option<HostId>,
    t: u64,
) -> Conversation {
    let h = &w.ward.hosts[host];
    let area = w.capture_area(host);
    let vlan = w.vlan(area);
    let gw = &w.ward.hosts[w.ward.gateway];
    let gw_ip = w.ward.areas[area].gateway_ip;
    let (asker, asker_ip, answerer, answerer_ip) = match target {
        Some(tid) => (h.mac, h.ip, w.ward.hosts[tid].mac, w.ward.hosts[tid].ip),
        None if rng.gen_bool(0.3) => (gw.mac, gw_ip, h.mac, h.ip),
        None => (h.mac, h.ip, gw.mac, gw_ip),
    };
    let mut out = Vec::new();
    let request = Arp {
        op: ArpOp::Request,
        sha: asker,
        spa: asker_ip,
        tha: [0; 6],
        tpa: answerer_ip,
    };
    if let Some(f) = arp_frame(
        L2 {
            src: asker,
            dst: [0xff; 6],
            vlan,
        },
        request,
    ) {
        out.push((t, f));
    }
    let reply = Arp {
        op: ArpOp::Reply,
        sha: answerer,
        spa: answerer_ip,
        tha: asker,
        tpa: asker_ip,
    };
    if let Some(f) = arp_frame(
        L2 {
            src: answerer,
            dst: asker,
            vlan,
        },
        reply,
    ) {
        out.push((t + rng.gen_range(100..2_000), f));
    }
    frames(Origin::Normal, out)
}
