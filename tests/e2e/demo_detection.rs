//! Issue #7's acceptance on the demo fixture: the shipped models, replayed over
//! `fixtures/demo/ward.pcap` by `wardwatch eval`, raise an expected alert kind about every
//! labelled scenario within two windows of its onset, and nothing about normal devices.

use wardwatch_e2e::{stderr, stdout, wardwatch};

#[test]
fn every_demo_scenario_is_detected_within_two_windows_and_normal_devices_stay_quiet() {
    let out = wardwatch(&[
        "eval",
        "fixtures/demo/ward.pcap",
        "--labels",
        "fixtures/demo/ward.labels.jsonl",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let e: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let scenarios = e["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 10, "{e:#}");
    for s in scenarios {
        assert_eq!(s["detected"], true, "{s:#}");
        let delay = s["time_to_detect_s"].as_f64().unwrap();
        assert!(delay <= 120.0, "detected after {delay} s: {s:#}");
    }
    assert_eq!(e["recall"], 1.0);
    assert_eq!(e["false_alerts"], 0, "{e:#}");
    assert!(e["device_days"].as_f64().unwrap() > 2.0, "{e:#}");
}
