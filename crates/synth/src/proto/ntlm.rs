//! NTLMSSP messages (MS-NLMP 2.2.1) inside SPNEGO tokens (RFC 4178), as SMB2 session setup and
//! LDAP SASL GSS-SPNEGO binds carry them. Hand-written: no crate here encodes them; the
//! cryptographic values are random (nothing verifies them on a capture).

use super::der::{self, tag};
use super::opaque;
use crate::seed::Rng;

/// NTLMSSP mechanism OID.
pub const NTLMSSP_OID: &str = "1.3.6.1.4.1.311.2.2.10";
/// SPNEGO mechanism OID.
pub const SPNEGO_OID: &str = "1.3.6.1.5.5.2";
const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
const FLAGS: u32 = 0xe288_8215;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn version(out: &mut Vec<u8>) {
    // Windows 10.0 build 19041, NTLM revision 15.
    out.extend_from_slice(&[10, 0]);
    out.extend_from_slice(&19041u16.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 15]);
}

/// Fields (length, max length, offset) pointing into a payload that starts at `base`.
struct Payload {
    base: usize,
    data: Vec<u8>,
}

impl Payload {
    fn field(&mut self, header: &mut Vec<u8>, value: &[u8]) {
        let len = value.len() as u16;
        header.extend_from_slice(&len.to_le_bytes());
        header.extend_from_slice(&len.to_le_bytes());
        header.extend_from_slice(&((self.base + self.data.len()) as u32).to_le_bytes());
        self.data.extend_from_slice(value);
    }
}

/// NEGOTIATE_MESSAGE (type 1).
pub fn negotiate() -> Vec<u8> {
    let mut m = SIGNATURE.to_vec();
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&FLAGS.to_le_bytes());
    m.extend_from_slice(&[0; 16]); // domain and workstation fields: empty
    version(&mut m);
    m
}

/// The AV pairs of a server's target information.
fn target_info(domain: &str, server: &str, dns_domain: &str, filetime: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pair = |id: u16, value: &[u8]| {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&(value.len() as u16).to_le_bytes());
        out.extend_from_slice(value);
    };
    pair(2, &utf16(domain));
    pair(1, &utf16(server));
    pair(4, &utf16(dns_domain));
    pair(
        3,
        &utf16(&format!("{}.{dns_domain}", server.to_lowercase())),
    );
    pair(7, &filetime.to_le_bytes());
    pair(0, &[]);
    out
}

/// Who authenticates where: NetBIOS domain, DNS domain, server and client names, user.
#[derive(Clone, Copy, Debug)]
pub struct Names<'a> {
    /// NetBIOS domain, e.g. `WARD`.
    pub domain: &'a str,
    /// DNS domain, e.g. `ward.example`.
    pub dns_domain: &'a str,
    /// Server NetBIOS name.
    pub server: &'a str,
    /// Client workstation name.
    pub workstation: &'a str,
    /// User name.
    pub user: &'a str,
    /// Packet time as a Windows FILETIME.
    pub filetime: u64,
}

/// CHALLENGE_MESSAGE (type 2).
pub fn challenge(rng: &mut Rng, n: &Names) -> Vec<u8> {
    let mut m = SIGNATURE.to_vec();
    m.extend_from_slice(&2u32.to_le_bytes());
    let mut p = Payload {
        base: 56,
        data: Vec::new(),
    };
    p.field(&mut m, &utf16(n.domain));
    m.extend_from_slice(&FLAGS.to_le_bytes());
    m.extend_from_slice(&opaque(rng, 8));
    m.extend_from_slice(&[0; 8]);
    p.field(
        &mut m,
        &target_info(n.domain, n.server, n.dns_domain, n.filetime),
    );
    version(&mut m);
    m.extend_from_slice(&p.data);
    m
}

/// AUTHENTICATE_MESSAGE (type 3) with an NTLMv2 response.
pub fn authenticate(rng: &mut Rng, n: &Names) -> Vec<u8> {
    let mut m = SIGNATURE.to_vec();
    m.extend_from_slice(&3u32.to_le_bytes());
    let mut nt = opaque(rng, 16); // NTProofStr
    nt.extend_from_slice(&[1, 1, 0, 0, 0, 0, 0, 0]);
    nt.extend_from_slice(&n.filetime.to_le_bytes());
    nt.extend_from_slice(&opaque(rng, 8));
    nt.extend_from_slice(&[0; 4]);
    nt.extend_from_slice(&target_info(n.domain, n.server, n.dns_domain, n.filetime));
    nt.extend_from_slice(&[0; 4]);
    let mut p = Payload {
        base: 88,
        data: Vec::new(),
    };
    p.field(&mut m, &[0; 24]);
    p.field(&mut m, &nt);
    p.field(&mut m, &utf16(n.domain));
    p.field(&mut m, &utf16(n.user));
    p.field(&mut m, &utf16(n.workstation));
    p.field(&mut m, &opaque(rng, 16));
    m.extend_from_slice(&FLAGS.to_le_bytes());
    version(&mut m);
    m.extend_from_slice(&opaque(rng, 16)); // MIC
    m.extend_from_slice(&p.data);
    m
}

/// GSS-API initial token: SPNEGO NegTokenInit offering NTLMSSP with `mech_token`.
pub fn neg_token_init(mech_token: &[u8]) -> Vec<u8> {
    let mech_types = der::ctx(0, der::seq(&[der::oid(NTLMSSP_OID)]));
    let init = der::ctx(
        0,
        der::seq(&[mech_types, der::ctx(2, der::octets(mech_token))]),
    );
    der::app(0, &[der::oid(SPNEGO_OID), init])
}

/// SPNEGO NegTokenResp: `state` 0 accept-completed, 1 accept-incomplete; optional token.
pub fn neg_token_resp(state: i64, with_mech: bool, token: Option<&[u8]>) -> Vec<u8> {
    let mut parts = vec![der::ctx(0, der::int_tagged(tag::ENUMERATED, state))];
    if with_mech {
        parts.push(der::ctx(1, der::oid(NTLMSSP_OID)));
    }
    if let Some(t) = token {
        parts.push(der::ctx(2, der::octets(t)));
    }
    der::ctx(1, der::seq(&parts))
}

/// A client's NegTokenResp carrying only a token (the AUTHENTICATE message).
pub fn neg_token_resp_client(token: &[u8]) -> Vec<u8> {
    der::ctx(1, der::seq(&[der::ctx(2, der::octets(token))]))
}

/// Windows FILETIME (100 ns since 1601) of a Unix time in microseconds.
pub fn filetime(unix_micros: u64) -> u64 {
    (unix_micros + 11_644_473_600_000_000) * 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn names() -> Names<'static> {
        Names {
            domain: "WARD",
            dns_domain: "ward.example",
            server: "FS01",
            workstation: "WS-001",
            user: "nurse01",
            filetime: filetime(0),
        }
    }

    #[test]
    fn messages_have_their_signature_type_and_fields() {
        let neg = negotiate();
        assert_eq!(&neg[..8], b"NTLMSSP\0");
        assert_eq!(neg.len(), 40);
        let mut rng = Rng::seed_from_u64(1);
        let ch = challenge(&mut rng, &names());
        assert_eq!(u32::from_le_bytes(ch[8..12].try_into().unwrap()), 2);
        let target_len = u16::from_le_bytes([ch[40], ch[41]]) as usize;
        let target_off = u32::from_le_bytes(ch[44..48].try_into().unwrap()) as usize;
        assert_eq!(target_off + target_len, ch.len());
        let au = authenticate(&mut rng, &names());
        let user_len = u16::from_le_bytes([au[36], au[37]]) as usize;
        let user_off = u32::from_le_bytes(au[40..44].try_into().unwrap()) as usize;
        assert_eq!(&au[user_off..user_off + user_len], &utf16("nurse01")[..]);
        assert_eq!(filetime(0), 116_444_736_000_000_000);
    }

    #[test]
    fn spnego_wrapping() {
        let t = neg_token_init(&negotiate());
        assert_eq!(t[0], 0x60);
        assert_eq!(&t[2..10], &der::oid(SPNEGO_OID)[..]);
        let r = neg_token_resp(1, true, Some(b"x"));
        assert_eq!(r[0], 0xa1);
    }
}
