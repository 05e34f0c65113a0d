//! BACnet/IP (ASHRAE 135 Annex J) on UDP 47808: Who-Is and I-Am broadcasts, ReadProperty of
//! present-value and its ComplexACK. Hand-written: small fixed encodings.

/// BACnet/IP port (0xBAC0).
pub const PORT: u16 = 47808;

fn bvlc(function: u8, npdu_apdu: &[u8]) -> Vec<u8> {
    let mut out = vec![0x81, function];
    out.extend_from_slice(&((npdu_apdu.len() + 4) as u16).to_be_bytes());
    out.extend_from_slice(npdu_apdu);
    out
}

fn object_id(kind: u32, instance: u32) -> [u8; 4] {
    ((kind << 22) | (instance & 0x3f_ffff)).to_be_bytes()
}

/// Who-Is (global, broadcast).
pub fn who_is() -> Vec<u8> {
    bvlc(0x0b, &[0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08])
}

/// I-Am of device `instance` from vendor `vendor_id` (broadcast).
pub fn i_am(instance: u32, vendor_id: u8) -> Vec<u8> {
    let mut apdu = vec![0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x00, 0xc4];
    apdu.extend_from_slice(&object_id(8, instance));
    apdu.extend_from_slice(&[0x22, 0x05, 0xc4, 0x91, 0x00, 0x21, vendor_id]);
    bvlc(0x0b, &apdu)
}

/// ReadProperty(present-value) of analog input `instance`.
pub fn read_property(invoke_id: u8, instance: u32) -> Vec<u8> {
    let mut apdu = vec![0x01, 0x04, 0x00, 0x05, invoke_id, 0x0c, 0x0c];
    apdu.extend_from_slice(&object_id(0, instance));
    apdu.extend_from_slice(&[0x19, 0x55]);
    bvlc(0x0a, &apdu)
}

/// ComplexACK of [`read_property`] with a REAL value.
pub fn read_property_ack(invoke_id: u8, instance: u32, value: f32) -> Vec<u8> {
    let mut apdu = vec![0x01, 0x00, 0x30, invoke_id, 0x0c, 0x0c];
    apdu.extend_from_slice(&object_id(0, instance));
    apdu.extend_from_slice(&[0x19, 0x55, 0x3e, 0x44]);
    apdu.extend_from_slice(&value.to_be_bytes());
    apdu.push(0x3f);
    bvlc(0x0a, &apdu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bvlc_lengths_and_services() {
        for p in [
            who_is(),
            i_am(1001, 36),
            read_property(7, 3),
            read_property_ack(7, 3, 21.5),
        ] {
            assert_eq!(p[0], 0x81);
            assert_eq!(u16::from_be_bytes([p[2], p[3]]) as usize, p.len());
        }
        assert_eq!(&who_is()[10..], &[0x10, 0x08]);
        let ack = read_property_ack(7, 3, 21.5);
        assert_eq!(
            &ack[ack.len() - 6..ack.len() - 1],
            &[0x44, 0x41, 0xac, 0x00, 0x00]
        );
        assert_eq!(object_id(8, 1001), [0x02, 0x00, 0x03, 0xe9]);
    }
}
