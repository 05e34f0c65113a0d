//! ARP spoofing and IP–MAC conflicts (from `Event::AddressConflict`): a second MAC claiming an
//! address. Impersonating the gateway or an infrastructure server (DNS, DHCP, NTP) is how
//! traffic is redirected through an attacker, so it alerts on the first claim at high severity;
//! an ordinary address needs repeated claims (a single move is usually a DHCP reassignment).

use super::DeviceInfo;
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;
use wardwatch_flow::{MacAddr, Timestamp};

/// Address-conflict thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AddressConfig {
    /// Claims by the new MAC before an ordinary address alerts.
    pub min_claims: u32,
    /// Claims before a gateway or infrastructure address alerts.
    pub infrastructure_min_claims: u32,
}

impl Default for AddressConfig {
    fn default() -> Self {
        AddressConfig {
            min_claims: 3,
            infrastructure_min_claims: 1,
        }
    }
}

/// One address conflict as the rule sees it.
pub(crate) struct Conflict {
    pub ts: Timestamp,
    pub ip: IpAddr,
    pub previous_mac: MacAddr,
    pub new_mac: MacAddr,
    pub infrastructure: bool,
    pub claims: u32,
}

/// Judges an address conflict; `claimer` is what the detector knows about the new MAC.
pub(crate) fn conflict(
    c: &Conflict,
    claimer: Option<&DeviceInfo>,
    cfg: &AddressConfig,
) -> Option<Alert> {
    let need = if c.infrastructure {
        cfg.infrastructure_min_claims
    } else {
        cfg.min_claims
    };
    if c.claims < need.max(1) {
        return None;
    }
    let mut device = explain::mac_device(c.new_mac, Some(c.ip));
    device.model = claimer.and_then(|i| i.model.clone());
    let label = explain::device_label(&device, claimer.and_then(|i| i.class.as_deref()));
    let (severity, text) = if c.infrastructure {
        (
            Severity::High,
            format!(
                "{label} claims {}, the address of a gateway or infrastructure server held by {} ({} claims): \
                 devices that trust this address may now send their traffic through it (ARP spoofing, man in the middle). \
                 Find the switch port of {} and disconnect it.",
                c.ip, c.previous_mac, c.claims, c.new_mac
            ),
        )
    } else {
        (
            Severity::Medium,
            format!(
                "{label} claims {}, which {} held before ({} claims): an IP address conflict or ARP spoofing. \
                 Check which of the two devices should have the address.",
                c.ip, c.previous_mac, c.claims
            ),
        )
    };
    let mut evidence = BTreeMap::new();
    evidence.insert("previous_mac".to_owned(), c.previous_mac.to_string());
    evidence.insert("new_mac".to_owned(), c.new_mac.to_string());
    evidence.insert("claims".to_owned(), c.claims.to_string());
    evidence.insert("infrastructure".to_owned(), c.infrastructure.to_string());
    Some(Alert {
        ts: c.ts,
        kind: AlertKind::ArpSpoofing,
        severity,
        device,
        peers: vec![AlertPeer {
            ip: c.ip,
            port: None,
        }],
        peers_total: 1,
        explanation: explain::bound_explanation(text),
        features: Vec::new(),
        evidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::mac;

    fn c(infrastructure: bool, claims: u32) -> Conflict {
        Conflict {
            ts: Timestamp::from_secs(10),
            ip: "10.0.0.1".parse().unwrap(),
            previous_mac: mac(1),
            new_mac: mac(66),
            infrastructure,
            claims,
        }
    }

    #[test]
    fn thresholds_and_severity() {
        let cfg = AddressConfig::default();
        assert!(conflict(&c(false, 2), None, &cfg).is_none());
        let a = conflict(&c(false, 3), None, &cfg).unwrap();
        assert_eq!(a.severity, Severity::Medium);
        assert!(conflict(&c(true, 0), None, &cfg).is_none());
        let g = conflict(&c(true, 1), None, &cfg).unwrap();
        assert_eq!(g.severity, Severity::High);
        assert_eq!(g.device.mac, Some(mac(66)));
        assert!(g.explanation.starts_with(
            "unidentified device 02:00:00:00:00:42 (10.0.0.1) claims 10.0.0.1, the address of a gateway or infrastructure server held by 02:00:00:00:00:01 (1 claims)"
        ), "{}", g.explanation);
    }
}
