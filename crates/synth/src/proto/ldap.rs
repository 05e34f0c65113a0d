//! LDAPv3 (RFC 4511) on TCP 389 as Windows clients use it: a SASL GSS-SPNEGO bind carrying
//! NTLMSSP in two rounds, a subtree search for the user or computer, the entry and done, and
//! an unbind. BER written with [`super::der`].

use super::der::{self, tag};
use super::ntlm::{self, Names};
use crate::seed::Rng;
use crate::wire::conv::{Message, Side};

fn message(id: i64, op: Vec<u8>) -> Vec<u8> {
    der::seq(&[der::int(id), op])
}

fn sasl_bind(id: i64, credentials: &[u8]) -> Vec<u8> {
    let sasl = der::cons(
        0xa3,
        &[der::octets(b"GSS-SPNEGO"), der::octets(credentials)],
    );
    message(id, der::app(0, &[der::int(3), der::octets(b""), sasl]))
}

fn bind_response(id: i64, code: i64, server_creds: Option<&[u8]>) -> Vec<u8> {
    let mut parts = vec![
        der::int_tagged(tag::ENUMERATED, code),
        der::octets(b""),
        der::octets(b""),
    ];
    if let Some(c) = server_creds {
        parts.push(der::tlv(0x87, c));
    }
    message(id, der::app(1, &parts))
}

fn search(id: i64, base: &str, attribute: &str, value: &str, attrs: &[&str]) -> Vec<u8> {
    let filter = der::cons(
        0xa3,
        &[
            der::octets(attribute.as_bytes()),
            der::octets(value.as_bytes()),
        ],
    );
    let wanted: Vec<Vec<u8>> = attrs.iter().map(|a| der::octets(a.as_bytes())).collect();
    message(
        id,
        der::app(
            3,
            &[
                der::octets(base.as_bytes()),
                der::int_tagged(tag::ENUMERATED, 2),
                der::int_tagged(tag::ENUMERATED, 0),
                der::int(0),
                der::int(0),
                der::tlv(tag::BOOLEAN, &[0]),
                filter,
                der::seq(&wanted),
            ],
        ),
    )
}

fn entry(id: i64, dn: &str, attrs: &[(&str, String)]) -> Vec<u8> {
    let list: Vec<Vec<u8>> = attrs
        .iter()
        .map(|(k, v)| {
            der::seq(&[
                der::octets(k.as_bytes()),
                der::cons(tag::SET, &[der::octets(v.as_bytes())]),
            ])
        })
        .collect();
    message(
        id,
        der::app(4, &[der::octets(dn.as_bytes()), der::seq(&list)]),
    )
}

fn done(id: i64) -> Vec<u8> {
    message(
        id,
        der::app(
            5,
            &[
                der::int_tagged(tag::ENUMERATED, 0),
                der::octets(b""),
                der::octets(b""),
            ],
        ),
    )
}

/// `DC=ward,DC=example` from `ward.example`.
pub fn base_dn(domain: &str) -> String {
    domain
        .split('.')
        .map(|p| format!("DC={p}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A bind, a search for `account` (sAMAccountName) and an unbind.
pub fn session(rng: &mut Rng, names: &Names, account: &str) -> Vec<Message> {
    let base = base_dn(names.dns_domain);
    let token1 = ntlm::neg_token_init(&ntlm::negotiate());
    let challenge = ntlm::neg_token_resp(1, true, Some(&ntlm::challenge(rng, names)));
    let token2 = ntlm::neg_token_resp_client(&ntlm::authenticate(rng, names));
    let dn = format!("CN={account},OU=Clinical,{base}");
    let mut result = entry(
        3,
        &dn,
        &[
            ("sAMAccountName", account.to_owned()),
            ("memberOf", format!("CN=Clinical Staff,OU=Groups,{base}")),
            ("userAccountControl", "512".into()),
        ],
    );
    result.extend_from_slice(&done(3));
    vec![
        Message::new(Side::A, sasl_bind(1, &token1)),
        Message::after(Side::B, bind_response(1, 14, Some(&challenge)), 400),
        Message::new(Side::A, sasl_bind(2, &token2)),
        Message::after(
            Side::B,
            bind_response(2, 0, Some(&ntlm::neg_token_resp(0, false, None))),
            1500,
        ),
        Message::new(
            Side::A,
            search(
                3,
                &base,
                "sAMAccountName",
                account,
                &["memberOf", "userAccountControl"],
            ),
        ),
        Message::after(Side::B, result, 800),
        Message::new(Side::A, message(4, vec![0x42, 0x00])),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn messages_are_sequences_with_ids() {
        let mut rng = Rng::seed_from_u64(1);
        let names = Names {
            domain: "WARD",
            dns_domain: "ward.example",
            server: "DC01",
            workstation: "WS-1",
            user: "nurse01",
            filetime: 0,
        };
        let msgs = session(&mut rng, &names, "nurse01");
        assert_eq!(msgs.len(), 7);
        for m in &msgs {
            assert_eq!(m.data[0], 0x30);
        }
        assert_eq!(base_dn("ward.example"), "DC=ward,DC=example");
        let unbind = &msgs[6].data;
        assert_eq!(&unbind[unbind.len() - 2..], &[0x42, 0x00]);
        assert!(msgs[4].data.windows(14).any(|w| w == b"sAMAccountName"));
    }
}
