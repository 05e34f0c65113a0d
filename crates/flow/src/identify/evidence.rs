//! Evidence values and the bounded per-device store of them.

use crate::catalog::EvidenceKind;
use serde::{Deserialize, Serialize};

/// Most distinct values kept per evidence kind per device (oldest kept, further ones counted).
pub const MAX_EVIDENCE_PER_KIND: usize = 8;
/// Longest evidence value kept, in bytes (longer values are cut at a character boundary).
pub const MAX_EVIDENCE_VALUE_LEN: usize = 256;

/// One piece of identification evidence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// What kind of evidence.
    pub kind: EvidenceKind,
    /// The value, cleaned of control characters and cut to [`MAX_EVIDENCE_VALUE_LEN`].
    pub value: String,
}

impl Evidence {
    /// Builds evidence from wire text: control characters become spaces, the value is trimmed and cut
    /// (at a character boundary, to at most [`MAX_EVIDENCE_VALUE_LEN`] bytes).
    pub fn new(kind: EvidenceKind, raw: &str) -> Evidence {
        let mut value = String::with_capacity(raw.len().min(MAX_EVIDENCE_VALUE_LEN));
        for c in raw.trim().chars() {
            if value.len() + c.len_utf8() > MAX_EVIDENCE_VALUE_LEN {
                break;
            }
            value.push(if c.is_control() { ' ' } else { c });
        }
        let kept = value.trim_end().len();
        value.truncate(kept);
        Evidence { kind, value }
    }
}

/// The evidence collected for one device: at most [`MAX_EVIDENCE_PER_KIND`] values per kind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSet {
    items: Vec<Evidence>,
    /// Values refused because their kind was full.
    pub dropped: u64,
    /// Bumped on every accepted new value, so callers know when to re-identify.
    pub generation: u64,
}

impl EvidenceSet {
    /// Adds a value; returns true when it was new and kept.
    pub fn insert(&mut self, evidence: Evidence) -> bool {
        if evidence.value.is_empty() || self.items.contains(&evidence) {
            return false;
        }
        let same_kind = self
            .items
            .iter()
            .filter(|e| e.kind == evidence.kind)
            .count();
        if same_kind >= MAX_EVIDENCE_PER_KIND {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
        self.items.push(evidence);
        self.generation = self.generation.wrapping_add(1);
        true
    }

    /// All values, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = &Evidence> {
        self.items.iter()
    }

    /// Values of one kind.
    pub fn of_kind(&self, kind: EvidenceKind) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .filter(move |e| e.kind == kind)
            .map(|e| e.value.as_str())
    }

    /// Number of values held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_per_kind_and_cleaned() {
        let mut set = EvidenceSet::default();
        for i in 0..20 {
            set.insert(Evidence::new(
                EvidenceKind::TlsSni,
                &format!("host{i}.example"),
            ));
        }
        assert_eq!(
            set.of_kind(EvidenceKind::TlsSni).count(),
            MAX_EVIDENCE_PER_KIND
        );
        assert_eq!(set.dropped, 12);
        assert!(!set.insert(Evidence::new(EvidenceKind::TlsSni, "host0.example")));
        let e = Evidence::new(
            EvidenceKind::HttpUserAgent,
            &format!(" a\u{7}b{} ", "x".repeat(400)),
        );
        assert!(e.value.starts_with("a b"));
        assert_eq!(e.value.len(), MAX_EVIDENCE_VALUE_LEN);
    }
}
