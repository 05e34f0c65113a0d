//! SIP over UDP 5060 (RFC 3261): REGISTER challenged with digest authentication then accepted,
//! and OPTIONS keep-alives, with the phone's User-Agent.

use crate::seed::Rng;
use rand::Rng as _;
use std::net::Ipv4Addr;

/// The phone and registrar of a SIP exchange.
pub struct Dialog<'a> {
    /// Phone address.
    pub phone: Ipv4Addr,
    /// Registrar address.
    pub registrar: Ipv4Addr,
    /// SIP domain.
    pub domain: &'a str,
    /// Extension number.
    pub extension: &'a str,
    /// User-Agent header.
    pub user_agent: &'a str,
}

fn hex(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| format!("{:x}", rng.gen_range(0..16u8)))
        .collect()
}

fn head(
    d: &Dialog,
    method: &str,
    uri: &str,
    cseq: u32,
    branch: &str,
    tag: &str,
    call_id: &str,
) -> String {
    format!(
        "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {}:5060;branch=z9hG4bK{branch}\r\nMax-Forwards: 70\r\n\
         From: <sip:{}@{}>;tag={tag}\r\nTo: <sip:{}@{}>\r\nCall-ID: {call_id}@{}\r\nCSeq: {cseq} {method}\r\n",
        d.phone, d.extension, d.domain, d.extension, d.domain, d.phone
    )
}

fn response(request: &str, status: &str, extra: &str) -> Vec<u8> {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for line in request.lines() {
        if ["Via:", "From:", "To:", "Call-ID:", "CSeq:"]
            .iter()
            .any(|h| line.starts_with(h))
        {
            out.push_str(line);
            if line.starts_with("To:") {
                out.push_str(";tag=as5e8f1c2d");
            }
            out.push_str("\r\n");
        }
    }
    out.push_str(extra);
    out.push_str("Content-Length: 0\r\n\r\n");
    out.into_bytes()
}

/// REGISTER, 401 with a digest challenge, REGISTER with credentials, 200 OK.
pub fn register(rng: &mut Rng, d: &Dialog) -> Vec<Vec<u8>> {
    let uri = format!("sip:{}", d.domain);
    let tag = hex(rng, 8);
    let call_id = hex(rng, 16);
    let tail = format!(
        "Contact: <sip:{}@{}:5060>\r\nExpires: 3600\r\nUser-Agent: {}\r\nContent-Length: 0\r\n\r\n",
        d.extension, d.phone, d.user_agent
    );
    let first = format!(
        "{}{tail}",
        head(d, "REGISTER", &uri, 1, &hex(rng, 10), &tag, &call_id)
    );
    let nonce = hex(rng, 32);
    let challenge = response(
        &first,
        "401 Unauthorized",
        &format!(
            "WWW-Authenticate: Digest realm=\"{}\", nonce=\"{nonce}\", algorithm=MD5\r\n",
            d.domain
        ),
    );
    let auth = format!(
        "Authorization: Digest username=\"{}\", realm=\"{}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{}\", algorithm=MD5\r\n",
        d.extension,
        d.domain,
        hex(rng, 32)
    );
    let second = format!(
        "{}{auth}{tail}",
        head(d, "REGISTER", &uri, 2, &hex(rng, 10), &tag, &call_id)
    );
    let ok = response(
        &second,
        "200 OK",
        &format!(
            "Contact: <sip:{}@{}:5060>;expires=3600\r\n",
            d.extension, d.phone
        ),
    );
    vec![first.into_bytes(), challenge, second.into_bytes(), ok]
}

/// OPTIONS keep-alive and its 200 OK.
pub fn options(rng: &mut Rng, d: &Dialog) -> Vec<Vec<u8>> {
    let uri = format!("sip:{}", d.registrar);
    let req = format!(
        "{}User-Agent: {}\r\nContent-Length: 0\r\n\r\n",
        head(
            d,
            "OPTIONS",
            &uri,
            1,
            &hex(rng, 10),
            &hex(rng, 8),
            &hex(rng, 16)
        ),
        d.user_agent
    );
    let ok = response(
        &req,
        "200 OK",
        "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER\r\n",
    );
    vec![req.into_bytes(), ok]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn register_flow() {
        let mut rng = Rng::seed_from_u64(1);
        let d = Dialog {
            phone: Ipv4Addr::new(10, 10, 50, 30),
            registrar: Ipv4Addr::new(10, 10, 100, 31),
            domain: "ward.example",
            extension: "4101",
            user_agent: "Cisco-CP8845/14.2.1",
        };
        let m = register(&mut rng, &d);
        let s: Vec<String> = m
            .iter()
            .map(|b| String::from_utf8(b.clone()).unwrap())
            .collect();
        assert!(s[0].starts_with("REGISTER sip:ward.example SIP/2.0\r\n"));
        assert!(s[0].contains("User-Agent: Cisco-CP8845/14.2.1\r\n"));
        assert!(
            s[1].starts_with("SIP/2.0 401 Unauthorized\r\n") && s[1].contains("CSeq: 1 REGISTER")
        );
        assert!(s[2].contains("Authorization: Digest"));
        assert!(s[3].starts_with("SIP/2.0 200 OK\r\n") && s[3].ends_with("\r\n\r\n"));
        let o = options(&mut rng, &d);
        assert!(
            String::from_utf8(o[1].clone())
                .unwrap()
                .contains("CSeq: 1 OPTIONS")
        );
    }
}
