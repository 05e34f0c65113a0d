//! A bounded "seen before?" set: the least recently seen entry leaves first when full.
//!
//! Recency is kept lazily (retina-style): an entry is queued once with the tick it was queued
//! at; when it reaches the front and was seen since, it is queued again instead of evicted.
//! Every re-queue pays for an earlier sighting, so work stays linear in sightings.

use foldhash::fast::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// A bounded set of keys with their last-seen tick (a window index).
#[derive(Clone, Debug)]
pub(crate) struct BoundedHistory<K: Eq + Hash + Copy> {
    cap: usize,
    seen: HashMap<K, u64, RandomState>,
    queue: VecDeque<(K, u64)>,
    /// Entries evicted to stay within the cap.
    pub(crate) evicted: u64,
}

impl<K: Eq + Hash + Copy + Ord> BoundedHistory<K> {
    /// An empty history holding at most `cap` keys.
    pub(crate) fn new(cap: usize) -> Self {
        BoundedHistory {
            cap: cap.max(1),
            seen: HashMap::with_hasher(RandomState::default()),
            queue: VecDeque::new(),
            evicted: 0,
        }
    }

    /// True when `key` is held.
    #[cfg(test)]
    pub(crate) fn contains(&self, key: &K) -> bool {
        self.seen.contains_key(key)
    }

    /// Records a sighting at `tick`; returns true when the key was not held before.
    pub(crate) fn observe(&mut self, key: K, tick: u64) -> bool {
        if let Some(last) = self.seen.get_mut(&key) {
            *last = (*last).max(tick);
            return false;
        }
        while self.seen.len() >= self.cap {
            self.evict_one();
        }
        self.seen.insert(key, tick);
        self.queue.push_back((key, tick));
        true
    }

    fn evict_one(&mut self) {
        while let Some((key, queued)) = self.queue.pop_front() {
            match self.seen.get(&key).copied() {
                Some(last) if last > queued => self.queue.push_back((key, last)),
                Some(_) => {
                    self.seen.remove(&key);
                    self.evicted = self.evicted.saturating_add(1);
                    return;
                }
                None => {}
            }
        }
    }

    /// Number of keys held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    /// The keys held, sorted (for snapshots).
    pub(crate) fn sorted_keys(&self) -> Vec<K> {
        let mut keys: Vec<K> = self.seen.keys().copied().collect();
        keys.sort_unstable();
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_seen() {
        let mut h = BoundedHistory::new(3);
        assert!(h.observe(1u16, 0));
        assert!(h.observe(2, 0));
        assert!(h.observe(3, 0));
        assert!(!h.observe(1, 5), "1 seen again, now recent");
        assert!(h.observe(4, 6), "evicts 2, the least recent");
        assert!(h.contains(&1));
        assert!(!h.contains(&2));
        assert!(h.contains(&3));
        assert_eq!(h.evicted, 1);
        assert!(h.observe(5, 7), "evicts 3");
        assert!(!h.contains(&3));
        assert_eq!(h.len(), 3);
        assert_eq!(h.sorted_keys(), vec![1, 4, 5]);
    }
}
