//! Periodicity of repeated connections (beacon candidates), RITA-style and jitter-tolerant.
//!
//! For each (device, destination address, port, protocol) a bounded history of connection start
//! times is kept. With `n >= 4` starts, the `n - 1` intervals are scored:
//!
//! * `median` = Q2 of the intervals, `Q1`/`Q3` their lower/upper hinges (medians of the lower
//!   and upper halves, the middle value excluded for odd counts);
//! * dispersion `d = MAD / median`, where MAD is the median absolute deviation from the median;
//! * Bowley skewness `s = (Q3 + Q1 - 2·Q2) / (Q3 - Q1)` (0 when `Q3 = Q1`);
//! * score = `exp(-(d / 0.25)²) · (1 - |s| / 2)`, 0 when the median is 0.
//!
//! A perfectly periodic series scores 1; 60 s ± 20 % uniform jitter has `d ≈ 0.1` and scores
//! about 0.8; Poisson (exponential) arrivals have `d ≈ 0.7` and score near 0. One missed beat
//! leaves the median and MAD almost unchanged, which is what makes the score jitter-tolerant.

use crate::event::{Periodic, Transport};
use crate::ids::DeviceId;
use crate::time::Timestamp;
use foldhash::fast::RandomState;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;

/// Connection starts kept per destination.
pub const MAX_CONNECTIONS_TRACKED: usize = 32;
/// Fewest connections that can make a beacon candidate.
pub const MIN_CONNECTIONS: usize = 4;

/// Regularity of a series of connection starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Regularity {
    /// Score 0..1 (1 = perfectly periodic).
    pub score: f64,
    /// Median interval, seconds.
    pub median_interval_s: f64,
}

/// Scores connection start times (sorted or not); `None` with fewer than [`MIN_CONNECTIONS`].
pub fn regularity(starts: &[Timestamp]) -> Option<Regularity> {
    if starts.len() < MIN_CONNECTIONS {
        return None;
    }
    let mut times: Vec<u64> = starts.iter().map(|t| t.micros()).collect();
    times.sort_unstable();
    let mut intervals: Vec<f64> = times
        .windows(2)
        .map(|w| match w {
            [a, b] => b.saturating_sub(*a) as f64 / 1e6,
            _ => 0.0,
        })
        .collect();
    intervals.sort_unstable_by(f64::total_cmp);
    let q2 = median(&intervals);
    if q2 <= 0.0 {
        return Some(Regularity {
            score: 0.0,
            median_interval_s: q2,
        });
    }
    let half = intervals.len() / 2;
    let lower = intervals.get(..half).unwrap_or_default();
    let upper = intervals
        .get(intervals.len().saturating_sub(half)..)
        .unwrap_or_default();
    let (q1, q3) = (median(lower), median(upper));
    let skew = if q3 > q1 {
        ((q3 + q1 - 2.0 * q2) / (q3 - q1)).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let mut deviations: Vec<f64> = intervals.iter().map(|i| (i - q2).abs()).collect();
    deviations.sort_unstable_by(f64::total_cmp);
    let dispersion = median(&deviations) / q2;
    let score = (-(dispersion / 0.25).powi(2)).exp() * (1.0 - skew.abs() / 2.0);
    Some(Regularity {
        score: score.clamp(0.0, 1.0),
        median_interval_s: q2,
    })
}

/// Median of sorted values (mean of the middle two for even counts; 0 when empty).
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let mid = n / 2;
    let hi = sorted.get(mid).copied().unwrap_or(0.0);
    if n % 2 == 1 {
        hi
    } else {
        let lo = sorted.get(mid.saturating_sub(1)).copied().unwrap_or(0.0);
        (lo + hi) / 2.0
    }
}

/// What periodicity is tracked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PeriodKey {
    pub(crate) device: DeviceId,
    pub(crate) ip: IpAddr,
    pub(crate) port: u16,
    pub(crate) transport: Transport,
}

#[derive(Clone, Debug)]
struct Tracker {
    /// (start, bytes the device sent, once the flow ended)
    connections: VecDeque<(Timestamp, Option<u64>)>,
    internal: bool,
    touched: Timestamp,
}

/// Connection histories per destination, bounded. Eviction is second-chance: a tracker touched
/// since it was queued goes round again, the first untouched one leaves.
#[derive(Debug)]
pub(crate) struct PeriodTable {
    cap: usize,
    trackers: HashMap<PeriodKey, Tracker, RandomState>,
    queue: VecDeque<(PeriodKey, Timestamp)>,
    /// Trackers evicted to stay within the cap.
    pub(crate) evicted: u64,
}

impl PeriodTable {
    /// An empty table of at most `cap` trackers.
    pub(crate) fn new(cap: usize) -> Self {
        PeriodTable {
            cap: cap.max(1),
            trackers: crate::capped::map(cap.max(1)),
            queue: VecDeque::new(),
            evicted: 0,
        }
    }

    /// Trackers held.
    pub(crate) fn len(&self) -> usize {
        self.trackers.len()
    }

    /// Records a connection start.
    pub(crate) fn start(&mut self, key: PeriodKey, ts: Timestamp, internal: bool) {
        if !self.trackers.contains_key(&key) {
            while self.trackers.len() >= self.cap {
                self.evict_one();
            }
            self.queue.push_back((key, ts));
        }
        let tracker = self.trackers.entry(key).or_insert_with(|| Tracker {
            connections: VecDeque::new(),
            internal,
            touched: ts,
        });
        if tracker.connections.len() >= MAX_CONNECTIONS_TRACKED {
            tracker.connections.pop_front();
        }
        tracker.connections.push_back((ts, None));
        tracker.touched = ts;
    }

    /// Records the bytes the device sent over the connection that started at `start`.
    pub(crate) fn end(&mut self, key: &PeriodKey, start: Timestamp, bytes: u64) {
        if let Some(tracker) = self.trackers.get_mut(key)
            && let Some(entry) = tracker
                .connections
                .iter_mut()
                .rev()
                .find(|(s, _)| *s == start)
        {
            entry.1 = Some(bytes);
        }
    }

    /// The beacon candidate for `key`, when it has enough connections.
    pub(crate) fn candidate(&self, key: &PeriodKey) -> Option<Periodic> {
        let tracker = self.trackers.get(key)?;
        let starts: Vec<Timestamp> = tracker.connections.iter().map(|(s, _)| *s).collect();
        let reg = regularity(&starts)?;
        let mut sizes: Vec<f64> = tracker
            .connections
            .iter()
            .filter_map(|(_, b)| b.map(|v| v as f64))
            .collect();
        sizes.sort_unstable_by(f64::total_cmp);
        Some(Periodic {
            ip: key.ip,
            port: key.port,
            proto: key.transport,
            internal: tracker.internal,
            connections: u32::try_from(starts.len()).unwrap_or(u32::MAX),
            interval_s: reg.median_interval_s,
            score: reg.score,
            bytes_per_connection: median(&sizes).round() as u64,
        })
    }

    fn evict_one(&mut self) {
        while let Some((key, queued)) = self.queue.pop_front() {
            match self.trackers.get(&key).map(|t| t.touched) {
                Some(touched) if touched > queued => self.queue.push_back((key, touched)),
                Some(_) => {
                    self.trackers.remove(&key);
                    self.evicted = self.evicted.saturating_add(1);
                    return;
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(intervals: &[f64]) -> Vec<Timestamp> {
        let mut t = 1_000_000_000.0;
        let mut out = vec![Timestamp((t * 1e6) as u64)];
        for i in intervals {
            t += i;
            out.push(Timestamp((t * 1e6) as u64));
        }
        out
    }

    /// A small deterministic generator (xorshift) so the test inputs are exact.
    fn uniform(state: &mut u64) -> f64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn perfectly_periodic_scores_one() {
        let r = regularity(&series(&[60.0; 31])).unwrap();
        assert!(r.score >= 0.95, "{r:?}");
        assert_eq!(r.score, 1.0);
        assert_eq!(r.median_interval_s, 60.0);
    }

    #[test]
    fn jittered_beacon_scores_high() {
        let mut s = 0x9e37_79b9_7f4a_7c15;
        let intervals: Vec<f64> = (0..31)
            .map(|_| 60.0 * (0.8 + 0.4 * uniform(&mut s)))
            .collect();
        let r = regularity(&series(&intervals)).unwrap();
        assert!(r.score >= 0.7, "60 s ± 20 % must be clearly high: {r:?}");
        assert!((r.median_interval_s - 60.0).abs() < 6.0, "{r:?}");
    }

    #[test]
    fn poisson_arrivals_score_low() {
        let mut s = 0x2545_f491_4f6c_dd1d;
        let intervals: Vec<f64> = (0..31)
            .map(|_| -60.0 * (1.0 - uniform(&mut s)).ln())
            .collect();
        let r = regularity(&series(&intervals)).unwrap();
        assert!(r.score < 0.2, "random arrivals must score low: {r:?}");
    }

    #[test]
    fn exact_hand_computed_value() {
        // intervals 10, 10, 12, 14 → Q2 11, hinges Q1 10 / Q3 13, MAD median(1,1,1,3) = 1,
        // d = 1/11, skew = (13 + 10 - 22) / 3 = 1/3.
        let r = regularity(&series(&[10.0, 12.0, 14.0, 10.0])).unwrap();
        let d: f64 = 1.0 / 11.0;
        let expected = (-(d / 0.25).powi(2)).exp() * (1.0 - (1.0 / 3.0) / 2.0);
        assert!(
            (r.score - expected).abs() < 1e-9,
            "{} vs {expected}",
            r.score
        );
        assert_eq!(r.median_interval_s, 11.0);
        assert!(regularity(&series(&[1.0, 1.0])).is_none());
        let burst = regularity(&[Timestamp(5); 5]).unwrap();
        assert_eq!(burst.score, 0.0);
    }

    #[test]
    fn table_is_bounded_and_records_sizes() {
        let key = |port| PeriodKey {
            device: DeviceId::Ip("10.0.0.1".parse().unwrap()),
            ip: "10.0.0.9".parse().unwrap(),
            port,
            transport: Transport::Tcp,
        };
        let mut table = PeriodTable::new(2);
        for i in 0..40u64 {
            let start = Timestamp::from_secs(i * 30);
            table.start(key(443), start, true);
            table.end(&key(443), start, 1000 + i);
        }
        let c = table.candidate(&key(443)).unwrap();
        assert_eq!(c.connections, 32);
        assert_eq!(c.interval_s, 30.0);
        assert_eq!(c.score, 1.0);
        assert_eq!(
            c.bytes_per_connection, 1024,
            "median of 1008..=1039 rounded"
        );
        table.start(key(1), Timestamp::from_secs(2000), true);
        table.start(key(2), Timestamp::from_secs(2001), true);
        assert_eq!(table.len(), 2);
        assert_eq!(table.evicted, 1);
        // Second chance: 443 was touched after it was queued, so it goes round again and the
        // untouched tracker for port 1 leaves.
        assert!(table.candidate(&key(443)).is_some());
        table.start(key(3), Timestamp::from_secs(2002), true);
        assert_eq!(table.evicted, 2);
        assert!(
            table.candidate(&key(443)).is_none(),
            "443 untouched since its second queueing"
        );
    }
}
