//! A Gaussian mixture over robust-scaled features: fitted with linfa's `GaussianMixtureModel`
//! (number of components by BIC, seeded Xoshiro for determinism) and scored by our own
//! log-sum-exp over the components. linfa's own per-sample log-likelihood is private and its
//! `predict_proba` overflows to inf/NaN for far outliers, which are exactly the windows we care
//! about; here log p(x) stays finite for any finite x.
//!
//! Each component keeps the lower Cholesky factor L of its precision matrix P = L·Lᵀ, so
//! (x−μ)ᵀP(x−μ) = ‖Lᵀ(x−μ)‖² and ln det P = 2·Σ ln Lᵢᵢ.

use linfa::DatasetBase;
use linfa::prelude::Fit;
use linfa_clustering::GaussianMixtureModel;
use linfa_linalg::cholesky::{Cholesky, InverseC};
use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256Plus;
use serde::{Deserialize, Serialize};

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// A fitted mixture, ready to score. Serialises as weights, means and precision Cholesky factors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GmmParts", into = "GmmParts")]
pub struct Gmm {
    dims: usize,
    weights: Vec<f64>,
    means: Vec<Vec<f64>>,
    /// Per component, L row-major (dims × dims, upper triangle zero).
    chol: Vec<Vec<f64>>,
    /// Per component, ln w + Σ ln Lᵢᵢ − d/2·ln 2π.
    log_norm: Vec<f64>,
}

/// The stored form of a [`Gmm`]; decoding re-validates it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GmmParts {
    weights: Vec<f64>,
    means: Vec<Vec<f64>>,
    precision_cholesky: Vec<Vec<f64>>,
}

impl From<Gmm> for GmmParts {
    fn from(g: Gmm) -> Self {
        GmmParts {
            weights: g.weights,
            means: g.means,
            precision_cholesky: g.chol,
        }
    }
}

impl TryFrom<GmmParts> for Gmm {
    type Error = String;
    fn try_from(p: GmmParts) -> Result<Self, String> {
        Gmm::from_cholesky(p.weights, p.means, p.precision_cholesky)
    }
}

impl Gmm {
    /// A mixture from weights, means and lower Cholesky factors of the precisions (row-major).
    /// Checks shapes, finiteness, positive weights and a positive diagonal.
    pub fn from_cholesky(
        weights: Vec<f64>,
        means: Vec<Vec<f64>>,
        chol: Vec<Vec<f64>>,
    ) -> Result<Gmm, String> {
        let k = weights.len();
        if k == 0 || k > 64 {
            return Err(format!("mixture has {k} components (1..=64 allowed)"));
        }
        if means.len() != k || chol.len() != k {
            return Err("mixture components disagree in number".into());
        }
        let dims = means.first().map_or(0, Vec::len);
        if dims > 256 {
            return Err(format!("mixture has {dims} dimensions (at most 256)"));
        }
        let total: f64 = weights.iter().sum();
        if weights.iter().any(|w| !w.is_finite() || *w <= 0.0) || (total - 1.0).abs() > 1e-6 {
            return Err("mixture weights must be positive and sum to 1".into());
        }
        let mut log_norm = Vec::with_capacity(k);
        for ((w, mean), l) in weights.iter().zip(&means).zip(&chol) {
            if mean.len() != dims || l.len() != dims.saturating_mul(dims) {
                return Err("mixture component has the wrong shape".into());
            }
            if mean.iter().chain(l.iter()).any(|v| !v.is_finite()) {
                return Err("mixture component is not finite".into());
            }
            let mut log_det_half = 0.0;
            for i in 0..dims {
                let d = l.get(i * dims + i).copied().unwrap_or(0.0);
                if d <= 0.0 {
                    return Err("precision Cholesky factor has a non-positive diagonal".into());
                }
                log_det_half += d.ln();
            }
            log_norm.push(w.ln() + log_det_half - 0.5 * dims as f64 * LN_2PI);
        }
        Ok(Gmm {
            dims,
            weights,
            means,
            chol,
            log_norm,
        })
    }

    /// A mixture from weights, means and precision matrices (row-major), via Cholesky.
    pub fn from_precisions(
        weights: Vec<f64>,
        means: Vec<Vec<f64>>,
        precisions: &[Vec<f64>],
    ) -> Result<Gmm, String> {
        let dims = means.first().map_or(0, Vec::len);
        let mut chol = Vec::with_capacity(precisions.len());
        for p in precisions {
            chol.push(lower_cholesky(p, dims)?);
        }
        Gmm::from_cholesky(weights, means, chol)
    }

    /// A mixture from weights, means and covariance matrices (row-major).
    pub fn from_covariances(
        weights: Vec<f64>,
        means: Vec<Vec<f64>>,
        covariances: &[Vec<f64>],
    ) -> Result<Gmm, String> {
        let dims = means.first().map_or(0, Vec::len);
        let mut precisions = Vec::with_capacity(covariances.len());
        for c in covariances {
            let m = square(c, dims)?;
            let inv = if dims == 0 {
                m
            } else {
                m.invc()
                    .map_err(|e| format!("covariance is not invertible: {e}"))?
            };
            precisions.push(inv.iter().copied().collect::<Vec<f64>>());
        }
        Gmm::from_precisions(weights, means, &precisions)
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Number of components.
    pub fn components(&self) -> usize {
        self.weights.len()
    }

    /// Mixture weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// ln p(x), by log-sum-exp over the components; finite for every finite `x` of the right
    /// length (missing coordinates count as 0).
    pub fn log_density(&self, x: &[f64]) -> f64 {
        let mut terms = [0.0f64; 64];
        let mut count = 0;
        for ((mean, l), norm) in self.means.iter().zip(&self.chol).zip(&self.log_norm) {
            let q = self.mahalanobis_sq(x, mean, l);
            if let Some(slot) = terms.get_mut(count) {
                *slot = norm - 0.5 * q;
                count += 1;
            }
        }
        let used = terms.get(..count).unwrap_or(&[]);
        let max = used.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !max.is_finite() {
            return f64::MIN;
        }
        let sum: f64 = used.iter().map(|t| (t - max).exp()).sum();
        let out = max + sum.ln();
        if out.is_finite() { out } else { f64::MIN }
    }

    /// ‖Lᵀ(x−μ)‖² for one component.
    fn mahalanobis_sq(&self, x: &[f64], mean: &[f64], l: &[f64]) -> f64 {
        let d = self.dims;
        let mut total = 0.0;
        for i in 0..d {
            let mut y = 0.0;
            for j in i..d {
                let lji = l.get(j * d + i).copied().unwrap_or(0.0);
                let diff = x.get(j).copied().unwrap_or(0.0) - mean.get(j).copied().unwrap_or(0.0);
                y += lji * diff;
            }
            total += y * y;
        }
        if total.is_finite() { total } else { f64::MAX }
    }
}

fn square(flat: &[f64], dims: usize) -> Result<Array2<f64>, String> {
    Array2::from_shape_vec((dims, dims), flat.to_vec())
        .map_err(|_| format!("matrix is not {dims}×{dims}"))
}

/// Lower Cholesky factor (row-major) of a symmetric positive definite matrix.
fn lower_cholesky(flat: &[f64], dims: usize) -> Result<Vec<f64>, String> {
    if dims == 0 {
        return Ok(Vec::new());
    }
    if flat.iter().any(|v| !v.is_finite()) {
        return Err("matrix is not finite".into());
    }
    let m = square(flat, dims)?;
    let l = m
        .cholesky()
        .map_err(|e| format!("matrix is not positive definite: {e}"))?;
    Ok(l.iter().copied().collect())
}

/// How mixtures are fitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GmmParams {
    /// Largest number of components tried (BIC picks among 1..=max).
    pub max_components: usize,
    /// Use exactly this many components instead of choosing by BIC.
    pub fixed_components: Option<usize>,
    /// EM restarts per candidate (linfa `n_runs`).
    pub n_runs: u64,
    /// EM convergence tolerance on the mean log-likelihood.
    pub tolerance: f64,
    /// EM iteration cap.
    pub max_iterations: u64,
    /// Added to covariance diagonals, in squared robust-z units: no direction of the profile
    /// is narrower than √reg robust standard deviations.
    pub reg_covariance: f64,
    /// Seed of the Xoshiro256+ generator (with the component count mixed in).
    pub seed: u64,
}

impl Default for GmmParams {
    fn default() -> Self {
        GmmParams {
            max_components: 3,
            fixed_components: None,
            n_runs: 1,
            tolerance: 1e-3,
            max_iterations: 200,
            reg_covariance: 0.1,
            seed: 0x7761_7264_7761_7463,
        }
    }
}

/// A fitted mixture and how it was chosen.
#[derive(Clone, Debug)]
pub struct GmmFit {
    /// The mixture.
    pub gmm: Gmm,
    /// Bayesian information criterion of the chosen mixture (lower is better).
    pub bic: f64,
    /// True when linfa's EM fit was used; false for the closed-form single Gaussian fallback.
    pub em: bool,
}

/// Fits a mixture to `data` (rows = windows, columns = active features). Tries each candidate
/// component count with linfa; keeps the lowest BIC. When no EM fit succeeds (too few rows,
/// degenerate data), falls back to one Gaussian computed in closed form. `None` only for no rows.
pub fn fit(data: ArrayView2<'_, f64>, params: &GmmParams) -> Option<GmmFit> {
    let n = data.nrows();
    let d = data.ncols();
    if n == 0 {
        return None;
    }
    let candidates: Vec<usize> = match params.fixed_components {
        Some(k) => vec![k.max(1)],
        None => (1..=params.max_components.max(1)).collect(),
    };
    let mut best: Option<GmmFit> = None;
    for k in candidates {
        // EM needs enough rows per component to estimate a covariance.
        if d == 0 || n < k.saturating_mul(10.max(2 * (d + 1))) {
            continue;
        }
        let Some(gmm) = fit_em(data, k, params) else {
            continue;
        };
        let bic = bic(&gmm, data);
        if best.as_ref().is_none_or(|b| bic < b.bic) {
            best = Some(GmmFit { gmm, bic, em: true });
        }
    }
    best.or_else(|| {
        let gmm = single_gaussian(data, params.reg_covariance).ok()?;
        let bic = bic(&gmm, data);
        Some(GmmFit {
            gmm,
            bic,
            em: false,
        })
    })
}

fn fit_em(data: ArrayView2<'_, f64>, k: usize, params: &GmmParams) -> Option<Gmm> {
    let rng = Xoshiro256Plus::seed_from_u64(params.seed ^ (k as u64).wrapping_mul(0x9e37_79b9));
    let dataset = DatasetBase::from(data.to_owned());
    let model = GaussianMixtureModel::params_with_rng(k, rng)
        .n_runs(params.n_runs.max(1))
        .tolerance(params.tolerance)
        .reg_covariance(params.reg_covariance)
        .max_n_iterations(params.max_iterations.max(1))
        .fit(&dataset)
        .ok()?;
    let weights: Vec<f64> = model.weights().iter().copied().collect();
    let total: f64 = weights.iter().sum();
    let weights: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let means: Vec<Vec<f64>> = model
        .means()
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    let precisions: Vec<Vec<f64>> = model
        .precisions()
        .outer_iter()
        .map(|p| p.iter().copied().collect())
        .collect();
    Gmm::from_precisions(weights, means, &precisions).ok()
}

/// One Gaussian: sample mean, biased covariance plus `reg` on the diagonal.
pub fn single_gaussian(data: ArrayView2<'_, f64>, reg: f64) -> Result<Gmm, String> {
    let n = data.nrows();
    let d = data.ncols();
    if n == 0 {
        return Err("no rows".into());
    }
    let mean: Vec<f64> = (0..d)
        .map(|j| data.column(j).iter().sum::<f64>() / n as f64)
        .collect();
    let mut cov = vec![0.0; d * d];
    for row in data.rows() {
        for i in 0..d {
            let di = row.get(i).copied().unwrap_or(0.0) - mean.get(i).copied().unwrap_or(0.0);
            for j in 0..=i {
                let dj = row.get(j).copied().unwrap_or(0.0) - mean.get(j).copied().unwrap_or(0.0);
                if let Some(c) = cov.get_mut(i * d + j) {
                    *c += di * dj;
                }
            }
        }
    }
    for i in 0..d {
        for j in 0..=i {
            let v = cov.get(i * d + j).copied().unwrap_or(0.0) / n as f64
                + if i == j { reg.max(1e-9) } else { 0.0 };
            if let Some(c) = cov.get_mut(i * d + j) {
                *c = v;
            }
            if let Some(c) = cov.get_mut(j * d + i) {
                *c = v;
            }
        }
    }
    Gmm::from_covariances(vec![1.0], vec![mean], &[cov])
}

/// BIC = −2·ln L + p·ln n, with p = (k−1) + k·d + k·d(d+1)/2 for full covariances.
fn bic(gmm: &Gmm, data: ArrayView2<'_, f64>) -> f64 {
    let n = data.nrows().max(1) as f64;
    let k = gmm.components() as f64;
    let d = gmm.dims() as f64;
    let params = (k - 1.0) + k * d + k * d * (d + 1.0) / 2.0;
    let ll: f64 = data
        .rows()
        .into_iter()
        .map(|r| match r.as_slice() {
            Some(s) => gmm.log_density(s),
            None => gmm.log_density(&r.to_vec()),
        })
        .sum();
    -2.0 * ll + params * n.ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn normal_pdf(x: f64, mean: f64, var: f64) -> f64 {
        (-(x - mean).powi(2) / (2.0 * var)).exp() / (2.0 * std::f64::consts::PI * var).sqrt()
    }

    #[test]
    fn one_dimensional_log_density_matches_hand_computation() {
        // 0.3·N(0, 1) + 0.7·N(4, 4)
        let g = Gmm::from_covariances(
            vec![0.3, 0.7],
            vec![vec![0.0], vec![4.0]],
            &[vec![1.0], vec![4.0]],
        )
        .unwrap();
        for x in [-2.0, 0.0, 1.5, 4.0, 9.0] {
            let hand = (0.3 * normal_pdf(x, 0.0, 1.0) + 0.7 * normal_pdf(x, 4.0, 4.0)).ln();
            assert!((g.log_density(&[x]) - hand).abs() < 1e-12, "x = {x}");
        }
        // At x = 0: ln(0.3·0.398942 + 0.7·0.026995) = ln(0.138579) = −1.976311.
        assert!((g.log_density(&[0.0]) - (-1.976_311)).abs() < 1e-6);
    }

    #[test]
    fn two_dimensional_log_density_matches_hand_computation() {
        // One component, mean (1, 2), covariance [[2, 0.5], [0.5, 1]]: det 1.75,
        // inverse [[1, −0.5], [−0.5, 2]] / 1.75.
        let g = Gmm::from_covariances(vec![1.0], vec![vec![1.0, 2.0]], &[vec![2.0, 0.5, 0.5, 1.0]])
            .unwrap();
        let x = [2.0, 1.0];
        let (dx, dy) = (1.0, -1.0);
        let q = (dx * dx * 1.0 - 2.0 * 0.5 * dx * dy + dy * dy * 2.0) / 1.75;
        let hand = -0.5 * q - (2.0 * std::f64::consts::PI).ln() - 0.5 * 1.75f64.ln();
        assert!((g.log_density(&x) - hand).abs() < 1e-12);
        // q = 4/1.75 = 2.285714; ln p = −1.142857 − 1.837877 − 0.279808 = −3.260542.
        assert!((g.log_density(&x) - (-3.260_542)).abs() < 1e-6);
    }

    #[test]
    fn far_outliers_stay_finite() {
        let g = Gmm::from_covariances(
            vec![0.5, 0.5],
            vec![vec![0.0, 0.0], vec![3.0, 3.0]],
            &[vec![1.0, 0.0, 0.0, 1.0], vec![0.1, 0.0, 0.0, 0.1]],
        )
        .unwrap();
        for x in [1e3, 1e6, 1e9, -1e12] {
            let lp = g.log_density(&[x, x]);
            assert!(lp.is_finite(), "x = {x}: {lp}");
            assert!(lp < -1e5);
        }
        // Far away the wider component dominates: ln p equals its log term.
        let lp = g.log_density(&[1e6, 1e6]);
        let term = 0.5f64.ln() - LN_2PI - 0.5 * 2.0 * 1e12;
        assert!((lp - term).abs() / term.abs() < 1e-12);
    }

    #[test]
    fn em_fit_is_deterministic_and_finds_two_clusters() {
        let mut rows = Vec::new();
        for i in 0..400 {
            let t = (i as f64 * 0.618_033_988_7).fract() - 0.5;
            let u = (i as f64 * 0.414_213_562_3).fract() - 0.5;
            if i % 2 == 0 {
                rows.extend([t, u]);
            } else {
                rows.extend([8.0 + t, 8.0 + u]);
            }
        }
        let data = Array2::from_shape_vec((400, 2), rows).unwrap();
        let a = fit(data.view(), &GmmParams::default()).unwrap();
        let b = fit(data.view(), &GmmParams::default()).unwrap();
        assert!(a.em);
        assert_eq!(a.gmm, b.gmm);
        assert!(a.gmm.components() >= 2, "BIC should prefer two clusters");
        assert!(a.gmm.log_density(&[4.0, 4.0]) < a.gmm.log_density(&[0.0, 0.0]) - 10.0);
    }

    #[test]
    fn fallback_and_refusals() {
        let data = Array2::from_shape_vec((3, 2), vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
        let f = fit(data.view(), &GmmParams::default()).unwrap();
        assert!(!f.em);
        assert_eq!(f.gmm.components(), 1);
        assert!(fit(Array2::<f64>::zeros((0, 2)).view(), &GmmParams::default()).is_none());
        assert!(Gmm::from_cholesky(vec![0.5], vec![vec![0.0]], vec![vec![1.0]]).is_err());
        assert!(Gmm::from_cholesky(vec![1.0], vec![vec![0.0]], vec![vec![-1.0]]).is_err());
        assert!(Gmm::from_cholesky(vec![1.0], vec![vec![f64::NAN]], vec![vec![1.0]]).is_err());
        // Zero dimensions: the empty product has density 1.
        let empty = Gmm::from_cholesky(vec![1.0], vec![vec![]], vec![vec![]]).unwrap();
        assert_eq!(empty.log_density(&[]), 0.0);
    }
}
