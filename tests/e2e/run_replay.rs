//! `wardwatch run --replay` scraped by a real Prometheus: exact packet counts, a clean
//! exposition, prompt SIGTERM exit, lossless replay and state resumed across runs.

use std::time::Duration;
use wardwatch_e2e::pcapgen::write_ward_pcap;
use wardwatch_e2e::process::{Daemon, sample};
use wardwatch_e2e::prometheus::{Prometheus, promtool_check_metrics};
use wardwatch_e2e::shared_pcaps;

#[test]
fn prometheus_scrapes_the_exact_packet_count_of_a_replay() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    let bytes = write_ward_pcap(&pcap, 137);
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--keep-running",
            "--alerts",
            "",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    let body = daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(30));
    assert_eq!(
        sample(&body, "wardwatch_packets_received_total"),
        Some(137.0),
        "{body}"
    );
    assert_eq!(
        sample(&body, "wardwatch_bytes_received_total"),
        Some(bytes as f64)
    );
    assert_eq!(
        sample(&body, "wardwatch_last_packet_timestamp_seconds"),
        Some(1_767_600_001.36)
    );
    assert_eq!(
        sample(&body, r#"wardwatch_capture_info{mode="replay"}"#),
        Some(1.0)
    );
    assert!(
        !body.contains("wardwatch_capture_kernel_received_packets_total"),
        "libpcap stats are live-only"
    );
    let (code, out) = promtool_check_metrics(&body);
    assert_eq!(code, 0, "promtool: {out}");

    let prometheus = Prometheus::start(daemon.addr);
    let scraped =
        prometheus.wait_for_value("wardwatch_packets_received_total", Duration::from_secs(30));
    assert_eq!(scraped, 137.0);
    let up = prometheus.wait_for_value(r#"up{job="wardwatch"}"#, Duration::from_secs(10));
    assert_eq!(up, 1.0);
    let models = prometheus.wait_for_value("wardwatch_model_set_models", Duration::from_secs(10));
    assert!(models >= 30.0, "{models}");

    let (status, took) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{}", daemon.log());
    assert!(took < Duration::from_secs(10), "exit took {took:?}");
}

#[test]
fn the_shared_http_get_capture_counts_its_14_packets() {
    let Some(pcaps) = shared_pcaps() else {
        eprintln!("skipped: real captures not present");
        return;
    };
    let pcap = pcaps.join("zeek/http_get.pcap");
    if !pcap.is_file() {
        eprintln!("skipped: real captures not present");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--keep-running",
            "--alerts",
            "",
        ],
    );
    daemon.wait_http_ok("/healthz", Duration::from_secs(30));
    let body = daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(30));
    assert_eq!(
        sample(&body, "wardwatch_packets_received_total"),
        Some(14.0)
    );
    assert_eq!(
        sample(&body, "wardwatch_bytes_received_total"),
        Some(6087.0)
    );
    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_replay_without_keep_running_exits_0_and_state_resumes_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    // Run 1 sees the seven senders 10.20.0.1-7; run 2 only 10.20.0.1-3.
    let first = dir.path().join("ward.pcap");
    write_ward_pcap(&first, 5000);
    let second = dir.path().join("short.pcap");
    write_ward_pcap(&second, 3);
    let state = dir.path().join("state");
    let config = dir.path().join("wardwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[state]\ndir = {:?}\n[alerts]\nfile = \"\"\n",
            state.display().to_string()
        ),
    )
    .unwrap();
    for pcap in [&first, &second] {
        let mut daemon = Daemon::start(
            dir.path(),
            &[
                "--config",
                config.to_str().unwrap(),
                "--replay",
                pcap.to_str().unwrap(),
                "--replay-speed",
                "0",
            ],
        );
        let status = daemon
            .process
            .wait_for(Duration::from_secs(60))
            .expect("exits by itself");
        assert_eq!(status.code(), Some(0), "{}", daemon.log());
        assert!(daemon.log().contains("replay finished"), "{}", daemon.log());
        let saved = std::fs::read_to_string(state.join("pipeline.state")).unwrap();
        let (header, body) = saved.split_once('\n').unwrap();
        assert!(
            header.starts_with("wardwatch-envelope 1 pipeline-state "),
            "{header}"
        );
        let saved: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(saved["format"], 1, "{body}\n{}", daemon.log());
        let devices: Vec<&str> = saved["pipeline"]["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"]["mac"].as_str().unwrap())
            .collect();
        assert_eq!(
            devices,
            (1..=7)
                .map(|i| format!("00:09:fb:00:00:0{i}"))
                .collect::<Vec<_>>(),
            "run 2 resumes the devices of run 1"
        );
    }
}

#[test]
fn sigterm_during_a_paced_replay_exits_0_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    // 100 packets 10 ms apart at 0.01x: 100 s of replay, interrupted after the first packets.
    write_ward_pcap(&pcap, 100);
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--replay-speed",
            "0.01",
            "--alerts",
            "",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    daemon.wait_for_sample("wardwatch_capture_running", 1.0, Duration::from_secs(10));
    let (status, took) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{}", daemon.log());
    assert!(took < Duration::from_secs(10), "exit took {took:?}");
    assert!(daemon.log().contains("shutting down"), "{}", daemon.log());
}
