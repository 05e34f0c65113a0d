//! DICOM upper layer: A-ASSOCIATE-RQ/AC with AE titles, implementation class UID and version
//! name, written by dicom-ul's `write_pdu`; DIMSE command sets and datasets in Implicit VR
//! Little Endian (encoded here: a handful of fixed elements); C-STORE studies as a lazy script
//! (one image per message), C-ECHO and modality-worklist C-FIND exchanges; A-RELEASE.

use crate::seed::Rng;
use crate::wire::conv::{Message, Script, Side};
use dicom_ul::pdu::{
    AssociationAC, AssociationRQ, PDataValue, PDataValueType, Pdu, PresentationContextProposed,
    PresentationContextResult, PresentationContextResultReason, UserVariableItem,
};
use rand::{Rng as _, RngCore};

/// DICOM application context name.
pub const APPLICATION_CONTEXT: &str = "1.2.840.10008.3.1.1.1";
/// Implicit VR Little Endian transfer syntax.
pub const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
/// Explicit VR Little Endian transfer syntax.
pub const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
/// Verification SOP class (C-ECHO).
pub const VERIFICATION: &str = "1.2.840.10008.1.1";
/// Modality Worklist Information Model - FIND.
pub const MWL_FIND: &str = "1.2.840.10008.5.1.4.31";
/// Secondary Capture Image Storage (used when a model names no storage class).
pub const SECONDARY_CAPTURE: &str = "1.2.840.10008.5.1.4.1.1.7";
/// Max PDU length both sides announce.
pub const MAX_PDU: u32 = 16_384;
/// Largest PDV value per P-DATA-TF (PDU body minus the PDV header).
const MAX_PDV: usize = MAX_PDU as usize - 6;

/// The identity one side shows in an association.
#[derive(Clone, Debug)]
pub struct AeIdentity {
    /// AE title (≤ 16 characters).
    pub ae_title: String,
    /// Implementation class UID.
    pub impl_class_uid: String,
    /// Implementation version name (≤ 16 characters), if any.
    pub impl_version: Option<String>,
}

fn write(pdu: &Pdu) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing a well-formed PDU into a Vec cannot fail; an error would be a dicom-ul bug.
    let _ = dicom_ul::write_pdu(&mut out, pdu);
    out
}

fn user_variables(id: &AeIdentity) -> Vec<UserVariableItem> {
    let mut v = vec![
        UserVariableItem::MaxLength(MAX_PDU),
        UserVariableItem::ImplementationClassUID(id.impl_class_uid.clone()),
    ];
    if let Some(name) = &id.impl_version {
        v.push(UserVariableItem::ImplementationVersionName(name.clone()));
    }
    v
}

/// An A-ASSOCIATE-RQ proposing `abstract_syntaxes` (context ids 1, 3, 5, …).
pub fn associate_rq(calling: &AeIdentity, called_ae: &str, abstract_syntaxes: &[&str]) -> Vec<u8> {
    let presentation_contexts = abstract_syntaxes
        .iter()
        .enumerate()
        .map(|(i, uid)| PresentationContextProposed {
            id: (2 * i + 1) as u8,
            abstract_syntax: (*uid).to_owned(),
            transfer_syntaxes: vec![EXPLICIT_LE.to_owned(), IMPLICIT_LE.to_owned()],
        })
        .collect();
    write(&Pdu::AssociationRQ(AssociationRQ {
        protocol_version: 1,
        calling_ae_title: calling.ae_title.clone(),
        called_ae_title: called_ae.to_owned(),
        application_context_name: APPLICATION_CONTEXT.to_owned(),
        presentation_contexts,
        user_variables: user_variables(calling),
    }))
}

/// The A-ASSOCIATE-AC accepting `count` proposed contexts with Implicit VR Little Endian.
pub fn associate_ac(acceptor: &AeIdentity, calling_ae: &str, count: usize) -> Vec<u8> {
    let presentation_contexts = (0..count)
        .map(|i| PresentationContextResult {
            id: (2 * i + 1) as u8,
            reason: PresentationContextResultReason::Acceptance,
            transfer_syntax: IMPLICIT_LE.to_owned(),
        })
        .collect();
    write(&Pdu::AssociationAC(AssociationAC {
        protocol_version: 1,
        calling_ae_title: calling_ae.to_owned(),
        called_ae_title: acceptor.ae_title.clone(),
        application_context_name: APPLICATION_CONTEXT.to_owned(),
        presentation_contexts,
        user_variables: user_variables(acceptor),
    }))
}

/// A-RELEASE-RQ.
pub fn release_rq() -> Vec<u8> {
    write(&Pdu::ReleaseRQ)
}

/// A-RELEASE-RP.
pub fn release_rp() -> Vec<u8> {
    write(&Pdu::ReleaseRP)
}

/// P-DATA-TF PDUs carrying `data` on context `pc` (split into fragments; last one flagged).
pub fn pdata(pc: u8, command: bool, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX_PDV * 12 + 12);
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(MAX_PDV).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.iter().enumerate() {
        out.extend_from_slice(&write(&Pdu::PData {
            data: vec![PDataValue {
                presentation_context_id: pc,
                value_type: if command {
                    PDataValueType::Command
                } else {
                    PDataValueType::Data
                },
                is_last: i == last,
                data: chunk.to_vec(),
            }],
        }));
    }
    out
}

/// Implicit VR Little Endian element writer.
struct Elements(Vec<u8>);

impl Elements {
    fn raw(&mut self, group: u16, element: u16, value: &[u8]) {
        self.0.extend_from_slice(&group.to_le_bytes());
        self.0.extend_from_slice(&element.to_le_bytes());
        self.0
            .extend_from_slice(&(value.len() as u32).to_le_bytes());
        self.0.extend_from_slice(value);
    }
    fn text(&mut self, group: u16, element: u16, value: &str, pad: u8) {
        let mut v = value.as_bytes().to_vec();
        if v.len() % 2 == 1 {
            v.push(pad);
        }
        self.raw(group, element, &v);
    }
    fn uid(&mut self, group: u16, element: u16, value: &str) {
        self.text(group, element, value, 0);
    }
    fn us(&mut self, group: u16, element: u16, value: u16) {
        self.raw(group, element, &value.to_le_bytes());
    }
}

/// A command set with its group length first.
fn command(build: impl FnOnce(&mut Elements)) -> Vec<u8> {
    let mut body = Elements(Vec::new());
    build(&mut body);
    let mut out = Elements(Vec::with_capacity(body.0.len() + 12));
    out.raw(0, 0, &(body.0.len() as u32).to_le_bytes());
    out.0.extend_from_slice(&body.0);
    out.0
}

/// A DICOM UID under the UUID root 2.25 (PS3.5 B.2), drawn from the stream.
pub fn uid(rng: &mut Rng) -> String {
    format!(
        "2.25.{}{:019}",
        rng.gen_range(1..10u64),
        rng.gen_range(0..10_000_000_000_000_000_000u64)
    )
}

/// C-STORE-RQ command.
pub fn store_rq(sop_class: &str, sop_instance: &str, message_id: u16) -> Vec<u8> {
    command(|e| {
        e.uid(0, 0x0002, sop_class);
        e.us(0, 0x0100, 0x0001);
        e.us(0, 0x0110, message_id);
        e.us(0, 0x0700, 0);
        e.us(0, 0x0800, 0x0000);
        e.uid(0, 0x1000, sop_instance);
    })
}

/// A response command (`field` = 0x8001 C-STORE-RSP, 0x8030 C-ECHO-RSP, 0x8020 C-FIND-RSP).
pub fn response(
    field: u16,
    sop_class: &str,
    message_id: u16,
    status: u16,
    dataset_follows: bool,
    sop_instance: Option<&str>,
) -> Vec<u8> {
    command(|e| {
        e.uid(0, 0x0002, sop_class);
        e.us(0, 0x0100, field);
        e.us(0, 0x0120, message_id);
        e.us(0, 0x0800, if dataset_follows { 0x0000 } else { 0x0101 });
        e.us(0, 0x0900, status);
        if let Some(inst) = sop_instance {
            e.uid(0, 0x1000, inst);
        }
    })
}

/// C-ECHO-RQ command.
pub fn echo_rq(message_id: u16) -> Vec<u8> {
    command(|e| {
        e.uid(0, 0x0002, VERIFICATION);
        e.us(0, 0x0100, 0x0030);
        e.us(0, 0x0110, message_id);
        e.us(0, 0x0800, 0x0101);
    })
}

/// C-FIND-RQ command (an identifier dataset follows).
pub fn find_rq(message_id: u16) -> Vec<u8> {
    command(|e| {
        e.uid(0, 0x0002, MWL_FIND);
        e.us(0, 0x0100, 0x0020);
        e.us(0, 0x0110, message_id);
        e.us(0, 0x0700, 0);
        e.us(0, 0x0800, 0x0000);
    })
}

/// A worklist identifier (query keys, or a matching entry when `answer` is given).
pub fn worklist_identifier(
    modality: &str,
    station_ae: &str,
    date: &str,
    answer: Option<(&str, &str)>,
) -> Vec<u8> {
    let mut item = Elements(Vec::new());
    item.text(0x0008, 0x0060, modality, b' ');
    item.text(0x0040, 0x0001, station_ae, b' ');
    item.text(0x0040, 0x0002, date, b' ');
    let mut seq = Elements(Vec::new());
    seq.raw(0xfffe, 0xe000, &item.0);
    let mut e = Elements(Vec::new());
    let (accession, patient) = answer.unwrap_or(("", ""));
    e.text(0x0008, 0x0050, accession, b' ');
    e.text(0x0010, 0x0010, patient, b' ');
    e.text(
        0x0010,
        0x0020,
        if answer.is_some() { "MRN123456" } else { "" },
        b' ',
    );
    e.raw(0x0040, 0x0100, &seq.0);
    e.0
}

/// An image dataset of about `pixels_len` bytes of pixel data.
fn image(
    rng: &mut Rng,
    sop_class: &str,
    sop_instance: &str,
    study: &str,
    modality: &str,
    date: &str,
    side: u16,
) -> Vec<u8> {
    let pixels = usize::from(side) * usize::from(side) * 2;
    let mut e = Elements(Vec::with_capacity(pixels + 512));
    e.uid(0x0008, 0x0016, sop_class);
    e.uid(0x0008, 0x0018, sop_instance);
    e.text(0x0008, 0x0020, date, b' ');
    e.text(0x0008, 0x0060, modality, b' ');
    e.text(0x0010, 0x0010, "DOE^JANE", b' ');
    e.text(0x0010, 0x0020, "MRN123456", b' ');
    e.uid(0x0020, 0x000d, study);
    e.us(0x0028, 0x0002, 1);
    e.text(0x0028, 0x0004, "MONOCHROME2", b' ');
    e.us(0x0028, 0x0010, side);
    e.us(0x0028, 0x0011, side);
    e.us(0x0028, 0x0100, 16);
    e.us(0x0028, 0x0101, 12);
    e.us(0x0028, 0x0102, 11);
    e.us(0x0028, 0x0103, 0);
    let mut px = vec![0u8; pixels];
    rng.fill_bytes(&mut px);
    e.raw(0x7fe0, 0x0010, &px);
    e.0
}

/// Parameters of a storage association.
pub struct StoreParams {
    /// The sender (modality, or the PACS when it forwards).
    pub calling: AeIdentity,
    /// The receiver.
    pub called: AeIdentity,
    /// Storage SOP class.
    pub sop_class: String,
    /// Modality code (CT, MR, DX, US, OT).
    pub modality: String,
    /// Study date, YYYYMMDD.
    pub date: String,
    /// Total bytes of images to send.
    pub total_bytes: usize,
}

enum StoreState {
    Associate,
    Accept,
    Image,
    Respond,
    Release,
    ReleaseReply,
    Done,
}

/// A C-STORE study as a lazy script: association, one message per image and its response,
/// release. Holds one image at a time.
pub struct StoreScript {
    p: StoreParams,
    rng: Rng,
    state: StoreState,
    study: String,
    side: u16,
    images_left: u32,
    message_id: u16,
    instance: String,
}

impl StoreScript {
    /// A study of `p.total_bytes` in images of at most 512×512×16 bits.
    pub fn new(p: StoreParams, mut rng: Rng) -> StoreScript {
        let per_image_max = 512usize * 512 * 2;
        let target = p.total_bytes.max(512);
        let side = if target >= per_image_max {
            512
        } else {
            (((target / 2) as f64).sqrt() as u16 / 16 * 16).max(16)
        };
        let per_image = usize::from(side) * usize::from(side) * 2;
        let images = target.div_ceil(per_image).clamp(1, 1_000_000) as u32;
        let study = uid(&mut rng);
        StoreScript {
            p,
            rng,
            state: StoreState::Associate,
            study,
            side,
            images_left: images,
            message_id: 0,
            instance: String::new(),
        }
    }
}

impl Script for StoreScript {
    fn next_message(&mut self) -> Option<Message> {
        let think = self.rng.gen_range(200..2_000);
        match self.state {
            StoreState::Associate => {
                self.state = StoreState::Accept;
                Some(Message::new(
                    Side::A,
                    associate_rq(
                        &self.p.calling,
                        &self.p.called.ae_title,
                        &[self.p.sop_class.as_str()],
                    ),
                ))
            }
            StoreState::Accept => {
                self.state = StoreState::Image;
                Some(Message::after(
                    Side::B,
                    associate_ac(&self.p.called, &self.p.calling.ae_title, 1),
                    think,
                ))
            }
            StoreState::Image => {
                self.message_id = self.message_id.wrapping_add(1);
                self.images_left -= 1;
                self.instance = uid(&mut self.rng);
                let dataset = image(
                    &mut self.rng,
                    &self.p.sop_class,
                    &self.instance,
                    &self.study,
                    &self.p.modality,
                    &self.p.date,
                    self.side,
                );
                let mut bytes = pdata(
                    1,
                    true,
                    &store_rq(&self.p.sop_class, &self.instance, self.message_id),
                );
                bytes.extend_from_slice(&pdata(1, false, &dataset));
                self.state = StoreState::Respond;
                Some(Message::after(Side::A, bytes, think))
            }
            StoreState::Respond => {
                self.state = if self.images_left == 0 {
                    StoreState::Release
                } else {
                    StoreState::Image
                };
                let rsp = response(
                    0x8001,
                    &self.p.sop_class,
                    self.message_id,
                    0,
                    false,
                    Some(&self.instance),
                );
                Some(Message::after(Side::B, pdata(1, true, &rsp), think))
            }
            StoreState::Release => {
                self.state = StoreState::ReleaseReply;
                Some(Message::after(Side::A, release_rq(), think))
            }
            StoreState::ReleaseReply => {
                self.state = StoreState::Done;
                Some(Message::new(Side::B, release_rp()))
            }
            StoreState::Done => None,
        }
    }
}

/// A C-ECHO association: associate, echo, release.
pub fn echo_exchange(calling: &AeIdentity, called: &AeIdentity) -> Vec<Message> {
    vec![
        Message::new(
            Side::A,
            associate_rq(calling, &called.ae_title, &[VERIFICATION]),
        ),
        Message::after(Side::B, associate_ac(called, &calling.ae_title, 1), 300),
        Message::new(Side::A, pdata(1, true, &echo_rq(1))),
        Message::after(
            Side::B,
            pdata(1, true, &response(0x8030, VERIFICATION, 1, 0, false, None)),
            200,
        ),
        Message::new(Side::A, release_rq()),
        Message::new(Side::B, release_rp()),
    ]
}

/// A modality-worklist query with `answers` matching entries.
pub fn find_exchange(
    calling: &AeIdentity,
    called: &AeIdentity,
    modality: &str,
    date: &str,
    answers: u32,
    rng: &mut Rng,
) -> Vec<Message> {
    let mut m = vec![
        Message::new(
            Side::A,
            associate_rq(calling, &called.ae_title, &[MWL_FIND]),
        ),
        Message::after(Side::B, associate_ac(called, &calling.ae_title, 1), 300),
    ];
    let mut q = pdata(1, true, &find_rq(1));
    q.extend_from_slice(&pdata(
        1,
        false,
        &worklist_identifier(modality, &calling.ae_title, date, None),
    ));
    m.push(Message::new(Side::A, q));
    let mut reply = Vec::new();
    for _ in 0..answers {
        let accession = format!("A{:07}", rng.gen_range(0..10_000_000u32));
        reply.extend_from_slice(&pdata(
            1,
            true,
            &response(0x8020, MWL_FIND, 1, 0xff00, true, None),
        ));
        reply.extend_from_slice(&pdata(
            1,
            false,
            &worklist_identifier(
                modality,
                &calling.ae_title,
                date,
                Some((&accession, "DOE^JANE")),
            ),
        ));
    }
    reply.extend_from_slice(&pdata(
        1,
        true,
        &response(0x8020, MWL_FIND, 1, 0, false, None),
    ));
    m.push(Message::after(Side::B, reply, 2_000));
    m.push(Message::new(Side::A, release_rq()));
    m.push(Message::new(Side::B, release_rp()));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn ids() -> (AeIdentity, AeIdentity) {
        (
            AeIdentity {
                ae_title: "CT_ROOM1".into(),
                impl_class_uid: "1.2.840.113619.6.286".into(),
                impl_version: Some("REVOLUTION_ES20".into()),
            },
            AeIdentity {
                ae_title: "PACS01".into(),
                impl_class_uid: "1.2.276.0.7230010.3.0.3.6.8".into(),
                impl_version: Some("OFFIS_DCMTK_368".into()),
            },
        )
    }

    #[test]
    fn association_reads_back_with_dicom_ul() {
        let (ct, pacs) = ids();
        let rq = associate_rq(&ct, "PACS01", &["1.2.840.10008.5.1.4.1.1.2"]);
        let Some(Pdu::AssociationRQ(a)) = dicom_ul::read_pdu(&rq[..], MAX_PDU, true).unwrap()
        else {
            panic!()
        };
        assert_eq!(a.calling_ae_title, "CT_ROOM1");
        assert_eq!(a.called_ae_title, "PACS01");
        assert!(
            a.user_variables
                .contains(&UserVariableItem::ImplementationClassUID(
                    "1.2.840.113619.6.286".into()
                ))
        );
        assert!(
            a.user_variables
                .contains(&UserVariableItem::ImplementationVersionName(
                    "REVOLUTION_ES20".into()
                ))
        );
        let ac = associate_ac(&pacs, "CT_ROOM1", 1);
        let Some(Pdu::AssociationAC(b)) = dicom_ul::read_pdu(&ac[..], MAX_PDU, true).unwrap()
        else {
            panic!()
        };
        assert!(
            b.user_variables
                .contains(&UserVariableItem::ImplementationVersionName(
                    "OFFIS_DCMTK_368".into()
                ))
        );
        assert_eq!(
            b.presentation_contexts[0].reason,
            PresentationContextResultReason::Acceptance
        );
    }

    #[test]
    fn store_script_sends_the_requested_volume_in_valid_pdus() {
        let (ct, pacs) = ids();
        let p = StoreParams {
            calling: ct,
            called: pacs,
            sop_class: "1.2.840.10008.5.1.4.1.1.2".into(),
            modality: "CT".into(),
            date: "20260105".into(),
            total_bytes: 1_200_000,
        };
        let mut script = StoreScript::new(p, Rng::seed_from_u64(9));
        let mut sent = 0usize;
        let mut pdus = 0;
        let mut kinds = Vec::new();
        while let Some(m) = script.next_message() {
            if m.from == Side::A {
                sent += m.data.len();
            }
            let mut buf = &m.data[..];
            while !buf.is_empty() {
                let before = buf.len();
                let pdu = dicom_ul::read_pdu(&mut buf, MAX_PDU, true)
                    .unwrap()
                    .unwrap();
                assert!(buf.len() < before);
                kinds.push(match pdu {
                    Pdu::AssociationRQ(_) => "rq",
                    Pdu::AssociationAC(_) => "ac",
                    Pdu::PData { .. } => "data",
                    Pdu::ReleaseRQ => "release-rq",
                    Pdu::ReleaseRP => "release-rp",
                    _ => "other",
                });
                pdus += 1;
            }
        }
        assert!(sent >= 1_200_000, "{sent}");
        assert!(sent < 1_700_000, "{sent}");
        assert!(pdus > 70);
        assert_eq!(&kinds[..3], &["rq", "ac", "data"]);
        assert_eq!(&kinds[kinds.len() - 2..], &["release-rq", "release-rp"]);
        assert!(!kinds.contains(&"other"));
    }

    #[test]
    fn echo_and_find_parse() {
        let (ct, pacs) = ids();
        let mut rng = Rng::seed_from_u64(1);
        for msgs in [
            echo_exchange(&ct, &pacs),
            find_exchange(&ct, &pacs, "CT", "20260105", 3, &mut rng),
        ] {
            for m in msgs {
                let mut buf = &m.data[..];
                while !buf.is_empty() {
                    assert!(
                        dicom_ul::read_pdu(&mut buf, MAX_PDU, true)
                            .unwrap()
                            .is_some()
                    );
                }
            }
        }
        assert_eq!(&store_rq("1.2", "1.3", 1)[..8], &[0, 0, 0, 0, 4, 0, 0, 0]);
        let u = uid(&mut rng);
        assert!(u.starts_with("2.25.") && u.len() <= 64, "{u}");
    }
}
