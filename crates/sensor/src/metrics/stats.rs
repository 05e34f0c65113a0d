//! Plain-counter mirrors of the pipeline's and libpcap's statistics. The daemon (or the
//! processor) fills these from the real stats structs and hands them to
//! [`super::Metrics`], which turns running totals into Prometheus counter increments.

use super::labels::{DecodeErrorKind, DeviceState, EvictReason};
use prometheus::IntCounter;

/// libpcap statistics of a live capture (running totals since the capture opened).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaptureStats {
    /// `ps_recv`: packets the kernel passed to libpcap.
    pub kernel_received: u64,
    /// `ps_drop`: packets dropped because the buffer was full.
    pub kernel_dropped: u64,
    /// `ps_ifdrop`: packets dropped by the interface or driver.
    pub interface_dropped: u64,
}

/// The flow pipeline's statistics (running totals, except the gauges).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineStats {
    /// Packets that failed to decode, by layer (indexed by [`DecodeErrorKind::index`]).
    pub decode_errors: [u64; DecodeErrorKind::COUNT],
    /// Flows in the table now.
    pub flows_active: u64,
    /// Flows created since start.
    pub flows_created: u64,
    /// Flows removed, by reason (indexed by [`EvictReason::index`]).
    pub flows_evicted: [u64; EvictReason::COUNT],
    /// True while the flow table runs with emergency (shortened) timeouts.
    pub flow_table_emergency: bool,
    /// Devices evicted from the device table, by partition (indexed by [`DeviceState::index`]).
    pub devices_evicted: [u64; DeviceState::COUNT],
}

/// Turns a running total into counter increments; a total that goes down (the source was
/// recreated, e.g. after a reload) counts as a restart from zero.
#[derive(Clone, Debug, Default)]
pub struct Delta {
    last: u64,
}

impl Delta {
    /// Advances `counter` to reflect the new running `total`.
    pub fn advance(&mut self, counter: &IntCounter, total: u64) {
        let increment = if total >= self.last {
            total - self.last
        } else {
            total
        };
        if increment > 0 {
            counter.inc_by(increment);
        }
        self.last = total;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_follows_totals_and_restarts() {
        let counter = IntCounter::new("x_total", "x").unwrap();
        let mut delta = Delta::default();
        delta.advance(&counter, 5);
        delta.advance(&counter, 5);
        delta.advance(&counter, 8);
        assert_eq!(counter.get(), 8);
        delta.advance(&counter, 2);
        assert_eq!(counter.get(), 10, "a lower total is a restart from zero");
    }
}
