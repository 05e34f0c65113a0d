//! Tumbling windows of packet time. A window closes when packet time passes its end plus a
//! grace period (the half-open timeout), so a SYN sent just before the end can still be counted
//! as failed in the window it was sent in. With the grace no longer than the window, at most two
//! windows are open at once.

mod acc;
mod extract;

pub(crate) use acc::{EntryBudget, WindowAcc};
pub use acc::{MAX_PERIODIC_TRACKED, MAX_SERVICES_TRACKED, MAX_WINDOW_SET, ServiceKey};
pub use extract::HISTORY_WARMUP;
pub(crate) use extract::{ExtractInput, extract};

use crate::ids::DeviceId;
use crate::time::{Span, Timestamp};
use std::collections::VecDeque;

/// A window with devices that have accumulators in it.
#[derive(Debug)]
pub(crate) struct OpenWindow {
    pub(crate) index: u64,
    pub(crate) devices: Vec<DeviceId>,
}

/// Window arithmetic and the list of open windows with active devices.
#[derive(Debug)]
pub(crate) struct Windows {
    length: u64,
    grace: Span,
    open: VecDeque<OpenWindow>,
}

impl Windows {
    /// Windows of `length` closing `grace` after their end (grace is at most the length).
    pub(crate) fn new(length: Span, grace: Span) -> Self {
        Windows {
            length: length.micros().max(1),
            grace: Span(grace.micros().min(length.micros())),
            open: VecDeque::new(),
        }
    }

    /// Window length in whole seconds.
    pub(crate) fn secs(&self) -> u32 {
        u32::try_from(self.length / 1_000_000).unwrap_or(u32::MAX)
    }

    /// Index of the window holding `ts`.
    pub(crate) fn index_of(&self, ts: Timestamp) -> u64 {
        ts.micros() / self.length
    }

    /// Start of window `index`.
    pub(crate) fn start_of(&self, index: u64) -> Timestamp {
        Timestamp(index.saturating_mul(self.length))
    }

    /// When window `index` closes.
    pub(crate) fn close_time(&self, index: u64) -> Timestamp {
        self.start_of(index.saturating_add(1)).add(self.grace)
    }

    /// Windows below this index are closed at `now`.
    fn closed_before(&self, now: Timestamp) -> u64 {
        now.micros().saturating_sub(self.grace.micros()) / self.length
    }

    /// The window an event detected at `now` about something that began at `start` belongs
    /// to: the window of `start` while it is open, else the current one.
    pub(crate) fn attribute(&self, start: Timestamp, now: Timestamp) -> u64 {
        let k = self.index_of(start.min(now));
        if k >= self.closed_before(now) {
            k
        } else {
            self.index_of(now)
        }
    }

    /// Registers that `device` has an accumulator in window `index`; returns how many ids that
    /// window lists now (stale ones included: see [`Windows::retain`]).
    pub(crate) fn register(&mut self, index: u64, device: DeviceId) -> usize {
        if let Some(w) = self.open.iter_mut().rev().find(|w| w.index == index) {
            w.devices.push(device);
            return w.devices.len();
        }
        let at = self
            .open
            .iter()
            .position(|w| w.index > index)
            .unwrap_or(self.open.len());
        self.open.insert(
            at,
            OpenWindow {
                index,
                devices: vec![device],
            },
        );
        1
    }

    /// Keeps only the ids of window `index` for which `keep` holds (drops the ids of devices
    /// evicted since they registered).
    pub(crate) fn retain(&mut self, index: u64, keep: impl FnMut(&DeviceId) -> bool) {
        if let Some(w) = self.open.iter_mut().find(|w| w.index == index) {
            w.devices.retain(keep);
        }
    }

    /// Ids listed across the open windows.
    #[cfg(test)]
    pub(crate) fn registered(&self) -> usize {
        self.open.iter().map(|w| w.devices.len()).sum()
    }

    /// The oldest open window if it is due to close at `now`.
    pub(crate) fn pop_due(&mut self, now: Timestamp) -> Option<OpenWindow> {
        let due = self
            .open
            .front()
            .is_some_and(|w| self.close_time(w.index) <= now);
        if due { self.open.pop_front() } else { None }
    }

    /// The oldest open window, due or not (end of input).
    pub(crate) fn pop_any(&mut self) -> Option<OpenWindow> {
        self.open.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_and_closing() {
        let mut w = Windows::new(Span::from_secs(60), Span::from_secs(5));
        let t = Timestamp::from_secs;
        assert_eq!(w.index_of(t(119)), 1);
        assert_eq!(w.close_time(1), t(125));
        // A SYN at 58 s detected failed at 63 s stays in window 0 (still open).
        assert_eq!(w.attribute(t(58), t(63)), 0);
        // Detected at 66 s, window 0 has closed: the current window takes it.
        assert_eq!(w.attribute(t(58), t(66)), 1);
        w.register(1, DeviceId::Ip("10.0.0.1".parse().unwrap()));
        w.register(0, DeviceId::Ip("10.0.0.2".parse().unwrap()));
        w.register(1, DeviceId::Ip("10.0.0.3".parse().unwrap()));
        assert!(w.pop_due(t(64)).is_none());
        let first = w.pop_due(t(65)).unwrap();
        assert_eq!(first.index, 0);
        assert!(w.pop_due(t(124)).is_none());
        assert_eq!(w.pop_any().unwrap().devices.len(), 2);
        assert_eq!(w.secs(), 60);
    }
}
