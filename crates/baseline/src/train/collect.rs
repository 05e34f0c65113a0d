//! Per-device training accumulators: the feature rows (log1p, decimated beyond a cap so memory
//! stays bounded on long feature logs), the behaviour counts, the days seen and the model and
//! class votes that decide which profile a device belongs to.

use crate::profile::behaviour::DeviceBehaviour;
use crate::scaling;
use std::collections::{BTreeMap, BTreeSet};
use wardwatch_flow::{FEATURE_COUNT, ModelId, WindowFeatures};

/// Most model or class votes kept per device.
const MAX_VOTES: usize = 8;
/// Most distinct days kept per device.
const MAX_DAYS: usize = 4096;

/// One training window's features.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Row {
    /// Window start, seconds since the epoch.
    pub ts: u64,
    /// log1p of the sanitised feature values.
    pub values: [f32; FEATURE_COUNT],
}

impl Row {
    /// The values widened to f64.
    pub fn log_row(&self) -> [f64; FEATURE_COUNT] {
        let mut out = [0.0; FEATURE_COUNT];
        for (o, v) in out.iter_mut().zip(self.values.iter()) {
            *o = f64::from(*v);
        }
        out
    }

    /// UTC hour of the window.
    pub fn hour(&self) -> usize {
        ((self.ts % 86_400) / 3600) as usize
    }
}

/// Everything training keeps about one device.
#[derive(Clone, Debug, Default)]
pub(crate) struct DeviceAccumulator {
    pub models: BTreeMap<Option<ModelId>, u64>,
    pub classes: BTreeMap<String, u64>,
    pub rows: Vec<Row>,
    seq: u64,
    stride: u64,
    pub behaviour: DeviceBehaviour,
    pub days: BTreeSet<u64>,
    pub sanitized: u64,
    pub decimated: u64,
}

impl DeviceAccumulator {
    /// Adds one window; keeps at most `max_rows` rows by halving the kept rows (every other
    /// one) when full and keeping every `stride`-th window afterwards.
    pub fn add(&mut self, w: &WindowFeatures, max_rows: usize, dynamic_floor: u16) {
        vote(&mut self.models, w.identity.model.clone());
        if let Some(class) = &w.identity.class {
            vote(&mut self.classes, crate::explain::clean(class, 40));
        }
        self.behaviour.observe(w, dynamic_floor);
        let secs = w.window_start.secs();
        if self.days.len() < MAX_DAYS {
            self.days.insert(secs / 86_400);
        }
        let stride = self.stride.max(1);
        let keep = self.seq.is_multiple_of(stride);
        self.seq = self.seq.saturating_add(1);
        if !keep {
            self.decimated = self.decimated.saturating_add(1);
            return;
        }
        let mut values = [0.0f32; FEATURE_COUNT];
        for (slot, raw) in values.iter_mut().zip(w.features.as_slice()) {
            let (clean, changed) = scaling::sanitize(*raw);
            if changed {
                self.sanitized = self.sanitized.saturating_add(1);
            }
            *slot = clean.ln_1p() as f32;
        }
        self.rows.push(Row { ts: secs, values });
        if self.rows.len() >= max_rows.max(2) {
            let before = self.rows.len();
            let mut i = 0usize;
            self.rows.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.decimated = self
                .decimated
                .saturating_add((before - self.rows.len()) as u64);
            self.stride = stride.saturating_mul(2);
        }
    }

    /// The model most windows named (ties: an identified model first, then the largest id).
    pub fn model(&self) -> Option<ModelId> {
        winner(&self.models).flatten()
    }

    /// The class most windows named.
    pub fn class(&self) -> Option<String> {
        winner(&self.classes)
    }

    /// Windows seen (before decimation).
    pub fn windows(&self) -> u64 {
        self.behaviour.windows
    }
}

fn vote<K: Ord>(votes: &mut BTreeMap<K, u64>, key: K) {
    if let Some(c) = votes.get_mut(&key) {
        *c = c.saturating_add(1);
    } else if votes.len() < MAX_VOTES {
        votes.insert(key, 1);
    }
}

fn winner<K: Ord + Clone>(votes: &BTreeMap<K, u64>) -> Option<K> {
    // Iterating in descending key order makes `Some(_)` beat `None` and, for equal counts,
    // keeps the first maximum found: deterministic.
    let mut best: Option<(&K, u64)> = None;
    for (k, c) in votes.iter().rev() {
        if best.is_none_or(|(_, bc)| *c > bc) {
            best = Some((k, *c));
        }
    }
    best.map(|(k, _)| k.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::WindowBuilder;
    use wardwatch_flow::Feature;

    #[test]
    fn decimation_bounds_rows() {
        let mut acc = DeviceAccumulator::default();
        for i in 0..100u64 {
            let w = WindowBuilder::new(1, i * 60)
                .model("m", "c")
                .feature(Feature::FlowsInitiated, f64::NAN)
                .build();
            acc.add(&w, 10, 32_768);
        }
        assert!(acc.rows.len() < 10);
        assert_eq!(acc.windows(), 100);
        assert_eq!(acc.rows.len() as u64 + acc.decimated, 100);
        assert!(acc.sanitized >= acc.rows.len() as u64);
        assert_eq!(acc.model(), Some(ModelId::from("m")));
        assert_eq!(acc.class().as_deref(), Some("c"));
        // Kept rows are evenly spread in time.
        assert_eq!(acc.rows[0].ts, 0);
        assert!(acc.rows.windows(2).all(|p| p[1].ts > p[0].ts));
    }

    #[test]
    fn votes_prefer_identified_models() {
        let mut votes = BTreeMap::new();
        vote(&mut votes, None);
        vote(&mut votes, Some(ModelId::from("a")));
        assert_eq!(winner(&votes), Some(Some(ModelId::from("a"))));
        vote(&mut votes, None);
        assert_eq!(winner(&votes), Some(None));
    }
}
