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
