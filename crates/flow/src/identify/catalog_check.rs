//! The shipped catalog against itself: for every model, the evidence its `[model.emits]` puts on
//! the wire (templates expanded), a MAC from one of its OUIs, its services as served ports and
//! the device protocols its traffic shows must identify exactly that model, with the right
//! software version, and no other model may reach the threshold on it.

use super::{DEFAULT_THRESHOLD, Evidence, EvidenceSet, Identifier, OuiTable};
use crate::catalog::{Catalog, DeviceModel, EvidenceKind};
use crate::event::Transport;
use crate::ids::MacAddr;

/// Models whose nodes send the Unity/CARESCAPE heartbeat (no served port shows it).
const UNITY_NODES: [&str; 2] = ["ge-carescape-b450", "ge-cic-pro"];
const SAMPLE_SERIAL: &str = "40312877";
const SAMPLE_INDEX: &str = "007";

fn catalog() -> Catalog {
    Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap()
}

fn oui_table() -> OuiTable {
    OuiTable::parse(include_str!("../../../../models/oui.tsv")).unwrap()
}

fn expand(template: &str, version: &str) -> String {
    template
        .replace("{version}", version)
        .replace("{n}", SAMPLE_INDEX)
        .replace("{serial}", SAMPLE_SERIAL)
}

fn mac_from(prefix: &str) -> MacAddr {
    let mut octets: Vec<u8> = prefix
        .split(':')
        .map(|o| u8::from_str_radix(o, 16).unwrap())
        .collect();
    for filler in [0x12, 0x34, 0x56] {
        if octets.len() < 6 {
            octets.push(filler);
        }
    }
    MacAddr(octets.try_into().unwrap())
}

fn transport_name(proto: Transport) -> &'static str {
    match proto {
        Transport::Tcp => "tcp",
        Transport::Udp => "udp",
        Transport::Icmp => "icmp",
        Transport::Other => "other",
    }
}

/// The protocols a model's traffic shows: from its served ports, plus the Unity heartbeat.
fn protocols(model: &DeviceModel) -> Vec<&'static str> {
    let mut found = Vec::new();
    for service in &model.services {
        let name = match (service.proto, service.port) {
            (Transport::Udp, 24105) => "intellivue_export",
            (Transport::Udp, 47808) => "bacnet",
            (Transport::Tcp, 554) => "rtsp",
            (_, 5060) => "sip",
            _ => continue,
        };
        found.push(name);
    }
    if UNITY_NODES.contains(&model.id.as_str()) {
        found.push("ge_unity");
    }
    found
}

/// Everything a device of `model` running `version` shows on the wire.
pub(crate) fn emitted_evidence(model: &DeviceModel, version: &str) -> (MacAddr, EvidenceSet) {
    let emits = &model.emits;
    let mut items: Vec<(EvidenceKind, String)> = Vec::new();
    let mut text = |kind, template: &Option<String>| {
        if let Some(t) = template {
            items.push((kind, expand(t, version)));
        }
    };
    text(EvidenceKind::HttpUserAgent, &emits.http_user_agent);
    text(EvidenceKind::HttpServer, &emits.http_server);
    text(EvidenceKind::SsdpServer, &emits.ssdp_server);
    text(EvidenceKind::LldpSystemName, &emits.lldp_system_name);
    text(
        EvidenceKind::LldpSystemDescription,
        &emits.lldp_system_description,
    );
    text(EvidenceKind::CdpPlatform, &emits.cdp_platform);
    text(EvidenceKind::NetbiosName, &emits.netbios_name);
    text(EvidenceKind::SnmpSysDescr, &emits.snmp_sysdescr);
    if let Some(dhcp) = &emits.dhcp {
        text(EvidenceKind::DhcpHostname, &dhcp.hostname);
        text(EvidenceKind::DhcpVendorClass, &dhcp.vendor_class);
        if !dhcp.params.is_empty() {
            let params: Vec<String> = dhcp.params.iter().map(u8::to_string).collect();
            items.push((EvidenceKind::DhcpParams, params.join(",")));
        }
    }
    let serves_dicom = model
        .services
        .iter()
        .any(|s| s.proto == Transport::Tcp && matches!(s.port, 104 | 11112));
    if let Some(dicom) = &emits.dicom {
        let title = if serves_dicom {
            EvidenceKind::DicomCalledAe
        } else {
            EvidenceKind::DicomCallingAe
        };
        items.push((title, expand(&dicom.ae_title, version)));
        items.push((
            EvidenceKind::DicomImplClassUid,
            expand(&dicom.impl_class_uid, version),
        ));
        if let Some(name) = &dicom.impl_version {
            items.push((EvidenceKind::DicomImplVersion, expand(name, version)));
        }
    }
    if let Some(hl7) = &emits.hl7 {
        items.push((
            EvidenceKind::Hl7SendingApp,
            expand(&hl7.sending_app, version),
        ));
        if let Some(facility) = &hl7.sending_facility {
            items.push((EvidenceKind::Hl7SendingFacility, expand(facility, version)));
        }
        items.push((EvidenceKind::Hl7Version, hl7.version.clone()));
    }
    for sni in &emits.tls_sni {
        items.push((EvidenceKind::TlsSni, expand(sni, version)));
    }
    for service in &emits.mdns_services {
        items.push((EvidenceKind::MdnsService, expand(service, version)));
    }
    for txt in &emits.mdns_txt {
        items.push((EvidenceKind::MdnsTxt, expand(txt, version)));
    }
    for service in &model.services {
        let value = format!("{}/{}", transport_name(service.proto), service.port);
        items.push((EvidenceKind::ServedPort, value));
    }
    for protocol in protocols(model) {
        items.push((EvidenceKind::Protocol, protocol.to_owned()));
        if protocol == "intellivue_export" {
            // The MDS Create Event Report after each association: vendor, model name, version.
            let text = format!("{} {} {version}", model.vendor, model.name);
            items.push((EvidenceKind::IntellivueModel, text));
        }
    }
    let mac = mac_from(emits.oui.first().expect("every model emits an OUI"));
    let mut set = EvidenceSet::default();
    set.insert(Evidence::new(EvidenceKind::Mac, &mac.to_string()));
    for (kind, value) in items {
        set.insert(Evidence::new(kind, &value));
    }
    (mac, set)
}

#[test]
fn every_model_is_identified_from_what_it_emits() {
    let catalog = catalog();
    let identifier = Identifier::new(&catalog, &oui_table(), DEFAULT_THRESHOLD).unwrap();
    let mut failures = Vec::new();
    for model in &catalog.models {
        let has_version_rule = model.fingerprint.iter().any(|r| r.version);
        let versions = if model.software_versions.is_empty() {
            vec!["1.0".to_owned()]
        } else {
            model.software_versions.clone()
        };
        for version in &versions {
            let (mac, evidence) = emitted_evidence(model, version);
            let result = identifier.identify(Some(mac), &evidence);
            let got = result
                .identity
                .model
                .as_ref()
                .map(|m| m.as_str().to_owned());
            if got.as_deref() != Some(model.id.as_str()) || result.identity.confidence < 0.7 {
                failures.push(format!(
                    "{} {version}: identified as {got:?} at {}",
                    model.id, result.identity.confidence
                ));
            }
            if has_version_rule && result.identity.software_version.as_deref() != Some(version) {
                failures.push(format!(
                    "{} {version}: version {:?}",
                    model.id, result.identity.software_version
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn no_other_model_reaches_the_threshold_on_a_models_evidence() {
    let catalog = catalog();
    let oui = oui_table();
    let mut failures = Vec::new();
    for model in &catalog.models {
        let version = model.software_versions.last().cloned().unwrap_or_default();
        let (mac, evidence) = emitted_evidence(model, &version);
        // A catalog holding every model but this one must not claim the device.
        let mut others = catalog.clone();
        others.models.retain(|m| m.id != model.id);
        let identifier = Identifier::new(&others, &oui, DEFAULT_THRESHOLD).unwrap();
        let result = identifier.identify(Some(mac), &evidence);
        if let Some(other) = result.identity.model {
            failures.push(format!(
                "{}'s evidence reaches {} at {}",
                model.id,
                other.as_str(),
                result.identity.confidence
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn a_shared_oui_alone_identifies_no_model() {
    let catalog = catalog();
    let identifier = Identifier::new(&catalog, &oui_table(), DEFAULT_THRESHOLD).unwrap();
    for model in &catalog.models {
        for prefix in &model.emits.oui {
            let mac = mac_from(prefix);
            let result = identifier.identify(Some(mac), &EvidenceSet::default());
            assert_eq!(
                result.identity.model, None,
                "{} from {prefix} alone",
                model.id
            );
        }
    }
}

#[test]
fn every_rule_note_says_sourced_or_assumed() {
    for model in &catalog().models {
        assert!(!model.emits.oui.is_empty(), "{} emits no OUI", model.id);
        for (i, rule) in model.fingerprint.iter().enumerate() {
            assert!(
                rule.note.starts_with("S:") || rule.note.starts_with("A:") || rule.note == "A",
                "{} fingerprint[{i}] note {:?}",
                model.id,
                rule.note
            );
        }
    }
}

#[test]
fn evidence_kind_serialises_as_its_name() {
    use EvidenceKind::*;
    let all = [
        Mac,
        OuiVendor,
        DhcpHostname,
        DhcpVendorClass,
        DhcpParams,
        DhcpClientId,
        MdnsService,
        MdnsTxt,
        MdnsHostname,
        SsdpServer,
        SsdpLocation,
        LldpSystemName,
        LldpSystemDescription,
        CdpDeviceId,
        CdpPlatform,
        CdpSoftware,
        NetbiosName,
        HttpUserAgent,
        HttpServer,
        TlsSni,
        TlsFingerprint,
        DicomCallingAe,
        DicomCalledAe,
        DicomImplClassUid,
        DicomImplVersion,
        Hl7SendingApp,
        Hl7SendingFacility,
        Hl7Version,
        SnmpSysDescr,
        ServedPort,
        Protocol,
    ];
    for kind in all {
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!("\"{}\"", kind.name())
        );
    }
    let old: EvidenceKind = serde_json::from_str("\"snmp_sys_descr\"").unwrap();
    assert_eq!(old, SnmpSysDescr);
}
