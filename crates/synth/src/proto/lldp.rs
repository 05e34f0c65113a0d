//! LLDP (IEEE 802.1AB) advertisements, with LLDP-MED inventory for endpoints, and Cisco CDP v2.
//! Hand-written: no crate in the workspace encodes either; both are simple TLV lists.

use std::net::Ipv4Addr;

/// LLDP destination (nearest bridge).
pub const LLDP_MAC: [u8; 6] = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
/// LLDP EtherType.
pub const LLDP_ETHERTYPE: u16 = 0x88cc;
/// CDP destination.
pub const CDP_MAC: [u8; 6] = [0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc];
/// CDP SNAP OUI and protocol id.
pub const CDP_SNAP: ([u8; 3], u16) = ([0x00, 0x00, 0x0c], 0x2000);

/// What a device says about itself in LLDP/CDP.
#[derive(Clone, Debug)]
pub struct Advert<'a> {
    /// Chassis MAC.
    pub mac: [u8; 6],
    /// Management address.
    pub ip: Ipv4Addr,
    /// Interface name, e.g. `GigabitEthernet1/0/12` or `Port 1`.
    pub port: &'a str,
    /// System name.
    pub system_name: &'a str,
    /// System description.
    pub system_description: &'a str,
    /// True for switches/routers (bridge + router capabilities), false for end stations.
    pub network_device: bool,
    /// LLDP-MED inventory of an endpoint: (firmware/software revision, serial, manufacturer, model).
    pub inventory: Option<(&'a str, &'a str, &'a str, &'a str)>,
}

fn tlv(out: &mut Vec<u8>, kind: u8, value: &[u8]) {
    let len = value.len().min(511);
    let header = (u16::from(kind) << 9) | len as u16;
    out.extend_from_slice(&header.to_be_bytes());
    out.extend_from_slice(&value[..len]);
}

fn text(s: &str) -> &[u8] {
    let b = s.as_bytes();
    &b[..b.len().min(255)]
}

/// The LLDPDU (payload after the EtherType).
pub fn lldpdu(a: &Advert) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut chassis = vec![4u8];
    chassis.extend_from_slice(&a.mac);
    tlv(&mut out, 1, &chassis);
    let mut port = vec![5u8];
    port.extend_from_slice(text(a.port));
    tlv(&mut out, 2, &port);
    tlv(&mut out, 3, &120u16.to_be_bytes());
    tlv(&mut out, 4, text(a.port));
    tlv(&mut out, 5, text(a.system_name));
    tlv(&mut out, 6, text(a.system_description));
    let caps: u16 = if a.network_device { 0x0014 } else { 0x0080 };
    let mut c = caps.to_be_bytes().to_vec();
    c.extend_from_slice(&caps.to_be_bytes());
    tlv(&mut out, 7, &c);
    let mut mgmt = vec![5u8, 1];
    mgmt.extend_from_slice(&a.ip.octets());
    mgmt.push(2);
    mgmt.extend_from_slice(&1u32.to_be_bytes());
    mgmt.push(0);
    tlv(&mut out, 8, &mgmt);
    if let Some((software, serial, manufacturer, model)) = a.inventory {
        let med = |subtype: u8, value: &[u8]| {
            let mut v = vec![0x00, 0x12, 0xbb, subtype];
            v.extend_from_slice(&value[..value.len().min(32)]);
            v
        };
        tlv(&mut out, 127, &med(1, &[0x00, 0x33, 0x03])); // capabilities: caps, inventory; class III
        tlv(&mut out, 127, &med(6, software.as_bytes()));
        tlv(&mut out, 127, &med(7, software.as_bytes()));
        tlv(&mut out, 127, &med(8, serial.as_bytes()));
        tlv(&mut out, 127, &med(9, manufacturer.as_bytes()));
        tlv(&mut out, 127, &med(10, model.as_bytes()));
    }
    tlv(&mut out, 0, &[]);
    out
}

fn cdp_tlv(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let value = &value[..value.len().min(1000)];
    out.extend_from_slice(&kind.to_be_bytes());
    out.extend_from_slice(&((value.len() + 4) as u16).to_be_bytes());
    out.extend_from_slice(value);
}

/// Internet checksum of an even-length buffer.
fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = data
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)])))
        .sum();
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A CDP v2 packet (payload after the SNAP header) with `platform` and `software`.
pub fn cdp(a: &Advert, platform: &str, software: &str, native_vlan: u16) -> Vec<u8> {
    let mut out = vec![2u8, 180, 0, 0];
    cdp_tlv(&mut out, 0x0001, text(a.system_name));
    let mut addr = 1u32.to_be_bytes().to_vec();
    addr.extend_from_slice(&[1, 1, 0xcc, 0, 4]);
    addr.extend_from_slice(&a.ip.octets());
    cdp_tlv(&mut out, 0x0002, &addr);
    cdp_tlv(&mut out, 0x0003, text(a.port));
    let caps: u32 = if a.network_device {
        0x0000_0029
    } else {
        0x0000_0490
    };
    cdp_tlv(&mut out, 0x0004, &caps.to_be_bytes());
    cdp_tlv(&mut out, 0x0005, software.as_bytes());
    cdp_tlv(&mut out, 0x0006, text(platform));
    cdp_tlv(&mut out, 0x000a, &native_vlan.to_be_bytes());
    if out.len() % 2 == 1 {
        // Keep the packet even: CDP's checksum treats a trailing odd byte specially.
        cdp_tlv(&mut out, 0x000b, &[1]);
    }
    let sum = checksum(&out);
    out[2..4].copy_from_slice(&sum.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advert() -> Advert<'static> {
        Advert {
            mac: [0, 0x1b, 0x54, 1, 2, 3],
            ip: Ipv4Addr::new(10, 10, 100, 1),
            port: "GigabitEthernet1/0/1",
            system_name: "core-sw01",
            system_description: "Cisco IOS Software [Cupertino], Catalyst L3 Switch Software, Version 17.9.3",
            network_device: true,
            inventory: None,
        }
    }

    #[test]
    fn lldp_tlvs_walk_to_the_end() {
        let pdu = lldpdu(&advert());
        let mut i = 0;
        let mut kinds = Vec::new();
        loop {
            let h = u16::from_be_bytes([pdu[i], pdu[i + 1]]);
            let (kind, len) = ((h >> 9) as u8, (h & 0x1ff) as usize);
            kinds.push(kind);
            if kind == 5 {
                assert_eq!(&pdu[i + 2..i + 2 + len], b"core-sw01");
            }
            i += 2 + len;
            if kind == 0 {
                break;
            }
        }
        assert_eq!(i, pdu.len());
        assert_eq!(kinds, [1, 2, 3, 4, 5, 6, 7, 8, 0]);
    }

    #[test]
    fn cdp_checksum_verifies() {
        let p = cdp(
            &advert(),
            "cisco C9300-48P",
            "Cisco IOS XE Software, Version 17.9.3",
            100,
        );
        assert_eq!(p.len() % 2, 0);
        assert_eq!(checksum(&p), 0);
    }
}
