//! TLS 1.3-shaped handshakes: a ClientHello with SNI, supported groups, signature algorithms,
//! supported_versions and a key share; the ServerHello; ChangeCipherSpec; then encrypted
//! records (application_data) of the requested sizes. Hand-written: tls-parser only parses;
//! encrypted content is opaque on the wire, so no TLS stack is needed.

use super::opaque;
use crate::seed::Rng;
use rand::RngCore;

/// Largest plaintext record fragment (RFC 8446).
const MAX_RECORD: usize = 16_384;

fn record(out: &mut Vec<u8>, content_type: u8, version: u16, body: &[u8]) {
    out.push(content_type);
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn ext(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn random32(rng: &mut Rng) -> [u8; 32] {
    let mut r = [0u8; 32];
    rng.fill_bytes(&mut r);
    r
}

/// A ClientHello record for `sni` (no SNI extension when empty). `session_id` is echoed by the
/// server.
pub fn client_hello(rng: &mut Rng, sni: &str, session_id: &[u8; 32]) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&random32(rng));
    body.push(32);
    body.extend_from_slice(session_id);
    let suites: [u16; 8] = [
        0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0x009c,
    ];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]);
    let mut exts = Vec::new();
    if !sni.is_empty() && sni.len() < 250 {
        let mut sn = ((sni.len() + 3) as u16).to_be_bytes().to_vec();
        sn.push(0);
        sn.extend_from_slice(&(sni.len() as u16).to_be_bytes());
        sn.extend_from_slice(sni.as_bytes());
        ext(&mut exts, 0x0000, &sn);
    }
    ext(&mut exts, 0x000a, &[0, 4, 0x00, 0x1d, 0x00, 0x17]);
    ext(&mut exts, 0x000b, &[1, 0]);
    ext(
        &mut exts,
        0x000d,
        &[0, 8, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03],
    );
    ext(
        &mut exts,
        0x0010,
        &[0, 9, 8, b'h', b't', b't', b'p', b'/', b'1', b'.', b'1'],
    );
    ext(&mut exts, 0x002b, &[4, 0x03, 0x04, 0x03, 0x03]);
    ext(&mut exts, 0x002d, &[1, 1]);
    let mut ks = vec![0, 36, 0x00, 0x1d, 0, 32];
    ks.extend_from_slice(&random32(rng));
    ext(&mut exts, 0x0033, &ks);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut out = Vec::with_capacity(body.len() + 9);
    record(&mut out, 22, 0x0301, &handshake(1, &body));
    out
}

/// The server's first flight: ServerHello (TLS 1.3 via supported_versions), ChangeCipherSpec
/// and the encrypted rest of the handshake (certificate and so on) of about `encrypted_len`.
pub fn server_flight(rng: &mut Rng, session_id: &[u8; 32], encrypted_len: usize) -> Vec<u8> {
    let mut out = server_hello(rng, session_id);
    out.extend_from_slice(&app_data(rng, encrypted_len));
    out
}

/// [`server_flight`] with [`app_data_rdp`] ciphertext.
pub fn server_flight_rdp(rng: &mut Rng, session_id: &[u8; 32], encrypted_len: usize) -> Vec<u8> {
    let mut out = server_hello(rng, session_id);
    // One record whose body covers every segment boundary of the flight.
    out.extend_from_slice(&app_data_rdp(
        rng,
        encrypted_len.min(MAX_RECORD - 256),
        MAX_RECORD,
    ));
    out
}

/// ServerHello and ChangeCipherSpec records.
fn server_hello(rng: &mut Rng, session_id: &[u8; 32]) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&random32(rng));
    body.push(32);
    body.extend_from_slice(session_id);
    body.extend_from_slice(&[0x13, 0x01, 0]);
    let mut exts = Vec::new();
    ext(&mut exts, 0x002b, &[0x03, 0x04]);
    let mut ks = vec![0x00, 0x1d, 0, 32];
    ks.extend_from_slice(&random32(rng));
    ext(&mut exts, 0x0033, &ks);
    body.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    body.extend_from_slice(&exts);
    let mut out = Vec::with_capacity(200);
    record(&mut out, 22, 0x0303, &handshake(2, &body));
    record(&mut out, 20, 0x0303, &[1]);
    out
}

/// The client's ChangeCipherSpec and encrypted Finished.
pub fn client_finish(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    record(&mut out, 20, 0x0303, &[1]);
    out.extend_from_slice(&app_data(rng, 53));
    out
}

/// Encrypted application data of `len` bytes of ciphertext, split into records.
pub fn app_data(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + (len / MAX_RECORD + 1) * 5);
    let mut left = len.max(1);
    while left > 0 {
        let n = left.min(MAX_RECORD);
        record(&mut out, 23, 0x0303, &opaque(rng, n));
        left -= n;
    }
    out
}

/// Application data for streams Wireshark reads as TPKT (RDP on 3389, where it shows real
/// RDP/TLS as "TPKT continuation" and parses any TCP segment starting with byte 3 as a TPKT
/// header). Records are sized so that, in a message starting at a segment boundary, every
/// record header starts a segment (`mss`), and ciphertext holds no byte 3; so no segment can
/// start with 3. The bias is invisible in opaque ciphertext.
pub fn app_data_rdp(rng: &mut Rng, len: usize, mss: usize) -> Vec<u8> {
    let mss = mss.clamp(64, MAX_RECORD);
    let full = (MAX_RECORD / mss) * mss - 5;
    let mut out = Vec::with_capacity(len + (len / full + 1) * 5);
    let mut left = len.max(1);
    while left > 0 {
        let n = left.min(full);
        let mut body = opaque(rng, n);
        for b in &mut body {
            if *b == 0x03 {
                *b = 0x83;
            }
        }
        record(&mut out, 23, 0x0303, &body);
        left -= n;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use tls_parser::{
        TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_extensions, parse_tls_plaintext,
    };

    #[test]
    fn client_hello_parses_with_tls_parser_and_carries_the_sni() {
        let mut rng = Rng::seed_from_u64(1);
        let hello = client_hello(&mut rng, "rsn.philips-remote.example", &[7; 32]);
        let (rest, plain) = parse_tls_plaintext(&hello).unwrap();
        assert!(rest.is_empty());
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch)) = &plain.msg[0] else {
            panic!()
        };
        let (_, exts) = parse_tls_extensions(ch.ext.unwrap()).unwrap();
        let sni = exts.iter().find_map(|e| match e {
            TlsExtension::SNI(list) => Some(list[0].1.to_vec()),
            _ => None,
        });
        assert_eq!(sni.as_deref(), Some(&b"rsn.philips-remote.example"[..]));
    }

    #[test]
    fn server_flight_and_records_parse() {
        let mut rng = Rng::seed_from_u64(2);
        let flight = server_flight(&mut rng, &[7; 32], 3000);
        let (rest, plain) = parse_tls_plaintext(&flight).unwrap();
        assert!(matches!(
            plain.msg[0],
            TlsMessage::Handshake(TlsMessageHandshake::ServerHello(_))
        ));
        let (rest, ccs) = parse_tls_plaintext(rest).unwrap();
        assert!(matches!(ccs.msg[0], TlsMessage::ChangeCipherSpec));
        assert_eq!(rest.len(), 3005);
        let data = app_data(&mut rng, 40_000);
        assert_eq!(data.len(), 40_000 + 3 * 5);
        assert_eq!(&data[..3], &[23, 3, 3]);
        let rdp = app_data_rdp(&mut rng, 50_000, 1460);
        // Every 1460-byte segment starts with a record header (0x17) or a body byte (never 3).
        assert!(
            rdp.chunks(1460).all(|seg| seg[0] != 3),
            "a segment starts with 3"
        );
        assert_eq!(rdp[0], 23);
        assert_eq!(
            rdp[16_060], 23,
            "the second record starts at a segment boundary"
        );
        assert_eq!(rdp.len(), 50_000 + 4 * 5);
    }
}
