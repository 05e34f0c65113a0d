//! Robust scaling: features are counts and byte totals with heavy tails, so each is moved to
//! log1p space and centred on its median, with the median absolute deviation (MAD, times 1.4826
//! so it estimates a standard deviation for normal data) as the unit. A floor stops features
//! that are almost always the same value (MAD = 0) from turning every change into infinity.

use serde::{Deserialize, Serialize};
use wardwatch_flow::{FEATURE_COUNT, FEATURES};

/// Largest raw feature value taken at face value; larger, infinite or NaN values are clamped
/// (NaN and negatives become 0) so that scores stay finite.
pub const MAX_RAW_FEATURE: f64 = 1e18;
/// Largest robust z-score kept; beyond it a value is "off the scale" and clamping keeps
/// squared distances finite.
pub const MAX_Z: f64 = 1e6;
/// MAD to standard deviation for normally distributed data.
const MAD_TO_SIGMA: f64 = 1.4826;

/// A raw feature value made safe: NaN and negatives → 0, +∞ and huge values → [`MAX_RAW_FEATURE`].
/// Returns the value and whether it had to be changed.
pub fn sanitize(raw: f64) -> (f64, bool) {
    if raw.is_nan() || raw < 0.0 {
        (0.0, true)
    } else if raw > MAX_RAW_FEATURE {
        (MAX_RAW_FEATURE, true)
    } else {
        (raw, false)
    }
}

/// log1p of a sanitised raw value.
pub fn log_value(raw: f64) -> f64 {
    sanitize(raw).0.ln_1p()
}

/// Median of a slice (sorted copy; NaN-free input). Empty → 0.
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    median_sorted(&v)
}

/// Median of an already sorted slice. Empty → 0.
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let mid = n / 2;
    let upper = sorted.get(mid).copied().unwrap_or(0.0);
    if n % 2 == 1 {
        upper
    } else {
        let lower = sorted.get(mid.saturating_sub(1)).copied().unwrap_or(upper);
        (lower + upper) / 2.0
    }
}

/// The `q` quantile (0..1) of a sorted slice with linear interpolation. Empty → 0.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let q = if q.is_finite() {
        q.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let pos = q * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let a = sorted.get(lo).copied().unwrap_or(0.0);
    let b = sorted.get(hi).copied().unwrap_or(a);
    a + (b - a) * (pos - lo as f64)
}

/// Median and scale of one value set: `(median, max(1.4826·MAD, floor))`.
pub fn robust_centre_scale(values: &[f64], floor: f64) -> (f64, f64) {
    let med = median(values);
    let deviations: Vec<f64> = values.iter().map(|v| (v - med).abs()).collect();
    let mad = median(&deviations);
    (med, (MAD_TO_SIGMA * mad).max(floor))
}

/// Per-feature median and scale in log1p space, learnt from training windows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RobustScaler {
    /// Median of log1p(value), per feature in `FEATURES` order.
    pub median: Vec<f64>,
    /// Scale of log1p(value): max(1.4826·MAD, floor), per feature.
    pub scale: Vec<f64>,
}

impl RobustScaler {
    /// Learns medians and scales from rows of log1p values (one row per window).
    pub fn fit(rows: &[[f64; FEATURE_COUNT]], floor: f64) -> RobustScaler {
        let mut median = Vec::with_capacity(FEATURE_COUNT);
        let mut scale = Vec::with_capacity(FEATURE_COUNT);
        let mut column = Vec::with_capacity(rows.len());
        for j in 0..FEATURE_COUNT {
            column.clear();
            column.extend(rows.iter().map(|r| r.get(j).copied().unwrap_or(0.0)));
            let (m, s) = robust_centre_scale(&column, floor);
            median.push(m);
            scale.push(s);
        }
        RobustScaler { median, scale }
    }

    /// Robust z of one log1p value of feature `j`, clamped to ±[`MAX_Z`].
    pub fn z(&self, j: usize, log_value: f64) -> f64 {
        let m = self.median.get(j).copied().unwrap_or(0.0);
        let s = self.scale.get(j).copied().unwrap_or(1.0);
        let z = (log_value - m) / s;
        if z.is_finite() {
            z.clamp(-MAX_Z, MAX_Z)
        } else {
            0.0
        }
    }

    /// Robust z-scores of a whole row of log1p values.
    pub fn transform(&self, row: &[f64; FEATURE_COUNT]) -> [f64; FEATURE_COUNT] {
        let mut out = [0.0; FEATURE_COUNT];
        for (j, (slot, v)) in out.iter_mut().zip(row.iter()).enumerate() {
            *slot = self.z(j, *v);
        }
        out
    }

    /// The typical raw value of feature `j` (expm1 of the median).
    pub fn normal_raw(&self, j: usize) -> f64 {
        self.median.get(j).copied().unwrap_or(0.0).exp_m1()
    }

    /// Checks a decoded scaler: one finite median and positive finite scale per feature.
    pub fn validate(&self) -> Result<(), String> {
        if self.median.len() != FEATURE_COUNT || self.scale.len() != FEATURE_COUNT {
            return Err(format!(
                "scaler has {} medians and {} scales, expected {FEATURE_COUNT}",
                self.median.len(),
                self.scale.len()
            ));
        }
        for (j, (m, s)) in self.median.iter().zip(&self.scale).enumerate() {
            if !m.is_finite() || !s.is_finite() || *s <= 0.0 {
                let name = FEATURES.get(j).map_or("?", |d| d.name);
                return Err(format!(
                    "scaler of feature {name} is not finite and positive"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        let sorted = [0.0, 10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile_sorted(&sorted, 0.5), 20.0);
        assert_eq!(quantile_sorted(&sorted, 0.9), 36.0);
        assert_eq!(quantile_sorted(&sorted, 1.0), 40.0);
    }

    #[test]
    fn mad_floor_applies() {
        // Constant feature: MAD = 0 → scale is the floor.
        assert_eq!(robust_centre_scale(&[2.0; 9], 0.5), (2.0, 0.5));
        // 1..=9: median 5, absolute deviations 0..4 → MAD 2 → scale 2.9652.
        let v: Vec<f64> = (1..=9).map(f64::from).collect();
        let (m, s) = robust_centre_scale(&v, 0.5);
        assert_eq!(m, 5.0);
        assert!((s - 2.9652).abs() < 1e-12);
    }

    #[test]
    fn sanitising_and_z() {
        assert_eq!(sanitize(f64::NAN), (0.0, true));
        assert_eq!(sanitize(-3.0), (0.0, true));
        assert_eq!(sanitize(f64::INFINITY), (MAX_RAW_FEATURE, true));
        assert_eq!(sanitize(5.0), (5.0, false));
        let mut rows = vec![[0.0; FEATURE_COUNT]; 5];
        for (i, r) in rows.iter_mut().enumerate() {
            r[0] = log_value(i as f64);
        }
        let scaler = RobustScaler::fit(&rows, 0.5);
        // Feature 0: log1p(0..4) has median ln 3; feature 1 is constant 0 with the floor scale.
        assert!((scaler.median[0] - 3f64.ln()).abs() < 1e-12);
        assert_eq!(scaler.z(1, 0.0), 0.0);
        assert!((scaler.z(1, log_value(1.0)) - 2f64.ln() / 0.5).abs() < 1e-12);
        assert!(scaler.z(1, f64::MAX).is_finite());
        assert!(scaler.validate().is_ok());
    }
}
