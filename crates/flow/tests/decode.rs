//! Decoding per link type, VLAN/QinQ, IPv6 extension headers, fragments, ICMP unreachable,
//! ARP and the non-IP frames identification reads.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "integration tests fail loudly on purpose"
)]

mod support;

use std::net::IpAddr;
use support::packets::{self, Host, flags};
use wardwatch_flow::MacAddr;
use wardwatch_flow::decode::{
    Content, DecodeErrorKind, DecodeLayer, ETHERTYPE_LLDP, Fragment, LinkType, SNAP_PID_CDP,
    TransportInfo, decode,
};

const A: Host = Host::internal(0, 1);
const B: Host = Host::internal(0, 2);

fn ip_of<'c, 'a>(content: &'c Content<'a>) -> &'c wardwatch_flow::decode::IpPacket<'a> {
    match content {
        Content::Ip(ip) => ip,
        other => panic!("not IP: {other:?}"),
    }
}

#[test]
fn link_types_from_dlt() {
    assert_eq!(LinkType::from_dlt(1), Some(LinkType::Ethernet));
    assert_eq!(LinkType::from_dlt(113), Some(LinkType::LinuxSll));
    assert_eq!(LinkType::from_dlt(276), Some(LinkType::LinuxSll2));
    for raw in [101, 228, 229, 12, 14] {
        assert_eq!(LinkType::from_dlt(raw), Some(LinkType::Raw));
    }
    assert_eq!(LinkType::from_dlt(0), Some(LinkType::Null));
    assert_eq!(LinkType::from_dlt(108), Some(LinkType::Null));
    assert_eq!(LinkType::from_dlt(127), None);
    assert_eq!(LinkType::LinuxSll2.dlt(), 276);
}

#[test]
fn ethernet_tcp_fields() {
    let frame = packets::tcp(A, B, (40000, 104), flags::SYN, (77, 0), &[]);
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    assert_eq!(d.src_mac, Some(MacAddr(A.mac)));
    assert_eq!(d.dst_mac, Some(MacAddr(B.mac)));
    assert_eq!(d.ethertype, Some(0x0800));
    assert!(!d.link_group && d.vlan.is_none() && d.stopped.is_none());
    let ip = ip_of(&d.content);
    assert_eq!(ip.src, IpAddr::from(A.ip));
    assert_eq!(ip.protocol, 6);
    match ip.transport {
        TransportInfo::Tcp(t) => {
            assert_eq!((t.src_port, t.dst_port, t.seq), (40000, 104, 77));
            assert!(t.flags.syn() && !t.flags.ack());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_link_type_yields_the_same_ip_packet() {
    let frame = packets::udp(A, B, (5000, 53), b"query");
    let expected = ip_of(&decode(LinkType::Ethernet, &frame).unwrap().content).clone();
    let sll = packets::to_sll(&frame, 0);
    let d = decode(LinkType::LinuxSll, &sll).unwrap();
    assert_eq!(d.src_mac, Some(MacAddr(A.mac)));
    assert_eq!(d.dst_mac, None);
    assert_eq!(ip_of(&d.content), &expected);
    let sll2 = packets::to_sll2(&frame, 1);
    let d = decode(LinkType::LinuxSll2, &sll2).unwrap();
    assert_eq!(d.src_mac, Some(MacAddr(A.mac)));
    assert!(d.link_group, "SLL packet type 1 is broadcast");
    assert_eq!(ip_of(&d.content), &expected);
    let raw = packets::to_raw(&frame);
    let d = decode(LinkType::Raw, &raw).unwrap();
    assert_eq!((d.src_mac, d.ethertype), (None, Some(0x0800)));
    assert_eq!(ip_of(&d.content), &expected);
    for family in [2u32, 2u32.swap_bytes()] {
        let null = packets::to_null(&frame, family);
        assert_eq!(
            ip_of(&decode(LinkType::Null, &null).unwrap().content),
            &expected
        );
    }
    let bad = packets::to_null(&frame, 99);
    let e = decode(LinkType::Null, &bad).unwrap_err();
    assert_eq!(
        (e.kind, e.layer),
        (DecodeErrorKind::UnknownProtocol, DecodeLayer::Link)
    );
}

#[test]
fn vlan_and_qinq_give_the_outer_id() {
    let frame = packets::udp_vlan(A, B, 42, (1, 2));
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    assert_eq!(d.vlan, Some(42));
    assert_eq!(d.ethertype, Some(0x0800));
    let frame = packets::syn_qinq(A, B, 100, 7, (1, 2));
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    assert_eq!(d.vlan, Some(100));
    assert!(matches!(ip_of(&d.content).transport, TransportInfo::Tcp(_)));
    let cut = &frame[..16];
    let e = decode(LinkType::Ethernet, cut).unwrap_err();
    assert_eq!(
        (e.kind, e.layer),
        (DecodeErrorKind::Truncated, DecodeLayer::Vlan)
    );
}

#[test]
fn ipv6_extension_headers_are_skipped() {
    let src = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let dst = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    let frame = packets::udp6_hop_by_hop(A.mac, B.mac, src, dst, (546, 547));
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    let ip = ip_of(&d.content);
    assert_eq!(ip.protocol, 17);
    assert_eq!(ip.src, IpAddr::from(src));
    assert_eq!(
        ip.transport,
        TransportInfo::Udp {
            src_port: 546,
            dst_port: 547
        }
    );
    assert_eq!(ip.payload, b"v6");
}

/// Raw IPv6 from fd..01 to fd..02 whose payload (`exts`) starts with `next` header.
fn ipv6(next: u8, exts: &[u8]) -> Vec<u8> {
    let len = u16::try_from(exts.len()).unwrap().to_be_bytes();
    let mut packet = vec![0x60, 0, 0, 0, len[0], len[1], next, 64];
    packet.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    packet.extend_from_slice(&[0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    packet.extend_from_slice(exts);
    packet
}

/// Regression (found by the `decode` fuzz target; input in `fuzz/regressions/decode/`):
/// etherparse 0.21's IPv6 extension iterator trusted the next-header field of the last valid
/// header and read the next one past the validated slice with `get_unchecked` when the chain
/// was cut by an invalid header, here a second hop-by-hop header.
#[test]
fn ipv6_extension_chain_cut_by_an_invalid_header_is_not_read_past() {
    // hop-by-hop → hop-by-hop (only allowed first), then bytes that are not a header.
    let packet = ipv6(0, &[0, 0, 1, 4, 0, 0, 0, 0, 17, 0]);
    let d = decode(LinkType::Raw, &packet).unwrap();
    let ip = ip_of(&d.content);
    assert_eq!(ip.fragment, None);
    assert_eq!(ip.transport, TransportInfo::None);
    assert!(d.stopped.is_some(), "{d:?}");
    // Every cut of it too.
    for end in 0..packet.len() {
        let _ = decode(LinkType::Raw, &packet[..end]);
    }
}

#[test]
fn ipv6_fragment_header_behind_hop_by_hop_is_read() {
    // hop-by-hop → fragment (offset 0, more fragments) → UDP 546 → 547.
    let exts = [
        44, 0, 1, 4, 0, 0, 0, 0, // hop-by-hop, padding
        17, 0, 0, 1, 0, 0, 0, 9, // fragment: next UDP, offset 0, M set, id 9
        2, 34, 2, 35, 0, 10, 0, 0, b'v', b'6',
    ];
    let packet = ipv6(0, &exts);
    let d = decode(LinkType::Raw, &packet).unwrap();
    let ip = ip_of(&d.content);
    assert_eq!(
        ip.fragment,
        Some(Fragment {
            offset: 0,
            more: true
        })
    );
    assert_eq!(ip.protocol, 17);
    // A later fragment: offset 185 (1480 bytes), no ports.
    let mut later = exts;
    later[10..12].copy_from_slice(&(185u16 << 3).to_be_bytes());
    let packet = ipv6(0, &later);
    let d = decode(LinkType::Raw, &packet).unwrap();
    assert_eq!(
        ip_of(&d.content).fragment,
        Some(Fragment {
            offset: 185,
            more: false
        })
    );
}

#[test]
fn fragments_give_ports_only_when_first() {
    let (first, second) = packets::udp_fragments(A, B, (5000, 161));
    let d = decode(LinkType::Ethernet, &first).unwrap();
    let ip = ip_of(&d.content);
    assert_eq!(
        ip.fragment,
        Some(Fragment {
            offset: 0,
            more: true
        })
    );
    assert_eq!(
        ip.transport,
        TransportInfo::Udp {
            src_port: 5000,
            dst_port: 161
        }
    );
    let d = decode(LinkType::Ethernet, &second).unwrap();
    let ip = ip_of(&d.content);
    assert_eq!(
        ip.fragment,
        Some(Fragment {
            offset: 3,
            more: false
        })
    );
    assert_eq!(ip.transport, TransportInfo::None);
}

#[test]
fn icmp_unreachable_quotes_the_original_flow() {
    let original = packets::udp(A, B, (40000, 161), b"get");
    let frame = packets::port_unreachable(B, A, &original);
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    match ip_of(&d.content).transport {
        TransportInfo::Icmp(icmp) => {
            assert_eq!((icmp.v6, icmp.icmp_type, icmp.code), (false, 3, 3));
            let q = icmp.unreachable.unwrap();
            assert_eq!((q.src, q.dst), (IpAddr::from(A.ip), IpAddr::from(B.ip)));
            assert_eq!((q.protocol, q.src_port, q.dst_port), (17, 40000, 161));
        }
        other => panic!("{other:?}"),
    }
    let ping = packets::ping(A, B, 9, 1, true);
    match ip_of(&decode(LinkType::Ethernet, &ping).unwrap().content).transport {
        TransportInfo::Icmp(icmp) => assert_eq!(icmp.echo, Some((true, 9))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn arp_lldp_and_cdp() {
    let frame = packets::arp(A, 1, [0; 6], B.ip);
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    assert!(d.link_group);
    match d.content {
        Content::Arp(arp) => {
            assert_eq!(arp.operation, 1);
            assert_eq!(arp.sender_mac, Some(MacAddr(A.mac)));
            assert_eq!(arp.sender_ip, Some(A.ip.into()));
            assert_eq!(arp.target_ip, Some(B.ip.into()));
            assert!(!arp.is_gratuitous());
        }
        other => panic!("{other:?}"),
    }
    let lldp = packets::lldp(A.mac);
    let d = decode(LinkType::Ethernet, &lldp).unwrap();
    match d.content {
        Content::Frame { protocol, payload } => {
            assert_eq!(protocol, ETHERTYPE_LLDP);
            assert_eq!(payload.first(), Some(&0x02));
        }
        other => panic!("{other:?}"),
    }
    let cdp = packets::cdp(A.mac);
    let d = decode(LinkType::Ethernet, &cdp).unwrap();
    match d.content {
        Content::Frame { protocol, payload } => {
            assert_eq!(protocol, SNAP_PID_CDP);
            assert_eq!(
                payload.first(),
                Some(&0x02),
                "CDP version byte follows the SNAP header"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn snap_with_zero_oui_carries_ip() {
    let ip_frame = packets::udp(A, B, (1, 2), b"x");
    let mut frame = ip_frame[..12].to_vec();
    let body_len = 8 + ip_frame.len() - 14;
    frame.extend_from_slice(&(body_len as u16).to_be_bytes());
    frame.extend_from_slice(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    frame.extend_from_slice(&ip_frame[14..]);
    let d = decode(LinkType::Ethernet, &frame).unwrap();
    assert_eq!(
        ip_of(&d.content).transport,
        TransportInfo::Udp {
            src_port: 1,
            dst_port: 2
        }
    );
}

#[test]
fn snaplen_cut_keeps_the_ip_layer() {
    let frame = packets::tcp(A, B, (40000, 443), flags::PSHACK, (1, 1), &[0u8; 400]);
    let cut = &frame[..14 + 20 + 10];
    let d = decode(LinkType::Ethernet, cut).unwrap();
    let stop = d.stopped.unwrap();
    assert_eq!(
        (stop.kind, stop.layer),
        (DecodeErrorKind::Truncated, DecodeLayer::Tcp)
    );
    let ip = ip_of(&d.content);
    assert_eq!(ip.dst, IpAddr::from(B.ip));
    assert!(ip.payload_incomplete);
    let in_payload = &frame[..14 + 20 + 20 + 100];
    let d = decode(LinkType::Ethernet, in_payload).unwrap();
    assert!(d.stopped.is_none());
    let ip = ip_of(&d.content);
    assert!(ip.payload_incomplete);
    assert_eq!(ip.payload.len(), 100);
    let e = decode(LinkType::Ethernet, &frame[..13]).unwrap_err();
    assert_eq!(
        (e.kind, e.layer),
        (DecodeErrorKind::Truncated, DecodeLayer::Link)
    );
    let mut bad_version = frame.clone();
    bad_version[14] = 0x75;
    let e = decode(LinkType::Ethernet, &bad_version).unwrap_err();
    assert_eq!(
        (e.kind, e.layer),
        (DecodeErrorKind::UnsupportedIpVersion, DecodeLayer::Ip)
    );
}
