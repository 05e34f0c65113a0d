//! HL7 v2 messages over MLLP (VT … FS CR): observation results (ORU^R01) from devices with the
//! model's MSH sending application, facility and version, and the engine's ACK.

use super::compact_time;
use crate::seed::Rng;
use rand::Rng as _;
use wardwatch_flow::Timestamp;

/// MLLP start block.
pub const VT: u8 = 0x0b;
/// MLLP end block.
pub const FS: u8 = 0x1c;

/// Header fields of a message.
#[derive(Clone, Debug)]
pub struct Header {
    /// MSH-3.
    pub sending_app: String,
    /// MSH-4.
    pub sending_facility: String,
    /// MSH-5.
    pub receiving_app: String,
    /// MSH-6.
    pub receiving_facility: String,
    /// MSH-9.
    pub message_type: String,
    /// MSH-10.
    pub control_id: String,
    /// MSH-12.
    pub version: String,
}

/// Wraps a message in an MLLP frame.
pub fn mllp(message: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 3);
    out.push(VT);
    out.extend_from_slice(message.as_bytes());
    out.push(FS);
    out.push(b'\r');
    out
}

fn msh(h: &Header, t: Timestamp) -> String {
    format!(
        "MSH|^~\\&|{}|{}|{}|{}|{}||{}|{}|P|{}\r",
        h.sending_app,
        h.sending_facility,
        h.receiving_app,
        h.receiving_facility,
        compact_time(t),
        h.message_type,
        h.control_id,
        h.version
    )
}

/// Vital-sign observations (code, text, unit, low, high) the results draw from.
const VITALS: [(&str, &str, &str, u32, u32); 6] = [
    ("8867-4", "Heart rate", "/min", 55, 110),
    ("59408-5", "SpO2", "%", 90, 100),
    ("8480-6", "Systolic BP", "mm[Hg]", 95, 160),
    ("8462-4", "Diastolic BP", "mm[Hg]", 50, 95),
    ("9279-1", "Respiratory rate", "/min", 10, 28),
    ("8310-5", "Body temperature", "Cel", 36, 39),
];

/// An ORU^R01 observation result of at least `min_len` bytes (more OBX segments when larger).
pub fn observation(
    h: &Header,
    t: Timestamp,
    rng: &mut Rng,
    location: &str,
    min_len: usize,
) -> String {
    let mut m = msh(h, t);
    let mrn: u32 = rng.gen_range(100_000..999_999);
    m.push_str(&format!("PID|1||{mrn}^^^HOSP^MR||DOE^JANE||19580101|F\r"));
    m.push_str(&format!("PV1|1|I|{}\r", location.replace('|', " ")));
    m.push_str(&format!(
        "OBR|1|{}||VITALS^Vital signs|||{}\r",
        h.control_id,
        compact_time(t)
    ));
    let mut i = 0usize;
    while i < VITALS.len() || m.len() < min_len {
        let (code, text, unit, lo, hi) = VITALS[i % VITALS.len()];
        let value = rng.gen_range(lo..=hi);
        m.push_str(&format!(
            "OBX|{}|NM|{code}^{text}^LN||{value}|{unit}|||||F|||{}\r",
            i + 1,
            compact_time(t)
        ));
        i += 1;
        if i > 10_000 {
            break;
        }
    }
    m
}

/// The commit acknowledgement of a message with header `original`.
pub fn ack(original: &Header, t: Timestamp, control_id: &str) -> String {
    let h = Header {
        sending_app: original.receiving_app.clone(),
        sending_facility: original.receiving_facility.clone(),
        receiving_app: original.sending_app.clone(),
        receiving_facility: original.sending_facility.clone(),
        message_type: "ACK^R01^ACK".into(),
        control_id: control_id.into(),
        version: original.version.clone(),
    };
    let mut m = msh(&h, t);
    m.push_str(&format!("MSA|AA|{}\r", original.control_id));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn header() -> Header {
        Header {
            sending_app: "PHILIPS_MX450".into(),
            sending_facility: "ICU4".into(),
            receiving_app: "ENGINE".into(),
            receiving_facility: "HOSP".into(),
            message_type: "ORU^R01^ORU_R01".into(),
            control_id: "MX1001".into(),
            version: "2.6".into(),
        }
    }

    #[test]
    fn mllp_framed_oru_and_ack() {
        let mut rng = Rng::seed_from_u64(3);
        let t = Timestamp::from_secs(1_767_600_000);
        let m = observation(&header(), t, &mut rng, "ICU-4 bed 01", 2000);
        assert!(m.len() >= 2000);
        assert!(m.starts_with("MSH|^~\\&|PHILIPS_MX450|ICU4|ENGINE|HOSP|20260105080000||ORU^R01^ORU_R01|MX1001|P|2.6\r"));
        let framed = mllp(&m);
        assert_eq!(framed[0], VT);
        assert_eq!(&framed[framed.len() - 2..], &[FS, b'\r']);
        let a = ack(&header(), t, "ENG1");
        assert!(a.starts_with("MSH|^~\\&|ENGINE|HOSP|PHILIPS_MX450|ICU4|"));
        assert!(a.ends_with("MSA|AA|MX1001\r"));
        let fields: Vec<&str> = m.split('\r').next().unwrap().split('|').collect();
        assert_eq!(fields[2], "PHILIPS_MX450");
        assert_eq!(fields[11], "2.6");
    }
}
