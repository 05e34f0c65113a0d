//! A small ASN.1 DER writer for the messages the ward sends (Kerberos, LDAP, SNMP, SPNEGO).
//! Encoding only: no crate in the workspace writes these messages, and the values are ours.

/// Universal and context tag bytes used by the encoders.
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// ENUMERATED.
    pub const ENUMERATED: u8 = 0x0a;
    /// GeneralString.
    pub const GENERAL_STRING: u8 = 0x1b;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// SEQUENCE.
    pub const SEQUENCE: u8 = 0x30;
    /// SET.
    pub const SET: u8 = 0x31;
}

/// Appends a definite length.
pub fn length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// A tag-length-value with the given content.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    length(&mut out, content.len());
    out.extend_from_slice(content);
    out
}

/// A constructed value made of the concatenation of `parts`.
pub fn cons(tag: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// SEQUENCE of parts.
pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    cons(tag::SEQUENCE, parts)
}

/// Context-specific constructed tag `[n]` wrapping one value (explicit tagging).
pub fn ctx(n: u8, inner: Vec<u8>) -> Vec<u8> {
    tlv(0xa0 | n, &inner)
}

/// Application constructed tag `[APPLICATION n]` (n < 31).
pub fn app(n: u8, parts: &[Vec<u8>]) -> Vec<u8> {
    cons(0x60 | n, parts)
}

/// INTEGER in minimal two's complement.
pub fn int(value: i64) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    tlv(tag::INTEGER, &bytes[start..])
}

/// An integer with another universal tag (ENUMERATED) or an implicit context tag.
pub fn int_tagged(tag_byte: u8, value: i64) -> Vec<u8> {
    let mut v = int(value);
    v[0] = tag_byte;
    v
}

/// OCTET STRING.
pub fn octets(value: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, value)
}

/// GeneralString (Kerberos text).
pub fn general(value: &str) -> Vec<u8> {
    tlv(tag::GENERAL_STRING, value.as_bytes())
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![tag::NULL, 0]
}

/// OBJECT IDENTIFIER from dotted text (first two arcs < 40 × 3).
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut body = Vec::new();
    if arcs.len() >= 2 {
        push_base128(&mut body, arcs[0] * 40 + arcs[1]);
    }
    for &arc in arcs.iter().skip(2) {
        push_base128(&mut body, arc);
    }
    tlv(tag::OID, &body)
}

fn push_base128(out: &mut Vec<u8>, mut value: u64) {
    let mut tmp = [0u8; 10];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            break;
        }
    }
    let last = tmp.len() - 1;
    for (j, b) in tmp.iter().enumerate().skip(i) {
        out.push(if j == last { *b } else { b | 0x80 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_known_values() {
        assert_eq!(int(0), vec![2, 1, 0]);
        assert_eq!(int(127), vec![2, 1, 0x7f]);
        assert_eq!(int(128), vec![2, 2, 0, 0x80]);
        assert_eq!(int(-1), vec![2, 1, 0xff]);
        assert_eq!(int(65537), vec![2, 3, 1, 0, 1]);
        assert_eq!(
            oid("1.3.6.1.2.1.1.1.0"),
            vec![6, 8, 0x2b, 6, 1, 2, 1, 1, 1, 0]
        );
        assert_eq!(
            oid("1.2.840.113554.1.2.2"),
            vec![6, 9, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 1, 2, 2]
        );
        let long = tlv(4, &[0; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 0x01, 0x2c]);
        assert_eq!(seq(&[int(5), null()]), vec![0x30, 5, 2, 1, 5, 5, 0]);
        assert_eq!(ctx(1, int(5)), vec![0xa1, 3, 2, 1, 5]);
    }
}
