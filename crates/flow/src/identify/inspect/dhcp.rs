//! DHCPv4 client identity: options 12 (host name), 55 (parameter request list, in the client's
//! order), 60 (vendor class) and 61 (client identifier), decoded with `dhcproto`.
//!
//! Client identity comes only from BOOTREQUEST messages sent by the client itself: a relayed
//! request (giaddr set or hops > 0) comes from the relay agent's address, so its options do not
//! describe the sender. A server's reply says nothing about the client that the client did not
//! say itself, but a vendor class in an unrelayed reply names the server's own platform (an
//! Aruba controller answers with `ArubaAP`); only that option is taken from replies. A server
//! configured to echo the client's option 60 would be mislabelled by it: none of the common ones
//! (ISC, Windows, dnsmasq) does so by default.
//! `dhcproto` asserts the lengths of some options it decodes (`debug_assert!(len == 4)` for the
//! bulk lease query times, `len - 1` for option 151, found by this crate's property tests), which
//! panics in debug builds on hostile input. So the option list is first walked here (code,
//! length, value; bounds-checked) and only options 12, 53, 55, 60 and 61 are copied, whole, into a
//! bounded copy of the message that `dhcproto` then decodes. A message cut short by the snap
//! length keeps the options that arrived whole.

use super::bytes::{hex, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{Evidence, PayloadFact, Subject};
use dhcproto::v4::{DhcpOption, Message, Opcode, OptionCode};
use dhcproto::{Decodable, Decoder};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// Fixed BOOTP header plus the magic cookie.
const MIN_DHCP_LEN: usize = 240;
const MAGIC_COOKIE: [u8; 4] = [0x63, 0x82, 0x53, 0x63];
/// Options handed to `dhcproto`: host name, message type, parameter list, vendor class, client id.
const KEPT_OPTIONS: [u8; 5] = [12, 53, 55, 60, 61];
const OPTION_PAD: u8 = 0;
const OPTION_END: u8 = 255;

/// The fixed part plus the kept options, whole, then END (see the module docs).
fn sanitized(data: &[u8]) -> Option<Vec<u8>> {
    let fixed = data.get(..MIN_DHCP_LEN)?;
    if fixed.get(236..240)? != MAGIC_COOKIE {
        return None;
    }
    let mut copy = Vec::with_capacity(data.len().min(1500).saturating_add(1));
    copy.extend_from_slice(fixed);
    let mut options = data.get(MIN_DHCP_LEN..)?;
    while let Some((&code, rest)) = options.split_first() {
        if code == OPTION_END {
            break;
        }
        if code == OPTION_PAD {
            options = rest;
            continue;
        }
        let Some((&len, rest)) = rest.split_first() else {
            break;
        };
        let Some(value) = rest.get(..usize::from(len)) else {
            break; // cut short: keep what came whole
        };
        if KEPT_OPTIONS.contains(&code) && copy.len() < 1500 {
            copy.push(code);
            copy.push(len);
            copy.extend_from_slice(value);
        }
        options = rest.get(usize::from(len)..).unwrap_or_default();
    }
    copy.push(OPTION_END);
    Some(copy)
}
/// Client identifiers longer than this are cut (hex doubles it).
const MAX_CLIENT_ID: usize = 64;

/// Appends the identity a DHCP client request reveals about its sender.
pub(super) fn inspect(data: &[u8], out: &mut Vec<PayloadFact>) {
    let Some(copy) = sanitized(data) else {
        return;
    };
    let Ok(message) = Message::decode(&mut Decoder::new(&copy)) else {
        return;
    };
    if message.giaddr() != Ipv4Addr::UNSPECIFIED || message.hops() > 0 {
        return;
    }
    let opts = message.opts();
    if message.opcode() == Opcode::BootReply {
        if let Some(DhcpOption::ClassIdentifier(class)) = opts.get(OptionCode::ClassIdentifier)
            && let Some(evidence) = text_evidence(EvidenceKind::DhcpVendorClass, class)
        {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
        }
        return;
    }
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
    fn replies_give_only_the_servers_vendor_class_and_relayed_requests_nothing() {
        let mut data = discover("client-name", "ArubaAP", &[1]);
        data[0] = 2; // BOOTREPLY
        assert_eq!(
            values(&data),
            vec![(EvidenceKind::DhcpVendorClass, "ArubaAP".into())]
        );
        let mut relayed = discover("x", "y", &[1]);
        relayed[24..28].copy_from_slice(&[10, 0, 0, 1]); // giaddr
        assert!(values(&relayed).is_empty());
    }

    #[test]
    fn options_dhcproto_asserts_on_are_never_handed_to_it() {
        let mut data = discover("HOST1", "udhcp 1.19.4", &[1, 3]);
        data.pop(); // END
        data.extend_from_slice(&[152, 1, 0xff, 151, 0, 0xff]); // bad lengths
        assert_eq!(
            values(&data).first(),
            Some(&(EvidenceKind::DhcpHostname, "HOST1".into()))
        );
        let mut no_cookie = data.clone();
        no_cookie[236] = 0;
        assert!(values(&no_cookie).is_empty());
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
