//! Ethernet frames: 802.1Q tag, IPv4, TCP/UDP and ARP through etherparse's `PacketBuilder`
//! (lengths and checksums computed by it), plus raw EtherType and 802.3/LLC frames for LLDP
//! and CDP. Frames shorter than the Ethernet minimum are padded to 60 bytes, as a SPAN port
//! delivers them.

use etherparse::{
    ArpHardwareId, ArpOperation, ArpPacket, EtherType, IpHeaders, Ipv4Header, PacketBuilder,
    PacketBuilderStep, TcpHeader, VlanId, ip_number,
};
use std::net::Ipv4Addr;

/// Minimum Ethernet frame length without the frame check sequence.
pub const MIN_FRAME: usize = 60;

/// Why a frame could not be built (a generator bug, never user input).
#[derive(Debug, thiserror::Error)]
#[error("building a frame failed: {0}")]
pub struct FrameError(pub String);

/// Layer-2 addressing of a frame as seen on the capture VLAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct L2 {
    /// Source MAC.
    pub src: [u8; 6],
    /// Destination MAC.
    pub dst: [u8; 6],
    /// 802.1Q VLAN id, when the capture port is a trunk.
    pub vlan: Option<u16>,
}

/// IPv4 header values of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ip4 {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Time to live as seen at the capture point.
    pub ttl: u8,
    /// IP identification.
    pub id: u16,
}

fn start(l2: &L2, ip: &Ip4) -> Result<PacketBuilderStep<IpHeaders>, FrameError> {
    let mut header = Ipv4Header::new(0, ip.ttl, ip_number::UDP, ip.src.octets(), ip.dst.octets())
        .map_err(|e| FrameError(e.to_string()))?;
    header.identification = ip.id;
    header.dont_fragment = true;
    let headers = IpHeaders::Ipv4(header, Default::default());
    let eth = PacketBuilder::ethernet2(l2.src, l2.dst);
    Ok(match l2.vlan {
        Some(v) => eth
            .single_vlan(VlanId::try_new(v).map_err(|e| FrameError(e.to_string()))?)
            .ip(headers),
        None => eth.ip(headers),
    })
}

fn pad(out: &mut Vec<u8>) {
    if out.len() < MIN_FRAME {
        out.resize(MIN_FRAME, 0);
    }
}

/// Builds an Ethernet/IPv4/UDP frame into `out` (cleared first).
pub fn udp(
    out: &mut Vec<u8>,
    l2: &L2,
    ip: &Ip4,
    ports: (u16, u16),
    payload: &[u8],
) -> Result<(), FrameError> {
    out.clear();
    start(l2, ip)?
        .udp(ports.0, ports.1)
        .write(out, payload)
        .map_err(|e| FrameError(e.to_string()))?;
    pad(out);
    Ok(())
}

/// Builds an Ethernet/IPv4/TCP frame into `out` (cleared first).
pub fn tcp(
    out: &mut Vec<u8>,
    l2: &L2,
    ip: &Ip4,
    header: TcpHeader,
    payload: &[u8],
) -> Result<(), FrameError> {
    out.clear();
    start(l2, ip)?
        .tcp_header(header)
        .write(out, payload)
        .map_err(|e| FrameError(e.to_string()))?;
    pad(out);
    Ok(())
}

/// ARP operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpOp {
    /// who-has.
    Request,
    /// is-at.
    Reply,
}

/// The addresses of an ARP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arp {
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address.
    pub sha: [u8; 6],
    /// Sender protocol address.
    pub spa: Ipv4Addr,
    /// Target hardware address (zero in requests).
    pub tha: [u8; 6],
    /// Target protocol address.
    pub tpa: Ipv4Addr,
}

/// Builds an Ethernet ARP frame into `out` (cleared first).
pub fn arp(out: &mut Vec<u8>, l2: &L2, a: &Arp) -> Result<(), FrameError> {
    out.clear();
    let op = match a.op {
        ArpOp::Request => ArpOperation::REQUEST,
        ArpOp::Reply => ArpOperation::REPLY,
    };
    let packet = ArpPacket::new(
        ArpHardwareId::ETHERNET,
        EtherType::IPV4,
        op,
        &a.sha,
        &a.spa.octets(),
        &a.tha,
        &a.tpa.octets(),
    )
    .map_err(|e| FrameError(e.to_string()))?;
    let eth = PacketBuilder::ethernet2(l2.src, l2.dst);
    let step = match l2.vlan {
        Some(v) => eth
            .single_vlan(VlanId::try_new(v).map_err(|e| FrameError(e.to_string()))?)
            .arp(packet),
        None => eth.arp(packet),
    };
    step.write(out).map_err(|e| FrameError(e.to_string()))?;
    pad(out);
    Ok(())
}

/// Builds an untagged Ethernet II frame with an arbitrary EtherType (LLDP uses 0x88cc).
pub fn ethertype(out: &mut Vec<u8>, src: [u8; 6], dst: [u8; 6], ether_type: u16, payload: &[u8]) {
    out.clear();
    out.extend_from_slice(&dst);
    out.extend_from_slice(&src);
    out.extend_from_slice(&ether_type.to_be_bytes());
    out.extend_from_slice(payload);
    pad(out);
}

/// Builds an untagged IEEE 802.3 frame with an LLC/SNAP header (CDP: OUI 00:00:0c, PID 0x2000).
pub fn llc_snap(
    out: &mut Vec<u8>,
    src: [u8; 6],
    dst: [u8; 6],
    snap: ([u8; 3], u16),
    payload: &[u8],
) -> Result<(), FrameError> {
    let len = u16::try_from(payload.len() + 8)
        .ok()
        .filter(|&l| l <= 1500)
        .ok_or_else(|| FrameError("802.3 payload longer than 1500 bytes".into()))?;
    out.clear();
    out.extend_from_slice(&dst);
    out.extend_from_slice(&src);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0xaa, 0xaa, 0x03]);
    out.extend_from_slice(&snap.0);
    out.extend_from_slice(&snap.1.to_be_bytes());
    out.extend_from_slice(payload);
    pad(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    fn l2(vlan: Option<u16>) -> L2 {
        L2 {
            src: [0, 9, 0xfb, 1, 2, 3],
            dst: [0, 0x1b, 0x54, 0, 0, 1],
            vlan,
        }
    }

    fn ip() -> Ip4 {
        Ip4 {
            src: Ipv4Addr::new(10, 10, 10, 21),
            dst: Ipv4Addr::new(10, 10, 100, 10),
            ttl: 64,
            id: 7,
        }
    }

    #[test]
    fn udp_frame_is_tagged_padded_and_checksummed() {
        let mut out = Vec::new();
        udp(&mut out, &l2(Some(10)), &ip(), (5353, 53), b"x").unwrap();
        assert_eq!(out.len(), MIN_FRAME);
        assert_eq!(&out[12..14], &[0x81, 0x00]);
        let sliced = SlicedPacket::from_ethernet(&out).unwrap();
        let Some(NetSlice::Ipv4(v4)) = sliced.net else {
            panic!("not ipv4")
        };
        assert_eq!(v4.header().ttl(), 64);
        assert_eq!(v4.header().identification(), 7);
        let h = v4.header().to_header();
        assert_eq!(h.header_checksum, h.calc_header_checksum());
        let Some(TransportSlice::Udp(u)) = sliced.transport else {
            panic!("not udp")
        };
        assert_eq!(u.destination_port(), 53);
        let udp_header = u.to_header();
        let expected = udp_header
            .calc_checksum_ipv4(&v4.header().to_header(), u.payload())
            .unwrap();
        assert_eq!(udp_header.checksum, expected);
        assert_eq!(u.payload(), b"x");
    }

    #[test]
    fn tcp_and_arp_frames_parse_back() {
        let mut out = Vec::new();
        let mut h = TcpHeader::new(49152, 104, 1000, 64240);
        h.syn = true;
        tcp(&mut out, &l2(None), &ip(), h, &[]).unwrap();
        let sliced = SlicedPacket::from_ethernet(&out).unwrap();
        let Some(TransportSlice::Tcp(t)) = sliced.transport else {
            panic!("not tcp")
        };
        assert!(t.syn());
        assert_eq!(t.sequence_number(), 1000);

        let a = Arp {
            op: ArpOp::Request,
            sha: [0, 9, 0xfb, 1, 2, 3],
            spa: Ipv4Addr::new(10, 10, 10, 21),
            tha: [0; 6],
            tpa: Ipv4Addr::new(10, 10, 10, 1),
        };
        let mut out = Vec::new();
        arp(&mut out, &l2(Some(10)), &a).unwrap();
        assert_eq!(out.len(), MIN_FRAME);
        let sliced = SlicedPacket::from_ethernet(&out).unwrap();
        let Some(NetSlice::Arp(arp)) = sliced.net else {
            panic!("not arp")
        };
        assert_eq!(arp.target_protocol_addr(), &[10, 10, 10, 1]);
    }

    #[test]
    fn llc_frame_has_length_field() {
        let mut out = Vec::new();
        llc_snap(
            &mut out,
            [0; 6],
            [1, 0, 0x0c, 0xcc, 0xcc, 0xcc],
            ([0, 0, 0x0c], 0x2000),
            &[1; 100],
        )
        .unwrap();
        assert_eq!(u16::from_be_bytes([out[12], out[13]]), 108);
        assert_eq!(out.len(), 122);
    }
}
