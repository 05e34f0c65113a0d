//! The generated seed corpora: real samples from the repository's fixtures (the frames of
//! `fixtures/flow/basic.pcap`, `models/*`, `fixtures/assess/*`) written in each target's input
//! layout. `tests/e2e/fuzz_corpus.rs` checks that every generated seed is committed unchanged
//! under `fuzz/corpus/<target>/seed-*`; `cargo run -p wardwatch-e2e --example fuzz_seeds`
//! rewrites them (and writes extra seeds from real captures at fuzz time).

use super::flow::{self, Op, PORTS, TRANSPORTS};
use super::input::Writer;
use std::collections::BTreeSet;
use std::sync::OnceLock;
use wardwatch_flow::decode::{Content, LinkType, TransportInfo};
use wardwatch_flow::event::Transport;
use wardwatch_flow::{Packet, Timestamp};

/// One captured frame: time, link type, bytes.
pub type Frame = (Timestamp, LinkType, Vec<u8>);

/// One seed: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// A handful of Ethernet frames (a TCP handshake with data, DHCP, ARP, DNS) pushed on top of
/// restored snapshots and fuzzed configurations.
pub fn restore_traffic() -> &'static [Vec<u8>] {
    static CELL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CELL.get_or_init(|| {
        use etherparse::PacketBuilder;
        let (a, b) = ([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2]);
        let (ia, ib) = ([10, 0, 0, 1], [10, 0, 0, 2]);
        let tcp = |from_a: bool, syn: bool, ack: bool, payload: &[u8]| {
            let (sm, dm, si, di, sp, dp) = if from_a {
                (a, b, ia, ib, 40000, 2575)
            } else {
                (b, a, ib, ia, 2575, 40000)
            };
            let mut builder = PacketBuilder::ethernet2(sm, dm)
                .ipv4(si, di, 64)
                .tcp(sp, dp, 1, 1024);
            if syn {
                builder = builder.syn();
            }
            if ack {
                builder = builder.ack(1);
            }
            let mut out = Vec::new();
            builder.write(&mut out, payload).expect("frame");
            out
        };
        let udp = |sp: u16, dp: u16, payload: &[u8]| {
            let mut out = Vec::new();
            PacketBuilder::ethernet2(a, b)
                .ipv4(ia, ib, 64)
                .udp(sp, dp)
                .write(&mut out, payload)
                .expect("frame");
            out
        };
        vec![
            tcp(true, true, false, b""),
            tcp(false, true, true, b""),
            tcp(
                true,
                false,
                true,
                b"\x0bMSH|^~\\&|PUMP|WARD|||20260105||ORU^R01|1|P|2.6\r\x1c\r",
            ),
            udp(
                53000,
                53,
                b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x00\x00\x01\x00\x01",
            ),
            udp(
                68,
                67,
                &flow::dhcp_message(false, &[53, 1, 1, 12, 4, b'P', b'U', b'M', b'P', 255]),
            ),
        ]
    })
}

fn w() -> Writer {
    Writer::new()
}

/// Every generated seed, from the frames of `fixtures/flow/basic.pcap` (read by the caller).
pub fn generate(frames: &[Frame]) -> Vec<Seed> {
    let mut out = Vec::new();
    decode_seeds(frames, &mut out);
    pipeline_seeds(frames, &mut out);
    snapshot_seeds(frames, &mut out);
    payload_seeds(frames, &mut out);
    dhcp_seeds(&mut out);
    reference_seeds(&mut out);
    baseline_seeds(&mut out);
    assess_seeds(&mut out);
    out
}

/// A short signature of a frame's shape, to keep one seed per shape.
fn shape(link: LinkType, data: &[u8]) -> String {
    match wardwatch_flow::decode(link, data) {
        Err(e) => format!("err-{:?}", e.kind),
        Ok(d) => match d.content {
            Content::Arp(a) => format!("arp-{}", a.operation),
            Content::Frame { protocol, .. } => format!("frame-{protocol:04x}"),
            Content::Other => "other".into(),
            Content::Ip(ip) => {
                let ports = match ip.transport {
                    TransportInfo::Tcp(t) => format!(
                        "tcp-{}-{}-{}",
                        t.src_port.min(t.dst_port),
                        t.flags.0,
                        !ip.payload.is_empty()
                    ),
                    TransportInfo::Udp { src_port, dst_port } => {
                        format!("udp-{}", src_port.min(dst_port))
                    }
                    TransportInfo::Icmp(i) => format!("icmp-{}", i.icmp_type),
                    TransportInfo::None => format!("proto-{}", ip.protocol),
                };
                format!("ip{}-{ports}", if ip.src.is_ipv4() { 4 } else { 6 })
            }
        },
    }
}

fn decode_seeds(frames: &[Frame], out: &mut Vec<Seed>) {
    let mut seen = BTreeSet::new();
    for (_, link, data) in frames {
        let s = shape(*link, data);
        if seen.insert(s.clone()) {
            out.push(("decode", format!("seed-{s}"), data.clone()));
            // The same packet as raw IP and behind Linux cooked headers (SLL, SLL2).
            if let (LinkType::Ethernet, Some(ip)) = (link, data.get(14..))
                && s.starts_with("ip")
            {
                out.push(("decode", format!("seed-raw-{s}"), ip.to_vec()));
                let mut sll = vec![0, 0, 0, 1, 0, 6];
                sll.extend_from_slice(&data[6..12]);
                sll.extend_from_slice(&[0, 0]);
                sll.extend_from_slice(&data[12..]);
                out.push(("decode", format!("seed-sll-{s}"), sll));
            }
        }
    }
}

/// A pipeline input replaying `frames` (with their real time gaps), then `tail` operations.
pub fn pipeline_input(config: u8, frames: &[Frame], tail: &[Op<'_>]) -> Vec<u8> {
    let mut w = w();
    let start = frames.first().map_or(0, |f| f.0.secs());
    w.u8(config).u8(1).u32(u32::try_from(start).unwrap_or(0));
    let mut last = Timestamp::from_secs(start);
    for (ts, link, data) in frames {
        let dt = ts.since(last).micros();
        last = *ts;
        let op = Op::Push {
            link: u8::try_from(LinkType::ALL.iter().position(|l| l == link).unwrap_or(0))
                .unwrap_or(0),
            dt_us: u32::try_from(dt).unwrap_or(u32::MAX),
            back: false,
            extra_wire: 0,
            data,
        };
        flow::write_op(&mut w, &op);
    }
    for op in tail {
        flow::write_op(&mut w, op);
    }
    w.finish()
}

fn pipeline_seeds(frames: &[Frame], out: &mut Vec<Seed>) {
    out.push((
        "pipeline",
        "seed-basic-default".into(),
        pipeline_input(0, frames, &[]),
    ));
    let head = &frames[..frames.len().min(80)];
    let tail = [
        Op::Snapshot,
        Op::Advance { secs: 120 },
        Op::Snapshot,
        Op::Flush,
    ];
    out.push((
        "pipeline",
        "seed-basic-head-small-caps".into(),
        pipeline_input(1, head, &tail),
    ));
    // The same frames as raw IP (link type Raw): no MACs, devices keyed by address.
    let raw: Vec<Frame> = frames
        .iter()
        .filter(|(_, _, d)| d.len() > 14 && d[12..14] == [8, 0])
        .take(60)
        .map(|(t, _, d)| (*t, LinkType::Raw, d[14..].to_vec()))
        .collect();
    out.push((
        "pipeline",
        "seed-raw-ip".into(),
        pipeline_input(2, &raw, &[Op::Snapshot]),
    ));
}

fn snapshot_seeds(frames: &[Frame], out: &mut Vec<Seed>) {
    let mut p = flow::new_pipeline(flow::pipeline_config(0));
    let mut events = Vec::new();
    for (ts, link, data) in frames {
        let packet = Packet {
            ts: *ts,
            link: *link,
            data,
            wire_len: data.len() as u32,
        };
        p.push(&packet, &mut events);
    }
    let json = serde_json::to_vec_pretty(&p.snapshot()).expect("snapshot JSON");
    let mut seed = vec![0];
    seed.extend_from_slice(&json);
    out.push(("snapshot", "seed-basic".into(), seed));
    let mut small = vec![1];
    small.extend_from_slice(&json);
    out.push(("snapshot", "seed-basic-small-caps".into(), small));
}

fn port_byte(port: u16) -> Vec<u8> {
    match PORTS.iter().position(|p| *p == port) {
        Some(i) => vec![u8::try_from(i).unwrap_or(0)],
        None => {
            let mut v = vec![0xff];
            v.extend_from_slice(&port.to_le_bytes());
            v
        }
    }
}

fn payload_seeds(frames: &[Frame], out: &mut Vec<Seed>) {
    let mut seen = BTreeSet::new();
    for (_, link, data) in frames {
        let Ok(d) = wardwatch_flow::decode(*link, data) else {
            continue;
        };
        match d.content {
            Content::Ip(ip) if !ip.payload.is_empty() => {
                let (transport, sp, dp) = match ip.transport {
                    TransportInfo::Tcp(t) => (Transport::Tcp, t.src_port, t.dst_port),
                    TransportInfo::Udp { src_port, dst_port } => {
                        (Transport::Udp, src_port, dst_port)
                    }
                    _ => continue,
                };
                let key = (transport, sp.min(dp), ip.payload.len().min(64) / 16);
                if !seen.insert(key) {
                    continue;
                }
                let mut seed = w().pick(TRANSPORTS, &transport).finish();
                seed.extend(port_byte(sp));
                seed.extend(port_byte(dp));
                seed.push(1);
                seed.extend_from_slice(ip.payload);
                out.push((
                    "inspect_payload",
                    format!("seed-{transport:?}-{sp}-{dp}-{}", ip.payload.len()).to_lowercase(),
                    seed,
                ));
            }
            Content::Frame { protocol, payload } => {
                let index = flow::FRAME_PROTOCOLS.iter().position(|p| *p == protocol);
                let mut seed = vec![u8::try_from(index.unwrap_or(0)).unwrap_or(0)];
                seed.extend_from_slice(payload);
                out.push((
                    "inspect_frame",
                    format!("seed-{protocol:04x}-{}", payload.len()),
                    seed,
                ));
            }
            _ => {}
        }
    }
}

fn dhcp_seeds(out: &mut Vec<Seed>) {
    // A client request: message type, host name, parameter list, vendor class, client id.
    let mut request = vec![53, 1, 3, 12, 6];
    request.extend_from_slice(b"PUMP-7");
    request.extend_from_slice(&[55, 4, 1, 3, 6, 15, 60, 8]);
    request.extend_from_slice(b"MSFT 5.0");
    request.extend_from_slice(&[61, 7, 1, 2, 0, 0, 0, 0, 1, 255]);
    let mut seed = vec![0];
    seed.extend_from_slice(&request);
    out.push(("dhcp", "seed-request".into(), seed));
    let mut seed = vec![1];
    seed.extend_from_slice(&[53, 1, 5, 54, 4, 10, 0, 0, 1, 60, 6]);
    seed.extend_from_slice(b"ArubaA");
    seed.push(255);
    out.push(("dhcp", "seed-ack".into(), seed));
    // Options dhcproto 0.15 `debug_assert!`s on when their length is off (94 client NDI,
    // 151 status code, 152 base time): the guard must keep them away from it.
    for (code, len) in [(94u8, 2u8), (94, 0), (151, 0), (152, 3), (153, 1)] {
        let mut seed = vec![0, 53, 1, 1, code, len];
        seed.extend(std::iter::repeat_n(7, usize::from(len)));
        seed.extend_from_slice(&[12, 4, b'P', b'U', b'M', b'P', 255]);
        out.push(("dhcp", format!("seed-option-{code}-len-{len}"), seed));
    }
}

fn reference_seeds(out: &mut Vec<Seed>) {
    use super::reference::{ADVISORIES, CATALOG, OUI};
    out.push((
        "catalog",
        "seed-shipped".into(),
        CATALOG.as_bytes().to_vec(),
    ));
    out.push(("catalog", "seed-empty".into(), b"format = 1\n".to_vec()));
    out.push((
        "advisory",
        "seed-shipped".into(),
        ADVISORIES.as_bytes().to_vec(),
    ));
    let oui: String = OUI.lines().take(64).map(|l| format!("{l}\n")).collect();
    out.push(("oui", "seed-head".into(), oui.into_bytes()));
    let pipeline = toml::to_string(&wardwatch_flow::PipelineConfig::default()).expect("TOML");
    out.push((
        "config",
        "seed-pipeline-defaults".into(),
        pipeline.into_bytes(),
    ));
    let detector = toml::to_string(&wardwatch_baseline::DetectorConfig::default()).expect("TOML");
    out.push((
        "config",
        "seed-detector-defaults".into(),
        detector.into_bytes(),
    ));
    let small = "window = \"10s\"\ninternal_networks = [\"10.0.0.0/8\", \"fd00::/8\"]\n\
                 [flows]\nmax_flows = 16\nhalf_open_timeout = \"2s\"\n\
                 [devices]\nmax_established = 2\nmax_unestablished = 2\n";
    out.push((
        "config",
        "seed-pipeline-small".into(),
        small.as_bytes().to_vec(),
    ));
}

/// splitmix64 bytes: deterministic filler for targets whose every byte is meaningful.
fn filler(seed: u64, len: usize) -> Vec<u8> {
    let mut z = seed;
    (0..len)
        .map(|_| {
            z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (x ^ (x >> 31)) as u8
        })
        .collect()
}

fn baseline_seeds(out: &mut Vec<Seed>) {
    let empty = wardwatch_baseline::ModelSet::empty().encode();
    out.push((
        "model_set",
        "seed-empty-raw".into(),
        [&[0u8][..], &empty].concat(),
    ));
    let trained = super::baseline::trained().encode();
    let body = &trained[24..trained.len() - 32];
    out.push((
        "model_set",
        "seed-pumps-sealed-body".into(),
        [&[1u8][..], body].concat(),
    ));
    let allow = "[[allow]]\ndevice = \"00:09:fb:12:34:56\"\nmodel = \"bd-alaris-pcu-8015\"\n\
                 kind = \"beaconing\"\npeer = \"203.0.113.0/24\"\nport = 443\n\
                 reason = \"vendor telemetry, ticket 4711\"\nauthor = \"j.doe\"\n\
                 created = \"2026-01-05T08:00:00Z\"\nexpires = \"2027-01-05T08:00:00Z\"\n\n\
                 [[allow]]\nkind = \"arp_scan\"\nreason = \"inventory scanner\"\n\
                 author = \"it\"\ncreated = 2026-01-05T08:00:00Z\n";
    out.push(("allowlist", "seed-docs".into(), allow.as_bytes().to_vec()));
    for (i, len) in [64usize, 512, 2048, 8192].iter().enumerate() {
        let mut seed = filler(i as u64 + 1, *len);
        seed[0] = u8::try_from(i).unwrap_or(0);
        out.push(("detector", format!("seed-filler-{len}"), seed));
    }
}

fn assess_seeds(out: &mut Vec<Seed>) {
    use super::assess::{CDX, MDS2_CSV, MDS2_XLSX, MUD, SPDX, VULNS};
    out.push(("assess_sbom", "seed-cdx".into(), CDX.to_vec()));
    out.push(("assess_sbom", "seed-spdx".into(), SPDX.to_vec()));
    out.push((
        "assess_mds2",
        "seed-csv".into(),
        [&[0u8][..], MDS2_CSV].concat(),
    ));
    out.push((
        "assess_mds2",
        "seed-xlsx".into(),
        [&[1u8][..], MDS2_XLSX].concat(),
    ));
    out.push(("assess_mud", "seed-mud".into(), MUD.to_vec()));
    for (file, bytes) in VULNS {
        let choice = u8::from(*file == super::assess::KEV_FILE);
        let name = file.trim_end_matches(".json").replace('/', "-");
        out.push((
            "assess_vuln",
            format!("seed-{name}"),
            [&[choice][..], bytes].concat(),
        ));
    }
    let advisories = super::reference::ADVISORIES.as_bytes();
    out.push((
        "assess_vuln",
        "seed-advisories".into(),
        [&[2u8][..], advisories].concat(),
    ));
}
