//! Hostile input and accounting: arbitrary bytes never panic on any link type; every valid
//! frame cut at every offset never panics and each failure is counted; flow and device
//! accounting stay exact under random traffic and a spoofed-source flood past the caps.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "integration tests fail loudly on purpose"
)]

mod support;

use proptest::prelude::*;
use support::corpus::valid_frames;
use support::packets::{self, Host, flags};
use wardwatch_flow::decode::{Content, LinkType, decode};
use wardwatch_flow::device::DeviceTableConfig;
use wardwatch_flow::flow_table::FlowTableConfig;
use wardwatch_flow::{Packet, Pipeline, PipelineConfig, Timestamp};

fn push(
    p: &mut Pipeline,
    link: LinkType,
    data: &[u8],
    ms: u64,
    events: &mut Vec<wardwatch_flow::Event>,
) {
    let packet = Packet {
        ts: Timestamp(ms * 1000),
        link,
        data,
        wire_len: data.len() as u32,
    };
    p.push(&packet, events);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..1600), link in 0usize..5) {
        let link = LinkType::ALL[link];
        let _ = decode(link, &data);
        let mut p = support::pipeline();
        let mut events = Vec::new();
        push(&mut p, link, &data, 1, &mut events);
        p.flush(&mut events);
        let s = p.stats();
        prop_assert_eq!(s.packets, 1);
        prop_assert_eq!(s.flows.created, s.flows.active + s.flows.evicted_total());
    }

    #[test]
    fn mutated_valid_frames_never_panic(index in 0usize..1000, flips in proptest::collection::vec((any::<u16>(), any::<u8>()), 1..8)) {
        let frames = valid_frames();
        let (link, mut data) = frames[index % frames.len()].clone();
        for (at, byte) in flips {
            let len = data.len();
            data[at as usize % len] = byte;
        }
        let mut p = support::pipeline();
        let mut events = Vec::new();
        push(&mut p, link, &data, 1, &mut events);
        p.flush(&mut events);
    }

    #[test]
    fn dhcp_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = wardwatch_flow::dhcp::ack_lease(&data);
    }
}

#[derive(Default, Debug, PartialEq)]
struct Tally {
    errors: u64,
    partial: u64,
    snaplen_cut: u64,
}

#[test]
fn every_truncation_is_counted() {
    let frames = valid_frames();
    assert!(frames.len() >= 50, "{} frames", frames.len());
    let mut expected = Tally::default();
    let mut p = support::pipeline();
    let mut events = Vec::new();
    let mut ms = 0;
    for (link, frame) in &frames {
        let mut clean_from = None;
        for n in 0..frame.len() {
            let cut = &frame[..n];
            match decode(*link, cut) {
                Err(_) => expected.errors += 1,
                Ok(d) => {
                    if d.stopped.is_some() {
                        expected.partial += 1;
                    } else {
                        clean_from.get_or_insert(n);
                    }
                    if let Content::Ip(ip) = &d.content
                        && ip.payload_incomplete
                    {
                        expected.snaplen_cut += 1;
                    }
                }
            }
            // Once a cut decodes cleanly, every longer cut of the same frame does too.
            if let Some(clean) = clean_from {
                assert!(
                    decode(*link, cut).is_ok_and(|d| d.stopped.is_none()),
                    "{link:?} frame {frame:02x?}: clean at {clean}, not at {n}"
                );
            }
            ms += 1;
            push(&mut p, *link, cut, ms, &mut events);
        }
        let whole = decode(*link, frame).unwrap();
        assert!(
            whole.stopped.is_none(),
            "valid frame decodes fully: {frame:02x?}"
        );
    }
    p.flush(&mut events);
    let s = p.stats();
    let counted = Tally {
        errors: s.decode_errors.total(),
        partial: s.decode_partial.total(),
        snaplen_cut: s.snaplen_cut,
    };
    assert_eq!(counted, expected);
    assert!(
        expected.errors > 1000 && expected.partial > 100,
        "{expected:?}"
    );
    assert_eq!(s.flows.created, s.flows.active + s.flows.evicted_total());
}

fn small_caps() -> PipelineConfig {
    PipelineConfig {
        flows: FlowTableConfig {
            max_flows: 64,
            ..FlowTableConfig::default()
        },
        devices: DeviceTableConfig {
            max_established: 8,
            max_unestablished: 16,
            max_window_entries: 4096,
            ..DeviceTableConfig::default()
        },
        ..PipelineConfig::default()
    }
}

fn check_accounting(p: &Pipeline) {
    let s = p.stats();
    assert_eq!(
        s.flows.created,
        s.flows.active + s.flows.evicted_total(),
        "{:?}",
        s.flows
    );
    let d = &s.devices;
    assert_eq!(
        d.created,
        d.established + d.unestablished + d.unestablished_evicted + d.established_retired,
        "{d:?}"
    );
    assert!(d.unestablished <= 16 && d.established <= 8, "{d:?}");
    assert!(s.flows.active <= 64);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn accounting_holds_under_random_traffic_and_a_spoofed_flood(
        stream in proptest::collection::vec((0u64..3000, 0u8..12, 0u8..12, 0u16..6, 0usize..5), 1..300),
        flood in 100u32..1500,
    ) {
        let mut p = Pipeline::new(small_caps(), &wardwatch_flow::catalog::Catalog::parse("format = 1").unwrap(), &Default::default()).unwrap();
        let mut events = Vec::new();
        // Three devices establish themselves with complete handshakes.
        let stable = [Host::internal(0, 1), Host::internal(0, 2), Host::internal(0, 3)];
        let mut ms = 0;
        for (i, client) in stable.iter().enumerate() {
            for (off, f) in packets::tcp_session(*client, Host::internal(9, 9), (40000 + i as u16, 104), 10, 10) {
                push(&mut p, LinkType::Ethernet, &f, ms + off, &mut events);
            }
            ms += 10;
        }
        // Random traffic among a small pool.
        let kinds = [flags::SYN, flags::SYNACK, flags::ACK, flags::RSTACK, flags::FINACK];
        for (gap, src, dst, port, kind) in stream {
            ms += gap;
            let (s, d) = (Host::internal(1, src), Host::internal(1, dst));
            let frame = match kind {
                4 => packets::udp(s, d, (1000 + port, 53), b"q"),
                k => packets::tcp(s, d, (1000 + port, 80 + port), kinds[k], (1, 1), &[]),
            };
            push(&mut p, LinkType::Ethernet, &frame, ms, &mut events);
            check_accounting(&p);
        }
        // A spoofed-source SYN flood: every packet from a new MAC and address.
        for i in 0..flood {
            ms += 1;
            let [x, y] = (i as u16).to_be_bytes();
            let spoofed = Host { mac: [0x02, 0xee, 0, 0, x, y], ip: [10, 200, x, y] };
            let frame = packets::tcp(spoofed, stable[0], (1024, 80), flags::SYN, (i, 0), &[]);
            push(&mut p, LinkType::Ethernet, &frame, ms, &mut events);
        }
        check_accounting(&p);
        p.flush(&mut events);
        check_accounting(&p);
        let s = p.stats();
        prop_assert!(s.devices.unestablished_evicted >= u64::from(flood) - 16);
        prop_assert!(s.flows.evicted_total() >= u64::from(flood) - 64);
        let records = p.devices();
        for host in stable {
            let record = records
                .iter()
                .find(|r| r.device.mac == Some(wardwatch_flow::MacAddr(host.mac)));
            prop_assert!(record.is_some_and(|r| r.established), "{:?} survived", host.ip);
        }
        prop_assert_eq!(s.flows.active, 0);
    }
}

#[test]
fn flood_windows_stay_bounded_and_counted() {
    let mut p = Pipeline::new(
        small_caps(),
        &wardwatch_flow::catalog::Catalog::parse("format = 1").unwrap(),
        &Default::default(),
    )
    .unwrap();
    let mut events = Vec::new();
    let victim = Host::internal(0, 1);
    for i in 0..5000u32 {
        let [_, _, x, y] = i.to_be_bytes();
        let spoofed = Host {
            mac: [0x02, 0xee, 0, 0, x, y],
            ip: [10, 200, x, y],
        };
        push(
            &mut p,
            LinkType::Ethernet,
            &packets::tcp(spoofed, victim, (1024, 80), flags::SYN, (i, 0), &[]),
            u64::from(i),
            &mut events,
        );
    }
    p.flush(&mut events);
    let s = p.stats();
    assert_eq!(s.devices.created, 5000);
    assert_eq!(s.devices.unestablished_evicted, 5000 - 16);
    assert_eq!(
        s.devices.windows_dropped,
        5000 - 16,
        "each evicted device had an open window"
    );
    assert_eq!(s.site.windows_emitted, 16);
    assert_eq!(s.flows.created, 5000);
}
