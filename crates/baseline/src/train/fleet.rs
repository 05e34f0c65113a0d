//! Poisoning resistance for fleet profiles: no device contributes more than 1/k of a profile's
//! training weight (k = min(5, fleet size)), enforced by even subsampling; and devices whose
//! own windows score far outside what the rest of the fleet learnt are flagged and left out of
//! the fit instead of being absorbed into it.

use super::collect::Row;
use crate::profile::gmm::GmmParams;
use crate::profile::statistical::StatProfile;
use crate::scaling;
use serde::{Deserialize, Serialize};
use wardwatch_flow::{DeviceId, FEATURE_COUNT};

/// How outlier devices are found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierParams {
    /// Largest k in the 1/k weight cap (k = min(this, fleet size)).
    pub max_weight_share_devices: usize,
    /// Quantile of the other devices' training scores a window must exceed to count.
    pub quantile: f64,
    /// A device is flagged when at least this fraction of its windows exceed …
    pub min_fraction: f64,
    /// … and at least this many.
    pub min_windows: u64,
}

impl Default for OutlierParams {
    fn default() -> Self {
        OutlierParams {
            max_weight_share_devices: 5,
            quantile: 0.999,
            min_fraction: 0.02,
            min_windows: 5,
        }
    }
}

/// A device training left out because its windows sit far outside its fleet's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutlierDevice {
    /// The device.
    pub device: DeviceId,
    /// Its training windows (rows kept).
    pub windows: u64,
    /// Fraction of them above the rest of the fleet's threshold.
    pub exceed_fraction: f64,
}

/// The per-device row cap C so that no device holds more than 1/k of the capped total:
/// the largest C with k·C ≤ Σ min(nᵢ, C). With at least k devices such a C ≥ min nᵢ exists.
pub(crate) fn weight_cap(counts: &[usize], k: usize) -> usize {
    let max = counts.iter().copied().max().unwrap_or(0);
    let k = k.max(1);
    let ok = |c: usize| {
        let total: usize = counts.iter().map(|n| (*n).min(c)).sum();
        k.saturating_mul(c) <= total
    };
    if ok(max) {
        return max;
    }
    let (mut lo, mut hi) = (0usize, max);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if ok(mid) { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// `take` rows of `rows`, evenly spread (all when `take` ≥ len).
pub(crate) fn spread<T>(rows: &[T], take: usize) -> Vec<&T> {
    let n = rows.len();
    if take >= n {
        return rows.iter().collect();
    }
    (0..take)
        .filter_map(|i| rows.get(i.saturating_mul(n) / take.max(1)))
        .collect()
}

/// The rows each device contributes to a fit: weight-capped at 1/k, then scaled down
/// proportionally so the total stays within `max_total`.
pub(crate) fn capped_rows<'a>(
    devices: &[&'a [Row]],
    max_share_devices: usize,
    max_total: usize,
) -> (Vec<Vec<&'a Row>>, usize) {
    let counts: Vec<usize> = devices.iter().map(|r| r.len()).collect();
    let k = max_share_devices.min(devices.len()).max(1);
    let cap = weight_cap(&counts, k);
    let total: usize = counts.iter().map(|n| (*n).min(cap)).sum();
    let factor = if total > max_total && total > 0 {
        max_total as f64 / total as f64
    } else {
        1.0
    };
    let per_device = devices
        .iter()
        .map(|rows| {
            let take = ((rows.len().min(cap)) as f64 * factor).floor() as usize;
            spread(rows, take.max(1).min(rows.len()))
        })
        .collect();
    (per_device, cap)
}

/// Finds outlier devices by group cross-validation: devices are dealt into min(5, n) folds;
/// for each fold a one-component profile is fitted on the other folds' (weight-capped) rows,
/// its threshold set at `quantile` of their scores, and each held-out device's fraction of
/// windows above it measured. When more than half the fleet would be flagged the fleet is
/// heterogeneous and nobody is flagged (the caller notes it).
pub(crate) fn flag_outliers(
    devices: &[(DeviceId, &[Row])],
    params: &OutlierParams,
    scale_floor: f64,
    gmm: &GmmParams,
    max_fit: usize,
) -> (Vec<OutlierDevice>, bool) {
    let n = devices.len();
    if n < 3 {
        return (Vec::new(), false);
    }
    let folds = params.max_weight_share_devices.clamp(2, 5).min(n);
    let single = GmmParams {
        fixed_components: Some(1),
        ..gmm.clone()
    };
    let mut flagged = Vec::new();
    for fold in 0..folds {
        let train: Vec<&[Row]> = devices
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, (_, rows))| *rows)
            .collect();
        let (capped, _) = capped_rows(&train, params.max_weight_share_devices, max_fit);
        let rows: Vec<[f64; FEATURE_COUNT]> =
            capped.iter().flatten().map(|r| r.log_row()).collect();
        let Some(profile) = StatProfile::fit(&rows, scale_floor, &single) else {
            continue;
        };
        let mut scores: Vec<f64> = rows.iter().map(|r| profile.score(r).score).collect();
        scores.sort_by(f64::total_cmp);
        let threshold = scaling::quantile_sorted(&scores, params.quantile);
        for (_, (id, held)) in devices
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds == fold)
        {
            let above = held
                .iter()
                .filter(|r| profile.score(&r.log_row()).score > threshold)
                .count() as u64;
            let windows = held.len() as u64;
            let fraction = if windows == 0 {
                0.0
            } else {
                above as f64 / windows as f64
            };
            if above >= params.min_windows && fraction >= params.min_fraction {
                flagged.push(OutlierDevice {
                    device: *id,
                    windows,
                    exceed_fraction: (fraction * 10_000.0).round() / 10_000.0,
                });
            }
        }
    }
    flagged.sort_by_key(|a| a.device);
    if flagged.len() > (n - 1) / 2 {
        return (Vec::new(), true);
    }
    (flagged, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_cap_limits_each_device_to_one_kth() {
        // Equal devices: no cap needed.
        assert_eq!(weight_cap(&[100, 100, 100, 100, 100], 5), 100);
        // One device with 10× the windows of four others: C such that 5C ≤ 4·100 + C → C = 100.
        assert_eq!(weight_cap(&[1000, 100, 100, 100, 100], 5), 100);
        // Three devices, k = 3: 3C ≤ 50 + 2C → C = 50; every device holds exactly a third.
        assert_eq!(weight_cap(&[50, 900, 900], 3), 50);
        // Six devices, k = 5: 5C ≤ 4·100 + 2C for C ≥ 100 → C = 133.
        assert_eq!(weight_cap(&[100, 100, 100, 100, 1000, 1000], 5), 133);
        let c = weight_cap(&[50, 900, 100], 3);
        let total: usize = [50usize, 900, 100].iter().map(|n| (*n).min(c)).sum();
        assert!(c * 3 <= total, "cap {c}, total {total}");
        assert!((c + 1) * 3 > [50usize, 900, 100].iter().map(|n| (*n).min(c + 1)).sum());
    }

    #[test]
    fn spread_is_even() {
        let v: Vec<u32> = (0..10).collect();
        assert_eq!(spread(&v, 5), vec![&0, &2, &4, &6, &8]);
        assert_eq!(spread(&v, 20).len(), 10);
    }

    #[test]
    fn capped_rows_respect_share_and_total() {
        let row = Row {
            ts: 0,
            values: [0.0; FEATURE_COUNT],
        };
        let big = vec![row; 1000];
        let small = vec![row; 100];
        let devices: Vec<&[Row]> = vec![&big, &small, &small, &small, &small];
        let (rows, cap) = capped_rows(&devices, 5, 100_000);
        assert_eq!(cap, 100);
        assert!(rows.iter().all(|r| r.len() == 100));
        let (rows, _) = capped_rows(&devices, 5, 250);
        assert!(rows.iter().all(|r| r.len() == 50));
    }
}
