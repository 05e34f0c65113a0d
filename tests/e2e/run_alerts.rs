//! `wardwatch run` on a ward capture with two attacks built in the test (a SYN port scan and an
//! ARP spoof of the gateway): a real Alertmanager receives the alerts with the right labels, the
//! JSON-lines file holds them in the documented schema, the scrape shows the alert, flow and
//! device series and passes promtool, the feature log parses back into `WindowFeatures`, and a
//! second replay gives byte-identical feature and alert logs.

use std::path::Path;
use std::time::Duration;
use wardwatch_e2e::alertmanager::Alertmanager;
use wardwatch_e2e::process::{Daemon, sample};
use wardwatch_e2e::prometheus::promtool_check_metrics;
use wardwatch_e2e::scene::{Host, Scene, at};

/// The gateway (a router MAC holding 10.20.0.1), a server, three devices, an external host
/// reached through the gateway, and the attacker 10.20.1.66.
pub struct Ward {
    /// The router holding 10.20.0.1.
    pub gateway: Host,
    /// The server the devices use.
    pub server: Host,
    /// Three ward devices.
    pub devices: [Host; 3],
    /// An external host behind the gateway.
    pub external: Host,
    /// The attacker.
    pub attacker: Host,
}

fn ward() -> Ward {
    let gateway = Host::via([0x00, 0x00, 0x5e, 0x00, 0x01, 0x01], [10, 20, 0, 1]);
    Ward {
        gateway,
        server: Host::ward(0, 2),
        devices: [Host::ward(1, 11), Host::ward(1, 12), Host::ward(1, 13)],
        external: Host::via(gateway.mac, [198, 51, 100, 10]),
        attacker: Host::ward(1, 66),
    }
}

/// Ten minutes of ward traffic with a port scan at 300 s and an ARP spoof at 420 s.
pub fn attack_capture(path: &Path) -> Ward {
    let w = ward();
    let mut s = Scene::new();
    for step in 0..20u32 {
        let t0 = f64::from(step) * 30.0;
        for (i, d) in w.devices.iter().enumerate() {
            let t = t0 + i as f64;
            s.tcp_session(at(t), *d, w.server, (40_000 + step as u16, 443), 300);
            s.arp(at(t + 0.1), 1, *d, w.gateway);
            s.arp(at(t + 0.2), 2, w.gateway, *d);
        }
        if step % 4 == 0 {
            s.tcp_session(
                at(t0 + 5.0),
                w.devices[0],
                w.external,
                (41_000 + step as u16, 443),
                800,
            );
        }
    }
    s.tcp_session(at(200.0), w.attacker, w.server, (45_000, 443), 300);
    for port in 1..=40u16 {
        s.tcp_refused(
            at(300.0 + f64::from(port) * 0.05),
            w.attacker,
            w.devices[1],
            (46_000 + port, port),
        );
    }
    for i in 0..5 {
        let spoofed = Host::via(w.attacker.mac, w.gateway.ip);
        s.arp(at(420.0 + f64::from(i)), 2, spoofed, w.devices[0]);
    }
    s.write(path);
    w
}

fn replay(dir: &Path, pcap: &Path, config: &Path, tag: &str, keep_running: bool) -> Daemon {
    let alerts = dir.join(format!("alerts-{tag}.jsonl"));
    let features = dir.join(format!("features-{tag}.jsonl"));
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "--replay",
        pcap.to_str().unwrap(),
        "--alerts",
        alerts.to_str().unwrap(),
        "--features-out",
        features.to_str().unwrap(),
    ];
    if keep_running {
        args.push("--keep-running");
    }
    let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Daemon::start(dir, &refs)
}

fn alert_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn attacks_reach_alertmanager_the_alert_file_and_the_metrics_and_replays_are_identical() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    let w = attack_capture(&pcap);
    let am = Alertmanager::start();
    let config = dir.path().join("wardwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[alerts.alertmanager]\nurls = [\"{}\"]\ninitial_backoff_ms = 100\n",
            am.url()
        ),
    )
    .unwrap();
    let mut daemon = replay(dir.path(), &pcap, &config, "1", true);
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    let body = daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(60));

    // Alertmanager got the scan and the spoof, labelled for routing.
    let scan = am.wait_for(
        &[
            ("alertname", "WardwatchPortScan"),
            ("kind", "port_scan"),
            ("source", "wardwatch"),
        ],
        Duration::from_secs(20),
    );
    assert_eq!(scan["labels"]["severity"], "medium", "{scan}");
    assert_eq!(scan["labels"]["model"], "unknown", "{scan}");
    assert_eq!(scan["labels"]["device"], w.attacker.mac_text(), "{scan}");
    assert_eq!(
        scan["annotations"]["device_ip"],
        w.attacker.ip_text(),
        "{scan}"
    );
    assert!(
        scan["annotations"]["description"]
            .as_str()
            .unwrap()
            .contains("a port scan"),
        "{scan}"
    );
    let spoof = am.wait_for(&[("kind", "arp_spoofing")], Duration::from_secs(20));
    assert_eq!(spoof["labels"]["severity"], "high", "{spoof}");
    assert_eq!(spoof["labels"]["device"], w.attacker.mac_text(), "{spoof}");

    // The scrape: alert, flow and device series; a clean exposition.
    let value = |series: &str| sample(&body, series);
    assert_eq!(
        value(r#"wardwatch_alerts_total{kind="port_scan",model="unknown",severity="medium"}"#),
        Some(1.0),
        "{body}"
    );
    assert_eq!(
        value(r#"wardwatch_alerts_total{kind="arp_spoofing",model="unknown",severity="high"}"#),
        Some(1.0),
        "{body}"
    );
    assert!(
        value("wardwatch_flows_created_total").unwrap_or(0.0) >= 100.0,
        "{body}"
    );
    assert_eq!(
        value(r#"wardwatch_flows_evicted_total{reason="failed"}"#),
        Some(40.0),
        "{body}"
    );
    assert!(
        value(r#"wardwatch_devices{class="unknown",model="unknown",state="established"}"#)
            .unwrap_or(0.0)
            >= 5.0,
        "{body}"
    );
    assert!(body.contains("wardwatch_device_info{"), "{body}");
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "promtool: {out}");
    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{}", daemon.log());

    // The alert file: one object per line in the documented schema.
    let alerts = alert_lines(&dir.path().join("alerts-1.jsonl"));
    if std::env::var_os("WW_SHOW").is_some() {
        for a in &alerts {
            eprintln!(
                "{} {} {} {}",
                a["ts"], a["kind"], a["device"]["ip"], a["explanation"]
            );
        }
    }
    let file_scan = alerts
        .iter()
        .find(|a| a["kind"] == "port_scan")
        .expect("port_scan in the file");
    for key in [
        "ts",
        "kind",
        "severity",
        "device",
        "peers",
        "explanation",
        "features",
        "evidence",
    ] {
        assert!(file_scan.get(key).is_some(), "{key} missing: {file_scan}");
    }
    assert_eq!(file_scan["device"]["mac"], w.attacker.mac_text());
    assert_eq!(file_scan["device"]["ip"], w.attacker.ip_text());
    assert!(file_scan["device"].get("model").is_some());
    assert_eq!(
        file_scan["peers"][0]["ip"],
        w.devices[1].ip_text(),
        "{file_scan}"
    );
    assert!(
        file_scan["ts"]
            .as_str()
            .unwrap()
            .starts_with("2026-01-05T08:05:00"),
        "the scan's window starts at 300 s: {file_scan}"
    );
    assert_eq!(file_scan["evidence"]["dst_ports"], "40", "{file_scan}");
    assert!(alerts.iter().any(|a| a["kind"] == "arp_spoofing"));

    // The feature log parses back into windows.
    let features = std::fs::read_to_string(dir.path().join("features-1.jsonl")).unwrap();
    let windows: Vec<wardwatch_flow::WindowFeatures> = features
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(windows.len() >= 30, "{}", windows.len());
    let scanner = windows
        .iter()
        .find(|w2| {
            w2.device.ip.map(|ip| ip.to_string()) == Some(w.attacker.ip_text())
                && w2.features.get(wardwatch_flow::Feature::DstPorts) >= 40.0
        })
        .expect("the scanner's window");
    assert_eq!(scanner.window_secs, 60);

    // A second replay (no Alertmanager) gives the same bytes.
    let plain = dir.path().join("plain.toml");
    std::fs::write(&plain, "").unwrap();
    let mut again = replay(dir.path(), &pcap, &plain, "2", false);
    let status = again
        .process
        .wait_for(Duration::from_secs(60))
        .expect("exits");
    assert_eq!(status.code(), Some(0), "{}", again.log());
    for name in ["features", "alerts"] {
        let a = std::fs::read(dir.path().join(format!("{name}-1.jsonl"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("{name}-2.jsonl"))).unwrap();
        assert!(a == b, "{name} logs differ between two replays");
    }
}
