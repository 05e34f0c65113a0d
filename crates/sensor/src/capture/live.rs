//! Live interface reading: non-blocking libpcap woken by poll(2), drop-and-count on a full
//! queue, statistics every second.

use super::{CaptureEnd, CaptureError, Feed};
use crate::config::CaptureConfig;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::sync::mpsc::TrySendError;
use std::time::{Duration, Instant};

/// Longest wait for packets before the stop flag and the statistics are checked again.
const POLL_MS: u16 = 100;
/// Interval between libpcap statistics reads.
const STATS_EVERY: Duration = Duration::from_secs(1);
/// libpcap read timeout (ms): how long the kernel may hold packets before waking us.
const READ_TIMEOUT_MS: i32 = 100;

fn interface_error(interface: &str) -> impl FnOnce(pcap::Error) -> CaptureError + '_ {
    move |e| CaptureError::Interface {
        interface: interface.to_owned(),
        message: e.to_string(),
    }
}

/// Opens the interface: promiscuous (as configured), snaplen, immediate mode, buffer size,
/// filter, non-blocking.
pub(super) fn open(
    config: &CaptureConfig,
    interface: &str,
) -> Result<pcap::Capture<pcap::Active>, CaptureError> {
    let snaplen = i32::try_from(config.snaplen).unwrap_or(i32::MAX);
    let buffer = i32::try_from(config.buffer_bytes).unwrap_or(i32::MAX);
    let mut cap = pcap::Capture::from_device(interface)
        .map_err(interface_error(interface))?
        .promisc(config.promiscuous)
        .snaplen(snaplen)
        .immediate_mode(true)
        .buffer_size(buffer)
        .timeout(READ_TIMEOUT_MS)
        .open()
        .map_err(interface_error(interface))?;
    if let Some(filter) = &config.filter {
        cap.filter(filter, true).map_err(|e| CaptureError::Filter {
            filter: filter.clone(),
            message: e.to_string(),
        })?;
    }
    cap.setnonblock().map_err(interface_error(interface))
}

/// Reads until stopped or failed.
pub(super) fn run(mut cap: pcap::Capture<pcap::Active>, feed: &Feed) -> CaptureEnd {
    let mut last_stats = Instant::now();
    loop {
        if feed.stopping() {
            poll_stats(&mut cap, feed);
            return CaptureEnd::Stopped;
        }
        match cap.next_packet() {
            Ok(packet) => {
                feed.counters.captured.fetch_add(1, Ordering::Relaxed);
                let record = feed.record(&packet);
                match feed.queue.try_send(record) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        feed.counters.queue_dropped.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(TrySendError::Disconnected(_)) => return CaptureEnd::ConsumerGone,
                }
            }
            Err(pcap::Error::TimeoutExpired) => {
                let mut fds = [PollFd::new(cap.as_fd(), PollFlags::POLLIN)];
                // EINTR and friends only shorten the wait.
                let _ = poll(&mut fds, PollTimeout::from(POLL_MS));
            }
            Err(err) => return CaptureEnd::Failed(err.to_string()),
        }
        if last_stats.elapsed() >= STATS_EVERY {
            poll_stats(&mut cap, feed);
            last_stats = Instant::now();
        }
    }
}

fn poll_stats(cap: &mut pcap::Capture<pcap::Active>, feed: &Feed) {
    match cap.stats() {
        Ok(stat) => feed.counters.set_stats(&stat),
        Err(err) => tracing::debug!(error = %err, "libpcap statistics unavailable"),
    }
}
