//! Kerberos 5 (RFC 4120) over TCP 88: AS-REQ with PA-ENC-TIMESTAMP and AS-REP, then TGS-REQ
//! (PA-TGS-REQ carrying an AP-REQ) and TGS-REP, each with the 4-byte record mark. Encrypted
//! parts are opaque (random), as on any capture without keys.

use super::der::{self, tag};
use super::opaque;
use crate::seed::Rng;
use rand::Rng as _;
use wardwatch_flow::Timestamp;

const AES256: i64 = 18;

fn time(t: Timestamp) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = super::civil(t);
    der::tlv(
        tag::GENERALIZED_TIME,
        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z").as_bytes(),
    )
}

fn principal(kind: i64, parts: &[&str]) -> Vec<u8> {
    let names: Vec<Vec<u8>> = parts.iter().map(|p| der::general(p)).collect();
    der::seq(&[der::ctx(0, der::int(kind)), der::ctx(1, der::seq(&names))])
}

fn encrypted(rng: &mut Rng, kvno: Option<i64>, len: usize) -> Vec<u8> {
    let mut parts = vec![der::ctx(0, der::int(AES256))];
    if let Some(k) = kvno {
        parts.push(der::ctx(1, der::int(k)));
    }
    parts.push(der::ctx(2, der::octets(&opaque(rng, len))));
    der::seq(&parts)
}

fn flags(bits: u32) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(&bits.to_be_bytes());
    der::tlv(tag::BIT_STRING, &v)
}

fn pa(kind: i64, value: Vec<u8>) -> Vec<u8> {
    der::seq(&[
        der::ctx(1, der::int(kind)),
        der::ctx(2, der::octets(&value)),
    ])
}

fn ticket(rng: &mut Rng, realm: &str, sname: &[&str]) -> Vec<u8> {
    der::app(
        1,
        &[der::seq(&[
            der::ctx(0, der::int(5)),
            der::ctx(1, der::general(realm)),
            der::ctx(2, principal(2, sname)),
            der::ctx(3, encrypted(rng, Some(2), 1000)),
        ])],
    )
}

/// Who asks for what.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// Realm, e.g. `WARD.EXAMPLE`.
    pub realm: &'a str,
    /// Client principal (user or `HOST$`).
    pub client: &'a str,
    /// Service of the TGS request, e.g. `cifs`.
    pub service: &'a str,
    /// Host of the service, e.g. `fs01.ward.example`.
    pub service_host: &'a str,
    /// Packet time.
    pub now: Timestamp,
}

fn body(rng: &mut Rng, r: &Request, cname: Option<&str>, sname: &[&str]) -> Vec<u8> {
    let mut parts = vec![der::ctx(0, flags(0x4081_0010))];
    if let Some(c) = cname {
        parts.push(der::ctx(1, principal(1, &[c])));
    }
    parts.push(der::ctx(2, der::general(r.realm)));
    parts.push(der::ctx(3, principal(2, sname)));
    parts.push(der::ctx(
        5,
        time(Timestamp(r.now.micros() + 10 * 3_600_000_000)),
    ));
    parts.push(der::ctx(7, der::int(i64::from(rng.r#gen::<u32>() >> 1))));
    parts.push(der::ctx(
        8,
        der::seq(&[der::int(AES256), der::int(17), der::int(23)]),
    ));
    der::seq(&parts)
}

fn record(msg: Vec<u8>) -> Vec<u8> {
    let mut out = (msg.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&msg);
    out
}

/// AS-REQ for the client's TGT (with pre-authentication).
pub fn as_req(rng: &mut Rng, r: &Request) -> Vec<u8> {
    let ts = encrypted(rng, None, 56);
    let pac = der::seq(&[der::ctx(0, der::tlv(tag::BOOLEAN, &[0xff]))]);
    let padata = der::seq(&[pa(2, ts), pa(128, pac)]);
    let b = body(rng, r, Some(r.client), &["krbtgt", r.realm]);
    record(der::app(
        10,
        &[der::seq(&[
            der::ctx(1, der::int(5)),
            der::ctx(2, der::int(10)),
            der::ctx(3, padata),
            der::ctx(4, b),
        ])],
    ))
}

fn rep(rng: &mut Rng, app: u8, msg_type: i64, r: &Request, sname: &[&str]) -> Vec<u8> {
    record(der::app(
        app,
        &[der::seq(&[
            der::ctx(0, der::int(5)),
            der::ctx(1, der::int(msg_type)),
            der::ctx(3, der::general(r.realm)),
            der::ctx(4, principal(1, &[r.client])),
            der::ctx(5, ticket(rng, r.realm, sname)),
            der::ctx(6, encrypted(rng, Some(2), 300)),
        ])],
    ))
}

/// AS-REP with the TGT.
pub fn as_rep(rng: &mut Rng, r: &Request) -> Vec<u8> {
    rep(rng, 11, 11, r, &["krbtgt", r.realm])
}

/// TGS-REQ for `service/service_host`, presenting the TGT in an AP-REQ.
pub fn tgs_req(rng: &mut Rng, r: &Request) -> Vec<u8> {
    let ap = der::app(
        14,
        &[der::seq(&[
            der::ctx(0, der::int(5)),
            der::ctx(1, der::int(14)),
            der::ctx(2, flags(0)),
            der::ctx(3, ticket(rng, r.realm, &["krbtgt", r.realm])),
            der::ctx(4, encrypted(rng, None, 200)),
        ])],
    );
    let padata = der::seq(&[pa(1, ap)]);
    let b = body(rng, r, None, &[r.service, r.service_host]);
    record(der::app(
        12,
        &[der::seq(&[
            der::ctx(1, der::int(5)),
            der::ctx(2, der::int(12)),
            der::ctx(3, padata),
            der::ctx(4, b),
        ])],
    ))
}

/// TGS-REP with the service ticket.
pub fn tgs_rep(rng: &mut Rng, r: &Request) -> Vec<u8> {
    rep(rng, 13, 13, r, &[r.service, r.service_host])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn req() -> Request<'static> {
        Request {
            realm: "WARD.EXAMPLE",
            client: "nurse01",
            service: "cifs",
            service_host: "fs01.ward.example",
            now: Timestamp::from_secs(1_767_600_000),
        }
    }

    /// Reads one DER header: (tag, content start, content length).
    fn header(b: &[u8]) -> (u8, usize, usize) {
        let t = b[0];
        if b[1] < 0x80 {
            (t, 2, b[1] as usize)
        } else {
            let n = (b[1] & 0x7f) as usize;
            let len = b[2..2 + n].iter().fold(0usize, |a, &x| a << 8 | x as usize);
            (t, 2 + n, len)
        }
    }

    #[test]
    fn record_marks_and_application_tags() {
        let mut rng = Rng::seed_from_u64(1);
        for (msg, app) in [
            (as_req(&mut rng, &req()), 0x6a),
            (as_rep(&mut rng, &req()), 0x6b),
            (tgs_req(&mut rng, &req()), 0x6c),
            (tgs_rep(&mut rng, &req()), 0x6d),
        ] {
            let mark = u32::from_be_bytes(msg[..4].try_into().unwrap()) as usize;
            assert_eq!(mark, msg.len() - 4);
            let (t, start, len) = header(&msg[4..]);
            assert_eq!(t, app);
            assert_eq!(
                start + len,
                msg.len() - 4,
                "outer length covers the message"
            );
        }
        let r = as_req(&mut rng, &req());
        assert!(r.windows(7).any(|w| w == b"nurse01"));
        assert!(r.windows(15).any(|w| w == b"20260105180000Z"));
    }
}
