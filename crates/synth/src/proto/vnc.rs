//! VNC / RFB 3.8 (RFC 6143): version and security handshake (VNC authentication), ServerInit,
//! then framebuffer update requests answered with raw-encoded rectangles, and input events.

use super::opaque;
use crate::seed::Rng;
use crate::wire::conv::{Message, Side};
use rand::Rng as _;

/// Server's first flights through ServerInit (client = A).
pub fn handshake(rng: &mut Rng, desktop: &str) -> Vec<Message> {
    let mut init = Vec::new();
    init.extend_from_slice(&1280u16.to_be_bytes());
    init.extend_from_slice(&1024u16.to_be_bytes());
    init.extend_from_slice(&[32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    init.extend_from_slice(&(desktop.len() as u32).to_be_bytes());
    init.extend_from_slice(desktop.as_bytes());
    vec![
        Message::new(Side::B, b"RFB 003.008\n".to_vec()),
        Message::new(Side::A, b"RFB 003.008\n".to_vec()),
        Message::new(Side::B, vec![1, 2]),
        Message::new(Side::A, vec![2]),
        Message::new(Side::B, opaque(rng, 16)),
        Message::after(Side::A, opaque(rng, 16), 3_000_000),
        Message::new(Side::B, vec![0, 0, 0, 0]),
        Message::new(Side::A, vec![1]),
        Message::new(Side::B, init),
    ]
}

/// Input (a pointer and a key event) and an update request, then the server's raw rectangle
/// of `side`×`side` pixels.
pub fn interaction(rng: &mut Rng, side: u16, delay_us: u64) -> Vec<Message> {
    let (x, y) = (rng.gen_range(0..1200u16), rng.gen_range(0..1000u16));
    let mut input = vec![5, 1];
    input.extend_from_slice(&x.to_be_bytes());
    input.extend_from_slice(&y.to_be_bytes());
    input.extend_from_slice(&[4, 1, 0, 0]);
    input.extend_from_slice(&u32::from(rng.gen_range(0x61..0x7au8)).to_be_bytes());
    input.extend_from_slice(&[3, 1, 0, 0, 0, 0]);
    input.extend_from_slice(&1280u16.to_be_bytes());
    input.extend_from_slice(&1024u16.to_be_bytes());
    let mut update = vec![0, 0, 0, 1];
    for v in [x.min(1280 - side), y.min(1024 - side), side, side] {
        update.extend_from_slice(&v.to_be_bytes());
    }
    update.extend_from_slice(&0i32.to_be_bytes());
    update.extend_from_slice(&opaque(rng, usize::from(side) * usize::from(side) * 4));
    vec![
        Message::after(Side::A, input, delay_us),
        Message::after(Side::B, update, 15_000),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn server_init_and_update_sizes() {
        let mut rng = Rng::seed_from_u64(1);
        let h = handshake(&mut rng, "CT console");
        assert_eq!(h[0].data, b"RFB 003.008\n");
        assert_eq!(h[8].data.len(), 24 + 10);
        let i = interaction(&mut rng, 32, 0);
        assert_eq!(i[0].data.len(), 6 + 8 + 10);
        assert_eq!(i[1].data.len(), 4 + 12 + 32 * 32 * 4);
    }
}
