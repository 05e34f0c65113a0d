//! The detector end to end: a trained pump fleet judged on new windows and events, with exact
//! expectations on alert kinds, explanations, suppression and rate-limit counts.

mod support;

use std::sync::Arc;
use support::{bare, detector, ev, feed, kinds, pumps, smb_attack, trained};
use wardwatch_baseline::testkit::{
    FleetSpec, device, fleet_windows, mac, peer_summary, pump_window,
};
use wardwatch_baseline::{
    AlertKind, Allowlist, DeclaredPeer, DeclaredProfile, DeclaredService, Detector, DetectorConfig,
    DeviceStatus, ModelSet, Severity, TrainParams, train,
};
use wardwatch_flow::event::{Direction, IdentityField, PeerRole, RemoteExecKind, Transport};
use wardwatch_flow::{DeviceId, Event, Feature, Identity, ModelId, Timestamp};

/// Day 4 of the fleet (never seen in training).
fn day4(spec: &FleetSpec, device: u32) -> impl Iterator<Item = Event> + '_ {
    (864..864 + 288).map(move |i| ev(pump_window(spec, device, i)))
}

#[test]
fn a_normal_day_is_quiet() {
    let (models, report) = trained();
    assert!(report.profiles[0].maturity.mature);
    let spec = pumps();
    let mut det = detector(Arc::clone(models));
    let mut alerts = Vec::new();
    for d in 1..=5 {
        alerts.extend(feed(&mut det, day4(&spec, d)));
    }
    assert!(alerts.is_empty(), "{:#?}", alerts.first());
    let s = det.stats();
    assert_eq!(s.windows, 5 * 288);
    assert_eq!(s.windows_scored, 5 * 288);
    assert_eq!(s.candidates, 0);
    let score = det.anomaly_score(&DeviceId::Mac(mac(3))).unwrap();
    assert!(score.mature && score.level < 1.0);
}

#[test]
fn smb_from_a_pump_is_lateral_movement_and_an_anomaly() {
    let (models, _) = trained();
    let spec = pumps();
    let mut det = detector(Arc::clone(models));
    let alerts = feed(&mut det, [ev(smb_attack(&spec, 2, 900, 37))]);
    assert_eq!(
        kinds(&alerts),
        vec![AlertKind::LateralMovement, AlertKind::BehaviourAnomaly]
    );
    let lateral = &alerts[0];
    assert_eq!(lateral.severity, Severity::Critical);
    assert_eq!(
        lateral.explanation,
        "infusion pump 02:00:00:00:00:02 (bd-alaris-pcu-8015, 10.0.2.10) opened SMB (445) to 37 internal hosts in 300 s; \
         infusion pumps of this model never use SMB (445). Check the device for compromise and who was using it."
    );
    assert_eq!(lateral.peers.len(), 16);
    assert_eq!(lateral.peers_total, 37);
    let anomaly = &alerts[1];
    assert_eq!(anomaly.features[0].name, "admin_smb");
    assert_eq!(anomaly.features[0].value, 37.0);
    assert_eq!(anomaly.features[0].normal, 0.0);
    assert!(
        anomaly
            .explanation
            .contains("behaved unlike the learnt profile of its model: admin smb 37 (normal 0)")
    );
}

#[test]
fn a_device_warms_up_before_its_profile_judges_it_while_rules_run_from_the_first_window() {
    let (models, _) = trained();
    let spec = pumps();
    let mut det = Detector::new(Arc::clone(models), DetectorConfig::default());
    // The first window the detector sees of the device starts its 600 s warm-up: the rule
    // fires, the profile comparison waits.
    let alerts = feed(&mut det, [ev(smb_attack(&spec, 2, 900, 37))]);
    assert_eq!(kinds(&alerts), vec![AlertKind::LateralMovement]);
    assert_eq!(det.stats().windows_warming, 1);
    // Ten minutes later the profile judges it (the lateral-movement alert is suppressed as a
    // duplicate within the hour).
    let alerts = feed(&mut det, [ev(smb_attack(&spec, 2, 910, 37))]);
    assert_eq!(kinds(&alerts), vec![AlertKind::BehaviourAnomaly]);
    assert_eq!(det.stats().windows_warming, 1);
}

#[test]
fn exfiltration_and_new_external_destination_against_the_profile() {
    let (models, _) = trained();
    let spec = pumps();
    let mut det = detector(Arc::clone(models));
    let mut w = pump_window(&spec, 1, 900);
    w.features.set(Feature::BytesToExternal, 2_000_000.0);
    w.features.set(Feature::ExternalPeers, 1.0);
    w.services.push(wardwatch_flow::event::ServiceUse {
        direction: Direction::Outbound,
        role: PeerRole::External,
        proto: Transport::Tcp,
        port: 443,
        flows: 3,
        bytes: 2_000_000,
    });
    let mut p = peer_summary("203.0.113.80", false);
    p.ports = vec![443];
    p.flows_out = 3;
    p.bytes_out = 2_000_000;
    w.peers.push(p);
    let alerts = feed(&mut det, [ev(w)]);
    assert_eq!(
        kinds(&alerts),
        vec![
            AlertKind::Exfiltration,
            AlertKind::NewExternalDestination,
            AlertKind::BehaviourAnomaly
        ]
    );
    assert!(alerts[0].explanation.contains(
        "sent 2.0 MB to external hosts in 300 s, most of it to 203.0.113.80 (2.0 MB); its model never sent more than 0 B in a window"
    ), "{}", alerts[0].explanation);
    assert!(
        alerts[1]
            .explanation
            .contains("infusion pumps of this model never talk to external hosts")
    );
    // The 1 MB floor (the model's training maximum is 0): 999 999 B is quiet, 1 000 000 B alerts.
    for (bytes, expected) in [(999_999.0, false), (1_000_000.0, true)] {
        let mut det = detector(Arc::clone(models));
        let mut w = pump_window(&spec, 1, 900);
        w.features.set(Feature::BytesToExternal, bytes);
        let alerts = feed(&mut det, [ev(w)]);
        assert_eq!(
            kinds(&alerts).contains(&AlertKind::Exfiltration),
            expected,
            "{bytes}"
        );
    }
}

#[test]
fn an_immature_profile_raises_no_statistical_alerts_and_says_so() {
    let spec = FleetSpec::pumps(5, 1, 300);
    let (set, report) = train(&fleet_windows(&spec), &TrainParams::default()).unwrap();
    assert_eq!(
        report.profiles[0].maturity.reason.as_deref(),
        Some("learnt 1 of 3 days")
    );
    let mut det = detector(Arc::new(set));
    let alerts = feed(&mut det, [ev(smb_attack(&spec, 2, 300, 37))]);
    assert_eq!(kinds(&alerts), vec![AlertKind::LateralMovement]);
    assert_eq!(alerts[0].severity, Severity::High);
    assert!(alerts[0].explanation.contains(
        "the baseline for its model is not mature yet (learnt 1 of 3 days), so this is judged on the number of hosts alone"
    ), "{}", alerts[0].explanation);
    assert_eq!(det.stats().windows_immature, 1);
    // The score is still kept for metrics.
    assert!(!det.anomaly_score(&DeviceId::Mac(mac(2))).unwrap().mature);
}

#[test]
fn remote_execution_is_told_apart_from_file_sharing() {
    // Workstations that browse shares every window: SMB is normal for the model.
    let spec = FleetSpec {
        model: "generic-workstation".into(),
        class: "workstation".into(),
        ..pumps()
    };
    let windows: Vec<_> = fleet_windows(&spec)
        .into_iter()
        .map(|mut w| {
            w.services.push(wardwatch_flow::event::ServiceUse {
                direction: Direction::Outbound,
                role: PeerRole::InternalServer,
                proto: Transport::Tcp,
                port: 445,
                flows: 2,
                bytes: 9000,
            });
            w.features.set(Feature::AdminSmb, 2.0);
            w.features.set(Feature::AdminTargets, 1.0);
            w
        })
        .collect();
    let (set, _) = train(&windows, &TrainParams::default()).unwrap();
    let mut det = detector(Arc::new(set));
    let mut browsing = pump_window(&spec, 3, 900);
    browsing.services.push(wardwatch_flow::event::ServiceUse {
        direction: Direction::Outbound,
        role: PeerRole::InternalServer,
        proto: Transport::Tcp,
        port: 445,
        flows: 2,
        bytes: 9000,
    });
    browsing.features.set(Feature::AdminSmb, 2.0);
    browsing.features.set(Feature::AdminTargets, 1.0);
    assert!(feed(&mut det, [ev(browsing.clone())]).is_empty());
    let mut psexec = browsing;
    psexec.window_start = Timestamp(psexec.window_start.0 + 300_000_000);
    psexec.remote_exec.push(wardwatch_flow::event::RemoteExec {
        peer: "10.50.0.9".parse().unwrap(),
        kind: RemoteExecKind::SvcctlPipe,
    });
    psexec.features.set(Feature::RemoteExec, 1.0);
    let alerts = feed(&mut det, [ev(psexec)]);
    assert_eq!(alerts[0].kind, AlertKind::LateralMovement);
    assert!(
        alerts[0]
            .explanation
            .contains("ran remote commands on 10.50.0.9 through the service-control pipe (svcctl)")
    );
    assert!(
        alerts[0]
            .explanation
            .contains("file sharing over SMB is normal for this model, remote execution is not")
    );
}

#[test]
fn remote_access_outside_the_learnt_hours() {
    // Vendor SSH sessions from an internal jump host happen at 10:00 UTC in training.
    let spec = pumps();
    let ssh = |mut w: wardwatch_flow::WindowFeatures| {
        w.services.push(wardwatch_flow::event::ServiceUse {
            direction: Direction::Inbound,
            role: PeerRole::InternalClient,
            proto: Transport::Tcp,
            port: 22,
            flows: 1,
            bytes: 40_000,
        });
        let mut p = peer_summary("10.9.9.9", true);
        p.ports = vec![22];
        p.flows_in = 1;
        w.peers.push(p);
        w
    };
    let windows: Vec<_> = fleet_windows(&spec)
        .into_iter()
        .map(|w| {
            if w.window_start.second_of_day() / 3600 == 10 {
                ssh(w)
            } else {
                w
            }
        })
        .collect();
    let (set, _) = train(&windows, &TrainParams::default()).unwrap();
    let config = DetectorConfig {
        anomaly: wardwatch_baseline::rules::anomaly::AnomalyConfig {
            enabled: false,
            ..Default::default()
        },
        ..DetectorConfig::default()
    };
    let mut det = Detector::new(Arc::new(set), config);
    // 10:00 on day 4: index 864 + 120.
    assert!(feed(&mut det, [ev(ssh(pump_window(&spec, 1, 864 + 120)))]).is_empty());
    // 03:00 on day 4: index 864 + 36.
    let alerts = feed(&mut det, [ev(ssh(pump_window(&spec, 1, 864 + 36)))]);
    assert_eq!(kinds(&alerts), vec![AlertKind::RemoteAccess]);
    assert!(alerts[0].explanation.contains(
        "accepted a SSH (22) remote session from 10.9.9.9 at 03:00 UTC, an hour at which its model never had remote sessions"
    ), "{}", alerts[0].explanation);
    assert_eq!(alerts[0].severity, Severity::High);
}

#[test]
fn peer_group_flags_a_pump_working_like_daytime_at_night() {
    let spec = FleetSpec {
        day_factor: 10.0,
        ..pumps()
    };
    let (set, report) = train(&fleet_windows(&spec), &TrainParams::default()).unwrap();
    assert!(report.profiles[0].maturity.mature);
    let config = DetectorConfig {
        rate_limit: Default::default(),
        ..DetectorConfig::default()
    };
    let mut det = Detector::new(Arc::new(set), config);
    // Day-4 night windows (01:00–02:15 UTC) of pump 4, each a copy of a daytime window.
    let mut alerts = Vec::new();
    for k in 0..15u64 {
        let night = 864 + 12 + k;
        let mut w = pump_window(&spec, 4, 864 + 12 * 13 + k);
        w.window_start = pump_window(&spec, 4, night).window_start;
        alerts.extend(feed(&mut det, [ev(w)]));
        // Pump 1 behaves normally at the same time.
        alerts.extend(feed(&mut det, [ev(pump_window(&spec, 1, night))]));
    }
    assert_eq!(
        kinds(&alerts),
        vec![AlertKind::BehaviourAnomaly],
        "{alerts:#?}"
    );
    let a = &alerts[0];
    assert_eq!(a.device.id, DeviceId::Mac(mac(4)));
    assert_eq!(a.evidence["check"], "peer_group");
    assert_eq!(a.evidence["windows_away"], "10");
    assert!(a.explanation.contains("has behaved unlike the other infusion pumps of its model at this time of day (01:00 UTC) for 10 of its last 15 windows"), "{}", a.explanation);
}

#[test]
fn suppression_one_alert_per_device_and_kind_per_hour() {
    let mut det = detector(Arc::new(ModelSet::empty()));
    let scan = |i: u64| {
        ev(bare(1, 1_000_000 + 60 * i)
            .feature(Feature::ArpTargets, 80.0)
            .build())
    };
    let alerts = feed(&mut det, (0..120).map(scan));
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[1].ts, Timestamp::from_secs(1_003_600));
    assert_eq!(det.stats().deduplicated, 118);
    // Another device is not suppressed by the first.
    let other = feed(
        &mut det,
        [ev(bare(2, 1_000_000)
            .feature(Feature::ArpTargets, 80.0)
            .build())],
    );
    assert_eq!(other.len(), 1);
}

#[test]
fn rate_limit_prefers_established_devices_and_summarises_the_storm() {
    let config = DetectorConfig {
        rate_limit: wardwatch_baseline::rate_limit::RateLimitConfig {
            burst: 10,
            per_minute: 0.0,
            reserve_fraction: 0.5,
            storm_interval_secs: 60,
        },
        ..DetectorConfig::default()
    };
    let mut det = Detector::new(Arc::new(ModelSet::empty()), config);
    let t = 2_000_000;
    let unknown = (100..120).map(|n| {
        ev(bare(n, t)
            .established(false)
            .feature(Feature::ArpTargets, 80.0)
            .build())
    });
    let known = (1..21).map(|n| ev(bare(n, t).feature(Feature::ArpTargets, 80.0).build()));
    let alerts = feed(&mut det, unknown.chain(known));
    assert_eq!(alerts.len(), 10);
    assert_eq!(
        alerts
            .iter()
            .filter(|a| a.device.id == DeviceId::Mac(mac(100))
                || a.device.id == DeviceId::Mac(mac(104)))
            .count(),
        2
    );
    assert_eq!(
        alerts
            .iter()
            .filter(|a| matches!(a.device.id, DeviceId::Mac(m) if m.0[5] < 100))
            .count(),
        5
    );
    assert_eq!(det.stats().rate_limited, 30);
    // The storm summary comes with the first event after the interval.
    let later = feed(&mut det, [ev(bare(50, t + 61).build())]);
    assert_eq!(kinds(&later), vec![AlertKind::AlertStorm]);
    assert_eq!(later[0].evidence["held_back"], "30");
    assert_eq!(later[0].ts, Timestamp::from_secs(t + 60));
    assert_eq!(det.stats().emitted_total(), 11);
    assert_eq!(det.stats().storms, 1);
}

/// Regression (found by the SYN-flood soak in tests/e2e/soak.rs): spoofed ARP replies claiming
/// an infrastructure server's address from ever new MACs were admitted as priority alerts, so
/// they drained the reserve kept for established devices and a known device's ARP scan in the
/// same storm went unreported.
#[test]
fn infrastructure_claims_from_unknown_macs_cannot_starve_known_devices() {
    let config = DetectorConfig {
        rate_limit: wardwatch_baseline::rate_limit::RateLimitConfig {
            burst: 10,
            per_minute: 0.0,
            reserve_fraction: 0.5,
            storm_interval_secs: 60,
        },
        ..DetectorConfig::default()
    };
    let mut det = Detector::new(Arc::new(ModelSet::empty()), config);
    let t = 2_000_000;
    let spoofed = (100..140).map(|n| Event::AddressConflict {
        ts: Timestamp::from_secs(t),
        ip: "10.0.0.1".parse().unwrap(),
        previous_mac: mac(1),
        new_mac: mac(n),
        infrastructure: true,
        claims: 1,
    });
    let alerts = feed(&mut det, spoofed);
    assert_eq!(alerts.len(), 5, "the unreserved half of the bucket");
    assert!(alerts.iter().all(|a| a.kind == AlertKind::ArpSpoofing));
    let known = (1..6).map(|n| ev(bare(n, t).feature(Feature::ArpTargets, 80.0).build()));
    let alerts = feed(&mut det, known);
    assert_eq!(kinds(&alerts), vec![AlertKind::ArpScan; 5]);
    assert_eq!(det.stats().rate_limited, 35);
}

#[test]
fn allowlist_applies_at_runtime_and_expires() {
    let mut det = detector(Arc::new(ModelSet::empty()));
    let text = r#"
[[allow]]
device = "02:00:00:00:00:07"
kind = "arp_scan"
reason = "network inventory tool"
author = "it"
created = "2026-01-01T00:00:00Z"
expires = "2026-01-05T00:00:00Z"
"#;
    det.set_allowlist(Allowlist::parse(text).unwrap());
    let before = Timestamp::parse_rfc3339("2026-01-04T23:00:00Z")
        .unwrap()
        .secs();
    let after = Timestamp::parse_rfc3339("2026-01-05T00:00:00Z")
        .unwrap()
        .secs();
    let scan = |secs| ev(bare(7, secs).feature(Feature::ArpTargets, 80.0).build());
    assert!(feed(&mut det, [scan(before)]).is_empty());
    assert_eq!(det.stats().allowlisted, 1);
    assert_eq!(
        kinds(&feed(&mut det, [scan(after)])),
        vec![AlertKind::ArpScan]
    );
    assert_eq!(
        det.allowlist().expired(Timestamp::from_secs(after)).len(),
        1
    );
    // Replacing the list at run time.
    det.set_allowlist(Allowlist::empty());
    assert_eq!(det.allowlist().entries().len(), 0);
}

#[test]
fn declared_profile_is_the_allowlist_from_the_first_packet() {
    let mut set = ModelSet::empty();
    set.declare(
        ModelId::from("bd-alaris-pcu-8015"),
        DeclaredProfile::new(
            vec![DeclaredService {
                direction: Direction::Outbound,
                proto: Transport::Tcp,
                port: 443,
                peer: DeclaredPeer::Internal,
            }],
            "MUD https://bd.example/alaris.json",
        ),
    );
    let mut det = detector(Arc::new(set));
    let spec = pumps();
    // Normal pump traffic (443 to the server, DNS and NTP to infrastructure) is declared.
    let quiet = feed(&mut det, (0..300).map(|i| ev(pump_window(&spec, 1, i))));
    assert!(quiet.is_empty(), "{:#?}", quiet.first());
    let mut w = pump_window(&spec, 1, 300);
    w.services.push(wardwatch_flow::event::ServiceUse {
        direction: Direction::Outbound,
        role: PeerRole::InternalServer,
        proto: Transport::Udp,
        port: 69,
        flows: 1,
        bytes: 512,
    });
    let alerts = feed(&mut det, [ev(w)]);
    assert_eq!(kinds(&alerts), vec![AlertKind::NewService]);
    assert!(alerts[0].explanation.contains(
        "connected to TFTP (69) on an internal server; TFTP (69) is not declared by the manufacturer (MUD https://bd.example/alaris.json)"
    ), "{}", alerts[0].explanation);
    assert_eq!(alerts[0].severity, Severity::High);
}

#[test]
fn devices_present_at_the_start_are_the_inventory_and_later_joiners_are_new() {
    let (models, _) = trained();
    let established = |n: u32, secs: u64| Event::DeviceEstablished {
        ts: Timestamp::from_secs(secs),
        device: device(n),
        identity: Identity::default(),
    };
    let mut det = Detector::new(Arc::clone(models), DetectorConfig::default());
    assert!(det.discovering());
    // 30 minutes of discovery from the first event: the starting inventory raises nothing.
    let alerts = feed(&mut det, [established(60, 100), established(61, 1899)]);
    assert!(alerts.is_empty());
    assert_eq!(det.stats().new_device_discovery, 2);
    let alerts = feed(&mut det, [established(62, 1900), established(60, 2000)]);
    assert_eq!(kinds(&alerts), vec![AlertKind::NewDevice]);
    assert_eq!(alerts[0].device.mac, Some(mac(62)));
    assert!(!det.discovering());
    // A sensor that resumed from its state has no discovery.
    let mut det = Detector::new(Arc::clone(models), DetectorConfig::default());
    det.end_discovery();
    let alerts = feed(&mut det, [established(63, 100)]);
    assert_eq!(kinds(&alerts), vec![AlertKind::NewDevice]);
}

#[test]
fn device_events() {
    let (models, _) = trained();
    let mut det = detector(Arc::clone(models));
    det.set_device_status(DeviceId::Mac(mac(77)), DeviceStatus::Authorized);
    let established = |n: u32, secs: u64| Event::DeviceEstablished {
        ts: Timestamp::from_secs(secs),
        device: device(n),
        identity: Identity::default(),
    };
    // A new device alerts once; authorised and trained devices never.
    let alerts = feed(
        &mut det,
        [
            established(66, 10),
            established(66, 20),
            established(77, 30),
            established(3, 40),
        ],
    );
    assert_eq!(kinds(&alerts), vec![AlertKind::NewDevice]);
    assert_eq!(det.stats().new_device_known, 2);
    // Firmware change of a pump seen in a window before.
    feed(&mut det, [ev(pump_window(&pumps(), 3, 900))]);
    let change = Event::IdentityChanged {
        ts: Timestamp::from_secs(50),
        device: device(3),
        field: IdentityField::SoftwareVersion,
        before: "9.33.1".into(),
        after: "12.1.3".into(),
    };
    let conflict = Event::AddressConflict {
        ts: Timestamp::from_secs(60),
        ip: "10.0.0.1".parse().unwrap(),
        previous_mac: mac(200),
        new_mac: mac(66),
        infrastructure: true,
        claims: 4,
    };
    let alerts = feed(&mut det, [change, conflict]);
    assert_eq!(
        kinds(&alerts),
        vec![AlertKind::IdentityChange, AlertKind::ArpSpoofing]
    );
    assert_eq!(alerts[0].severity, Severity::High);
    assert!(alerts[0].explanation.starts_with(
        "infusion pump 02:00:00:00:00:03 (bd-alaris-pcu-8015, 10.0.3.10) now reports software version \"12.1.3\" (was \"9.33.1\")"
    ));
    assert_eq!(alerts[1].severity, Severity::High);
}

#[test]
fn a_model_with_fixed_vendor_endpoints() {
    // Every pump also reports to the vendor cloud 203.0.113.10:443.
    let spec = pumps();
    let cloud = |mut w: wardwatch_flow::WindowFeatures, ip: &str| {
        w.services.push(wardwatch_flow::event::ServiceUse {
            direction: Direction::Outbound,
            role: PeerRole::External,
            proto: Transport::Tcp,
            port: 443,
            flows: 1,
            bytes: 2000,
        });
        let mut p = peer_summary(ip, false);
        p.ports = vec![443];
        p.flows_out = 1;
        p.bytes_out = 1200;
        w.peers.push(p);
        w.features.set(Feature::ExternalPeers, 1.0);
        w.features.set(Feature::BytesToExternal, 1200.0);
        w
    };
    let windows: Vec<_> = fleet_windows(&spec)
        .into_iter()
        .map(|w| cloud(w, "203.0.113.10"))
        .collect();
    let (set, _) = train(&windows, &TrainParams::default()).unwrap();
    let profile = set
        .model_profile(&ModelId::from("bd-alaris-pcu-8015"))
        .unwrap();
    assert!(profile.behaviour.external_outbound && profile.behaviour.external_prefixes_closed);
    let set = Arc::new(set);
    let mut det = detector(Arc::clone(&set));
    // The known endpoint, even beaconing, is quiet.
    let mut w = cloud(pump_window(&spec, 2, 900), "203.0.113.10");
    w.periodic.push(wardwatch_baseline::testkit::beacon(
        "203.0.113.10",
        443,
        false,
        60,
        0.99,
    ));
    assert!(feed(&mut det, [ev(w)]).is_empty());
    // A new network: new destination and beaconing.
    let mut w = cloud(pump_window(&spec, 2, 901), "198.51.100.5");
    w.periodic.push(wardwatch_baseline::testkit::beacon(
        "198.51.100.5",
        443,
        false,
        60,
        0.99,
    ));
    let alerts = feed(&mut det, [ev(w)]);
    assert_eq!(
        kinds(&alerts),
        vec![AlertKind::Beaconing, AlertKind::NewExternalDestination]
    );
    assert_eq!(alerts[1].severity, Severity::High);
    assert!(alerts[1].explanation.contains(
        "connected to 198.51.100.5, outside the 1 external network(s) its model uses (203.0.113.0/24)"
    ), "{}", alerts[1].explanation);
}
