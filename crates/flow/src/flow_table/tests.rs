use super::*;
use crate::decode::TcpFlags;
use std::net::IpAddr;

fn end(ip: &str, port: u16) -> FlowEnd {
    FlowEnd {
        ip: ip.parse::<IpAddr>().unwrap(),
        port,
        mac: None,
    }
}

fn tcp_view(secs: u64, from_client: bool, flags: u8, seq: u32, ack: u32) -> PacketFlowView {
    let (client, server) = (end("10.0.0.1", 40000), end("10.0.0.2", 104));
    let (src, dst) = if from_client {
        (client, server)
    } else {
        (server, client)
    };
    PacketFlowView {
        ts: Timestamp::from_secs(secs),
        vlan: 0,
        protocol: 6,
        transport: Transport::Tcp,
        src,
        dst,
        tcp: Some(TcpInfo {
            src_port: src.port,
            dst_port: dst.port,
            flags: TcpFlags(flags),
            seq,
            ack,
        }),
        echo: None,
        wire_len: 60,
    }
}

fn udp_view(secs: u64, src: FlowEnd, dst: FlowEnd) -> PacketFlowView {
    PacketFlowView {
        ts: Timestamp::from_secs(secs),
        vlan: 0,
        protocol: 17,
        transport: Transport::Udp,
        src,
        dst,
        tcp: None,
        echo: None,
        wire_len: 100,
    }
}

fn accounting_holds(t: &FlowTable) {
    let s = t.stats();
    assert_eq!(s.created, s.active + s.evicted_total(), "{s:?}");
    assert_eq!(s.active as usize, t.len());
}

#[test]
fn handshake_answers_and_proves_both_sides() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    let syn = t.update(&tcp_view(0, true, TcpFlags::SYN, 100, 0), &mut ev);
    assert!(syn.started && syn.from_initiator);
    assert_eq!(syn.flow.initiator.port, 40000);
    let synack = t.update(
        &tcp_view(0, false, TcpFlags::SYN | TcpFlags::ACK, 900, 101),
        &mut ev,
    );
    assert!(!synack.started && !synack.from_initiator && !synack.answered);
    let ack = t.update(&tcp_view(0, true, TcpFlags::ACK, 101, 901), &mut ev);
    assert!(ack.answered);
    assert_eq!(ack.two_way, [true, true]);
    assert_eq!(t.len(), 1);
    accounting_holds(&t);
    // Idle for the TCP timeout: expires as idle.
    t.expire(Timestamp::from_secs(299), &mut ev);
    assert_eq!(t.len(), 1);
    t.expire(Timestamp::from_secs(300), &mut ev);
    assert_eq!(t.len(), 0);
    assert_eq!(t.stats().evicted_by(EndReason::Idle), 1);
    match ev.as_slice() {
        [
            FlowEvent::Ended {
                reason: EndReason::Idle,
                initiator_bytes: 120,
                ..
            },
        ] => {}
        other => panic!("{other:?}"),
    }
    accounting_holds(&t);
}

#[test]
fn syn_without_synack_fails_after_half_open_once_despite_retransmits() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    t.update(&tcp_view(10, true, TcpFlags::SYN, 1, 0), &mut ev);
    t.update(&tcp_view(11, true, TcpFlags::SYN, 1, 0), &mut ev);
    t.expire(Timestamp::from_secs(14), &mut ev);
    assert!(ev.is_empty());
    t.expire(Timestamp::from_secs(15), &mut ev);
    match ev.as_slice() {
        [
            FlowEvent::Failed {
                ts,
                reason: FailReason::HalfOpenTimeout,
                ..
            },
        ] => {
            assert_eq!(
                *ts,
                Timestamp::from_secs(15),
                "deadline counts from the first SYN"
            );
        }
        other => panic!("{other:?}"),
    }
    // A late retransmit lands on the failed flow, not a new one.
    let late = t.update(&tcp_view(17, true, TcpFlags::SYN, 1, 0), &mut ev);
    assert!(!late.started && late.failed.is_none());
    t.expire(Timestamp::from_secs(27), &mut ev);
    assert_eq!(t.stats().evicted_by(EndReason::Failed), 1);
    assert_eq!(t.stats().created, 1);
    accounting_holds(&t);
}

#[test]
fn rst_to_syn_fails_immediately() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    t.update(&tcp_view(0, true, TcpFlags::SYN, 1, 0), &mut ev);
    let rst = t.update(
        &tcp_view(0, false, TcpFlags::RST | TcpFlags::ACK, 0, 2),
        &mut ev,
    );
    assert_eq!(rst.failed, Some(FailReason::RstToSyn));
    t.expire(Timestamp::from_secs(9), &mut ev);
    assert_eq!(t.len(), 1, "lingers for the closed timeout");
    t.expire(Timestamp::from_secs(10), &mut ev);
    assert_eq!(t.stats().evicted_by(EndReason::Failed), 1);
}

#[test]
fn icmp_unreachable_fails_unanswered_udp_and_tcp() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    let (a, b) = (end("10.0.0.1", 5000), end("10.0.0.9", 161));
    t.update(&udp_view(0, a, b), &mut ev);
    let failed = t
        .unreachable(0, 17, (a.ip, a.port), (b.ip, b.port))
        .unwrap();
    assert_eq!(failed.responder.port, 161);
    assert!(
        t.unreachable(0, 17, (a.ip, a.port), (b.ip, b.port))
            .is_none(),
        "once"
    );
    assert!(
        t.unreachable(0, 17, (b.ip, b.port), (a.ip, a.port))
            .is_none(),
        "wrong direction"
    );
    assert!(t.unreachable(0, 6, (a.ip, 1), (b.ip, 2)).is_none());
    assert_eq!(t.stats().unreachable_unmatched, 1);
    t.update(&tcp_view(0, true, TcpFlags::SYN, 1, 0), &mut ev);
    let c = end("10.0.0.1", 40000);
    assert!(
        t.unreachable(0, 6, (c.ip, c.port), (end("10.0.0.2", 104).ip, 104))
            .is_some()
    );
}

#[test]
fn udp_reply_answers_and_resend_proves_initiator() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    let (a, b) = (end("10.0.0.1", 123), end("10.0.0.9", 123));
    let first = t.update(&udp_view(0, a, b), &mut ev);
    assert!(first.started && !first.answered);
    let reply = t.update(&udp_view(0, b, a), &mut ev);
    assert!(reply.answered);
    assert_eq!(reply.two_way, [false, true]);
    let again = t.update(&udp_view(1, a, b), &mut ev);
    assert_eq!(again.two_way, [true, false]);
    let more = t.update(&udp_view(2, a, b), &mut ev);
    assert_eq!(more.two_way, [false, false], "proved once");
    t.expire(Timestamp::from_secs(61), &mut ev);
    assert_eq!(t.len(), 1);
    t.expire(Timestamp::from_secs(62), &mut ev);
    assert_eq!(t.len(), 0);
}

#[test]
fn vlans_separate_flows_and_both_directions_share_one() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    let (a, b) = (end("10.0.0.1", 5000), end("10.0.0.9", 53));
    t.update(&udp_view(0, a, b), &mut ev);
    t.update(&udp_view(0, b, a), &mut ev);
    let mut other = udp_view(0, a, b);
    other.vlan = 20;
    t.update(&other, &mut ev);
    assert_eq!(t.stats().created, 2);
}

#[test]
fn cap_enters_emergency_and_evicts_oldest() {
    let config = FlowTableConfig {
        max_flows: 16,
        ..FlowTableConfig::default()
    };
    let mut t = FlowTable::new(config);
    let mut ev = Vec::new();
    for i in 0..40u16 {
        let src = end("10.0.0.1", 1000 + i);
        t.update(&udp_view(u64::from(i), src, end("10.0.0.9", 53)), &mut ev);
        accounting_holds(&t);
        assert!(t.len() <= 16);
    }
    let s = t.stats();
    assert_eq!(s.created, 40);
    assert_eq!(s.emergency_entered, 1);
    assert!(s.emergency);
    // Emergency timeout is 60 s / 4 = 15 s: flows idle 15 s expire as emergency timeouts,
    // the rest make room as capacity evictions.
    assert_eq!(
        s.evicted_by(EndReason::Capacity) + s.evicted_by(EndReason::EmergencyTimeout),
        24
    );
    assert!(s.evicted_by(EndReason::EmergencyTimeout) > 0, "{s:?}");
    // Quiet: everything expires and emergency ends.
    t.expire(Timestamp::from_secs(1000), &mut ev);
    assert!(!t.stats().emergency);
    accounting_holds(&t);
    t.update(
        &udp_view(1001, end("10.0.0.1", 1), end("10.0.0.9", 53)),
        &mut ev,
    );
    t.drain(Timestamp::from_secs(1002), &mut ev);
    assert_eq!(t.stats().evicted_by(EndReason::Flush), 1);
    accounting_holds(&t);
}

#[test]
fn midstream_server_packet_first_keeps_client_as_initiator() {
    let mut t = FlowTable::new(FlowTableConfig::default());
    let mut ev = Vec::new();
    let first = t.update(
        &tcp_view(0, false, TcpFlags::ACK | TcpFlags::PSH, 7, 7),
        &mut ev,
    );
    assert!(first.started);
    assert!(!first.from_initiator, "104 < 40000: the server spoke first");
    assert_eq!(first.flow.initiator.port, 40000);
    assert!(first.answered);
    assert_eq!(first.two_way, [false, true]);
}
