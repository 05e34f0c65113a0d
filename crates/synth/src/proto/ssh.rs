//! SSH-2 (RFC 4253) connection start as a password-guessing client makes it: banners, KEXINIT,
//! ECDH key exchange (curve25519), NEWKEYS, a few encrypted packets (authentication attempts),
//! after which the server hangs up.

use super::opaque;
use crate::seed::Rng;
use crate::wire::conv::{Message, Side};

fn string(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// A binary packet with padding to a multiple of 8.
fn packet(payload: &[u8]) -> Vec<u8> {
    let mut pad = 8 - (payload.len() + 5) % 8;
    if pad < 4 {
        pad += 8;
    }
    let mut out = ((payload.len() + pad + 1) as u32).to_be_bytes().to_vec();
    out.push(pad as u8);
    out.extend_from_slice(payload);
    out.extend(std::iter::repeat_n(0u8, pad));
    out
}

fn kexinit(rng: &mut Rng) -> Vec<u8> {
    let mut p = vec![20u8];
    p.extend_from_slice(&opaque(rng, 16));
    for list in [
        "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256",
        "ssh-ed25519,rsa-sha2-512,rsa-sha2-256",
        "aes128-ctr,aes256-ctr",
        "aes128-ctr,aes256-ctr",
        "hmac-sha2-256,hmac-sha1",
        "hmac-sha2-256,hmac-sha1",
        "none",
        "none",
        "",
        "",
    ] {
        string(&mut p, list.as_bytes());
    }
    p.push(0);
    p.extend_from_slice(&[0; 4]);
    packet(&p)
}

/// One password-guessing connection: `attempts` encrypted authentication packets.
pub fn brute_force_attempt(
    rng: &mut Rng,
    client_banner: &str,
    server_banner: &str,
    attempts: u32,
) -> Vec<Message> {
    let mut init = vec![30u8];
    string(&mut init, &opaque(rng, 32));
    let mut host_key = Vec::new();
    string(&mut host_key, b"ssh-ed25519");
    string(&mut host_key, &opaque(rng, 32));
    let mut sig = Vec::new();
    string(&mut sig, b"ssh-ed25519");
    string(&mut sig, &opaque(rng, 64));
    let mut reply = vec![31u8];
    string(&mut reply, &host_key);
    string(&mut reply, &opaque(rng, 32));
    string(&mut reply, &sig);
    let mut server_kex = packet(&reply);
    server_kex.extend_from_slice(&packet(&[21]));
    let mut m = vec![
        Message::new(Side::B, format!("{server_banner}\r\n").into_bytes()),
        Message::new(Side::A, format!("{client_banner}\r\n").into_bytes()),
        Message::new(Side::A, kexinit(rng)),
        Message::new(Side::B, kexinit(rng)),
        Message::new(Side::A, packet(&init)),
        Message::after(Side::B, server_kex, 2_000),
        Message::new(Side::A, packet(&[21])),
    ];
    for _ in 0..attempts {
        m.push(Message::new(Side::A, opaque(rng, 96)));
        m.push(Message::after(Side::B, opaque(rng, 48), 300_000));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn packets_are_padded_and_sized() {
        let p = packet(&[21]);
        assert_eq!(p.len() % 8, 0);
        assert_eq!(
            u32::from_be_bytes(p[..4].try_into().unwrap()) as usize,
            p.len() - 4
        );
        let mut rng = Rng::seed_from_u64(1);
        let k = kexinit(&mut rng);
        assert_eq!(k[5], 20);
        assert_eq!(
            u32::from_be_bytes(k[..4].try_into().unwrap()) as usize,
            k.len() - 4
        );
        let m = brute_force_attempt(&mut rng, "SSH-2.0-libssh_0.9.6", "SSH-2.0-OpenSSH_7.4", 3);
        assert_eq!(m[0].data, b"SSH-2.0-OpenSSH_7.4\r\n");
        assert_eq!(m.len(), 7 + 6);
    }
}
