//! Link layers: Ethernet II / 802.3 LLC, Linux cooked v1/v2, raw IP and BSD loopback, each
//! handing the network layer to etherparse's lax slicer.

use super::{
    ArpInfo, Content, DecodeError, DecodeErrorKind, DecodeLayer, Decoded, ETHERTYPE_LLDP,
    SNAP_PID_CDP, ip,
};
use crate::ids::MacAddr;
use etherparse::{EtherType, LaxNetSlice, LaxSlicedPacket, LinkSlice};
use std::net::Ipv4Addr;

/// Largest value of the Ethernet type/length field that is a length (802.3 frame).
const MAX_8023_LENGTH: u16 = 1500;
const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
/// ARPHRD_ETHER: the link address in a cooked header is an Ethernet MAC.
const ARPHRD_ETHER: u16 = 1;
/// Linux cooked protocol value for 802.2 LLC frames.
const SLL_PROTOCOL_LLC: u16 = 0x0004;

/// What the link layer told us before the network layer is sliced.
#[derive(Clone, Copy, Debug, Default)]
struct LinkInfo {
    src_mac: Option<MacAddr>,
    dst_mac: Option<MacAddr>,
    link_group: bool,
}

pub(super) fn ethernet(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let packet = LaxSlicedPacket::from_ethernet(data)
        .map_err(|_| DecodeError::truncated(DecodeLayer::Link))?;
    let (src_mac, dst_mac) = match &packet.link {
        Some(LinkSlice::Ethernet2(eth)) => (MacAddr(eth.source()), MacAddr(eth.destination())),
        _ => return Err(DecodeError::truncated(DecodeLayer::Link)),
    };
    let info = LinkInfo {
        src_mac: Some(src_mac),
        dst_mac: Some(dst_mac),
        link_group: dst_mac.is_group(),
    };
    finish(info, &packet, true)
}

/// Fields of a Linux cooked header. Hand-read because etherparse refuses ARPHRD types it does
/// not list (e.g. 772, the loopback device inside `-i any` captures) and has no SLL2 at all;
/// both headers are fixed-size.
struct Cooked {
    packet_type: u16,
    arphrd: u16,
    addr_len: usize,
    addr: [u8; 8],
    protocol: u16,
}

pub(super) fn linux_sll(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let header = data
        .get(..16)
        .ok_or(DecodeError::truncated(DecodeLayer::Link))?;
    let cooked = Cooked {
        packet_type: be16(header, 0),
        arphrd: be16(header, 2),
        addr_len: usize::from(be16(header, 4)),
        addr: addr8(header, 6),
        protocol: be16(header, 14),
    };
    cooked_body(&cooked, data.get(16..).unwrap_or_default())
}

pub(super) fn linux_sll2(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let header = data
        .get(..20)
        .ok_or(DecodeError::truncated(DecodeLayer::Link))?;
    let cooked = Cooked {
        protocol: be16(header, 0),
        arphrd: be16(header, 8),
        packet_type: u16::from(header.get(10).copied().unwrap_or(0)),
        addr_len: usize::from(header.get(11).copied().unwrap_or(0)),
        addr: addr8(header, 12),
    };
    cooked_body(&cooked, data.get(20..).unwrap_or_default())
}

fn cooked_body<'a>(cooked: &Cooked, body: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
    let src_mac = (cooked.arphrd == ARPHRD_ETHER && cooked.addr_len == 6).then(|| {
        let a = cooked.addr;
        MacAddr([a[0], a[1], a[2], a[3], a[4], a[5]])
    });
    // Packet types 1 (broadcast) and 2 (multicast) went to a group link address.
    let info = LinkInfo {
        src_mac,
        dst_mac: None,
        link_group: matches!(cooked.packet_type, 1 | 2),
    };
    if cooked.protocol == SLL_PROTOCOL_LLC {
        return Ok(llc(info, body));
    }
    if cooked.protocol <= MAX_8023_LENGTH {
        return Ok(other(info, Some(cooked.protocol)));
    }
    let packet = LaxSlicedPacket::from_ether_type(EtherType(cooked.protocol), body);
    finish(info, &packet, true)
}

pub(super) fn raw(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let packet = LaxSlicedPacket::from_ip(data).map_err(|e| ip::header_error(&e))?;
    finish(LinkInfo::default(), &packet, true)
}

/// BSD loopback: a 4-byte address family in the byte order of the capturing host (network order
/// for `LINKTYPE_LOOP`), so both orders are tried. IPv6 has several values across the BSDs.
pub(super) fn null(data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let family = data
        .get(..4)
        .ok_or(DecodeError::truncated(DecodeLayer::Link))?;
    let bytes = [
        family.first().copied().unwrap_or(0),
        family.get(1).copied().unwrap_or(0),
        family.get(2).copied().unwrap_or(0),
        family.get(3).copied().unwrap_or(0),
    ];
    let known = |af: u32| matches!(af, 2 | 10 | 24 | 28 | 30);
    if !known(u32::from_le_bytes(bytes)) && !known(u32::from_be_bytes(bytes)) {
        return Err(DecodeError {
            kind: DecodeErrorKind::UnknownProtocol,
            layer: DecodeLayer::Link,
        });
    }
    raw(data.get(4..).unwrap_or_default())
}

fn be16(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at.saturating_add(2)) {
        Some([a, b]) => u16::from_be_bytes([*a, *b]),
        _ => 0,
    }
}

fn addr8(bytes: &[u8], at: usize) -> [u8; 8] {
    let mut out = [0u8; 8];
    if let Some(src) = bytes.get(at..at.saturating_add(8)) {
        out.copy_from_slice(src);
    }
    out
}

fn other(info: LinkInfo, ethertype: Option<u16>) -> Decoded<'static> {
    Decoded {
        src_mac: info.src_mac,
        dst_mac: info.dst_mac,
        link_group: info.link_group,
        vlan: None,
        ethertype,
        content: Content::Other,
        stopped: None,
    }
}

/// An 802.2 LLC frame: SNAP with the Cisco OUI carries CDP; SNAP with OUI 0 carries an ethertype
/// (RFC 1042), which is sliced like Ethernet II.
fn llc(info: LinkInfo, body: &[u8]) -> Decoded<'_> {
    let snap = match body.get(..8) {
        Some([0xaa, 0xaa, 0x03, o1, o2, o3, p1, p2]) => Some(([*o1, *o2, *o3], [*p1, *p2])),
        _ => None,
    };
    let Some((oui, pid)) = snap else {
        return other(info, None);
    };
    let pid = u16::from_be_bytes(pid);
    let rest = body.get(8..).unwrap_or_default();
    match oui {
        [0x00, 0x00, 0x0c] if pid == SNAP_PID_CDP => Decoded {
            content: Content::Frame {
                protocol: pid,
                payload: rest,
            },
            ethertype: Some(pid),
            ..other(info, None)
        },
        [0x00, 0x00, 0x00] if pid > MAX_8023_LENGTH => {
            // No further LLC inside: nesting is not followed, so hostile frames cannot recurse.
            finish(
                info,
                &LaxSlicedPacket::from_ether_type(EtherType(pid), rest),
                false,
            )
            .unwrap_or_else(|_| other(info, Some(pid)))
        }
        _ => other(info, Some(pid)),
    }
}

/// Turns the lax slicer's output into our view; `allow_llc` follows an 802.3 length field into
/// LLC (false inside an LLC frame already).
fn finish<'a>(
    info: LinkInfo,
    packet: &LaxSlicedPacket<'a>,
    allow_llc: bool,
) -> Result<Decoded<'a>, DecodeError> {
    let vlan = packet.vlan_ids().first().map(|id| id.value());
    let ether = packet.ether_payload();
    let from_net = match &packet.net {
        Some(LaxNetSlice::Ipv4(_)) => Some(ETHERTYPE_IPV4),
        Some(LaxNetSlice::Ipv6(_)) => Some(ETHERTYPE_IPV6),
        _ => None,
    };
    let ethertype = ether.as_ref().map(|e| e.ether_type.0).or(from_net);
    let stop = packet
        .stop_err
        .as_ref()
        .map(|(error, layer)| DecodeError::from_slice_error(error, *layer));
    let content = match &packet.net {
        Some(LaxNetSlice::Arp(arp)) => Content::Arp(arp_info(arp)),
        Some(net @ (LaxNetSlice::Ipv4(_) | LaxNetSlice::Ipv6(_))) => {
            match ip::ip_packet(net, packet.transport.as_ref()) {
                Some(p) => Content::Ip(p),
                None => return Err(stop.unwrap_or(DecodeError::truncated(DecodeLayer::Ip))),
            }
        }
        None => {
            if let Some(error) = stop {
                return Err(error);
            }
            let Some(ether) = ether else {
                return Ok(other(info, ethertype));
            };
            let typ = ether.ether_type.0;
            if typ == ETHERTYPE_LLDP {
                Content::Frame {
                    protocol: typ,
                    payload: ether.payload,
                }
            } else if typ <= MAX_8023_LENGTH && allow_llc {
                let mut decoded = llc(info, ether.payload);
                decoded.vlan = decoded.vlan.or(vlan);
                return Ok(decoded);
            } else {
                Content::Other
            }
        }
    };
    Ok(Decoded {
        src_mac: info.src_mac,
        dst_mac: info.dst_mac,
        link_group: info.link_group,
        vlan,
        ethertype,
        content,
        stopped: stop,
    })
}

fn arp_info(arp: &etherparse::ArpPacketSlice<'_>) -> ArpInfo {
    let mac = |b: &[u8]| <[u8; 6]>::try_from(b).ok().map(MacAddr);
    let ip4 = |b: &[u8]| <[u8; 4]>::try_from(b).ok().map(Ipv4Addr::from);
    ArpInfo {
        operation: arp.operation().0,
        sender_mac: mac(arp.sender_hw_addr()),
        sender_ip: ip4(arp.sender_protocol_addr()),
        target_mac: mac(arp.target_hw_addr()),
        target_ip: ip4(arp.target_protocol_addr()),
    }
}
