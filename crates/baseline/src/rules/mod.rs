//! Rule detectors, one file per family. Window rules see a [`WindowContext`]: the window with
//! sanitised features, the device's profile (learnt, used only when mature) and declared
//! profile, and the words to name the device. Event rules (address conflicts, identity changes,
//! new devices) work from the event alone. Every rule pushes finished, explained alerts; the
//! detector then applies the allow-list, deduplication and the rate limit.

pub mod address;
pub mod anomaly;
pub mod beaconing;
pub mod brute_force;
pub mod exfiltration;
pub mod identity;
pub mod lateral;
pub mod novelty;
pub mod remote_access;
pub mod scan;

use crate::alert::{Alert, AlertDevice, AlertKind, AlertPeer, MAX_ALERT_PEERS, Severity};
use crate::declared::DeclaredProfile;
use crate::explain;
use crate::model_set::ModelSet;
use crate::profile::Profile;
use crate::profile::behaviour::BehaviourProfile;
use crate::scaling;
use std::collections::BTreeMap;
use wardwatch_flow::event::{Direction, PeerRole, Transport};
use wardwatch_flow::{FEATURE_COUNT, Feature, ModelId, Timestamp, WindowFeatures};

/// What the detector remembers about a device from its windows, for event rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct DeviceInfo {
    /// Last identified model.
    pub model: Option<ModelId>,
    /// Last device class.
    pub class: Option<String>,
    /// True once a window said the device is established.
    pub established: bool,
    /// Start of the first window the detector saw of the device.
    pub first_window: Option<Timestamp>,
}

/// What a window rule knows about the window and its device.
pub(crate) struct WindowContext<'a> {
    /// The window.
    pub w: &'a WindowFeatures,
    /// Sanitised raw feature values.
    pub raw: [f64; FEATURE_COUNT],
    /// The alert device.
    pub device: AlertDevice,
    /// Device class.
    pub class: Option<&'a str>,
    /// How explanations name the device.
    pub label: String,
    /// The device's profile, mature or not.
    pub profile: Option<&'a Profile>,
    /// The learnt allow-list, only when the profile is mature.
    pub learnt: Option<&'a BehaviourProfile>,
    /// The manufacturer's declared profile.
    pub declared: Option<&'a DeclaredProfile>,
    /// True for patient-care device classes (severity one level up).
    pub patient_care: bool,
    /// UTC hour of the window.
    pub hour: u32,
}

impl<'a> WindowContext<'a> {
    /// Builds the context; returns it with the number of feature values that were sanitised.
    pub fn new(
        w: &'a WindowFeatures,
        models: &'a ModelSet,
        patient_care: &[String],
    ) -> (Self, u64) {
        let mut raw = [0.0; FEATURE_COUNT];
        let mut sanitized = 0;
        for (slot, v) in raw.iter_mut().zip(w.features.as_slice()) {
            let (clean, changed) = scaling::sanitize(*v);
            *slot = clean;
            sanitized += u64::from(changed);
        }
        let model = w.identity.model.as_ref();
        let profile = models.profile_for(&w.device.id, model);
        let class = w
            .identity
            .class
            .as_deref()
            .or_else(|| profile.and_then(|p| p.class.as_deref()));
        let device = explain::alert_device(&w.device, model);
        let label = explain::device_label(&device, class);
        let ctx = WindowContext {
            w,
            raw,
            class,
            label,
            learnt: profile.filter(|p| p.is_mature()).map(|p| &p.behaviour),
            profile,
            declared: model.and_then(|m| models.declared(m)),
            patient_care: class.is_some_and(|c| patient_care.iter().any(|p| p == c)),
            hour: w.window_start.second_of_day() / 3600,
            device,
        };
        (ctx, sanitized)
    }

    /// A sanitised feature value.
    pub fn feature(&self, f: Feature) -> f64 {
        self.raw.get(f.index()).copied().unwrap_or(0.0)
    }

    /// True when a learnt or declared allow-list judges this device.
    pub fn has_allowlist(&self) -> bool {
        self.learnt.is_some() || self.declared.is_some()
    }

    /// True when the learnt (mature) or declared profile allows the combination.
    pub fn allows(
        &self,
        direction: Direction,
        role: PeerRole,
        proto: Transport,
        port: u16,
    ) -> bool {
        self.declared
            .is_some_and(|d| d.allows(direction, role, proto, port))
            || self
                .learnt
                .is_some_and(|l| l.allows(direction, role, proto, port))
    }

    /// The largest training value of a feature, when the profile is mature.
    pub fn learnt_max(&self, f: Feature) -> Option<f64> {
        let p = self.profile.filter(|p| p.is_mature())?;
        p.statistical.as_ref()?.raw_max.get(f.index()).copied()
    }

    /// Why `what` (a service in words) is outside the allow-list, as a clause.
    pub fn outside(&self, what: &str) -> String {
        if let Some(d) = self.declared {
            return format!(
                "{what} is not declared by the manufacturer ({})",
                explain::clean(&d.source, 80)
            );
        }
        match self.profile {
            Some(p) if p.fleet_size() > 1 || matches!(p.key, crate::ProfileKey::Model(_)) => {
                format!(
                    "{} of this model never use {what}",
                    explain::class_plural(self.class)
                )
            }
            _ => format!("this device never used {what} while its baseline was learnt"),
        }
    }

    /// Says why no profile judged the window.
    pub fn baseline_note(&self) -> String {
        match self.profile {
            None => "no baseline has been learnt for this device or its model yet".to_owned(),
            Some(p) => format!(
                "the baseline for its {} is not mature yet ({})",
                if matches!(p.key, crate::ProfileKey::Model(_)) {
                    "model"
                } else {
                    "device"
                },
                p.maturity.reason.as_deref().unwrap_or("immature")
            ),
        }
    }

    /// An alert about this window's device.
    pub fn alert(&self, kind: AlertKind, base: Severity, explanation: String) -> Alert {
        let severity = if self.patient_care {
            base.raised()
        } else {
            base
        };
        let mut evidence = BTreeMap::new();
        if let Some(p) = self.profile {
            evidence.insert("profile".to_owned(), p.key.to_string());
            evidence.insert(
                "baseline_maturity".to_owned(),
                format!("{:.3}", p.maturity.figure),
            );
        }
        if let Some(d) = self.declared {
            evidence.insert("declared_profile".to_owned(), explain::clean(&d.source, 80));
        }
        if self.patient_care {
            evidence.insert("patient_care".to_owned(), "true".to_owned());
        }
        Alert {
            ts: self.w.window_start,
            kind,
            severity,
            device: self.device.clone(),
            peers: Vec::new(),
            peers_total: 0,
            explanation: explain::bound_explanation(explanation),
            features: Vec::new(),
            evidence,
        }
    }
}

/// Sets an alert's peers (at most [`MAX_ALERT_PEERS`]) and their total.
pub(crate) fn set_peers(
    alert: &mut Alert,
    peers: impl IntoIterator<Item = AlertPeer>,
    total: usize,
) {
    alert.peers = peers.into_iter().take(MAX_ALERT_PEERS).collect();
    alert.peers_total = u32::try_from(total.max(alert.peers.len())).unwrap_or(u32::MAX);
}

/// Adds evidence `key = value`.
pub(crate) fn evidence(alert: &mut Alert, key: &str, value: impl ToString) {
    alert.evidence.insert(key.to_owned(), value.to_string());
}
