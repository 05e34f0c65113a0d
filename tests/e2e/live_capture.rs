//! Live capture on a veth pair in a network namespace created by the test: packets sent inside
//! the namespace are counted, privileges are dropped, and the sensor's interface transmits
//! nothing.

use std::time::Duration;
use wardwatch_e2e::netns::VethPair;
use wardwatch_e2e::process::{Daemon, sample};

#[test]
fn packets_from_a_namespace_are_counted_and_the_sensor_never_transmits() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: live capture in a network namespace needs root");
        return;
    }
    let pair = match VethPair::create() {
        Ok(pair) => pair,
        Err(reason) => {
            eprintln!("skipped: network namespaces unavailable here ({reason})");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wardwatch.toml");
    std::fs::write(
        &config,
        "[privileges]\nuser = \"nobody\"\n[alerts]\nfile = \"\"\n",
    )
    .unwrap();
    let tx_before = pair.host_tx_packets();
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--interface",
            &pair.host,
            "--filter",
            "udp dst port 9999",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));

    let status = std::fs::read_to_string(format!("/proc/{}/status", daemon.process.pid())).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    assert!(
        !uid_line.split_whitespace().skip(1).any(|id| id == "0"),
        "still root: {uid_line}"
    );
    assert!(status.contains("NoNewPrivs:\t1"), "{status}");
    assert!(status.contains("CapEff:\t0000000000000000"), "{status}");

    pair.send_udp_from_namespace(25, 9999).unwrap();
    let body = daemon.wait_for_sample(
        "wardwatch_packets_received_total",
        25.0,
        Duration::from_secs(15),
    );
    assert_eq!(
        sample(&body, r#"wardwatch_capture_info{mode="live"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_capture_dropped_packets_total{stage="kernel"}"#
        ),
        Some(0.0)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_capture_dropped_packets_total{stage="queue"}"#
        ),
        Some(0.0)
    );
    // libpcap statistics are polled once a second.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let kernel = sample(
            &daemon.scrape(),
            "wardwatch_capture_kernel_received_packets_total",
        )
        .unwrap();
        if kernel >= 25.0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "libpcap received {kernel}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let (status, took) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{}", daemon.log());
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert!(
        daemon.log().contains("dropped privileges"),
        "{}",
        daemon.log()
    );
    assert_eq!(
        pair.host_tx_packets() - tx_before,
        0,
        "the sensor's interface transmitted"
    );
}
