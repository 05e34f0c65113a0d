//! The scenario of `fixtures/flow/basic.pcap`: three minutes of a small ward network with
//! regular device traffic and a few incidents. Deterministic: the same frames every time.
//!
//! Regenerate the file with `cargo run -p wardwatch-flow --example flow_fixture`.

#![allow(dead_code)]

use super::packets::{self, Host, flags};

/// 2026-01-05T08:00:00Z.
pub const START_SECS: u64 = 1_767_600_000;

const PUMP1: Host = Host {
    mac: [0x00, 0x09, 0xfb, 0x00, 0x00, 0x11],
    ip: [10, 10, 0, 11],
};
const PUMP2: Host = Host {
    mac: [0x00, 0x09, 0xfb, 0x00, 0x00, 0x12],
    ip: [10, 10, 0, 12],
};
const SERVER: Host = Host {
    mac: [0x00, 0x50, 0x56, 0x00, 0x01, 0x00],
    ip: [10, 10, 0, 100],
};
const DNS: Host = Host {
    mac: [0x00, 0x50, 0x56, 0x00, 0x00, 0x53],
    ip: [10, 10, 0, 53],
};
const GW: Host = Host {
    mac: [0x00, 0x1b, 0x54, 0x00, 0x00, 0x01],
    ip: [10, 10, 0, 1],
};
const WS: Host = Host {
    mac: [0x3c, 0x52, 0x82, 0x00, 0x00, 0x50],
    ip: [10, 10, 0, 50],
};
const ATTACKER_MAC: [u8; 6] = [0x02, 0xba, 0xd0, 0x00, 0x00, 0x01];
const C2: Host = Host::external(GW, [203, 0, 113, 10]);
const PROBER: Host = Host::external(GW, [198, 51, 100, 23]);

/// (microseconds since the epoch, Ethernet frame), sorted by time.
pub fn basic() -> Vec<(u64, Vec<u8>)> {
    let mut out: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut add = |secs: u64, ms: u64, frame: Vec<u8>| {
        out.push(((START_SECS + secs) * 1_000_000 + ms * 1000, frame))
    };
    add(0, 0, packets::arp_claim(GW.mac, GW.ip));
    add(0, 5, packets::arp(DNS, 1, [0; 6], GW.ip));
    add(0, 6, packets::arp(GW, 2, DNS.mac, DNS.ip));
    add(
        1,
        0,
        packets::udp_broadcast(
            Host {
                mac: WS.mac,
                ip: [0, 0, 0, 0],
            },
            (68, 67),
            b"\x01\x01\x06\x00discover",
        ),
    );
    add(1, 20, packets::dhcp_ack(DNS, WS.mac, WS.ip));
    // HL7 results from both pumps to the server every 20 s.
    for (i, pump) in [PUMP1, PUMP2].iter().enumerate() {
        for k in 0..9u64 {
            let secs = 2 + 20 * k + i as u64;
            for (ms, f) in packets::tcp_session(*pump, SERVER, (41000 + k as u16, 2575), 300, 40) {
                add(secs, ms, f);
            }
        }
    }
    // DNS from pump 1 every 30 s; NTP from pump 2 every 64 s.
    for k in 0..6u64 {
        let port = 52000 + k as u16;
        add(
            5 + 30 * k,
            0,
            packets::udp(PUMP1, DNS, (port, 53), b"\x00\x01\x01\x00\x00\x01"),
        );
        add(
            5 + 30 * k,
            2,
            packets::udp(DNS, PUMP1, (53, port), b"\x00\x01\x81\x80\x00\x01"),
        );
    }
    for k in 0..3u64 {
        add(
            7 + 64 * k,
            0,
            packets::udp(PUMP2, GW, (123, 123), &[0x23; 48]),
        );
        add(
            7 + 64 * k,
            3,
            packets::udp(GW, PUMP2, (123, 123), &[0x24; 48]),
        );
    }
    // The workstation beacons out about once a minute (jittered).
    for (k, secs) in [3u64, 61, 124, 178].iter().enumerate() {
        for (ms, f) in packets::tcp_session(WS, C2, (49000 + k as u16, 443), 180, 900) {
            add(*secs, ms, f);
        }
    }
    // ... then scans SMB on the pump subnet: some refuse, most never answer.
    for (n, last) in (20u8..30).enumerate() {
        let target = Host::internal(10, last);
        let target = Host {
            ip: [10, 10, 0, last],
            ..target
        };
        add(
            70,
            n as u64 * 10,
            packets::tcp(WS, target, (50000 + n as u16, 445), flags::SYN, (1, 0), &[]),
        );
        if last % 3 == 0 {
            add(
                70,
                n as u64 * 10 + 1,
                packets::tcp(
                    target,
                    WS,
                    (445, 50000 + n as u16),
                    flags::RSTACK,
                    (0, 2),
                    &[],
                ),
            );
        }
    }
    // ... and pings the devices.
    for (n, host) in [PUMP1, PUMP2, SERVER].iter().enumerate() {
        add(
            80,
            n as u64 * 5,
            packets::ping(WS, *host, 77, n as u16, true),
        );
        add(
            80,
            n as u64 * 5 + 1,
            packets::ping(*host, WS, 77, n as u16, false),
        );
    }
    // An ARP spoofer claims the gateway's address.
    add(90, 0, packets::arp_claim(ATTACKER_MAC, GW.ip));
    add(91, 0, packets::arp_claim(ATTACKER_MAC, GW.ip));
    add(150, 0, packets::arp_claim(ATTACKER_MAC, GW.ip));
    // An internet host tries Telnet on pump 1, which resets.
    add(
        100,
        0,
        packets::tcp(PROBER, PUMP1, (33000, 23), flags::SYN, (5, 0), &[]),
    );
    add(
        100,
        1,
        packets::tcp(PUMP1, PROBER, (23, 33000), flags::RSTACK, (0, 6), &[]),
    );
    // SNMP to pump 2 is refused with ICMP port unreachable.
    let snmp = packets::udp(SERVER, PUMP2, (40161, 161), b"public");
    add(110, 0, snmp.clone());
    add(110, 1, packets::port_unreachable(PUMP2, SERVER, &snmp));
    // Switch discovery frames.
    add(120, 0, packets::lldp(GW.mac));
    add(120, 1, packets::cdp(GW.mac));
    out.sort_by_key(|(us, _)| *us);
    out
}
