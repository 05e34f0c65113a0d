//! Hand-built packets for tests, fixtures and benchmarks (etherparse `PacketBuilder`).
//! Shared by unit tests (`#[path]`), integration tests, the fixture generator and the benchmark.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test support: builds known-good frames, never parses wire input"
)]

use etherparse::{
    ArpHardwareId, ArpOperation, ArpPacket, EtherType, Icmpv4Type, PacketBuilder, VlanId,
    icmpv4::DestUnreachableHeader,
};

/// A station: MAC and IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    pub mac: [u8; 6],
    pub ip: [u8; 4],
}

impl Host {
    /// A host with MAC 02:00:00:00:<a>:<b> and address 10.0.<a>.<b>.
    pub const fn internal(a: u8, b: u8) -> Host {
        Host {
            mac: [0x02, 0, 0, 0, a, b],
            ip: [10, 0, a, b],
        }
    }
    /// An external host reached through `gateway`'s MAC.
    pub const fn external(gateway: Host, ip: [u8; 4]) -> Host {
        Host {
            mac: gateway.mac,
            ip,
        }
    }
}

/// TCP flags for [`tcp`].
pub mod flags {
    pub const SYN: u8 = 0x02;
    pub const SYNACK: u8 = 0x12;
    pub const ACK: u8 = 0x10;
    pub const PSHACK: u8 = 0x18;
    pub const FINACK: u8 = 0x11;
    pub const RST: u8 = 0x04;
    pub const RSTACK: u8 = 0x14;
}

/// An Ethernet/IPv4/TCP frame.
pub fn tcp(
    src: Host,
    dst: Host,
    ports: (u16, u16),
    flags: u8,
    seq_ack: (u32, u32),
    payload: &[u8],
) -> Vec<u8> {
    let mut b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .tcp(ports.0, ports.1, seq_ack.0, 64_240);
    if flags & 0x02 != 0 {
        b = b.syn();
    }
    if flags & 0x10 != 0 {
        b = b.ack(seq_ack.1);
    }
    if flags & 0x01 != 0 {
        b = b.fin();
    }
    if flags & 0x04 != 0 {
        b = b.rst();
    }
    if flags & 0x08 != 0 {
        b = b.psh();
    }
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

/// An Ethernet/IPv4/UDP frame.
pub fn udp(src: Host, dst: Host, ports: (u16, u16), payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .udp(ports.0, ports.1);
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

/// An Ethernet/IPv4/UDP frame to the limited broadcast address.
pub fn udp_broadcast(src: Host, ports: (u16, u16), payload: &[u8]) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, [0xff; 6])
        .ipv4(src.ip, [255, 255, 255, 255], 64)
        .udp(ports.0, ports.1);
    let mut out = Vec::new();
    b.write(&mut out, payload).unwrap();
    out
}

/// An 802.1Q-tagged UDP frame.
pub fn udp_vlan(src: Host, dst: Host, vlan: u16, ports: (u16, u16)) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .single_vlan(VlanId::try_new(vlan).unwrap())
        .ipv4(src.ip, dst.ip, 64)
        .udp(ports.0, ports.1);
    let mut out = Vec::new();
    b.write(&mut out, b"vlan").unwrap();
    out
}

/// A QinQ-tagged TCP SYN.
pub fn syn_qinq(src: Host, dst: Host, outer: u16, inner: u16, ports: (u16, u16)) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .double_vlan(
            VlanId::try_new(outer).unwrap(),
            VlanId::try_new(inner).unwrap(),
        )
        .ipv4(src.ip, dst.ip, 64)
        .tcp(ports.0, ports.1, 1, 1024)
        .syn();
    let mut out = Vec::new();
    b.write(&mut out, &[]).unwrap();
    out
}

/// An ICMP echo request (`request`) or reply.
pub fn ping(src: Host, dst: Host, id: u16, seq: u16, request: bool) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(src.mac, dst.mac).ipv4(src.ip, dst.ip, 64);
    let b = if request {
        b.icmpv4_echo_request(id, seq)
    } else {
        b.icmpv4_echo_reply(id, seq)
    };
    let mut out = Vec::new();
    b.write(&mut out, b"ping").unwrap();
    out
}

/// An ICMP port-unreachable from `src` about `original` (an Ethernet frame `src` received).
pub fn port_unreachable(src: Host, dst: Host, original: &[u8]) -> Vec<u8> {
    let quoted = &original[14..original.len().min(14 + 28)];
    let b = PacketBuilder::ethernet2(src.mac, dst.mac)
        .ipv4(src.ip, dst.ip, 64)
        .icmpv4(Icmpv4Type::DestinationUnreachable(
            DestUnreachableHeader::Port,
        ));
    let mut out = Vec::new();
    b.write(&mut out, quoted).unwrap();
    out
}

/// An ARP frame: `operation` 1 request / 2 reply; link destination broadcast for requests.
pub fn arp(sender: Host, operation: u16, target_mac: [u8; 6], target_ip: [u8; 4]) -> Vec<u8> {
    let link_dst = if operation == 1 {
        [0xff; 6]
    } else {
        target_mac
    };
    let packet = ArpPacket::new(
        ArpHardwareId::ETHERNET,
        EtherType::IPV4,
        ArpOperation(operation),
        &sender.mac,
        &sender.ip,
        &target_mac,
        &target_ip,
    )
    .unwrap();
    let b = PacketBuilder::ethernet2(sender.mac, link_dst).arp(packet);
    let mut out = Vec::new();
    b.write(&mut out).unwrap();
    out
}

/// An ARP reply from `mac` claiming `ip` (a spoofed or gratuitous announcement).
pub fn arp_claim(mac: [u8; 6], ip: [u8; 4]) -> Vec<u8> {
    arp(Host { mac, ip }, 2, [0xff; 6], ip)
}

/// An IPv6 UDP frame with a hop-by-hop extension header.
pub fn udp6_hop_by_hop(
    src_mac: [u8; 6],
    dst_mac: [u8; 6],
    src: [u8; 16],
    dst: [u8; 16],
    ports: (u16, u16),
) -> Vec<u8> {
    use etherparse::{Ethernet2Header, IpNumber, Ipv6Header, Ipv6RawExtHeader, UdpHeader};
    let payload = b"v6";
    let ext = Ipv6RawExtHeader::new_raw(IpNumber::UDP, &[0, 0, 0, 0, 0, 0]).unwrap();
    let udp = UdpHeader::with_ipv6_checksum(
        ports.0,
        ports.1,
        &Ipv6Header {
            source: src,
            destination: dst,
            ..Default::default()
        },
        payload,
    )
    .unwrap();
    let ip = Ipv6Header {
        traffic_class: 0,
        flow_label: Default::default(),
        payload_length: (ext.header_len() + 8 + payload.len()) as u16,
        next_header: IpNumber::IPV6_HEADER_HOP_BY_HOP,
        hop_limit: 64,
        source: src,
        destination: dst,
    };
    let eth = Ethernet2Header {
        source: src_mac,
        destination: dst_mac,
        ether_type: EtherType::IPV6,
    };
    let mut out = Vec::new();
    eth.write(&mut out).unwrap();
    ip.write(&mut out).unwrap();
    ext.write(&mut out).unwrap();
    udp.write(&mut out).unwrap();
    out.extend_from_slice(payload);
    out
}

/// IPv4 fragments of a UDP datagram: (first fragment with the UDP header, second fragment).
pub fn udp_fragments(src: Host, dst: Host, ports: (u16, u16)) -> (Vec<u8>, Vec<u8>) {
    use etherparse::{Ethernet2Header, IpFragOffset, IpNumber, Ipv4Header};
    let payload = [7u8; 40];
    let mut udp = Vec::new();
    etherparse::UdpHeader::without_ipv4_checksum(ports.0, ports.1, payload.len())
        .unwrap()
        .write(&mut udp)
        .unwrap();
    udp.extend_from_slice(&payload);
    let (first, second) = udp.split_at(24);
    let eth = Ethernet2Header {
        source: src.mac,
        destination: dst.mac,
        ether_type: EtherType::IPV4,
    };
    let build = |data: &[u8], offset: u16, more: bool| {
        let mut ip = Ipv4Header::new(data.len() as u16, 64, IpNumber::UDP, src.ip, dst.ip).unwrap();
        ip.identification = 77;
        ip.more_fragments = more;
        ip.fragment_offset = IpFragOffset::try_new(offset).unwrap();
        ip.header_checksum = ip.calc_header_checksum();
        let mut out = Vec::new();
        eth.write(&mut out).unwrap();
        ip.write(&mut out).unwrap();
        out.extend_from_slice(data);
        out
    };
    (build(first, 0, true), build(second, 3, false))
}

/// An LLDP frame with a chassis id, port id and TTL TLV.
pub fn lldp(src_mac: [u8; 6]) -> Vec<u8> {
    let mut out = vec![0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e];
    out.extend_from_slice(&src_mac);
    out.extend_from_slice(&[0x88, 0xcc]);
    out.extend_from_slice(&[0x02, 0x07, 0x04]);
    out.extend_from_slice(&src_mac);
    out.extend_from_slice(&[0x04, 0x02, 0x07, b'1', 0x06, 0x02, 0x00, 0x78, 0x00, 0x00]);
    out
}

/// A CDP frame (802.3 + LLC/SNAP, Cisco OUI, protocol 0x2000) with a device-id TLV.
pub fn cdp(src_mac: [u8; 6]) -> Vec<u8> {
    let body: Vec<u8> = [
        &[0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00][..],
        &[0x02, 0xb4, 0x00, 0x00],
        &[0x00, 0x01, 0x00, 0x08, b's', b'w', b'0', b'1'],
    ]
    .concat();
    let mut out = vec![0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc];
    out.extend_from_slice(&src_mac);
    out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

/// A DHCPACK from `server` leasing `ip` to `client_mac` (minimal BOOTP + options 53, 54).
pub fn dhcp_ack(server: Host, client_mac: [u8; 6], ip: [u8; 4]) -> Vec<u8> {
    let mut bootp = vec![0u8; 236];
    bootp[0] = 2;
    bootp[1] = 1;
    bootp[2] = 6;
    bootp[4..8].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    bootp[16..20].copy_from_slice(&ip);
    bootp[20..24].copy_from_slice(&server.ip);
    bootp[28..34].copy_from_slice(&client_mac);
    bootp.extend_from_slice(&[99, 130, 83, 99]);
    bootp.extend_from_slice(&[53, 1, 5]);
    bootp.extend_from_slice(&[54, 4]);
    bootp.extend_from_slice(&server.ip);
    bootp.push(255);
    udp(
        server,
        Host {
            mac: client_mac,
            ip,
        },
        (67, 68),
        &bootp,
    )
}

/// A DHCPDISCOVER from a station without an address (0.0.0.0 → broadcast) carrying a host
/// name (option 12).
pub fn dhcp_discover(client_mac: [u8; 6], hostname: &str) -> Vec<u8> {
    let mut bootp = vec![0u8; 236];
    bootp[0] = 1;
    bootp[1] = 1;
    bootp[2] = 6;
    bootp[4..8].copy_from_slice(&[0x12, 0x34, 0x56, client_mac[5]]);
    bootp[28..34].copy_from_slice(&client_mac);
    bootp.extend_from_slice(&[99, 130, 83, 99]);
    bootp.extend_from_slice(&[53, 1, 1]);
    bootp.extend_from_slice(&[12, hostname.len() as u8]);
    bootp.extend_from_slice(hostname.as_bytes());
    bootp.push(255);
    let builder = PacketBuilder::ethernet2(client_mac, [0xff; 6])
        .ipv4([0, 0, 0, 0], [255, 255, 255, 255], 64)
        .udp(68, 67);
    let mut out = Vec::new();
    builder.write(&mut out, &bootp).unwrap();
    out
}

/// A complete TCP connection: handshake, one request of `bytes_out` and a reply of
/// `bytes_in`, then FIN both ways. Returns the frames with their offsets in milliseconds.
pub fn tcp_session(
    client: Host,
    server: Host,
    ports: (u16, u16),
    bytes_out: usize,
    bytes_in: usize,
) -> Vec<(u64, Vec<u8>)> {
    use flags::*;
    let (c, s) = (1000u32, 5000u32);
    let request = vec![b'q'; bytes_out];
    let reply = vec![b'r'; bytes_in];
    let back = (ports.1, ports.0);
    let cs = c + 1 + bytes_out as u32;
    let ss = s + 1 + bytes_in as u32;
    vec![
        (0, tcp(client, server, ports, SYN, (c, 0), &[])),
        (1, tcp(server, client, back, SYNACK, (s, c + 1), &[])),
        (2, tcp(client, server, ports, ACK, (c + 1, s + 1), &[])),
        (
            3,
            tcp(client, server, ports, PSHACK, (c + 1, s + 1), &request),
        ),
        (4, tcp(server, client, back, PSHACK, (s + 1, cs), &reply)),
        (5, tcp(client, server, ports, FINACK, (cs, ss), &[])),
        (6, tcp(server, client, back, FINACK, (ss, cs + 1), &[])),
        (7, tcp(client, server, ports, ACK, (cs + 1, ss + 1), &[])),
    ]
}

/// Wraps an Ethernet frame's IP packet in a Linux cooked v1 header.
pub fn to_sll(frame: &[u8], packet_type: u16) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&packet_type.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&6u16.to_be_bytes());
    out.extend_from_slice(&frame[6..12]);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&frame[12..14]);
    out.extend_from_slice(&frame[14..]);
    out
}

/// Wraps an Ethernet frame's payload in a Linux cooked v2 header.
pub fn to_sll2(frame: &[u8], packet_type: u8) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&frame[12..14]);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&3u32.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.push(packet_type);
    out.push(6);
    out.extend_from_slice(&frame[6..12]);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&frame[14..]);
    out
}

/// The IP packet of an Ethernet frame (for raw-IP link types).
pub fn to_raw(frame: &[u8]) -> Vec<u8> {
    frame[14..].to_vec()
}

/// BSD loopback: the IP packet after a 4-byte address family (host order, little-endian here).
pub fn to_null(frame: &[u8], family: u32) -> Vec<u8> {
    let mut out = family.to_le_bytes().to_vec();
    out.extend_from_slice(&frame[14..]);
    out
}
