//! DHCP acknowledgements (via dhcproto): which MAC a server leased which address to. Used to
//! establish the client and to tell readdressing from an address conflict.

use crate::ids::MacAddr;
use dhcproto::Decodable;
use dhcproto::v4::{Message, MessageType};
use std::net::Ipv4Addr;

/// UDP port DHCP servers send from.
pub const DHCP_SERVER_PORT: u16 = 67;
/// UDP port DHCP clients listen on.
pub const DHCP_CLIENT_PORT: u16 = 68;

/// The (client MAC, leased address) of a DHCPACK, or `None` for anything else.
pub fn ack_lease(payload: &[u8]) -> Option<(MacAddr, Ipv4Addr)> {
    let message = Message::from_bytes(payload).ok()?;
    if message.opts().msg_type() != Some(MessageType::Ack) {
        return None;
    }
    let ip = message.yiaddr();
    // `chaddr()` slices by the wire's hlen and panics above 16: check hlen first.
    if ip.is_unspecified() || message.hlen() != 6 {
        return None;
    }
    let mac = <[u8; 6]>::try_from(message.chaddr().get(..6)?).ok()?;
    Some((MacAddr(mac), ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dhcproto::Encodable;
    use dhcproto::v4::{DhcpOption, Opcode};

    fn message(kind: MessageType) -> Vec<u8> {
        let mac = [0x00, 0x09, 0xfb, 0x01, 0x02, 0x03];
        let mut m = Message::new(
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::new(10, 0, 0, 42),
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::UNSPECIFIED,
            &mac,
        );
        m.set_opcode(Opcode::BootReply);
        m.opts_mut().insert(DhcpOption::MessageType(kind));
        m.to_vec().unwrap()
    }

    #[test]
    fn reads_ack_only() {
        assert_eq!(
            ack_lease(&message(MessageType::Ack)),
            Some((
                MacAddr([0x00, 0x09, 0xfb, 1, 2, 3]),
                Ipv4Addr::new(10, 0, 0, 42)
            ))
        );
        assert_eq!(ack_lease(&message(MessageType::Offer)), None);
        assert_eq!(ack_lease(b"not dhcp"), None);
        let ack = message(MessageType::Ack);
        // Up to the message-type option nothing is an ACK (the END option may be missing).
        for cut in 0..ack.len() - 1 {
            assert_eq!(ack_lease(&ack[..cut]), None, "cut at {cut}");
        }
        let mut long_hlen = ack.clone();
        long_hlen[2] = 255;
        assert_eq!(
            ack_lease(&long_hlen),
            None,
            "hlen 255 must not reach chaddr()"
        );
    }
}
