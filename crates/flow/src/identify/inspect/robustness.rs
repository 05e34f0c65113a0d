//! Hostile-input tests for every parser behind the dispatcher: arbitrary bytes on every port a
//! parser listens to never panic and never add more than [`MAX_FACTS_PER_PACKET`] facts; every
//! valid test payload cut at every offset, and with each byte set to 0x00 or 0xff, never panics.

use super::*;
use crate::identify::PayloadContext;
use proptest::prelude::*;

/// Ports with a parser behind them (plus one without).
const PORTS: [u16; 21] = [
    67, 68, 53, 5353, 1900, 137, 138, 161, 24105, 47808, 7000, 5060, 80, 443, 104, 11112, 135, 445,
    5985, 2575, 40000,
];

fn run(transport: Transport, src_port: u16, dst_port: u16, payload: &[u8]) -> usize {
    let ctx = PayloadContext {
        transport,
        src_port,
        dst_port,
        from_initiator: true,
        payload,
    };
    let mut out = Vec::new();
    super::payload(&ctx, &mut out);
    out.len()
}

/// Every valid payload the parser tests build, with the transport and ports it arrives on.
fn valid_payloads() -> Vec<(Transport, u16, u16, Vec<u8>)> {
    use Transport::{Tcp, Udp};
    vec![
        (
            Udp,
            68,
            67,
            dhcp::tests::discover("WS-001", "MSFT 5.0", &[1, 3, 6, 15]),
        ),
        (Udp, 5353, 5353, dns::tests::printer_announcement()),
        (
            Tcp,
            50000,
            443,
            tls::tests::spec_example("pacs.hospital.local"),
        ),
        (
            Tcp,
            50000,
            104,
            dicom::tests::associate_rq("CT1", "PACS", "1.2.840.113619.6.374", "GE_X"),
        ),
        (Tcp, 50000, 2575, hl7::tests::ORU.to_vec()),
        (
            Udp,
            24105,
            50000,
            intellivue::tests::report("Philips", "IntelliVue MX450", "N.02.05"),
        ),
        (Tcp, 50000, 80, http::tests::REQUEST.to_vec()),
        (
            Tcp,
            50000,
            445,
            smb2::tests::with_session_header(&smb2::tests::create_request("svcctl", 0)),
        ),
        (
            Tcp,
            50000,
            135,
            dcerpc::tests::bind(&["000001a0-0000-0000-c000-000000000046"]),
        ),
        (Udp, 137, 137, netbios::tests::registration("WS-001", 0, 0)),
        (
            Udp,
            161,
            50000,
            snmp::tests::sys_descr_response("Cisco IOS Software"),
        ),
        (
            Udp,
            50000,
            24105,
            device_protocol::tests::intellivue_request(),
        ),
    ]
}

#[test]
fn every_truncation_and_byte_substitution_of_valid_payloads_is_safe() {
    for (transport, src, dst, data) in valid_payloads() {
        assert!(
            run(transport, src, dst, &data) > 0,
            "valid payload on {dst} gives facts"
        );
        for end in 0..data.len() {
            assert!(run(transport, src, dst, &data[..end]) <= MAX_FACTS_PER_PACKET);
        }
        for at in 0..data.len() {
            for byte in [0x00, 0xff, 0x7f, 0x80] {
                let mut changed = data.clone();
                changed[at] = byte;
                run(transport, src, dst, &changed);
            }
        }
    }
    let frames = [
        (
            0x88cc,
            lldp::tests::lldpdu("sw-ward-001", "Cisco IOS Software"),
        ),
        (0x2000, cdp::tests::frame()),
    ];
    for (ethertype, data) in frames {
        for end in 0..data.len() {
            frame(ethertype, &data[..end], &mut Vec::new());
        }
        for at in 0..data.len() {
            let mut changed = data.clone();
            changed[at] = 0xff;
            frame(ethertype, &changed, &mut Vec::new());
        }
    }
}

fn transport() -> impl Strategy<Value = Transport> {
    prop_oneof![Just(Transport::Tcp), Just(Transport::Udp)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_bytes_never_panic(
        transport in transport(),
        src in prop::sample::select(PORTS.to_vec()),
        dst in prop::sample::select(PORTS.to_vec()),
        data in prop::collection::vec(any::<u8>(), 0..1600),
    ) {
        prop_assert!(run(transport, src, dst, &data) <= MAX_FACTS_PER_PACKET);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_prefix_never_panic(
        index in 0usize..11,
        cut in 0usize..400,
        tail in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let (transport, src, dst, data) = valid_payloads().swap_remove(index);
        let mut mixed = data[..cut.min(data.len())].to_vec();
        mixed.extend_from_slice(&tail);
        prop_assert!(run(transport, src, dst, &mixed) <= MAX_FACTS_PER_PACKET);
    }

    #[test]
    fn arbitrary_frames_never_panic(
        ethertype in prop::sample::select(vec![0x88cc_u16, 0x2000, 0x0800]),
        data in prop::collection::vec(any::<u8>(), 0..1600),
    ) {
        let mut out = Vec::new();
        frame(ethertype, &data, &mut out);
        prop_assert!(out.len() <= MAX_FACTS_PER_PACKET);
    }
}
