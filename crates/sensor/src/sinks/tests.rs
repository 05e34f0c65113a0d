//! Sink tests: the JSON-lines file, and a real Alertmanager (Debian `prometheus-alertmanager`)
//! on 127.0.0.1 for delivery, the retry path (started late, stopped), 4xx refusal and shutdown.

use super::*;
use crate::config::{AlertFile, AlertmanagerConfig, HttpUrl};
use crate::testutil::{Alertmanager, free_port};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;
use wardwatch_baseline::{AlertDevice, AlertKind, AlertPeer, FeatureDeviation, Severity};
use wardwatch_flow::{ModelId, Timestamp};

/// A test alert whose explanation is `alert <n>`.
pub fn alert(n: u32) -> Alert {
    Alert {
        ts: Timestamp::from_secs(1_767_600_000 + u64::from(n)),
        kind: AlertKind::LateralMovement,
        severity: Severity::High,
        device: AlertDevice {
            id: format!("00:09:fb:00:00:{n:02x}").parse().unwrap(),
            mac: format!("00:09:fb:00:00:{n:02x}").parse().ok(),
            ip: "10.20.0.7".parse().ok(),
            model: Some(ModelId::from("bd-alaris-pcu-8015")),
        },
        peers: vec![AlertPeer {
            ip: "10.20.0.40".parse().unwrap(),
            port: Some(445),
        }],
        peers_total: 3,
        explanation: format!("alert {n}"),
        features: vec![FeatureDeviation {
            name: "admin_connections".into(),
            value: 12.0,
            normal: 0.0,
            z: 9.5,
        }],
        evidence: BTreeMap::from([("smb_sessions".to_owned(), "12".to_owned())]),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn config(
    file: Option<AlertFile>,
    urls: Vec<HttpUrl>,
    backoff: Duration,
    capacity: usize,
) -> AlertsConfig {
    AlertsConfig {
        file,
        suppression: Duration::from_secs(3600),
        max_per_minute: 100,
        discovery: Duration::from_secs(1800),
        detector: wardwatch_baseline::DetectorConfig::default(),
        queue_capacity: capacity,
        alertmanager: (!urls.is_empty()).then(|| AlertmanagerConfig {
            urls,
            timeout: Duration::from_secs(5),
            initial_backoff: backoff,
            max_backoff: backoff * 8,
            batch_size: 64,
            generator_url: Some("http://grafana.example/d/wardwatch".into()),
        }),
    }
}

fn url(port: u16, prefix: &str) -> HttpUrl {
    crate::config::parse_http_url(&format!("http://127.0.0.1:{port}{prefix}")).unwrap()
}

fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn alertnames_are_camel_case() {
    assert_eq!(
        alertmanager::alertname("lateral_movement"),
        "WardwatchLateralMovement"
    );
    assert_eq!(alertmanager::alertname("port_scan"), "WardwatchPortScan");
    assert_eq!(alertmanager::alertname("beaconing"), "WardwatchBeaconing");
}

#[test]
fn alertmanager_payload_shape() {
    let value = alertmanager::to_alertmanager(&alert(1), Some("http://g/d"));
    assert_eq!(
        value,
        json!({
            "labels": {
                "alertname": "WardwatchLateralMovement",
                "kind": "lateral_movement",
                "severity": "high",
                "model": "bd-alaris-pcu-8015",
                "device": "00:09:fb:00:00:01",
                "source": "wardwatch"
            },
            "annotations": {
                "summary": "lateral movement by 00:09:fb:00:00:01 (bd-alaris-pcu-8015)",
                "description": "alert 1",
                "metrics_device": crate::metrics::device_label(&alert(1).device.id),
                "device_mac": "00:09:fb:00:00:01",
                "device_ip": "10.20.0.7",
                "peers": "10.20.0.40:445 (3 in all)",
                "features": "admin_connections=12 (normal 0, z=9.5)",
                "evidence": "smb_sessions=12"
            },
            "startsAt": "2026-01-05T08:00:01.000000Z",
            "generatorURL": "http://g/d"
        })
    );
}

#[test]
fn jsonl_file_gets_one_alert_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.jsonl");
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    let cfg = config(
        Some(AlertFile::Path(path.clone())),
        vec![],
        Duration::from_millis(100),
        16,
    );
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    let sender = AlertSender::new(sinks.queues());
    for n in 1..=3 {
        sender.send(alert(n));
    }
    rt.block_on(sinks.shutdown(Duration::from_secs(5)));
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    let back: Alert = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(back, alert(2));
    assert!(lines[0].starts_with(r#"{"ts":"2026-01-05T08:00:01.000000Z","kind":"lateral_movement","severity":"high","device":{"id":{"mac":"00:09:fb:00:00:01"}"#), "{}", lines[0]);
    assert_eq!(metrics.sink("jsonl").deliveries.get(), 3);
}

#[test]
fn an_unwritable_alert_file_is_named() {
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    let cfg = config(
        Some(AlertFile::Path("/nonexistent-dir/alerts.jsonl".into())),
        vec![],
        Duration::from_millis(100),
        16,
    );
    let err = rt
        .block_on(AlertSinks::start(&cfg, &metrics))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("alerts.file /nonexistent-dir/alerts.jsonl: cannot open for appending: "),
        "{err}"
    );
}

#[test]
fn alerts_arrive_in_a_real_alertmanager() {
    let am = Alertmanager::start(free_port());
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    let cfg = config(
        None,
        vec![url(am.addr.port(), "")],
        Duration::from_millis(200),
        16,
    );
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    let sender = AlertSender::new(sinks.queues());
    let mut second = alert(2);
    second.kind = AlertKind::PortScan;
    second.severity = Severity::Medium;
    sender.send(alert(1));
    sender.send(second);
    let sink = metrics.sink("alertmanager_0");
    wait_until("2 deliveries", Duration::from_secs(10), || {
        sink.deliveries.get() == 2
    });
    let alerts = am.alerts();
    let list = alerts.as_array().unwrap();
    assert_eq!(list.len(), 2, "{alerts}");
    let lateral = list
        .iter()
        .find(|a| a["labels"]["kind"] == "lateral_movement")
        .unwrap();
    assert_eq!(lateral["labels"]["alertname"], "WardwatchLateralMovement");
    assert_eq!(lateral["labels"]["severity"], "high");
    assert_eq!(lateral["labels"]["model"], "bd-alaris-pcu-8015");
    assert_eq!(lateral["labels"]["device"], "00:09:fb:00:00:01");
    assert_eq!(lateral["annotations"]["description"], "alert 1");
    assert_eq!(lateral["annotations"]["peers"], "10.20.0.40:445 (3 in all)");
    assert_eq!(lateral["startsAt"], "2026-01-05T08:00:01.000Z");
    assert_eq!(
        lateral["generatorURL"],
        "http://grafana.example/d/wardwatch"
    );
    assert_eq!(lateral["status"]["state"], "active");
    let scan = list
        .iter()
        .find(|a| a["labels"]["kind"] == "port_scan")
        .unwrap();
    assert_eq!(scan["labels"]["alertname"], "WardwatchPortScan");
    assert_eq!(scan["labels"]["device"], "00:09:fb:00:00:02");
    assert_eq!(sink.failures.get(), 0);
    rt.block_on(sinks.shutdown(Duration::from_secs(5)));
}

#[test]
fn an_alertmanager_started_late_gets_the_alert_after_exactly_two_failures() {
    let port = free_port();
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    // Attempts at t=0 and t=2 s fail (nothing listens); the next one is at t=6 s, which leaves
    // 4 s to start Alertmanager even on a loaded machine.
    let cfg = config(None, vec![url(port, "")], Duration::from_secs(2), 16);
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    AlertSender::new(sinks.queues()).send(alert(7));
    let sink = metrics.sink("alertmanager_0");
    wait_until("2 failures", Duration::from_secs(10), || {
        sink.failures.get() == 2
    });
    let am = Alertmanager::start(port);
    wait_until("delivery", Duration::from_secs(15), || {
        sink.deliveries.get() == 1
    });
    assert_eq!(sink.failures.get(), 2);
    let alerts = am.alerts();
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["annotations"]["description"], "alert 7");
    rt.block_on(sinks.shutdown(Duration::from_secs(5)));
}

#[test]
fn a_stopped_alertmanager_buffers_drops_the_oldest_and_delivers_after_restart() {
    let port = free_port();
    let mut am = Alertmanager::start(port);
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    // After the first failed retry, the next attempt comes 3 s later: time to restart.
    let cfg = config(None, vec![url(port, "")], Duration::from_secs(3), 2);
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    let sender = AlertSender::new(sinks.queues());
    let sink = metrics.sink("alertmanager_0");
    sender.send(alert(1));
    wait_until("first delivery", Duration::from_secs(10), || {
        sink.deliveries.get() == 1
    });
    am.process.stop();
    sender.send(alert(2));
    wait_until("1 failure", Duration::from_secs(10), || {
        sink.failures.get() == 1
    });
    // Alert 2 is in flight (retrying); the queue holds 2: alert 3 is dropped for 5.
    for n in 3..=5 {
        sender.send(alert(n));
    }
    assert_eq!(sink.dropped_total(SinkDropReason::QueueFull), 1);
    let am = Alertmanager::start(port);
    wait_until("4 deliveries", Duration::from_secs(15), || {
        sink.deliveries.get() == 4
    });
    assert_eq!(sink.failures.get(), 1);
    let alerts = am.alerts();
    let mut got: Vec<String> = alerts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["annotations"]["description"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    assert_eq!(got, vec!["alert 2", "alert 4", "alert 5"]);
    rt.block_on(sinks.shutdown(Duration::from_secs(5)));
}

#[test]
fn a_4xx_answer_drops_the_batch_as_rejected() {
    let am = Alertmanager::start(free_port());
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    let cfg = config(
        None,
        vec![url(am.addr.port(), "/wrong-prefix")],
        Duration::from_millis(100),
        16,
    );
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    AlertSender::new(sinks.queues()).send(alert(1));
    let sink = metrics.sink("alertmanager_0");
    wait_until("rejection", Duration::from_secs(10), || {
        sink.dropped_total(SinkDropReason::Rejected) == 1
    });
    assert_eq!(sink.failures.get(), 1);
    assert_eq!(sink.deliveries.get(), 0);
    rt.block_on(sinks.shutdown(Duration::from_secs(5)));
}

#[test]
fn undelivered_alerts_at_shutdown_are_counted() {
    let rt = runtime();
    let metrics = Metrics::new(1).unwrap();
    let cfg = config(None, vec![url(free_port(), "")], Duration::from_secs(5), 16);
    let sinks = rt.block_on(AlertSinks::start(&cfg, &metrics)).unwrap();
    let sender = AlertSender::new(sinks.queues());
    for n in 1..=3 {
        sender.send(alert(n));
    }
    let sink = metrics.sink("alertmanager_0");
    wait_until("1 failure", Duration::from_secs(10), || {
        sink.failures.get() == 1
    });
    let started = Instant::now();
    rt.block_on(sinks.shutdown(Duration::from_millis(300)));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(sink.dropped_total(SinkDropReason::Shutdown), 3);
    sender.send(alert(4));
    assert_eq!(
        sink.dropped_total(SinkDropReason::Shutdown),
        4,
        "sends after shutdown count too"
    );
}
