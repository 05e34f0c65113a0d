//! The set of learnt profiles the detector judges with, plus the manufacturers' declared
//! profiles and the training report. Frozen between explicit retrains: the detector reads it
//! through an `Arc` and never changes it.

use crate::declared::{DeclaredProfile, MAX_DECLARED_ENTRIES};
use crate::maturity::Maturity;
use crate::model_file::{self, ModelFileError};
use crate::profile::{Profile, ProfileKey};
use crate::train::TrainParams;
use crate::train::report::TrainingReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wardwatch_flow::{DeviceId, ModelId};

/// Learnt and declared profiles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ModelSet {
    models: BTreeMap<ModelId, Profile>,
    devices: BTreeMap<DeviceId, Profile>,
    declared: BTreeMap<ModelId, DeclaredProfile>,
    report: TrainingReport,
    params: TrainParams,
}

/// The serialised body of a model file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ModelSetBody {
    params: TrainParams,
    profiles: Vec<Profile>,
    declared: BTreeMap<ModelId, DeclaredProfile>,
    report: TrainingReport,
}

impl ModelSet {
    /// A set with nothing learnt or declared: only the rule detectors judge.
    pub fn empty() -> ModelSet {
        ModelSet::default()
    }

    pub(crate) fn from_training(
        profiles: Vec<Profile>,
        report: TrainingReport,
        params: TrainParams,
    ) -> ModelSet {
        let mut set = ModelSet {
            report,
            params,
            ..ModelSet::default()
        };
        for p in profiles {
            set.insert(p);
        }
        set
    }

    fn insert(&mut self, p: Profile) {
        match p.key.clone() {
            ProfileKey::Model(m) => {
                self.models.insert(m, p);
            }
            ProfileKey::Device(d) => {
                self.devices.insert(d, p);
            }
        }
    }

    /// Declares what the manufacturer says `model` does; it acts as the model's allow-list
    /// from the first packet. Replaces an earlier declaration of the same model.
    pub fn declare(&mut self, model: ModelId, profile: DeclaredProfile) {
        self.declared.insert(model, profile);
    }

    /// The declared profile of a model.
    pub fn declared(&self, model: &ModelId) -> Option<&DeclaredProfile> {
        self.declared.get(model)
    }

    /// The profile that judges a device: its own per-device profile if it has one, else its
    /// model's fleet profile.
    pub fn profile_for(&self, device: &DeviceId, model: Option<&ModelId>) -> Option<&Profile> {
        self.devices
            .get(device)
            .or_else(|| model.and_then(|m| self.models.get(m)))
    }

    /// The fleet profile of a model.
    pub fn model_profile(&self, model: &ModelId) -> Option<&Profile> {
        self.models.get(model)
    }

    /// Every profile: model profiles by model id, then device profiles by device.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.models.values().chain(self.devices.values())
    }

    /// Maturity of every profile, for metrics.
    pub fn maturities(&self) -> impl Iterator<Item = (&ProfileKey, &Maturity)> {
        self.profiles().map(|p| (&p.key, &p.maturity))
    }

    /// The training report (thresholds, outliers, per-device sample counts).
    pub fn report(&self) -> &TrainingReport {
        &self.report
    }

    /// The settings training ran with.
    pub fn params(&self) -> &TrainParams {
        &self.params
    }

    /// True when the device was part of training (it is not new); never for a portable set.
    pub fn knows_device(&self, id: &DeviceId) -> bool {
        !self.params.portable && self.report.device(id).is_some()
    }

    /// A device's own maturity from training.
    pub fn device_maturity(&self, id: &DeviceId) -> Option<&Maturity> {
        self.report.device(id).map(|d| &d.maturity)
    }

    /// The model file bytes: header, JSON body, SHA-256 (see [`crate::model_file`]).
    pub fn encode(&self) -> Vec<u8> {
        model_file::encode(&self.body())
    }

    /// Reads and verifies model file bytes.
    pub fn decode(bytes: &[u8]) -> Result<ModelSet, ModelFileError> {
        let body: ModelSetBody = model_file::decode(bytes)?;
        ModelSet::from_body(body).map_err(ModelFileError::Invalid)
    }

    fn body(&self) -> ModelSetBody {
        ModelSetBody {
            params: self.params.clone(),
            profiles: self.profiles().cloned().collect(),
            declared: self.declared.clone(),
            report: self.report.clone(),
        }
    }

    fn from_body(body: ModelSetBody) -> Result<ModelSet, String> {
        body.params.validate().map_err(|e| e.to_string())?;
        let mut set = ModelSet {
            report: body.report,
            params: body.params,
            declared: body.declared,
            ..ModelSet::default()
        };
        for p in body.profiles {
            p.validate()
                .map_err(|e| format!("profile {}: {e}", p.key))?;
            if let ProfileKey::Model(m) = &p.key
                && p.model.as_ref() != Some(m)
            {
                return Err(format!("profile {} names model {:?}", p.key, p.model));
            }
            let before = set.models.len() + set.devices.len();
            let key = p.key.clone();
            set.insert(p);
            if set.models.len() + set.devices.len() == before {
                return Err(format!("profile {key} appears twice"));
            }
        }
        for (model, d) in &set.declared {
            if d.services.len() > MAX_DECLARED_ENTRIES || d.source.chars().count() > 256 {
                return Err(format!("declared profile of {model} is too large"));
            }
        }
        if set
            .report
            .device_reports
            .windows(2)
            .any(|p| matches!(p, [a, b] if a.device >= b.device))
        {
            return Err("device reports are not sorted by device".into());
        }
        Ok(set)
    }
}
