//! Shared helpers of the synth integration tests: a catalog with example identities, a small
//! ward, and a sink that records what was written.

#![allow(dead_code)]

use std::io;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::Catalog;
use wardwatch_synth::{Origin, PacketSink, WardConfig};

/// The shipped catalog text.
pub const CATALOG: &str = include_str!("../../../../models/catalog.toml");

/// Example identities the tests set on a few models (replacing whatever the catalog has), so
/// the tests know exactly what must appear on the wire.
pub const EXAMPLE_EMITS: &str = r#"
[win10-clinical-workstation.dhcp]
hostname = "WS-{n}"
vendor_class = "MSFT 5.0"
params = [1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252]
client_id = true

[axis-p3265-camera]
http_server = "AXIS P3265-LV/{version}"
ssdp_server = "Linux/4.9 UPnP/1.0 AXIS P3265-LV/{version}"
[axis-p3265-camera.dhcp]
hostname = "axis-{serial}"
vendor_class = "Axis,Dome Camera,P3265-LV,{version}"
params = [1, 3, 6, 12, 15, 28, 42]

[bd-alaris-pcu-8015]
tls_sni = ["asm.alaris.ward.example"]
[bd-alaris-pcu-8015.dhcp]
vendor_class = "Alaris PCU {version}"
params = [1, 3, 6, 15]

[ge-revolution-ct.dicom]
ae_title = "CT_ROOM{n}"
impl_class_uid = "1.2.840.113619.6.286"
impl_version = "REVOLUTION_{version}"
sop_classes = ["1.2.840.10008.5.1.4.1.1.2"]

[dcmtk-pacs.dicom]
ae_title = "PACS01"
impl_class_uid = "1.2.276.0.7230010.3.0.3.6.8"
impl_version = "OFFIS_DCMTK_368"

[ge-carescape-b450.hl7]
sending_app = "CARESCAPE_B450"
sending_facility = "ICU4"
version = "2.6"
message_type = "ORU^R01^ORU_R01"

[philips-pic-ix.hl7]
sending_app = "PIC_IX"
sending_facility = "ICU4"
version = "2.5"

[cisco-catalyst-9300]
lldp_system_description = "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version {version}"
cdp_platform = "cisco C9300-48P"
snmp_sysdescr = "Cisco IOS XE Software, Version {version}"
"#;

/// The catalog with [`EXAMPLE_EMITS`] set (as TOML text, for `--catalog` files too).
pub fn catalog_text_with_emits() -> String {
    let mut doc: toml::Table = CATALOG.parse().expect("catalog parses as TOML");
    let emits: toml::Table = EXAMPLE_EMITS.parse().expect("example emits parse");
    let models = doc
        .get_mut("model")
        .and_then(|m| m.as_array_mut())
        .expect("models");
    for model in models.iter_mut() {
        let table = model.as_table_mut().expect("model table");
        let id = table
            .get("id")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned();
        if let Some(e) = emits.get(&id) {
            table.insert("emits".into(), e.clone());
        }
    }
    toml::to_string(&doc).expect("catalog serialises")
}

/// The catalog with example identities.
pub fn catalog() -> Catalog {
    Catalog::parse(&catalog_text_with_emits()).expect("test catalog validates")
}

/// The default ward with byte volumes scaled down (fast tests).
pub fn small_ward(bytes_scale: f64) -> WardConfig {
    let mut cfg = WardConfig::default_ward().expect("default ward");
    cfg.traffic.bytes_scale = bytes_scale;
    cfg
}

/// One recorded frame.
#[derive(Clone, Debug)]
pub struct Frame {
    pub ts: Timestamp,
    pub bytes: Vec<u8>,
    pub origin: Origin,
}

/// A sink that keeps every frame.
#[derive(Default)]
pub struct Recorder {
    pub frames: Vec<Frame>,
}

impl PacketSink for Recorder {
    fn write_frame(&mut self, ts: Timestamp, frame: &[u8], origin: Origin) -> io::Result<()> {
        self.frames.push(Frame {
            ts,
            bytes: frame.to_vec(),
            origin,
        });
        Ok(())
    }
    fn finish(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Source MAC and (for IPv4) source address of a frame.
pub fn sources(frame: &[u8]) -> ([u8; 6], Option<std::net::Ipv4Addr>) {
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&frame[6..12]);
    let ip = match etherparse::SlicedPacket::from_ethernet(frame)
        .ok()
        .and_then(|p| p.net)
    {
        Some(etherparse::NetSlice::Ipv4(v4)) => Some(v4.header().source_addr()),
        Some(etherparse::NetSlice::Arp(a)) => <[u8; 4]>::try_from(a.sender_protocol_addr())
            .ok()
            .map(std::net::Ipv4Addr::from),
        _ => None,
    };
    (mac, ip)
}

/// Capture start used by the tests: 2026-01-05T18:00:00Z (evening: day, shift change, night).
pub const EVENING: Timestamp = Timestamp(1_767_636_000_000_000);
