//! Property tests: the detector never panics on arbitrary events (NaN, infinities, huge values,
//! hostile strings, time going backwards), the model decoder never panics on arbitrary bytes or
//! on well-checksummed garbage, and allow-list parsing never panics on arbitrary text.

mod support;

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use support::trained;
use wardwatch_baseline::model_file::HEADER_LEN;
use wardwatch_baseline::{Allowlist, Detector, DetectorConfig, ModelSet};
use wardwatch_flow::event::{
    Direction, IdentityField, PeerRole, PeerSummary, Periodic, RemoteExec, RemoteExecKind,
    ServiceUse, Transport,
};
use wardwatch_flow::{
    DeviceId, DeviceRef, Event, FEATURE_COUNT, FeatureVector, Identity, MacAddr, ModelId,
    Timestamp, WindowFeatures,
};

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(f64::MAX),
        Just(-1.0),
        Just(0.0),
        0.0..1e4f64,
        any::<f64>(),
    ]
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| IpAddr::V4(Ipv4Addr::from(b))),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
}

fn device() -> impl Strategy<Value = DeviceRef> {
    (0u8..8, proptest::option::of(ip())).prop_map(|(n, ip)| {
        let mac = MacAddr([2, 0, 0, 0, 0, n]);
        DeviceRef {
            id: DeviceId::Mac(mac),
            mac: Some(mac),
            ip,
        }
    })
}

fn role() -> impl Strategy<Value = PeerRole> {
    prop_oneof![
        Just(PeerRole::SameModel),
        Just(PeerRole::Infrastructure),
        Just(PeerRole::InternalServer),
        Just(PeerRole::InternalClient),
        Just(PeerRole::External),
        Just(PeerRole::Multicast),
    ]
}

fn transport() -> impl Strategy<Value = Transport> {
    prop_oneof![
        Just(Transport::Tcp),
        Just(Transport::Udp),
        Just(Transport::Icmp),
        Just(Transport::Other)
    ]
}

fn service() -> impl Strategy<Value = ServiceUse> {
    (
        any::<bool>(),
        role(),
        transport(),
        prop_oneof![Just(445u16), Just(22), Just(5938), any::<u16>()],
        any::<u32>(),
        any::<u64>(),
    )
        .prop_map(|(out, role, proto, port, flows, bytes)| ServiceUse {
            direction: if out {
                Direction::Outbound
            } else {
                Direction::Inbound
            },
            role,
            proto,
            port,
            flows,
            bytes,
        })
}

fn peer() -> impl Strategy<Value = PeerSummary> {
    (
        ip(),
        any::<bool>(),
        proptest::collection::vec(any::<u16>(), 0..10),
        any::<(u32, u32, u32)>(),
        any::<(u64, u64)>(),
    )
        .prop_map(
            |(ip, internal, ports, (flows_out, flows_in, failed), (bytes_out, bytes_in))| {
                PeerSummary {
                    ip,
                    internal,
                    ports,
                    flows_out,
                    flows_in,
                    failed,
                    bytes_out,
                    bytes_in,
                }
            },
        )
}

fn periodic() -> impl Strategy<Value = Periodic> {
    (
        ip(),
        any::<u16>(),
        any::<bool>(),
        any::<u32>(),
        value(),
        value(),
        any::<u64>(),
    )
        .prop_map(
            |(ip, port, internal, connections, interval_s, score, bytes_per_connection)| Periodic {
                ip,
                port,
                proto: Transport::Tcp,
                internal,
                connections,
                interval_s,
                score,
                bytes_per_connection,
            },
        )
}

fn identity() -> impl Strategy<Value = Identity> {
    (
        proptest::option::of(prop_oneof![
            Just("bd-alaris-pcu-8015".to_owned()),
            ".{0,80}"
        ]),
        proptest::option::of(prop_oneof![Just("infusion_pump".to_owned()), ".{0,80}"]),
        value(),
    )
        .prop_map(|(model, class, confidence)| Identity {
            model: model.map(ModelId),
            class,
            confidence,
            ..Identity::default()
        })
}

fn exec_kind() -> impl Strategy<Value = RemoteExecKind> {
    prop_oneof![
        Just(RemoteExecKind::SvcctlPipe),
        Just(RemoteExecKind::AtsvcPipe),
        Just(RemoteExecKind::WinregPipe),
        Just(RemoteExecKind::SamrPipe),
        Just(RemoteExecKind::DcerpcBind),
        Just(RemoteExecKind::DcomActivation),
        Just(RemoteExecKind::Winrm),
    ]
}

fn field() -> impl Strategy<Value = IdentityField> {
    prop_oneof![
        Just(IdentityField::Model),
        Just(IdentityField::SoftwareVersion),
        Just(IdentityField::Class),
        Just(IdentityField::Hostname),
    ]
}

fn window() -> impl Strategy<Value = Event> {
    (
        device(),
        identity(),
        any::<bool>(),
        any::<u64>(),
        any::<u32>(),
        proptest::collection::vec(value(), FEATURE_COUNT),
        proptest::collection::vec(service(), 0..8),
        proptest::collection::vec(peer(), 0..6),
        proptest::collection::vec(periodic(), 0..3),
        proptest::collection::vec((ip(), exec_kind()), 0..3),
    )
        .prop_map(
            |(device, identity, established, ts, secs, values, services, peers, periodic, exec)| {
                let mut features = FeatureVector::default();
                features.0.copy_from_slice(&values);
                Event::Window(Box::new(WindowFeatures {
                    device,
                    identity,
                    established,
                    window_start: Timestamp(ts),
                    window_secs: secs,
                    features,
                    services,
                    services_truncated: 0,
                    peers,
                    periodic,
                    remote_exec: exec
                        .into_iter()
                        .map(|(peer, kind)| RemoteExec { peer, kind })
                        .collect(),
                }))
            },
        )
}

fn other_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (any::<u64>(), device(), identity()).prop_map(|(ts, device, identity)| {
            Event::DeviceEstablished {
                ts: Timestamp(ts),
                device,
                identity,
            }
        }),
        (any::<u64>(), device(), field(), ".{0,300}", ".{0,300}").prop_map(
            |(ts, device, field, before, after)| {
                Event::IdentityChanged {
                    ts: Timestamp(ts),
                    device,
                    field,
                    before,
                    after,
                }
            }
        ),
        (
            any::<u64>(),
            ip(),
            any::<[u8; 6]>(),
            any::<[u8; 6]>(),
            any::<bool>(),
            any::<u32>()
        )
            .prop_map(
                |(ts, ip, a, b, infrastructure, claims)| Event::AddressConflict {
                    ts: Timestamp(ts),
                    ip,
                    previous_mac: MacAddr(a),
                    new_mac: MacAddr(b),
                    infrastructure,
                    claims
                }
            ),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![3 => window(), 1 => other_event()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn process_never_panics(events in proptest::collection::vec(event(), 1..12)) {
        let (models, _) = trained();
        let config = DetectorConfig { max_tracked_devices: 4, max_suppression_entries: 4, ..DetectorConfig::default() };
        let mut det = Detector::new(Arc::clone(models), config);
        let mut out = Vec::new();
        for e in &events {
            det.process(e, &mut out);
        }
        det.flush(Timestamp(u64::MAX), &mut out);
        for a in &out {
            prop_assert!(a.explanation.len() <= wardwatch_baseline::alert::MAX_EXPLANATION_LEN);
            prop_assert!(a.peers.len() <= wardwatch_baseline::alert::MAX_ALERT_PEERS);
        }
        prop_assert_eq!(det.stats().emitted_total(), out.len() as u64);
        if let Some(s) = det.anomaly_scores().next() {
            prop_assert!(s.1.score.is_finite());
        }
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        prop_assert!(ModelSet::decode(&bytes).is_err());
    }

    #[test]
    fn decode_never_panics_on_checksummed_garbage(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let (models, _) = trained();
        let bytes = models.encode();
        let mut body = bytes[HEADER_LEN..bytes.len() - 32].to_vec();
        for (at, v) in edits {
            let i = at % body.len();
            body[i] = v;
        }
        let mut file = bytes[..HEADER_LEN].to_vec();
        file.extend_from_slice(&body);
        let digest = Sha256::digest(&file);
        file.extend_from_slice(&digest);
        // Either an error or a model set that validated; never a panic.
        if let Ok(set) = ModelSet::decode(&file) {
            let mut det = Detector::new(Arc::new(set), DetectorConfig::default());
            let mut out = Vec::new();
            det.process(&Event::Window(Box::new(wardwatch_baseline::testkit::pump_window(&support::pumps(), 1, 5))), &mut out);
        }
    }

    #[test]
    fn allowlist_parse_never_panics(text in ".{0,400}", extra in "[a-z_ =\"\\[\\]0-9:.\\-/\n]{0,300}") {
        let _ = Allowlist::parse(&text);
        let _ = Allowlist::parse(&format!("[[allow]]\n{extra}"));
    }
}
