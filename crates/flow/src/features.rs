//! The named, versioned feature list: one vector per device per window. Model files record
//! [`FEATURE_SCHEMA_VERSION`]; changing the list (order, meaning or units) bumps it.

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Version of the feature list below. Model files trained on another version are refused.
pub const FEATURE_SCHEMA_VERSION: u32 = 1;

macro_rules! features {
    ($( $variant:ident = $name:literal, $unit:literal, $doc:literal; )*) => {
        /// One feature of a device window. The discriminant is the index into [`FeatureVector`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(usize)]
        pub enum Feature {
            $( #[doc = $doc] $variant, )*
        }

        /// Every feature, in vector order, with its name, unit and meaning.
        pub const FEATURES: &[FeatureDef] = &[
            $( FeatureDef { feature: Feature::$variant, name: $name, unit: $unit, doc: $doc }, )*
        ];
    };
}

/// Name, unit and meaning of one feature (the table docs/features.md is generated from).
#[derive(Clone, Copy, Debug)]
pub struct FeatureDef {
    /// The feature.
    pub feature: Feature,
    /// snake_case name used in feature logs, model files and explanations.
    pub name: &'static str,
    /// Unit of the value.
    pub unit: &'static str,
    /// What the value counts.
    pub doc: &'static str,
}

features! {
    PacketsOut = "packets_out", "packets", "Packets sent by the device.";
    PacketsIn = "packets_in", "packets", "Packets received by the device (unicast to it).";
    BytesOut = "bytes_out", "bytes", "Bytes sent by the device (wire length).";
    BytesIn = "bytes_in", "bytes", "Bytes received by the device (wire length).";
    FlowsInitiated = "flows_initiated", "flows", "Flows the device started.";
    FlowsAccepted = "flows_accepted", "flows", "Flows other hosts started to the device.";
    InternalPeers = "internal_peers", "hosts", "Distinct internal peers the device talked to.";
    ExternalPeers = "external_peers", "hosts", "Distinct external peers the device talked to.";
    DstPorts = "dst_ports", "ports", "Distinct destination ports of flows the device started.";
    FailedConnections = "failed_connections", "flows", "Flows the device started that failed: SYN without SYN-ACK, RST to SYN, ICMP unreachable.";
    FailedTargets = "failed_targets", "hosts", "Distinct hosts with a failed connection from the device.";
    NewPeers = "new_peers", "hosts", "Peers never seen in the device's history before this window (0 in the device's first hour, when everything is new).";
    NewPorts = "new_ports", "ports", "Destination ports never seen in the device's history before this window (0 in the device's first hour).";
    DnsQueries = "dns_queries", "queries", "DNS queries the device sent.";
    DnsNxdomain = "dns_nxdomain", "responses", "NXDOMAIN answers the device received.";
    AdminSmb = "admin_smb", "flows", "Flows started to internal peers on SMB (445).";
    AdminRdp = "admin_rdp", "flows", "Flows started to internal peers on RDP (3389).";
    AdminSsh = "admin_ssh", "flows", "Flows started to internal peers on SSH (22).";
    AdminTelnet = "admin_telnet", "flows", "Flows started to internal peers on Telnet (23, 2323).";
    AdminWinrm = "admin_winrm", "flows", "Flows started to internal peers on WinRM (5985, 5986).";
    AdminVnc = "admin_vnc", "flows", "Flows started to internal peers on VNC (5900).";
    AdminRpc = "admin_rpc", "flows", "Flows started to internal peers on MS-RPC endpoint mapper (135).";
    AdminNetbios = "admin_netbios", "flows", "Flows started to internal peers on NetBIOS session (139).";
    AdminTargets = "admin_targets", "hosts", "Distinct internal peers reached on any administrative port.";
    RemoteExec = "remote_exec", "events", "Remote-execution evidence: SMB pipes svcctl/atsvc/winreg/samr, DCE-RPC binds to them, DCOM/WMI activation.";
    ArpRequests = "arp_requests", "packets", "ARP requests the device sent.";
    ArpTargets = "arp_targets", "hosts", "Distinct IP addresses the device asked for by ARP.";
    IcmpEchoTargets = "icmp_echo_targets", "hosts", "Distinct hosts the device sent ICMP echo requests to.";
    BytesToExternal = "bytes_to_external", "bytes", "Bytes the device sent to external peers.";
    Periodicity = "periodicity", "score", "Highest regularity score (0..1) of repeated connections from the device to one destination.";
    InboundExternal = "inbound_external", "flows", "Flows started by external hosts to the device.";
    InboundRemoteAccess = "inbound_remote_access", "flows", "Flows to the device on remote-access ports (RDP, VNC, SSH, Telnet, TeamViewer, AnyDesk, pcAnywhere, Radmin).";
    BroadcastPackets = "broadcast_packets", "packets", "Broadcast and multicast packets the device sent.";
    MeanPacketSize = "mean_packet_size", "bytes", "Mean size of packets the device sent.";
}

/// Number of features in a vector.
pub const FEATURE_COUNT: usize = FEATURES.len();

impl Feature {
    /// The feature's snake_case name.
    pub fn name(self) -> &'static str {
        FEATURES.get(self as usize).map_or("unknown", |d| d.name)
    }
    /// Looks a feature up by name.
    pub fn from_name(name: &str) -> Option<Feature> {
        FEATURES.iter().find(|d| d.name == name).map(|d| d.feature)
    }
    /// The index of the feature in a vector.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One value per feature, in [`FEATURES`] order. Serialises as a name → value object.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureVector(pub [f64; FEATURE_COUNT]);

impl Default for FeatureVector {
    fn default() -> Self {
        FeatureVector([0.0; FEATURE_COUNT])
    }
}

impl FeatureVector {
    /// The value of one feature.
    pub fn get(&self, feature: Feature) -> f64 {
        self.0.get(feature.index()).copied().unwrap_or(0.0)
    }
    /// Sets the value of one feature.
    pub fn set(&mut self, feature: Feature, value: f64) {
        if let Some(slot) = self.0.get_mut(feature.index()) {
            *slot = value;
        }
    }
    /// Adds to the value of one feature.
    pub fn add(&mut self, feature: Feature, value: f64) {
        if let Some(slot) = self.0.get_mut(feature.index()) {
            *slot += value;
        }
    }
    /// The values as a slice in [`FEATURES`] order.
    pub fn as_slice(&self) -> &[f64] {
        &self.0
    }
}

impl Serialize for FeatureVector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(FEATURE_COUNT))?;
        for (def, value) in FEATURES.iter().zip(self.0.iter()) {
            map.serialize_entry(def.name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FeatureVector {
    /// Reads a name → value object; every feature must be present and no unknown name may appear,
    /// so a feature log of another schema version is refused rather than misread.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, f64>::deserialize(d)?;
        let mut out = FeatureVector::default();
        for (name, value) in &map {
            let feature = Feature::from_name(name).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown feature {name:?} (feature schema v{FEATURE_SCHEMA_VERSION})"
                ))
            })?;
            out.set(feature, *value);
        }
        if map.len() != FEATURE_COUNT {
            let missing: Vec<&str> = FEATURES
                .iter()
                .filter(|d| !map.contains_key(d.name))
                .map(|d| d.name)
                .collect();
            return Err(serde::de::Error::custom(format!(
                "missing features {missing:?} (feature schema v{FEATURE_SCHEMA_VERSION})"
            )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        const { assert!(FEATURE_COUNT >= 25) };
        for (i, def) in FEATURES.iter().enumerate() {
            assert_eq!(def.feature.index(), i, "{}", def.name);
            assert_eq!(Feature::from_name(def.name), Some(def.feature));
        }
    }

    #[test]
    fn json_round_trip_and_refusal() {
        let mut v = FeatureVector::default();
        v.set(Feature::AdminSmb, 3.0);
        let text = serde_json::to_string(&v).unwrap();
        assert!(text.starts_with(r#"{"packets_out":0.0,"#));
        let back: FeatureVector = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
        assert!(serde_json::from_str::<FeatureVector>(r#"{"packets_out":1.0}"#).is_err());
        let bad = text.replace("packets_out", "packets_sideways");
        assert!(serde_json::from_str::<FeatureVector>(&bad).is_err());
    }
}
