//! Hash maps for tables with a hard cap, sized once so they never grow.
//!
//! A capped table under churn (a spoofed-source flood evicting and inserting at its cap) leaves
//! deleted markers behind; `std`'s map (hashbrown) then rehashes, and when the table is more
//! than half full it doubles its buckets instead of rehashing in place. Sized up front for
//! twice the cap, the map always rehashes in place: its memory is fixed from the start instead of
//! stepping up during the first floods (found by the 10 M-packet SYN-flood soak, where RSS rose
//! 30 % after every table had reached its cap). Only the control bytes (one per bucket) are
//! written up front; entry pages become resident when used.

use foldhash::fast::RandomState;
use std::collections::HashMap;
use std::hash::Hash;

/// Most entries a map is sized for up front (larger caps grow on demand as before).
const MAX_PRESIZED: usize = 1 << 22;

/// An empty map with room for twice `cap` entries (at most [`MAX_PRESIZED`]), keyed randomly.
pub(crate) fn map<K: Eq + Hash, V>(cap: usize) -> HashMap<K, V, RandomState> {
    HashMap::with_capacity_and_hasher(
        cap.saturating_mul(2).min(MAX_PRESIZED),
        RandomState::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inserts `n` keys into `m`, evicting the oldest at `cap`; returns the capacity before
    /// the churn (once full) and after it.
    fn churn(mut m: HashMap<u64, u64, RandomState>, cap: u64, n: u64) -> (usize, usize) {
        let mut full = 0;
        for i in 0..n {
            if m.len() as u64 >= cap {
                m.remove(&(i - cap));
            }
            m.insert(i, i);
            if i + 1 == cap {
                full = m.capacity();
            }
        }
        assert_eq!(m.len() as u64, cap);
        (full, m.capacity())
    }

    #[test]
    fn a_presized_map_at_its_cap_never_grows_under_churn() {
        for cap in [1_000, 4_096, 65_536] {
            let sized = map::<u64, u64>(cap as usize);
            let before = sized.capacity();
            assert!(before >= 2 * cap as usize);
            let (full, after) = churn(sized, cap, 20 * cap);
            assert_eq!(full, before, "no growth while filling");
            assert!(after <= before, "cap {cap}: {after} > {before}");
        }
    }
}
