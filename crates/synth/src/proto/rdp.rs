//! RDP connection start (MS-RDPBCGR 2.2.1.1/2.2.1.2): X.224 Connection Request in TPKT with the
//! mstshash cookie and RDP_NEG_REQ, the Connection Confirm selecting CredSSP, after which the
//! session continues inside TLS ([`super::tls`]).

fn tpkt(x224: &[u8]) -> Vec<u8> {
    let mut out = vec![3, 0];
    out.extend_from_slice(&((x224.len() + 4) as u16).to_be_bytes());
    out.extend_from_slice(x224);
    out
}

/// X.224 Connection Request with `Cookie: mstshash=<user>` requesting TLS and CredSSP.
pub fn connection_request(user: &str) -> Vec<u8> {
    let cookie = format!("Cookie: mstshash={user}\r\n");
    let mut body = vec![0xe0, 0, 0, 0, 0, 0];
    body.extend_from_slice(cookie.as_bytes());
    body.extend_from_slice(&[0x01, 0x00, 0x08, 0x00]);
    body.extend_from_slice(&0x0000_000bu32.to_le_bytes());
    let mut x224 = vec![body.len() as u8];
    x224.extend_from_slice(&body);
    tpkt(&x224)
}

/// X.224 Connection Confirm selecting CredSSP (HYBRID).
pub fn connection_confirm() -> Vec<u8> {
    let mut body = vec![0xd0, 0, 0, 0x12, 0x34, 0];
    body.extend_from_slice(&[0x02, 0x1f, 0x08, 0x00]);
    body.extend_from_slice(&2u32.to_le_bytes());
    let mut x224 = vec![body.len() as u8];
    x224.extend_from_slice(&body);
    tpkt(&x224)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpkt_lengths_and_codes() {
        let cr = connection_request("admin");
        assert_eq!(u16::from_be_bytes([cr[2], cr[3]]) as usize, cr.len());
        assert_eq!(cr[5], 0xe0);
        assert_eq!(cr[4] as usize, cr.len() - 5);
        assert!(cr.windows(16).any(|w| w == b"mstshash=admin\r\n"));
        let cc = connection_confirm();
        assert_eq!(cc.len(), 19);
        assert_eq!(cc[5], 0xd0);
        assert_eq!(cc[11], 0x02);
    }
}
