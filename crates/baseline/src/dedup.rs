//! Deduplication: one alert per (device, kind) per suppression interval of packet time. Checked
//! before the rate limit and recorded only when an alert is finally emitted, so an alert the
//! rate limit held back can still go out with the next window.

use crate::alert::AlertKind;
use crate::bounded::BoundedMap;
use wardwatch_flow::{DeviceId, Span, Timestamp};

/// Remembers when each (device, kind) last alerted.
#[derive(Clone, Debug)]
pub struct Suppressor {
    last: BoundedMap<(DeviceId, AlertKind), Timestamp>,
    interval: Span,
}

impl Suppressor {
    /// A suppressor with the given interval, remembering at most `cap` pairs.
    pub fn new(interval: Span, cap: usize) -> Suppressor {
        Suppressor {
            last: BoundedMap::new(cap),
            interval,
        }
    }

    /// True when an alert of this kind for this device at `ts` would be a duplicate: another
    /// was emitted less than the interval before or after it (events may be a window apart).
    pub fn is_duplicate(&self, device: DeviceId, kind: AlertKind, ts: Timestamp) -> bool {
        self.last.get(&(device, kind)).is_some_and(|prev| {
            let gap = if ts >= *prev {
                ts.since(*prev)
            } else {
                prev.since(ts)
            };
            gap < self.interval
        })
    }

    /// Records an emitted alert.
    pub fn record(&mut self, device: DeviceId, kind: AlertKind, ts: Timestamp) {
        self.last.insert((device, kind), ts);
    }

    /// Pairs forgotten because the table was full.
    pub fn evicted(&self) -> u64 {
        self.last.evicted()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::mac;

    #[test]
    fn one_per_interval() {
        let mut s = Suppressor::new(Span::from_secs(3600), 100);
        let d = DeviceId::Mac(mac(1));
        let t0 = Timestamp::from_secs(1_000_000);
        assert!(!s.is_duplicate(d, AlertKind::PortScan, t0));
        s.record(d, AlertKind::PortScan, t0);
        assert!(s.is_duplicate(d, AlertKind::PortScan, Timestamp::from_secs(1_003_599)));
        assert!(!s.is_duplicate(d, AlertKind::PortScan, Timestamp::from_secs(1_003_600)));
        // Another kind or device is independent; earlier events within the interval are duplicates.
        assert!(!s.is_duplicate(d, AlertKind::HostScan, t0));
        assert!(!s.is_duplicate(DeviceId::Mac(mac(2)), AlertKind::PortScan, t0));
        assert!(s.is_duplicate(d, AlertKind::PortScan, Timestamp::from_secs(999_940)));
    }
}
