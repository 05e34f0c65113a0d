use super::*;
use wardwatch_baseline::AlertPeer;

const T0: u64 = 1_767_600_000;
const W: Span = Span::from_secs(60);

fn label(kind: &str, ip: &str, start: u64, end: u64, expected: &[AlertKind]) -> Label {
    Label {
        kind: kind.into(),
        mac: None,
        ip: Some(ip.parse().unwrap()),
        victims: vec!["10.20.0.9".parse().unwrap()],
        start: Timestamp::from_secs(T0 + start),
        end: Timestamp::from_secs(T0 + end),
        description: String::new(),
        expected: expected.to_vec(),
    }
}

fn alert(kind: AlertKind, device_ip: &str, at: u64, peer: Option<&str>) -> Alert {
    let mut a = crate::sinks::tests::alert(1);
    a.kind = kind;
    a.ts = Timestamp::from_secs(T0 + at);
    a.device.ip = Some(device_ip.parse().unwrap());
    a.device.mac = None;
    a.peers = peer
        .map(|p| AlertPeer {
            ip: p.parse().unwrap(),
            port: None,
        })
        .into_iter()
        .collect();
    a
}

#[test]
fn hand_labelled_answers() {
    let labels = vec![
        // A port scan from .5 between 10:00 and 12:00 (s): detected by its window alert at 0 s.
        label("port_scan", "10.20.0.5", 600, 720, &[AlertKind::PortScan]),
        // SSH brute force from outside against .9: detected through the victim's alert naming it.
        label(
            "ssh_brute_force",
            "198.51.100.7",
            3600,
            3700,
            &[AlertKind::BruteForce],
        ),
        // Beaconing from .6: only an unexpected kind about it, so not detected.
        label(
            "beaconing",
            "10.20.0.6",
            7200,
            9000,
            &[AlertKind::Beaconing],
        ),
    ];
    let alerts = vec![
        alert(AlertKind::PortScan, "10.20.0.5", 600, None),
        alert(AlertKind::HostScan, "10.20.0.5", 660, None),
        alert(
            AlertKind::BruteForce,
            "10.20.0.9",
            3660,
            Some("198.51.100.7"),
        ),
        // What the attack did to its victim belongs to it, whatever the kind.
        alert(AlertKind::BehaviourAnomaly, "10.20.0.9", 3660, None),
        alert(AlertKind::NewService, "10.20.0.6", 7260, None),
        // Outside every label: the same scanner a day later, another device, a storm summary.
        alert(AlertKind::PortScan, "10.20.0.5", 86_400, None),
        alert(AlertKind::NewDevice, "10.20.0.33", 10, None),
        alert(AlertKind::AlertStorm, "10.20.0.33", 20, None),
    ];
    let e = evaluate(&labels, &alerts, 2.0, W);
    assert_eq!(e.recall, Some(0.667));
    assert_eq!(e.false_alerts, 2);
    assert_eq!(e.device_days, 2.0);
    assert_eq!(e.false_alerts_per_100_device_days, Some(100.0));
    assert_eq!(
        e.scenarios,
        vec![
            ScenarioResult {
                kind: "port_scan".into(),
                attacker: "10.20.0.5".into(),
                detected: true,
                time_to_detect_s: Some(0.0),
                alert_kinds: vec!["host_scan".into(), "port_scan".into()],
            },
            ScenarioResult {
                kind: "ssh_brute_force".into(),
                attacker: "198.51.100.7".into(),
                detected: true,
                time_to_detect_s: Some(60.0),
                alert_kinds: vec!["behaviour_anomaly".into(), "brute_force".into()],
            },
            ScenarioResult {
                kind: "beaconing".into(),
                attacker: "10.20.0.6".into(),
                detected: false,
                time_to_detect_s: None,
                alert_kinds: vec!["new_service".into()],
            },
        ]
    );
    let json = serde_json::to_value(&e).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "device_days",
            "false_alerts",
            "false_alerts_per_100_device_days",
            "recall",
            "scenarios"
        ]
    );
}

#[test]
fn window_alerts_stamped_before_the_start_still_count_and_delays_never_go_negative() {
    let labels = vec![label(
        "port_scan",
        "10.20.0.5",
        630,
        640,
        &[AlertKind::PortScan],
    )];
    let alerts = vec![alert(AlertKind::PortScan, "10.20.0.5", 600, None)];
    let e = evaluate(&labels, &alerts, 0.0, W);
    assert_eq!(e.scenarios[0].time_to_detect_s, Some(0.0));
    assert_eq!(e.false_alerts_per_100_device_days, None);
    assert_eq!(evaluate(&[], &[], 1.0, W).recall, None);
}
