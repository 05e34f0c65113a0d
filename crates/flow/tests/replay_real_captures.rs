//! The real captures in `../shared/data/pcaps/**/*.pcap*` replay through the pipeline without
//! error and with plausible counts. Skipped (with a message) when the captures are not present.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "integration tests fail loudly on purpose"
)]

mod support;

use std::path::{Path, PathBuf};
use wardwatch_flow::{LinkType, MacAddr, Packet, Timestamp};

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pcaps")
}

fn captures(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            captures(&path, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(".pcap"))
        {
            out.push(path);
        }
    }
}

/// Device MACs of the IoT Sentinel captures (from the shared README).
const SENTINEL: &[(&str, &str)] = &[
    ("Aria", "20:f8:5e:ca:91:52"),
    ("D-LinkCam", "b0:c5:54:25:5b:0e"),
    ("EdimaxPlug1101W", "74:da:38:4a:76:49"),
    ("HueBridge", "00:17:88:24:76:ff"),
    ("TP-LinkPlugHS110", "50:c7:bf:00:c7:03"),
    ("WeMoSwitch", "94:10:3e:35:01:c1"),
    ("Withings", "00:24:e4:24:80:2a"),
];

#[test]
fn real_captures_replay_plausibly() {
    let dir = captures_dir();
    if !dir.is_dir() {
        println!("skipped: real captures not present");
        return;
    }
    let mut files = Vec::new();
    captures(&dir, &mut files);
    assert!(!files.is_empty(), "no captures under {}", dir.display());
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut capture = pcap::Capture::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dlt = u32::try_from(capture.get_datalink().0).unwrap_or(u32::MAX);
        let link = LinkType::from_dlt(dlt)
            .unwrap_or_else(|| panic!("{name}: link type {dlt} unsupported"));
        let mut p = support::pipeline();
        let mut events = Vec::new();
        let mut read = 0u64;
        loop {
            match capture.next_packet() {
                Ok(packet) => {
                    read += 1;
                    #[allow(
                        clippy::unnecessary_cast,
                        reason = "time_t and suseconds_t widths differ by platform"
                    )]
                    let ts = Timestamp::from_parts(
                        packet.header.ts.tv_sec as i64,
                        packet.header.ts.tv_usec as i64,
                    );
                    let packet = Packet {
                        ts,
                        link,
                        data: packet.data,
                        wire_len: packet.header.len,
                    };
                    p.push(&packet, &mut events);
                }
                Err(pcap::Error::NoMorePackets) => break,
                Err(e) => panic!("{name}: {e}"),
            }
        }
        p.flush(&mut events);
        let s = p.stats();
        println!(
            "{name}: {read} packets, {} decode errors, {} partial, {} flows, {} devices ({} established), {} windows, {} conflicts",
            s.decode_errors.total(),
            s.decode_partial.total(),
            s.flows.created,
            s.devices.created,
            s.devices.established,
            s.site.windows_emitted,
            s.addresses.conflicts_reported
        );
        assert_eq!(s.packets, read, "{name}");
        assert!(
            s.decode_errors.total() * 100 <= read,
            "{name}: over 1 % undecodable: {:?}",
            s.decode_errors
        );
        assert_eq!(
            s.flows.created,
            s.flows.active + s.flows.evicted_total(),
            "{name}"
        );
        assert_eq!(s.flows.active, 0, "{name}: flush ends every flow");
        if s.devices.created > 0 {
            assert!(s.site.windows_emitted > 0, "{name}: devices but no windows");
        }
        if let Some((_, mac)) = SENTINEL
            .iter()
            .find(|(device, _)| name.starts_with(&format!("{device}_")))
        {
            let mac: MacAddr = mac.parse().unwrap();
            let record = p.devices().into_iter().find(|r| r.device.mac == Some(mac));
            let record =
                record.unwrap_or_else(|| panic!("{name}: device {mac} not in the inventory"));
            assert!(
                record.established,
                "{name}: {mac} should be established (DHCP, handshakes)"
            );
        }
    }
}
