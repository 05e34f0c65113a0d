//! A varied set of valid frames (every link type, VLANs, IPv6, fragments, ICMP, ARP, L2
//! control frames, DHCP) and a deterministic mixed traffic generator, for robustness tests,
//! determinism tests and the benchmark.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test support: builds known-good frames"
)]

use super::packets::{self, Host, flags};
use wardwatch_flow::LinkType;

/// (link type, frame bytes)
pub type Sample = (LinkType, Vec<u8>);

/// At least 50 valid frames of many shapes.
pub fn valid_frames() -> Vec<Sample> {
    let a = Host::internal(0, 1);
    let b = Host::internal(0, 2);
    let gw = Host::internal(0, 254);
    let ext = Host::external(gw, [93, 184, 216, 34]);
    let mut eth: Vec<Vec<u8>> = Vec::new();
    for (i, f) in [
        flags::SYN,
        flags::SYNACK,
        flags::ACK,
        flags::PSHACK,
        flags::FINACK,
        flags::RST,
        flags::RSTACK,
    ]
    .iter()
    .enumerate()
    {
        eth.push(packets::tcp(
            a,
            b,
            (40000 + i as u16, 104),
            *f,
            (1, 2),
            &vec![b'x'; i * 37],
        ));
    }
    eth.push(packets::tcp(
        a,
        ext,
        (40100, 443),
        flags::PSHACK,
        (5, 6),
        &[0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0],
    ));
    for n in [0usize, 1, 12, 300] {
        eth.push(packets::udp(a, b, (5353, 53), &vec![7u8; n]));
    }
    eth.push(packets::udp_broadcast(a, (68, 67), b"discover"));
    eth.push(packets::udp_vlan(a, b, 42, (1, 2)));
    eth.push(packets::udp_vlan(a, b, 4094, (161, 162)));
    eth.push(packets::syn_qinq(a, b, 100, 200, (3, 4)));
    eth.push(packets::ping(a, b, 1, 1, true));
    eth.push(packets::ping(b, a, 1, 1, false));
    let original = packets::udp(a, b, (40000, 161), b"get");
    eth.push(packets::port_unreachable(b, a, &original));
    let syn = packets::tcp(a, b, (40001, 23), flags::SYN, (9, 0), &[]);
    eth.push(packets::port_unreachable(gw, a, &syn));
    eth.push(packets::arp(a, 1, [0; 6], b.ip));
    eth.push(packets::arp(b, 2, a.mac, a.ip));
    eth.push(packets::arp_claim(gw.mac, gw.ip));
    eth.push(packets::lldp(a.mac));
    eth.push(packets::cdp(a.mac));
    eth.push(packets::dhcp_ack(gw, a.mac, a.ip));
    let (f1, f2) = packets::udp_fragments(a, b, (5000, 161));
    eth.push(f1);
    eth.push(f2);
    let v6a = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let v6b = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    eth.push(packets::udp6_hop_by_hop(a.mac, b.mac, v6a, v6b, (546, 547)));
    let mut out: Vec<Sample> = Vec::new();
    for frame in &eth {
        out.push((LinkType::Ethernet, frame.clone()));
    }
    // The IP frames (not VLAN-tagged, not ARP/L2) in the other link types too.
    for frame in eth
        .iter()
        .filter(|f| f.len() > 14 && f[12..14] == [0x08, 0x00])
    {
        out.push((LinkType::LinuxSll, packets::to_sll(frame, 0)));
        out.push((LinkType::LinuxSll2, packets::to_sll2(frame, 4)));
        out.push((LinkType::Raw, packets::to_raw(frame)));
        out.push((LinkType::Null, packets::to_null(frame, 2)));
    }
    out
}

/// Deterministic mixed ward-like traffic: `devices` internal hosts doing DICOM/HL7/HTTPS
/// sessions, DNS, NTP, pings and ARP, with some scans and failures. (ms offset, frame).
pub fn mixed_traffic(devices: u8, seconds: u64) -> Vec<(u64, Vec<u8>)> {
    let gw = Host::internal(0, 254);
    let dns = Host::internal(0, 53);
    let pacs = Host::internal(1, 10);
    let ext = Host::external(gw, [93, 184, 216, 34]);
    let mut state = 0x853c_49e6_748f_ea9bu64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::new();
    for second in 0..seconds {
        for d in 0..devices {
            let host = Host::internal(2, d.saturating_add(1));
            let base = second * 1000 + u64::from(d) * 3;
            let port = 30000 + ((second * 31 + u64::from(d)) % 30000) as u16;
            match next() % 10 {
                0 | 1 => {
                    for (ms, f) in packets::tcp_session(host, pacs, (port, 104), 600, 40) {
                        out.push((base + ms, f));
                    }
                }
                2 => {
                    for (ms, f) in packets::tcp_session(host, ext, (port, 443), 300, 1200) {
                        out.push((base + ms, f));
                    }
                }
                3 | 4 => {
                    out.push((
                        base,
                        packets::udp(host, dns, (port, 53), b"\x12\x34\x01\x00\x00\x01"),
                    ));
                    out.push((
                        base + 1,
                        packets::udp(dns, host, (53, port), b"\x12\x34\x81\x83\x00\x01"),
                    ));
                }
                5 => {
                    out.push((base, packets::udp(host, gw, (123, 123), &[0x23; 48])));
                    out.push((base + 1, packets::udp(gw, host, (123, 123), &[0x24; 48])));
                }
                6 => out.push((base, packets::arp(host, 1, [0; 6], pacs.ip))),
                7 => {
                    out.push((
                        base,
                        packets::ping(host, gw, u16::from(d), second as u16, true),
                    ));
                    out.push((
                        base + 1,
                        packets::ping(gw, host, u16::from(d), second as u16, false),
                    ));
                }
                8 => {
                    let target = Host::internal(3, (next() % 200) as u8);
                    out.push((
                        base,
                        packets::tcp(host, target, (port, 445), flags::SYN, (1, 0), &[]),
                    ));
                }
                _ => {
                    let probe = packets::udp(host, pacs, (port, 161), b"get");
                    out.push((base, probe.clone()));
                    out.push((base + 1, packets::port_unreachable(pacs, host, &probe)));
                }
            }
        }
    }
    out.sort_by_key(|(ms, _)| *ms);
    out
}
