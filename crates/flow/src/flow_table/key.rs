//! The bidirectional flow key: both directions of a conversation map to one key.

use std::net::IpAddr;

/// VLAN, protocol and the two (address, port) endpoints in canonical (sorted) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FlowKey {
    vlan: u16,
    protocol: u8,
    a: (IpAddr, u16),
    b: (IpAddr, u16),
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`.
    pub(crate) fn new(vlan: u16, protocol: u8, src: (IpAddr, u16), dst: (IpAddr, u16)) -> Self {
        let (a, b) = if src <= dst { (src, dst) } else { (dst, src) };
        FlowKey {
            vlan,
            protocol,
            a,
            b,
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
            FlowKey::new(5, 6, (x, 40000), (y, 104)),
            FlowKey::new(5, 6, (y, 104), (x, 40000))
        );
        assert_ne!(
            FlowKey::new(5, 6, (x, 40000), (y, 104)),
            FlowKey::new(6, 6, (x, 40000), (y, 104))
        );
        assert_ne!(
            FlowKey::new(5, 6, (x, 40000), (y, 104)),
            FlowKey::new(5, 17, (x, 40000), (y, 104))
        );
    }
}
