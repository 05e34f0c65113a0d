//! Payload and frame inspection: picks the parser for a payload from its transport, ports and
//! first bytes, and collects the facts each parser reveals. One parser per module; every parser
//! takes a borrowed slice, reads it with bounds checks only, and recognises only what starts a
//! message (a TCP segment from the middle of a stream is ignored, not guessed at).

// Wire values never overflow silently or abort here (reliability.md T1.6): checked or
// saturating arithmetic and lossless conversions only (tests are exempt).
#![cfg_attr(
    not(test),
    deny(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)
)]

mod bytes;
mod cdp;
mod dcerpc;
mod device_protocol;
mod dhcp;
mod dicom;
mod dns;
mod hl7;
mod http;
mod intellivue;
mod lldp;
mod netbios;
#[cfg(test)]
mod robustness;
mod smb2;
mod snmp;
mod tls;

use super::{PayloadContext, PayloadFact};
use crate::event::Transport;

/// Most facts one packet may add (an mDNS announcement can list many records).
pub const MAX_FACTS_PER_PACKET: usize = 32;

/// EtherType of LLDP.
const ETHERTYPE_LLDP: u16 = 0x88cc;
/// SNAP protocol id of CDP.
const SNAP_PID_CDP: u16 = 0x2000;

/// Inspects a transport payload (see [`super::inspect_payload`]).
pub(crate) fn payload(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    if ctx.payload.is_empty() {
        return;
    }
    let start = out.len();
    match ctx.transport {
        Transport::Udp => udp(ctx, out),
        Transport::Tcp => tcp(ctx, out),
        Transport::Icmp | Transport::Other => {}
    }
    out.truncate(start.saturating_add(MAX_FACTS_PER_PACKET));
}

/// Inspects a non-IP frame (see [`super::inspect_frame`]).
pub(crate) fn frame(ethertype: u16, payload: &[u8], out: &mut Vec<PayloadFact>) {
    let start = out.len();
    match ethertype {
        ETHERTYPE_LLDP => lldp::inspect(payload, out),
        SNAP_PID_CDP => cdp::inspect(payload, out),
        _ => {}
    }
    out.truncate(start.saturating_add(MAX_FACTS_PER_PACKET));
}

fn either_port(ctx: &PayloadContext<'_>, port: u16) -> bool {
    ctx.src_port == port || ctx.dst_port == port
}

fn udp(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let data = ctx.payload;
    if either_port(ctx, 67) || either_port(ctx, 68) {
        dhcp::inspect(data, out);
    } else if either_port(ctx, 5353) {
        dns::inspect_mdns(data, out);
    } else if either_port(ctx, 53) {
        dns::inspect_dns(data, ctx.src_port == 53, out);
    } else if either_port(ctx, 1900) {
        http::inspect_ssdp(data, out);
    } else if either_port(ctx, 137) {
        netbios::inspect_name_service(data, out);
    } else if either_port(ctx, 138) {
        netbios::inspect_datagram(data, out);
    } else if ctx.src_port == 161 {
        snmp::inspect_response(data, out);
    } else if either_port(ctx, 24105) {
        device_protocol::intellivue(ctx, out);
        intellivue::mds_create(ctx, out);
    } else if either_port(ctx, 47808) {
        device_protocol::bacnet(data, out);
    } else if ctx.dst_port == 7000 {
        device_protocol::ge_unity(data, out);
    } else {
        device_protocol::sip(data, out);
    }
}

fn tcp(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let data = ctx.payload;
    if either_port(ctx, 53) {
        dns::inspect_dns_tcp(data, ctx.src_port == 53, out);
        return;
    }
    match data {
        [0x16, 0x03, ..] => tls::inspect(ctx, out),
        [0x0b, ..] | [b'M', b'S', b'H', ..] => hl7::inspect(data, out),
        [0x01 | 0x02, 0x00, ..] => dicom::inspect(data, out),
        [0x00, _, _, _, 0xfe, b'S', b'M', b'B', ..] => smb2::inspect(data, out),
        [0x05, 0x00, 0x0b | 0x0e, ..] => dcerpc::inspect(ctx, out),
        [first, ..] if first.is_ascii_uppercase() => {
            http::inspect_tcp(ctx, out);
            device_protocol::rtsp(data, out);
            device_protocol::sip(data, out);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_icmp_payloads_give_nothing() {
        let mut out = Vec::new();
        let ctx = PayloadContext {
            transport: Transport::Icmp,
            src_port: 0,
            dst_port: 0,
            from_initiator: true,
            payload: b"GET / HTTP/1.1\r\n\r\n",
        };
        payload(&ctx, &mut out);
        let empty = PayloadContext {
            transport: Transport::Tcp,
            payload: b"",
            ..ctx
        };
        payload(&empty, &mut out);
        frame(0x0800, b"\x45\x00", &mut out);
        assert!(out.is_empty());
    }
}
