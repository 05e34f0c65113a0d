//! DHCPv4 client and server messages, encoded with dhcproto. The client speaks with its model's
//! identity: option 12 host name, option 55 parameter list in the model's order, option 60
//! vendor class and option 61 client identifier (type 1 + MAC).

use dhcproto::v4::{DhcpOption, Flags, Message, MessageType, Opcode, OptionCode};
use dhcproto::{Encodable, Encoder};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::DhcpIdentity;

/// Parameter list of clients whose model names none.
pub const DEFAULT_PARAMS: [u8; 4] = [1, 3, 6, 15];

/// A DHCP client's addresses and identity.
#[derive(Clone, Copy, Debug)]
pub struct Client<'a> {
    /// Hardware address.
    pub mac: [u8; 6],
    /// Identity from the model (None: a bare client with the default parameter list).
    pub identity: Option<&'a DhcpIdentity>,
}

/// What the server hands out.
#[derive(Clone, Copy, Debug)]
pub struct Lease<'a> {
    /// Address given to the client.
    pub yiaddr: Ipv4Addr,
    /// DHCP server identifier (option 54).
    pub server: Ipv4Addr,
    /// Relay agent address (giaddr), 0.0.0.0 when the server is on the client's subnet.
    pub relay: Ipv4Addr,
    /// Router (option 3).
    pub router: Ipv4Addr,
    /// Subnet mask (option 1).
    pub mask: Ipv4Addr,
    /// DNS server (option 6).
    pub dns: Ipv4Addr,
    /// Domain name (option 15).
    pub domain: &'a str,
    /// Lease time, seconds.
    pub lease_s: u32,
}

fn encode(msg: &Message) -> Vec<u8> {
    let mut buf = Vec::with_capacity(400);
    // Encoding into a Vec cannot run out of space; an error would be a dhcproto bug.
    let _ = msg.encode(&mut Encoder::new(&mut buf));
    buf
}

/// A client message (DISCOVER or REQUEST). `ciaddr` is set for renewals; `requested` and
/// `server_id` for a REQUEST answering an OFFER.
pub fn client_message(
    kind: MessageType,
    xid: u32,
    client: &Client,
    ciaddr: Ipv4Addr,
    requested: Option<Ipv4Addr>,
    server_id: Option<Ipv4Addr>,
    secs: u16,
) -> Vec<u8> {
    let zero = Ipv4Addr::UNSPECIFIED;
    let mut msg = Message::new_with_id(xid, ciaddr, zero, zero, zero, &client.mac);
    msg.set_opcode(Opcode::BootRequest).set_secs(secs);
    let opts = msg.opts_mut();
    opts.insert(DhcpOption::MessageType(kind));
    if let Some(ip) = requested {
        opts.insert(DhcpOption::RequestedIpAddress(ip));
    }
    if let Some(ip) = server_id {
        opts.insert(DhcpOption::ServerIdentifier(ip));
    }
    let params: Vec<u8> = match client.identity {
        Some(id) if !id.params.is_empty() => id.params.clone(),
        _ => DEFAULT_PARAMS.to_vec(),
    };
    opts.insert(DhcpOption::ParameterRequestList(
        params.into_iter().map(OptionCode::from).collect(),
    ));
    if let Some(id) = client.identity {
        if let Some(name) = id.hostname.as_ref().filter(|n| !n.is_empty()) {
            opts.insert(DhcpOption::Hostname(name.clone()));
        }
        if let Some(class) = id.vendor_class.as_ref().filter(|c| !c.is_empty()) {
            opts.insert(DhcpOption::ClassIdentifier(class.as_bytes().to_vec()));
        }
        if id.client_id {
            let mut cid = vec![1u8];
            cid.extend_from_slice(&client.mac);
            opts.insert(DhcpOption::ClientIdentifier(cid));
        }
    }
    opts.insert(DhcpOption::MaxMessageSize(1500));
    encode(&msg)
}

/// A server message (OFFER, ACK or NAK) for `xid` to the client `mac`.
pub fn server_message(
    kind: MessageType,
    xid: u32,
    mac: [u8; 6],
    ciaddr: Ipv4Addr,
    lease: &Lease,
    broadcast: bool,
) -> Vec<u8> {
    let zero = Ipv4Addr::UNSPECIFIED;
    let mut msg = Message::new_with_id(xid, ciaddr, lease.yiaddr, zero, lease.relay, &mac);
    msg.set_opcode(Opcode::BootReply);
    if broadcast {
        msg.set_flags(Flags::default().set_broadcast());
    }
    if lease.relay != zero {
        msg.set_hops(1);
    }
    let opts = msg.opts_mut();
    opts.insert(DhcpOption::MessageType(kind));
    opts.insert(DhcpOption::ServerIdentifier(lease.server));
    opts.insert(DhcpOption::AddressLeaseTime(lease.lease_s));
    opts.insert(DhcpOption::Renewal(lease.lease_s / 2));
    opts.insert(DhcpOption::Rebinding(lease.lease_s / 8 * 7));
    opts.insert(DhcpOption::SubnetMask(lease.mask));
    opts.insert(DhcpOption::Router(vec![lease.router]));
    opts.insert(DhcpOption::DomainNameServer(vec![lease.dns]));
    opts.insert(DhcpOption::DomainName(lease.domain.to_owned()));
    encode(&msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dhcproto::{Decodable, Decoder};

    #[test]
    fn client_identity_round_trips_through_dhcproto() {
        let id = DhcpIdentity {
            hostname: Some("WS-007".into()),
            vendor_class: Some("MSFT 5.0".into()),
            params: vec![1, 3, 6, 15, 31, 33, 43, 44, 46, 47, 119, 121, 249, 252],
            client_id: true,
        };
        let client = Client {
            mac: [0, 0x1b, 0x21, 1, 2, 3],
            identity: Some(&id),
        };
        let bytes = client_message(
            MessageType::Discover,
            0xdead_beef,
            &client,
            Ipv4Addr::UNSPECIFIED,
            None,
            None,
            3,
        );
        let msg = Message::decode(&mut Decoder::new(&bytes)).unwrap();
        assert_eq!(msg.xid(), 0xdead_beef);
        assert_eq!(msg.chaddr(), &[0, 0x1b, 0x21, 1, 2, 3]);
        let opts = msg.opts();
        assert_eq!(
            opts.get(OptionCode::MessageType),
            Some(&DhcpOption::MessageType(MessageType::Discover))
        );
        assert_eq!(
            opts.get(OptionCode::Hostname),
            Some(&DhcpOption::Hostname("WS-007".into()))
        );
        assert_eq!(
            opts.get(OptionCode::ClassIdentifier),
            Some(&DhcpOption::ClassIdentifier(b"MSFT 5.0".to_vec()))
        );
        assert_eq!(
            opts.get(OptionCode::ClientIdentifier),
            Some(&DhcpOption::ClientIdentifier(vec![
                1, 0, 0x1b, 0x21, 1, 2, 3
            ]))
        );
        let Some(DhcpOption::ParameterRequestList(list)) =
            opts.get(OptionCode::ParameterRequestList)
        else {
            panic!()
        };
        let order: Vec<u8> = list.iter().map(|c| u8::from(*c)).collect();
        assert_eq!(order, id.params, "option 55 keeps the model's order");
    }

    #[test]
    fn server_ack_through_a_relay() {
        let lease = Lease {
            yiaddr: Ipv4Addr::new(10, 10, 20, 30),
            server: Ipv4Addr::new(10, 10, 100, 10),
            relay: Ipv4Addr::new(10, 10, 20, 1),
            router: Ipv4Addr::new(10, 10, 20, 1),
            mask: Ipv4Addr::new(255, 255, 255, 0),
            dns: Ipv4Addr::new(10, 10, 100, 10),
            domain: "ward.example",
            lease_s: 3600,
        };
        let bytes = server_message(
            MessageType::Ack,
            7,
            [1, 2, 3, 4, 5, 6],
            Ipv4Addr::UNSPECIFIED,
            &lease,
            false,
        );
        let msg = Message::decode(&mut Decoder::new(&bytes)).unwrap();
        assert_eq!(msg.opcode(), Opcode::BootReply);
        assert_eq!(msg.yiaddr(), lease.yiaddr);
        assert_eq!(msg.giaddr(), lease.relay);
        assert_eq!(
            msg.opts().get(OptionCode::AddressLeaseTime),
            Some(&DhcpOption::AddressLeaseTime(3600))
        );
        let bare = client_message(
            MessageType::Request,
            1,
            &Client {
                mac: [0; 6],
                identity: None,
            },
            lease.yiaddr,
            None,
            None,
            0,
        );
        let msg = Message::decode(&mut Decoder::new(&bare)).unwrap();
        assert!(msg.opts().get(OptionCode::ClassIdentifier).is_none());
    }
}
