//! A capped map for detector state keyed by wire data (devices, device × kind): when full, the
//! oldest eighth of the entries (by last touch) is evicted in one pass and counted, so eviction
//! costs O(log n) per insert amortised. A B-tree keeps iteration deterministic and cannot be
//! hash-flooded.

use std::collections::BTreeMap;

/// A map with a capacity, evicting the least recently touched entries.
#[derive(Clone, Debug)]
pub struct BoundedMap<K: Ord + Clone, V> {
    map: BTreeMap<K, (u64, V)>,
    cap: usize,
    clock: u64,
    evicted: u64,
}

impl<K: Ord + Clone, V> BoundedMap<K, V> {
    /// An empty map holding at most `cap` entries (at least 1).
    pub fn new(cap: usize) -> Self {
        BoundedMap {
            map: BTreeMap::new(),
            cap: cap.max(1),
            clock: 0,
            evicted: 0,
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key).map(|(_, v)| v)
    }

    /// The value of `key`, marking it as recently used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.clock = self.clock.wrapping_add(1);
        let now = self.clock;
        self.map.get_mut(key).map(|(t, v)| {
            *t = now;
            v
        })
    }

    /// Inserts or replaces, evicting the oldest entries first when full.
    pub fn insert(&mut self, key: K, value: V) {
        self.clock = self.clock.wrapping_add(1);
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            self.evict();
        }
        self.map.insert(key, (self.clock, value));
    }

    /// The value of `key`, inserting `make()` when absent (evicting first when full).
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        if !self.map.contains_key(&key) && self.map.len() >= self.cap {
            self.evict();
        }
        self.clock = self.clock.wrapping_add(1);
        let now = self.clock;
        let entry = self.map.entry(key).or_insert_with(|| (now, make()));
        entry.0 = now;
        &mut entry.1
    }

    fn evict(&mut self) {
        let mut stamps: Vec<u64> = self.map.values().map(|(t, _)| *t).collect();
        let drop = (self.cap / 8).max(1).min(stamps.len());
        if drop == 0 {
            return;
        }
        let (_, cutoff, _) = stamps.select_nth_unstable(drop - 1);
        let cutoff = *cutoff;
        let before = self.map.len();
        self.map.retain(|_, (t, _)| *t > cutoff);
        self.evicted = self
            .evicted
            .saturating_add((before - self.map.len()) as u64);
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.map.remove(key).map(|(_, v)| v)
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Entries evicted so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Iterates in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.map.iter().map(|(k, (_, v))| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_oldest_eighth_and_counts() {
        let mut m = BoundedMap::new(16);
        for i in 0..16u32 {
            m.insert(i, i);
        }
        // Touch 0 so it is recent.
        assert_eq!(m.get_mut(&0), Some(&mut 0));
        m.insert(100, 100);
        // 16/8 = 2 oldest evicted: 1 and 2 (0 was touched).
        assert_eq!(m.len(), 15);
        assert_eq!(m.evicted(), 2);
        assert!(m.get(&0).is_some() && m.get(&1).is_none() && m.get(&2).is_none());
        *m.get_or_insert_with(7, || 0) += 1;
        assert_eq!(m.get(&7), Some(&8));
        *m.get_or_insert_with(200, || 5) += 1;
        assert_eq!(m.get(&200), Some(&6));
    }
}
