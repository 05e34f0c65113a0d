//! The network and transport layers: addresses, fragments, TCP/UDP ports and flags, ICMP
//! messages and the original header quoted in a destination-unreachable message.

use super::{
    DecodeError, DecodeErrorKind, DecodeLayer, Embedded, Fragment, IPPROTO_TCP, IPPROTO_UDP,
    IcmpInfo, IpPacket, TcpFlags, TcpInfo, TransportInfo,
};
use etherparse::err::ip::{HeaderError, LaxHeaderSliceError};
use etherparse::{LaxIpSlice, LaxNetSlice, TcpSlice, TransportSlice};
use std::net::IpAddr;

/// ICMPv4 destination unreachable.
const ICMP4_UNREACHABLE: u8 = 3;
/// ICMPv6 destination unreachable.
const ICMP6_UNREACHABLE: u8 = 1;

/// Maps an IP header error (raw IP link types) onto our kinds.
pub(super) fn header_error(error: &LaxHeaderSliceError) -> DecodeError {
    let kind = match error {
        LaxHeaderSliceError::Len(_) => DecodeErrorKind::Truncated,
        LaxHeaderSliceError::Content(HeaderError::UnsupportedIpVersion { .. }) => {
            DecodeErrorKind::UnsupportedIpVersion
        }
        LaxHeaderSliceError::Content(_) => DecodeErrorKind::Malformed,
    };
    DecodeError {
        kind,
        layer: DecodeLayer::Ip,
    }
}

/// The fragment header among the IPv6 extension headers etherparse validated, walked here with
/// bounds checks. etherparse 0.21's own extension iterator must not be used: when the lax parser
/// stops at an invalid header (a cut chain, a second hop-by-hop header), the validated slice
/// ends but the last header still names a next extension, and the iterator reads it with
/// `get_unchecked` past the slice: an out-of-bounds read found by fuzzing
/// (`fuzz/regressions/decode/`). Every header is at least 8 bytes, so the walk ends.
fn ipv6_fragment(first: Option<u8>, mut rest: &[u8]) -> Option<Fragment> {
    const HOP_BY_HOP: u8 = 0;
    const ROUTE: u8 = 43;
    const FRAGMENT: u8 = 44;
    const AUTH: u8 = 51;
    const DEST_OPTIONS: u8 = 60;
    let mut next = first?;
    let mut fragment = None;
    while !rest.is_empty() {
        let len = match next {
            HOP_BY_HOP | ROUTE | DEST_OPTIONS => usize::from(*rest.get(1)?)
                .saturating_add(1)
                .saturating_mul(8),
            FRAGMENT => 8,
            AUTH => usize::from(*rest.get(1)?)
                .saturating_add(2)
                .saturating_mul(4),
            _ => break,
        };
        let header = rest.get(..len)?;
        if next == FRAGMENT {
            let word = u16::from_be_bytes([*header.get(2)?, *header.get(3)?]);
            let (offset, more) = (word >> 3, word & 1 == 1);
            if offset != 0 || more {
                fragment = Some(Fragment { offset, more });
            }
        }
        next = *header.first()?;
        rest = rest.get(len..)?;
    }
    fragment
}

/// Builds the IP view from a sliced network layer and its (optional) transport slice.
pub(super) fn ip_packet<'a>(
    net: &LaxNetSlice<'a>,
    transport: Option<&TransportSlice<'a>>,
) -> Option<IpPacket<'a>> {
    let (src, dst, ttl, fragment, payload) = match net {
        LaxNetSlice::Ipv4(v4) => {
            let h = v4.header();
            let offset = h.fragments_offset().value();
            let fragment = (h.more_fragments() || offset != 0).then_some(Fragment {
                offset,
                more: h.more_fragments(),
            });
            let src = IpAddr::V4(h.source_addr());
            let dst = IpAddr::V4(h.destination_addr());
            (src, dst, h.ttl(), fragment, v4.payload())
        }
        LaxNetSlice::Ipv6(v6) => {
            let h = v6.header();
            let exts = v6.extensions();
            let fragment = ipv6_fragment(exts.first_header().map(|n| n.0), exts.slice());
            let src = IpAddr::V6(h.source_addr());
            let dst = IpAddr::V6(h.destination_addr());
            (src, dst, h.hop_limit(), fragment, v6.payload())
        }
        LaxNetSlice::Arp(_) => return None,
    };
    let protocol = payload.ip_number.0;
    let mut packet = IpPacket {
        src,
        dst,
        protocol,
        ttl,
        fragment,
        transport: TransportInfo::None,
        payload: &[],
        payload_incomplete: payload.incomplete,
    };
    match transport {
        Some(t) => set_transport(&mut packet, t),
        None if fragment.is_some_and(|f| f.offset == 0) => {
            first_fragment(&mut packet, payload.payload);
        }
        None => {}
    }
    Some(packet)
}

fn set_transport<'a>(packet: &mut IpPacket<'a>, transport: &TransportSlice<'a>) {
    match transport {
        TransportSlice::Tcp(tcp) => {
            packet.transport = TransportInfo::Tcp(tcp_info(tcp));
            packet.payload = tcp.payload();
        }
        TransportSlice::Udp(udp) => {
            packet.transport = TransportInfo::Udp {
                src_port: udp.source_port(),
                dst_port: udp.destination_port(),
            };
            packet.payload = udp.payload();
        }
        TransportSlice::Icmpv4(icmp) => {
            let typ = icmp.type_u8();
            let id = echo_id(icmp.bytes5to8());
            let echo = match typ {
                8 => Some((true, id)),
                0 => Some((false, id)),
                _ => None,
            };
            let unreachable = (typ == ICMP4_UNREACHABLE)
                .then(|| embedded(icmp.payload()))
                .flatten();
            packet.transport = TransportInfo::Icmp(IcmpInfo {
                v6: false,
                icmp_type: typ,
                code: icmp.code_u8(),
                echo,
                unreachable,
            });
        }
        TransportSlice::Icmpv6(icmp) => {
            let typ = icmp.type_u8();
            let id = echo_id(icmp.bytes5to8());
            let echo = match typ {
                128 => Some((true, id)),
                129 => Some((false, id)),
                _ => None,
            };
            let unreachable = (typ == ICMP6_UNREACHABLE)
                .then(|| embedded(icmp.payload()))
                .flatten();
            packet.transport = TransportInfo::Icmp(IcmpInfo {
                v6: true,
                icmp_type: typ,
                code: icmp.code_u8(),
                echo,
                unreachable,
            });
        }
        TransportSlice::Igmp(_) => {}
    }
}

fn tcp_info(tcp: &TcpSlice<'_>) -> TcpInfo {
    let flags = [
        (tcp.fin(), TcpFlags::FIN),
        (tcp.syn(), TcpFlags::SYN),
        (tcp.rst(), TcpFlags::RST),
        (tcp.psh(), TcpFlags::PSH),
        (tcp.ack(), TcpFlags::ACK),
        (tcp.urg(), TcpFlags::URG),
    ]
    .iter()
    .filter(|(set, _)| *set)
    .fold(0u8, |acc, (_, bit)| acc | bit);
    TcpInfo {
        src_port: tcp.source_port(),
        dst_port: tcp.destination_port(),
        flags: TcpFlags(flags),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
    }
}

/// A first fragment: etherparse stops at fragmented payloads, but the transport header of the
/// first fragment is there, so ports (and TCP flags when the header is whole) are read.
fn first_fragment<'a>(packet: &mut IpPacket<'a>, bytes: &'a [u8]) {
    match packet.protocol {
        IPPROTO_TCP => {
            if let Ok(tcp) = TcpSlice::from_slice(bytes) {
                packet.transport = TransportInfo::Tcp(tcp_info(&tcp));
                packet.payload = tcp.payload();
            } else if let Some((src_port, dst_port)) = ports(bytes) {
                packet.transport = TransportInfo::Tcp(TcpInfo {
                    src_port,
                    dst_port,
                    flags: TcpFlags::default(),
                    seq: 0,
                    ack: 0,
                });
            }
        }
        IPPROTO_UDP => {
            if let Some((src_port, dst_port)) = ports(bytes) {
                packet.transport = TransportInfo::Udp { src_port, dst_port };
                packet.payload = bytes.get(8..).unwrap_or_default();
            }
        }
        _ => {}
    }
}

fn ports(bytes: &[u8]) -> Option<(u16, u16)> {
    match bytes.get(..4) {
        Some([a, b, c, d]) => Some((u16::from_be_bytes([*a, *b]), u16::from_be_bytes([*c, *d]))),
        _ => None,
    }
}

fn echo_id(bytes5to8: [u8; 4]) -> u16 {
    u16::from_be_bytes([bytes5to8[0], bytes5to8[1]])
}

/// The original IP header (and ports) quoted after an unreachable message's 8-byte header.
fn embedded(quoted: &[u8]) -> Option<Embedded> {
    let (ip, _stop) = LaxIpSlice::from_slice(quoted).ok()?;
    let payload = ip.payload();
    let protocol = payload.ip_number.0;
    let first = !ip.is_fragmenting_payload()
        || match &ip {
            LaxIpSlice::Ipv4(v4) => v4.header().fragments_offset().value() == 0,
            LaxIpSlice::Ipv6(_) => false,
        };
    let (src_port, dst_port) = if first && matches!(protocol, IPPROTO_TCP | IPPROTO_UDP) {
        ports(payload.payload).unwrap_or((0, 0))
    } else {
        (0, 0)
    };
    Some(Embedded {
        protocol,
        src: ip.source_addr(),
        dst: ip.destination_addr(),
        src_port,
        dst_port,
    })
}
