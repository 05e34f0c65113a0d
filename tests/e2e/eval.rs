//! `wardwatch eval` against a hand-labelled tiny fixture with known answers: the attack capture
//! of `run_alerts` (a port scan at 300 s, an ARP spoof of the gateway at 420 s) with three
//! labels written here — the scan and the spoof, which are detected at once, and an SSH brute
//! force that never happened in the capture, which is not. The site knows every host but the
//! attacker, so the one false alert is the attacker's `new_device` at 200 s, before any label.
//! The spoof at 420 s also belongs to the scan's label: same attacker, within the grace of three
//! windows after the scan's end (`evaluation::score`).

use crate::run_alerts::attack_capture;
use std::time::Duration;
use wardwatch_e2e::process::Daemon;
use wardwatch_e2e::{stderr, stdout, wardwatch};

#[test]
fn eval_scores_the_hand_labelled_fixture_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    let w = attack_capture(&pcap);
    let labels = dir.path().join("ward.labels.jsonl");
    let attacker = format!(
        r#""mac":"{}","ip":"{}""#,
        w.attacker.mac_text(),
        w.attacker.ip_text()
    );
    std::fs::write(
        &labels,
        format!(
            "{{\"kind\":\"port_scan\",{attacker},\"victims\":[\"{}\"],\"start\":\"2026-01-05T08:05:00.050000Z\",\"end\":\"2026-01-05T08:05:02.001000Z\",\"description\":\"SYN scan of 40 ports\",\"expected_alerts\":[\"port_scan\"],\"details\":{{}}}}\n\
             {{\"kind\":\"arp_spoofing\",{attacker},\"victims\":[\"{}\"],\"start\":\"2026-01-05T08:07:00.000000Z\",\"end\":\"2026-01-05T08:07:04.000000Z\",\"description\":\"claims the gateway\",\"expected_alerts\":[\"arp_spoofing\"],\"details\":{{}}}}\n\
             {{\"kind\":\"ssh_brute_force\",\"mac\":\"{}\",\"ip\":\"203.0.113.9\",\"victims\":[\"{}\"],\"start\":\"2026-01-05T08:08:20.000000Z\",\"end\":\"2026-01-05T08:09:20.000000Z\",\"description\":\"never staged\",\"expected_alerts\":[\"brute_force\"],\"details\":{{}}}}\n",
            w.devices[1].ip_text(),
            w.devices[0].ip_text(),
            w.gateway.mac_text(),
            w.devices[2].ip_text(),
        ),
    )
    .unwrap();
    // The sibling ward.devices.jsonl (as wardwatch synth writes it) lists what the site knows.
    let known: String = [
        w.gateway,
        w.server,
        w.devices[0],
        w.devices[1],
        w.devices[2],
    ]
    .iter()
    .map(|h| {
        format!(
            "{{\"mac\":\"{}\",\"ip\":\"{}\"}}\n",
            h.mac_text(),
            h.ip_text()
        )
    })
    .collect();
    std::fs::write(dir.path().join("ward.devices.jsonl"), known).unwrap();

    // Device-days from an independent path: the windows `wardwatch run` logs for this capture.
    let features = dir.path().join("features.jsonl");
    let mut run = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--alerts",
            "",
            "--features-out",
            features.to_str().unwrap(),
        ],
    );
    assert_eq!(
        run.process
            .wait_for(Duration::from_secs(60))
            .and_then(|s| s.code()),
        Some(0)
    );
    let windows = std::fs::read_to_string(&features).unwrap().lines().count();
    let device_days = (windows as f64 * 60.0 / 86_400.0 * 1000.0).round() / 1000.0;

    let out = wardwatch(&[
        "eval",
        pcap.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let per_100 = (100.0 / (windows as f64 * 60.0 / 86_400.0) * 1000.0).round() / 1000.0;
    let expected = serde_json::json!({
        "recall": 0.667,
        "false_alerts": 1,
        "device_days": device_days,
        "false_alerts_per_100_device_days": per_100,
        "scenarios": [
            {"kind": "port_scan", "attacker": w.attacker.ip_text(), "detected": true, "time_to_detect_s": 0.0, "alert_kinds": ["arp_spoofing", "port_scan"]},
            {"kind": "arp_spoofing", "attacker": w.attacker.ip_text(), "detected": true, "time_to_detect_s": 0.0, "alert_kinds": ["arp_spoofing"]},
            {"kind": "ssh_brute_force", "attacker": "203.0.113.9", "detected": false, "time_to_detect_s": null, "alert_kinds": []},
        ],
    });
    assert_eq!(got, expected, "{}", stdout(&out));
    let printed = stdout(&out);
    let keys: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("  \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "recall",
            "false_alerts",
            "device_days",
            "false_alerts_per_100_device_days",
            "scenarios"
        ]
    );

    let table = wardwatch(&[
        "eval",
        pcap.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]);
    let text = stdout(&table);
    assert!(text.contains("recall 0.667 (2 of 3 scenarios)"), "{text}");
    assert!(
        text.contains(&format!("false alerts 1 over {device_days:.2} device-days")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ssh_brute_force") && l.contains(" NO ")),
        "{text}"
    );
}
