//! The bidirectional flow key: both directions of a conversation map to one key.

use crate::ids::MacAddr;
use std::net::IpAddr;

/// VLAN, protocol and the two (address, port) endpoints in canonical (sorted) order, plus the
/// station MAC when an endpoint has no address yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FlowKey {
    vlan: u16,
    protocol: u8,
    a: (IpAddr, u16),
    b: (IpAddr, u16),
    station: Option<MacAddr>,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`. `station` is the MAC of an endpoint sending
    /// from (or addressed as) the unspecified address (`0.0.0.0`, `::`): DHCP clients and
    /// duplicate-address probes of different stations share every IP field, and without it
    /// they would share one flow, each later station's packets counted for the first.
    pub(crate) fn new(
        vlan: u16,
        protocol: u8,
        src: (IpAddr, u16),
        dst: (IpAddr, u16),
        station: Option<MacAddr>,
    ) -> Self {
        let (a, b) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey {
            vlan,
            protocol,
            a,
            b,
            station,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_share_a_key() {
        let x: IpAddr = "10.0.0.1".parse().unwrap();
        let y: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            FlowKey::new(5, 6, (x, 40000), (y, 104), None),
            FlowKey::new(5, 6, (y, 104), (x, 40000), None)
        );
        assert_ne!(
            FlowKey::new(5, 6, (x, 40000), (y, 104), None),
            FlowKey::new(6, 6, (x, 40000), (y, 104), None)
        );
        assert_ne!(
            FlowKey::new(5, 6, (x, 40000), (y, 104), None),
            FlowKey::new(5, 17, (x, 40000), (y, 104), None)
        );
    }
}
