//! Helpers shared by the integration tests: a trained pump fleet, attack windows, a detector
//! driver.
#![allow(dead_code)]
// each test file uses a different subset
// Test helpers outside #[test] functions: a failed fixture should stop the test loudly.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use std::sync::{Arc, OnceLock};
use wardwatch_baseline::testkit::{
    FleetSpec, WindowBuilder, fleet_windows, peer_summary, pump_window,
};
use wardwatch_baseline::{
    Alert, AlertKind, Detector, DetectorConfig, ModelSet, TrainParams, TrainingReport, train,
};
use wardwatch_flow::event::{Direction, PeerRole, Transport};
use wardwatch_flow::{Event, Feature, WindowFeatures};

/// Five pumps, three days of 300 s windows.
pub fn pumps() -> FleetSpec {
    FleetSpec::pumps(5, 3, 300)
}

/// The trained pump fleet (trained once per test binary).
pub fn trained() -> &'static (Arc<ModelSet>, TrainingReport) {
    static SET: OnceLock<(Arc<ModelSet>, TrainingReport)> = OnceLock::new();
    SET.get_or_init(|| {
        let (set, report) =
            train(&fleet_windows(&pumps()), &TrainParams::default()).expect("training");
        (Arc::new(set), report)
    })
}

/// A detector with default settings, except that devices need no warm-up (the tests feed a
/// device's first window and expect it judged; the warm-up has its own test).
pub fn detector(models: Arc<ModelSet>) -> Detector {
    Detector::new(
        models,
        DetectorConfig {
            warmup_secs: 0,
            discovery_secs: 0,
            ..DetectorConfig::default()
        },
    )
}

/// Feeds events; returns the alerts.
pub fn feed(det: &mut Detector, events: impl IntoIterator<Item = Event>) -> Vec<Alert> {
    let mut out = Vec::new();
    for e in events {
        det.process(&e, &mut out);
    }
    out
}

/// The kinds of alerts, in order.
pub fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
    alerts.iter().map(|a| a.kind).collect()
}

/// A normal pump window turned into SMB lateral movement to `targets` internal hosts.
pub fn smb_attack(spec: &FleetSpec, device: u32, index: u64, targets: u32) -> WindowFeatures {
    let mut w = pump_window(spec, device, index);
    w.features.add(Feature::AdminSmb, f64::from(targets));
    w.features.set(Feature::AdminTargets, f64::from(targets));
    w.features.add(Feature::InternalPeers, f64::from(targets));
    w.features.add(Feature::FlowsInitiated, f64::from(targets));
    w.features.add(Feature::DstPorts, 1.0);
    w.services.push(wardwatch_flow::event::ServiceUse {
        direction: Direction::Outbound,
        role: PeerRole::InternalServer,
        proto: Transport::Tcp,
        port: 445,
        flows: targets,
        bytes: u64::from(targets) * 3000,
    });
    for i in 0..targets.min(30) {
        let mut p = peer_summary(&format!("10.40.{}.{}", i / 200, i % 200 + 1), true);
        p.ports = vec![445];
        p.flows_out = 1;
        p.bytes_out = 1500;
        w.peers.push(p);
    }
    w
}

/// A window event.
pub fn ev(w: WindowFeatures) -> Event {
    Event::Window(Box::new(w))
}

/// An empty established window of an unidentified device.
pub fn bare(device: u32, secs: u64) -> WindowBuilder {
    WindowBuilder::new(device, secs)
}
