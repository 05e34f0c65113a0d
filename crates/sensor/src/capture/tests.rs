//! Capture tests: replay (exactness, losslessness, pacing, stop) on generated pcaps, and a live
//! capture on `lo` when running as root.

// The live tests generate their own loopback traffic; the sensor code never sends.
#![allow(clippy::disallowed_methods)]

use super::*;
use crate::config::{CaptureConfig, CaptureSource};
use crate::testutil::{udp_frame, write_pcap};
use std::time::{Duration, Instant};

fn replay_config(path: &std::path::Path, speed: Option<f64>, queue: usize) -> CaptureConfig {
    CaptureConfig {
        source: CaptureSource::Replay {
            path: path.to_path_buf(),
            speed,
        },
        filter: None,
        snaplen: 64,
        promiscuous: true,
        buffer_bytes: 1 << 20,
        queue_capacity: queue,
    }
}

fn packets(n: u64, gap_micros: u64) -> Vec<(u64, Vec<u8>)> {
    (0..n)
        .map(|i| {
            (
                1_767_600_000_000_000 + i * gap_micros,
                udp_frame(1, 2, 100 + (i as usize % 200)),
            )
        })
        .collect()
}

#[test]
fn replay_delivers_every_packet_in_order_truncated_to_the_snaplen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pcap");
    let input = packets(5, 250_000);
    write_pcap(&path, &input);
    let opened = open(&replay_config(&path, None, 16)).unwrap();
    assert_eq!(opened.mode(), CaptureMode::Replay);
    assert_eq!(opened.linktype(), 1);
    let (parts, mut join) = opened.start().unwrap().into_parts();
    let got: Vec<PacketRecord> = parts.records.iter().collect();
    assert_eq!(join.join(), CaptureEnd::Finished);
    assert_eq!(got.len(), 5);
    assert_eq!(got[1].ts, Timestamp(1_767_600_000_250_000));
    assert_eq!(got[1].linktype, 1);
    assert_eq!(got[1].wire_len as usize, input[1].1.len());
    assert_eq!(got[1].data.len(), 64, "snaplen 64 keeps the first 64 bytes");
    assert_eq!(got[1].data[..], input[1].1[..64]);
    assert_eq!(parts.counters.captured.load(Ordering::Relaxed), 5);
}

#[test]
fn replay_is_lossless_when_the_consumer_is_slow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pcap");
    write_pcap(&path, &packets(2000, 10));
    let (parts, mut join) = open(&replay_config(&path, None, 16))
        .unwrap()
        .start()
        .unwrap()
        .into_parts();
    std::thread::sleep(Duration::from_millis(200));
    let mut n = 0u64;
    let mut last = Timestamp(0);
    for record in parts.records.iter() {
        assert!(record.ts >= last);
        last = record.ts;
        parts.recycler.give(record.data);
        n += 1;
    }
    assert_eq!(join.join(), CaptureEnd::Finished);
    assert_eq!(n, 2000);
    assert_eq!(parts.counters.queue_dropped.load(Ordering::Relaxed), 0);
}

#[test]
fn paced_replay_follows_packet_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pcap");
    // 4 packets 1 s apart at 10x: the last is due 300 ms after the first.
    write_pcap(&path, &packets(4, 1_000_000));
    let started = Instant::now();
    let (parts, mut join) = open(&replay_config(&path, Some(10.0), 16))
        .unwrap()
        .start()
        .unwrap()
        .into_parts();
    assert_eq!(parts.records.iter().count(), 4);
    assert_eq!(join.join(), CaptureEnd::Finished);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_paced_replay_stops_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pcap");
    write_pcap(&path, &packets(3, 3_600_000_000));
    let handle = open(&replay_config(&path, Some(1.0), 16))
        .unwrap()
        .start()
        .unwrap();
    let stopper = handle.stopper();
    let (parts, mut join) = handle.into_parts();
    assert!(parts.records.recv_timeout(Duration::from_secs(5)).is_ok());
    let started = Instant::now();
    stopper.stop();
    assert_eq!(join.join(), CaptureEnd::Stopped);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn open_errors_name_the_file_and_filter() {
    let missing = std::path::Path::new("/nonexistent/ward.pcap");
    let err = open(&replay_config(missing, None, 16))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("capture.replay /nonexistent/ward.pcap: cannot open: "),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pcap");
    std::fs::write(&garbage, b"this is not a capture file at all").unwrap();
    let err = open(&replay_config(&garbage, None, 16))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("garbage.pcap: cannot open: "), "{err}");
    let path = dir.path().join("x.pcap");
    write_pcap(&path, &packets(1, 1));
    let mut config = replay_config(&path, None, 16);
    config.filter = Some("vlan and port nonsense-port".into());
    let err = open(&config).err().unwrap().to_string();
    assert!(
        err.starts_with("capture.filter \"vlan and port nonsense-port\": "),
        "{err}"
    );
}

#[test]
fn a_truncated_file_ends_early_after_the_complete_packets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pcap");
    write_pcap(&path, &packets(3, 1));
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
    let (parts, mut join) = open(&replay_config(&path, None, 16))
        .unwrap()
        .start()
        .unwrap()
        .into_parts();
    assert_eq!(parts.records.iter().count(), 2);
    assert!(matches!(join.join(), CaptureEnd::EndedEarly(_)));
}

fn live_config(interface: &str, filter: &str) -> CaptureConfig {
    CaptureConfig {
        source: CaptureSource::Live {
            interface: interface.into(),
        },
        filter: Some(filter.into()),
        snaplen: 512,
        promiscuous: false,
        buffer_bytes: 1 << 20,
        queue_capacity: 1024,
    }
}

#[test]
fn live_capture_on_loopback_counts_packets_and_stops_on_a_quiet_network() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: live capture needs root (CAP_NET_RAW)");
        return;
    }
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let opened = match open(&live_config("lo", &format!("udp dst port {port}"))) {
        Ok(opened) => opened,
        Err(err) => {
            eprintln!("skipped: cannot open lo: {err}");
            return;
        }
    };
    assert_eq!(opened.mode(), CaptureMode::Live);
    let handle = opened.start().unwrap();
    let stopper = handle.stopper();
    let (parts, mut join) = handle.into_parts();
    for _ in 0..20 {
        socket.send_to(b"wardwatch", ("127.0.0.1", port)).unwrap();
    }
    let mut got = 0;
    while got < 20 {
        let record = parts
            .records
            .recv_timeout(Duration::from_secs(5))
            .expect("packets arrive");
        assert_eq!(record.linktype, 1);
        assert_eq!(record.wire_len, 14 + 20 + 8 + 9);
        got += 1;
    }
    // Quiet now: the thread must still notice the stop request.
    std::thread::sleep(Duration::from_millis(1200));
    let started = Instant::now();
    stopper.stop();
    assert_eq!(join.join(), CaptureEnd::Stopped);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        parts.counters.stats().kernel_received >= 20,
        "{:?}",
        parts.counters.stats()
    );
    assert_eq!(parts.counters.queue_dropped.load(Ordering::Relaxed), 0);
}

#[test]
fn a_missing_interface_is_named() {
    let err = open(&live_config("nosuchif0", "udp"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("capture.interface nosuchif0: cannot open: "),
        "{err}"
    );
}

#[test]
fn a_full_live_queue_drops_and_counts() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: live capture needs root (CAP_NET_RAW)");
        return;
    }
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut config = live_config("lo", &format!("udp dst port {port}"));
    config.queue_capacity = 4;
    let Ok(opened) = open(&config) else {
        eprintln!("skipped: cannot open lo");
        return;
    };
    let handle = opened.start().unwrap();
    let stopper = handle.stopper();
    let (parts, mut join) = handle.into_parts();
    // Nobody reads the queue: 4 fit, the other 16 are dropped and counted.
    for _ in 0..20 {
        socket.send_to(b"x", ("127.0.0.1", port)).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while parts.counters.captured.load(Ordering::Relaxed) < 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    stopper.stop();
    join.join();
    assert_eq!(parts.counters.captured.load(Ordering::Relaxed), 20);
    assert_eq!(parts.counters.queue_dropped.load(Ordering::Relaxed), 16);
    assert_eq!(parts.records.iter().count(), 4);
}
