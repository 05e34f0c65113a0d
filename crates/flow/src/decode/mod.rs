//! Packet decoding: capture bytes and the capture's link type in, a [`Decoded`] view out.
//!
//! Built on etherparse's lax slicer: it decodes as far as the bytes allow, so a packet cut by
//! the snap length still yields its IP layer (then [`Decoded::stopped`] says where decoding
//! ended). Only a packet whose network layer cannot be read at all is an error. Every view
//! borrows the input; nothing here allocates.

// Wire values never overflow silently or abort here (reliability.md T1.6): checked or
// saturating arithmetic and lossless conversions only (tests are exempt).
#![cfg_attr(
    not(test),
    deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)
)]

mod error;
mod ip;
mod link;

pub use error::{DecodeError, DecodeErrorKind, DecodeLayer};

use crate::ids::MacAddr;
use std::net::{IpAddr, Ipv4Addr};

/// The link-layer header type of a capture (pcap `LINKTYPE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkType {
    /// Ethernet II / 802.3 (`LINKTYPE_ETHERNET` = 1).
    Ethernet,
    /// Linux cooked capture v1 (`LINKTYPE_LINUX_SLL` = 113), what `-i any` gives.
    LinuxSll,
    /// Linux cooked capture v2 (`LINKTYPE_LINUX_SLL2` = 276).
    LinuxSll2,
    /// Raw IPv4 or IPv6 (`LINKTYPE_RAW` = 101, `LINKTYPE_IPV4` = 228, `LINKTYPE_IPV6` = 229;
    /// libpcap reports `DLT_RAW` = 12).
    Raw,
    /// BSD loopback with a 4-byte address-family header (`LINKTYPE_NULL` = 0, `LINKTYPE_LOOP` = 108).
    Null,
}

impl LinkType {
    /// Every supported link type.
    pub const ALL: &'static [LinkType] = &[
        LinkType::Ethernet,
        LinkType::LinuxSll,
        LinkType::LinuxSll2,
        LinkType::Raw,
        LinkType::Null,
    ];

    /// The link type of a pcap `LINKTYPE_*` value (as stored in files) or of the `DLT_*` value
    /// libpcap reports for it (`DLT_RAW` is 12, or 14 on OpenBSD); `None` when not supported.
    pub fn from_dlt(dlt: u32) -> Option<LinkType> {
        match dlt {
            1 => Some(LinkType::Ethernet),
            113 => Some(LinkType::LinuxSll),
            276 => Some(LinkType::LinuxSll2),
            101 | 228 | 229 | 12 | 14 => Some(LinkType::Raw),
            0 | 108 => Some(LinkType::Null),
            _ => None,
        }
    }

    /// The canonical pcap `LINKTYPE_*` value.
    pub fn dlt(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::LinuxSll => 113,
            LinkType::LinuxSll2 => 276,
            LinkType::Raw => 101,
            LinkType::Null => 0,
        }
    }

    /// A snake_case name, safe as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            LinkType::Ethernet => "ethernet",
            LinkType::LinuxSll => "linux_sll",
            LinkType::LinuxSll2 => "linux_sll2",
            LinkType::Raw => "raw",
            LinkType::Null => "null",
        }
    }
}

/// Ethertype of LLDP frames.
pub const ETHERTYPE_LLDP: u16 = 0x88cc;
/// SNAP protocol id of CDP under the Cisco OUI 00:00:0c.
pub const SNAP_PID_CDP: u16 = 0x2000;

/// One decoded packet. Borrowed from the capture buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded<'a> {
    /// Sender MAC (Ethernet; Linux cooked captures when the link address is Ethernet).
    pub src_mac: Option<MacAddr>,
    /// Receiver MAC (Ethernet only).
    pub dst_mac: Option<MacAddr>,
    /// True when the frame went to a broadcast or multicast link address.
    pub link_group: bool,
    /// Outer 802.1Q VLAN id (the service tag for QinQ).
    pub vlan: Option<u16>,
    /// Innermost ethertype (or SNAP protocol id), when the link layer names one.
    pub ethertype: Option<u16>,
    /// What the frame carries.
    pub content: Content<'a>,
    /// Set when decoding stopped above the network layer (e.g. a snap-length-cut TCP header):
    /// the layers below were decoded and are used.
    pub stopped: Option<DecodeError>,
}

/// What a frame carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Content<'a> {
    /// An ARP packet.
    Arp(ArpInfo),
    /// An IPv4 or IPv6 packet.
    Ip(IpPacket<'a>),
    /// A non-IP frame identification reads: LLDP (`protocol` = its ethertype) or CDP
    /// (`protocol` = its SNAP protocol id), with the bytes after the Ethernet/LLC header.
    Frame {
        /// Ethertype or SNAP protocol id.
        protocol: u16,
        /// Frame body.
        payload: &'a [u8],
    },
    /// Any other frame (other ethertypes, LLC without a known SNAP protocol).
    Other,
}

/// The fields of an ARP packet (Ethernet/IPv4 addresses only; others are `None`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpInfo {
    /// Operation: 1 request, 2 reply.
    pub operation: u16,
    /// Sender hardware address.
    pub sender_mac: Option<MacAddr>,
    /// Sender protocol address.
    pub sender_ip: Option<Ipv4Addr>,
    /// Target hardware address.
    pub target_mac: Option<MacAddr>,
    /// Target protocol address.
    pub target_ip: Option<Ipv4Addr>,
}

impl ArpInfo {
    /// ARP operation code of a request.
    pub const REQUEST: u16 = 1;
    /// ARP operation code of a reply.
    pub const REPLY: u16 = 2;

    /// True for a gratuitous announcement (sender and target address equal).
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip.is_some() && self.sender_ip == self.target_ip
    }
}

/// An IP fragment (offset in 8-byte units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Fragment offset in 8-byte units; 0 for the first fragment.
    pub offset: u16,
    /// More fragments follow.
    pub more: bool,
}

/// An IPv4 or IPv6 packet and its transport header.
#[derive(Clone, Debug, PartialEq)]
pub struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IP protocol number of the payload (after IPv6 extension headers).
    pub protocol: u8,
    /// TTL or hop limit.
    pub ttl: u8,
    /// Set for fragments; ports are only read from first fragments.
    pub fragment: Option<Fragment>,
    /// The transport header.
    pub transport: TransportInfo,
    /// Transport payload (TCP/UDP data), possibly cut by the snap length.
    pub payload: &'a [u8],
    /// True when the IP length says more bytes belong to the packet than were captured.
    pub payload_incomplete: bool,
}

/// TCP flag bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
    /// URG.
    pub const URG: u8 = 0x20;

    /// True when every bit of `mask` is set.
    pub fn has(self, mask: u8) -> bool {
        self.0 & mask == mask
    }
    /// SYN set.
    pub fn syn(self) -> bool {
        self.has(Self::SYN)
    }
    /// ACK set.
    pub fn ack(self) -> bool {
        self.has(Self::ACK)
    }
    /// RST set.
    pub fn rst(self) -> bool {
        self.has(Self::RST)
    }
    /// FIN set.
    pub fn fin(self) -> bool {
        self.has(Self::FIN)
    }
}

/// The TCP header fields flow tracking needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpInfo {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Flag bits.
    pub flags: TcpFlags,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number.
    pub ack: u32,
}

/// An ICMP or ICMPv6 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpInfo {
    /// True for ICMPv6.
    pub v6: bool,
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Echo request (`Some(true)`) or reply (`Some(false)`), with its identifier.
    pub echo: Option<(bool, u16)>,
    /// For destination-unreachable messages: the header of the packet that could not be delivered.
    pub unreachable: Option<Embedded>,
}

/// The original packet quoted in an ICMP destination-unreachable message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// IP protocol of the original packet.
    pub protocol: u8,
    /// Original source (the host the ICMP message is sent back to).
    pub src: IpAddr,
    /// Original destination (the unreachable host).
    pub dst: IpAddr,
    /// Original source port (0 when not TCP/UDP or not quoted).
    pub src_port: u16,
    /// Original destination port (0 when not TCP/UDP or not quoted).
    pub dst_port: u16,
}

/// The transport header of an IP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportInfo {
    /// TCP.
    Tcp(TcpInfo),
    /// UDP.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
    /// ICMP or ICMPv6.
    Icmp(IcmpInfo),
    /// Another protocol, a non-first fragment, or a transport header that did not decode.
    None,
}

/// IP protocol number of TCP.
pub const IPPROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const IPPROTO_UDP: u8 = 17;
/// IP protocol number of ICMP.
pub const IPPROTO_ICMP: u8 = 1;
/// IP protocol number of ICMPv6.
pub const IPPROTO_ICMPV6: u8 = 58;

/// Decodes one captured frame of the given link type.
///
/// Returns an error only when nothing above the link layer could be read for a frame that
/// announces ARP or IP (or when the link header itself is short); a frame that decoded part way
/// returns `Ok` with [`Decoded::stopped`] set.
pub fn decode(link: LinkType, data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    match link {
        LinkType::Ethernet => link::ethernet(data),
        LinkType::LinuxSll => link::linux_sll(data),
        LinkType::LinuxSll2 => link::linux_sll2(data),
        LinkType::Raw => link::raw(data),
        LinkType::Null => link::null(data),
    }
}
