//! Philips IntelliVue Data Export over UDP 24105 (facts from the Philips Data Export
//! Interface Programming Guide and the open-source re-sirb/Vital-signs client, domain.md §3.3):
//! the client's Association Request (first byte 0x0D) is answered by an Association Result
//! (0x0E); the monitor then sends its MDS Create Event Report (session header E1 00 00 02, ROIV
//! 00 01) carrying model and software revision, the client confirms, and polls with
//! MDIB-data poll requests (action 0x0C16) that the monitor answers with numerics.
//! Hand-written: there is no crate; byte layouts follow the guide's structures.

use super::civil;
use crate::seed::Rng;
use rand::Rng as _;
use wardwatch_flow::Timestamp;

/// Monitor's Data Export port.
pub const PORT: u16 = 24105;
/// Session/presentation header of data messages (session id 0xE100, context 2).
const SPDU: [u8; 4] = [0xe1, 0x00, 0x00, 0x02];
/// Managed object: the MDS (class 0x0021, context 0, handle 0).
const MDS_OBJECT: [u8; 6] = [0x00, 0x21, 0x00, 0x00, 0x00, 0x00];
/// Data-export presentation OIDs (1.2.840.10004.1.1.1.0.0.1 / .2 / .3) as BER bodies.
const OIDS: [[u8; 12]; 3] = [
    [
        0x2a, 0x86, 0x48, 0xce, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01,
    ],
    [
        0x2a, 0x86, 0x48, 0xce, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01,
    ],
    [
        0x2a, 0x86, 0x48, 0xce, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01,
    ],
];

fn u16be(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// Session header (`kind` 0x0D request, 0x0E result, 0x09 release, 0x0A release result) with a
/// length indicator, around a presentation body.
fn session(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    if body.len() < 0xff {
        out.push(body.len() as u8);
    } else {
        out.push(0xff);
        u16be(&mut out, body.len() as u16);
    }
    out.extend_from_slice(body);
    out
}

/// Presentation body naming the data-export OIDs and a user-information block.
fn presentation(user_info: &[u8]) -> Vec<u8> {
    let mut body = vec![
        0x05, 0x08, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x80, 0x00, 0x14, 0x02, 0x00, 0x02,
    ];
    for oid in OIDS {
        body.extend_from_slice(&[0x06, oid.len() as u8]);
        body.extend_from_slice(&oid);
    }
    body.extend_from_slice(&[0xbe, 0x80, 0x28, 0x80]);
    body.extend_from_slice(user_info);
    body.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]);
    body
}

/// MDSE user information: protocol and nomenclature versions, system type, poll profile.
fn user_info(poll_period_s: u32) -> Vec<u8> {
    let mut u = vec![
        0x80, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
        0x00,
    ];
    u.extend_from_slice(&[0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
    u.extend_from_slice(&[0x00, 0x01, 0x00, 0x2c]); // option list: 1 attribute
    u.extend_from_slice(&[0xf0, 0x01, 0x00, 0x28]); // poll profile support
    u.extend_from_slice(&0x8000_0000u32.to_be_bytes()); // poll profile revision
    u.extend_from_slice(&(poll_period_s * 8000).to_be_bytes()); // min poll period, 1/8 ms
    u.extend_from_slice(&[0x00, 0x00, 0x05, 0xb0, 0x00, 0x00, 0x05, 0xb0]); // max mtu rx/tx
    u.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0x60, 0x00, 0x00, 0x00]);
    u.extend_from_slice(&[
        0x00, 0x01, 0x00, 0x0c, 0xf0, 0x01, 0x00, 0x08, 0x8e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00,
    ]);
    while u.len() < 0x2c + 8 {
        u.push(0);
    }
    u
}

/// The client's Association Request.
pub fn association_request(poll_period_s: u32) -> Vec<u8> {
    session(0x0d, &presentation(&user_info(poll_period_s)))
}

/// The monitor's Association Result.
pub fn association_result(poll_period_s: u32) -> Vec<u8> {
    session(0x0e, &presentation(&user_info(poll_period_s)))
}

/// Release request (0x09) and result (0x0A).
pub fn release(result: bool) -> Vec<u8> {
    session(
        if result { 0x0a } else { 0x09 },
        &[
            0xc1, 0x16, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xa0, 0x80, 0x62, 0x80, 0x80,
            0x01, 0x00, 0, 0, 0, 0, 0, 0,
        ],
    )
}

/// Absolute time in the guide's BCD form (century, year, month, day, hour, minute, second, 0).
fn abs_time(t: Timestamp) -> [u8; 8] {
    let (y, mo, d, h, mi, s) = civil(t);
    let bcd = |v: u32| (((v / 10) % 10) << 4 | (v % 10)) as u8;
    [
        bcd((y / 100) as u32),
        bcd((y % 100) as u32),
        bcd(mo),
        bcd(d),
        bcd(h),
        bcd(mi),
        bcd(s),
        0,
    ]
}

fn attribute(out: &mut Vec<u8>, id: u16, value: &[u8]) {
    u16be(out, id);
    u16be(out, value.len() as u16);
    out.extend_from_slice(value);
}

fn string_value(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    if b.len() % 2 == 1 {
        b.push(0);
    }
    let mut out = (b.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&b);
    out
}

/// The monitor's MDS Create Event Report: model, software revision, absolute and relative time.
pub fn mds_create_event(
    t: Timestamp,
    relative: u32,
    manufacturer: &str,
    model: &str,
    software: &str,
) -> Vec<u8> {
    let mut attrs = Vec::new();
    let mut model_value = string_value(manufacturer);
    model_value.extend_from_slice(&string_value(model));
    attribute(&mut attrs, 0x0928, &model_value); // NOM_ATTR_ID_MODEL
    // ProductionSpec: a list (count, length) of one ProdSpecEntry { spec_type SW_REVISION (4),
    // component_id, prod_spec }.
    let mut entry = vec![0x00, 0x04, 0x00, 0x00];
    entry.extend_from_slice(&string_value(software));
    let mut spec = Vec::new();
    u16be(&mut spec, 1);
    u16be(&mut spec, entry.len() as u16);
    spec.extend_from_slice(&entry);
    attribute(&mut attrs, 0x092d, &spec); // NOM_ATTR_ID_PROD_SPECN
    attribute(&mut attrs, 0x0987, &abs_time(t)); // NOM_ATTR_TIME_ABS
    attribute(&mut attrs, 0x098f, &relative.to_be_bytes()); // NOM_ATTR_TIME_REL
    let mut event = Vec::new();
    event.extend_from_slice(&MDS_OBJECT);
    event.extend_from_slice(&relative.to_be_bytes());
    u16be(&mut event, 0x0d06); // NOM_NOTI_MDS_CREAT
    // MdsCreateInfo: the MDS object again, then the attribute list (count, length, AVAs).
    let mut info = MDS_OBJECT.to_vec();
    u16be(&mut info, 4);
    u16be(&mut info, attrs.len() as u16);
    info.extend_from_slice(&attrs);
    u16be(&mut event, info.len() as u16);
    event.extend_from_slice(&info);
    roiv(0x0001, 0x0001, &event)
}

/// Remote operation invoke: SPDU, ROIV (0x0001), invoke id, command type, argument.
fn roiv(invoke: u16, command: u16, arg: &[u8]) -> Vec<u8> {
    let mut out = SPDU.to_vec();
    u16be(&mut out, 0x0001);
    u16be(&mut out, (arg.len() + 6) as u16);
    u16be(&mut out, invoke);
    u16be(&mut out, command);
    u16be(&mut out, arg.len() as u16);
    out.extend_from_slice(arg);
    out
}

/// Remote operation result (RORS 0x0002).
fn rors(invoke: u16, command: u16, arg: &[u8]) -> Vec<u8> {
    let mut out = SPDU.to_vec();
    u16be(&mut out, 0x0002);
    u16be(&mut out, (arg.len() + 6) as u16);
    u16be(&mut out, invoke);
    u16be(&mut out, command);
    u16be(&mut out, arg.len() as u16);
    out.extend_from_slice(arg);
    out
}

/// The client's confirmation of the MDS create event.
pub fn mds_create_result(relative: u32) -> Vec<u8> {
    let mut arg = MDS_OBJECT.to_vec();
    arg.extend_from_slice(&relative.to_be_bytes());
    u16be(&mut arg, 0x0d06);
    u16be(&mut arg, 0);
    rors(0x0001, 0x0001, &arg)
}

/// A single poll request for numerics.
pub fn poll_request(poll_number: u16) -> Vec<u8> {
    let mut arg = MDS_OBJECT.to_vec();
    arg.extend_from_slice(&0u32.to_be_bytes()); // scope
    u16be(&mut arg, 0x0c16); // NOM_ACT_POLL_MDIB_DATA
    u16be(&mut arg, 8);
    u16be(&mut arg, poll_number);
    u16be(&mut arg, 0x0001); // partition: object
    u16be(&mut arg, 0x0006); // NOM_MOC_VMO_METRIC_NU
    u16be(&mut arg, 0x0000); // all attribute groups
    roiv(poll_number, 0x0007, &arg)
}

/// Observed values (physiological id, unit code, value) of a poll result.
const NUMERICS: [(u16, u16, u32, u32); 4] = [
    (0x4182, 0x0aa0, 55, 110),
    (0x4bb8, 0x0220, 90, 100),
    (0x4a05, 0x0f20, 95, 160),
    (0x480a, 0x0aa0, 10, 28),
];

/// The monitor's poll result with current numerics.
pub fn poll_result(poll_number: u16, t: Timestamp, relative: u32, rng: &mut Rng) -> Vec<u8> {
    let mut obs = Vec::new();
    for (i, (physio, unit, lo, hi)) in NUMERICS.iter().enumerate() {
        let mut v = Vec::new();
        u16be(&mut v, *physio);
        u16be(&mut v, 0); // measurement state: valid
        u16be(&mut v, *unit);
        let value = rng.gen_range(*lo..=*hi);
        v.extend_from_slice(&(value & 0x00ff_ffff).to_be_bytes()); // FLOAT-Type, exponent 0
        let mut entry = Vec::new();
        u16be(&mut entry, (i + 1) as u16); // object handle
        u16be(&mut entry, 1); // attribute count
        u16be(&mut entry, (v.len() + 4) as u16);
        attribute(&mut entry, 0x0950, &v); // NOM_ATTR_NU_VAL_OBS
        obs.extend_from_slice(&entry);
    }
    let mut arg = MDS_OBJECT.to_vec();
    u16be(&mut arg, 0x0c16);
    let mut body = Vec::new();
    u16be(&mut body, poll_number);
    body.extend_from_slice(&relative.to_be_bytes());
    body.extend_from_slice(&abs_time(t));
    u16be(&mut body, 0x0001);
    u16be(&mut body, 0x0006);
    u16be(&mut body, 0x0000);
    u16be(&mut body, 1); // one context
    u16be(&mut body, (obs.len() + 6) as u16);
    u16be(&mut body, 0); // context id
    u16be(&mut body, NUMERICS.len() as u16);
    u16be(&mut body, obs.len() as u16);
    body.extend_from_slice(&obs);
    u16be(&mut arg, body.len() as u16);
    arg.extend_from_slice(&body);
    rors(poll_number, 0x0007, &arg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn message_signatures_match_the_guide() {
        let rq = association_request(1);
        assert_eq!(rq[0], 0x0d);
        assert!(rq.windows(12).any(|w| w == OIDS[0]));
        assert_eq!(association_result(1)[0], 0x0e);
        let t = Timestamp::from_secs(1_767_600_000);
        let ev = mds_create_event(t, 1000, "Philips", "MX450", "N.00.01");
        assert_eq!(&ev[..6], &[0xe1, 0x00, 0x00, 0x02, 0x00, 0x01]);
        assert!(ev.windows(7).any(|w| w == b"N.00.01"));
        let len = u16::from_be_bytes([ev[6], ev[7]]) as usize;
        assert_eq!(len, ev.len() - 8);
        let poll = poll_request(5);
        assert_eq!(&poll[4..6], &[0, 1]);
        assert!(poll.windows(2).any(|w| w == [0x0c, 0x16]));
        let res = poll_result(5, t, 2000, &mut Rng::seed_from_u64(1));
        assert_eq!(&res[4..6], &[0, 2]);
        assert_eq!(u16::from_be_bytes([res[6], res[7]]) as usize, res.len() - 8);
        assert_eq!(
            abs_time(t),
            [0x20, 0x26, 0x01, 0x05, 0x08, 0x00, 0x00, 0x00]
        );
        assert_eq!(release(false)[0], 0x09);
        assert_eq!(release(true)[0], 0x0a);
    }

    #[test]
    fn the_sensor_reads_model_and_revision_from_the_mds_create_event() {
        use wardwatch_flow::catalog::EvidenceKind;
        use wardwatch_flow::event::Transport;
        use wardwatch_flow::identify::{PayloadContext, PayloadFact, inspect_payload};
        let t = Timestamp::from_secs(1_767_600_000);
        let ev = mds_create_event(t, 1000, "Philips", "IntelliVue MX450", "N.00.01");
        let ctx = PayloadContext {
            transport: Transport::Udp,
            src_port: PORT,
            dst_port: 50000,
            from_initiator: false,
            payload: &ev,
        };
        let mut facts = Vec::new();
        inspect_payload(&ctx, &mut facts);
        let models: Vec<&str> = facts
            .iter()
            .filter_map(|f| match f {
                PayloadFact::Evidence { evidence, .. }
                    if evidence.kind == EvidenceKind::IntellivueModel =>
                {
                    Some(evidence.value.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(models, vec!["Philips IntelliVue MX450 N.00.01"]);
    }
}
