//! File replay: lossless (blocks on a full queue), optionally paced on packet time.

use super::{CaptureEnd, CaptureError, Feed, Pacer};
use crate::config::CaptureConfig;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Longest single sleep while pacing, so a stop request is noticed promptly.
const PACE_SLICE: Duration = Duration::from_millis(100);

/// Opens a pcap or pcapng file and applies the filter.
pub(super) fn open(
    config: &CaptureConfig,
    path: &Path,
) -> Result<pcap::Capture<pcap::Offline>, CaptureError> {
    let mut cap = pcap::Capture::from_file(path).map_err(|e| CaptureError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    if let Some(filter) = &config.filter {
        cap.filter(filter, true).map_err(|e| CaptureError::Filter {
            filter: filter.clone(),
            message: e.to_string(),
        })?;
    }
    Ok(cap)
}

/// Reads the file to its end (or until stopped).
pub(super) fn run(
    mut cap: pcap::Capture<pcap::Offline>,
    speed: Option<f64>,
    feed: &Feed,
) -> CaptureEnd {
    let mut pacer = speed.map(Pacer::new);
    loop {
        if feed.stopping() {
            return CaptureEnd::Stopped;
        }
        let record = match cap.next_packet() {
            Ok(packet) => feed.record(&packet),
            Err(pcap::Error::NoMorePackets) => return CaptureEnd::Finished,
            Err(err) => return CaptureEnd::EndedEarly(err.to_string()),
        };
        if let Some(pacer) = pacer.as_mut()
            && !wait_until_due(pacer, &record, feed)
        {
            return CaptureEnd::Stopped;
        }
        feed.counters.captured.fetch_add(1, Ordering::Relaxed);
        if feed.queue.send(record).is_err() {
            return CaptureEnd::ConsumerGone;
        }
    }
}

/// Sleeps until the record is due; false if a stop was requested meanwhile.
fn wait_until_due(pacer: &mut Pacer, record: &super::PacketRecord, feed: &Feed) -> bool {
    loop {
        let delay = pacer.delay(record.ts, Instant::now());
        if delay.is_zero() {
            return true;
        }
        if feed.stopping() {
            return false;
        }
        std::thread::sleep(delay.min(PACE_SLICE));
    }
}
