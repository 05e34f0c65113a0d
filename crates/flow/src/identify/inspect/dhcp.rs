//! DHCPv4 client identity: options 12 (host name), 55 (parameter request list, in the client's
//! order), 60 (vendor class) and 61 (client identifier), decoded with `dhcproto`.
//!
//! Only BOOTREQUEST messages sent by the client itself count: a relayed request (giaddr set or
//! hops > 0) comes from the relay agent's address, so its options do not describe the sender.
//! `dhcproto` stops at the first option it cannot decode and keeps the ones before it, so a
//! message cut short by the snap length still yields the options that arrived whole.

use super::bytes::{hex, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{Evidence, PayloadFact, Subject};
use dhcproto::v4::{DhcpOption, Message, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// Fixed BOOTP header plus the magic cookie.
const MIN_DHCP_LEN: usize = 240;
/// Client identifiers longer than this are cut (hex doubles it).
const MAX_CLIENT_ID: usize = 64;

/// Appends the identity a DHCP client request reveals about its sender.
pub(super) fn inspect(data: &[u8], out: &mut Vec<PayloadFact>) {
    if data.len() < MIN_DHCP_LEN {
        return;
    }
    let Ok(message) = Message::decode(&mut Decoder::new(data)) else {
        return;
    };
    if message.opcode() != Opcode::BootRequest
        || message.giaddr() != Ipv4Addr::UNSPECIFIED
        || message.hops() > 0
    {
        return;
    }
    let opts = message.opts();
    let mut push = |evidence: Option<Evidence>| {
        if let Some(evidence) = evidence {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
        }
    };
    if let Some(DhcpOption::Hostname(name)) = opts.get(OptionCode::Hostname) {
        push(text_evidence(EvidenceKind::DhcpHostname, name.as_bytes()));
    }
    if let Some(DhcpOption::ClassIdentifier(class)) = opts.get(OptionCode::ClassIdentifier) {
        push(text_evidence(EvidenceKind::DhcpVendorClass, class));
    }
    if let Some(DhcpOption::ParameterRequestList(codes)) =
        opts.get(OptionCode::ParameterRequestList)
    {
        push(params_evidence(codes));
    }
    if let Some(DhcpOption::ClientIdentifier(id)) = opts.get(OptionCode::ClientIdentifier) {
        let value = hex(id, MAX_CLIENT_ID);
        push((!value.is_empty()).then(|| Evidence::new(EvidenceKind::DhcpClientId, &value)));
    }
}

/// Option 55 as `1,3,6,15`, in the order the client sent it.
fn params_evidence(codes: &[OptionCode]) -> Option<Evidence> {
    let mut value = String::new();
    for code in codes.iter().take(64) {
        if !value.is_empty() {
            value.push(',');
        }
        let _ = write!(value, "{}", u8::from(*code));
    }
    (!value.is_empty()).then(|| Evidence::new(EvidenceKind::DhcpParams, &value))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use dhcproto::{Encodable, Encoder};

    /// A DHCPDISCOVER with the given options, encoded by dhcproto.
    pub(crate) fn discover(hostname: &str, class: &str, params: &[u8]) -> Vec<u8> {
        let chaddr = [0x00, 0x09, 0xfb, 0x12, 0x34, 0x56];
        let mut msg = Message::default();
        msg.set_chaddr(&chaddr);
        let opts = msg.opts_mut();
        opts.insert(DhcpOption::MessageType(dhcproto::v4::MessageType::Discover));
        opts.insert(DhcpOption::Hostname(hostname.into()));
        opts.insert(DhcpOption::ClassIdentifier(class.as_bytes().to_vec()));
        opts.insert(DhcpOption::ParameterRequestList(
            params.iter().map(|&c| OptionCode::from(c)).collect(),
        ));
        let mut id = vec![1];
        id.extend_from_slice(&chaddr);
        opts.insert(DhcpOption::ClientIdentifier(id));
        let mut buf = Vec::new();
        msg.encode(&mut Encoder::new(&mut buf)).unwrap();
        buf
    }

    fn values(data: &[u8]) -> Vec<(EvidenceKind, String)> {
        let mut out = Vec::new();
        inspect(data, &mut out);
        out.into_iter()
            .map(|fact| match fact {
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence,
                } => (evidence.kind, evidence.value),
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn discover_gives_hostname_class_params_in_order_and_client_id() {
        let data = discover(
            "PCU12345678",
            "MSFT 5.0",
            &[1, 15, 3, 6, 44, 46, 47, 31, 33, 249, 43],
        );
        assert_eq!(
            values(&data),
            vec![
                (EvidenceKind::DhcpHostname, "PCU12345678".into()),
                (EvidenceKind::DhcpVendorClass, "MSFT 5.0".into()),
                (
                    EvidenceKind::DhcpParams,
                    "1,15,3,6,44,46,47,31,33,249,43".into()
                ),
                (EvidenceKind::DhcpClientId, "010009fb123456".into()),
            ]
        );
    }

    #[test]
    fn server_replies_and_relayed_requests_are_ignored() {
        let mut data = discover("x", "y", &[1]);
        data[0] = 2; // BOOTREPLY
        assert!(values(&data).is_empty());
        let mut relayed = discover("x", "y", &[1]);
        relayed[24..28].copy_from_slice(&[10, 0, 0, 1]); // giaddr
        assert!(values(&relayed).is_empty());
    }

    #[test]
    fn truncated_message_keeps_the_options_that_arrived_whole() {
        let data = discover("HOST1", "udhcp 1.19.4", &[1, 3, 6, 12, 15, 28, 42]);
        // Options sort by code in dhcproto's encoder: 12 < 53 < 55 < 60 < 61.
        let cut = data.len() - 20;
        let got = values(&data[..cut]);
        assert_eq!(
            got.first(),
            Some(&(EvidenceKind::DhcpHostname, "HOST1".into()))
        );
        for end in 0..data.len() {
            let _ = values(&data[..end]);
        }
        assert!(values(&data[..MIN_DHCP_LEN - 1]).is_empty());
    }
}
