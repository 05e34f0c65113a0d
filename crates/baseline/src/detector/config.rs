//! Detector settings: every rule's thresholds, the suppression interval, the rate limit, the
//! patient-care classes and the state caps. TOML-friendly (`deny_unknown_fields`, defaults for
//! everything) with a `validate()` that names the offending key.

use crate::error::{BaselineError, check_range};
use crate::rate_limit::RateLimitConfig;
use crate::rules::address::AddressConfig;
use crate::rules::anomaly::AnomalyConfig;
use crate::rules::beaconing::BeaconConfig;
use crate::rules::brute_force::BruteForceConfig;
use crate::rules::exfiltration::ExfilConfig;
use crate::rules::lateral::LateralConfig;
use crate::rules::novelty::NoveltyConfig;
use crate::rules::remote_access::RemoteAccessConfig;
use crate::rules::scan::ScanConfig;
use serde::{Deserialize, Serialize};

/// Device classes whose alerts are one severity level higher (patient care).
pub const PATIENT_CARE_CLASSES: &[&str] = &[
    "infusion_pump",
    "syringe_pump",
    "pump_dock",
    "patient_monitor",
    "vitals_monitor",
    "ventilator",
    "central_station",
    "anesthesia_machine",
    "telemetry",
];

/// Everything the detector can be told.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// One alert per (device, kind) per this many seconds of packet time.
    pub suppression_secs: u64,
    /// Seconds of packet time after the detector first sees a device during which its windows
    /// are not compared with a learnt profile (statistical, peer-group and new-service checks):
    /// a device that boots or that the sensor starts watching mid-conversation shows DHCP, ARP
    /// and half windows that say nothing about its behaviour. Rules, and new-service checks
    /// against a manufacturer's declared profile, run regardless.
    pub warmup_secs: u64,
    /// Seconds of packet time after the first event the detector processes during which no
    /// `new_device` is raised: the devices on the network when a sensor starts without any
    /// inventory are its starting inventory (the inventory lists them as `new` for review), not
    /// joiners. A sensor that resumes from its state or is told the known devices ends the
    /// discovery at once ([`crate::Detector::end_discovery`]).
    pub discovery_secs: u64,
    /// Global rate limit.
    pub rate_limit: RateLimitConfig,
    /// Classes whose alerts are raised one severity level.
    pub patient_care_classes: Vec<String>,
    /// Devices whose state (scores, peer tracking, identity, new-device memory) is kept.
    pub max_tracked_devices: usize,
    /// (device, kind) pairs remembered for suppression.
    pub max_suppression_entries: usize,
    /// Caller-provided device states kept at most.
    pub max_device_states: usize,
    /// Scan rules.
    pub scan: ScanConfig,
    /// Lateral movement.
    pub lateral: LateralConfig,
    /// Brute force.
    pub brute_force: BruteForceConfig,
    /// Beaconing.
    pub beaconing: BeaconConfig,
    /// Exfiltration.
    pub exfiltration: ExfilConfig,
    /// New external destination / new service.
    pub novelty: NoveltyConfig,
    /// Vendor remote access.
    pub remote_access: RemoteAccessConfig,
    /// ARP spoofing / IP conflicts.
    pub address: AddressConfig,
    /// Statistical behaviour anomaly and peer group.
    pub anomaly: AnomalyConfig,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            suppression_secs: 3600,
            warmup_secs: 600,
            discovery_secs: 1800,
            rate_limit: RateLimitConfig::default(),
            patient_care_classes: PATIENT_CARE_CLASSES
                .iter()
                .map(|c| (*c).to_owned())
                .collect(),
            max_tracked_devices: 4096,
            max_suppression_entries: 65_536,
            max_device_states: 65_536,
            scan: ScanConfig::default(),
            lateral: LateralConfig::default(),
            brute_force: BruteForceConfig::default(),
            beaconing: BeaconConfig::default(),
            exfiltration: ExfilConfig::default(),
            novelty: NoveltyConfig::default(),
            remote_access: RemoteAccessConfig::default(),
            address: AddressConfig::default(),
            anomaly: AnomalyConfig::default(),
        }
    }
}

impl DetectorConfig {
    /// Checks every setting; the error names the key and the allowed range.
    pub fn validate(&self) -> Result<(), BaselineError> {
        self.rate_limit.validate()?;
        let caps = [
            ("max_tracked_devices", self.max_tracked_devices),
            ("max_suppression_entries", self.max_suppression_entries),
            ("max_device_states", self.max_device_states),
        ];
        for (field, v) in caps {
            if v == 0 || v > 10_000_000 {
                return Err(BaselineError::setting(
                    field,
                    format!("{v} is outside 1..=10000000"),
                ));
            }
        }
        check_range(
            "scan.profile_headroom",
            self.scan.profile_headroom,
            1.0,
            1000.0,
        )?;
        check_range(
            "lateral.fanout_headroom",
            self.lateral.fanout_headroom,
            1.0,
            1000.0,
        )?;
        check_range("beaconing.min_score", self.beaconing.min_score, 0.0, 1.0)?;
        check_range(
            "beaconing.internal_weight",
            self.beaconing.internal_weight,
            0.0,
            1.0,
        )?;
        check_range(
            "beaconing.min_interval_secs",
            self.beaconing.min_interval_secs,
            0.0,
            1e7,
        )?;
        check_range(
            "beaconing.max_interval_secs",
            self.beaconing.max_interval_secs,
            self.beaconing.min_interval_secs,
            1e7,
        )?;
        check_range(
            "exfiltration.profile_headroom",
            self.exfiltration.profile_headroom,
            1.0,
            1e6,
        )?;
        check_range(
            "exfiltration.min_bytes",
            self.exfiltration.min_bytes,
            0.0,
            1e15,
        )?;
        check_range(
            "exfiltration.unprofiled_bytes",
            self.exfiltration.unprofiled_bytes,
            1.0,
            1e15,
        )?;
        check_range(
            "exfiltration.clinical_external_bytes",
            self.exfiltration.clinical_external_bytes,
            1.0,
            1e15,
        )?;
        if self.discovery_secs > 604_800 {
            return Err(BaselineError::setting(
                "discovery_secs",
                format!("{} is outside 0..=604800", self.discovery_secs),
            ));
        }
        if self.warmup_secs > 86_400 {
            return Err(BaselineError::setting(
                "warmup_secs",
                format!("{} is outside 0..=86400", self.warmup_secs),
            ));
        }
        if self.anomaly.peer_span == 0 || self.anomaly.peer_span > 64 {
            return Err(BaselineError::setting(
                "anomaly.peer_span",
                "use 1..=64 windows",
            ));
        }
        if self.anomaly.peer_min_windows == 0
            || self.anomaly.peer_min_windows > self.anomaly.peer_span
        {
            return Err(BaselineError::setting(
                "anomaly.peer_min_windows",
                "use 1..=anomaly.peer_span",
            ));
        }
        if self.anomaly.top_features > 16 {
            return Err(BaselineError::setting("anomaly.top_features", "use 0..=16"));
        }
        if self.brute_force.min_connections == 0 {
            return Err(BaselineError::setting(
                "brute_force.min_connections",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_toml_round_trips() {
        let c = DetectorConfig::default();
        c.validate().unwrap();
        let text = toml::to_string(&c).unwrap();
        let back: DetectorConfig = toml::from_str(&text).unwrap();
        assert_eq!(back, c);
        let partial: DetectorConfig =
            toml::from_str("suppression_secs = 600\n[scan]\narp_scan_min_targets = 80\n").unwrap();
        assert_eq!(partial.suppression_secs, 600);
        assert_eq!(partial.scan.arp_scan_min_targets, 80);
        assert_eq!(partial.scan.port_scan_min_ports, 25);
        assert!(toml::from_str::<DetectorConfig>("[scan]\narp_scan_targets = 1\n").is_err());
        let bad = DetectorConfig {
            anomaly: AnomalyConfig {
                peer_min_windows: 20,
                ..AnomalyConfig::default()
            },
            ..DetectorConfig::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "setting anomaly.peer_min_windows: use 1..=anomaly.peer_span"
        );
    }
}
