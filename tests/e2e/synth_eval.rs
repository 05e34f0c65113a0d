//! Retrain on a synthetic normal ward, evaluate on another seed's ward with every attack
//! scenario (the make-test-sized version of the 150-device, 12-hour measurement in
//! `docs/retraining.md`): 40 devices of the demo ward, 6 hours of normal traffic to learn from
//! (default training settings), 2 hours with all ten scenarios to detect.
//!
//! Every scenario is caught by rules whatever the profiles' maturity (six hours of training
//! leave every profile immature; three days are needed): DICOM leaving the site by the
//! clinical-protocol exfiltration check, the firmware change by `identity_change` on the
//! version the device announces, the rest by their rules.

use wardwatch_e2e::{stderr, stdout, wardwatch};

fn synth(seed: &str, duration: &str, start: &str, scenarios: &str, out: &std::path::Path) {
    let out = wardwatch(&[
        "synth",
        "--seed",
        seed,
        "--devices",
        "40",
        "--duration",
        duration,
        "--start",
        start,
        "--scenarios",
        scenarios,
        "--config",
        "fixtures/demo/ward.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn models_learnt_on_one_ward_catch_the_attacks_on_another() {
    let dir = tempfile::tempdir().unwrap();
    let (train, ward) = (dir.path().join("train.pcap"), dir.path().join("ward.pcap"));
    synth("7001", "6h", "2026-01-05T06:00:00Z", "none", &train);
    synth("7002", "2h", "2026-01-06T18:00:00Z", "all", &ward);
    let store = dir.path().join("store");
    let out = wardwatch(&[
        "retrain",
        train.to_str().unwrap(),
        "--out",
        store.to_str().unwrap(),
        "--activate",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).lines().any(|l| l.starts_with("model ")),
        "no fleet profile: {}",
        stdout(&out)
    );
    let labels = dir.path().join("ward.labels.jsonl");
    let out = wardwatch(&[
        "eval",
        ward.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
        "--models",
        store.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    eprintln!("{}", stdout(&out));
    let scenarios = e["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 10);
    let mut detected: Vec<&str> = scenarios
        .iter()
        .filter(|s| s["detected"] == true)
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    detected.sort_unstable();
    assert_eq!(
        detected,
        [
            "arp_spoofing",
            "beaconing",
            "dicom_exfiltration",
            "firmware_change",
            "lateral_movement",
            "pump_scan",
            "rogue_device",
            "ssh_brute_force",
            "telnet_scan",
            "vendor_remote_access",
        ]
    );
    assert_eq!(e["recall"], 1.0);
    let device_days = e["device_days"].as_f64().unwrap();
    assert!(device_days > 3.0, "{device_days}");
    let rate = e["false_alerts_per_100_device_days"].as_f64().unwrap();
    assert!(rate <= 25.0, "{rate} false alerts per 100 device-days");
}
