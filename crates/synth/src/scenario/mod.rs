//! Attack scenarios: their kinds, the ground truth each one writes to `ward.labels.jsonl`, the
//! planning of attackers, victims and times from the seed, and the traffic they inject.

mod choose;
pub mod plan;
mod run;
mod scans;
mod sessions;

pub use plan::{Plan, plan};
pub use run::{Effect, Run, Step};

use crate::error::SynthError;

/// The kinds of attack the ward can stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScenarioKind {
    /// A compromised workstation moving laterally (PsExec over SMB, RDP, WinRM).
    LateralMovement,
    /// A compromised infusion pump scanning internal hosts and ports.
    PumpScan,
    /// A Mirai-like camera scanning random addresses on telnet ports.
    TelnetScan,
    /// A patient monitor beaconing to a command-and-control server.
    Beaconing,
    /// Images leaving the hospital over DICOM to an external address.
    DicomExfiltration,
    /// Inbound remote-access session from outside to a modality at night.
    VendorRemoteAccess,
    /// A station claiming the gateway's address with gratuitous ARP replies.
    ArpSpoofing,
    /// A device whose firmware version and behaviour change mid-capture.
    FirmwareChange,
    /// An unknown device joining and scanning.
    RogueDevice,
    /// Many short SSH connections guessing passwords on one host.
    SshBruteForce,
}

impl ScenarioKind {
    /// Every kind, in label-file order.
    pub const ALL: [ScenarioKind; 10] = [
        ScenarioKind::LateralMovement,
        ScenarioKind::PumpScan,
        ScenarioKind::TelnetScan,
        ScenarioKind::Beaconing,
        ScenarioKind::DicomExfiltration,
        ScenarioKind::VendorRemoteAccess,
        ScenarioKind::ArpSpoofing,
        ScenarioKind::FirmwareChange,
        ScenarioKind::RogueDevice,
        ScenarioKind::SshBruteForce,
    ];

    /// The snake_case name used on the command line and in labels.
    pub fn name(self) -> &'static str {
        match self {
            ScenarioKind::LateralMovement => "lateral_movement",
            ScenarioKind::PumpScan => "pump_scan",
            ScenarioKind::TelnetScan => "telnet_scan",
            ScenarioKind::Beaconing => "beaconing",
            ScenarioKind::DicomExfiltration => "dicom_exfiltration",
            ScenarioKind::VendorRemoteAccess => "vendor_remote_access",
            ScenarioKind::ArpSpoofing => "arp_spoofing",
            ScenarioKind::FirmwareChange => "firmware_change",
            ScenarioKind::RogueDevice => "rogue_device",
            ScenarioKind::SshBruteForce => "ssh_brute_force",
        }
    }

    /// The kind with this name.
    pub fn from_name(name: &str) -> Option<ScenarioKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Alert kinds (wardwatch-baseline `AlertKind` names) a detector is expected to raise.
    pub fn expected_alerts(self) -> &'static [&'static str] {
        match self {
            ScenarioKind::LateralMovement => &["lateral_movement", "new_service"],
            ScenarioKind::PumpScan => &["host_scan", "port_scan", "new_service"],
            ScenarioKind::TelnetScan => &["host_scan", "new_external_destination", "new_service"],
            ScenarioKind::Beaconing => &["beaconing", "new_external_destination"],
            ScenarioKind::DicomExfiltration => &["exfiltration", "new_external_destination"],
            ScenarioKind::VendorRemoteAccess => &["remote_access"],
            ScenarioKind::ArpSpoofing => &["arp_spoofing"],
            ScenarioKind::FirmwareChange => {
                &["identity_change", "new_service", "new_external_destination"]
            }
            ScenarioKind::RogueDevice => &["new_device", "arp_scan", "host_scan", "port_scan"],
            ScenarioKind::SshBruteForce => &["brute_force"],
        }
    }
}

/// Parses `--scenarios`: `all`, `none`, or a comma-separated list of kind names.
pub fn parse_list(text: &str) -> Result<Vec<ScenarioKind>, SynthError> {
    match text.trim() {
        "all" => return Ok(ScenarioKind::ALL.to_vec()),
        "none" | "" => return Ok(Vec::new()),
        _ => {}
    }
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let kind = ScenarioKind::from_name(part).ok_or_else(|| SynthError::Param {
            flag: "--scenarios",
            reason: format!(
                "unknown scenario {part:?}; use all, none or a list of: {}",
                ScenarioKind::ALL.map(ScenarioKind::name).join(", ")
            ),
        })?;
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_lists_parse() {
        for k in ScenarioKind::ALL {
            assert_eq!(ScenarioKind::from_name(k.name()), Some(k));
        }
        assert_eq!(parse_list("all").unwrap().len(), 10);
        assert!(parse_list("none").unwrap().is_empty());
        assert_eq!(
            parse_list("telnet_scan, beaconing,telnet_scan").unwrap(),
            vec![ScenarioKind::TelnetScan, ScenarioKind::Beaconing]
        );
        let err = parse_list("beaconing,nope").unwrap_err().to_string();
        assert!(err.contains("--scenarios") && err.contains("nope"), "{err}");
    }

    #[test]
    fn expected_alerts_are_baseline_alert_kinds() {
        for k in ScenarioKind::ALL {
            for name in k.expected_alerts() {
                assert!(
                    wardwatch_baseline::alert::AlertKind::from_name(name).is_some(),
                    "{name}"
                );
            }
        }
    }
}
