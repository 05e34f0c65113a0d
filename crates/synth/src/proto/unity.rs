//! GE Unity / CARESCAPE network broadcasts. Sourced (Vocera CARESCAPE adapter documentation,
//! domain.md §3.4): every node broadcasts a discovery heartbeat on UDP 7000 "on a regular
//! basis"; the master broadcasts time sync on UDP 2000 as a 64-byte payload with the sender IP
//! at bytes 7-10, `<unit>|<room>` at 25-37 and seconds since 1900 at 61-64. The heartbeat's
//! layout is not published: the one here is an assumption [A] carrying the same fields.

use super::ntp::NTP_UNIX_OFFSET;
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;

/// Discovery heartbeat port.
pub const HEARTBEAT_PORT: u16 = 7000;
/// Time-sync port.
pub const TIMESYNC_PORT: u16 = 2000;

fn put_text(buf: &mut [u8], text: &str) {
    for (slot, b) in buf.iter_mut().zip(text.bytes()) {
        *slot = b;
    }
}

/// `<unit>|<room>` from a location such as `ICU-4 bed 07` (unit ≤ 7, room ≤ 6 characters).
pub fn unit_room(location: &str) -> String {
    let mut parts = location.split_whitespace();
    let unit: String = parts.next().unwrap_or("UNIT").chars().take(7).collect();
    let room: String = parts.last().unwrap_or("0").chars().take(6).collect();
    format!("{unit}|{room}")
}

/// A 64-byte discovery heartbeat [A layout]: type, node address, MAC, `<unit>|<room>`, node
/// name and software version.
pub fn heartbeat(ip: Ipv4Addr, mac: [u8; 6], location: &str, name: &str, version: &str) -> Vec<u8> {
    let mut p = vec![0u8; 64];
    p[..4].copy_from_slice(&[0x00, 0x02, 0x00, 0x40]);
    p[4..8].copy_from_slice(&ip.octets());
    p[8..14].copy_from_slice(&mac);
    put_text(&mut p[16..30], &unit_room(location));
    put_text(&mut p[32..48], name);
    put_text(&mut p[48..64], version);
    p
}

/// A 64-byte time-sync broadcast from the master node at `ip`.
pub fn timesync(ip: Ipv4Addr, location: &str, t: Timestamp) -> Vec<u8> {
    let mut p = vec![0u8; 64];
    p[..2].copy_from_slice(&[0x00, 0x01]);
    p[6..10].copy_from_slice(&ip.octets());
    put_text(&mut p[24..37], &unit_room(location));
    p[60..64].copy_from_slice(&((t.secs() + NTP_UNIX_OFFSET) as u32).to_be_bytes());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_offsets() {
        let ip = Ipv4Addr::new(10, 10, 10, 11);
        let t = timesync(
            ip,
            "ICU-4 central station",
            Timestamp::from_secs(1_767_600_000),
        );
        assert_eq!(t.len(), 64);
        assert_eq!(&t[6..10], &[10, 10, 10, 11]);
        assert_eq!(&t[24..37], b"ICU-4|statio\0");
        assert_eq!(
            u32::from_be_bytes([t[60], t[61], t[62], t[63]]) as u64,
            1_767_600_000 + NTP_UNIX_OFFSET
        );
        let h = heartbeat(
            ip,
            [0x44, 0x4b, 0x5d, 1, 2, 3],
            "ICU-4 bed 07",
            "B450-007",
            "2.1.2",
        );
        assert_eq!(&h[16..24], b"ICU-4|07");
        assert_eq!(&h[48..53], b"2.1.2");
    }
}
