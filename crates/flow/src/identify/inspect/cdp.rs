//! CDP (Cisco Discovery Protocol) device id, software version and platform TLVs.
//!
//! Hand-written: no maintained Rust CDP parser crate exists. The caller may hand over the bytes
//! after the LLC header (starting with the SNAP header 00:00:0c 20:00), after LLC+SNAP, or with
//! the LLC header (AA AA 03) still in front; the CDP header (version 1 or 2, TTL, checksum) is
//! found after whichever of these is present.

use super::bytes::{Reader, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};

const TLV_DEVICE_ID: u16 = 0x0001;
const TLV_SOFTWARE: u16 = 0x0005;
const TLV_PLATFORM: u16 = 0x0006;
const MAX_TLVS: usize = 64;
const SNAP_CDP: [u8; 5] = [0x00, 0x00, 0x0c, 0x20, 0x00];

/// Strips whatever LLC/SNAP framing is still in front of the CDP header.
fn cdp_body(payload: &[u8]) -> &[u8] {
    let payload = payload.strip_prefix(&[0xaa, 0xaa, 0x03]).unwrap_or(payload);
    payload.strip_prefix(&SNAP_CDP).unwrap_or(payload)
}

/// Appends the identity a CDP frame carries about its sender.
pub(super) fn inspect(payload: &[u8], out: &mut Vec<PayloadFact>) {
    let mut r = Reader::new(cdp_body(payload));
    let Some(version) = r.u8() else {
        return;
    };
    if !matches!(version, 1 | 2) || r.skip(3).is_none() {
        return;
    }
    for _ in 0..MAX_TLVS {
        let (Some(tlv_type), Some(length)) = (r.u16_be(), r.u16_be()) else {
            return;
        };
        let Some(value) = usize::from(length).checked_sub(4).and_then(|n| r.take(n)) else {
            return;
        };
        let kind = match tlv_type {
            TLV_DEVICE_ID => EvidenceKind::CdpDeviceId,
            TLV_SOFTWARE => EvidenceKind::CdpSoftware,
            TLV_PLATFORM => EvidenceKind::CdpPlatform,
            _ => continue,
        };
        if let Some(evidence) = text_evidence(kind, value) {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;

    fn tlv(t: u16, value: &[u8]) -> Vec<u8> {
        let mut out = t.to_be_bytes().to_vec();
        out.extend_from_slice(&((value.len() + 4) as u16).to_be_bytes());
        out.extend_from_slice(value);
        out
    }

    pub(crate) fn frame() -> Vec<u8> {
        [
            vec![
                0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4, 0x12, 0x34,
            ],
            tlv(TLV_DEVICE_ID, b"SEP0012345678AB"),
            tlv(0x0003, b"Port 1"),
            tlv(TLV_SOFTWARE, b"sip88xx.12-8-1-0001-455"),
            tlv(TLV_PLATFORM, b"Cisco IP Phone 8845"),
        ]
        .concat()
    }

    #[test]
    fn device_id_software_and_platform_with_any_framing() {
        let full = frame();
        for skip in [0, 3, 8] {
            let mut out = Vec::new();
            inspect(&full[skip..], &mut out);
            let values: Vec<_> = out
                .iter()
                .map(|f| match f {
                    PayloadFact::Evidence {
                        evidence: Evidence { kind, value },
                        ..
                    } => (*kind, value.as_str()),
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(
                values,
                vec![
                    (EvidenceKind::CdpDeviceId, "SEP0012345678AB"),
                    (EvidenceKind::CdpSoftware, "sip88xx.12-8-1-0001-455"),
                    (EvidenceKind::CdpPlatform, "Cisco IP Phone 8845"),
                ],
                "skip {skip}"
            );
        }
        for end in 0..full.len() {
            inspect(&full[..end], &mut Vec::new());
        }
        let mut bad_length = full.clone();
        bad_length[14..16].copy_from_slice(&[0, 2]); // TLV length below its header
        let mut out = Vec::new();
        inspect(&bad_length, &mut out);
        assert!(out.is_empty());
    }
}
