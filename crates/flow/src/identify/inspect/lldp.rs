//! LLDP (IEEE 802.1AB) system name and system description TLVs from the frame's sender.
//!
//! Hand-written: no maintained Rust LLDP parser crate exists; the format is a flat list of
//! TLVs (7-bit type, 9-bit length) ended by type 0.

use super::bytes::{Reader, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};

const TLV_END: u16 = 0;
const TLV_SYSTEM_NAME: u16 = 5;
const TLV_SYSTEM_DESCRIPTION: u16 = 6;
/// TLVs looked at per frame (a frame of 1500 bytes holds at most 750).
const MAX_TLVS: usize = 64;

/// Appends the system name and description an LLDPDU (the bytes after the EtherType) carries.
pub(super) fn inspect(payload: &[u8], out: &mut Vec<PayloadFact>) {
    let mut r = Reader::new(payload);
    for _ in 0..MAX_TLVS {
        let Some(header) = r.u16_be() else {
            return;
        };
        let tlv_type = header >> 9;
        let length = usize::from(header & 0x01ff);
        if tlv_type == TLV_END {
            return;
        }
        // A value cut by the snap length is still read up to where it stops.
        let value = r.take(length).unwrap_or_else(|| r.rest());
        let kind = match tlv_type {
            TLV_SYSTEM_NAME => EvidenceKind::LldpSystemName,
            TLV_SYSTEM_DESCRIPTION => EvidenceKind::LldpSystemDescription,
            _ => {
                if r.remaining() == 0 {
                    return;
                }
                continue;
            }
        };
        let complete = value.len() == length;
        if let Some(evidence) = text_evidence(kind, value).filter(|_| complete) {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
        }
        if !complete {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;

    pub(crate) fn tlv(tlv_type: u16, value: &[u8]) -> Vec<u8> {
        let mut out = ((tlv_type << 9) | value.len() as u16)
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(value);
        out
    }

    pub(crate) fn lldpdu(name: &str, description: &str) -> Vec<u8> {
        [
            tlv(1, b"\x04\x00\x22\x2d\x81\xdb\x10"),
            tlv(2, b"\x07Gi1/0/1"),
            tlv(3, &[0, 120]),
            tlv(TLV_SYSTEM_NAME, name.as_bytes()),
            tlv(TLV_SYSTEM_DESCRIPTION, description.as_bytes()),
            tlv(TLV_END, b""),
        ]
        .concat()
    }

    #[test]
    fn system_name_and_description() {
        let mut out = Vec::new();
        inspect(
            &lldpdu("sw-ward-001", "Cisco IOS Software, Version 17.9.3"),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(EvidenceKind::LldpSystemName, "sw-ward-001"),
                },
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(
                        EvidenceKind::LldpSystemDescription,
                        "Cisco IOS Software, Version 17.9.3"
                    ),
                },
            ]
        );
    }

    #[test]
    fn truncated_values_are_dropped_not_cut() {
        let data = lldpdu("sw-ward-001", "Cisco IOS Software");
        let name_end = data.windows(11).position(|w| w == b"sw-ward-001").unwrap() + 11;
        let mut out = Vec::new();
        inspect(&data[..name_end - 1], &mut out);
        assert!(out.is_empty());
        inspect(&data[..name_end + 3], &mut out);
        assert_eq!(out.len(), 1);
        for end in 0..data.len() {
            inspect(&data[..end], &mut Vec::new());
        }
    }
}
