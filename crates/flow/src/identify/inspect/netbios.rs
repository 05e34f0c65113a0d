//! NetBIOS names (RFC 1001/1002): name registrations, refreshes and positive query answers of
//! the name service (UDP 137), node status answers, and the source name of datagram service
//! packets (UDP 138, e.g. browser host announcements).
//!
//! Hand-written: the names use NetBIOS "first-level" encoding (32 letters 'A'-'P', one nibble
//! each) and the NB/NBSTAT record types, which DNS crates do not decode. Only unique names with
//! the workstation (0x00) or server (0x20) suffix are kept; group names (workgroups, domains) and
//! service suffixes are not host names.

use super::bytes::{Reader, be_u16_at, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};

const OPCODE_QUERY: u16 = 0;
const OPCODE_REGISTRATION: u16 = 5;
const OPCODE_REFRESH: u16 = 8;
const OPCODE_REFRESH_ALT: u16 = 9;
const OPCODE_MULTI_HOMED: u16 = 15;
const TYPE_NB: u16 = 0x0020;
const TYPE_NBSTAT: u16 = 0x0021;
/// NB_FLAGS / name flags group bit.
const GROUP_BIT: u16 = 0x8000;
const MAX_STATUS_NAMES: usize = 16;

/// A decoded name: 15 characters (trailing spaces removed) and the suffix byte.
fn decode_name(encoded: &[u8]) -> Option<([u8; 15], usize, u8)> {
    let mut name = [0u8; 15];
    let mut suffix = 0u8;
    let mut pairs = encoded.chunks_exact(2);
    for i in 0..16 {
        let pair = pairs.next()?;
        let (&hi, &lo) = (pair.first()?, pair.get(1)?);
        if !(b'A'..=b'P').contains(&hi) || !(b'A'..=b'P').contains(&lo) {
            return None;
        }
        let byte = (hi.checked_sub(b'A')? << 4) | lo.checked_sub(b'A')?;
        match name.get_mut(i) {
            Some(slot) => *slot = byte,
            None => suffix = byte,
        }
    }
    let len = name
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(0, |p| p.saturating_add(1));
    Some((name, len, suffix))
}

/// Reads a length-prefixed encoded name (32 bytes) plus its scope labels and terminator.
fn read_encoded_name<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    if r.u8()? != 32 {
        return None;
    }
    let encoded = r.take(32)?;
    for _ in 0..8 {
        match r.u8()? {
            0 => return Some(encoded),
            len if len < 64 => r.skip(usize::from(len))?,
            _ => return None, // compression pointers do not occur in a first name
        }
    }
    None
}

fn push_host_name(raw: &[u8], suffix: u8, out: &mut Vec<PayloadFact>) {
    if matches!(suffix, 0x00 | 0x20)
        && let Some(evidence) = text_evidence(EvidenceKind::NetbiosName, raw)
    {
        out.push(PayloadFact::Evidence {
            subject: Subject::Source,
            evidence,
        });
    }
}

/// Name service (UDP 137).
pub(super) fn inspect_name_service(data: &[u8], out: &mut Vec<PayloadFact>) {
    let (Some(flags), Some(questions), Some(answers), Some(additional)) = (
        be_u16_at(data, 2),
        be_u16_at(data, 4),
        be_u16_at(data, 6),
        be_u16_at(data, 10),
    ) else {
        return;
    };
    let response = flags & 0x8000 != 0;
    let opcode = (flags >> 11) & 0x0f;
    let rcode = flags & 0x000f;
    let mut r = Reader::new(data.get(12..).unwrap_or_default());
    let registering = matches!(
        opcode,
        OPCODE_REGISTRATION | OPCODE_REFRESH | OPCODE_REFRESH_ALT | OPCODE_MULTI_HOMED
    );
    if !response && registering && questions == 1 && additional == 1 {
        // Question (name, type, class) then the additional NB record: name pointer, type, class,
        // TTL, rdlength, NB_FLAGS, address.
        let Some(encoded) = read_encoded_name(&mut r) else {
            return;
        };
        let Some(nb_flags) = r
            .skip(4)
            .and_then(|()| r.skip(2 + 2 + 2 + 4 + 2))
            .and_then(|()| r.u16_be())
        else {
            return;
        };
        if nb_flags & GROUP_BIT == 0
            && let Some((name, len, suffix)) = decode_name(encoded)
        {
            push_host_name(name.get(..len).unwrap_or_default(), suffix, out);
        }
    } else if response && opcode == OPCODE_QUERY && rcode == 0 && answers >= 1 {
        answer(&mut r, out);
    }
}

/// A positive query answer (NB) or a node status answer (NBSTAT) names its sender.
fn answer(r: &mut Reader<'_>, out: &mut Vec<PayloadFact>) {
    let Some(encoded) = read_encoded_name(r) else {
        return;
    };
    let (Some(rr_type), Some(_class), Some(_ttl), Some(_len)) =
        (r.u16_be(), r.u16_be(), r.skip(4), r.u16_be())
    else {
        return;
    };
    match rr_type {
        TYPE_NB => {
            let Some(nb_flags) = r.u16_be() else {
                return;
            };
            if nb_flags & GROUP_BIT == 0
                && let Some((name, len, suffix)) = decode_name(encoded)
            {
                push_host_name(name.get(..len).unwrap_or_default(), suffix, out);
            }
        }
        TYPE_NBSTAT => {
            let Some(count) = r.u8() else {
                return;
            };
            for _ in 0..usize::from(count).min(MAX_STATUS_NAMES) {
                let (Some(raw), Some(flags)) = (r.take(16), r.u16_be()) else {
                    return;
                };
                let (Some(name), Some(&suffix)) = (raw.get(..15), raw.get(15)) else {
                    return;
                };
                if flags & GROUP_BIT == 0 && suffix == 0x00 {
                    let len = name
                        .iter()
                        .rposition(|&b| b != b' ')
                        .map_or(0, |p| p.saturating_add(1));
                    push_host_name(name.get(..len).unwrap_or_default(), suffix, out);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// Datagram service (UDP 138): direct unique, direct group and broadcast datagrams carry the
/// sender's name at offset 14.
pub(super) fn inspect_datagram(data: &[u8], out: &mut Vec<PayloadFact>) {
    if !matches!(data.first(), Some(0x10..=0x12)) {
        return;
    }
    let mut r = Reader::new(data.get(14..).unwrap_or_default());
    if let Some(encoded) = read_encoded_name(&mut r)
        && let Some((name, len, suffix)) = decode_name(encoded)
    {
        push_host_name(name.get(..len).unwrap_or_default(), suffix, out);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;

    fn encode(name: &str, suffix: u8) -> Vec<u8> {
        let mut raw = format!("{name:<15}").into_bytes();
        raw.push(suffix);
        let mut out = vec![32];
        for b in raw {
            out.push(b'A' + (b >> 4));
            out.push(b'A' + (b & 0x0f));
        }
        out.push(0);
        out
    }

    pub(crate) fn registration(name: &str, suffix: u8, nb_flags: u16) -> Vec<u8> {
        let mut data = vec![0x12, 0x34, 0x29, 0x10, 0, 1, 0, 0, 0, 0, 0, 1];
        data.extend_from_slice(&encode(name, suffix));
        data.extend_from_slice(&[0, 0x20, 0, 1]);
        data.extend_from_slice(&[0xc0, 0x0c, 0, 0x20, 0, 1, 0, 0x04, 0x93, 0xe0, 0, 6]);
        data.extend_from_slice(&nb_flags.to_be_bytes());
        data.extend_from_slice(&[10, 0, 0, 5]);
        data
    }

    fn names(out: &[PayloadFact]) -> Vec<String> {
        out.iter()
            .map(|f| match f {
                PayloadFact::Evidence {
                    evidence: Evidence { value, .. },
                    ..
                } => value.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn registration_gives_unique_host_names_only() {
        let mut out = Vec::new();
        inspect_name_service(&registration("WS-001", 0x00, 0x0000), &mut out);
        inspect_name_service(&registration("WORKGROUP", 0x00, 0x8000), &mut out);
        inspect_name_service(&registration("WS-001", 0x1d, 0x0000), &mut out);
        assert_eq!(names(&out), vec!["WS-001"]);
    }

    #[test]
    fn datagram_source_name() {
        let mut data = vec![0x11, 0x02, 0x81, 0x2a, 10, 0, 0, 5, 0, 138, 0, 0xbb, 0, 0];
        data.extend_from_slice(&encode("PICIX-001", 0x20));
        data.extend_from_slice(&encode("WORKGROUP", 0x1e));
        let mut out = Vec::new();
        inspect_datagram(&data, &mut out);
        assert_eq!(names(&out), vec!["PICIX-001"]);
    }

    #[test]
    fn node_status_answer_names_the_sender() {
        let mut data = vec![0x00, 0x01, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0];
        data.extend_from_slice(&encode("*", 0x00));
        data.extend_from_slice(&[0, 0x21, 0, 1, 0, 0, 0, 0, 0, 65]);
        data.push(2);
        data.extend_from_slice(b"WORKGROUP      \x00\x84\x00");
        data.extend_from_slice(b"M5500-12345678 \x00\x04\x00");
        let mut out = Vec::new();
        inspect_name_service(&data, &mut out);
        assert_eq!(names(&out), vec!["M5500-12345678"]);
    }

    #[test]
    fn truncation_is_safe() {
        let data = registration("WS-001", 0x00, 0);
        for end in 0..data.len() {
            let mut out = Vec::new();
            inspect_name_service(&data[..end], &mut out);
            inspect_datagram(&data[..end], &mut out);
        }
        assert_eq!(decode_name(b"AAAA"), None);
        assert_eq!(decode_name(&[b'Z'; 32]), None);
    }
}
