//! Test helpers shared by the unit tests: the packet builders and a pipeline driver.

#[path = "../tests/support/packets.rs"]
pub(crate) mod packets;

use crate::catalog::Catalog;
use crate::config::PipelineConfig;
use crate::decode::LinkType;
use crate::event::Event;
use crate::identify::OuiTable;
use crate::pipeline::{Packet, Pipeline};
use crate::time::Timestamp;

/// A pipeline with an empty catalog.
pub(crate) fn pipeline(config: PipelineConfig) -> Pipeline {
    let catalog = Catalog::parse("format = 1").expect("empty catalog");
    Pipeline::new(config, &catalog, &OuiTable::default()).expect("pipeline")
}

/// Pushes Ethernet frames at `base` seconds plus their offsets (milliseconds).
pub(crate) fn push_all(
    p: &mut Pipeline,
    base_secs: u64,
    frames: &[(u64, Vec<u8>)],
    events: &mut Vec<Event>,
) {
    for (ms, data) in frames {
        let ts = Timestamp(base_secs * 1_000_000 + ms * 1_000);
        let packet = Packet {
            ts,
            link: LinkType::Ethernet,
            data,
            wire_len: data.len() as u32,
        };
        p.push(&packet, events);
    }
}
