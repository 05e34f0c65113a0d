//! HL7 v2 message header (MSH) over MLLP: MSH-3 sending application, MSH-4 sending facility and
//! MSH-12 version describe the sender.
//!
//! Hand-written: MSH is a delimiter format (the field separator is the byte after `MSH`, the
//! component separator the first encoding character), too small a job for a crate. The segment is
//! read up to its carriage return, or to the end of what arrived when the segment is cut short.

use super::bytes::text_evidence;
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};

/// MLLP start-of-block byte (VT).
const START_BLOCK: u8 = 0x0b;
/// Longest MSH segment looked at.
const MAX_SEGMENT: usize = 2048;

/// Appends the sender identity of an HL7 v2 message at the start of `data`.
pub(super) fn inspect(data: &[u8], out: &mut Vec<PayloadFact>) {
    let data = data.strip_prefix(&[START_BLOCK]).unwrap_or(data);
    let Some(rest) = data.strip_prefix(b"MSH") else {
        return;
    };
    let Some((&separator, _)) = rest.split_first() else {
        return;
    };
    if separator.is_ascii_alphanumeric() || separator.is_ascii_whitespace() {
        return;
    }
    let window = data.get(..MAX_SEGMENT).unwrap_or(data);
    let segment_end = window
        .iter()
        .position(|&b| b == b'\r' || b == b'\n' || b == 0x1c)
        .unwrap_or(window.len());
    let segment = window.get(..segment_end).unwrap_or_default();
    // fields[0] = "MSH", fields[1] = MSH-2 (encoding characters), fields[n - 1] = MSH-n.
    let mut fields: Vec<&[u8]> = segment.split(|&b| b == separator).take(14).collect();
    if segment_end == window.len() && fields.len() < 14 {
        fields.pop(); // the segment was cut inside its last field
    }
    let component = fields
        .get(1)
        .and_then(|encoding| encoding.first().copied())
        .unwrap_or(b'^');
    let field = |n: usize| fields.get(n.saturating_sub(1)).copied();
    let mut push = |kind, value: Option<&[u8]>| {
        if let Some(evidence) = value.and_then(|v| text_evidence(kind, v)) {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
        }
    };
    push(EvidenceKind::Hl7SendingApp, field(3));
    push(EvidenceKind::Hl7SendingFacility, field(4));
    let version = field(12).and_then(|v| v.split(|&b| b == component).next());
    push(EvidenceKind::Hl7Version, version);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;

    pub(crate) const ORU: &[u8] = b"\x0bMSH|^~\\&|MINDRAY_N15^12345678|ICU|EMR|HOSP|20250101120000||ORU^R01^ORU_R01|MSG0001|P|2.6^^|||AL\rPID|||123\r\x1c\r";

    fn values(data: &[u8]) -> Vec<(EvidenceKind, String)> {
        let mut out = Vec::new();
        inspect(data, &mut out);
        out.into_iter()
            .map(|f| match f {
                PayloadFact::Evidence {
                    evidence: Evidence { kind, value },
                    ..
                } => (kind, value),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn msh_gives_application_facility_and_version() {
        assert_eq!(
            values(ORU),
            vec![
                (EvidenceKind::Hl7SendingApp, "MINDRAY_N15^12345678".into()),
                (EvidenceKind::Hl7SendingFacility, "ICU".into()),
                (EvidenceKind::Hl7Version, "2.6".into()),
            ]
        );
    }

    #[test]
    fn other_separators_and_missing_mllp_block() {
        let data = b"MSH#^~\\&#LAB#MAIN#LIS##20250101##OUL^R22#1#P#2.5.1\r";
        assert_eq!(
            values(data),
            vec![
                (EvidenceKind::Hl7SendingApp, "LAB".into()),
                (EvidenceKind::Hl7SendingFacility, "MAIN".into()),
                (EvidenceKind::Hl7Version, "2.5.1".into()),
            ]
        );
    }

    #[test]
    fn truncation_and_garbage() {
        let cut = ORU.windows(4).position(|w| w == b"|EMR").unwrap() + 3;
        assert_eq!(
            values(&ORU[..cut]),
            vec![
                (EvidenceKind::Hl7SendingApp, "MINDRAY_N15^12345678".into()),
                (EvidenceKind::Hl7SendingFacility, "ICU".into()),
            ]
        );
        assert!(values(&ORU[..30]).is_empty());
        for end in 0..ORU.len() {
            let _ = values(&ORU[..end]);
        }
        assert!(values(b"\x0bMSHA|B|C").is_empty());
        assert!(values(b"\x0bPID|1|2").is_empty());
    }
}
