//! Targets of the baseline crate: the model file, the allow-list and the detector fed arbitrary
//! events (NaN, infinite and huge features included).

use super::input::Reader;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};
use wardwatch_baseline::model_file::{FORMAT_VERSION, MAGIC};
use wardwatch_baseline::rate_limit::RateLimitConfig;
use wardwatch_baseline::testkit::{self, FleetSpec};
use wardwatch_baseline::{
    Alert, AlertKind, Allowlist, Detector, DetectorConfig, ModelSet, TrainParams, append_entry,
};
use wardwatch_flow::event::{
    Direction, IdentityField, PeerRole, PeerSummary, Periodic, RemoteExec, RemoteExecKind,
    ServiceUse, Transport,
};
use wardwatch_flow::{
    DeviceId, DeviceRef, Event, FEATURE_COUNT, FEATURE_SCHEMA_VERSION, FeatureVector, Identity,
    MacAddr, ModelId, Timestamp, WindowFeatures,
};

/// A small trained pump fleet (trained once per process).
pub fn trained() -> Arc<ModelSet> {
    static SET: OnceLock<Arc<ModelSet>> = OnceLock::new();
    SET.get_or_init(|| {
        let spec = FleetSpec::pumps(5, 2, 600);
        let windows = testkit::fleet_windows(&spec);
        let (set, _) = wardwatch_baseline::train(&windows, &TrainParams::default())
            .expect("the pump fleet trains");
        Arc::new(set)
    })
    .clone()
}

/// A model file around `body`: valid header and checksum, so the body parser is reached.
pub fn seal(body: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&FEATURE_SCHEMA_VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(body);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// `ModelSet::decode`: the first byte chooses raw bytes (header and checksum checks) or a body
/// sealed with a valid header and checksum (the JSON body and its validation). A model set that
/// decodes re-encodes to the same set and drives a detector over normal and hostile windows.
pub fn model_set(data: &[u8]) {
    let (mode, rest) = data.split_first().map_or((0, data), |(m, r)| (*m, r));
    let bytes = if mode & 1 == 1 {
        seal(rest)
    } else {
        rest.to_vec()
    };
    let _ = wardwatch_baseline::model_file::header(&bytes);
    let Ok(set) = ModelSet::decode(&bytes) else {
        return;
    };
    let again = ModelSet::decode(&set.encode()).expect("a decoded set re-encodes");
    assert_eq!(again, set, "model set round trip");
    let set = Arc::new(set);
    let mut detector = Detector::new(set.clone(), DetectorConfig::default());
    let mut alerts = Vec::new();
    let spec = FleetSpec::pumps(3, 1, 600);
    for index in 0..4 {
        for device in 1..=3 {
            let w = testkit::pump_window(&spec, device, index);
            detector.process(&Event::Window(Box::new(w)), &mut alerts);
        }
    }
    let mut hostile = testkit::pump_window(&spec, 1, 5);
    hostile.features = FeatureVector([f64::NAN; FEATURE_COUNT]);
    detector.process(&Event::Window(Box::new(hostile)), &mut alerts);
    detector.flush(Timestamp::from_secs(spec.start_secs + 86_400), &mut alerts);
    check_alerts(&alerts);
}

/// `Allowlist::parse`; a list that parses round-trips through `to_toml`, appends, and applies
/// to an alert.
pub fn allowlist(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(list) = Allowlist::parse(&text) else {
        return;
    };
    let _ = list.expired(Timestamp::from_secs(1_767_571_200));
    for entry in list.entries().iter().take(16) {
        let back = Allowlist::parse(&entry.to_toml()).expect("an entry's TOML parses");
        assert_eq!(
            back.entries(),
            std::slice::from_ref(entry),
            "entry round trip"
        );
        let appended = append_entry(&text, entry).expect("appending a valid entry");
        assert_eq!(
            Allowlist::parse(&appended).map(|l| l.entries().len()).ok(),
            Some(list.entries().len() + 1)
        );
    }
    let mut detector = Detector::new(Arc::new(ModelSet::empty()), DetectorConfig::default());
    detector.set_allowlist(list);
    let mut alerts = Vec::new();
    let w = testkit::WindowBuilder::new(7, 1_767_571_200)
        .feature(wardwatch_flow::Feature::ArpTargets, 200.0)
        .feature(wardwatch_flow::Feature::FailedTargets, 200.0)
        .build();
    detector.process(&Event::Window(Box::new(w)), &mut alerts);
    check_alerts(&alerts);
}

/// Model ids the detector inputs name (the trained fleet's first).
const MODELS: &[&str] = &["bd-alaris-pcu-8015", "philips-intellivue-mx450", "x"];
const CLASSES: &[&str] = &["infusion_pump", "patient_monitor", "workstation", ""];
const TRANSPORTS: &[Transport] = &[
    Transport::Tcp,
    Transport::Udp,
    Transport::Icmp,
    Transport::Other,
];
const ROLES: &[PeerRole] = &[
    PeerRole::SameModel,
    PeerRole::Infrastructure,
    PeerRole::InternalServer,
    PeerRole::InternalClient,
    PeerRole::External,
    PeerRole::Multicast,
];
const EXEC: &[RemoteExecKind] = &[
    RemoteExecKind::SvcctlPipe,
    RemoteExecKind::AtsvcPipe,
    RemoteExecKind::WinregPipe,
    RemoteExecKind::SamrPipe,
    RemoteExecKind::DcerpcBind,
    RemoteExecKind::DcomActivation,
    RemoteExecKind::Winrm,
];
const FIELDS: &[IdentityField] = &[
    IdentityField::Model,
    IdentityField::SoftwareVersion,
    IdentityField::Class,
    IdentityField::Hostname,
];
/// Special feature values; a byte past the list reads an arbitrary `f64`.
const VALUES: &[f64] = &[
    0.0,
    1.0,
    3.0,
    80.0,
    1e6,
    1e300,
    -1.0,
    -0.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
    f64::MAX,
];

fn value(r: &mut Reader<'_>) -> f64 {
    let i = usize::from(r.u8());
    VALUES.get(i % 32).copied().unwrap_or_else(|| r.f64())
}

fn device(r: &mut Reader<'_>) -> DeviceRef {
    let n = u32::from(r.u8() % 16);
    let mut d = testkit::device(n);
    if r.u8().is_multiple_of(8) {
        d.id = DeviceId::Ip(testkit::ip(n));
    }
    d
}

fn ip(r: &mut Reader<'_>) -> IpAddr {
    match r.u8() % 4 {
        0 => IpAddr::V4(Ipv4Addr::from(r.u32())),
        1 => IpAddr::from(u128::from(r.u64()).to_be_bytes()),
        _ => testkit::ip(u32::from(r.u8())),
    }
}

fn small_text(r: &mut Reader<'_>) -> String {
    String::from_utf8_lossy(r.bytes()).into_owned()
}

fn identity(r: &mut Reader<'_>) -> Identity {
    let model = match r.u8() % 4 {
        3 => None,
        i => Some(ModelId(MODELS[usize::from(i)].to_owned())),
    };
    Identity {
        model,
        class: Some(r.pick(CLASSES).to_owned()).filter(|c| !c.is_empty()),
        vendor: None,
        os: None,
        software_version: r.bool().then(|| small_text(r)),
        confidence: value(r),
    }
}

fn window(r: &mut Reader<'_>, ts: Timestamp) -> WindowFeatures {
    let mut features = FeatureVector::default();
    for _ in 0..usize::from(r.u8() % 40) {
        let i = usize::from(r.u8()) % FEATURE_COUNT;
        features.0[i] = value(r);
    }
    let services = (0..r.u8() % 8)
        .map(|_| ServiceUse {
            direction: if r.bool() {
                Direction::Outbound
            } else {
                Direction::Inbound
            },
            role: r.pick(ROLES),
            proto: r.pick(TRANSPORTS),
            port: r.u16(),
            flows: r.u32(),
            bytes: r.u64(),
        })
        .collect();
    let peers = (0..r.u8() % 40)
        .map(|_| PeerSummary {
            ip: ip(r),
            internal: r.bool(),
            ports: (0..r.u8() % 10).map(|_| r.u16()).collect(),
            flows_out: r.u32(),
            flows_in: r.u32(),
            failed: r.u32(),
            bytes_out: r.u64(),
            bytes_in: r.u64(),
        })
        .collect();
    let periodic = (0..r.u8() % 4)
        .map(|_| Periodic {
            ip: ip(r),
            port: r.u16(),
            proto: r.pick(TRANSPORTS),
            internal: r.bool(),
            connections: r.u32(),
            interval_s: value(r),
            score: value(r),
            bytes_per_connection: r.u64(),
        })
        .collect();
    let remote_exec = (0..r.u8() % 4)
        .map(|_| RemoteExec {
            peer: ip(r),
            kind: r.pick(EXEC),
        })
        .collect();
    WindowFeatures {
        device: device(r),
        identity: identity(r),
        established: r.bool(),
        window_start: ts,
        window_secs: u32::from(r.u16()),
        features,
        services,
        services_truncated: r.u32(),
        peers,
        periodic,
        remote_exec,
    }
}

fn event(r: &mut Reader<'_>, ts: Timestamp) -> Event {
    match r.u8() % 6 {
        0..=2 => Event::Window(Box::new(window(r, ts))),
        3 => Event::DeviceEstablished {
            ts,
            device: device(r),
            identity: identity(r),
        },
        4 => Event::IdentityChanged {
            ts,
            device: device(r),
            field: r.pick(FIELDS),
            before: small_text(r),
            after: small_text(r),
        },
        _ => Event::AddressConflict {
            ts,
            ip: ip(r),
            previous_mac: MacAddr([0, 0x09, 0xfb, 0, 0, r.u8()]),
            new_mac: MacAddr([0, 0x09, 0xfb, 0, 1, r.u8()]),
            infrastructure: r.bool(),
            claims: r.u32(),
        },
    }
}

/// Detector configurations the inputs choose from: defaults, and tiny caps and budgets so short
/// inputs reach every eviction and rate-limit path.
fn detector_config(choice: u8) -> DetectorConfig {
    if choice.is_multiple_of(2) {
        return DetectorConfig::default();
    }
    DetectorConfig {
        suppression_secs: 60,
        rate_limit: RateLimitConfig {
            burst: 3,
            per_minute: 1.0,
            reserve_fraction: 0.5,
            storm_interval_secs: 60,
        },
        max_tracked_devices: 3,
        max_suppression_entries: 3,
        max_device_states: 3,
        ..DetectorConfig::default()
    }
}

/// The detector fed arbitrary events over the empty or a trained model set, with time steps
/// forwards and backwards, device states and a final flush. Checks that alerts stay within the
/// rate-limit budget and carry bounded, finite explanations.
pub fn detector(data: &[u8]) {
    let mut r = Reader::new(data);
    let choice = r.u8();
    let models = if choice & 2 == 2 {
        trained()
    } else {
        Arc::new(ModelSet::empty())
    };
    let config = detector_config(choice);
    let rate = config.rate_limit.clone();
    let mut det = Detector::new(models, config);
    let start = Timestamp::from_secs(1_767_571_200 + u64::from(r.u16()) * 60);
    let mut ts = start;
    let (mut earliest, mut latest) = (start, start);
    let mut alerts = Vec::new();
    let mut events = 0;
    while !r.is_empty() && events < 256 {
        match r.u8() % 16 {
            0 => {
                let id = device(&mut r).id;
                let status = if r.bool() {
                    wardwatch_baseline::DeviceStatus::Known
                } else {
                    wardwatch_baseline::DeviceStatus::Authorized
                };
                det.set_device_status(id, status);
            }
            1 => ts = Timestamp(ts.0.saturating_sub(u64::from(r.u32()))),
            _ => {
                ts = ts.add(wardwatch_flow::Span(u64::from(r.u32())));
                latest = latest.max(ts);
                earliest = earliest.min(ts);
                let e = event(&mut r, ts);
                det.process(&e, &mut alerts);
                events += 1;
            }
        }
    }
    det.flush(ts, &mut alerts);
    check_alerts(&alerts);
    let stats = det.stats();
    let regular = alerts
        .iter()
        .filter(|a| a.kind != AlertKind::AlertStorm)
        .count() as f64;
    let minutes = latest.since(earliest).as_secs_f64() / 60.0 + 1.0;
    let budget = f64::from(rate.burst) + rate.per_minute * minutes;
    assert!(
        regular <= budget + 1e-9,
        "{regular} alerts > budget {budget}"
    );
    assert_eq!(stats.emitted_total(), alerts.len() as u64);
    let _ = det.anomaly_scores().count();
}

/// Bounds every alert keeps: finite deviations, bounded text (T6.2: an alert ≤ 4 KiB of
/// explanation and evidence, wire-derived strings cut).
pub fn check_alerts(alerts: &[Alert]) {
    for a in alerts {
        assert!(
            a.explanation.len() <= 4096,
            "explanation {} bytes",
            a.explanation.len()
        );
        let evidence: usize = a.evidence.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(evidence <= 8192, "evidence {evidence} bytes");
        assert!(a.peers.len() <= wardwatch_baseline::alert::MAX_ALERT_PEERS);
        for f in &a.features {
            assert!(
                f.value.is_finite() && f.normal.is_finite() && f.z.is_finite(),
                "{f:?}"
            );
        }
        serde_json::to_string(a).expect("an alert serialises");
    }
}
