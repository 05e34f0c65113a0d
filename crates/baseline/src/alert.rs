//! Alerts: the claims wardwatch makes, each with the device, the evidence and a sentence a
//! ward IT person can act on. The JSON form is the stable schema of the alert sinks.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use wardwatch_flow::{DeviceId, MacAddr, ModelId, Timestamp};

/// Most peers an alert lists; `peers_total` says how many there were.
pub const MAX_ALERT_PEERS: usize = 16;
/// Longest explanation kept (attacker-influenced text is truncated).
pub const MAX_EXPLANATION_LEN: usize = 1024;

macro_rules! kinds {
    ($( $variant:ident = $name:literal, $doc:literal; )*) => {
        /// What an alert claims. A fixed set, so it is safe as a metric label.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AlertKind {
            $( #[doc = $doc] $variant, )*
        }

        impl AlertKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [AlertKind] = &[ $( AlertKind::$variant, )* ];

            /// The snake_case name used in JSON, metrics and allow-lists.
            pub fn name(self) -> &'static str {
                match self { $( AlertKind::$variant => $name, )* }
            }

            /// Looks a kind up by its snake_case name.
            pub fn from_name(name: &str) -> Option<AlertKind> {
                match name { $( $name => Some(AlertKind::$variant), )* _ => None }
            }
        }
    };
}

kinds! {
    PortScan = "port_scan", "One device probing many ports of a host.";
    HostScan = "host_scan", "One device probing many internal hosts.";
    ArpScan = "arp_scan", "One device asking ARP for many addresses.";
    IcmpSweep = "icmp_sweep", "One device pinging many hosts.";
    LateralMovement = "lateral_movement", "Administrative protocols or remote execution towards internal hosts outside the profile.";
    BruteForce = "brute_force", "Many short connections to one authentication service.";
    Beaconing = "beaconing", "Regular repeated connections to one destination.";
    Exfiltration = "exfiltration", "Bytes to external peers far above the profile.";
    NewExternalDestination = "new_external_destination", "A model that never talks outside now does.";
    NewService = "new_service", "A protocol or port the model never uses.";
    RemoteAccess = "remote_access", "Inbound remote-desktop or remote-support access from outside or out of pattern.";
    ArpSpoofing = "arp_spoofing", "An address claimed by a second MAC (gateway impersonation, IP conflict).";
    IdentityChange = "identity_change", "An established device changed model, class or firmware version.";
    NewDevice = "new_device", "A device never seen before joined the network.";
    BehaviourAnomaly = "behaviour_anomaly", "Window statistics far outside the model's learnt profile.";
    AlertStorm = "alert_storm", "Summary of alerts suppressed by the global rate limit.";
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How urgent an alert is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For the record.
    Info,
    /// Look when convenient.
    Low,
    /// Look today.
    Medium,
    /// Look now.
    High,
    /// Patient-safety relevant; act now.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: &'static [Severity] = &[
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// One level more urgent (Critical stays Critical): used for patient-care device classes.
    pub fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }

    /// The snake_case name used in JSON and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The device an alert is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDevice {
    /// Device-table key.
    pub id: DeviceId,
    /// MAC address, when known.
    pub mac: Option<MacAddr>,
    /// IP address, when known.
    pub ip: Option<IpAddr>,
    /// Identified catalog model, if any.
    pub model: Option<ModelId>,
}

/// A peer involved in an alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertPeer {
    /// Peer address.
    pub ip: IpAddr,
    /// Service port, when one applies.
    pub port: Option<u16>,
}

/// A feature that deviated, with what normal looks like.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureDeviation {
    /// Feature name (see `wardwatch_flow::FEATURES`).
    pub name: String,
    /// Value in the alerting window.
    pub value: f64,
    /// Typical value for the profile (median).
    pub normal: f64,
    /// Robust z-score of the value against the profile.
    pub z: f64,
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Packet time of the evidence that raised the alert.
    pub ts: Timestamp,
    /// What is claimed.
    pub kind: AlertKind,
    /// How urgent.
    pub severity: Severity,
    /// The device the claim is about.
    pub device: AlertDevice,
    /// Peers involved (at most [`MAX_ALERT_PEERS`]).
    pub peers: Vec<AlertPeer>,
    /// Number of peers involved in all.
    pub peers_total: u32,
    /// One or two sentences a ward IT person can act on.
    pub explanation: String,
    /// Deviating features, furthest from normal first.
    pub features: Vec<FeatureDeviation>,
    /// Named facts behind the claim (counts, ports, versions, thresholds, baseline maturity).
    pub evidence: BTreeMap<String, String>,
}
