//! The only place that maps the wall clock onto packet time. On a quiet live network no packet
//! arrives to move time forward, yet windows must close and flows expire; the daemon then asks
//! this clock for "now" in packet time: the last packet's time plus the wall time elapsed since
//! it arrived. Before the first packet, the anchor is the wall clock itself (live packet
//! timestamps come from the same clock). File replays never use it: their time is only the
//! packets'.

use std::time::{Instant, SystemTime, UNIX_EPOCH};
use wardwatch_flow::{Span, Timestamp};

/// Packet time extrapolated between packets; never goes backwards.
#[derive(Clone, Debug)]
pub struct PacketClock {
    anchor_ts: Timestamp,
    anchor_wall: Instant,
    latest: Timestamp,
}

impl PacketClock {
    /// A clock anchored at `ts` observed at wall instant `wall`.
    pub fn new(ts: Timestamp, wall: Instant) -> PacketClock {
        PacketClock {
            anchor_ts: ts,
            anchor_wall: wall,
            latest: ts,
        }
    }

    /// A clock anchored at the current wall time (for a live capture before its first packet).
    pub fn from_wall_clock() -> PacketClock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let micros = u64::try_from(since_epoch.as_micros()).unwrap_or(u64::MAX);
        PacketClock::new(Timestamp(micros), Instant::now())
    }

    /// The wall instant used for the packet-time mapping.
    pub fn wall_now() -> Instant {
        Instant::now()
    }

    /// A packet stamped `ts` arrived at wall instant `wall`: re-anchor on it.
    pub fn observe_packet(&mut self, ts: Timestamp, wall: Instant) {
        self.anchor_ts = ts;
        self.anchor_wall = wall;
    }

    /// Packet time now: the last packet's time plus the wall time since it arrived, and never
    /// less than a time this clock returned before.
    pub fn now(&mut self, wall: Instant) -> Timestamp {
        let elapsed = wall.saturating_duration_since(self.anchor_wall);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let now = self.anchor_ts.add(Span(micros));
        self.latest = self.latest.max(now);
        self.latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn extrapolates_from_the_last_packet_and_never_goes_back() {
        let t0 = Instant::now();
        let mut clock = PacketClock::new(Timestamp::from_secs(1000), t0);
        assert_eq!(
            clock.now(t0 + Duration::from_millis(1500)),
            Timestamp(1_001_500_000)
        );
        clock.observe_packet(Timestamp::from_secs(2000), t0 + Duration::from_secs(2));
        assert_eq!(
            clock.now(t0 + Duration::from_secs(62)),
            Timestamp::from_secs(2060)
        );
        // A packet stamped in the past (clock step, reordering) does not move time backwards.
        clock.observe_packet(Timestamp::from_secs(1500), t0 + Duration::from_secs(63));
        assert_eq!(
            clock.now(t0 + Duration::from_secs(64)),
            Timestamp::from_secs(2060)
        );
    }
}
