//! Replay pacing: maps packet time onto elapsed wall time at a chosen speed. (The opposite
//! direction, wall clock onto packet time for a quiet live network, lives in `daemon::clock`.)

use std::time::{Duration, Instant};
use wardwatch_flow::Timestamp;

/// Paces packets so that `speed` seconds of packet time pass per second of wall time.
#[derive(Clone, Debug)]
pub struct Pacer {
    speed: f64,
    origin: Option<(Timestamp, Instant)>,
}

impl Pacer {
    /// A pacer at `speed` (> 0; 1 = real time).
    pub fn new(speed: f64) -> Pacer {
        Pacer {
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            origin: None,
        }
    }

    /// How long to wait before delivering a packet stamped `ts`, given the wall time `now`.
    /// The first packet anchors the pace; packets stamped earlier than it are not delayed.
    pub fn delay(&mut self, ts: Timestamp, now: Instant) -> Duration {
        let (first_ts, first_wall) = *self.origin.get_or_insert((ts, now));
        let packet_elapsed = ts.since(first_ts).as_secs_f64() / self.speed;
        let due =
            first_wall + Duration::try_from_secs_f64(packet_elapsed).unwrap_or(Duration::MAX / 4);
        due.saturating_duration_since(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_gaps_are_divided_by_the_speed() {
        let mut pacer = Pacer::new(10.0);
        let t0 = Instant::now();
        assert_eq!(pacer.delay(Timestamp::from_secs(100), t0), Duration::ZERO);
        // 5 s of packet time at 10x is due 500 ms after the first packet.
        assert_eq!(
            pacer.delay(Timestamp::from_secs(105), t0),
            Duration::from_millis(500)
        );
        assert_eq!(
            pacer.delay(Timestamp::from_secs(105), t0 + Duration::from_millis(200)),
            Duration::from_millis(300)
        );
        assert_eq!(
            pacer.delay(Timestamp::from_secs(105), t0 + Duration::from_secs(1)),
            Duration::ZERO
        );
        assert_eq!(
            pacer.delay(Timestamp::from_secs(50), t0),
            Duration::ZERO,
            "earlier packets are not held"
        );
    }
}
