//! When traffic happens: day and night in ward local time, and the windows around shift changes.

use crate::config::{ActivityConfig, WardConfig};
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::Activity;

const DAY_US: u64 = 86_400_000_000;
const HOUR_US: u64 = 3_600_000_000;

/// The ward clock: converts packet time to local time of day.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    offset_us: i64,
    day_start: u64,
    night_start: u64,
    shift_half: u64,
}

impl Clock {
    /// The clock of a ward.
    pub fn new(cfg: &WardConfig) -> Clock {
        let a: &ActivityConfig = &cfg.activity;
        Clock {
            offset_us: i64::from(cfg.utc_offset_minutes) * 60_000_000,
            day_start: u64::from(a.day_start_hour) * HOUR_US,
            night_start: u64::from(a.night_start_hour) * HOUR_US,
            shift_half: u64::from(a.shift_change_minutes) * 60_000_000,
        }
    }

    /// Microseconds into the local day.
    pub fn time_of_day(&self, t: Timestamp) -> u64 {
        (t.micros() as i64 + self.offset_us).rem_euclid(DAY_US as i64) as u64
    }

    /// Intervals of the local day when `activity` runs, as (start, length) in microseconds.
    fn intervals(&self, activity: Activity) -> Vec<(u64, u64)> {
        let span = |from: u64, to: u64| (from, (to + DAY_US - from) % DAY_US);
        match activity {
            Activity::Always => vec![(0, DAY_US)],
            Activity::Day => vec![span(self.day_start, self.night_start)],
            Activity::Night => vec![span(self.night_start, self.day_start)],
            Activity::ShiftChange => [self.day_start, self.night_start]
                .iter()
                .map(|&s| ((s + DAY_US - self.shift_half) % DAY_US, 2 * self.shift_half))
                .collect(),
        }
    }

    /// True when `activity` runs at `t`.
    pub fn is_active(&self, activity: Activity, t: Timestamp) -> bool {
        let tod = self.time_of_day(t);
        self.intervals(activity)
            .iter()
            .any(|&(start, len)| (tod + DAY_US - start) % DAY_US < len)
    }

    /// The first time at or after `t` when `activity` runs.
    pub fn next_active(&self, activity: Activity, t: Timestamp) -> Timestamp {
        if self.is_active(activity, t) {
            return t;
        }
        let tod = self.time_of_day(t);
        let wait = self
            .intervals(activity)
            .iter()
            .map(|&(start, _)| (start + DAY_US - tod) % DAY_US)
            .min()
            .unwrap_or(0);
        Timestamp(t.micros() + wait)
    }

    /// True when local time at `t` is night.
    pub fn is_night(&self, t: Timestamp) -> bool {
        self.is_active(Activity::Night, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-01-05T00:00:00Z
    const MIDNIGHT: u64 = 1_767_571_200;

    fn at(h: u64, m: u64) -> Timestamp {
        Timestamp::from_secs(MIDNIGHT + h * 3600 + m * 60)
    }

    #[test]
    fn day_night_and_shift_change() {
        let cfg = WardConfig::default_ward().unwrap();
        let c = Clock::new(&cfg);
        assert!(c.is_active(Activity::Day, at(8, 0)));
        assert!(!c.is_active(Activity::Day, at(19, 0)));
        assert!(c.is_active(Activity::Night, at(3, 0)));
        assert!(c.is_night(at(23, 59)));
        assert!(c.is_active(Activity::ShiftChange, at(6, 45)));
        assert!(c.is_active(Activity::ShiftChange, at(19, 29)));
        assert!(!c.is_active(Activity::ShiftChange, at(12, 0)));
        assert_eq!(c.next_active(Activity::Day, at(20, 0)), at(31, 0));
        assert_eq!(c.next_active(Activity::ShiftChange, at(8, 0)), at(18, 30));
        assert_eq!(c.next_active(Activity::Always, at(8, 0)), at(8, 0));
    }

    #[test]
    fn local_offset_shifts_the_day() {
        let mut cfg = WardConfig::default_ward().unwrap();
        cfg.utc_offset_minutes = 60;
        let c = Clock::new(&cfg);
        assert!(c.is_active(Activity::Day, at(6, 30)));
        assert!(!c.is_active(Activity::Day, at(18, 30)));
    }
}
