//! DICOM upper layer A-ASSOCIATE-RQ and -AC (PS3.8 9.3), read with `dicom-ul`'s `read_pdu`.
//!
//! A request describes its sender as the calling AE (with its implementation class UID and
//! version name) and its receiver as the called AE. An accept is sent by the acceptor: its
//! implementation items and the called AE title describe the sender, the calling AE title the
//! receiver. A PDU cut short by the snap length gives the AE titles of the fixed part (bytes
//! 10..42), read here directly because `read_pdu` waits for the whole PDU.

use super::bytes::{Reader, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};
use dicom_ul::pdu::{Pdu, UserVariableItem, read_pdu};

const PDU_ASSOCIATE_RQ: u8 = 0x01;
const PDU_ASSOCIATE_AC: u8 = 0x02;
/// Association PDUs are small; a larger declared length is not an association.
const MAX_ASSOCIATE_PDU: u32 = 64 * 1024;
/// Bytes before the variable items: header (6), version and reserved (4), two AE titles (32).
const FIXED_WITH_TITLES: usize = 42;

struct Identity {
    calling_ae: String,
    called_ae: String,
    class_uid: Option<String>,
    version_name: Option<String>,
}

fn implementation(items: &[UserVariableItem]) -> (Option<String>, Option<String>) {
    let mut class_uid = None;
    let mut version_name = None;
    for item in items {
        match item {
            UserVariableItem::ImplementationClassUID(uid) => class_uid = Some(uid.clone()),
            UserVariableItem::ImplementationVersionName(name) => {
                version_name = Some(name.clone());
            }
            _ => {}
        }
    }
    (class_uid, version_name)
}

/// The fixed-part header check shared by the whole and the truncated path.
fn header(data: &[u8]) -> Option<(u8, u32)> {
    let mut r = Reader::new(data);
    let pdu_type = r.u8()?;
    r.skip(1)?;
    let length = u32::from_be_bytes(r.array::<4>()?);
    let version = r.u16_be()?;
    let plausible = matches!(pdu_type, PDU_ASSOCIATE_RQ | PDU_ASSOCIATE_AC)
        && version & 1 == 1
        && (68..=MAX_ASSOCIATE_PDU).contains(&length);
    plausible.then_some((pdu_type, length))
}

fn title(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).trim().to_owned()
}

/// Appends the association identity of an A-ASSOCIATE-RQ or -AC at the start of `data`.
pub(super) fn inspect(data: &[u8], out: &mut Vec<PayloadFact>) {
    let Some((pdu_type, _)) = header(data) else {
        return;
    };
    let identity = match read_pdu(data, MAX_ASSOCIATE_PDU, true) {
        Ok(Some(Pdu::AssociationRQ(rq))) => {
            let (class_uid, version_name) = implementation(&rq.user_variables);
            Identity {
                calling_ae: rq.calling_ae_title,
                called_ae: rq.called_ae_title,
                class_uid,
                version_name,
            }
        }
        Ok(Some(Pdu::AssociationAC(ac))) => {
            let (class_uid, version_name) = implementation(&ac.user_variables);
            Identity {
                calling_ae: ac.calling_ae_title,
                called_ae: ac.called_ae_title,
                class_uid,
                version_name,
            }
        }
        Ok(None) => {
            let Some(titles) = data.get(10..FIXED_WITH_TITLES) else {
                return;
            };
            Identity {
                called_ae: title(titles.get(..16).unwrap_or_default()),
                calling_ae: title(titles.get(16..).unwrap_or_default()),
                class_uid: None,
                version_name: None,
            }
        }
        Ok(Some(_)) | Err(_) => return,
    };
    emit(pdu_type == PDU_ASSOCIATE_RQ, identity, out);
}

fn emit(request: bool, identity: Identity, out: &mut Vec<PayloadFact>) {
    let mut push = |subject, kind, value: Option<&str>| {
        if let Some(evidence) = value.and_then(|v| text_evidence(kind, v.as_bytes())) {
            out.push(PayloadFact::Evidence { subject, evidence });
        }
    };
    let (own_title, peer_title) = if request {
        (
            (EvidenceKind::DicomCallingAe, &identity.calling_ae),
            (EvidenceKind::DicomCalledAe, &identity.called_ae),
        )
    } else {
        (
            (EvidenceKind::DicomCalledAe, &identity.called_ae),
            (EvidenceKind::DicomCallingAe, &identity.calling_ae),
        )
    };
    push(Subject::Source, own_title.0, Some(own_title.1));
    push(
        Subject::Source,
        EvidenceKind::DicomImplClassUid,
        identity.class_uid.as_deref(),
    );
    push(
        Subject::Source,
        EvidenceKind::DicomImplVersion,
        identity.version_name.as_deref(),
    );
    push(Subject::Destination, peer_title.0, Some(peer_title.1));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;
    use dicom_ul::pdu::{
        AssociationAC, AssociationRQ, PresentationContextProposed, PresentationContextResult,
        PresentationContextResultReason, write_pdu,
    };

    fn user_items(uid: &str, version: &str) -> Vec<UserVariableItem> {
        vec![
            UserVariableItem::MaxLength(16384),
            UserVariableItem::ImplementationClassUID(uid.into()),
            UserVariableItem::ImplementationVersionName(version.into()),
        ]
    }

    /// An A-ASSOCIATE-RQ written by dicom-ul.
    pub(crate) fn associate_rq(calling: &str, called: &str, uid: &str, version: &str) -> Vec<u8> {
        let pdu = Pdu::AssociationRQ(AssociationRQ {
            protocol_version: 1,
            calling_ae_title: calling.into(),
            called_ae_title: called.into(),
            application_context_name: "1.2.840.10008.3.1.1.1".into(),
            presentation_contexts: vec![PresentationContextProposed {
                id: 1,
                abstract_syntax: "1.2.840.10008.5.1.4.1.1.2".into(),
                transfer_syntaxes: vec!["1.2.840.10008.1.2".into()],
            }],
            user_variables: user_items(uid, version),
        });
        let mut bytes = Vec::new();
        write_pdu(&mut bytes, &pdu).unwrap();
        bytes
    }

    fn associate_ac(calling: &str, called: &str, uid: &str, version: &str) -> Vec<u8> {
        let pdu = Pdu::AssociationAC(AssociationAC {
            protocol_version: 1,
            calling_ae_title: calling.into(),
            called_ae_title: called.into(),
            application_context_name: "1.2.840.10008.3.1.1.1".into(),
            presentation_contexts: vec![PresentationContextResult {
                id: 1,
                reason: PresentationContextResultReason::Acceptance,
                transfer_syntax: "1.2.840.10008.1.2".into(),
            }],
            user_variables: user_items(uid, version),
        });
        let mut bytes = Vec::new();
        write_pdu(&mut bytes, &pdu).unwrap();
        bytes
    }

    fn facts(subject: Subject, kind: EvidenceKind, value: &str) -> PayloadFact {
        PayloadFact::Evidence {
            subject,
            evidence: Evidence::new(kind, value),
        }
    }

    #[test]
    fn request_describes_the_calling_ae_as_source() {
        let mut out = Vec::new();
        inspect(
            &associate_rq(
                "REVCT001",
                "ARCHIVE",
                "1.2.840.113619.6.374",
                "GE_REVCT_ES 1.2",
            ),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                facts(Subject::Source, EvidenceKind::DicomCallingAe, "REVCT001"),
                facts(
                    Subject::Source,
                    EvidenceKind::DicomImplClassUid,
                    "1.2.840.113619.6.374"
                ),
                facts(
                    Subject::Source,
                    EvidenceKind::DicomImplVersion,
                    "GE_REVCT_ES 1.2"
                ),
                facts(Subject::Destination, EvidenceKind::DicomCalledAe, "ARCHIVE"),
            ]
        );
    }

    #[test]
    fn accept_describes_the_acceptor_as_source() {
        let mut out = Vec::new();
        inspect(
            &associate_ac(
                "REVCT001",
                "ARCHIVE",
                "1.2.276.0.7230010.3.0.3.6.8",
                "OFFIS_DCMTK_368",
            ),
            &mut out,
        );
        assert_eq!(
            out,
            vec![
                facts(Subject::Source, EvidenceKind::DicomCalledAe, "ARCHIVE"),
                facts(
                    Subject::Source,
                    EvidenceKind::DicomImplClassUid,
                    "1.2.276.0.7230010.3.0.3.6.8"
                ),
                facts(
                    Subject::Source,
                    EvidenceKind::DicomImplVersion,
                    "OFFIS_DCMTK_368"
                ),
                facts(
                    Subject::Destination,
                    EvidenceKind::DicomCallingAe,
                    "REVCT001"
                ),
            ]
        );
    }

    #[test]
    fn truncated_request_keeps_the_ae_titles() {
        let data = associate_rq("US01", "PACS", "1.2.3", "X");
        let mut out = Vec::new();
        inspect(&data[..60], &mut out);
        assert_eq!(
            out,
            vec![
                facts(Subject::Source, EvidenceKind::DicomCallingAe, "US01"),
                facts(Subject::Destination, EvidenceKind::DicomCalledAe, "PACS"),
            ]
        );
        for end in 0..data.len() {
            let mut out = Vec::new();
            inspect(&data[..end], &mut out);
        }
    }

    #[test]
    fn other_pdus_and_absurd_lengths_are_ignored() {
        let mut data = associate_rq("A", "B", "1.2", "V");
        data[2..6].copy_from_slice(&u32::MAX.to_be_bytes());
        let mut out = Vec::new();
        inspect(&data, &mut out);
        inspect(
            &[0x04, 0, 0, 0, 0, 10, 0, 0, 0, 6, 1, 3, 0, 0, 0, 0],
            &mut out,
        );
        assert!(out.is_empty());
    }
}
