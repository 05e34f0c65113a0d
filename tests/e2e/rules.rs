//! The Prometheus files in `dashboards/prometheus/` through the real promtool: the rules check,
//! their unit tests pass, every alerting rule is complete and tested both ways, and the example
//! configuration (with the rules beside it) is valid.

use crate::grafana::documented_families;
use std::path::{Path, PathBuf};
use std::process::Command;
use wardwatch_e2e::repo_root;

fn prometheus_dir() -> PathBuf {
    repo_root().join("dashboards/prometheus")
}

/// Runs promtool in `dir`; exit code and combined output.
fn promtool(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "promtool cannot run ({e}): `make deps` installs it (Debian package `prometheus`)"
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn read(name: &str) -> String {
    let path = prometheus_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Names after `key` (e.g. `- alert:`) on the lines of a rules file.
fn names_after(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(key))
        .map(|name| name.trim().to_owned())
        .collect()
}

#[test]
fn the_rules_pass_promtool_check_rules() {
    let (code, out) = promtool(
        &prometheus_dir(),
        &["check", "rules", "wardwatch.rules.yml"],
    );
    assert_eq!(code, 0, "{out}");
    let rules = read("wardwatch.rules.yml");
    let count = names_after(&rules, "- alert:").len() + names_after(&rules, "- record:").len();
    assert!(
        out.contains(&format!("SUCCESS: {count} rules found")),
        "{out}"
    );
}

#[test]
fn the_rule_unit_tests_pass() {
    let (code, out) = promtool(
        &prometheus_dir(),
        &["test", "rules", "wardwatch.rules.test.yml"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("SUCCESS"), "{out}");
}

/// One alerting rule's block of lines, up to the next rule or the end of the group.
fn alert_blocks(rules: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in rules.lines() {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix("- alert:") {
            blocks.push((name.trim().to_owned(), String::new()));
        } else if trimmed.starts_with("- record:") || trimmed.starts_with("- name:") {
            blocks.push((String::new(), String::new()));
        } else if let Some((_, block)) = blocks.last_mut() {
            block.push_str(trimmed);
            block.push('\n');
        }
    }
    blocks
        .into_iter()
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

#[test]
fn every_alerting_rule_is_complete_and_unit_tested_firing_and_not_firing() {
    let rules = read("wardwatch.rules.yml");
    let tests = read("wardwatch.rules.test.yml");
    let blocks = alert_blocks(&rules);
    assert!(blocks.len() >= 8, "{blocks:?}");
    for (alert, block) in &blocks {
        for key in [
            "expr:",
            "for:",
            "severity:",
            "summary:",
            "description:",
            "runbook:",
        ] {
            assert!(
                block.lines().any(|l| l.starts_with(key)),
                "{alert} has no {key}"
            );
        }
        let lines: Vec<&str> = tests.lines().map(str::trim).collect();
        let expectations: Vec<&str> = lines
            .windows(2)
            .filter(|w| w[0] == format!("alertname: {alert}"))
            .map(|w| w[1])
            .collect();
        assert!(
            expectations.contains(&"exp_alerts: []"),
            "{alert}: no test where it does not fire"
        );
        assert!(
            expectations.contains(&"exp_alerts:"),
            "{alert}: no test where it fires"
        );
    }
    for required in [
        "WardwatchSensorDown",
        "WardwatchCaptureDropping",
        "WardwatchNoPackets",
        "WardwatchFlowTableEmergency",
        "WardwatchAlertRateHigh",
        "WardwatchHighSeverityDetection",
        "WardwatchAlertSinkFailing",
        "WardwatchModelReloadFailing",
    ] {
        assert!(
            blocks.iter().any(|(a, _)| a == required),
            "{required} missing"
        );
    }
}

#[test]
fn the_example_prometheus_config_passes_promtool_check_config() {
    // A copy of the example with the rules beside it, the layout the example's comment asks for.
    let dir = tempfile::tempdir().unwrap();
    for file in ["prometheus.example.yml", "wardwatch.rules.yml"] {
        std::fs::copy(prometheus_dir().join(file), dir.path().join(file)).unwrap();
    }
    let (code, out) = promtool(dir.path(), &["check", "config", "prometheus.example.yml"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("SUCCESS: 1 rule files found"), "{out}");
    let example = read("prometheus.example.yml");
    assert!(
        example.contains("job_name: wardwatch"),
        "the rules match job=\"wardwatch\""
    );
    assert!(example.contains("127.0.0.1:9917"));
    assert!(example.contains("alertmanagers:"));
}

/// `port_scan` → `WardwatchPortScan`, the alertname the sensor gives its own detections.
fn sensor_alertname(kind: &str) -> String {
    let camel: String = kind
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect();
    format!("Wardwatch{camel}")
}

#[test]
fn no_rule_takes_the_name_of_a_sensor_detection() {
    let alerts = documented_families()
        .remove("wardwatch_alerts_total")
        .expect("wardwatch_alerts_total documented");
    // Its labels column lists the alert kinds (with the label names and severities, harmless here).
    let kinds = &alerts.label_words;
    assert!(
        kinds.contains("alert_storm") && kinds.contains("lateral_movement"),
        "{kinds:?}"
    );
    assert_eq!(sensor_alertname("alert_storm"), "WardwatchAlertStorm");
    let rules = read("wardwatch.rules.yml");
    for rule in names_after(&rules, "- alert:") {
        for kind in kinds {
            assert_ne!(
                rule,
                sensor_alertname(kind),
                "{rule} collides with the sensor's {kind} alerts"
            );
        }
    }
}
