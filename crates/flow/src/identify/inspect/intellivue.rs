//! Philips IntelliVue Data Export (UDP 24105): the monitor's MDS Create Event Report, which it
//! sends after every association and which names its manufacturer, model and software revision.
//! Hand-written (no crate exists); layouts from the Philips *Data Export Interface Programming
//! Guide* (domain.md §3.3):
//!
//! ```text
//! SPpdu            session_id u16 = 0xE100, p_context_id u16
//! ROapdus          ro_type u16 = 1 (ROIV), length u16
//! ROIVapdu         invoke_id u16, command_type u16 (0 event report, 1 confirmed), length u16
//! EventReportArg   managed_object (class u16, context u16, handle u16), event_time u32,
//!                  event_type u16 = 0x0D06 (NOM_NOTI_MDS_CREAT), length u16
//! MdsCreateInfo    managed_object (6 bytes), attribute_list: count u16, length u16,
//!                  AVAType { attribute_id u16, length u16, value }
//! NOM_ATTR_ID_MODEL     0x0928: SystemModel { manufacturer, model_number } (VariableLabel each)
//! NOM_ATTR_ID_PROD_SPECN 0x092D: list (count u16, length u16) of ProdSpecEntry
//!                  { spec_type u16 (4 SW_REVISION), component_id u16, prod_spec VariableLabel }
//! VariableLabel    length u16, bytes
//! ```
//!
//! The report is sent by the monitor (source port 24105) and describes it (the source).

use super::bytes::{Reader, text_evidence};
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadContext, PayloadFact, Subject};

/// Monitor's Data Export port.
const PORT: u16 = 24105;
/// Session id of data messages.
const SESSION_ID: u16 = 0xe100;
/// ROIV (remote operation invoke) APDU type.
const ROIV: u16 = 1;
/// MDS create notification.
const NOM_NOTI_MDS_CREAT: u16 = 0x0d06;
/// System model attribute.
const NOM_ATTR_ID_MODEL: u16 = 0x0928;
/// Production specification attribute.
const NOM_ATTR_ID_PROD_SPECN: u16 = 0x092d;
/// Production specification entry type of the software revision.
const SW_REVISION: u16 = 4;
/// Most attributes read from the list (a real report has about twenty).
const MAX_ATTRIBUTES: u16 = 64;
/// Most production specification entries read.
const MAX_SPEC_ENTRIES: u16 = 16;
/// Longest label kept.
const MAX_LABEL: usize = 64;

/// A VariableLabel's text, without trailing NUL padding.
fn label<'a>(r: &mut Reader<'a>) -> Option<&'a [u8]> {
    let len = usize::from(r.u16_be()?);
    let raw = r.take(len)?;
    let end = raw
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i.saturating_add(1));
    raw.get(..end.min(MAX_LABEL))
}

/// Reads the headers down to the attribute list of an MDS Create Event Report.
fn attribute_list<'a>(data: &'a [u8]) -> Option<Reader<'a>> {
    let mut r = Reader::new(data);
    if r.u16_be()? != SESSION_ID {
        return None;
    }
    r.skip(2)?; // presentation context
    if r.u16_be()? != ROIV {
        return None;
    }
    r.skip(2)?; // ROapdus length
    r.skip(2)?; // invoke id
    if r.u16_be()? > 1 {
        return None; // not an (confirmed) event report
    }
    r.skip(2)?; // ROIV length
    r.skip(6 + 4)?; // managed object, event time
    if r.u16_be()? != NOM_NOTI_MDS_CREAT {
        return None;
    }
    r.skip(2)?; // argument length
    r.skip(6)?; // MdsCreateInfo.managed_object
    Some(r)
}

/// The software revision among the production specification entries.
fn software_revision(value: &[u8]) -> Option<&[u8]> {
    let mut r = Reader::new(value);
    let count = r.u16_be()?.min(MAX_SPEC_ENTRIES);
    r.skip(2)?; // list length
    for _ in 0..count {
        let spec_type = r.u16_be()?;
        r.skip(2)?; // component id
        let text = label(&mut r)?;
        if spec_type == SW_REVISION && !text.is_empty() {
            return Some(text);
        }
    }
    None
}

/// An MDS Create Event Report from the monitor's port: `intellivue_model` evidence about the
/// monitor, `manufacturer model [software revision]`.
pub(super) fn mds_create(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    if ctx.src_port != PORT {
        return;
    }
    let Some(mut r) = attribute_list(ctx.payload) else {
        return;
    };
    let (Some(count), Some(_length)) = (r.u16_be(), r.u16_be()) else {
        return;
    };
    let mut model: Option<(&[u8], &[u8])> = None;
    let mut software: Option<&[u8]> = None;
    for _ in 0..count.min(MAX_ATTRIBUTES) {
        let (Some(id), Some(len)) = (r.u16_be(), r.u16_be()) else {
            break;
        };
        let Some(value) = r.take(usize::from(len)) else {
            break; // cut by the snap length: keep what was read whole
        };
        match id {
            NOM_ATTR_ID_MODEL => {
                let mut v = Reader::new(value);
                if let (Some(maker), Some(number)) = (label(&mut v), label(&mut v)) {
                    model = Some((maker, number));
                }
            }
            NOM_ATTR_ID_PROD_SPECN => software = software_revision(value),
            _ => {}
        }
    }
    let Some((maker, number)) = model else {
        return;
    };
    let mut text: Vec<u8> = Vec::with_capacity(3 * MAX_LABEL + 2);
    for part in [Some(maker), Some(number), software].into_iter().flatten() {
        if !part.is_empty() {
            if !text.is_empty() {
                text.push(b' ');
            }
            text.extend_from_slice(part);
        }
    }
    if let Some(evidence) = text_evidence(EvidenceKind::IntellivueModel, &text) {
        out.push(PayloadFact::Evidence {
            subject: Subject::Source,
            evidence,
        });
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::Transport;
    use crate::identify::Evidence;

    fn label_bytes(text: &str) -> Vec<u8> {
        let mut b = text.as_bytes().to_vec();
        if b.len() % 2 == 1 {
            b.push(0);
        }
        let mut out = (b.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&b);
        out
    }

    fn ava(id: u16, value: &[u8]) -> Vec<u8> {
        let mut out = id.to_be_bytes().to_vec();
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
        out
    }

    /// An MDS Create Event Report as the guide lays it out.
    pub(crate) fn report(maker: &str, model: &str, software: &str) -> Vec<u8> {
        let mut model_value = label_bytes(maker);
        model_value.extend_from_slice(&label_bytes(model));
        let mut entry = vec![0x00, 0x01]; // serial number entry first
        entry.extend_from_slice(&[0, 0]);
        entry.extend_from_slice(&label_bytes("DE12345678"));
        entry.extend_from_slice(&SW_REVISION.to_be_bytes());
        entry.extend_from_slice(&[0, 0]);
        entry.extend_from_slice(&label_bytes(software));
        let mut spec = 2u16.to_be_bytes().to_vec();
        spec.extend_from_slice(&(entry.len() as u16).to_be_bytes());
        spec.extend_from_slice(&entry);
        let mut attrs = ava(0x0987, &[0x20, 0x26, 0x01, 0x05, 0x08, 0, 0, 0]);
        attrs.extend_from_slice(&ava(NOM_ATTR_ID_MODEL, &model_value));
        attrs.extend_from_slice(&ava(NOM_ATTR_ID_PROD_SPECN, &spec));
        let mut list = 3u16.to_be_bytes().to_vec();
        list.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        list.extend_from_slice(&attrs);
        let mut arg = vec![0x00, 0x21, 0, 0, 0, 0, 0, 0, 0x12, 0x34];
        arg.extend_from_slice(&NOM_NOTI_MDS_CREAT.to_be_bytes());
        let info_len = 6 + list.len();
        arg.extend_from_slice(&(info_len as u16).to_be_bytes());
        arg.extend_from_slice(&[0x00, 0x21, 0, 0, 0, 0]);
        arg.extend_from_slice(&list);
        let mut out = vec![0xe1, 0x00, 0x00, 0x02, 0x00, 0x01];
        out.extend_from_slice(&((arg.len() + 6) as u16).to_be_bytes());
        out.extend_from_slice(&[0x00, 0x01, 0x00, 0x01]);
        out.extend_from_slice(&(arg.len() as u16).to_be_bytes());
        out.extend_from_slice(&arg);
        out
    }

    fn run(payload: &[u8], src_port: u16) -> Vec<PayloadFact> {
        let ctx = PayloadContext {
            transport: Transport::Udp,
            src_port,
            dst_port: 50000,
            from_initiator: false,
            payload,
        };
        let mut out = Vec::new();
        mds_create(&ctx, &mut out);
        out
    }

    #[test]
    fn the_report_names_model_and_software_revision() {
        let bytes = report("Philips", "IntelliVue MX450", "N.02.05");
        assert_eq!(
            run(&bytes, PORT),
            vec![PayloadFact::Evidence {
                subject: Subject::Source,
                evidence: Evidence::new(
                    EvidenceKind::IntellivueModel,
                    "Philips IntelliVue MX450 N.02.05"
                ),
            }]
        );
        assert!(
            run(&bytes, 50001).is_empty(),
            "only from the monitor's port"
        );
    }

    #[test]
    fn cut_hostile_and_foreign_messages() {
        let bytes = report("Philips", "IntelliVue MX800", "M.00.03");
        // Cut inside the production specification: the model stands without a version.
        let cut = run(&bytes[..bytes.len() - 20], PORT);
        let PayloadFact::Evidence { evidence, .. } = &cut[0] else {
            panic!("{cut:?}");
        };
        assert_eq!(evidence.value, "Philips IntelliVue MX800");
        // Every other truncation yields nothing or the model, never a panic.
        for end in 0..bytes.len() {
            let out = run(&bytes[..end], PORT);
            assert!(out.len() <= 1, "cut {end}");
        }
        // Not an MDS create: another event type, another session id.
        let mut other = bytes.clone();
        other[24] = 0x0d;
        other[25] = 0x07;
        assert!(run(&other, PORT).is_empty());
        let mut other = bytes.clone();
        other[0] = 0xe0;
        assert!(run(&other, PORT).is_empty());
        // Lengths that run past the end and counts far above the list.
        let mut lying = bytes.clone();
        lying[34] = 0xff;
        lying[35] = 0xff;
        let _ = run(&lying, PORT);
        // Control characters in a label are cleaned.
        let dirty = report("Phil\u{1b}ips", "MX450\n", "N.02.05");
        let out = run(&dirty, PORT);
        let PayloadFact::Evidence { evidence, .. } = &out[0] else {
            panic!("{out:?}");
        };
        assert_eq!(evidence.value, "Phil ips MX450  N.02.05");
    }
}
