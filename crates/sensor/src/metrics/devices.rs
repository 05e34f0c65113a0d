//! Device-count gauges and the capped per-device series.
//!
//! Per-device series (`wardwatch_device_info`, `wardwatch_device_anomaly_score`, the advisory
//! and risk gauges, `wardwatch_device_alerts_total`) exist only for established devices and at
//! most `max_device_series` of them; the `device` label is a short stable id derived from the
//! device key ([`device_label`]), never the MAC or IP itself, so a label value cannot carry
//! attacker-chosen text. Devices beyond the cap are refused (counted in
//! `wardwatch_device_series_refused_total`) until a series slot frees up.

use super::labels::{DeviceState, LabelPolicy};
use prometheus::{GaugeVec, IntCounter, IntCounterVec, IntGaugeVec};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use wardwatch_baseline::Severity;
use wardwatch_flow::{DeviceId, Identity};

/// What the metrics need to know about one device (the daemon builds these from the device table).
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceSummary {
    /// Device-table key.
    pub id: DeviceId,
    /// True once bidirectional traffic was seen.
    pub established: bool,
    /// Current identification.
    pub identity: Identity,
    /// Current anomaly score (1.0 = the model's alert threshold), if scored yet.
    pub anomaly_score: Option<f64>,
}

/// What the risk gauges need to know about one device: the advisories that apply to its model
/// and software version (`identify::advisory`). The daemon builds these from the inventory;
/// devices without per-device series are ignored.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceRiskSummary {
    /// Device-table key.
    pub id: DeviceId,
    /// Advisories that apply to the device.
    pub advisories: u32,
    /// Highest CVSS base score among them (0 when none applies).
    pub highest_cvss: f64,
    /// Some applicable advisory is in the CISA Known Exploited Vulnerabilities catalog.
    pub known_exploited: bool,
    /// The device's overall risk, 0..10 (`DeviceRisk::risk`; 0 when no advisory applies).
    pub risk: f64,
}

/// The `device` label of a device: `d` + the first 12 hex digits of SHA-256 over the device
/// key's text. Stable across restarts and sensors, fixed length, hex only. The inventory and
/// alerts carry it too (as `metrics_device`) so a series can be joined to the device.
pub fn device_label(id: &DeviceId) -> String {
    let digest = Sha256::digest(format!("wardwatch-device:{id}").as_bytes());
    let mut label = String::with_capacity(13);
    label.push('d');
    label.push_str(hex::encode(digest).get(..12).unwrap_or_default());
    label
}

/// Labels of one `wardwatch_device_info` series: device, model, class, vendor, version.
type InfoLabels = [String; 5];

/// The families this module maintains.
pub(super) struct DeviceFamilies {
    pub(super) devices: IntGaugeVec,
    pub(super) info: IntGaugeVec,
    pub(super) score: GaugeVec,
    pub(super) refused_total: IntCounter,
    pub(super) advisories: IntGaugeVec,
    pub(super) highest_cvss: GaugeVec,
    pub(super) known_exploited: IntGaugeVec,
    pub(super) risk: GaugeVec,
    pub(super) alerts: IntCounterVec,
}

/// The per-device families and what they remember between updates.
pub(super) struct DeviceSeries {
    families: DeviceFamilies,
    cap: usize,
    admitted: BTreeMap<DeviceId, InfoLabels>,
    scored: BTreeSet<DeviceId>,
    risked: BTreeSet<DeviceId>,
    alerted: BTreeSet<DeviceId>,
    refused: HashSet<DeviceId>,
    counted: BTreeSet<[String; 3]>,
}

impl DeviceSeries {
    pub(super) fn new(families: DeviceFamilies, cap: usize) -> Self {
        DeviceSeries {
            families,
            cap,
            admitted: BTreeMap::new(),
            scored: BTreeSet::new(),
            risked: BTreeSet::new(),
            alerted: BTreeSet::new(),
            refused: HashSet::new(),
            counted: BTreeSet::new(),
        }
    }

    /// Replaces the device gauges and per-device series with the current device list.
    pub(super) fn update(&mut self, devices: &[DeviceSummary], policy: &LabelPolicy) {
        self.update_counts(devices, policy);
        let current: BTreeMap<&DeviceId, &DeviceSummary> = devices
            .iter()
            .filter(|d| d.established)
            .map(|d| (&d.id, d))
            .collect();
        let gone: Vec<DeviceId> = self
            .admitted
            .keys()
            .filter(|id| !current.contains_key(id))
            .copied()
            .collect();
        for id in gone {
            self.forget(&id);
        }
        self.refused.retain(|id| current.contains_key(id));
        for (id, device) in current {
            self.update_device(device, policy);
            // Bounded by the established devices passed in (the device table's cap).
            if !self.admitted.contains_key(id) {
                self.refused.insert(*id);
            }
        }
    }

    fn update_counts(&mut self, devices: &[DeviceSummary], policy: &LabelPolicy) {
        let mut counts: BTreeMap<[String; 3], i64> = BTreeMap::new();
        for d in devices {
            let state = if d.established {
                DeviceState::Established
            } else {
                DeviceState::Tentative
            };
            let key = [
                policy.model(d.identity.model.as_ref()).to_owned(),
                policy.class(d.identity.class.as_deref()).to_owned(),
                state.label().to_owned(),
            ];
            *counts.entry(key).or_default() += 1;
        }
        for stale in self.counted.iter().filter(|k| !counts.contains_key(*k)) {
            let _ = self
                .families
                .devices
                .remove_label_values(&label_refs(stale));
        }
        for (key, count) in &counts {
            self.families
                .devices
                .with_label_values(&label_refs(key))
                .set(*count);
        }
        self.counted = counts.into_keys().collect();
    }

    fn update_device(&mut self, device: &DeviceSummary, policy: &LabelPolicy) {
        let identity = &device.identity;
        let model = identity.model.as_ref();
        let labels: InfoLabels = [
            device_label(&device.id),
            policy.model(model).to_owned(),
            policy.class(identity.class.as_deref()).to_owned(),
            policy.vendor(identity.vendor.as_deref()).to_owned(),
            policy
                .version(model, identity.software_version.as_deref())
                .to_owned(),
        ];
        match self.admitted.get(&device.id) {
            Some(old) if *old == labels => {}
            Some(old) => {
                let _ = self.families.info.remove_label_values(&label_refs(old));
                self.families
                    .info
                    .with_label_values(&label_refs(&labels))
                    .set(1);
                self.admitted.insert(device.id, labels);
            }
            None if self.admitted.len() < self.cap => {
                self.families
                    .info
                    .with_label_values(&label_refs(&labels))
                    .set(1);
                self.admitted.insert(device.id, labels);
                self.refused.remove(&device.id);
            }
            None => {
                if !self.refused.contains(&device.id) {
                    self.families.refused_total.inc();
                }
                return;
            }
        }
        let short = device_label(&device.id);
        match device.anomaly_score.filter(|s| s.is_finite()) {
            Some(score) => {
                self.families
                    .score
                    .with_label_values(&[short.as_str()])
                    .set(score);
                self.scored.insert(device.id);
            }
            None => {
                if self.scored.remove(&device.id) {
                    let _ = self.families.score.remove_label_values(&[short.as_str()]);
                }
            }
        }
    }

    /// Sets the risk gauges of the admitted devices in `risks` and removes those of the
    /// devices no longer listed.
    pub(super) fn update_risks(&mut self, risks: &[DeviceRiskSummary]) {
        let current: BTreeMap<&DeviceId, &DeviceRiskSummary> = risks
            .iter()
            .filter(|r| self.admitted.contains_key(&r.id))
            .map(|r| (&r.id, r))
            .collect();
        let gone: Vec<DeviceId> = self
            .risked
            .iter()
            .filter(|id| !current.contains_key(id))
            .copied()
            .collect();
        for id in gone {
            self.remove_risk(&id);
        }
        let f = &self.families;
        for (id, r) in current {
            let label = device_label(id);
            let device = [label.as_str()];
            f.advisories
                .with_label_values(&device)
                .set(i64::from(r.advisories));
            f.highest_cvss
                .with_label_values(&device)
                .set(score_0_to_10(r.highest_cvss));
            f.known_exploited
                .with_label_values(&device)
                .set(i64::from(r.known_exploited));
            f.risk.with_label_values(&device).set(score_0_to_10(r.risk));
            self.risked.insert(*id);
        }
    }

    /// Counts one alert of an admitted device (alerts of other devices have no series).
    pub(super) fn count_alert(&mut self, id: &DeviceId, severity: Severity) {
        if self.admitted.contains_key(id) {
            let label = device_label(id);
            self.families
                .alerts
                .with_label_values(&[label.as_str(), severity.name()])
                .inc();
            self.alerted.insert(*id);
        }
    }

    fn remove_risk(&mut self, id: &DeviceId) {
        if self.risked.remove(id) {
            let label = device_label(id);
            let device = [label.as_str()];
            let f = &self.families;
            let _ = f.advisories.remove_label_values(&device);
            let _ = f.highest_cvss.remove_label_values(&device);
            let _ = f.known_exploited.remove_label_values(&device);
            let _ = f.risk.remove_label_values(&device);
        }
    }

    fn forget(&mut self, id: &DeviceId) {
        if let Some(labels) = self.admitted.remove(id) {
            let _ = self.families.info.remove_label_values(&label_refs(&labels));
        }
        let label = device_label(id);
        if self.scored.remove(id) {
            let _ = self.families.score.remove_label_values(&[label.as_str()]);
        }
        self.remove_risk(id);
        if self.alerted.remove(id) {
            for severity in Severity::ALL {
                let _ = self
                    .families
                    .alerts
                    .remove_label_values(&[label.as_str(), severity.name()]);
            }
        }
    }

    /// Devices with series now.
    #[cfg(test)]
    pub(super) fn admitted_count(&self) -> usize {
        self.admitted.len()
    }
}

/// A score on the CVSS scale: clamped to 0..10, 0 when not a number.
fn score_0_to_10(value: f64) -> f64 {
    if value.is_finite() {
        value.clamp(0.0, 10.0)
    } else {
        0.0
    }
}

fn label_refs<const N: usize>(labels: &[String; N]) -> [&str; N] {
    labels.each_ref().map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_labels_are_short_stable_hex() {
        let id: DeviceId = "00:09:fb:00:00:01".parse().unwrap();
        let label = device_label(&id);
        assert_eq!(label.len(), 13);
        assert!(label.starts_with('d'));
        assert!(label[1..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(label, device_label(&id));
        assert_ne!(label, device_label(&"10.0.0.1".parse().unwrap()));
        assert_eq!(device_label(&"10.0.0.1".parse().unwrap()), "d0f996ee6ebe6");
    }
}
