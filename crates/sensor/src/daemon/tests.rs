//! Pipeline-thread tests with a scripted processor: output routing, snapshots and resume, and
//! quiet-network ticks on a live capture.

use super::outputs::{Outputs, STATE_FILE, STATE_KIND};
use super::processor::{Output, Processor};
use super::worker::{Worker, WorkerReport};
use crate::capture::{self, CaptureEnd, PacketRecord};
use crate::config::{CaptureSource, Config, FlagOrigins, RawConfig};
use crate::logging::{LogSampler, SamplingRule};
use crate::metrics::Metrics;
use crate::sinks::AlertSender;
use crate::sinks::queue::SinkQueue;
use crate::testutil::{sample, udp_frame, write_pcap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wardwatch_flow::{Identity, Timestamp};

/// Emits an alert every second packet and a window every packet; records ticks.
#[derive(Default)]
struct Scripted {
    packets: u64,
    ticks: Arc<Mutex<Vec<Timestamp>>>,
    finished: Arc<Mutex<bool>>,
}

fn window(ts: Timestamp) -> wardwatch_flow::WindowFeatures {
    wardwatch_flow::WindowFeatures {
        device: wardwatch_flow::DeviceRef {
            id: "00:09:fb:00:00:01".parse().unwrap(),
            mac: "00:09:fb:00:00:01".parse().ok(),
            ip: "10.20.0.1".parse().ok(),
        },
        identity: Identity::default(),
        established: true,
        window_start: ts,
        window_secs: 60,
        features: wardwatch_flow::FeatureVector::default(),
        services: vec![],
        services_truncated: 0,
        peers: vec![],
        periodic: vec![],
        remote_exec: vec![],
    }
}

impl Processor for Scripted {
    fn on_packet(&mut self, record: &PacketRecord, out: &mut Output) {
        self.packets += 1;
        out.windows.push(window(record.ts));
        if self.packets.is_multiple_of(2) {
            let mut alert = crate::sinks::tests::alert(self.packets as u32);
            alert.ts = record.ts;
            out.alerts.push(alert);
        }
    }
    fn on_tick(&mut self, now: Timestamp, _out: &mut Output) {
        self.ticks.lock().unwrap().push(now);
    }
    fn finish(&mut self, _out: &mut Output) {
        *self.finished.lock().unwrap() = true;
    }
    fn snapshot(&self) -> Option<Vec<u8>> {
        Some(format!("packets={}", self.packets).into_bytes())
    }
    fn restore(&mut self, state: &[u8]) -> Result<(), String> {
        let text = std::str::from_utf8(state).map_err(|e| e.to_string())?;
        self.packets = text
            .strip_prefix("packets=")
            .and_then(|n| n.parse().ok())
            .ok_or("bad state")?;
        Ok(())
    }
}

fn config_for(source: CaptureSource, dir: &std::path::Path) -> Config {
    let mut raw = RawConfig::default();
    match &source {
        CaptureSource::Replay { path, .. } => raw.capture.replay = path.display().to_string(),
        CaptureSource::Live { interface } => raw.capture.interface = interface.clone(),
    }
    raw.state.dir = dir.join("state").display().to_string();
    raw.outputs.features = dir.join("features.jsonl").display().to_string();
    let mut config = Config::from_raw(&raw, &FlagOrigins::default()).unwrap();
    config.capture.source = source;
    config
}

fn run_worker(
    config: &Config,
    processor: Box<dyn Processor>,
    queue: Arc<SinkQueue>,
    metrics: Arc<Metrics>,
    stop_after: Option<Duration>,
) -> WorkerReport {
    let opened = capture::open(&config.capture).unwrap();
    let live = opened.mode() == crate::metrics::labels::CaptureMode::Live;
    let handle = opened.start().unwrap();
    let stopper = handle.stopper();
    let (parts, join) = handle.into_parts();
    let (_control, control_rx) = std::sync::mpsc::channel();
    let outputs = Outputs::open(config).unwrap();
    let mut processor = processor;
    outputs.restore(processor.as_mut());
    let worker = Worker {
        processor,
        capture: parts,
        join,
        live,
        sampler: Arc::new(LogSampler::new(
            SamplingRule::default(),
            metrics.log_suppressed_counter(),
        )),
        metrics,
        alerts: AlertSender::new(vec![queue]),
        control: control_rx,
        outputs,
    };
    let thread = std::thread::spawn(move || worker.run());
    if let Some(after) = stop_after {
        std::thread::sleep(after);
        stopper.stop();
    }
    thread.join().unwrap()
}

#[test]
fn output_is_routed_and_state_is_saved_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("in.pcap");
    let frames: Vec<_> = (0..10u64)
        .map(|i| (1_767_600_000_000_000 + i * 1000, udp_frame(1, 2, 100)))
        .collect();
    write_pcap(&pcap, &frames);
    let config = config_for(
        CaptureSource::Replay {
            path: pcap,
            speed: None,
        },
        dir.path(),
    );
    let metrics = Arc::new(Metrics::new(16).unwrap());
    let queue = Arc::new(SinkQueue::new(100, metrics.sink("test")));
    let finished = Arc::new(Mutex::new(false));
    let processor = Scripted {
        finished: finished.clone(),
        ..Scripted::default()
    };
    let report = run_worker(
        &config,
        Box::new(processor),
        queue.clone(),
        metrics.clone(),
        None,
    );
    assert_eq!(report.packets, 10);
    assert_eq!(report.end, CaptureEnd::Finished);
    assert!(*finished.lock().unwrap());
    assert_eq!(queue.len(), 5, "an alert every second packet");
    let features = std::fs::read_to_string(dir.path().join("features.jsonl")).unwrap();
    assert_eq!(features.lines().count(), 10);
    assert!(
        features
            .lines()
            .next()
            .unwrap()
            .contains(r#""window_start":"2026-01-05T08:00:00.000000Z""#)
    );
    let body = String::from_utf8(metrics.render().unwrap()).unwrap();
    assert_eq!(
        sample(&body, "wardwatch_packets_received_total"),
        Some(10.0)
    );
    assert_eq!(
        sample(&body, "wardwatch_bytes_received_total"),
        Some(10.0 * 142.0)
    );
    assert_eq!(
        sample(&body, "wardwatch_last_packet_timestamp_seconds"),
        Some(1_767_600_000.009)
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_alerts_total{kind="lateral_movement",model="other",severity="high"}"#
        ),
        Some(5.0),
        "{body}"
    );
    assert_eq!(
        sample(
            &body,
            r#"wardwatch_state_snapshots_total{result="success"}"#
        ),
        Some(1.0)
    );
    let state_path = dir.path().join("state").join(STATE_FILE);
    let saved = crate::store::load_envelope(&state_path, STATE_KIND)
        .unwrap()
        .unwrap();
    assert_eq!(saved, b"packets=10");

    // A second run resumes from the snapshot.
    let report = run_worker(&config, Box::new(Scripted::default()), queue, metrics, None);
    assert_eq!(report.packets, 10);
    let saved = crate::store::load_envelope(&state_path, STATE_KIND)
        .unwrap()
        .unwrap();
    assert_eq!(saved, b"packets=20");
}

#[test]
fn a_damaged_snapshot_is_set_aside_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("in.pcap");
    write_pcap(&pcap, &[(1_000_000, udp_frame(1, 2, 100))]);
    let config = config_for(
        CaptureSource::Replay {
            path: pcap,
            speed: None,
        },
        dir.path(),
    );
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    let state_path = dir.path().join("state").join(STATE_FILE);
    let mut bytes = crate::store::encode_envelope(STATE_KIND, b"packets=99");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&state_path, &bytes).unwrap();
    let metrics = Arc::new(Metrics::new(16).unwrap());
    let queue = Arc::new(SinkQueue::new(100, metrics.sink("test")));
    run_worker(&config, Box::new(Scripted::default()), queue, metrics, None);
    let saved = crate::store::load_envelope(&state_path, STATE_KIND)
        .unwrap()
        .unwrap();
    assert_eq!(saved, b"packets=1", "started fresh");
    assert_eq!(
        std::fs::read(dir.path().join("state/pipeline.state.damaged")).unwrap(),
        bytes
    );
}

#[test]
fn a_quiet_live_network_is_ticked_with_advancing_packet_time() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: live capture needs root (CAP_NET_RAW)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut config = config_for(
        CaptureSource::Live {
            interface: "lo".into(),
        },
        dir.path(),
    );
    // A filter nothing matches: the network is quiet.
    config.capture.filter = Some("udp port 9 and udp port 10".into());
    let metrics = Arc::new(Metrics::new(16).unwrap());
    let queue = Arc::new(SinkQueue::new(100, metrics.sink("test")));
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let processor = Scripted {
        ticks: ticks.clone(),
        ..Scripted::default()
    };
    let before = super::clock::PacketClock::from_wall_clock().now(std::time::Instant::now());
    let report = run_worker(
        &config,
        Box::new(processor),
        queue,
        metrics,
        Some(Duration::from_millis(3300)),
    );
    assert_eq!(report.end, CaptureEnd::Stopped);
    assert_eq!(report.packets, 0);
    let ticks = ticks.lock().unwrap().clone();
    assert!(ticks.len() >= 2, "{ticks:?}");
    assert!(ticks.windows(2).all(|w| w[1] > w[0]), "{ticks:?}");
    let first_gap = ticks[0].since(before);
    assert!(
        first_gap >= wardwatch_flow::Span::from_millis(900),
        "{first_gap:?}"
    );
    assert!(
        first_gap <= wardwatch_flow::Span::from_secs(3),
        "{first_gap:?}"
    );
}
