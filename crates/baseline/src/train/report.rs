//! What a training run did, per profile and per device: the figures `wardwatch retrain` prints
//! and the model file keeps (thresholds, training false-alert rates, outliers, maturity,
//! per-device sample counts).

use super::fleet::OutlierDevice;
use crate::maturity::Maturity;
use crate::profile::ProfileKey;
use serde::{Deserialize, Serialize};
use wardwatch_flow::{DeviceId, ModelId};

/// Training outcome of one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileReport {
    /// The profile.
    pub key: ProfileKey,
    /// Its model, when identified.
    pub model: Option<ModelId>,
    /// Devices learnt from (outliers excluded).
    pub devices: u32,
    /// Windows of those devices.
    pub windows: u64,
    /// Windows that went into the statistical fit (after the weight cap and subsampling).
    pub fit_windows: u64,
    /// Per-device row cap that enforced the 1/k weight share.
    pub per_device_cap: u64,
    /// Mixture components chosen (0 when no statistical model).
    pub components: usize,
    /// Anomaly threshold (NLL), when a statistical model exists.
    pub threshold: Option<f64>,
    /// Training windows above the threshold, per 100 device-days.
    pub false_alerts_per_100_device_days: Option<f64>,
    /// Devices flagged as outliers and left out.
    pub outliers: Vec<OutlierDevice>,
    /// Baseline maturity.
    pub maturity: Maturity,
    /// Remarks (fallbacks, heterogeneous fleet, too few windows).
    pub notes: Vec<String>,
}

/// Training outcome of one device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceReport {
    /// The device.
    pub device: DeviceId,
    /// The profile it belongs to.
    pub profile: ProfileKey,
    /// Windows seen in training.
    pub windows: u64,
    /// Windows that went into the statistical fit (its sample count).
    pub fit_windows: u64,
    /// True when the device was left out (outlier, or too few windows).
    pub excluded: bool,
    /// The device's own maturity (its windows, days, hours).
    pub maturity: Maturity,
}

/// Input-side counters of a training run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestStats {
    /// Windows offered.
    pub windows: u64,
    /// Windows dropped because the device cap was reached.
    pub dropped_windows: u64,
    /// Feature values that were NaN, negative or huge and were clamped.
    pub sanitized_values: u64,
    /// Windows not kept as rows because a device's row cap was reached (decimation).
    pub decimated_windows: u64,
}

/// The outcome of a training run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingReport {
    /// Window length of the training windows, seconds (the most common one).
    pub window_secs: u32,
    /// First and last window start, seconds since the epoch.
    pub first_window_secs: u64,
    /// Last window start, seconds since the epoch.
    pub last_window_secs: u64,
    /// Devices seen.
    pub devices: u64,
    /// Input counters.
    pub ingest: IngestStats,
    /// Per profile, sorted by key.
    pub profiles: Vec<ProfileReport>,
    /// Per device, sorted by device.
    pub device_reports: Vec<DeviceReport>,
}

impl TrainingReport {
    /// The report of one device.
    pub fn device(&self, id: &DeviceId) -> Option<&DeviceReport> {
        self.device_reports
            .binary_search_by(|d| d.device.cmp(id))
            .ok()
            .and_then(|i| self.device_reports.get(i))
    }

    /// Every device flagged as an outlier, with its profile.
    pub fn outliers(&self) -> impl Iterator<Item = (&ProfileKey, &OutlierDevice)> {
        self.profiles
            .iter()
            .flat_map(|p| p.outliers.iter().map(move |o| (&p.key, o)))
    }
}
