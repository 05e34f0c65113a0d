use super::*;
use crate::decode::DecodeErrorKind;
use crate::testing::packets::{self, Host, flags};
use crate::testing::{pipeline, push_all};

const A: Host = Host::internal(0, 1);
const B: Host = Host::internal(0, 2);

fn windows(events: &[Event]) -> Vec<&crate::event::WindowFeatures> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Window(w) => Some(w.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_quiet_network_closes_windows_through_advance() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    push_all(
        &mut p,
        10,
        &[(0, packets::udp(A, B, (5000, 514), b"syslog"))],
        &mut events,
    );
    p.advance(Timestamp::from_secs(64), &mut events);
    assert!(
        windows(&events).is_empty(),
        "window 0 closes at 60 s + 5 s grace"
    );
    p.advance(Timestamp::from_secs(65), &mut events);
    let w = windows(&events);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].window_start, Timestamp(0));
    assert_eq!(w[0].window_secs, 60);
    assert_eq!(p.stats().site.windows_emitted, 1);
    p.advance(Timestamp::from_secs(1), &mut events);
    assert_eq!(
        p.stats().time_regressions,
        0,
        "an earlier advance is ignored, not a regression"
    );
}

#[test]
fn time_going_backwards_is_clamped_and_counted() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    push_all(
        &mut p,
        100,
        &[(0, packets::udp(A, B, (1, 2), b"x"))],
        &mut events,
    );
    push_all(
        &mut p,
        50,
        &[(0, packets::udp(A, B, (1, 2), b"x"))],
        &mut events,
    );
    assert_eq!(p.stats().time_regressions, 1);
    assert_eq!(p.stats().last_packet, Some(Timestamp::from_secs(100)));
    p.flush(&mut events);
    let w = windows(&events);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].features.get(crate::Feature::PacketsOut), 2.0);
}

#[test]
fn decode_errors_and_partial_decodes_are_counted_by_kind() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let syn = packets::tcp(A, B, (40000, 104), flags::SYN, (1, 0), &[]);
    let frames = vec![
        (0, syn[..10].to_vec()),
        (1, syn[..14 + 20 + 8].to_vec()),
        (2, syn[..14 + 10].to_vec()),
    ];
    push_all(&mut p, 1, &frames, &mut events);
    let s = p.stats();
    assert_eq!(
        s.decode_errors.kind(DecodeErrorKind::Truncated),
        2,
        "short Ethernet, short IP"
    );
    assert_eq!(s.decode_errors.layer(crate::decode::DecodeLayer::Link), 1);
    assert_eq!(s.decode_errors.layer(crate::decode::DecodeLayer::Ip), 1);
    assert_eq!(
        s.decode_partial.kind(DecodeErrorKind::Truncated),
        1,
        "TCP header cut"
    );
    assert_eq!(s.decode_partial.layer(crate::decode::DecodeLayer::Tcp), 1);
    assert_eq!(s.packets, 3);
    assert_eq!(
        s.flows.created, 0,
        "a TCP packet without ports makes no flow"
    );
}

#[test]
fn snapshot_round_trips_through_json() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    push_all(
        &mut p,
        1,
        &packets::tcp_session(A, B, (40000, 104), 100, 200),
        &mut events,
    );
    p.flush(&mut events);
    let snapshot = p.snapshot();
    assert_eq!(snapshot.devices.len(), 2);
    let json = serde_json::to_string(&snapshot).unwrap();
    let mut q = pipeline(PipelineConfig::default());
    q.restore(serde_json::from_str(&json).unwrap());
    assert_eq!(q.devices(), p.devices());
    assert_eq!(q.snapshot().devices, snapshot.devices);
    let mut wrong = snapshot.clone();
    wrong.format = 99;
    q.restore(wrong);
    assert_eq!(q.stats().snapshots_refused, 1);
    let record = &p.devices()[1];
    assert_eq!(record.services.len(), 1);
    assert_eq!(record.services[0].port, 104);
    assert!(record.established);
}

#[test]
fn records_list_vlans_and_used_services() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let mut frames = packets::tcp_session(A, B, (40000, 104), 100, 200);
    frames.push((900, packets::udp_vlan(A, B, 20, (5000, 53))));
    frames.push((901, packets::udp_vlan(A, B, 7, (5001, 514))));
    push_all(&mut p, 1, &frames, &mut events);
    p.flush(&mut events);
    let records = p.devices();
    let (a, b) = (&records[0], &records[1]);
    assert_eq!(a.vlans, vec![7, 20]);
    assert_eq!(
        b.vlans,
        vec![7, 20],
        "the receiving device is on the VLAN too"
    );
    let used: Vec<String> = a.used.iter().map(|s| s.evidence_text()).collect();
    assert_eq!(used, vec!["tcp/104", "udp/53", "udp/514"]);
    assert!(b.used.is_empty(), "B only answered");
    assert_eq!(b.services[0].evidence_text(), "tcp/104");
    // Snapshots keep the VLANs; the used services come back from the restored history.
    let mut q = pipeline(PipelineConfig::default());
    q.restore(p.snapshot());
    assert_eq!(q.devices(), records);
}

#[test]
fn stations_without_an_address_do_not_share_a_flow() {
    // Two DHCP clients discovering within the UDP timeout: every IP field of their packets is
    // the same (0.0.0.0:68 → 255.255.255.255:67). Each must become its own device with its own
    // host name, not have its packets and evidence counted for the first.
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let (first, second) = ([0x02, 0, 0, 0, 9, 1], [0x02, 0, 0, 0, 9, 2]);
    push_all(
        &mut p,
        1,
        &[
            (0, packets::dhcp_discover(first, "pump-one")),
            (500, packets::dhcp_discover(second, "pump-two")),
        ],
        &mut events,
    );
    p.flush(&mut events);
    assert_eq!(p.stats().flows.created, 2);
    assert_eq!(p.stats().site.facts_unrouted, 0);
    let hosts: Vec<(String, Option<String>)> = p
        .devices()
        .iter()
        .map(|d| (d.device.id.to_string(), d.hostname.clone()))
        .collect();
    assert_eq!(
        hosts,
        vec![
            ("02:00:00:00:09:01".to_owned(), Some("pump-one".to_owned())),
            ("02:00:00:00:09:02".to_owned(), Some("pump-two".to_owned())),
        ]
    );
}

#[test]
fn a_host_seen_directly_and_through_the_router_is_one_device() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let gateway = [0x02, 0, 0, 0, 0xfe, 0xfe];
    let client = Host::internal(1, 5);
    let server = Host {
        mac: [0x02, 0, 0, 0, 100, 10],
        ip: [10, 0, 100, 10],
    };
    let server_routed = Host {
        mac: gateway,
        ip: server.ip,
    };
    let dns = Host::internal(100, 53);
    let shift =
        |frames: Vec<(u64, Vec<u8>)>, by: u64| frames.into_iter().map(move |(ms, f)| (ms + by, f));
    // Before the gateway is known as a router, it forwards a session with the server: its MAC
    // is established and holds the server's address in the lookup for a while.
    let mut frames = packets::tcp_session(client, server_routed, (39999, 104), 10, 20);
    // The gateway forwards from 15 more internal addresses: a router.
    for i in 0..15u8 {
        let behind = Host {
            mac: gateway,
            ip: [10, 0, 200, i + 1],
        };
        frames.push((
            u64::from(i),
            packets::udp(behind, client, (5000, 6000), b"x"),
        ));
    }
    // Routed first: the client's DICOM session reaches the server through the gateway.
    frames.extend(shift(
        packets::tcp_session(client, server_routed, (40000, 104), 100, 200),
        100,
    ));
    assert_eq!(frames.len(), 31);
    push_all(&mut p, 1, &frames, &mut events);
    let ids: Vec<String> = p
        .devices()
        .iter()
        .map(|d| d.device.id.to_string())
        .collect();
    assert!(ids.contains(&"10.0.100.10".to_owned()), "{ids:?}");
    // A station that only sends from the server's address (a spoofed source) absorbs nothing.
    let spoofer = Host {
        mac: [0x02, 0, 0, 0, 66, 66],
        ip: server.ip,
    };
    push_all(
        &mut p,
        2,
        &[(0, packets::udp(spoofer, dns, (40009, 53), b"q0"))],
        &mut events,
    );
    assert_eq!(p.stats().devices.routed_merged, 0);
    // The server on its own segment: the DNS answer is delivered to its own MAC at the address.
    let direct = vec![
        (1, packets::udp(server, dns, (40001, 53), b"q1")),
        (2, packets::udp(dns, server, (53, 40001), b"a1")),
    ];
    push_all(&mut p, 2, &direct, &mut events);
    assert_eq!(p.stats().devices.routed_merged, 1);
    // Routed traffic after the merge counts for the server's MAC device too.
    let later = packets::tcp_session(client, server_routed, (40002, 11112), 100, 200);
    push_all(&mut p, 3, &later, &mut events);
    p.flush(&mut events);
    let devices = p.devices();
    let ids: Vec<String> = devices.iter().map(|d| d.device.id.to_string()).collect();
    assert!(!ids.contains(&"10.0.100.10".to_owned()), "{ids:?}");
    let merged = devices
        .iter()
        .find(|d| d.device.id.to_string() == "02:00:00:00:64:0a")
        .unwrap();
    let served: Vec<String> = merged.services.iter().map(|s| s.evidence_text()).collect();
    assert_eq!(served, vec!["tcp/104", "tcp/11112"]);
    assert_eq!(merged.first_seen, Timestamp(1_000_000 + 101_000));
    assert_eq!(p.stats().devices.routed_merged, 1);
}

#[test]
fn a_routed_twin_appearing_later_is_absorbed_at_the_hosts_next_packet() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let gateway = [0x02, 0, 0, 0, 0xfe, 0xfe];
    let client = Host::internal(1, 5);
    let server = Host {
        mac: [0x02, 0, 0, 0, 100, 10],
        ip: [10, 0, 100, 10],
    };
    let routed = Host {
        mac: gateway,
        ip: server.ip,
    };
    let dns = Host::internal(100, 53);
    // The server first, on its own segment: its DNS answer reaches its own MAC.
    let mut frames = vec![
        (0, packets::udp(server, dns, (40001, 53), b"q1")),
        (1, packets::udp(dns, server, (53, 40001), b"a1")),
    ];
    // The gateway, not yet known as a router, forwards a session from the server's address.
    frames.extend(
        packets::tcp_session(client, routed, (39999, 104), 10, 20)
            .into_iter()
            .map(|(ms, f)| (ms + 10, f)),
    );
    for i in 0..15u8 {
        let behind = Host {
            mac: gateway,
            ip: [10, 0, 200, i + 1],
        };
        frames.push((
            30 + u64::from(i),
            packets::udp(behind, client, (5000, 6000), b"x"),
        ));
    }
    // Routed traffic now creates a twin keyed by the address ...
    frames.extend(
        packets::tcp_session(client, routed, (40000, 104), 10, 20)
            .into_iter()
            .map(|(ms, f)| (ms + 100, f)),
    );
    push_all(&mut p, 1, &frames, &mut events);
    assert_eq!(p.stats().devices.routers, 1);
    let twin = |p: &Pipeline| {
        p.devices()
            .iter()
            .any(|d| d.device.id.to_string() == "10.0.100.10")
    };
    assert!(twin(&p));
    // ... which the server's next packet from its address absorbs (a new query: it does not
    // establish the server, only the fast path of a known sender sees it).
    push_all(
        &mut p,
        2,
        &[(0, packets::udp(server, dns, (40002, 53), b"q2"))],
        &mut events,
    );
    assert!(!twin(&p));
    assert_eq!(p.stats().devices.routed_merged, 1);
}

#[test]
fn a_routers_own_address_belongs_to_the_router() {
    let mut p = pipeline(PipelineConfig::default());
    let mut events = Vec::new();
    let gateway = [0x02, 0, 0, 0, 0xfe, 0xfe];
    let client = Host::internal(1, 5);
    let mut frames = Vec::new();
    for i in 0..16u8 {
        let behind = Host {
            mac: gateway,
            ip: [10, 0, 200, i + 1],
        };
        frames.push((
            u64::from(i),
            packets::udp(behind, client, (5000, 6000), b"x"),
        ));
    }
    // The router's own interface address sends (a relayed DHCP reply, an ICMP error): a twin
    // keyed by the address appears ...
    let interface = Host {
        mac: gateway,
        ip: [10, 0, 1, 1],
    };
    frames.push((20, packets::udp(interface, client, (67, 68), b"relay")));
    push_all(&mut p, 1, &frames, &mut events);
    let has = |p: &Pipeline, id: &str| p.devices().iter().any(|d| d.device.id.to_string() == id);
    assert!(has(&p, "10.0.1.1"));
    // ... until the router asks ARP from that address: ARP is not routed, the address is its own.
    let who_has = packets::arp(interface, 1, [0; 6], [10, 0, 1, 5]);
    let later = [
        (0, who_has),
        (1, packets::udp(interface, client, (67, 68), b"relay")),
    ];
    push_all(&mut p, 2, &later, &mut events);
    assert!(!has(&p, "10.0.1.1"));
    assert_eq!(p.stats().devices.routed_merged, 1);
    let router = p
        .devices()
        .into_iter()
        .find(|d| d.device.id.to_string() == "02:00:00:00:fe:fe")
        .unwrap();
    assert_eq!(router.last_seen, Timestamp(2_001_000));
}

#[test]
fn invalid_config_is_refused_with_its_key() {
    let catalog = crate::catalog::Catalog::parse("format = 1").unwrap();
    let config = PipelineConfig {
        identify_threshold: 0.0,
        ..PipelineConfig::default()
    };
    match Pipeline::new(config, &catalog, &OuiTable::default()) {
        Err(PipelineError::Config(e)) => assert_eq!(e.key, "identify_threshold"),
        other => panic!("{other:?}"),
    }
}

/// Regression (found by the SYN-flood soak in tests/e2e/soak.rs): every spoofed source put its
/// id in its window's device list and the id stayed after the device was evicted, so a flood
/// grew the list by one id per new source until the window closed (no cap).
#[test]
fn a_spoofed_flood_leaves_the_window_device_lists_bounded() {
    let mut config = PipelineConfig::default();
    config.devices.max_established = 4;
    config.devices.max_unestablished = 8;
    let capacity = 12;
    let mut p = pipeline(config);
    let server = Host::internal(0, 1);
    let mut events = Vec::new();
    for i in 0..5_000u32 {
        let b = i.to_be_bytes();
        let spoofed = Host {
            mac: [0x06, 0, b[0], b[1], b[2], b[3]],
            ip: [10, 128 | b[1], b[2], b[3]],
        };
        let syn = packets::tcp(spoofed, server, (40000, 443), flags::SYN, (1, 0), &[]);
        push_all(&mut p, 10, &[(u64::from(i) / 100, syn)], &mut events);
        assert!(
            p.site.windows.registered() <= 2 * capacity + 1,
            "{} ids listed after {i} sources",
            p.site.windows.registered()
        );
    }
    assert_eq!(p.stats().devices.unestablished, 8);
    assert!(p.stats().devices.unestablished_evicted >= 4_990);
    p.flush(&mut events);
    let w = windows(&events);
    assert!(!w.is_empty() && w.len() <= capacity, "{} windows", w.len());
}
