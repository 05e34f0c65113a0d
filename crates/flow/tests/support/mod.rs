//! Helpers for the integration tests: packet builders and a pipeline driver.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test on purpose"
)]

pub mod packets;

use packets::Host;
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::event::WindowFeatures;
use wardwatch_flow::identify::OuiTable;
use wardwatch_flow::{
    Event, Feature, LinkType, MacAddr, Packet, Pipeline, PipelineConfig, Timestamp,
};

/// A pipeline with an empty catalog and the given configuration.
pub fn pipeline_with(config: PipelineConfig) -> Pipeline {
    let catalog = Catalog::parse("format = 1").unwrap();
    Pipeline::new(config, &catalog, &OuiTable::default()).unwrap()
}

/// A pipeline with the default configuration.
pub fn pipeline() -> Pipeline {
    pipeline_with(PipelineConfig::default())
}

/// A timed frame: (milliseconds since the epoch, Ethernet bytes).
pub type Frame = (u64, Vec<u8>);

/// Shifts a list of (ms offset, frame) to start at `secs`.
pub fn at(secs: u64, frames: Vec<(u64, Vec<u8>)>) -> Vec<Frame> {
    frames
        .into_iter()
        .map(|(ms, f)| (secs * 1000 + ms, f))
        .collect()
}

/// One frame at `secs`.
pub fn one(secs: u64, frame: Vec<u8>) -> Vec<Frame> {
    vec![(secs * 1000, frame)]
}

/// Pushes frames (sorted by time) and flushes; returns every event.
pub fn run(p: &mut Pipeline, mut frames: Vec<Frame>) -> Vec<Event> {
    frames.sort_by_key(|(ms, _)| *ms);
    let mut events = Vec::new();
    for (ms, data) in &frames {
        let packet = Packet {
            ts: Timestamp(ms * 1000),
            link: LinkType::Ethernet,
            data,
            wire_len: data.len() as u32,
        };
        p.push(&packet, &mut events);
    }
    p.flush(&mut events);
    events
}

/// The window events.
pub fn windows(events: &[Event]) -> Vec<&WindowFeatures> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Window(w) => Some(w.as_ref()),
            _ => None,
        })
        .collect()
}

/// The window of `host` starting at `start_secs`.
pub fn window_of(events: &[Event], host: Host, start_secs: u64) -> &WindowFeatures {
    windows(events)
        .into_iter()
        .find(|w| {
            w.device.mac == Some(MacAddr(host.mac))
                && w.window_start == Timestamp::from_secs(start_secs)
        })
        .unwrap_or_else(|| panic!("no window for {:?} at {start_secs}", host.mac))
}

/// A feature value of a window.
pub fn feature(w: &WindowFeatures, f: Feature) -> f64 {
    w.features.get(f)
}

pub mod corpus;
pub mod fixture;
