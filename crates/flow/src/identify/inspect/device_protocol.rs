//! Device protocols recognised from their first bytes, reported as `Protocol` evidence about the
//! device that speaks them:
//! - `intellivue_export`: Philips IntelliVue Data Export on UDP 24105. The client's Association
//!   Request starts 0x0D, the monitor's Association Result 0x0E, each followed by an ISO 8327
//!   length indicator (one byte, or 0xFF and two bytes) that covers the rest of the datagram
//!   (Philips Data Export Programming Guide; re-sirb/Vital-signs). The monitor is the one on
//!   port 24105: the destination of a request, the source of a result.
//! - `ge_unity`: the GE Unity/CARESCAPE discovery heartbeat every node broadcasts to UDP 7000
//!   (Vocera CARESCAPE adapter documentation). Its payload format is not public, so any non-empty
//!   datagram to UDP 7000 counts (AFS file servers also use UDP 7000; none are expected on a ward).
//! - `bacnet`: BACnet/IP BVLC (ASHRAE 135 Annex J) on UDP 47808: type 0x81, a known function
//!   (0x00-0x0C) and a length field covering the datagram.
//! - `rtsp`: an RTSP/1.0 request (describes its destination, the media server) or response
//!   (describes its source).
//! - `sip`: a SIP/2.0 request or response; both describe their sender, a SIP endpoint.

use super::bytes::{Reader, be_u16_at};
use crate::catalog::EvidenceKind;
use crate::identify::{Evidence, PayloadContext, PayloadFact, Subject};

const SIP_METHODS: [&[u8]; 14] = [
    b"REGISTER",
    b"INVITE",
    b"OPTIONS",
    b"ACK",
    b"BYE",
    b"CANCEL",
    b"SUBSCRIBE",
    b"NOTIFY",
    b"MESSAGE",
    b"INFO",
    b"PRACK",
    b"UPDATE",
    b"REFER",
    b"PUBLISH",
];

fn protocol(out: &mut Vec<PayloadFact>, subject: Subject, name: &str) {
    out.push(PayloadFact::Evidence {
        subject,
        evidence: Evidence::new(EvidenceKind::Protocol, name),
    });
}

/// The length an ISO 8327 length indicator at the start of `data` declares, and its own size.
fn length_indicator(data: &[u8]) -> Option<(usize, usize)> {
    let mut r = Reader::new(data);
    match r.u8()? {
        0xff => Some((usize::from(r.u16_be()?), 3)),
        short => Some((usize::from(short), 1)),
    }
}

/// IntelliVue Data Export association on UDP 24105.
pub(super) fn intellivue(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let data = ctx.payload;
    let subject = match data.first() {
        Some(0x0d) if ctx.dst_port == 24105 => Subject::Destination,
        Some(0x0e) if ctx.src_port == 24105 => Subject::Source,
        _ => return,
    };
    let Some((declared, indicator)) = data.get(1..).and_then(length_indicator) else {
        return;
    };
    let actual = data.len().saturating_sub(1).saturating_sub(indicator);
    // Equal for a whole datagram; larger when the snap length cut it.
    if declared >= 2 && declared >= actual {
        protocol(out, subject, "intellivue_export");
    }
}

/// GE Unity/CARESCAPE heartbeat: any non-empty datagram to UDP 7000.
pub(super) fn ge_unity(data: &[u8], out: &mut Vec<PayloadFact>) {
    if !data.is_empty() {
        protocol(out, Subject::Source, "ge_unity");
    }
}

/// BACnet/IP virtual link control header on UDP 47808.
pub(super) fn bacnet(data: &[u8], out: &mut Vec<PayloadFact>) {
    let (Some(&0x81), Some(&function), Some(length)) =
        (data.first(), data.get(1), be_u16_at(data, 2))
    else {
        return;
    };
    let length = usize::from(length);
    if function <= 0x0c && length >= 4 && length >= data.len() {
        protocol(out, Subject::Source, "bacnet");
    }
}

fn first_line(data: &[u8]) -> &[u8] {
    let window = data.get(..512).unwrap_or(data);
    let end = window
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(window.len());
    window.get(..end).unwrap_or_default()
}

/// RTSP request or response line.
pub(super) fn rtsp(data: &[u8], out: &mut Vec<PayloadFact>) {
    let line = first_line(data);
    if line.starts_with(b"RTSP/1.0 ") {
        protocol(out, Subject::Source, "rtsp");
    } else if line.ends_with(b" RTSP/1.0") && line.first().is_some_and(u8::is_ascii_uppercase) {
        protocol(out, Subject::Destination, "rtsp");
    }
}

/// SIP request or status line.
pub(super) fn sip(data: &[u8], out: &mut Vec<PayloadFact>) {
    let line = first_line(data);
    let request = line.ends_with(b" SIP/2.0")
        && SIP_METHODS
            .iter()
            .any(|m| line.starts_with(m) && line.get(m.len()) == Some(&b' '));
    if request || line.starts_with(b"SIP/2.0 ") {
        protocol(out, Subject::Source, "sip");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::Transport;

    fn facts(out: &[PayloadFact]) -> Vec<(Subject, &str)> {
        out.iter()
            .filter_map(|f| match f {
                PayloadFact::Evidence { subject, evidence }
                    if evidence.kind == EvidenceKind::Protocol =>
                {
                    Some((*subject, evidence.value.as_str()))
                }
                _ => None,
            })
            .collect()
    }

    /// The first bytes of the reference client's Association Request (re-sirb/Vital-signs):
    /// 0x0D, length indicator 0xFF 0x0128, session data.
    pub(crate) fn intellivue_request() -> Vec<u8> {
        let mut data = vec![0x0d, 0xff, 0x01, 0x28, 0x05, 0x08, 0x13, 0x01, 0x00, 0x16];
        data.resize(4 + 0x128, 0);
        data
    }

    fn udp(payload: &[u8], src_port: u16, dst_port: u16) -> PayloadContext<'_> {
        PayloadContext {
            transport: Transport::Udp,
            src_port,
            dst_port,
            from_initiator: true,
            payload,
        }
    }

    #[test]
    fn intellivue_request_describes_the_monitor() {
        let request = intellivue_request();
        let mut out = Vec::new();
        intellivue(&udp(&request, 50000, 24105), &mut out);
        let result = [0x0e, 0x04, 0x05, 0x08, 0x13, 0x01];
        intellivue(&udp(&result, 24105, 50000), &mut out);
        assert_eq!(
            facts(&out),
            vec![
                (Subject::Destination, "intellivue_export"),
                (Subject::Source, "intellivue_export")
            ]
        );
        out.clear();
        intellivue(&udp(&request[..40], 50000, 24105), &mut out);
        assert_eq!(out.len(), 1, "a cut request still counts");
        out.clear();
        let mut padded = request.clone();
        padded.extend_from_slice(&[0; 8]);
        intellivue(&udp(&padded, 50000, 24105), &mut out);
        intellivue(&udp(&request, 24105, 50000), &mut out); // 0x0D from the monitor's port
        intellivue(&udp(&[0x0e], 24105, 50000), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn bacnet_bvlc_and_unity() {
        let who_is = [
            0x81, 0x0b, 0x00, 0x0c, 0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08,
        ];
        let mut out = Vec::new();
        bacnet(&who_is, &mut out);
        bacnet(&who_is[..6], &mut out); // cut short: declared length still covers it
        bacnet(&[0x81, 0x0b, 0x00, 0x02], &mut out);
        bacnet(&[0x82, 0x0b, 0x00, 0x0c], &mut out);
        ge_unity(b"\x01\x02", &mut out);
        ge_unity(b"", &mut out);
        assert_eq!(
            facts(&out),
            vec![
                (Subject::Source, "bacnet"),
                (Subject::Source, "bacnet"),
                (Subject::Source, "ge_unity")
            ]
        );
    }

    #[test]
    fn rtsp_and_sip_lines() {
        let mut out = Vec::new();
        rtsp(
            b"DESCRIBE rtsp://10.0.0.7/axis-media/media.amp RTSP/1.0\r\nCSeq: 2\r\n",
            &mut out,
        );
        rtsp(b"RTSP/1.0 200 OK\r\nCSeq: 2\r\n", &mut out);
        rtsp(b"GET / HTTP/1.1\r\n", &mut out);
        sip(
            b"REGISTER sip:pbx.hospital.local SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5\r\n",
            &mut out,
        );
        sip(b"SIP/2.0 200 OK\r\n", &mut out);
        sip(b"FOO sip:x SIP/2.0\r\n", &mut out);
        assert_eq!(
            facts(&out),
            vec![
                (Subject::Destination, "rtsp"),
                (Subject::Source, "rtsp"),
                (Subject::Source, "sip"),
                (Subject::Source, "sip")
            ]
        );
    }
}
