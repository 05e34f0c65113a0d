//! NetBIOS name service (UDP 137) registrations and queries. Hand-written: simple-dns cannot
//! produce the NetBIOS first-level name encoding; the format is fixed (RFC 1002, 4.2).

/// The 34-byte encoded form of a NetBIOS name with suffix byte `suffix`.
pub fn encode_name(name: &str, suffix: u8) -> Vec<u8> {
    let mut raw = [b' '; 16];
    for (slot, b) in raw.iter_mut().zip(name.bytes().take(15)) {
        *slot = b.to_ascii_uppercase();
    }
    raw[15] = suffix;
    let mut out = Vec::with_capacity(34);
    out.push(32);
    for b in raw {
        out.push(b'A' + (b >> 4));
        out.push(b'A' + (b & 0x0f));
    }
    out.push(0);
    out
}

/// A broadcast name registration of `name` (workstation, suffix 0x00) at `ip`.
pub fn registration(id: u16, name: &str, ip: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(68);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&0x2910u16.to_be_bytes()); // opcode 5 (registration), RD, broadcast
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 1]);
    out.extend_from_slice(&encode_name(name, 0));
    out.extend_from_slice(&[0, 0x20, 0, 1]); // NB, IN
    out.extend_from_slice(&[0xc0, 0x0c, 0, 0x20, 0, 1]); // pointer to the question name
    out.extend_from_slice(&300_000u32.to_be_bytes());
    out.extend_from_slice(&[0, 6, 0, 0]);
    out.extend_from_slice(&ip);
    out
}

/// A broadcast name query for `name`.
pub fn query(id: u16, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(50);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&0x0110u16.to_be_bytes());
    out.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&encode_name(name, 0x20));
    out.extend_from_slice(&[0, 0x20, 0, 1]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_level_encoding() {
        let n = encode_name("FRED", 0);
        assert_eq!(n.len(), 34);
        assert_eq!(&n[1..9], b"EGFCEFEE");
        assert_eq!(&n[9..11], b"CA");
        let r = registration(1, "ws-001", [10, 10, 40, 20]);
        assert_eq!(r.len(), 12 + 34 + 4 + 6 + 4 + 2 + 2 + 4);
        assert_eq!(&r[r.len() - 4..], &[10, 10, 40, 20]);
    }
}
