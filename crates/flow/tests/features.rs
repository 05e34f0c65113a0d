//! One test per feature (group) on hand-built packets, with exact expected values.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "integration tests fail loudly on purpose"
)]

mod support;

use support::packets::{self, Host, flags};
use support::{at, feature, one, pipeline, run, window_of, windows};
use wardwatch_flow::event::{Direction, PeerRole, RemoteExecKind, ServiceUse, Transport};
use wardwatch_flow::identify::PayloadFact;
use wardwatch_flow::observe::{Observation, Station};
use wardwatch_flow::{Event, Feature as F, MacAddr, Timestamp};

const A: Host = Host::internal(0, 1);
const B: Host = Host::internal(0, 2);
const C: Host = Host::internal(0, 3);
const D: Host = Host::internal(0, 53);
const GW: Host = Host::internal(0, 254);
const E: Host = Host::external(GW, [93, 184, 216, 34]);
const E2: Host = Host::external(GW, [198, 51, 100, 7]);

fn hello(h: Host, secs: u64) -> Vec<(u64, Vec<u8>)> {
    one(secs, packets::arp(h, 1, [0; 6], GW.ip))
}

fn service(
    w: &wardwatch_flow::WindowFeatures,
    direction: Direction,
    role: PeerRole,
    proto: Transport,
    port: u16,
) -> Option<&ServiceUse> {
    w.services
        .iter()
        .find(|s| s.direction == direction && s.role == role && s.proto == proto && s.port == port)
}

#[test]
fn packets_bytes_and_mean_size() {
    let mut frames = hello(B, 0);
    for s in 1..=3 {
        frames.extend(one(s, packets::udp(A, B, (5000, 514), &[0; 58])));
    }
    frames.extend(one(4, packets::udp(B, A, (514, 5000), &[0; 18])));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::PacketsOut), 3.0);
    assert_eq!(feature(a, F::BytesOut), 300.0);
    assert_eq!(feature(a, F::MeanPacketSize), 100.0);
    assert_eq!(feature(a, F::PacketsIn), 1.0);
    assert_eq!(feature(a, F::BytesIn), 60.0);
    assert_eq!(feature(a, F::FlowsInitiated), 1.0);
    let b = window_of(&events, B, 0);
    assert_eq!(feature(b, F::PacketsIn), 3.0);
    assert_eq!(feature(b, F::BytesIn), 300.0);
    assert_eq!(feature(b, F::PacketsOut), 2.0, "ARP request and the reply");
    assert_eq!(feature(b, F::BytesOut), 102.0);
    assert_eq!(feature(b, F::MeanPacketSize), 51.0);
    assert_eq!(feature(b, F::FlowsAccepted), 1.0);
    let peer = &b.peers[0];
    assert_eq!(
        (
            peer.bytes_in,
            peer.bytes_out,
            peer.flows_in,
            peer.ports.as_slice()
        ),
        (300, 60, 1, &[514][..])
    );
    let s = service(
        a,
        Direction::Outbound,
        PeerRole::InternalServer,
        Transport::Udp,
        514,
    )
    .unwrap();
    assert_eq!((s.flows, s.bytes), (1, 360));
    let s = service(
        b,
        Direction::Inbound,
        PeerRole::InternalClient,
        Transport::Udp,
        514,
    )
    .unwrap();
    assert_eq!((s.flows, s.bytes), (1, 360));
}

#[test]
fn flows_ports_and_internal_peers() {
    let mut frames = Vec::new();
    frames.extend(at(1, packets::tcp_session(A, B, (40001, 104), 10, 10)));
    frames.extend(at(2, packets::tcp_session(A, B, (40002, 80), 10, 10)));
    frames.extend(at(3, packets::tcp_session(A, C, (40003, 104), 10, 10)));
    let mut p = pipeline();
    let events = run(&mut p, frames);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::FlowsInitiated), 3.0);
    assert_eq!(feature(a, F::FlowsAccepted), 0.0);
    assert_eq!(feature(a, F::DstPorts), 2.0);
    assert_eq!(feature(a, F::InternalPeers), 2.0);
    assert_eq!(feature(a, F::ExternalPeers), 0.0);
    assert_eq!(feature(a, F::NewPeers), 0.0, "history warm-up");
    assert_eq!(feature(a, F::NewPorts), 0.0, "history warm-up");
    let b = window_of(&events, B, 0);
    assert_eq!(feature(b, F::FlowsAccepted), 2.0);
    assert_eq!(feature(b, F::InternalPeers), 1.0);
    assert_eq!(feature(b, F::DstPorts), 0.0);
    let established: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::DeviceEstablished { device, .. } => device.mac,
            _ => None,
        })
        .collect();
    assert_eq!(
        established,
        vec![MacAddr(A.mac), MacAddr(B.mac), MacAddr(C.mac)]
    );
    let records = p.devices();
    let b_record = records
        .iter()
        .find(|r| r.device.mac == Some(MacAddr(B.mac)))
        .unwrap();
    let ports: Vec<u16> = b_record.services.iter().map(|s| s.port).collect();
    assert_eq!(ports, vec![80, 104]);
    assert_eq!(p.stats().flows.created, 3);
}

#[test]
fn external_peers_bytes_and_inbound_access() {
    let mut frames = at(1, packets::tcp_session(A, E, (40001, 443), 1000, 5000));
    frames.extend(one(
        10,
        packets::tcp(E2, A, (51000, 22), flags::SYN, (7, 0), &[]),
    ));
    frames.extend(one(
        10,
        packets::tcp(A, E2, (22, 51000), flags::SYNACK, (90, 8), &[]),
    ));
    frames.extend(one(
        11,
        packets::tcp(E2, A, (51001, 3389), flags::SYN, (7, 0), &[]),
    ));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::ExternalPeers), 2.0);
    assert_eq!(feature(a, F::InternalPeers), 0.0);
    assert_eq!(
        feature(a, F::BytesToExternal),
        54.0 * 5.0 + 1000.0 + 54.0,
        "client frames plus the SYN-ACK to E2"
    );
    assert_eq!(feature(a, F::InboundExternal), 2.0);
    assert_eq!(feature(a, F::InboundRemoteAccess), 2.0);
    assert_eq!(feature(a, F::FlowsAccepted), 2.0);
    assert!(
        service(
            a,
            Direction::Outbound,
            PeerRole::External,
            Transport::Tcp,
            443
        )
        .is_some()
    );
    assert!(
        service(
            a,
            Direction::Inbound,
            PeerRole::External,
            Transport::Tcp,
            22
        )
        .is_some()
    );
}

#[test]
fn failed_connections_targets_and_admin_ports() {
    let mut frames = hello(B, 0);
    frames.extend(hello(C, 0));
    // Unanswered SYN to SMB: fails after the half-open timeout.
    frames.extend(one(
        10,
        packets::tcp(A, B, (40001, 445), flags::SYN, (1, 0), &[]),
    ));
    // RST to a Telnet SYN.
    frames.extend(one(
        11,
        packets::tcp(A, C, (40002, 23), flags::SYN, (1, 0), &[]),
    ));
    frames.extend(one(
        11,
        packets::tcp(C, A, (23, 40002), flags::RSTACK, (0, 2), &[]),
    ));
    // ICMP port unreachable for SNMP.
    let snmp = packets::udp(A, B, (40003, 161), b"get");
    frames.extend(one(12, snmp.clone()));
    frames.extend(one(12, packets::port_unreachable(B, A, &snmp)));
    // A successful connection.
    frames.extend(at(13, packets::tcp_session(A, C, (40004, 80), 1, 1)));
    // A SYN just before the window ends still counts in window 0 (grace period).
    frames.extend(one(
        58,
        packets::tcp(A, B, (40005, 139), flags::SYN, (1, 0), &[]),
    ));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::FailedConnections), 4.0);
    assert_eq!(feature(a, F::FailedTargets), 2.0);
    assert_eq!(feature(a, F::FlowsInitiated), 5.0);
    assert_eq!(feature(a, F::DstPorts), 5.0);
    assert_eq!(feature(a, F::AdminSmb), 1.0);
    assert_eq!(feature(a, F::AdminTelnet), 1.0);
    assert_eq!(feature(a, F::AdminNetbios), 1.0);
    assert_eq!(feature(a, F::AdminTargets), 2.0);
    let b_peer = a
        .peers
        .iter()
        .find(|p| p.ip == std::net::IpAddr::from(B.ip))
        .unwrap();
    assert_eq!(b_peer.failed, 3);
    assert_eq!(b_peer.ports, vec![139, 161, 445]);
    assert!(
        windows(&events)
            .iter()
            .all(|w| w.window_start == Timestamp(0)),
        "nothing spills into window 1"
    );
}

#[test]
fn admin_families_count_internal_peers_only() {
    let ports = [445u16, 3389, 22, 23, 2323, 5985, 5986, 5900, 135, 139, 80];
    let mut frames = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        frames.extend(one(
            1,
            packets::tcp(A, B, (41000 + i as u16, *port), flags::SYN, (1, 0), &[]),
        ));
    }
    frames.extend(one(
        2,
        packets::tcp(A, E, (42000, 445), flags::SYN, (1, 0), &[]),
    ));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    let expected = [
        (F::AdminSmb, 1.0),
        (F::AdminRdp, 1.0),
        (F::AdminSsh, 1.0),
        (F::AdminTelnet, 2.0),
        (F::AdminWinrm, 2.0),
        (F::AdminVnc, 1.0),
        (F::AdminRpc, 1.0),
        (F::AdminNetbios, 1.0),
        (F::AdminTargets, 1.0),
    ];
    for (f, v) in expected {
        assert_eq!(feature(a, f), v, "{}", f.name());
    }
    assert_eq!(feature(a, F::FailedConnections), 12.0);
}

#[test]
fn new_peers_and_ports_compare_with_history() {
    let mut frames = one(1, packets::udp(A, B, (5000, 80), b"a"));
    frames.extend(one(3661, packets::udp(A, B, (5001, 80), b"b")));
    frames.extend(one(3662, packets::udp(A, C, (5002, 80), b"c")));
    frames.extend(one(3663, packets::udp(A, B, (5003, 8080), b"d")));
    let events = run(&mut pipeline(), frames);
    let w0 = window_of(&events, A, 0);
    assert_eq!(
        (feature(w0, F::NewPeers), feature(w0, F::NewPorts)),
        (0.0, 0.0),
        "in its first hour a device's history is too short to call anything new"
    );
    let w1 = window_of(&events, A, 3660);
    assert_eq!(feature(w1, F::InternalPeers), 2.0);
    assert_eq!(feature(w1, F::DstPorts), 2.0);
    assert_eq!(feature(w1, F::NewPeers), 1.0, "C is new, B is not");
    assert_eq!(feature(w1, F::NewPorts), 1.0, "8080 is new, 80 is not");
}

#[test]
fn dns_and_remote_exec_facts_count_for_the_right_device() {
    let mut p = pipeline();
    let mut events = Vec::new();
    let frames = [
        packets::udp(A, D, (5353, 53), b"q"),
        packets::udp(D, A, (53, 5353), b"r"),
    ];
    for (i, data) in frames.iter().enumerate() {
        let packet = wardwatch_flow::Packet {
            ts: Timestamp::from_secs(1 + i as u64),
            link: wardwatch_flow::LinkType::Ethernet,
            data,
            wire_len: data.len() as u32,
        };
        p.push(&packet, &mut events);
    }
    let st = |h: Host| Station {
        mac: Some(MacAddr(h.mac)),
        ip: Some(h.ip.into()),
    };
    let facts = [
        (st(A), st(D), PayloadFact::DnsQuery),
        (st(A), st(D), PayloadFact::DnsQuery),
        (st(D), st(A), PayloadFact::DnsNxdomain),
        (
            st(A),
            st(B),
            PayloadFact::RemoteExec(RemoteExecKind::SvcctlPipe),
        ),
        (
            st(A),
            st(B),
            PayloadFact::RemoteExec(RemoteExecKind::SvcctlPipe),
        ),
        (st(E), st(A), PayloadFact::DnsQuery),
    ];
    for (src, dst, fact) in &facts {
        let obs = Observation::Fact {
            ts: Timestamp::from_secs(3),
            src: *src,
            dst: *dst,
            fact,
        };
        p.observe(&obs, &mut events);
    }
    p.flush(&mut events);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::DnsQueries), 2.0);
    assert_eq!(feature(a, F::DnsNxdomain), 1.0);
    assert_eq!(feature(a, F::RemoteExec), 2.0);
    assert_eq!(a.remote_exec.len(), 1, "distinct (peer, kind) pairs");
    assert_eq!(a.remote_exec[0].peer, std::net::IpAddr::from(B.ip));
    assert_eq!(feature(window_of(&events, D, 0), F::DnsQueries), 0.0);
    assert_eq!(
        p.stats().site.facts_unrouted,
        1,
        "the external asker is no device"
    );
}

#[test]
fn arp_icmp_and_broadcast() {
    let mut frames = one(1, packets::arp(A, 1, [0; 6], B.ip));
    frames.extend(one(2, packets::arp(A, 1, [0; 6], B.ip)));
    frames.extend(one(3, packets::arp(A, 1, [0; 6], C.ip)));
    frames.extend(one(4, packets::ping(A, B, 1, 1, true)));
    frames.extend(one(5, packets::ping(A, C, 2, 1, true)));
    frames.extend(one(6, packets::ping(A, B, 1, 2, true)));
    frames.extend(one(7, packets::udp_broadcast(A, (68, 67), b"discover")));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    assert_eq!(feature(a, F::ArpRequests), 3.0);
    assert_eq!(feature(a, F::ArpTargets), 2.0);
    assert_eq!(feature(a, F::IcmpEchoTargets), 2.0);
    assert_eq!(feature(a, F::BroadcastPackets), 4.0);
    assert_eq!(feature(a, F::PacketsOut), 7.0);
    assert_eq!(
        feature(a, F::FlowsInitiated),
        3.0,
        "two ping ids and the broadcast"
    );
    assert!(
        service(
            a,
            Direction::Outbound,
            PeerRole::Multicast,
            Transport::Udp,
            67
        )
        .is_some()
    );
}

#[test]
fn periodic_connections_score_high() {
    let mut frames = Vec::new();
    for i in 0..12u64 {
        frames.extend(at(
            5 + 60 * i,
            packets::tcp_session(A, E, (40000 + i as u16, 443), 100, 300),
        ));
    }
    let events = run(&mut pipeline(), frames);
    let w2 = window_of(&events, A, 120);
    assert_eq!(
        feature(w2, F::Periodicity),
        0.0,
        "three connections are not enough"
    );
    let w3 = window_of(&events, A, 180);
    assert_eq!(feature(w3, F::Periodicity), 1.0);
    let last = window_of(&events, A, 660);
    assert_eq!(feature(last, F::Periodicity), 1.0);
    let beacon = &last.periodic[0];
    assert_eq!(beacon.ip, std::net::IpAddr::from(E.ip));
    assert_eq!(
        (beacon.port, beacon.connections, beacon.interval_s),
        (443, 12, 60.0)
    );
    assert!(!beacon.internal);
    assert_eq!(
        beacon.bytes_per_connection,
        54 * 5 + 100,
        "bytes the device sent per connection"
    );
}

#[test]
fn peer_roles() {
    let mut frames = hello(B, 0);
    frames.extend(one(1, packets::udp(A, D, (5353, 53), b"q")));
    frames.extend(one(1, packets::udp(D, A, (53, 5353), b"r")));
    frames.extend(one(
        2,
        packets::udp(
            A,
            Host {
                mac: [1, 0, 0x5e, 0x7f, 0xff, 0xfa],
                ip: [239, 255, 255, 250],
            },
            (1900, 1900),
            b"M-SEARCH",
        ),
    ));
    frames.extend(at(3, packets::tcp_session(A, E, (40001, 443), 1, 1)));
    frames.extend(at(4, packets::tcp_session(B, A, (40002, 104), 1, 1)));
    frames.extend(at(5, packets::tcp_session(A, B, (40003, 104), 1, 1)));
    frames.extend(one(6, packets::ping(A, GW, 9, 1, true)));
    frames.extend(one(6, packets::arp(GW, 2, A.mac, A.ip)));
    frames.extend(one(7, packets::ping(A, GW, 10, 1, true)));
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    let expect = [
        (
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Udp,
            53,
        ),
        (
            Direction::Outbound,
            PeerRole::Multicast,
            Transport::Udp,
            1900,
        ),
        (Direction::Outbound, PeerRole::External, Transport::Tcp, 443),
        (
            Direction::Inbound,
            PeerRole::InternalClient,
            Transport::Tcp,
            104,
        ),
        (
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            104,
        ),
        (
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Icmp,
            0,
        ),
        (
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Icmp,
            0,
        ),
    ];
    for (d, r, t, port) in expect {
        assert!(
            service(a, d, r, t, port).is_some(),
            "{d:?} {r:?} {t:?} {port}: {:?}",
            a.services
        );
    }
    assert_eq!(a.services.len(), expect.len());
}

#[test]
fn address_conflicts_are_rate_limited_and_flag_infrastructure() {
    const M: [u8; 6] = [0x02, 0, 0, 0, 0x66, 0x66];
    let mut frames = at(0, packets::tcp_session(A, E, (40001, 443), 1, 1));
    frames.extend(one(1, packets::arp_claim(GW.mac, GW.ip)));
    frames.extend(one(2, packets::arp_claim(M, GW.ip)));
    frames.extend(one(3, packets::arp_claim(M, GW.ip)));
    frames.extend(one(61, packets::arp_claim(M, GW.ip)));
    // DHCP readdressing: 10.0.0.77 held by Y, then leased to X: no conflict.
    let x = Host {
        mac: [0x02, 0, 0, 0, 0x77, 0x01],
        ip: [10, 0, 0, 77],
    };
    let y = Host {
        mac: [0x02, 0, 0, 0, 0x77, 0x02],
        ip: [10, 0, 0, 77],
    };
    frames.extend(one(4, packets::arp_claim(y.mac, y.ip)));
    frames.extend(one(5, packets::dhcp_ack(D, x.mac, x.ip)));
    frames.extend(one(6, packets::arp_claim(x.mac, x.ip)));
    let mut p = pipeline();
    let events = run(&mut p, frames);
    let conflicts: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::AddressConflict {
                ts,
                ip,
                previous_mac,
                new_mac,
                infrastructure,
                claims,
            } => Some((
                ts.secs(),
                *ip,
                *previous_mac,
                *new_mac,
                *infrastructure,
                *claims,
            )),
            _ => None,
        })
        .collect();
    let gw_ip = std::net::IpAddr::from(GW.ip);
    assert_eq!(
        conflicts,
        vec![
            (2, gw_ip, MacAddr(GW.mac), MacAddr(M), true, 1),
            (61, gw_ip, MacAddr(GW.mac), MacAddr(M), true, 3),
        ]
    );
    assert_eq!(p.stats().addresses.conflicting_claims, 3);
    assert_eq!(
        p.stats().addresses.rebinds,
        1,
        "the DHCP lease moved .77 quietly"
    );
}

#[test]
fn window_lists_respect_their_bounds() {
    use wardwatch_flow::event::{MAX_PEERS_PER_WINDOW, MAX_SERVICES_PER_WINDOW};
    let mut frames = Vec::new();
    for port in 0..100u16 {
        frames.extend(one(1, packets::udp(A, B, (5000, 1000 + port), b"x")));
    }
    for peer in 0..40u8 {
        frames.extend(one(
            2,
            packets::udp(A, Host::internal(5, peer), (5001, 7), b"y"),
        ));
    }
    let events = run(&mut pipeline(), frames);
    let a = window_of(&events, A, 0);
    assert_eq!(a.services.len(), MAX_SERVICES_PER_WINDOW);
    assert_eq!(
        a.services_truncated,
        100 + 1 - 64,
        "101 combinations, 64 kept"
    );
    assert_eq!(a.peers.len(), MAX_PEERS_PER_WINDOW);
    assert_eq!(feature(a, F::InternalPeers), 41.0);
    assert_eq!(feature(a, F::DstPorts), 101.0);
}

/// A snapshot with identities set (identification itself is another module's job).
fn restored_with_models(p: &mut wardwatch_flow::Pipeline, hosts: &[(Host, &str)]) {
    let mut frames = Vec::new();
    for (i, (h, _)) in hosts.iter().enumerate() {
        frames.extend(at(
            1,
            packets::tcp_session(*h, D, (40000 + i as u16, 80), 1, 1),
        ));
    }
    let mut seed = pipeline();
    run(&mut seed, frames);
    let mut snapshot = seed.snapshot();
    for device in &mut snapshot.devices {
        if let Some((_, model)) = hosts
            .iter()
            .find(|(h, _)| device.mac == Some(MacAddr(h.mac)))
        {
            device.identity.model = Some((*model).into());
            device.identity.software_version = Some("1.0".into());
        }
    }
    p.restore(snapshot);
}

#[test]
fn same_model_peers_get_their_own_role() {
    let mut p = pipeline();
    restored_with_models(
        &mut p,
        &[(A, "demo-pump"), (B, "demo-pump"), (C, "demo-monitor")],
    );
    let mut frames = at(100, packets::tcp_session(A, B, (41000, 2575), 1, 1));
    frames.extend(at(101, packets::tcp_session(A, C, (41001, 2575), 1, 1)));
    let events = run(&mut p, frames);
    let a = window_of(&events, A, 60);
    assert!(
        service(
            a,
            Direction::Outbound,
            PeerRole::SameModel,
            Transport::Tcp,
            2575
        )
        .is_some()
    );
    assert!(
        service(
            a,
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            2575
        )
        .is_some()
    );
    let b = window_of(&events, B, 60);
    assert!(
        service(
            b,
            Direction::Inbound,
            PeerRole::SameModel,
            Transport::Tcp,
            2575
        )
        .is_some()
    );
    assert_eq!(
        a.identity.model.as_ref().map(|m| m.as_str()),
        Some("demo-pump")
    );
}

#[test]
fn identity_change_of_an_established_device_is_an_event() {
    let mut p = pipeline();
    restored_with_models(&mut p, &[(A, "demo-pump")]);
    assert!(p.devices().iter().all(|d| d.established));
    // A serves a new port: new evidence (`tcp/8080`), so A is identified again when the window
    // closes; with an empty catalog nothing matches any more.
    let frames = at(100, packets::tcp_session(B, A, (41000, 8080), 1, 1));
    let events = run(&mut p, frames);
    let changes: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::IdentityChanged {
                ts,
                device,
                field,
                before,
                after,
            } => Some((
                ts.secs(),
                device.mac,
                *field,
                before.as_str(),
                after.as_str(),
            )),
            _ => None,
        })
        .collect();
    use wardwatch_flow::event::IdentityField;
    let a = Some(MacAddr(A.mac));
    assert_eq!(
        changes,
        vec![
            (125, a, IdentityField::Model, "demo-pump", ""),
            (125, a, IdentityField::SoftwareVersion, "1.0", ""),
        ]
    );
    let window = window_of(&events, A, 60);
    assert_eq!(
        window.identity.model, None,
        "the window carries the identity at close"
    );
    let a_established = events
        .iter()
        .any(|e| matches!(e, Event::DeviceEstablished { device, .. } if device.mac == a));
    assert!(!a_established, "A was restored established");
}
