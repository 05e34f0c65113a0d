//! End-to-end properties of generated wards: determinism, ground-truth consistency, bounded
//! state, and payloads that decode with the real parsers.

mod common;

use common::{EVENING, Recorder, catalog, small_ward, sources};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;
use wardwatch_synth::{Origin, Params, PcapWriter, ScenarioKind, Summary, generate, write_jsonl};

const MINUTE: u64 = 60_000_000;

fn params(seed: u64, devices: u32, minutes: u64, scenarios: Vec<ScenarioKind>) -> Params {
    Params {
        seed,
        devices: Some(devices),
        start: EVENING,
        duration_us: minutes * MINUTE,
        scenarios,
    }
}

fn files(p: &Params, scale: f64) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut pcap = PcapWriter::new(Vec::new());
    let s = generate(&small_ward(scale), &catalog(), p, &mut pcap).unwrap();
    let (mut labels, mut devices) = (Vec::new(), Vec::new());
    write_jsonl(&mut labels, &s.labels).unwrap();
    write_jsonl(&mut devices, &s.devices).unwrap();
    (pcap.into_inner(), labels, devices)
}

fn record(p: &Params, scale: f64) -> (Recorder, Summary) {
    let mut rec = Recorder::default();
    let s = generate(&small_ward(scale), &catalog(), p, &mut rec).unwrap();
    (rec, s)
}

fn ts(text: &str) -> u64 {
    let t = humantime::parse_rfc3339(text).unwrap();
    t.duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as u64
}

#[test]
fn same_arguments_give_identical_files_and_seeds_differ() {
    let p = params(11, 30, 40, ScenarioKind::ALL.to_vec());
    let a = files(&p, 0.01);
    let b = files(&p, 0.01);
    assert!(a.0.len() > 100_000, "capture of {} bytes", a.0.len());
    assert!(a.0 == b.0, "pcap bytes differ between identical runs");
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    let c = files(&params(12, 30, 40, ScenarioKind::ALL.to_vec()), 0.01);
    assert!(a.0 != c.0);
    assert_ne!(a.1, c.1, "scenario times and attackers come from the seed");
    assert_ne!(a.2, c.2);
}

#[test]
fn frames_are_in_time_order_and_inside_the_capture() {
    let p = params(5, 30, 30, ScenarioKind::ALL.to_vec());
    let (rec, _) = record(&p, 0.01);
    assert!(rec.frames.windows(2).all(|w| w[0].ts <= w[1].ts));
    let end = EVENING.micros() + 30 * MINUTE;
    assert!(
        rec.frames
            .iter()
            .all(|f| f.ts >= EVENING && f.ts.micros() < end)
    );
}

#[test]
fn labels_match_the_attack_traffic() {
    let p = params(21, 40, 60, ScenarioKind::ALL.to_vec());
    let (rec, s) = record(&p, 0.01);
    assert_eq!(s.labels.len(), 10);
    let warmup_end = EVENING.micros() + 15 * MINUTE;
    for (i, label) in s.labels.iter().enumerate() {
        let (start, end) = (ts(&label.start), ts(&label.end));
        assert!(start >= warmup_end, "{} starts in the warm-up", label.kind);
        assert!(start <= end);
        let attack: Vec<&common::Frame> = rec
            .frames
            .iter()
            .filter(|f| f.origin == Origin::Scenario(i))
            .collect();
        assert!(!attack.is_empty(), "{} produced no traffic", label.kind);
        for f in &attack {
            assert!(
                (start..=end).contains(&f.ts.micros()),
                "{} frame at {} outside its label",
                label.kind,
                f.ts.to_rfc3339()
            );
        }
        let mac: [u8; 6] = label
            .mac
            .split(':')
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let ip: Ipv4Addr = label.ip.parse().unwrap();
        // Internal attackers are recognised by their MAC (an ARP spoofer sends with the
        // gateway's address); external ones arrive with the router's MAC and their own address.
        let external = !ip.is_private();
        let by_attacker = |f: &&common::Frame| {
            let (m, src) = sources(&f.bytes);
            m == mac && (!external || src == Some(ip))
        };
        assert!(
            attack.iter().any(by_attacker),
            "{}: labelled attacker {} / {} sends nothing",
            label.kind,
            label.mac,
            label.ip
        );
        assert!(!label.expected_alerts.is_empty());
        // Attackers that exist only for the attack send nothing outside its time range.
        if ["rogue_device", "vendor_remote_access"].contains(&label.kind) {
            for f in rec
                .frames
                .iter()
                .filter(|f| sources(&f.bytes).1 == Some(ip))
            {
                assert!(
                    (start..=end).contains(&f.ts.micros()),
                    "{} attacker active outside its label",
                    label.kind
                );
            }
        }
    }
}

#[test]
fn every_listed_device_talks_and_its_model_is_in_the_catalog() {
    let p = params(3, 40, 20, Vec::new());
    let (rec, s) = record(&p, 0.01);
    let cat = catalog();
    let mut macs = BTreeSet::new();
    let mut ips = BTreeSet::new();
    for f in &rec.frames {
        let (m, ip) = sources(&f.bytes);
        macs.insert(m);
        if let Some(ip) = ip {
            ips.insert(ip);
        }
    }
    assert!(s.devices.len() >= 40 + 20, "{} devices", s.devices.len());
    for d in &s.devices {
        let mac: [u8; 6] = d
            .mac
            .split(':')
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        assert!(
            macs.contains(&mac),
            "{} ({}) never sends",
            d.hostname,
            d.mac
        );
        assert!(
            ips.contains(&d.ip.parse().unwrap()),
            "{} ({}) never sends from its address",
            d.hostname,
            d.ip
        );
        if let Some(model) = &d.model {
            assert!(cat.model(model).is_some(), "{model}");
        }
    }
    let unique: BTreeSet<&String> = s.devices.iter().map(|d| &d.mac).collect();
    assert_eq!(unique.len(), s.devices.len());
}

#[test]
fn state_is_bounded_by_the_ward_not_the_duration() {
    let short = record(&params(8, 30, 30, Vec::new()), 0.001).1;
    let long = record(&params(8, 30, 240, Vec::new()), 0.001).1;
    assert!(
        long.max_queue <= short.max_queue + 16,
        "queue {} vs {}",
        long.max_queue,
        short.max_queue
    );
    assert!(
        long.max_conversations <= short.max_conversations * 2 + 8,
        "conversations {} vs {}",
        long.max_conversations,
        short.max_conversations
    );
}

/// Decodes every DHCP, DNS, mDNS, SNMP and TLS ClientHello payload of a run with the field's
/// parsers and checks the identities the test catalog sets.
#[test]
fn payloads_decode_with_the_real_parsers() {
    use dhcproto::{Decodable, Decoder, v4};
    use etherparse::{SlicedPacket, TransportSlice};
    let p = params(9, 60, 90, ScenarioKind::ALL.to_vec());
    let (rec, s) = record(&p, 0.005);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut vendor_classes = BTreeSet::new();
    let mut snis = BTreeSet::new();
    for f in &rec.frames {
        let Ok(pkt) = SlicedPacket::from_ethernet(&f.bytes) else {
            continue;
        };
        match pkt.transport {
            Some(TransportSlice::Udp(u)) => {
                let (sp, dp, data) = (u.source_port(), u.destination_port(), u.payload());
                if sp == 68 || dp == 68 {
                    let m = v4::Message::decode(&mut Decoder::new(data)).expect("DHCP decodes");
                    if let Some(v4::DhcpOption::ClassIdentifier(c)) =
                        m.opts().get(v4::OptionCode::ClassIdentifier)
                    {
                        vendor_classes.insert(String::from_utf8_lossy(c).into_owned());
                    }
                    *counts.entry("dhcp").or_default() += 1;
                } else if sp == 53 || dp == 53 || dp == 5353 {
                    simple_dns::Packet::parse(data).expect("DNS decodes");
                    *counts.entry("dns").or_default() += 1;
                } else if sp == 161 || dp == 161 {
                    snmp_parser::parse_snmp_v2c(data).expect("SNMP decodes");
                    *counts.entry("snmp").or_default() += 1;
                }
            }
            Some(TransportSlice::Tcp(t)) => {
                let data = t.payload();
                if data.first() == Some(&0x16) && data.get(5) == Some(&1) {
                    let (_, rec) =
                        tls_parser::parse_tls_plaintext(data).expect("ClientHello decodes");
                    if let Some(tls_parser::TlsMessage::Handshake(
                        tls_parser::TlsMessageHandshake::ClientHello(ch),
                    )) = rec.msg.first()
                        && let Some(ext) = ch.ext
                    {
                        for e in tls_parser::parse_tls_extensions(ext).unwrap().1 {
                            if let tls_parser::TlsExtension::SNI(list) = e {
                                snis.insert(String::from_utf8_lossy(list[0].1).into_owned());
                            }
                        }
                    }
                    *counts.entry("tls").or_default() += 1;
                }
            }
            _ => {}
        }
    }
    for kind in ["dhcp", "dns", "snmp", "tls"] {
        assert!(
            counts.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} seen: {counts:?}"
        );
    }
    assert!(vendor_classes.contains("MSFT 5.0"), "{vendor_classes:?}");
    assert!(
        vendor_classes
            .iter()
            .any(|v| v.starts_with("Axis,Dome Camera,P3265-LV,")),
        "{vendor_classes:?}"
    );
    assert!(
        vendor_classes.iter().any(|v| v.starts_with("dhcpcd-9.4.1")),
        "rogue device DHCP: {vendor_classes:?}"
    );
    assert!(snis.contains("asm.alaris.ward.example"), "{snis:?}");
    assert!(
        snis.iter().any(|s| s.ends_with(".cdn-telemetry.example")),
        "beacon SNI: {snis:?}"
    );
    assert!(s.frames > 10_000);
}

#[test]
fn firmware_change_changes_the_emitted_version() {
    let p = params(4, 40, 60, vec![ScenarioKind::FirmwareChange]);
    let (_, s) = record(&p, 0.01);
    let label = &s.labels[0];
    let from = label.details["from_version"].as_str().unwrap();
    let to = label.details["to_version"].as_str().unwrap();
    assert_ne!(from, to);
    let device = s.devices.iter().find(|d| d.ip == label.ip).unwrap();
    assert_eq!(
        device.software_version, from,
        "the devices file lists the version at the start"
    );
}

#[test]
fn usage_errors_name_what_is_wrong() {
    let mut pcap = PcapWriter::new(Vec::new());
    let err = generate(
        &small_ward(1.0),
        &catalog(),
        &params(1, 30, 5, ScenarioKind::ALL.to_vec()),
        &mut pcap,
    )
    .unwrap_err();
    assert!(
        err.is_usage() && err.to_string().contains("--duration"),
        "{err}"
    );
    let mut cfg = small_ward(1.0);
    for a in &mut cfg.areas {
        a.devices.retain(|m| m.model != "axis-p3265-camera");
    }
    let err = generate(
        &cfg,
        &catalog(),
        &params(1, 30, 60, vec![ScenarioKind::TelnetScan]),
        &mut pcap,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario telnet_scan: the ward has no IP camera; add one to the ward config or leave the scenario out"
    );
    let err = generate(
        &cfg,
        &catalog(),
        &Params {
            devices: Some(0),
            ..params(1, 1, 60, Vec::new())
        },
        &mut pcap,
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("--devices"), "{err}");
    let late = Params {
        start: Timestamp::from_secs(4_294_967_000),
        ..params(1, 30, 60, Vec::new())
    };
    let err = generate(&small_ward(1.0), &catalog(), &late, &mut pcap).unwrap_err();
    assert!(
        err.is_usage() && err.to_string().starts_with("--start"),
        "{err}"
    );
}

/// Reassembles the TCP streams of a run (frames are emitted in order, without loss) and
/// parses every DICOM stream with dicom-ul's `read_pdu` and every HL7 stream as MLLP frames.
#[test]
fn tcp_streams_reassemble_into_valid_dicom_pdus_and_mllp_frames() {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let p = params(13, 45, 60, vec![ScenarioKind::DicomExfiltration]);
    let (rec, _) = record(&p, 0.002);
    type Key = (Ipv4Addr, u16, Ipv4Addr, u16);
    let mut streams: BTreeMap<Key, Vec<u8>> = BTreeMap::new();
    for f in &rec.frames {
        let Ok(pkt) = SlicedPacket::from_ethernet(&f.bytes) else {
            continue;
        };
        let (Some(NetSlice::Ipv4(ip)), Some(TransportSlice::Tcp(t))) = (pkt.net, pkt.transport)
        else {
            continue;
        };
        let ports = [104, 11112, 2575, 4601];
        if t.payload().is_empty()
            || !(ports.contains(&t.source_port()) || ports.contains(&t.destination_port()))
        {
            continue;
        }
        let key = (
            ip.header().source_addr(),
            t.source_port(),
            ip.header().destination_addr(),
            t.destination_port(),
        );
        streams
            .entry(key)
            .or_default()
            .extend_from_slice(t.payload());
    }
    let (mut dicom_pdus, mut mllp_frames) = (0usize, 0usize);
    for ((_, sp, _, dp), data) in &streams {
        if [104, 11112].contains(sp) || [104, 11112].contains(dp) {
            let mut buf = &data[..];
            while !buf.is_empty() {
                let pdu = dicom_ul::read_pdu(&mut buf, 1 << 20, true)
                    .expect("valid PDU")
                    .expect("complete PDU");
                assert!(!matches!(pdu, dicom_ul::Pdu::Unknown { .. }));
                dicom_pdus += 1;
            }
        } else {
            for frame in data.split(|&b| b == 0x0b).skip(1) {
                assert!(
                    frame.ends_with(&[0x1c, b'\r']),
                    "MLLP frame ends with FS CR"
                );
                assert!(
                    frame.starts_with(b"MSH|^~\\&|"),
                    "HL7 message starts with MSH"
                );
                mllp_frames += 1;
            }
        }
    }
    assert!(dicom_pdus > 100, "{dicom_pdus} DICOM PDUs");
    assert!(mllp_frames > 50, "{mllp_frames} MLLP frames");
}

/// Adding a device (to the last model of the first area, so no address moves but every later
/// host's index does) leaves the frames of the devices of another area byte-identical.
#[test]
fn adding_a_device_does_not_reshuffle_the_others() {
    let run = |extra: u32| {
        let mut cfg = small_ward(0.01);
        if let Some(mix) = cfg.areas[0].devices.last_mut() {
            mix.count += extra;
        }
        let mut rec = Recorder::default();
        let p = Params {
            devices: None,
            ..params(17, 0, 30, Vec::new())
        };
        let s = generate(&cfg, &catalog(), &p, &mut rec).unwrap();
        (rec, s)
    };
    let (a, sa) = run(0);
    let (b, sb) = run(1);
    assert_eq!(sb.devices.len(), sa.devices.len() + 1);
    let pumps: Vec<&wardwatch_synth::DeviceRecord> =
        sa.devices.iter().filter(|d| d.vlan == 20).collect();
    assert!(pumps.len() > 10);
    for pump in pumps {
        let mac: [u8; 6] = pump
            .mac
            .split(':')
            .map(|x| u8::from_str_radix(x, 16).unwrap())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap();
        let of = |r: &Recorder| -> Vec<(u64, Vec<u8>)> {
            r.frames
                .iter()
                .filter(|f| f.bytes[0..6] == mac || f.bytes[6..12] == mac)
                .map(|f| (f.ts.micros(), f.bytes.clone()))
                .collect()
        };
        let (fa, fb) = (of(&a), of(&b));
        assert!(!fa.is_empty());
        assert!(
            fa == fb,
            "{} traffic changed when a monitoring device was added",
            pump.hostname
        );
    }
}
