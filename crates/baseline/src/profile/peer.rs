//! The fleet peer-group check: for each UTC hour of the day, where the fleet's windows sit
//! (median and robust scale of every active feature's z-score). A device whose windows stay far
//! from its siblings at the same hour is flagged even when the model's overall profile is wide
//! enough to hold the window (a night-time pump behaving like a daytime one, or the reverse).

use crate::scaling::{self, robust_centre_scale};
use serde::{Deserialize, Serialize};
use wardwatch_flow::FEATURE_COUNT;

/// Largest per-feature distance counted (keeps one wild feature from dominating the mean).
const MAX_PEER_Z: f64 = 50.0;
/// Features averaged into the distance (the furthest ones).
pub const PEER_TOP_FEATURES: usize = 3;

/// Where the fleet sits at one hour of the day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HourBucket {
    /// Median z per peer feature.
    pub median: Vec<f64>,
    /// Robust scale of z per peer feature.
    pub scale: Vec<f64>,
    /// Training windows in the bucket.
    pub windows: u64,
    /// Devices with windows in the bucket.
    pub devices: u32,
}

/// Per-hour fleet norms and the distance threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerGroup {
    /// Feature indices compared (the statistical profile's active features).
    pub features: Vec<usize>,
    /// 24 entries; `None` where training had too few windows or devices at that hour.
    pub hours: Vec<Option<HourBucket>>,
    /// Distance above which a window counts as away from its siblings.
    pub threshold: f64,
}

/// One training row as the peer builder needs it.
pub(crate) struct PeerRow<'a> {
    pub device: usize,
    pub hour: usize,
    pub z: &'a [f64; FEATURE_COUNT],
}

/// How the peer group is learnt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PeerParams {
    /// Windows an hour bucket needs.
    pub min_windows_per_hour: u64,
    /// Devices an hour bucket needs.
    pub min_devices_per_hour: u32,
    /// Floor of the per-hour scale, in z units.
    pub scale_floor: f64,
    /// Quantile of training distances used as the threshold.
    pub quantile: f64,
}

impl Default for PeerParams {
    fn default() -> Self {
        PeerParams {
            min_windows_per_hour: 30,
            min_devices_per_hour: 2,
            scale_floor: 0.5,
            quantile: 0.99,
        }
    }
}

impl PeerGroup {
    /// Learns the hour buckets and the threshold from training rows.
    pub(crate) fn build(
        rows: &[PeerRow<'_>],
        features: &[usize],
        params: &PeerParams,
    ) -> Option<PeerGroup> {
        if features.is_empty() {
            return None;
        }
        let mut hours = Vec::with_capacity(24);
        let mut column = Vec::new();
        for h in 0..24 {
            let in_hour: Vec<&PeerRow<'_>> = rows.iter().filter(|r| r.hour == h).collect();
            let mut devices: Vec<usize> = in_hour.iter().map(|r| r.device).collect();
            devices.sort_unstable();
            devices.dedup();
            let devices = u32::try_from(devices.len()).unwrap_or(u32::MAX);
            if (in_hour.len() as u64) < params.min_windows_per_hour
                || devices < params.min_devices_per_hour
            {
                hours.push(None);
                continue;
            }
            let (mut median, mut scale) = (Vec::new(), Vec::new());
            for j in features {
                column.clear();
                column.extend(in_hour.iter().map(|r| r.z.get(*j).copied().unwrap_or(0.0)));
                let (m, s) = robust_centre_scale(&column, params.scale_floor);
                median.push(m);
                scale.push(s);
            }
            hours.push(Some(HourBucket {
                median,
                scale,
                windows: in_hour.len() as u64,
                devices,
            }));
        }
        let mut group = PeerGroup {
            features: features.to_vec(),
            hours,
            threshold: f64::MAX,
        };
        let mut distances: Vec<f64> = rows
            .iter()
            .filter_map(|r| group.distance(r.hour as u32, r.z).map(|d| d.0))
            .collect();
        if distances.is_empty() {
            return None;
        }
        distances.sort_by(f64::total_cmp);
        group.threshold = scaling::quantile_sorted(&distances, params.quantile).max(1.0);
        Some(group)
    }

    /// Distance of a window (z-scores against the profile) from the fleet at `hour`: the root
    /// mean square of the [`PEER_TOP_FEATURES`] largest per-feature distances, plus the furthest
    /// feature and its hour z. `None` when the hour has no bucket.
    pub fn distance(&self, hour: u32, z: &[f64; FEATURE_COUNT]) -> Option<(f64, usize, f64)> {
        let bucket = self.hours.get(hour as usize)?.as_ref()?;
        let mut d: Vec<(usize, f64)> = self
            .features
            .iter()
            .zip(bucket.median.iter().zip(&bucket.scale))
            .map(|(j, (m, s))| {
                let zh = (z.get(*j).copied().unwrap_or(0.0) - m) / s;
                (
                    *j,
                    if zh.is_finite() {
                        zh.clamp(-MAX_PEER_Z, MAX_PEER_Z)
                    } else {
                        0.0
                    },
                )
            })
            .collect();
        d.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        let top = d.get(..PEER_TOP_FEATURES.min(d.len())).unwrap_or(&[]);
        let (first, first_z) = top.first().copied().unwrap_or((0, 0.0));
        let mean_sq = top.iter().map(|(_, v)| v * v).sum::<f64>() / top.len().max(1) as f64;
        Some((mean_sq.sqrt(), first, first_z))
    }

    /// The siblings' typical z of feature `j` at `hour` (for explanations).
    pub fn hour_median(&self, hour: u32, j: usize) -> Option<f64> {
        let bucket = self.hours.get(hour as usize)?.as_ref()?;
        let pos = self.features.iter().position(|f| *f == j)?;
        bucket.median.get(pos).copied()
    }

    /// Checks a decoded peer group.
    pub fn validate(&self) -> Result<(), String> {
        if self.hours.len() != 24 {
            return Err("peer group needs 24 hour buckets".into());
        }
        if self.features.iter().any(|j| *j >= FEATURE_COUNT) || !self.threshold.is_finite() {
            return Err("peer group features or threshold out of range".into());
        }
        for b in self.hours.iter().flatten() {
            if b.median.len() != self.features.len()
                || b.scale.len() != self.features.len()
                || b.scale.iter().any(|s| !s.is_finite() || *s <= 0.0)
                || b.median.iter().any(|m| !m.is_finite())
            {
                return Err("peer group hour bucket has the wrong shape".into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn night_windows_far_from_day_norms() {
        // Feature 4: quiet (z ≈ −1) at night, busy (z ≈ +1) by day, 3 devices, 40 windows each hour.
        let mut zs = Vec::new();
        for h in 0..24usize {
            for i in 0..40usize {
                let mut z = [0.0; FEATURE_COUNT];
                let jitter = (i as f64 * 0.618).fract() * 0.2;
                z[4] = if (7..19).contains(&h) { 1.0 } else { -1.0 } + jitter;
                zs.push((i % 3, h, z));
            }
        }
        let rows: Vec<PeerRow<'_>> = zs
            .iter()
            .map(|(d, h, z)| PeerRow {
                device: *d,
                hour: *h,
                z,
            })
            .collect();
        let g = PeerGroup::build(&rows, &[4], &PeerParams::default()).unwrap();
        assert!(g.hours.iter().all(Option::is_some));
        assert_eq!(
            g.threshold, 1.0,
            "training distances are all below the floor of 1"
        );
        let mut busy = [0.0; FEATURE_COUNT];
        busy[4] = 1.1;
        let (d, feature, _) = g.distance(3, &busy).unwrap();
        assert_eq!(feature, 4);
        // Night median ≈ −0.9, scale floor 0.5: distance ≈ 4.
        assert!(d > 3.5 && d < 4.5, "{d}");
        assert!(g.distance(12, &busy).unwrap().0 < 1.0);
        assert!(g.validate().is_ok());
    }
}
