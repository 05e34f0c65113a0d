//! SNMP sysDescr (1.3.6.1.2.1.1.1.0) in responses from an agent (UDP source port 161), decoded
//! with `snmp-parser` (v1 and v2c; v3 payloads are usually encrypted and are skipped).

use super::bytes::text_evidence;
use crate::catalog::EvidenceKind;
use crate::identify::{PayloadFact, Subject};
use snmp_parser::{ObjectSyntax, PduType, SnmpPdu, VarBindValue};

/// BER content bytes of the OID 1.3.6.1.2.1.1.1.0.
const SYS_DESCR_OID: [u8; 8] = [0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];
/// Longest message handed to the parser.
const MAX_MESSAGE: usize = 65_535;

/// Appends the sysDescr an agent's response carries.
pub(super) fn inspect_response(data: &[u8], out: &mut Vec<PayloadFact>) {
    if data.len() > MAX_MESSAGE || data.first() != Some(&0x30) {
        return;
    }
    let message = match snmp_parser::parse_snmp_v2c(data) {
        Ok((_, message)) => message,
        Err(_) => match snmp_parser::parse_snmp_v1(data) {
            Ok((_, message)) => message,
            Err(_) => return,
        },
    };
    let SnmpPdu::Generic(pdu) = &message.pdu else {
        return;
    };
    if pdu.pdu_type != PduType::Response {
        return;
    }
    for variable in pdu.vars_iter() {
        if variable.oid.as_bytes() == SYS_DESCR_OID
            && let VarBindValue::Value(ObjectSyntax::String(text)) = &variable.val
            && let Some(evidence) = text_evidence(EvidenceKind::SnmpSysDescr, text)
        {
            out.push(PayloadFact::Evidence {
                subject: Subject::Source,
                evidence,
            });
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::identify::Evidence;

    /// A v2c GetResponse with sysDescr, BER-encoded by hand.
    pub(crate) fn sys_descr_response(text: &str) -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            if body.len() < 128 {
                out.push(body.len() as u8);
            } else {
                out.push(0x82);
                out.extend_from_slice(&(body.len() as u16).to_be_bytes());
            }
            out.extend_from_slice(body);
            out
        }
        let oid = tlv(0x06, &SYS_DESCR_OID);
        let value = tlv(0x04, text.as_bytes());
        let varbind = tlv(0x30, &[oid, value].concat());
        let list = tlv(0x30, &varbind);
        let pdu_body = [tlv(0x02, &[0x01]), tlv(0x02, &[0]), tlv(0x02, &[0]), list].concat();
        let pdu = tlv(0xa2, &pdu_body);
        tlv(0x30, &[tlv(0x02, &[1]), tlv(0x04, b"public"), pdu].concat())
    }

    #[test]
    fn get_response_gives_sys_descr() {
        let text = "ZTC ZT230-203dpi ZPL V72.20.15Z";
        let mut out = Vec::new();
        inspect_response(&sys_descr_response(text), &mut out);
        assert_eq!(
            out,
            vec![PayloadFact::Evidence {
                subject: Subject::Source,
                evidence: Evidence::new(EvidenceKind::SnmpSysDescr, text),
            }]
        );
        let data = sys_descr_response(text);
        for end in 0..data.len() {
            let mut out = Vec::new();
            inspect_response(&data[..end], &mut out);
            assert!(out.is_empty());
        }
    }
}
