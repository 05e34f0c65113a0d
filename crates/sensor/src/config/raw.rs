//! The `wardwatch run` configuration file as written by people: serde structs with every key
//! defaulted and unknown keys refused. Nothing here is validated; [`super::Config::from_raw`]
//! turns a [`RawConfig`] into the typed, checked [`super::Config`].
//!
//! The defaults below are the documented defaults: `wardwatch.example.toml` lists every key
//! with these values and a test checks that the two agree.

use serde::{Deserialize, Serialize};
use wardwatch_baseline::DetectorConfig;
use wardwatch_baseline::rate_limit::RateLimitConfig;
use wardwatch_baseline::rules;

/// Default libpcap snapshot length: headers plus the first few hundred payload bytes that carry
/// identification evidence (DHCP options, TLS ClientHello start, DICOM A-ASSOCIATE, HL7 MSH).
pub const DEFAULT_SNAPLEN: u32 = 512;
/// Default metrics listen address: loopback only.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:9917";

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// Where packets come from.
    pub capture: RawCapture,
    /// Settings mirrored into the flow pipeline.
    pub pipeline: RawPipeline,
    /// The model set.
    pub models: RawModels,
    /// Alert sinks and alert policy.
    pub alerts: RawAlerts,
    /// The Prometheus endpoint.
    pub metrics: RawMetrics,
    /// Persistent state.
    pub state: RawState,
    /// Privilege drop after opening a live capture.
    pub privileges: RawPrivileges,
    /// Subnet or VLAN to site and ward names.
    pub locations: Vec<RawLocation>,
    /// Inventory and feature-log output files.
    pub outputs: RawOutputs,
    /// The rules' thresholds and the detector's caps.
    pub detector: RawDetector,
}

/// `[capture]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawCapture {
    /// Live interface name; empty for none.
    pub interface: String,
    /// BPF filter expression; empty for none.
    pub filter: String,
    /// Bytes kept per packet.
    pub snaplen: u32,
    /// Put the interface in promiscuous mode.
    pub promiscuous: bool,
    /// libpcap kernel buffer size in MiB (live only).
    pub buffer_mib: u32,
    /// pcap/pcapng file to replay; empty for none.
    pub replay: String,
    /// Replay pace as a multiple of packet time; 0 = as fast as possible.
    pub replay_speed: f64,
    /// Packets the capture-to-pipeline queue holds.
    pub queue_capacity: u32,
}

impl Default for RawCapture {
    fn default() -> Self {
        RawCapture {
            interface: String::new(),
            filter: String::new(),
            snaplen: DEFAULT_SNAPLEN,
            promiscuous: true,
            buffer_mib: 32,
            replay: String::new(),
            replay_speed: 0.0,
            queue_capacity: 8192,
        }
    }
}

/// `[pipeline]`: plain mirrors of the flow pipeline's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPipeline {
    /// Feature window length, seconds of packet time.
    pub window_secs: u64,
    /// CIDR networks whose stations are devices (the rest are peers).
    pub internal_networks: Vec<String>,
    /// Minimum identification confidence for a model match (0..1].
    pub identification_threshold: f64,
    /// `[pipeline.flow_table]`.
    pub flow_table: RawFlowTable,
    /// `[pipeline.devices]`.
    pub devices: RawDevices,
}

/// The internal networks by default: RFC 1918, RFC 4193, IPv4 and IPv6 link-local.
pub fn default_internal_networks() -> Vec<String> {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

impl Default for RawPipeline {
    fn default() -> Self {
        RawPipeline {
            window_secs: 60,
            internal_networks: default_internal_networks(),
            identification_threshold: 0.7,
            flow_table: RawFlowTable::default(),
            devices: RawDevices::default(),
        }
    }
}

/// `[pipeline.flow_table]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawFlowTable {
    /// Most flows tracked at once.
    pub max_flows: u32,
    /// Idle timeout of an established TCP flow, seconds.
    pub tcp_idle_secs: u64,
    /// Timeout of a TCP flow that never completed its handshake, seconds.
    pub tcp_half_open_secs: u64,
    /// Idle timeout of a UDP flow, seconds.
    pub udp_idle_secs: u64,
    /// Idle timeout of an ICMP flow, seconds.
    pub icmp_idle_secs: u64,
    /// Idle timeout of other IP protocols, seconds.
    pub other_idle_secs: u64,
}

impl Default for RawFlowTable {
    fn default() -> Self {
        RawFlowTable {
            max_flows: 262_144,
            tcp_idle_secs: 300,
            tcp_half_open_secs: 5,
            udp_idle_secs: 60,
            icmp_idle_secs: 30,
            other_idle_secs: 60,
        }
    }
}

/// `[pipeline.devices]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDevices {
    /// Most established devices (bidirectional traffic seen) tracked.
    pub max_established: u32,
    /// Most not-yet-established stations tracked (evicted first under pressure).
    pub max_tentative: u32,
}

impl Default for RawDevices {
    fn default() -> Self {
        RawDevices {
            max_established: 16_384,
            max_tentative: 4_096,
        }
    }
}

/// `[models]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawModels {
    /// Reference data directory: `catalog.toml`, `oui.tsv`, `advisories.toml`, `declared/`.
    pub dir: String,
    /// Model store of trained profiles; empty: `<dir>/default`.
    pub store: String,
}

impl Default for RawModels {
    fn default() -> Self {
        RawModels {
            dir: "models".into(),
            store: String::new(),
        }
    }
}

/// `[alerts]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawAlerts {
    /// JSON-lines alert file; `-` for standard output, empty for none.
    pub file: String,
    /// Alerts of one kind about one device are sent at most once per this many seconds.
    pub suppression_secs: u64,
    /// Most alerts sent per minute across all devices (the rest are counted and summarised).
    pub max_per_minute: u32,
    /// Seconds after a first start (no state to resume) during which devices that appear are
    /// the starting inventory, not `new_device` alerts.
    pub discovery_secs: u64,
    /// Alerts each sink buffers while it is slow or down (oldest dropped beyond).
    pub queue_capacity: u32,
    /// Site allow-list (TOML, `[[allow]]` entries); empty: none.
    pub allowlist: String,
    /// `[alerts.alertmanager]`.
    pub alertmanager: RawAlertmanager,
}

impl Default for RawAlerts {
    fn default() -> Self {
        RawAlerts {
            file: "-".into(),
            suppression_secs: 3600,
            max_per_minute: 100,
            discovery_secs: 1800,
            queue_capacity: 1024,
            allowlist: String::new(),
            alertmanager: RawAlertmanager::default(),
        }
    }
}

/// `[alerts.alertmanager]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawAlertmanager {
    /// Alertmanager base URLs (`http://host:9093`); every alert goes to each. Empty: disabled.
    pub urls: Vec<String>,
    /// Timeout of one POST, seconds.
    pub timeout_secs: u64,
    /// First retry delay after a failed POST, milliseconds (doubles up to `max_backoff_secs`).
    pub initial_backoff_ms: u64,
    /// Longest retry delay, seconds.
    pub max_backoff_secs: u64,
    /// Most alerts per POST.
    pub batch_size: u32,
    /// `generatorURL` sent with each alert (e.g. a dashboard link); empty: omitted.
    pub generator_url: String,
}

impl Default for RawAlertmanager {
    fn default() -> Self {
        RawAlertmanager {
            urls: Vec::new(),
            timeout_secs: 10,
            initial_backoff_ms: 500,
            max_backoff_secs: 60,
            batch_size: 64,
            generator_url: String::new(),
        }
    }
}

/// `[metrics]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawMetrics {
    /// Listen address (`host:port`) of `/metrics`, `/healthz`, `/readyz`.
    pub listen: String,
    /// Concurrent `/metrics` requests served; more get 503.
    pub max_in_flight: u32,
    /// Open connections accepted; more are closed at once.
    pub max_connections: u32,
    /// Most devices with per-device series (`wardwatch_device_info`, `wardwatch_device_anomaly_score`).
    pub max_device_series: u32,
    /// Seconds a client has to send its request headers.
    pub header_read_timeout_secs: u64,
}

impl Default for RawMetrics {
    fn default() -> Self {
        RawMetrics {
            listen: DEFAULT_METRICS_LISTEN.into(),
            max_in_flight: 40,
            max_connections: 128,
            max_device_series: 4096,
            header_read_timeout_secs: 5,
        }
    }
}

/// `[state]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawState {
    /// State directory (snapshots); empty: no state is kept across restarts.
    pub dir: String,
    /// Seconds between state snapshots (one is also written at exit).
    pub snapshot_interval_secs: u64,
}

impl Default for RawState {
    fn default() -> Self {
        RawState {
            dir: String::new(),
            snapshot_interval_secs: 300,
        }
    }
}

/// `[privileges]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPrivileges {
    /// User to become after opening a live capture as root; empty: stay root (explicit).
    pub user: String,
    /// Group to become; empty: the user's primary group.
    pub group: String,
}

impl Default for RawPrivileges {
    fn default() -> Self {
        RawPrivileges {
            user: "wardwatch".into(),
            group: String::new(),
        }
    }
}

/// One `[[locations]]` entry: a subnet or a VLAN, and where it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawLocation {
    /// CIDR subnet (give this or `vlan`).
    pub subnet: Option<String>,
    /// 802.1Q VLAN id (give this or `subnet`).
    pub vlan: Option<u16>,
    /// Site (hospital, building) name.
    pub site: String,
    /// Ward or department name.
    pub ward: String,
}

/// `[outputs]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawOutputs {
    /// Inventory JSON file, rewritten atomically; empty: none.
    pub inventory: String,
    /// Feature log (JSON lines, one device window a line) for retraining; empty: none.
    pub features: String,
}

/// `[detector]`: every rule's thresholds and the detector's caps (docs/detection.md, section
/// 4). The suppression interval, the alert rate and the discovery period are `[alerts]` keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDetector {
    /// Seconds after a device first appears before its windows are compared with a profile.
    pub warmup_secs: u64,
    /// Device classes whose alerts are raised one severity level.
    pub patient_care_classes: Vec<String>,
    /// Devices whose detector state is kept.
    pub max_tracked_devices: usize,
    /// (device, kind) pairs remembered for suppression.
    pub max_suppression_entries: usize,
    /// Operator device states kept.
    pub max_device_states: usize,
    /// `[detector.rate_limit]` (the rate itself is `alerts.max_per_minute`).
    pub rate_limit: RawRateLimit,
    /// `[detector.scan]`.
    pub scan: rules::scan::ScanConfig,
    /// `[detector.lateral]`.
    pub lateral: rules::lateral::LateralConfig,
    /// `[detector.brute_force]`.
    pub brute_force: rules::brute_force::BruteForceConfig,
    /// `[detector.beaconing]`.
    pub beaconing: rules::beaconing::BeaconConfig,
    /// `[detector.exfiltration]`.
    pub exfiltration: rules::exfiltration::ExfilConfig,
    /// `[detector.novelty]`.
    pub novelty: rules::novelty::NoveltyConfig,
    /// `[detector.remote_access]`.
    pub remote_access: rules::remote_access::RemoteAccessConfig,
    /// `[detector.address]`.
    pub address: rules::address::AddressConfig,
    /// `[detector.anomaly]`.
    pub anomaly: rules::anomaly::AnomalyConfig,
}

/// `[detector.rate_limit]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawRateLimit {
    /// Alerts that may go out at once.
    pub burst: u32,
    /// Fraction of the bucket reserved for alerts about established or known devices.
    pub reserve_fraction: f64,
    /// Seconds of one storm-summary interval.
    pub storm_interval_secs: u64,
}

impl Default for RawDetector {
    fn default() -> Self {
        let d = DetectorConfig::default();
        RawDetector {
            warmup_secs: d.warmup_secs,
            patient_care_classes: d.patient_care_classes,
            max_tracked_devices: d.max_tracked_devices,
            max_suppression_entries: d.max_suppression_entries,
            max_device_states: d.max_device_states,
            rate_limit: RawRateLimit {
                burst: d.rate_limit.burst,
                reserve_fraction: d.rate_limit.reserve_fraction,
                storm_interval_secs: d.rate_limit.storm_interval_secs,
            },
            scan: d.scan,
            lateral: d.lateral,
            brute_force: d.brute_force,
            beaconing: d.beaconing,
            exfiltration: d.exfiltration,
            novelty: d.novelty,
            remote_access: d.remote_access,
            address: d.address,
            anomaly: d.anomaly,
        }
    }
}

impl Default for RawRateLimit {
    fn default() -> Self {
        RawDetector::default().rate_limit
    }
}

impl RawDetector {
    /// The section as a detector configuration; the suppression interval, alert rate and
    /// discovery period keep their defaults here (`engine::detector_config` sets them from
    /// `[alerts]`).
    pub fn detector_config(&self) -> DetectorConfig {
        let defaults = DetectorConfig::default();
        DetectorConfig {
            suppression_secs: defaults.suppression_secs,
            warmup_secs: self.warmup_secs,
            discovery_secs: defaults.discovery_secs,
            rate_limit: RateLimitConfig {
                burst: self.rate_limit.burst,
                per_minute: defaults.rate_limit.per_minute,
                reserve_fraction: self.rate_limit.reserve_fraction,
                storm_interval_secs: self.rate_limit.storm_interval_secs,
            },
            patient_care_classes: self.patient_care_classes.clone(),
            max_tracked_devices: self.max_tracked_devices,
            max_suppression_entries: self.max_suppression_entries,
            max_device_states: self.max_device_states,
            scan: self.scan.clone(),
            lateral: self.lateral.clone(),
            brute_force: self.brute_force.clone(),
            beaconing: self.beaconing.clone(),
            exfiltration: self.exfiltration.clone(),
            novelty: self.novelty.clone(),
            remote_access: self.remote_access.clone(),
            address: self.address.clone(),
            anomaly: self.anomaly.clone(),
        }
    }
}
