//! TLS ClientHello: the server name (SNI) and a JA4 fingerprint of the client's TLS stack.
//!
//! The record and the ClientHello are parsed with `tls-parser`; each extension's content (SNI,
//! ALPN, signature algorithms, supported versions) is decoded with its `parse_tls_extension`.
//! The extension *list* is walked here (type, length, data), because `tls-parser` stops at the
//! first extension whose content it rejects while JA4 counts every extension.
//!
//! The fingerprint follows the public JA4 definition (FoxIO, BSD-3-Clause), `a_b_c`:
//! - `a`: `t` (TLS over TCP); the version (highest non-GREASE `supported_versions` entry, else
//!   the ClientHello version: `13`, `12`, `11`, `10`, `s3`, `s2`, `s1`, else `00`); `d` when an
//!   SNI extension is present, else `i`; the number of cipher suites and of extensions, GREASE
//!   left out, two digits each, at most 99; the first and last characters of the first ALPN
//!   value (`00` without ALPN; the first hex digit of its first byte and the last hex digit of
//!   its last byte when either character is not ASCII alphanumeric).
//! - `b`: the first 12 hex digits of SHA-256 over the cipher suites as 4-digit lower-case hex,
//!   sorted, comma-separated (`000000000000` when there are none).
//! - `c`: the same over the extension types sorted, without SNI (0000) and ALPN (0010), then
//!   `_` and the signature algorithms in their original order (no `_` when there are none).
//!
//! A ClientHello cut short (snap length, or a hello larger than one segment) gives only its SNI:
//! the fixed fields are skipped by hand and extensions are read while they are whole.

use super::bytes::{Reader, text_evidence};
use crate::catalog::EvidenceKind;
use crate::event::RemoteExecKind;
use crate::identify::{PayloadContext, PayloadFact, Subject};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use tls_parser::{TlsExtension, TlsMessage, TlsMessageHandshake};

const EXT_SNI: u16 = 0x0000;
const EXT_ALPN: u16 = 0x0010;
/// Extensions looked at per hello (a real hello has about 20).
const MAX_EXTENSIONS: usize = 64;

/// What a ClientHello says about its client.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ClientHello {
    /// Server name from the SNI extension.
    pub(crate) server_name: Option<String>,
    /// JA4 fingerprint (only for a complete hello).
    pub(crate) fingerprint: Option<String>,
}

/// Appends the SNI and fingerprint of a ClientHello that starts `ctx.payload`.
pub(super) fn inspect(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let Some(hello) = client_hello(ctx.payload) else {
        return;
    };
    let mut push = |kind, value: Option<String>| {
        if let Some(e) = value.and_then(|v| text_evidence(kind, v.as_bytes())) {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence: e,
            });
        }
    };
    push(EvidenceKind::TlsSni, hello.server_name);
    push(EvidenceKind::TlsFingerprint, hello.fingerprint);
    if ctx.dst_port == 5986 {
        // WinRM over HTTPS: the POST /wsman is inside the tunnel, the port names the service.
        out.push(PayloadFact::RemoteExec(RemoteExecKind::Winrm));
    }
}

/// Parses a ClientHello record at the start of `data`.
pub(crate) fn client_hello(data: &[u8]) -> Option<ClientHello> {
    match tls_parser::parse_tls_plaintext(data) {
        Ok((_, plaintext)) => plaintext.msg.iter().find_map(|msg| match msg {
            TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) => {
                let ciphers: Vec<u16> = hello.ciphers.iter().map(|c| c.0).collect();
                let extensions = Extensions::walk(hello.ext.unwrap_or_default());
                Some(ClientHello {
                    fingerprint: Some(ja4(hello.version.0, &ciphers, &extensions)),
                    server_name: extensions.server_name,
                })
            }
            _ => None,
        }),
        Err(_) => partial_hello(data),
    }
}

/// The SNI of a hello that does not parse whole (see the module docs).
fn partial_hello(data: &[u8]) -> Option<ClientHello> {
    let mut r = Reader::new(data);
    let [content_type, major] = r.array::<2>()?;
    if content_type != 0x16 || major != 0x03 {
        return None;
    }
    r.skip(3)?; // minor version, record length
    if r.u8()? != 0x01 {
        return None; // not a ClientHello
    }
    r.skip(3 + 2 + 32)?; // handshake length, client version, random
    let session_id = usize::from(r.u8()?);
    r.skip(session_id)?;
    let ciphers = usize::from(r.u16_be()?);
    r.skip(ciphers)?;
    let compression = usize::from(r.u8()?);
    r.skip(compression)?;
    r.skip(2)?; // extensions length
    let extensions = Extensions::walk(r.rest());
    extensions.server_name.as_ref()?;
    Some(ClientHello {
        server_name: extensions.server_name,
        fingerprint: None,
    })
}

/// The extension facts JA4 needs.
#[derive(Debug, Default)]
struct Extensions {
    types: Vec<u16>,
    server_name: Option<String>,
    has_sni: bool,
    alpn_first: Option<Vec<u8>>,
    signature_algorithms: Vec<u16>,
    highest_version: Option<u16>,
}

fn is_grease(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && (value >> 8) == (value & 0xff)
}

impl Extensions {
    /// Walks `type(2) length(2) data` items while they are whole.
    fn walk(mut bytes: &[u8]) -> Extensions {
        let mut found = Extensions::default();
        while found.types.len() < MAX_EXTENSIONS {
            let mut r = Reader::new(bytes);
            let (Some(ext_type), Some(len)) = (r.u16_be(), r.u16_be()) else {
                break;
            };
            let Some(body) = r.take(usize::from(len)) else {
                break;
            };
            let whole = bytes
                .get(..usize::from(len).saturating_add(4))
                .unwrap_or_default();
            bytes = r.rest();
            if is_grease(ext_type) {
                continue;
            }
            found.types.push(ext_type);
            if ext_type == EXT_SNI {
                found.has_sni = true;
            }
            if matches!(ext_type, 0x0000 | 0x000d | 0x0010 | 0x002b) && !body.is_empty() {
                found.decode(whole);
            }
        }
        found
    }

    fn decode(&mut self, whole: &[u8]) {
        let Ok((_, extension)) = tls_parser::parse_tls_extension(whole) else {
            return;
        };
        match extension {
            TlsExtension::SNI(names) => {
                self.server_name = names
                    .first()
                    .map(|(_, name)| String::from_utf8_lossy(name).into_owned());
            }
            TlsExtension::ALPN(protocols) => {
                self.alpn_first = protocols.first().map(|p| p.to_vec());
            }
            TlsExtension::SignatureAlgorithms(algorithms) => {
                self.signature_algorithms = algorithms.into_iter().take(64).collect();
            }
            TlsExtension::SupportedVersions(versions) => {
                self.highest_version = versions
                    .iter()
                    .map(|v| v.0)
                    .filter(|v| !is_grease(*v))
                    .max();
            }
            _ => {}
        }
    }
}

fn version_code(version: u16) -> &'static str {
    match version {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0200 => "s2",
        0x0100 => "s1",
        _ => "00",
    }
}

fn alpn_code(alpn: Option<&[u8]>) -> String {
    let Some((&first, &last)) = alpn.and_then(|a| Some((a.first()?, a.last()?))) else {
        return "00".into();
    };
    if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
        return format!("{}{}", char::from(first), char::from(last));
    }
    let hex = |b: u8| format!("{b:02x}");
    let (first, last) = (hex(first), hex(last));
    format!(
        "{}{}",
        first.chars().next().unwrap_or('0'),
        last.chars().last().unwrap_or('0')
    )
}

fn hash12(list: &str) -> String {
    if list.is_empty() {
        return "000000000000".into();
    }
    let digest = Sha256::digest(list.as_bytes());
    let mut out = String::with_capacity(12);
    for byte in digest.iter().take(6) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn hex_list(values: impl Iterator<Item = u16>) -> String {
    let mut out = String::new();
    for value in values {
        if !out.is_empty() {
            out.push(',');
        }
        let _ = write!(out, "{value:04x}");
    }
    out
}

fn ja4(hello_version: u16, ciphers: &[u16], extensions: &Extensions) -> String {
    let mut ciphers: Vec<u16> = ciphers.iter().copied().filter(|c| !is_grease(*c)).collect();
    let version = extensions.highest_version.unwrap_or(hello_version);
    let a = format!(
        "t{}{}{:02}{:02}{}",
        version_code(version),
        if extensions.has_sni { 'd' } else { 'i' },
        ciphers.len().min(99),
        extensions.types.len().min(99),
        alpn_code(extensions.alpn_first.as_deref()),
    );
    ciphers.sort_unstable();
    let b = hash12(&hex_list(ciphers.into_iter()));
    let mut types: Vec<u16> = extensions
        .types
        .iter()
        .copied()
        .filter(|t| *t != EXT_SNI && *t != EXT_ALPN)
        .collect();
    types.sort_unstable();
    let mut c_input = hex_list(types.into_iter());
    if !extensions.signature_algorithms.is_empty() {
        c_input.push('_');
        c_input.push_str(&hex_list(extensions.signature_algorithms.iter().copied()));
    }
    format!("{a}_{b}_{}", hash12(&c_input))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::Transport;
    use crate::identify::Evidence;

    fn be16(v: usize) -> [u8; 2] {
        (v as u16).to_be_bytes()
    }

    /// A ClientHello record written byte by byte.
    pub(crate) fn client_hello_bytes(ciphers: &[u16], extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&[0x11; 32]); // random
        body.push(32);
        body.extend_from_slice(&[0x22; 32]); // session id
        body.extend_from_slice(&be16(ciphers.len() * 2));
        for c in ciphers {
            body.extend_from_slice(&c.to_be_bytes());
        }
        body.extend_from_slice(&[1, 0]); // null compression
        let mut ext = Vec::new();
        for (t, data) in extensions {
            ext.extend_from_slice(&t.to_be_bytes());
            ext.extend_from_slice(&be16(data.len()));
            ext.extend_from_slice(data);
        }
        body.extend_from_slice(&be16(ext.len()));
        body.extend_from_slice(&ext);
        let mut handshake = vec![0x01, 0, 0, 0];
        handshake[2..4].copy_from_slice(&be16(body.len()));
        handshake.extend_from_slice(&body);
        let mut record = vec![0x16, 0x03, 0x01];
        record.extend_from_slice(&be16(handshake.len()));
        record.extend_from_slice(&handshake);
        record
    }

    pub(crate) fn sni(name: &str) -> Vec<u8> {
        let mut data = be16(name.len() + 3).to_vec();
        data.push(0);
        data.extend_from_slice(&be16(name.len()));
        data.extend_from_slice(name.as_bytes());
        data
    }

    /// The JA4 specification's example hello (ciphers, extensions, ALPN h2, signature algorithms).
    pub(crate) fn spec_example(server_name: &str) -> Vec<u8> {
        let ciphers = [
            0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
            0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ];
        let sig_algs: Vec<u8> = [
            0x0403u16, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
        ]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
        let mut sig = be16(sig_algs.len()).to_vec();
        sig.extend_from_slice(&sig_algs);
        let alpn = [&be16(12)[..], b"\x02h2\x08http/1.1"].concat();
        let extensions = vec![
            (0x0a0a, vec![]),
            (0x001b, vec![2, 0, 2]),
            (0x0000, sni(server_name)),
            (0x0033, vec![0, 6, 0, 0x1d, 0, 2, 0xab, 0xcd]),
            (0x0010, alpn),
            (0x4469, vec![0, 3, 2, b'h', b'2']),
            (0x0017, vec![]),
            (0x002d, vec![1, 1]),
            (0x000d, sig),
            (0x0005, vec![1, 0, 0, 0, 0]),
            (0x0023, vec![]),
            (0x0012, vec![]),
            (0x002b, vec![6, 0x3a, 0x3a, 3, 4, 3, 3]),
            (0xff01, vec![0]),
            (0x000b, vec![1, 0]),
            (0x000a, vec![0, 4, 0, 0x1d, 0, 0x17]),
            (0x0015, vec![0; 8]),
        ];
        client_hello_bytes(&ciphers, &extensions)
    }

    #[test]
    fn ja4_matches_the_specification_example() {
        let hello = client_hello(&spec_example("api.xbcs.net")).unwrap();
        assert_eq!(hello.server_name.as_deref(), Some("api.xbcs.net"));
        assert_eq!(
            hello.fingerprint.as_deref(),
            Some("t13d1516h2_8daaf6152771_e5627efa2ab1")
        );
    }

    #[test]
    fn ja4_without_sni_alpn_or_signature_algorithms() {
        let hello = client_hello(&client_hello_bytes(&[0x002f], &[(0x000b, vec![1, 0])])).unwrap();
        // TLS 1.2 from the hello version, no SNI, 1 cipher, 1 extension, no ALPN.
        assert_eq!(
            hello.fingerprint.as_deref(),
            Some(format!("t12i010100_{}_{}", hash12("002f"), hash12("000b")).as_str())
        );
        assert_eq!(alpn_code(Some(b"\xffab\x01")), "f1");
        assert_eq!(alpn_code(Some(b"")), "00");
        assert_eq!(hash12(""), "000000000000");
    }

    #[test]
    fn facts_and_winrm_over_https() {
        let data = spec_example("ws-001.hospital.local");
        let ctx = PayloadContext {
            transport: Transport::Tcp,
            src_port: 50000,
            dst_port: 5986,
            from_initiator: true,
            payload: &data,
        };
        let mut out = Vec::new();
        inspect(&ctx, &mut out);
        assert_eq!(
            out,
            vec![
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(EvidenceKind::TlsSni, "ws-001.hospital.local"),
                },
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(
                        EvidenceKind::TlsFingerprint,
                        "t13d1516h2_8daaf6152771_e5627efa2ab1"
                    ),
                },
                PayloadFact::RemoteExec(RemoteExecKind::Winrm),
            ]
        );
    }

    #[test]
    fn truncated_hello_keeps_the_sni_and_never_panics() {
        let data = spec_example("pacs.hospital.local");
        // Cut after the SNI extension (inside the key share): SNI only, no fingerprint.
        let sni_end = data
            .windows(19)
            .position(|w| w == b"pacs.hospital.local")
            .unwrap()
            + 19;
        let hello = client_hello(&data[..sni_end + 3]).unwrap();
        assert_eq!(hello.server_name.as_deref(), Some("pacs.hospital.local"));
        assert_eq!(hello.fingerprint, None);
        for end in 0..data.len() {
            let _ = client_hello(&data[..end]);
        }
        assert_eq!(client_hello(&data[..sni_end - 1]), None);
    }
}
