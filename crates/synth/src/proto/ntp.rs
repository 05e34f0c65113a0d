//! NTPv4 client request and server response (48-byte headers, RFC 5905). Hand-written: the
//! packet is a fixed 48-byte layout.

use wardwatch_flow::Timestamp;

/// Seconds from 1900-01-01 (NTP era 0) to the Unix epoch.
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

fn ntp_time(t: Timestamp) -> [u8; 8] {
    let secs = (t.secs() + NTP_UNIX_OFFSET) as u32;
    let frac = ((t.micros() % 1_000_000) << 32) / 1_000_000;
    let mut out = [0u8; 8];
    out[..4].copy_from_slice(&secs.to_be_bytes());
    out[4..].copy_from_slice(&(frac as u32).to_be_bytes());
    out
}

/// A mode-3 client request sent at `t`.
pub fn request(t: Timestamp) -> Vec<u8> {
    let mut p = vec![0u8; 48];
    p[0] = 0x23; // LI 0, version 4, mode 3
    p[2] = 6; // poll 64 s
    p[3] = 0xe9; // precision
    p[40..48].copy_from_slice(&ntp_time(t));
    p
}

/// A mode-4 server response to a request sent at `sent`, answered at `now`, by a stratum
/// `stratum` server whose reference is `reference` (four bytes: an address or a refid).
pub fn response(sent: Timestamp, now: Timestamp, stratum: u8, reference: [u8; 4]) -> Vec<u8> {
    let mut p = vec![0u8; 48];
    p[0] = 0x24; // LI 0, version 4, mode 4
    p[1] = stratum;
    p[2] = 6;
    p[3] = 0xe9;
    p[4..8].copy_from_slice(&0x0000_0a00u32.to_be_bytes()); // root delay
    p[8..12].copy_from_slice(&0x0000_0c00u32.to_be_bytes()); // root dispersion
    p[12..16].copy_from_slice(&reference);
    p[16..24].copy_from_slice(&ntp_time(Timestamp(
        now.micros().saturating_sub(600_000_000),
    )));
    p[24..32].copy_from_slice(&ntp_time(sent));
    p[32..40].copy_from_slice(&ntp_time(now));
    p[40..48].copy_from_slice(&ntp_time(Timestamp(now.micros() + 20)));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_where_rfc5905_puts_them() {
        let t = Timestamp::from_secs(1_767_600_000);
        let q = request(t);
        assert_eq!(q[0] & 7, 3);
        assert_eq!(
            u32::from_be_bytes([q[40], q[41], q[42], q[43]]) as u64,
            1_767_600_000 + NTP_UNIX_OFFSET
        );
        let r = response(t, t, 3, [10, 10, 100, 10]);
        assert_eq!(r[0] & 7, 4);
        assert_eq!(r[1], 3);
        assert_eq!(
            &r[24..32],
            &q[40..48],
            "origin timestamp echoes the request"
        );
    }
}
