//! Application payloads of every traffic kind, in their real wire formats. Each module builds
//! the messages of one exchange (a script) from an [`Ctx`]; identity values come from the
//! device's filled-in `[model.emits]`. Field crates do the encoding where one exists (dhcproto,
//! simple-dns, dicom-ul); the rest are written here, each with a note why.

pub mod bacnet;
pub mod der;
pub mod dhcp;
pub mod dicom;
pub mod dns;
pub mod hl7;
pub mod http;
pub mod intellivue;
pub mod kerberos;
pub mod ldap;
pub mod lldp;
pub mod netbios;
pub mod ntlm;
pub mod ntp;
pub mod print;
pub mod rdp;
pub mod rtsp;
pub mod sip;
pub mod smb2;
pub mod snmp;
pub mod ssdp;
pub mod ssh;
pub mod syslog;
pub mod tls;
pub mod unity;
pub mod vnc;

use crate::seed::Rng;
use rand::{Rng as _, RngCore};
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::EmittedIdentity;

/// One end of an exchange, as the payload builders see it.
#[derive(Clone, Copy, Debug)]
pub struct Party<'a> {
    /// IP address.
    pub ip: Ipv4Addr,
    /// MAC address.
    pub mac: [u8; 6],
    /// Short host name.
    pub hostname: &'a str,
    /// Name in DNS, if any.
    pub fqdn: Option<&'a str>,
    /// Filled-in identity evidence (empty for hosts without a catalog model).
    pub identity: &'a EmittedIdentity,
    /// Software version.
    pub version: &'a str,
    /// Vendor.
    pub vendor: &'a str,
    /// Product name.
    pub product: &'a str,
    /// Serial number.
    pub serial: &'a str,
    /// Location text.
    pub location: &'a str,
}

/// What a payload builder needs for one exchange.
pub struct Ctx<'a> {
    /// Packet time at the start of the exchange.
    pub now: Timestamp,
    /// The exchange's random stream.
    pub rng: &'a mut Rng,
    /// The initiator.
    pub client: Party<'a>,
    /// The responder.
    pub server: Party<'a>,
    /// Names from the traffic item (DNS questions, TLS SNI, HTTP Host).
    pub names: &'a [String],
    /// Application bytes the initiator should send.
    pub bytes: usize,
    /// Application bytes the responder should send.
    pub reply_bytes: usize,
    /// Internal DNS domain.
    pub domain: &'a str,
    /// Number of this exchange within its traffic item (0 first).
    pub count: u64,
    /// The responder port.
    pub port: u16,
}

impl Ctx<'_> {
    /// A name for the exchange: one of the item's names, else the server's DNS name, else its IP.
    pub fn pick_name(&mut self) -> String {
        if !self.names.is_empty() {
            let i = self.rng.gen_range(0..self.names.len());
            return self.names[i].clone();
        }
        match self.server.fqdn {
            Some(n) => n.to_owned(),
            None => self.server.ip.to_string(),
        }
    }
}

/// `len` bytes of opaque (encrypted-looking or binary) content.
pub fn opaque(rng: &mut Rng, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    rng.fill_bytes(&mut out);
    out
}

/// `len` bytes of a proprietary binary protocol: a small header (marker, `tag`, length,
/// counter) and opaque content. The marker keeps version bits that RTP/RTCP heuristics reject,
/// as real vendor protocols do.
pub fn proprietary(rng: &mut Rng, len: usize, tag: u16, counter: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(len.max(12));
    out.push(0x3c);
    out.push(0x01);
    out.extend_from_slice(&tag.to_be_bytes());
    out.extend_from_slice(&(len.min(u16::MAX as usize) as u16).to_be_bytes());
    out.extend_from_slice(&counter.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    if len > out.len() {
        let mut rest = vec![0u8; len - out.len()];
        rng.fill_bytes(&mut rest);
        out.extend_from_slice(&rest);
    }
    out
}

/// `len` bytes of printable filler text.
pub fn text_filler(rng: &mut Rng, len: usize) -> String {
    const WORDS: [&str; 12] = [
        "normal", "sinus", "rhythm", "stable", "patient", "resting", "dose", "rate", "ml/h", "ok",
        "ward", "check",
    ];
    let mut s = String::with_capacity(len + 8);
    while s.len() < len {
        s.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        s.push(' ');
    }
    s.truncate(len);
    s
}

/// Calendar fields of a packet time (UTC): year, month, day, hour, minute, second.
pub fn civil(t: Timestamp) -> (i64, u32, u32, u32, u32, u32) {
    let secs = t.secs() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `YYYYMMDDHHMMSS` of a packet time (HL7, DICOM).
pub fn compact_time(t: Timestamp) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_time_of_known_instants() {
        assert_eq!(civil(Timestamp::from_secs(0)), (1970, 1, 1, 0, 0, 0));
        assert_eq!(
            civil(Timestamp::from_secs(1_767_600_000)),
            (2026, 1, 5, 8, 0, 0)
        );
        assert_eq!(
            civil(Timestamp::from_secs(951_782_400)),
            (2000, 2, 29, 0, 0, 0)
        );
        assert_eq!(
            compact_time(Timestamp::from_secs(1_767_600_000)),
            "20260105080000"
        );
    }
}
