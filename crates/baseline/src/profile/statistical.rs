//! The statistical profile: robust-scaled log features, a Gaussian mixture over the features
//! that vary in training, and a fixed narrow Gaussian around the median for those that never
//! changed (so a feature that was always 0 and now is not still costs likelihood). The anomaly
//! score is the negative log-likelihood (NLL) of a window; the threshold sits at the score that
//! keeps training false alerts at the configured rate.

use crate::alert::FeatureDeviation;
use crate::profile::gmm::{self, Gmm, GmmParams};
use crate::scaling::{self, RobustScaler};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use wardwatch_flow::{FEATURE_COUNT, FEATURES, Feature};

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;
/// Scores below this many training windows are too few for a tail fit.
const MIN_TAIL_WINDOWS: usize = 20;

/// A learnt statistical profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatProfile {
    /// Per-feature median and scale of log1p values.
    pub scaler: RobustScaler,
    /// Indices (into `FEATURES`) of the features the mixture covers, ascending.
    pub active: Vec<usize>,
    /// The mixture over the active features' robust z-scores.
    pub gmm: Gmm,
    /// Variance (squared z units) of the Gaussian around the median of inactive features.
    pub inactive_variance: f64,
    /// Alert threshold on the NLL score.
    pub threshold: f64,
    /// Median NLL of the training windows (what "normal" scores).
    pub median_score: f64,
    /// Per feature, the largest raw training value (rules use it as the learnt ceiling).
    pub raw_max: Vec<f64>,
    /// Scores only what lies above normal ([`one_sided`]); false in profiles written before
    /// it existed, which keep their two-sided scoring.
    #[serde(default)]
    pub one_sided: bool,
}

/// Packets that weigh a window's mean packet size as much as the profile's median does.
const PACKET_SIZE_PRIOR: f64 = 8.0;

/// Turns robust z-scores into what the profile judges: every count and score only where it is
/// above its median (a quiet window — fewer bytes, peers or flows than usual — is not a threat
/// by itself), and the mean packet size, which can be unusual either way, shrunk towards the
/// median when the window holds few packets (one odd packet says little).
pub fn one_sided(z: &mut [f64; FEATURE_COUNT], log_row: &[f64; FEATURE_COUNT]) {
    let size = Feature::MeanPacketSize.index();
    let packets = log_row
        .get(Feature::PacketsOut.index())
        .map_or(0.0, |v| v.exp_m1().max(0.0));
    for (j, zj) in z.iter_mut().enumerate() {
        if j == size {
            *zj *= packets / (packets + PACKET_SIZE_PRIOR);
        } else {
            *zj = zj.max(0.0);
        }
    }
}

/// How the threshold is chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThresholdParams {
    /// Target of training false alerts per 100 device-days (sets the quantile from the window length).
    pub false_alerts_per_100_device_days: f64,
    /// Use this empirical quantile of training scores instead of the target rate.
    pub quantile: Option<f64>,
}

impl Default for ThresholdParams {
    fn default() -> Self {
        ThresholdParams {
            false_alerts_per_100_device_days: 1.0,
            quantile: None,
        }
    }
}

impl ThresholdParams {
    /// Probability of one window exceeding the threshold that meets the target rate.
    pub fn exceed_probability(&self, window_secs: u32) -> f64 {
        let windows_per_100_days = 100.0 * 86_400.0 / f64::from(window_secs.max(1));
        (self.false_alerts_per_100_device_days / windows_per_100_days).clamp(1e-12, 1.0)
    }
}

/// Chooses the threshold from sorted training scores. A configured quantile is taken
/// empirically. Otherwise the target exceedance probability p is taken empirically when the
/// training set holds at least 10 windows above it; else the tail above the 99th percentile is
/// fitted with an exponential (peaks over threshold) and extrapolated to p.
pub fn choose_threshold(sorted: &[f64], window_secs: u32, params: &ThresholdParams) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::MAX;
    }
    if let Some(q) = params.quantile {
        return scaling::quantile_sorted(sorted, q);
    }
    let p = params.exceed_probability(window_secs);
    if n as f64 * p >= 10.0 {
        return scaling::quantile_sorted(sorted, 1.0 - p);
    }
    let exceed = (n / 100).max(MIN_TAIL_WINDOWS).min(n.saturating_sub(1));
    let max = sorted.last().copied().unwrap_or(0.0);
    if exceed == 0 {
        return max;
    }
    let u = sorted.get(n - exceed - 1).copied().unwrap_or(max);
    let tail = sorted.get(n - exceed..).unwrap_or(&[]);
    let beta = tail.iter().map(|s| s - u).sum::<f64>() / exceed as f64;
    let p_u = exceed as f64 / n as f64;
    let t = u + beta.max(1e-9) * (p_u / p).ln().max(0.0);
    if t.is_finite() { t } else { max }
}

/// A scored window.
#[derive(Clone, Debug)]
pub struct Scored {
    /// Negative log-likelihood (higher = more unusual).
    pub score: f64,
    /// Robust z of every feature against the profile median.
    pub z: [f64; FEATURE_COUNT],
}

impl StatProfile {
    /// Fits a profile to rows of log1p features (already weight-capped and subsampled).
    pub(crate) fn fit(
        rows: &[[f64; FEATURE_COUNT]],
        scale_floor: f64,
        gmm_params: &GmmParams,
    ) -> Option<StatProfile> {
        if rows.is_empty() {
            return None;
        }
        let scaler = RobustScaler::fit(rows, scale_floor);
        let z_rows: Vec<[f64; FEATURE_COUNT]> = rows
            .iter()
            .map(|r| {
                let mut z = scaler.transform(r);
                one_sided(&mut z, r);
                z
            })
            .collect();
        let active = active_features(&z_rows);
        let mut flat = Vec::with_capacity(z_rows.len() * active.len());
        for z in &z_rows {
            flat.extend(active.iter().map(|j| z.get(*j).copied().unwrap_or(0.0)));
        }
        let data = Array2::from_shape_vec((z_rows.len(), active.len()), flat).ok()?;
        let fit = gmm::fit(data.view(), gmm_params)?;
        let mut raw_max = vec![0.0; FEATURE_COUNT];
        for r in rows {
            for (m, v) in raw_max.iter_mut().zip(r.iter()) {
                *m = f64::max(*m, v.exp_m1());
            }
        }
        Some(StatProfile {
            scaler,
            active,
            gmm: fit.gmm,
            inactive_variance: gmm_params.reg_covariance.max(1e-6),
            threshold: f64::MAX,
            median_score: 0.0,
            raw_max,
            one_sided: true,
        })
    }

    /// Scores a row of log1p features.
    pub fn score(&self, log_row: &[f64; FEATURE_COUNT]) -> Scored {
        let mut z = self.scaler.transform(log_row);
        if self.one_sided {
            one_sided(&mut z, log_row);
        }
        let mut x = [0.0f64; FEATURE_COUNT];
        let mut used = 0;
        for (slot, j) in x.iter_mut().zip(&self.active) {
            *slot = z.get(*j).copied().unwrap_or(0.0);
            used += 1;
        }
        let mut nll = -self.gmm.log_density(x.get(..used).unwrap_or(&[]));
        let var = self.inactive_variance;
        for (j, zj) in z.iter().enumerate() {
            if !self.active.contains(&j) {
                nll += 0.5 * zj * zj / var + 0.5 * (LN_2PI + var.ln());
            }
        }
        let score = if nll.is_finite() { nll } else { f64::MAX };
        Scored { score, z }
    }

    /// The `k` features furthest from the median (largest |z| above 1), furthest first.
    pub fn deviations(&self, scored: &Scored, raw: &[f64], k: usize) -> Vec<FeatureDeviation> {
        let mut order: Vec<(usize, f64)> = scored
            .z
            .iter()
            .enumerate()
            .filter(|(_, z)| z.abs() >= 1.0)
            .map(|(j, z)| (j, *z))
            .collect();
        order.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
        order
            .into_iter()
            .take(k)
            .map(|(j, z)| FeatureDeviation {
                name: FEATURES.get(j).map_or("unknown", |d| d.name).to_owned(),
                value: raw.get(j).copied().unwrap_or(0.0),
                normal: self.scaler.normal_raw(j),
                z: (z * 100.0).round() / 100.0,
            })
            .collect()
    }

    /// Checks a decoded profile.
    pub fn validate(&self) -> Result<(), String> {
        self.scaler.validate()?;
        if self
            .active
            .windows(2)
            .any(|p| matches!(p, [a, b] if a >= b))
            || self.active.iter().any(|j| *j >= FEATURE_COUNT)
        {
            return Err("active features must be ascending feature indices".into());
        }
        if self.gmm.dims() != self.active.len() {
            return Err(format!(
                "mixture has {} dimensions for {} active features",
                self.gmm.dims(),
                self.active.len()
            ));
        }
        if self.raw_max.len() != FEATURE_COUNT || self.raw_max.iter().any(|v| !v.is_finite()) {
            return Err("raw feature maxima must be one finite value per feature".into());
        }
        let finite = [self.inactive_variance, self.threshold, self.median_score];
        if finite.iter().any(|v| !v.is_finite()) || self.inactive_variance <= 0.0 {
            return Err("threshold, median score and variance must be finite".into());
        }
        Ok(())
    }
}

/// Features whose z-scores are not all equal in training.
fn active_features(z_rows: &[[f64; FEATURE_COUNT]]) -> Vec<usize> {
    (0..FEATURE_COUNT)
        .filter(|j| {
            let mut values = z_rows.iter().map(|r| r.get(*j).copied().unwrap_or(0.0));
            let first = values.next().unwrap_or(0.0);
            values.any(|v| (v - first).abs() > 1e-12)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaling::log_value;
    use wardwatch_flow::Feature;

    fn rows() -> Vec<[f64; FEATURE_COUNT]> {
        (0..500)
            .map(|i| {
                let mut r = [0.0; FEATURE_COUNT];
                let t = (i as f64 * 0.618_033_988_7).fract();
                r[Feature::FlowsInitiated.index()] = log_value(2.0 + 4.0 * t);
                r[Feature::BytesOut.index()] = log_value(1000.0 + 500.0 * t);
                r
            })
            .collect()
    }

    #[test]
    fn inactive_features_cost_likelihood() {
        let p = StatProfile::fit(&rows(), 0.5, &GmmParams::default()).unwrap();
        assert_eq!(
            p.active,
            vec![Feature::BytesOut.index(), Feature::FlowsInitiated.index()]
        );
        let mut normal = rows()[7];
        let base = p.score(&normal).score;
        normal[Feature::AdminSmb.index()] = log_value(37.0);
        let scored = p.score(&normal);
        // z = ln 38 / 0.5; cost = z²/(2·0.1).
        let z = 38f64.ln() / 0.5;
        assert!((scored.score - base - z * z / 0.2).abs() < 1e-6);
        let dev = p.deviations(&scored, &[37.0; FEATURE_COUNT], 1);
        assert_eq!(dev[0].name, "admin_smb");
        assert_eq!(dev[0].normal, 0.0);
        assert!(p.validate().is_ok());
    }

    #[test]
    fn only_what_lies_above_normal_counts_and_one_packet_says_little_about_its_size() {
        let mut log = [0.0; FEATURE_COUNT];
        log[Feature::PacketsOut.index()] = 1.0f64.ln_1p();
        let mut z = [0.0; FEATURE_COUNT];
        z[Feature::BytesOut.index()] = -4.0;
        z[Feature::NewPeers.index()] = 3.0;
        z[Feature::MeanPacketSize.index()] = 9.0;
        one_sided(&mut z, &log);
        assert_eq!(z[Feature::BytesOut.index()], 0.0);
        assert_eq!(z[Feature::NewPeers.index()], 3.0);
        assert_eq!(z[Feature::MeanPacketSize.index()], 1.0);
        log[Feature::PacketsOut.index()] = 72.0f64.ln_1p();
        let mut z = [0.0; FEATURE_COUNT];
        z[Feature::MeanPacketSize.index()] = -5.0;
        one_sided(&mut z, &log);
        assert!((z[Feature::MeanPacketSize.index()] + 4.5).abs() < 1e-9);
    }

    #[test]
    fn far_outlier_scores_are_finite() {
        let p = StatProfile::fit(&rows(), 0.5, &GmmParams::default()).unwrap();
        let mut far = [0.0; FEATURE_COUNT];
        for v in far.iter_mut() {
            *v = log_value(f64::INFINITY);
        }
        let s = p.score(&far).score;
        assert!(s.is_finite() && s > 1e3);
    }

    #[test]
    fn thresholds() {
        let sorted: Vec<f64> = (0..1000).map(f64::from).collect();
        let q = ThresholdParams {
            quantile: Some(0.99),
            ..Default::default()
        };
        assert!((choose_threshold(&sorted, 60, &q) - 989.01).abs() < 1e-9);
        // 1 per 100 device-days at 60 s windows: p = 1/144000.
        let p = ThresholdParams::default().exceed_probability(60);
        assert!((p - 1.0 / 144_000.0).abs() < 1e-15);
        // Tail: top 20 of 0..999 above u = 979, mean excess 10.5, p_u = 0.02.
        let t = choose_threshold(&sorted, 60, &ThresholdParams::default());
        let expected = 979.0 + 10.5 * (0.02 * 144_000.0f64).ln();
        assert!((t - expected).abs() < 1e-9, "{t} vs {expected}");
        // Enough windows: the empirical quantile.
        let many: Vec<f64> = (0..2_000_000).map(|i| f64::from(i) / 1000.0).collect();
        let e = choose_threshold(&many, 60, &ThresholdParams::default());
        assert!((e - scaling::quantile_sorted(&many, 1.0 - p)).abs() < 1e-9);
    }
}
