//! DHCP acknowledgements: which MAC a server leased which address to. Used to establish the
//! client and to tell readdressing from an address conflict.
//!
//! Hand-read rather than through dhcproto: we need four fixed BOOTP fields and option 53, and
//! dhcproto 0.15's option decoder `debug_assert!`s on option 94's length (a crafted packet
//! aborts any build with debug assertions, fuzzing included; found by this crate's proptest).
//! Identification keeps dhcproto for the rich options.

use crate::ids::MacAddr;
use std::net::Ipv4Addr;

/// UDP port DHCP servers send from.
pub const DHCP_SERVER_PORT: u16 = 67;
/// UDP port DHCP clients listen on.
pub const DHCP_CLIENT_PORT: u16 = 68;

const BOOTREPLY: u8 = 2;
const MAGIC_COOKIE: [u8; 4] = [99, 130, 83, 99];
const OPTION_PAD: u8 = 0;
const OPTION_END: u8 = 255;
const OPTION_MESSAGE_TYPE: u8 = 53;
const DHCPACK: u8 = 5;

/// The (client MAC, leased address) of a DHCPACK, or `None` for anything else.
pub fn ack_lease(payload: &[u8]) -> Option<(MacAddr, Ipv4Addr)> {
    let header = payload.get(..240)?;
    let (op, htype, hlen) = (header.first()?, header.get(1)?, header.get(2)?);
    if *op != BOOTREPLY || *htype != 1 || *hlen != 6 || header.get(236..240)? != MAGIC_COOKIE {
        return None;
    }
    let yiaddr = <[u8; 4]>::try_from(header.get(16..20)?).ok()?;
    let chaddr = <[u8; 6]>::try_from(header.get(28..34)?).ok()?;
    let ip = Ipv4Addr::from(yiaddr);
    if ip.is_unspecified() || message_type(payload.get(240..)?) != Some(DHCPACK) {
        return None;
    }
    Some((MacAddr(chaddr), ip))
}

/// Walks the option list (bounded by the slice) for option 53.
fn message_type(mut options: &[u8]) -> Option<u8> {
    loop {
        let (&code, rest) = options.split_first()?;
        match code {
            OPTION_PAD => options = rest,
            OPTION_END => return None,
            _ => {
                let (&len, rest) = rest.split_first()?;
                let value = rest.get(..usize::from(len))?;
                if code == OPTION_MESSAGE_TYPE {
                    return value.first().copied();
                }
                options = rest.get(usize::from(len)..)?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dhcproto::Encodable;
    use dhcproto::v4::{DhcpOption, Message, MessageType, Opcode};

    /// Messages built by dhcproto, so the reader is checked against an independent encoder.
    fn message(kind: MessageType) -> Vec<u8> {
        let mac = [0x00, 0x09, 0xfb, 0x01, 0x02, 0x03];
        let mut m = Message::new_with_id(
            7,
            Ipv4Addr::UNSPECIFIED,
            Ipv4Addr::new(10, 0, 0, 42),
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::UNSPECIFIED,
            &mac,
        );
        m.set_opcode(Opcode::BootReply);
        m.opts_mut()
            .insert(DhcpOption::ServerIdentifier(Ipv4Addr::new(10, 0, 0, 1)));
        m.opts_mut().insert(DhcpOption::MessageType(kind));
        m.to_vec().unwrap()
    }

    #[test]
    fn reads_ack_only() {
        let ack = message(MessageType::Ack);
        assert_eq!(
            ack_lease(&ack),
            Some((
                MacAddr([0x00, 0x09, 0xfb, 1, 2, 3]),
                Ipv4Addr::new(10, 0, 0, 42)
            ))
        );
        assert_eq!(ack_lease(&message(MessageType::Offer)), None);
        assert_eq!(ack_lease(b"not dhcp"), None);
        let type_end = ack.iter().rposition(|b| *b == DHCPACK).unwrap();
        for cut in 0..=type_end {
            assert_eq!(ack_lease(&ack[..cut]), None, "cut at {cut}");
        }
        let mut long_hlen = ack.clone();
        long_hlen[2] = 255;
        assert_eq!(ack_lease(&long_hlen), None);
        let mut no_cookie = ack;
        no_cookie[236] = 0;
        assert_eq!(ack_lease(&no_cookie), None);
    }
}
