//! Golden snapshots of the events (window feature vectors included) of the committed fixture
//! `fixtures/flow/basic.pcap`, and determinism: two runs give byte-identical JSON.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "integration tests fail loudly on purpose"
)]

mod support;

use support::corpus::mixed_traffic;
use support::fixture;
use wardwatch_flow::{Event, LinkType, Packet, Pipeline, Timestamp};

fn fixture_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/flow/basic.pcap")
}

/// The fixture's packets as (µs, link type, bytes), read with libpcap.
fn read_fixture() -> (LinkType, Vec<(u64, Vec<u8>)>) {
    let mut capture = pcap::Capture::from_file(fixture_path()).expect("fixtures/flow/basic.pcap");
    let link = u32::try_from(capture.get_datalink().0)
        .ok()
        .and_then(LinkType::from_dlt)
        .expect("link type");
    let mut out = Vec::new();
    loop {
        match capture.next_packet() {
            Ok(p) => {
                let ts = p.header.ts.tv_sec as u64 * 1_000_000 + p.header.ts.tv_usec as u64;
                out.push((ts, p.data.to_vec()));
            }
            Err(pcap::Error::NoMorePackets) => break,
            Err(e) => panic!("reading the fixture: {e}"),
        }
    }
    (link, out)
}

fn replay(link: LinkType, frames: &[(u64, Vec<u8>)]) -> (Vec<Event>, Pipeline) {
    let mut p = support::pipeline();
    let mut events = Vec::new();
    for (us, data) in frames {
        let packet = Packet {
            ts: Timestamp(*us),
            link,
            data,
            wire_len: data.len() as u32,
        };
        p.push(&packet, &mut events);
    }
    p.flush(&mut events);
    (events, p)
}

#[test]
fn fixture_is_current() {
    let (link, frames) = read_fixture();
    assert_eq!(link, LinkType::Ethernet);
    assert!(
        frames == fixture::basic(),
        "fixtures/flow/basic.pcap differs from tests/support/fixture.rs; regenerate with \
         `cargo run -p wardwatch-flow --example flow_fixture` (see fixtures/flow/README.md)"
    );
}

#[test]
fn basic_fixture_events_snapshot() {
    let (link, frames) = read_fixture();
    let (events, p) = replay(link, &frames);
    let stats = p.stats();
    assert_eq!(stats.packets, 227);
    assert_eq!(stats.decode_errors.total(), 0);
    assert_eq!(
        stats.flows.created,
        stats.flows.active + stats.flows.evicted_total()
    );
    insta::assert_json_snapshot!("basic_events", events);
    insta::assert_json_snapshot!("basic_stats", stats);
    insta::assert_json_snapshot!("basic_inventory", p.devices());
}

#[test]
fn replays_are_byte_identical() {
    let (link, frames) = read_fixture();
    let first = serde_json::to_string(&replay(link, &frames).0).unwrap();
    let second = serde_json::to_string(&replay(link, &frames).0).unwrap();
    assert_eq!(first, second);
    let mixed: Vec<(u64, Vec<u8>)> = mixed_traffic(40, 150)
        .into_iter()
        .map(|(ms, f)| (ms * 1000, f))
        .collect();
    let (a, pa) = replay(LinkType::Ethernet, &mixed);
    let (b, pb) = replay(LinkType::Ethernet, &mixed);
    assert!(a.len() > 100, "{} events", a.len());
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&pa.devices()).unwrap(),
        serde_json::to_string(&pb.devices()).unwrap()
    );
    assert_eq!(
        serde_json::to_string(&pa.snapshot()).unwrap(),
        serde_json::to_string(&pb.snapshot()).unwrap()
    );
}
