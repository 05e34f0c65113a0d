//! Flow-table counters, with evictions by [`EndReason`].

use crate::observe::EndReason;
use serde::Serialize;

/// Every [`EndReason`], in counter order.
pub const END_REASONS: [EndReason; 6] = [
    EndReason::Idle,
    EndReason::Closed,
    EndReason::Failed,
    EndReason::EmergencyTimeout,
    EndReason::Capacity,
    EndReason::Flush,
];

impl EndReason {
    /// snake_case name, safe as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Idle => "idle",
            EndReason::Closed => "closed",
            EndReason::Failed => "failed",
            EndReason::EmergencyTimeout => "emergency_timeout",
            EndReason::Capacity => "capacity",
            EndReason::Flush => "flush",
        }
    }
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Flow-table counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FlowTableStats {
    /// Flows created.
    pub created: u64,
    /// Flows held now.
    pub active: u64,
    /// Flows that left, by [`END_REASONS`] index (serialised as a reason → count map).
    #[serde(serialize_with = "serialize_reasons")]
    pub evicted: [u64; 6],
    /// True while emergency mode is on.
    pub emergency: bool,
    /// Times emergency mode was entered.
    pub emergency_entered: u64,
    /// ICMP unreachable messages that matched no flow.
    pub unreachable_unmatched: u64,
}

fn serialize_reasons<S: serde::Serializer>(counts: &[u64; 6], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(END_REASONS.len()))?;
    for (reason, count) in END_REASONS.iter().zip(counts) {
        map.serialize_entry(reason.name(), count)?;
    }
    map.end()
}

impl FlowTableStats {
    /// Flows that left for `reason`.
    pub fn evicted_by(&self, reason: EndReason) -> u64 {
        self.evicted.get(reason.index()).copied().unwrap_or(0)
    }
    /// Flows that left, all reasons.
    pub fn evicted_total(&self) -> u64 {
        self.evicted.iter().fold(0u64, |a, b| a.saturating_add(*b))
    }
}
