//! Identification evidence on the real third-party captures in `../shared/data/pcaps` (see its
//! README.md for the provenance of each file). Each packet is read with libpcap, sliced with
//! etherparse, and fed to `inspect_payload` / `inspect_frame`; facts are attributed to the MAC of
//! the endpoint they describe. The tests print `skipped: real captures not present` and pass when
//! the folder is absent (it is never copied into the repository).

// Test code: a panic is a test failure, which is what these lints guard against elsewhere.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use etherparse::{SlicedPacket, TransportSlice};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wardwatch_flow::MacAddr;
use wardwatch_flow::catalog::{Catalog, EvidenceKind};
use wardwatch_flow::event::Transport;
use wardwatch_flow::identify::{
    DEFAULT_THRESHOLD, Evidence, EvidenceSet, Identifier, OuiTable, PayloadContext, PayloadFact,
    Subject, inspect_frame, inspect_payload,
};

const CATALOG: &str = include_str!("../../../models/catalog.toml");
const OUI: &str = include_str!("../../../models/oui.tsv");

fn captures_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pcaps");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: real captures not present");
        None
    }
}

/// One decoded frame: its MACs and the facts its payload revealed.
struct Frame {
    src: MacAddr,
    dst: MacAddr,
    facts: Vec<PayloadFact>,
}

fn mac_at(data: &[u8], offset: usize) -> MacAddr {
    MacAddr(data[offset..offset + 6].try_into().unwrap())
}

/// The payload handed to the parsers, with its context, for truncation tests.
struct Payload {
    transport: Transport,
    src_port: u16,
    dst_port: u16,
    bytes: Vec<u8>,
}

fn inspect_ethernet(data: &[u8], payloads: &mut Vec<Payload>) -> Option<Frame> {
    if data.len() < 14 {
        return None;
    }
    let mut facts = Vec::new();
    let ethertype = u16::from_be_bytes([data[12], data[13]]);
    if ethertype <= 1500 {
        // 802.3 length field: LLC (+ SNAP) follows; CDP is SNAP protocol 0x2000.
        if data.get(14..17) == Some(&[0xaa, 0xaa, 0x03]) && data.get(20..22) == Some(&[0x20, 0x00])
        {
            inspect_frame(0x2000, &data[17..], &mut facts);
        }
    } else if ethertype == 0x88cc {
        inspect_frame(ethertype, &data[14..], &mut facts);
    } else {
        let sliced = SlicedPacket::from_ethernet(data).ok()?;
        let (transport, src_port, dst_port, payload) = match &sliced.transport {
            Some(TransportSlice::Tcp(tcp)) => (
                Transport::Tcp,
                tcp.source_port(),
                tcp.destination_port(),
                tcp.payload(),
            ),
            Some(TransportSlice::Udp(udp)) => (
                Transport::Udp,
                udp.source_port(),
                udp.destination_port(),
                udp.payload(),
            ),
            _ => return None,
        };
        let ctx = PayloadContext {
            transport,
            src_port,
            dst_port,
            from_initiator: true,
            payload,
        };
        inspect_payload(&ctx, &mut facts);
        if !facts.is_empty() {
            payloads.push(Payload {
                transport,
                src_port,
                dst_port,
                bytes: payload.to_vec(),
            });
        }
    }
    Some(Frame {
        src: mac_at(data, 6),
        dst: mac_at(data, 0),
        facts,
    })
}

/// Evidence per MAC, and the payloads that gave facts.
struct Capture {
    evidence: BTreeMap<MacAddr, EvidenceSet>,
    facts: Vec<PayloadFact>,
    payloads: Vec<Payload>,
}

fn read(path: &Path) -> Capture {
    let mut cap = pcap::Capture::from_file(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(cap.get_datalink(), pcap::Linktype::ETHERNET, "{path:?}");
    let mut result = Capture {
        evidence: BTreeMap::new(),
        facts: Vec::new(),
        payloads: Vec::new(),
    };
    while let Ok(packet) = cap.next_packet() {
        let Some(frame) = inspect_ethernet(packet.data, &mut result.payloads) else {
            continue;
        };
        for fact in frame.facts {
            if let PayloadFact::Evidence { subject, evidence } = &fact {
                let mac = match subject {
                    Subject::Source => frame.src,
                    Subject::Destination => frame.dst,
                };
                result
                    .evidence
                    .entry(mac)
                    .or_default()
                    .insert(evidence.clone());
            }
            result.facts.push(fact);
        }
    }
    result
}

fn mac(text: &str) -> MacAddr {
    text.parse().unwrap()
}

fn assert_has(capture: &Capture, file: &str, device: &str, kind: EvidenceKind, value: &str) {
    let set = capture.evidence.get(&mac(device));
    let found = set.is_some_and(|s| s.of_kind(kind).any(|v| v == value));
    assert!(
        found,
        "{file}: {device} lacks {} {value:?}; has {:?}",
        kind.name(),
        set.map(|s| s.iter().cloned().collect::<Vec<Evidence>>())
    );
}

/// (file, device MAC, evidence kind, exact value) the provenance README names.
const EXPECTED: &[(&str, &str, EvidenceKind, &str)] = &[
    (
        "iot-sentinel/Aria_Setup-A-1-STA.pcap",
        "20:f8:5e:ca:91:52",
        EvidenceKind::DhcpHostname,
        "GainSpanca9152",
    ),
    (
        "iot-sentinel/D-LinkCam_Setup-A-1-STA.pcap",
        "b0:c5:54:25:5b:0e",
        EvidenceKind::MdnsHostname,
        "DCS-935L-B0C554255B0E.local",
    ),
    (
        "iot-sentinel/D-LinkCam_Setup-A-1-STA.pcap",
        "b0:c5:54:25:5b:0e",
        EvidenceKind::MdnsService,
        "_dhnap._tcp.local",
    ),
    (
        "iot-sentinel/D-LinkCam_Setup-A-1-STA.pcap",
        "b0:c5:54:25:5b:0e",
        EvidenceKind::SsdpServer,
        "Linux,    UPnP/1.0 DCS-935L/1.0",
    ),
    (
        "iot-sentinel/EdimaxPlug1101W_Setup-A-1-STA.pcap",
        "74:da:38:4a:76:49",
        EvidenceKind::DhcpVendorClass,
        "udhcp 1.15.2",
    ),
    (
        "iot-sentinel/HueBridge_Setup-A-1-STA.pcap",
        "00:17:88:24:76:ff",
        EvidenceKind::DhcpHostname,
        "Philips-hue",
    ),
    (
        "iot-sentinel/HueBridge_Setup-A-1-STA.pcap",
        "00:17:88:24:76:ff",
        EvidenceKind::DhcpVendorClass,
        "udhcp 1.19.4",
    ),
    (
        "iot-sentinel/HueBridge_Setup-A-1-STA.pcap",
        "00:17:88:24:76:ff",
        EvidenceKind::MdnsService,
        "_hap._tcp.local",
    ),
    (
        "iot-sentinel/HueBridge_Setup-A-1-STA.pcap",
        "00:17:88:24:76:ff",
        EvidenceKind::SsdpServer,
        "Linux/3.14.0 UPnP/1.0 IpBridge/1.9.0",
    ),
    (
        "iot-sentinel/TP-LinkPlugHS110_Setup-A-1-STA.pcap",
        "50:c7:bf:00:c7:03",
        EvidenceKind::DhcpHostname,
        "HS110(EU)",
    ),
    (
        "iot-sentinel/TP-LinkPlugHS110_Setup-A-1-STA.pcap",
        "50:c7:bf:00:c7:03",
        EvidenceKind::DhcpVendorClass,
        "udhcp 0.9.9-pre",
    ),
    (
        "iot-sentinel/WeMoSwitch_Setup-A-1-STA.pcap",
        "94:10:3e:35:01:c1",
        EvidenceKind::DhcpVendorClass,
        "udhcp 1.22.1",
    ),
    (
        "iot-sentinel/WeMoSwitch_Setup-A-1-STA.pcap",
        "94:10:3e:35:01:c1",
        EvidenceKind::TlsSni,
        "api.xbcs.net",
    ),
    // The README calls `Withings00` a DHCP host name; on the wire it is option 60 (vendor class).
    (
        "iot-sentinel/Withings_Setup-A-1-STA.pcap",
        "00:24:e4:24:80:2a",
        EvidenceKind::DhcpVendorClass,
        "Withings00",
    ),
    (
        "iot-sentinel/Withings_Setup-A-1-STA.pcap",
        "00:24:e4:24:80:2a",
        EvidenceKind::HttpUserAgent,
        "Withings UserAgent",
    ),
    (
        "zeek/dhcp_dhcp.pcap",
        "90:b1:1c:99:49:29",
        EvidenceKind::DhcpHostname,
        "btest.is.cool",
    ),
    (
        "zeek/lldp.pcap",
        "00:22:2d:81:db:10",
        EvidenceKind::LldpSystemName,
        "SMCGS8P-Smart",
    ),
    (
        "zeek/lldp.pcap",
        "00:22:2d:81:db:10",
        EvidenceKind::LldpSystemDescription,
        "SMCGS8P-Smart - SMCGS8P-Smart v3.20",
    ),
    (
        "zeek/cdp-v1.pcap",
        "00:e0:1e:d5:d5:15",
        EvidenceKind::CdpDeviceId,
        "R1",
    ),
    (
        "zeek/cdp-v1.pcap",
        "00:e0:1e:d5:d5:15",
        EvidenceKind::CdpPlatform,
        "cisco 1601",
    ),
    (
        "ndpi/hl7.pcap",
        "00:0c:29:b5:b6:48",
        EvidenceKind::Hl7SendingApp,
        "SENDING_APPLICATION",
    ),
    (
        "ndpi/hl7.pcap",
        "00:0c:29:b5:b6:48",
        EvidenceKind::Hl7SendingFacility,
        "SENDING_FACILITY",
    ),
    (
        "ndpi/hl7.pcap",
        "00:0c:29:b5:b6:48",
        EvidenceKind::Hl7Version,
        "2.3",
    ),
    (
        "ndpi/netbios.pcap",
        "00:1c:c4:10:79:0f",
        EvidenceKind::NetbiosName,
        "GUNNAR",
    ),
    (
        "ndpi/bacnet.pcap",
        "00:1a:2b:3c:4d:5e",
        EvidenceKind::Protocol,
        "bacnet",
    ),
    (
        "zeek/snmp_snmpwalk-short.pcap",
        "04:01:3a:ef:d2:01",
        EvidenceKind::SnmpSysDescr,
        "Linux ubuntu-512mb-sfo2-01 4.4.0-31-generic #50~14.04.1-Ubuntu SMP Wed Jul 13 01:07:32 UTC 2016 x86_64",
    ),
    (
        "zeek/dns_mdns.pcap",
        "8a:3c:d6:e1:4d:c4",
        EvidenceKind::MdnsHostname,
        "johanna-QEMU-Virtual-Machine.local",
    ),
    (
        "zeek/wikipedia.pcap",
        "00:17:f2:d7:cf:65",
        EvidenceKind::MdnsService,
        "_sftp-ssh._tcp.local",
    ),
    (
        "zeek/tls_tls13draft23-chrome67.0.3368.0-canary.pcap",
        "78:31:c1:c6:3f:c2",
        EvidenceKind::TlsSni,
        "tls13.crypto.mozilla.org",
    ),
];

#[test]
fn evidence_named_by_the_provenance_is_found() {
    let Some(dir) = captures_dir() else {
        return;
    };
    let mut cache: BTreeMap<&str, Capture> = BTreeMap::new();
    for (file, device, kind, value) in EXPECTED {
        let capture = cache.entry(file).or_insert_with(|| read(&dir.join(file)));
        assert_has(capture, file, device, *kind, value);
    }
}

#[test]
fn dhcp_server_vendor_class_and_aruba() {
    let Some(dir) = captures_dir() else {
        return;
    };
    let capture = read(&dir.join("zeek/dhcp_dhcp.pcap"));
    // The OFFER/ACK of the Aruba DHCP server carry option 60 `ArubaAP`; the client sent none.
    let server: Vec<_> = capture
        .evidence
        .iter()
        .filter(|(_, set)| {
            set.of_kind(EvidenceKind::DhcpVendorClass)
                .any(|v| v == "ArubaAP")
        })
        .map(|(mac, _)| *mac)
        .collect();
    assert_eq!(server.len(), 1, "{server:?}");
    assert_ne!(server[0], mac("90:b1:1c:99:49:29"));
}

#[test]
fn behaviour_facts_on_real_dns() {
    let Some(dir) = captures_dir() else {
        return;
    };
    let capture = read(&dir.join("iot-sentinel/HueBridge_Setup-A-1-STA.pcap"));
    assert!(capture.facts.contains(&PayloadFact::DnsQuery));
    let wikipedia = read(&dir.join("zeek/wikipedia.pcap"));
    assert!(wikipedia.facts.contains(&PayloadFact::DnsNxdomain));
}

/// IoT Sentinel devices: (file, MAC, registry vendor, expected host name, class, OS).
type Device = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);
const DEVICES: &[Device] = &[
    (
        "Aria_Setup-A-1-STA.pcap",
        "20:f8:5e:ca:91:52",
        "Delta Electronics",
        Some("GainSpanca9152"),
        "",
        None,
    ),
    (
        "D-LinkCam_Setup-A-1-STA.pcap",
        "b0:c5:54:25:5b:0e",
        "D-Link International",
        Some("DCS-935L"),
        "embedded_linux",
        Some("Linux"),
    ),
    (
        "EdimaxPlug1101W_Setup-A-1-STA.pcap",
        "74:da:38:4a:76:49",
        "Edimax Technology",
        None,
        "embedded_linux",
        Some("Linux"),
    ),
    (
        "HueBridge_Setup-A-1-STA.pcap",
        "00:17:88:24:76:ff",
        "Philips Lighting",
        Some("Philips-hue"),
        "embedded_linux",
        Some("Linux"),
    ),
    (
        "TP-LinkPlugHS110_Setup-A-1-STA.pcap",
        "50:c7:bf:00:c7:03",
        "TP-LINK TECHNOLOGIES",
        Some("HS110(EU)"),
        "embedded_linux",
        Some("Linux"),
    ),
    (
        "WeMoSwitch_Setup-A-1-STA.pcap",
        "94:10:3e:35:01:c1",
        "Belkin International",
        None,
        "embedded_linux",
        Some("Linux"),
    ),
    (
        "Withings_Setup-A-1-STA.pcap",
        "00:24:e4:24:80:2a",
        "Withings",
        None,
        "",
        None,
    ),
];

#[test]
fn iot_devices_get_registry_vendor_hostname_and_class() {
    let Some(dir) = captures_dir() else {
        return;
    };
    let catalog = Catalog::parse(CATALOG).unwrap();
    let oui = OuiTable::parse(OUI).unwrap();
    let identifier = Identifier::new(&catalog, &oui, DEFAULT_THRESHOLD).unwrap();
    for (file, device, vendor, hostname, class, os) in DEVICES {
        let capture = read(&dir.join("iot-sentinel").join(file));
        let device_mac = mac(device);
        assert_eq!(oui.vendor(device_mac), Some(*vendor), "{file}");
        let evidence = capture
            .evidence
            .get(&device_mac)
            .cloned()
            .unwrap_or_default();
        let result = identifier.identify(Some(device_mac), &evidence);
        assert_eq!(
            result.identity.model, None,
            "{file}: no catalog model is a smart-home device"
        );
        assert_eq!(result.identity.vendor.as_deref(), Some(*vendor), "{file}");
        assert_eq!(result.hostname.as_deref(), *hostname, "{file}");
        assert_eq!(
            result.identity.class.as_deref().unwrap_or(""),
            *class,
            "{file}"
        );
        assert_eq!(result.identity.os.as_deref(), *os, "{file}");
    }
}

#[test]
fn registry_vendor_of_infrastructure_seen_in_the_captures() {
    let Some(_) = captures_dir() else {
        return;
    };
    let oui = OuiTable::parse(OUI).unwrap();
    assert_eq!(oui.vendor(mac("00:22:2d:81:db:10")), Some("SMC Networks")); // lldp.pcap chassis
    assert_eq!(oui.vendor(mac("00:e0:1e:d5:d5:15")), Some("Cisco Systems")); // cdp-v1.pcap
    assert_eq!(oui.vendor(mac("00:0c:29:b5:b6:48")), Some("VMware")); // hl7.pcap sender
}

#[test]
fn every_truncation_of_every_real_payload_is_safe() {
    let Some(dir) = captures_dir() else {
        return;
    };
    let mut payloads = Vec::new();
    for sub in ["iot-sentinel", "ndpi", "zeek"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
            .filter(|p| !p.to_string_lossy().contains("echo-connections"))
            .collect();
        files.sort();
        for file in files {
            let mut cap = pcap::Capture::from_file(&file).unwrap();
            if cap.get_datalink() != pcap::Linktype::ETHERNET {
                continue;
            }
            while let Ok(packet) = cap.next_packet() {
                let _ = inspect_ethernet(packet.data, &mut payloads);
            }
        }
    }
    assert!(payloads.len() > 100, "{}", payloads.len());
    for payload in &payloads {
        for end in 0..payload.bytes.len() {
            let ctx = PayloadContext {
                transport: payload.transport,
                src_port: payload.src_port,
                dst_port: payload.dst_port,
                from_initiator: true,
                payload: &payload.bytes[..end],
            };
            let mut out = Vec::new();
            inspect_payload(&ctx, &mut out);
            assert!(out.len() <= 32);
        }
    }
}
