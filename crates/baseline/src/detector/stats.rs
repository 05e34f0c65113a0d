//! Detector counters, read by the sensor on each metrics scrape. Plain numbers; the alert kinds
//! are a fixed set, so per-kind counters are bounded.

use crate::alert::AlertKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// What the detector has done so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DetectorStats {
    /// Events processed.
    pub events: u64,
    /// Window events processed.
    pub windows: u64,
    /// Windows scored by a statistical profile.
    pub windows_scored: u64,
    /// Windows of devices with no learnt profile.
    pub windows_unprofiled: u64,
    /// Windows of devices whose profile is not mature.
    pub windows_immature: u64,
    /// Windows in a device's warm-up (not compared with a learnt profile).
    pub windows_warming: u64,
    /// Feature values that were NaN, negative or huge and were clamped.
    pub sanitized_values: u64,
    /// Alerts the rules produced.
    pub candidates: u64,
    /// Alerts dropped by the allow-list.
    pub allowlisted: u64,
    /// Alerts trimmed (some peers allowed) by the allow-list.
    pub allowlist_trimmed: u64,
    /// Alerts suppressed as duplicates of a recent one.
    pub deduplicated: u64,
    /// Alerts held back by the rate limit.
    pub rate_limited: u64,
    /// Alert-storm summaries emitted.
    pub storms: u64,
    /// Alerts emitted, by kind (storm summaries included).
    pub emitted: BTreeMap<AlertKind, u64>,
    /// New-device alerts not raised because the device is authorised or known.
    pub new_device_known: u64,
    /// Devices that established during the discovery period (inventoried, not alerted).
    pub new_device_discovery: u64,
    /// Entries evicted from the bounded device-state tables.
    pub evicted_device_state: u64,
    /// (device, kind) suppression entries evicted.
    pub evicted_suppression: u64,
    /// Caller-provided device states refused because the table was full.
    pub device_states_refused: u64,
}

impl DetectorStats {
    /// Total alerts emitted.
    pub fn emitted_total(&self) -> u64 {
        self.emitted.values().sum()
    }

    pub(crate) fn count_emitted(&mut self, kind: AlertKind) {
        *self.emitted.entry(kind).or_default() += 1;
    }
}
