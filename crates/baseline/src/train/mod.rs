//! Training: device windows in (streamed, so a week of a 200-device ward fits in memory), a
//! [`ModelSet`] and a [`TrainingReport`] out. Devices are grouped by identified model; a model
//! with enough devices gets one fleet profile, the rest (small fleets, unidentified devices) get
//! per-device profiles. Deterministic: the same windows in the same order give the same bytes.

mod build;
pub mod collect;
pub mod fleet;
pub mod report;

use crate::error::{BaselineError, check_range};
use crate::maturity::MaturityParams;
use crate::model_set::ModelSet;
use crate::profile::behaviour::SupportRule;
use crate::profile::gmm::GmmParams;
use crate::profile::peer::PeerParams;
use crate::profile::statistical::ThresholdParams;
use collect::DeviceAccumulator;
use fleet::OutlierParams;
use report::{IngestStats, TrainingReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wardwatch_flow::{DeviceId, ModelId, WindowFeatures};

/// Training settings. Every field has a documented default (docs/detection.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainParams {
    /// A model needs this many devices (each with `min_device_windows`) for a fleet profile.
    pub min_fleet_devices: usize,
    /// Windows a device needs to count towards a fleet and to enter the statistical fit.
    pub min_device_windows: u64,
    /// Rows kept per device; beyond it rows are decimated evenly.
    pub max_windows_per_device: usize,
    /// Rows one statistical fit uses at most (subsampled evenly per device).
    pub max_fit_windows: usize,
    /// Devices one run accepts; windows of further devices are dropped and counted.
    pub max_devices: usize,
    /// Floor of the robust scale (log1p units).
    pub scale_floor: f64,
    /// Ports at or above this are one dynamic-port bucket in behaviour profiles (0 = off).
    pub dynamic_port_floor: u16,
    /// Gaussian-mixture fitting.
    pub gmm: GmmParams,
    /// Threshold choice.
    pub threshold: ThresholdParams,
    /// Support a service needs to be normal.
    pub support: SupportRule,
    /// Fleet peer-group norms.
    pub peer: PeerParams,
    /// Maturity requirements.
    pub maturity: MaturityParams,
    /// Weight cap and outlier devices.
    pub outliers: OutlierParams,
    /// A set meant for other sites (the shipped default): only per-model fleet profiles are
    /// learnt, and the training capture's devices are not remembered as known. A per-device
    /// profile is keyed by a MAC or address that means nothing on another network.
    pub portable: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            min_fleet_devices: 3,
            min_device_windows: 30,
            max_windows_per_device: 20_160,
            max_fit_windows: 20_000,
            max_devices: 65_536,
            scale_floor: 0.5,
            dynamic_port_floor: 32_768,
            gmm: GmmParams::default(),
            threshold: ThresholdParams::default(),
            support: SupportRule::default(),
            peer: PeerParams::default(),
            maturity: MaturityParams::default(),
            outliers: OutlierParams::default(),
            portable: false,
        }
    }
}

impl TrainParams {
    /// Checks every setting; the error names the field.
    pub fn validate(&self) -> Result<(), BaselineError> {
        let positive = [
            ("min_fleet_devices", self.min_fleet_devices),
            ("max_windows_per_device", self.max_windows_per_device),
            ("max_fit_windows", self.max_fit_windows),
            ("max_devices", self.max_devices),
            ("gmm.max_components", self.gmm.max_components),
            (
                "outliers.max_weight_share_devices",
                self.outliers.max_weight_share_devices,
            ),
        ];
        for (field, v) in positive {
            if v == 0 {
                return Err(BaselineError::setting(field, "must be at least 1"));
            }
        }
        if self.min_fleet_devices < 2 {
            return Err(BaselineError::setting(
                "min_fleet_devices",
                "a fleet needs at least 2 devices",
            ));
        }
        if self.gmm.max_components > 8 || self.gmm.fixed_components.is_some_and(|k| k == 0 || k > 8)
        {
            return Err(BaselineError::setting("gmm", "use 1..=8 components"));
        }
        check_range("scale_floor", self.scale_floor, 1e-3, 10.0)?;
        check_range("gmm.reg_covariance", self.gmm.reg_covariance, 1e-6, 100.0)?;
        check_range("gmm.tolerance", self.gmm.tolerance, 1e-9, 1.0)?;
        check_range(
            "threshold.false_alerts_per_100_device_days",
            self.threshold.false_alerts_per_100_device_days,
            1e-6,
            1e6,
        )?;
        if let Some(q) = self.threshold.quantile {
            check_range("threshold.quantile", q, 0.5, 1.0)?;
        }
        check_range(
            "support.min_device_fraction",
            self.support.min_device_fraction,
            0.0,
            1.0,
        )?;
        check_range("peer.quantile", self.peer.quantile, 0.5, 1.0)?;
        check_range("peer.scale_floor", self.peer.scale_floor, 1e-3, 100.0)?;
        check_range("outliers.quantile", self.outliers.quantile, 0.5, 1.0)?;
        check_range(
            "outliers.min_fraction",
            self.outliers.min_fraction,
            0.0,
            1.0,
        )?;
        Ok(())
    }
}

/// A streaming trainer: feed windows with [`Trainer::add`], then [`Trainer::finish`].
#[derive(Debug)]
pub struct Trainer {
    params: TrainParams,
    devices: BTreeMap<DeviceId, DeviceAccumulator>,
    window_secs: BTreeMap<u32, u64>,
    ingest: IngestStats,
    first: u64,
    last: u64,
}

impl Trainer {
    /// A trainer with checked settings.
    pub fn new(params: TrainParams) -> Result<Trainer, BaselineError> {
        params.validate()?;
        Ok(Trainer {
            params,
            devices: BTreeMap::new(),
            window_secs: BTreeMap::new(),
            ingest: IngestStats::default(),
            first: u64::MAX,
            last: 0,
        })
    }

    /// Adds one device window.
    pub fn add(&mut self, w: &WindowFeatures) {
        self.ingest.windows = self.ingest.windows.saturating_add(1);
        let id = w.device.id;
        if !self.devices.contains_key(&id) && self.devices.len() >= self.params.max_devices {
            self.ingest.dropped_windows = self.ingest.dropped_windows.saturating_add(1);
            return;
        }
        if w.window_secs > 0
            && (self.window_secs.len() < 16 || self.window_secs.contains_key(&w.window_secs))
        {
            *self.window_secs.entry(w.window_secs).or_default() += 1;
        }
        let secs = w.window_start.secs();
        self.first = self.first.min(secs);
        self.last = self.last.max(secs);
        let acc = self.devices.entry(id).or_default();
        acc.add(
            w,
            self.params.max_windows_per_device,
            self.params.dynamic_port_floor,
        );
    }

    /// Learns every profile and returns the model set with its report.
    pub fn finish(self) -> Result<(ModelSet, TrainingReport), BaselineError> {
        if self.devices.is_empty() {
            return Err(BaselineError::NoWindows);
        }
        let window_secs = self
            .window_secs
            .iter()
            .rev()
            .max_by_key(|(_, c)| **c)
            .map_or(60, |(s, _)| *s);
        let mut ingest = self.ingest;
        for acc in self.devices.values() {
            ingest.sanitized_values = ingest.sanitized_values.saturating_add(acc.sanitized);
            ingest.decimated_windows = ingest.decimated_windows.saturating_add(acc.decimated);
        }
        let (fleets, singles) = group(&self.devices, &self.params);
        let mut out = build::Built::default();
        for (model, ids) in &fleets {
            build::fleet_profile(
                model,
                ids,
                &self.devices,
                &self.params,
                window_secs,
                &mut out,
            );
        }
        for id in singles.iter().filter(|_| !self.params.portable) {
            build::device_profile(id, &self.devices, &self.params, window_secs, &mut out);
        }
        out.device_reports.sort_by_key(|a| a.device);
        out.reports.sort_by(|a, b| a.key.cmp(&b.key));
        let report = TrainingReport {
            window_secs,
            first_window_secs: if self.first == u64::MAX {
                0
            } else {
                self.first
            },
            last_window_secs: self.last,
            devices: self.devices.len() as u64,
            ingest,
            profiles: out.reports,
            device_reports: out.device_reports,
        };
        let set = ModelSet::from_training(out.profiles, report.clone(), self.params);
        Ok((set, report))
    }
}

/// Splits devices into fleets (model → devices) and per-device profiles.
fn group(
    devices: &BTreeMap<DeviceId, DeviceAccumulator>,
    params: &TrainParams,
) -> (BTreeMap<ModelId, Vec<DeviceId>>, Vec<DeviceId>) {
    let mut by_model: BTreeMap<ModelId, Vec<DeviceId>> = BTreeMap::new();
    let mut singles = Vec::new();
    for (id, acc) in devices {
        match acc.model() {
            Some(m) => by_model.entry(m).or_default().push(*id),
            None => singles.push(*id),
        }
    }
    let mut fleets = BTreeMap::new();
    for (model, ids) in by_model {
        let eligible = ids
            .iter()
            .filter(|id| {
                devices
                    .get(id)
                    .is_some_and(|a| a.windows() >= params.min_device_windows)
            })
            .count();
        if eligible >= params.min_fleet_devices {
            fleets.insert(model, ids);
        } else {
            singles.extend(ids);
        }
    }
    singles.sort();
    (fleets, singles)
}

/// Trains on a batch of windows (a convenience over [`Trainer`]).
pub fn train<'a>(
    windows: impl IntoIterator<Item = &'a WindowFeatures>,
    params: &TrainParams,
) -> Result<(ModelSet, TrainingReport), BaselineError> {
    let mut trainer = Trainer::new(params.clone())?;
    for w in windows {
        trainer.add(w);
    }
    trainer.finish()
}
