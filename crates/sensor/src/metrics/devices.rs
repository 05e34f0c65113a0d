//! Device-count gauges and the capped per-device series.
//!
//! Per-device series (`wardwatch_device_info`, `wardwatch_device_anomaly_score`) exist only for
//! established devices and at most `max_device_series` of them; the `device` label is a short
//! stable id derived from the device key ([`device_label`]), never the MAC or IP itself, so a
//! label value cannot carry attacker-chosen text. Devices beyond the cap are refused (counted
//! in `wardwatch_device_series_refused_total`) until a series slot frees up.

use super::labels::{DeviceState, LabelPolicy};
use prometheus::{GaugeVec, IntCounter, IntGaugeVec};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashSet};
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

/// The families this module maintains, and what it remembers between updates.
pub(super) struct DeviceSeries {
    pub(super) devices: IntGaugeVec,
    pub(super) info: IntGaugeVec,
    pub(super) score: GaugeVec,
    pub(super) refused_total: IntCounter,
    cap: usize,
    admitted: BTreeMap<DeviceId, InfoLabels>,
    scored: BTreeSet<DeviceId>,
    refused: HashSet<DeviceId>,
    counted: BTreeSet<[String; 3]>,
}

impl DeviceSeries {
    pub(super) fn new(
        devices: IntGaugeVec,
        info: IntGaugeVec,
        score: GaugeVec,
        refused_total: IntCounter,
        cap: usize,
    ) -> Self {
        DeviceSeries {
            devices,
            info,
            score,
            refused_total,
            cap,
            admitted: BTreeMap::new(),
            scored: BTreeSet::new(),
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
            let _ = self.devices.remove_label_values(&label_refs(stale));
        }
        for (key, count) in &counts {
            self.devices.with_label_values(&label_refs(key)).set(*count);
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
                let _ = self.info.remove_label_values(&label_refs(old));
                self.info.with_label_values(&label_refs(&labels)).set(1);
                self.admitted.insert(device.id, labels);
            }
            None if self.admitted.len() < self.cap => {
                self.info.with_label_values(&label_refs(&labels)).set(1);
                self.admitted.insert(device.id, labels);
                self.refused.remove(&device.id);
            }
            None => {
                if !self.refused.contains(&device.id) {
                    self.refused_total.inc();
                }
                return;
            }
        }
        let short = device_label(&device.id);
        match device.anomaly_score.filter(|s| s.is_finite()) {
            Some(score) => {
                self.score.with_label_values(&[short.as_str()]).set(score);
                self.scored.insert(device.id);
            }
            None => {
                if self.scored.remove(&device.id) {
                    let _ = self.score.remove_label_values(&[short.as_str()]);
                }
            }
        }
    }

    fn forget(&mut self, id: &DeviceId) {
        if let Some(labels) = self.admitted.remove(id) {
            let _ = self.info.remove_label_values(&label_refs(&labels));
        }
        if self.scored.remove(id) {
            let _ = self.score.remove_label_values(&[device_label(id).as_str()]);
        }
    }

    /// Devices with series now.
    #[cfg(test)]
    pub(super) fn admitted_count(&self) -> usize {
        self.admitted.len()
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
