//! Tests of the exposition: specific values, cardinality rules, and `promtool check metrics`.

use super::labels::{CaptureMode, DecodeErrorKind, EvictReason, HttpHandler, SinkDropReason};
use super::*;
use crate::testutil::{promtool_check_metrics, sample};
use std::collections::BTreeMap;
use wardwatch_baseline::{AlertDevice, AlertKind, Severity};
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::{DeviceId, Identity};

fn catalog() -> Catalog {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/catalog.toml"
    ))
    .unwrap();
    Catalog::parse(&text).unwrap()
}

fn device(n: u8, established: bool, model: Option<&str>) -> DeviceSummary {
    DeviceSummary {
        id: DeviceId::Mac(wardwatch_flow::MacAddr([0, 9, 0xfb, 0, 0, n])),
        established,
        identity: Identity {
            model: model.map(ModelId::from),
            class: Some("infusion_pump".into()),
            vendor: Some("BD (CareFusion)".into()),
            os: None,
            software_version: Some("12.1.3".into()),
            confidence: 0.9,
        },
        anomaly_score: Some(0.25 * f64::from(n)),
    }
}

fn risk(n: u8, advisories: u32, highest_cvss: f64) -> DeviceRiskSummary {
    DeviceRiskSummary {
        id: device(n, true, None).id,
        advisories,
        highest_cvss,
        known_exploited: n == 1,
        risk: highest_cvss * 0.8,
    }
}

fn alert() -> Alert {
    Alert {
        ts: Timestamp::from_secs(1_767_600_000),
        kind: AlertKind::LateralMovement,
        severity: Severity::High,
        device: AlertDevice {
            id: "00:09:fb:00:00:01".parse().unwrap(),
            mac: None,
            ip: None,
            model: Some(ModelId::from("bd-alaris-pcu-8015")),
        },
        peers: vec![],
        peers_total: 0,
        explanation: "x".into(),
        features: vec![],
        evidence: BTreeMap::new(),
    }
}

fn text(m: &Metrics) -> String {
    String::from_utf8(m.render().unwrap()).unwrap()
}

#[test]
fn a_fresh_registry_passes_promtool() {
    let m = Metrics::new(4096).unwrap();
    m.set_capture_mode(CaptureMode::Replay);
    let body = text(&m);
    assert_eq!(sample(&body, "wardwatch_packets_received_total"), Some(0.0));
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_capture_dropped_packets_total{stage="queue"}"#
        ),
        Some(0.0)
    );
    assert_eq!(
        sample(&body, r#"wardwatch_capture_info{mode="replay"}"#),
        Some(1.0)
    );
    assert!(
        !body.contains("wardwatch_capture_kernel_received_packets_total"),
        "live-only series absent in replay"
    );
    assert!(!body.contains(r#"stage="kernel""#));
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "{out}\n{body}");
}

/// A registry with every family holding a value.
fn populated() -> Metrics {
    let m = Metrics::new(4096).unwrap();
    m.set_label_policy(LabelPolicy::from_catalog(&catalog()));
    m.set_capture_mode(CaptureMode::Live);
    m.set_capture_running(true);
    m.set_start_time(1_767_600_000.5);
    m.observe_packets(3, 1500, Timestamp::from_secs(1_767_600_000));
    m.observe_packets(2, 100, Timestamp::from_parts(1_767_600_001, 500_000));
    m.observe_queue_drops(4);
    m.observe_queue_drops(6);
    m.observe_capture_stats(CaptureStats {
        kernel_received: 20,
        kernel_dropped: 1,
        interface_dropped: 2,
    });
    m.observe_capture_stats(CaptureStats {
        kernel_received: 25,
        kernel_dropped: 3,
        interface_dropped: 2,
    });
    let mut stats = PipelineStats::default();
    stats.decode_errors[DecodeErrorKind::Tcp.index()] = 7;
    stats.flows_evicted[EvictReason::Failed.index()] = 2;
    stats.flows_active = 11;
    stats.flows_created = 13;
    stats.flow_table_emergency = true;
    m.observe_pipeline(&stats);
    m.observe_pipeline(&stats);
    m.observe_devices(&[
        device(1, true, Some("bd-alaris-pcu-8015")),
        device(2, false, None),
    ]);
    m.observe_device_risks(&[risk(1, 2, 9.8), risk(2, 1, 5.0)]);
    m.set_flow_table_capacity(262_144);
    let mut deviations = vec![0.0; wardwatch_flow::FEATURE_COUNT];
    deviations[wardwatch_flow::Feature::AdminSmb.index()] = 3.0;
    m.observe_window_score(Some(&ModelId::from("bd-alaris-pcu-8015")), 0.3, &deviations);
    m.observe_window_score(Some(&ModelId::from("bd-alaris-pcu-8015")), 2.5, &deviations);
    m.observe_alert(&alert());
    m.observe_alerts_suppressed(labels::SuppressReason::Duplicate, 5);
    m.set_model_set(&ModelSetInfo {
        version: "2026.01-test".into(),
        trained_at: Some(Timestamp::from_secs(1_767_000_000)),
        model_count: 35,
        maturity: vec![(ModelId::from("bd-alaris-pcu-8015"), 0.8)],
    });
    let sink = m.sink("alertmanager_0");
    sink.deliveries.inc_by(4);
    sink.failures.inc();
    sink.dropped(SinkDropReason::QueueFull, 2);
    m.http().request(HttpHandler::Metrics, 200);
    m.http().request(HttpHandler::Metrics, 503);
    m.observe_reload(labels::Outcome::Failure);
    m.observe_snapshot(labels::Outcome::Success, 1_767_600_100.0);
    m
}

#[test]
fn every_family_populated_passes_promtool_with_exact_values() {
    let m = populated();
    let body = text(&m);
    let expect = [
        ("wardwatch_packets_received_total", 5.0),
        ("wardwatch_bytes_received_total", 1600.0),
        ("wardwatch_last_packet_timestamp_seconds", 1_767_600_001.5),
        (
            r#"wardwatch_capture_dropped_packets_total{stage="queue"}"#,
            6.0,
        ),
        (
            r#"wardwatch_capture_dropped_packets_total{stage="kernel"}"#,
            3.0,
        ),
        (
            r#"wardwatch_capture_dropped_packets_total{stage="interface"}"#,
            2.0,
        ),
        ("wardwatch_capture_kernel_received_packets_total", 25.0),
        ("wardwatch_capture_running", 1.0),
        (r#"wardwatch_decode_errors_total{kind="tcp"}"#, 7.0),
        (r#"wardwatch_decode_errors_total{kind="udp"}"#, 0.0),
        (r#"wardwatch_flows_evicted_total{reason="failed"}"#, 2.0),
        ("wardwatch_flows_active", 11.0),
        ("wardwatch_flows_created_total", 13.0),
        ("wardwatch_flow_table_emergency", 1.0),
        (
            r#"wardwatch_devices{class="infusion_pump",model="bd-alaris-pcu-8015",state="established"}"#,
            1.0,
        ),
        (
            r#"wardwatch_devices{class="infusion_pump",model="unknown",state="tentative"}"#,
            1.0,
        ),
        (
            r#"wardwatch_windows_scored_total{model="bd-alaris-pcu-8015"}"#,
            2.0,
        ),
        (
            r#"wardwatch_model_feature_drift{feature="admin_smb",model="bd-alaris-pcu-8015"}"#,
            3.0 / 30.0 + (3.0 - 3.0 / 30.0) / 30.0,
        ),
        (
            r#"wardwatch_window_anomaly_score_bucket{model="bd-alaris-pcu-8015",le="1"}"#,
            1.0,
        ),
        (
            r#"wardwatch_window_anomaly_score_count{model="bd-alaris-pcu-8015"}"#,
            2.0,
        ),
        (
            r#"wardwatch_alerts_total{kind="lateral_movement",model="bd-alaris-pcu-8015",severity="high"}"#,
            1.0,
        ),
        (
            r#"wardwatch_alerts_suppressed_total{reason="duplicate"}"#,
            5.0,
        ),
        (r#"wardwatch_model_set_info{version="2026.01-test"}"#, 1.0),
        (
            r#"wardwatch_model_set_trained_timestamp_seconds{version="2026.01-test"}"#,
            1_767_000_000.0,
        ),
        ("wardwatch_model_set_models", 35.0),
        (
            r#"wardwatch_baseline_maturity_ratio{model="bd-alaris-pcu-8015"}"#,
            0.8,
        ),
        (
            r#"wardwatch_alert_sink_deliveries_total{sink="alertmanager_0"}"#,
            4.0,
        ),
        (
            r#"wardwatch_alert_sink_dropped_total{reason="queue_full",sink="alertmanager_0"}"#,
            2.0,
        ),
        (
            r#"wardwatch_http_requests_total{code="503",handler="metrics"}"#,
            1.0,
        ),
        (r#"wardwatch_reloads_total{result="failure"}"#, 1.0),
        (
            "wardwatch_state_last_snapshot_timestamp_seconds",
            1_767_600_100.0,
        ),
        ("process_start_time_seconds", 1_767_600_000.5),
    ];
    for (series, value) in expect {
        assert_eq!(sample(&body, series), Some(value), "{series}\n{body}");
    }
    let short = device_label(&device(1, true, None).id);
    let info = format!(
        r#"wardwatch_device_info{{class="infusion_pump",device="{short}",model="bd-alaris-pcu-8015",vendor="BD (CareFusion)",version="12.1.3"}}"#
    );
    assert_eq!(sample(&body, &info), Some(1.0), "{body}");
    assert_eq!(
        sample(
            &body,
            &format!(r#"wardwatch_device_anomaly_score{{device="{short}"}}"#)
        ),
        Some(0.25)
    );
    let of_device = |family: &str| format!(r#"{family}{{device="{short}"}}"#);
    assert_eq!(
        sample(&body, &of_device("wardwatch_device_advisories")),
        Some(2.0)
    );
    assert_eq!(
        sample(&body, &of_device("wardwatch_device_highest_cvss_score")),
        Some(9.8)
    );
    assert_eq!(
        sample(&body, &of_device("wardwatch_device_known_exploited")),
        Some(1.0)
    );
    assert_eq!(
        sample(&body, &of_device("wardwatch_device_risk_score")),
        Some(9.8 * 0.8)
    );
    assert_eq!(
        sample(
            &body,
            &format!(r#"wardwatch_device_alerts_total{{device="{short}",severity="high"}}"#)
        ),
        Some(1.0)
    );
    let tentative = device_label(&device(2, false, None).id);
    assert!(
        !body.contains(&tentative),
        "a tentative device has no per-device series, risk included: {body}"
    );
    assert_eq!(
        sample(&body, "wardwatch_flow_table_capacity"),
        Some(262_144.0)
    );
    assert!(body.contains(r#"wardwatch_build_info{feature_schema="1",version=""#));
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "{out}\n{body}");
}

#[test]
fn per_device_series_are_capped_and_refusals_counted_once() {
    let m = Metrics::new(2).unwrap();
    m.set_label_policy(LabelPolicy::from_catalog(&catalog()));
    let devices: Vec<_> = (1..=3)
        .map(|n| device(n, true, Some("bd-alaris-pcu-8015")))
        .collect();
    m.observe_devices(&devices);
    m.observe_devices(&devices);
    let body = text(&m);
    assert_eq!(m.device_series_count(), 2);
    assert_eq!(body.matches("wardwatch_device_info{").count(), 2);
    assert_eq!(body.matches("wardwatch_device_anomaly_score{").count(), 2);
    assert_eq!(
        sample(&body, "wardwatch_device_series_refused_total"),
        Some(1.0)
    );
    // Device 1 leaves: its slot goes to device 3; tentative devices never get series.
    let mut later = vec![
        devices[1].clone(),
        devices[2].clone(),
        device(4, false, None),
    ];
    later[1].identity.software_version = Some("9.9.9-not-in-catalog".into());
    m.observe_devices(&later);
    let body = text(&m);
    let short3 = device_label(&devices[2].id);
    assert!(body.contains(&format!(r#"device="{short3}",model="bd-alaris-pcu-8015",vendor="BD (CareFusion)",version="other""#)), "{body}");
    assert!(!body.contains(&device_label(&devices[0].id)));
    assert!(!body.contains(&device_label(&later[2].id)));
    assert_eq!(
        sample(&body, "wardwatch_device_series_refused_total"),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_devices{class="infusion_pump",model="bd-alaris-pcu-8015",state="established"}"#
        ),
        Some(2.0)
    );
}

#[test]
fn risk_and_alert_series_follow_the_device_cap_and_leave_with_the_device() {
    let m = Metrics::new(1).unwrap();
    m.set_label_policy(LabelPolicy::from_catalog(&catalog()));
    let admitted = device(1, true, Some("bd-alaris-pcu-8015"));
    let refused = device(3, true, Some("bd-alaris-pcu-8015"));
    m.observe_devices(&[admitted.clone(), refused.clone()]);
    m.observe_device_risks(&[risk(1, 3, 7.5), risk(3, 4, 10.0)]);
    let mut alert_of_refused = alert();
    alert_of_refused.device.id = refused.id;
    m.observe_alert(&alert());
    m.observe_alert(&alert());
    m.observe_alert(&alert_of_refused);
    let body = text(&m);
    let short = device_label(&admitted.id);
    assert_eq!(body.matches("wardwatch_device_advisories{").count(), 1);
    assert_eq!(
        sample(
            &body,
            &format!(r#"wardwatch_device_advisories{{device="{short}"}}"#)
        ),
        Some(3.0)
    );
    assert_eq!(body.matches("wardwatch_device_alerts_total{").count(), 1);
    assert_eq!(
        sample(
            &body,
            &format!(r#"wardwatch_device_alerts_total{{device="{short}",severity="high"}}"#)
        ),
        Some(2.0)
    );
    assert!(!body.contains(&device_label(&refused.id)), "{body}");
    // The admitted device's risk is withdrawn: its risk series go, the rest stays.
    m.observe_device_risks(&[]);
    let body = text(&m);
    assert!(!body.contains("wardwatch_device_risk_score{"), "{body}");
    assert!(body.contains("wardwatch_device_alerts_total{"));
    // The device leaves: every per-device series goes; the refused one takes the slot.
    m.observe_devices(std::slice::from_ref(&refused));
    m.observe_device_risks(&[risk(3, 4, 12.0)]);
    let body = text(&m);
    assert!(!body.contains(&short), "{body}");
    let short3 = device_label(&refused.id);
    assert_eq!(
        sample(
            &body,
            &format!(r#"wardwatch_device_highest_cvss_score{{device="{short3}"}}"#)
        ),
        Some(10.0),
        "CVSS is clamped to 10"
    );
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn wire_values_never_become_labels() {
    let m = Metrics::new(10).unwrap();
    m.set_label_policy(LabelPolicy::from_catalog(&catalog()));
    let mut spoofed = device(9, true, Some("evil\"model"));
    spoofed.identity.class = Some("10.0.0.1".into());
    spoofed.identity.vendor = Some("<b>vendor</b>".into());
    m.observe_devices(&[spoofed]);
    let mut a = alert();
    a.device.model = Some(ModelId::from("192.168.1.1"));
    m.observe_alert(&a);
    let body = text(&m);
    assert!(!body.contains("evil"));
    assert!(!body.contains("10.0.0.1"));
    assert!(!body.contains("192.168.1.1"));
    assert!(!body.contains("<b>"));
    assert!(body.contains(r#"class="other",device="#), "{body}");
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_reloaded_model_set_replaces_the_old_series() {
    let m = Metrics::new(10).unwrap();
    let info = |v: &str| ModelSetInfo {
        version: v.into(),
        trained_at: None,
        model_count: 1,
        maturity: vec![],
    };
    m.set_model_set(&info("a"));
    m.set_model_set(&info("b"));
    let body = text(&m);
    assert_eq!(
        sample(&body, r#"wardwatch_model_set_info{version="b"}"#),
        Some(1.0)
    );
    assert!(!body.contains(r#"version="a""#));
    assert!(!body.contains("wardwatch_model_set_trained_timestamp_seconds{"));
}

#[test]
fn the_metrics_reference_lists_exactly_the_exported_families() {
    let body = text(&populated());
    let exported: std::collections::BTreeSet<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/metrics.md"
    ))
    .unwrap();
    let documented: std::collections::BTreeSet<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|name| name.starts_with("wardwatch_") || name.starts_with("process_"))
        .collect();
    assert_eq!(exported, documented);
    assert_eq!(exported.len(), 44, "{exported:?}");
}
