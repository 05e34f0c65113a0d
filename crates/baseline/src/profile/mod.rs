//! Learnt profiles: one per device model (learnt from its fleet) or per device (small fleets and
//! unidentified devices). A profile holds the behaviour allow-list, the statistical model, the
//! fleet peer-group norms and the baseline maturity. Profiles are frozen: only an explicit
//! retrain replaces them; the detector never updates them.

pub mod behaviour;
pub mod gmm;
pub mod peer;
pub mod statistical;

use crate::maturity::Maturity;
use behaviour::BehaviourProfile;
use peer::PeerGroup;
use serde::{Deserialize, Serialize};
use statistical::StatProfile;
use std::fmt;
use wardwatch_flow::{DeviceId, ModelId};

/// What a profile describes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKey {
    /// Every device of a catalog model (the fleet).
    Model(ModelId),
    /// One device (small fleet or unidentified).
    Device(DeviceId),
}

impl fmt::Display for ProfileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileKey::Model(m) => write!(f, "model {m}"),
            ProfileKey::Device(d) => write!(f, "device {d}"),
        }
    }
}

/// One learnt profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// What it describes.
    pub key: ProfileKey,
    /// The catalog model of its devices, when identified.
    pub model: Option<ModelId>,
    /// The device class (catalog class id), when known.
    pub class: Option<String>,
    /// Devices learnt from (outliers excluded), sorted.
    pub devices: Vec<DeviceId>,
    /// Window length of the training windows, seconds.
    pub window_secs: u32,
    /// The behaviour allow-list.
    pub behaviour: BehaviourProfile,
    /// The statistical model, when one could be fitted.
    pub statistical: Option<StatProfile>,
    /// Fleet norms per hour of the day (model profiles only).
    pub peer_group: Option<PeerGroup>,
    /// How much has been learnt.
    pub maturity: Maturity,
}

impl Profile {
    /// True when the profile is mature enough for profile-based alerts.
    pub fn is_mature(&self) -> bool {
        self.maturity.mature
    }

    /// Number of devices learnt from.
    pub fn fleet_size(&self) -> usize {
        self.devices.len()
    }

    /// Checks a decoded profile for internal consistency.
    pub fn validate(&self) -> Result<(), String> {
        self.behaviour.validate()?;
        if let Some(s) = &self.statistical {
            s.validate()?;
        }
        if let Some(p) = &self.peer_group {
            p.validate()?;
        }
        if self.window_secs == 0 {
            return Err("window length is 0".into());
        }
        if !(0.0..=1.0).contains(&self.maturity.figure) {
            return Err("maturity figure outside 0..1".into());
        }
        if self
            .devices
            .windows(2)
            .any(|p| matches!(p, [a, b] if a >= b))
        {
            return Err("profile devices are not sorted and unique".into());
        }
        Ok(())
    }
}
