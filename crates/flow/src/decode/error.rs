//! Why a packet could not be decoded (fully): a bounded kind, for a metric label, and the layer
//! where decoding stopped.

use etherparse::err::Layer;
use etherparse::err::packet::SliceError;
use std::fmt;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every value, in declaration order (the index of a value is its position here).
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The snake_case name, safe as a metric label.
            pub fn name(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            /// Position in [`Self::ALL`].
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named_enum! {
    /// What went wrong while decoding.
    DecodeErrorKind {
        /// Fewer bytes than the header at the layer needs (snap length, runt frame).
        Truncated = "truncated",
        /// A header field is invalid (header length below minimum, data offset too small, ...).
        Malformed = "malformed",
        /// The IP version nibble is neither 4 nor 6.
        UnsupportedIpVersion = "unsupported_ip_version",
        /// The link header names an address family or protocol this decoder does not know.
        UnknownProtocol = "unknown_protocol",
    }
}

named_enum! {
    /// The layer at which decoding stopped.
    DecodeLayer {
        /// Ethernet, Linux cooked (SLL/SLL2), loopback or LLC header.
        Link = "link",
        /// 802.1Q / QinQ tag or MACsec header.
        Vlan = "vlan",
        /// ARP packet.
        Arp = "arp",
        /// IPv4 or IPv6 header.
        Ip = "ip",
        /// IPv4 authentication header or IPv6 extension header.
        IpExtension = "ip_extension",
        /// TCP header.
        Tcp = "tcp",
        /// UDP header.
        Udp = "udp",
        /// ICMP, ICMPv6 or IGMP header.
        Icmp = "icmp",
    }
}

/// A decode failure: what and where. Carries no wire bytes, so it is cheap and bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at layer {layer}")]
pub struct DecodeError {
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// Where decoding stopped.
    pub layer: DecodeLayer,
}

impl DecodeError {
    /// A truncation at `layer`.
    pub(crate) const fn truncated(layer: DecodeLayer) -> Self {
        DecodeError {
            kind: DecodeErrorKind::Truncated,
            layer,
        }
    }

    /// Maps etherparse's stop error and layer onto our bounded kinds.
    pub(crate) fn from_slice_error(error: &SliceError, layer: Layer) -> Self {
        let kind = match error {
            SliceError::Len(_) => DecodeErrorKind::Truncated,
            SliceError::Ip(etherparse::err::ip::HeaderError::UnsupportedIpVersion { .. }) => {
                DecodeErrorKind::UnsupportedIpVersion
            }
            SliceError::Ipv4(etherparse::err::ipv4::HeaderError::UnexpectedVersion { .. })
            | SliceError::Ipv6(etherparse::err::ipv6::HeaderError::UnexpectedVersion { .. }) => {
                DecodeErrorKind::UnsupportedIpVersion
            }
            _ => DecodeErrorKind::Malformed,
        };
        DecodeError {
            kind,
            layer: map_layer(layer),
        }
    }
}

fn map_layer(layer: Layer) -> DecodeLayer {
    match layer {
        Layer::LinuxSllHeader | Layer::Ethernet2Header | Layer::EtherPayload => DecodeLayer::Link,
        Layer::VlanHeader | Layer::MacsecHeader | Layer::MacsecPacket => DecodeLayer::Vlan,
        Layer::IpHeader
        | Layer::Ipv4Header
        | Layer::Ipv4Packet
        | Layer::Ipv6Header
        | Layer::Ipv6Packet => DecodeLayer::Ip,
        Layer::IpAuthHeader
        | Layer::Ipv6ExtHeader
        | Layer::Ipv6HopByHopHeader
        | Layer::Ipv6DestOptionsHeader
        | Layer::Ipv6RouteHeader
        | Layer::Ipv6FragHeader => DecodeLayer::IpExtension,
        Layer::UdpHeader | Layer::UdpPayload => DecodeLayer::Udp,
        Layer::TcpHeader => DecodeLayer::Tcp,
        Layer::Icmpv4
        | Layer::Icmpv4Timestamp
        | Layer::Icmpv4TimestampReply
        | Layer::Icmpv6
        | Layer::Igmp => DecodeLayer::Icmp,
        Layer::Arp => DecodeLayer::Arp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_bounded_labels() {
        assert_eq!(DecodeErrorKind::ALL.len(), 4);
        assert_eq!(DecodeErrorKind::Truncated.name(), "truncated");
        assert_eq!(DecodeLayer::IpExtension.name(), "ip_extension");
        for (i, k) in DecodeLayer::ALL.iter().enumerate() {
            assert_eq!(k.index(), i);
        }
        let e = DecodeError::truncated(DecodeLayer::Tcp);
        assert_eq!(e.to_string(), "truncated at layer tcp");
    }
}
