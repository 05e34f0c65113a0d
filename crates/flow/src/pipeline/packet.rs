//! Turning one decoded packet into observations: the packet-decoding producer of the
//! [`Observation`] interface.

use super::Pipeline;
use crate::decode::{Content, Decoded, IpPacket, TransportInfo};
use crate::dhcp::{DHCP_CLIENT_PORT, DHCP_SERVER_PORT, ack_lease};
use crate::event::{Event, Transport};
use crate::flow_table::PacketFlowView;
use crate::identify::{PayloadContext, inspect_frame, inspect_payload};
use crate::nets::is_group;
use crate::observe::{FailReason, FlowEnd, FlowObs, Observation, Side, Station};
use crate::time::Timestamp;
use std::net::IpAddr;

/// ICMP error messages (they quote another packet and belong to no flow of their own):
/// v4 unreachable 3, source quench 4, redirect 5, time exceeded 11, parameter problem 12;
/// v6 unreachable 1, too big 2, time exceeded 3, parameter problem 4.
fn is_icmp_error(v6: bool, icmp_type: u8) -> bool {
    if v6 {
        matches!(icmp_type, 1..=4)
    } else {
        matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
    }
}

/// The flow-key fields of a packet.
#[derive(Clone, Copy)]
struct Ports {
    transport: Transport,
    src: u16,
    dst: u16,
    tcp: Option<crate::decode::TcpInfo>,
    echo: Option<bool>,
}

impl Pipeline {
    pub(super) fn handle(
        &mut self,
        ts: Timestamp,
        d: &Decoded<'_>,
        wire: u64,
        events: &mut Vec<Event>,
    ) {
        let src = Station {
            mac: d.src_mac,
            ip: None,
        };
        let dst = Station {
            mac: d.dst_mac,
            ip: None,
        };
        match &d.content {
            Content::Arp(arp) => {
                self.stats.arp_packets = self.stats.arp_packets.saturating_add(1);
                let obs = Observation::Arp {
                    ts,
                    src_mac: d.src_mac,
                    dst_mac: d.dst_mac,
                    arp,
                    bytes: wire,
                    link_group: d.link_group,
                };
                self.site.observe(&obs, events);
            }
            Content::Frame { protocol, payload } => {
                self.stats.l2_frames = self.stats.l2_frames.saturating_add(1);
                self.frame(ts, (src, dst), wire, d.link_group, events);
                self.facts.clear();
                inspect_frame(*protocol, payload, &mut self.facts);
                self.deliver_facts(ts, src, dst, events);
            }
            Content::Other => {
                self.stats.other_frames = self.stats.other_frames.saturating_add(1);
                self.frame(ts, (src, dst), wire, d.link_group, events);
            }
            Content::Ip(ip) => self.ip(ts, d, ip, wire, events),
        }
    }

    fn frame(
        &mut self,
        ts: Timestamp,
        (src, dst): (Station, Station),
        bytes: u64,
        link_group: bool,
        events: &mut Vec<Event>,
    ) {
        let obs = Observation::Frame {
            ts,
            src,
            dst,
            bytes,
            link_group,
        };
        self.site.observe(&obs, events);
    }

    fn deliver_facts(
        &mut self,
        ts: Timestamp,
        src: Station,
        dst: Station,
        events: &mut Vec<Event>,
    ) {
        for fact in &self.facts {
            self.site
                .observe(&Observation::Fact { ts, src, dst, fact }, events);
        }
    }

    fn ip(
        &mut self,
        ts: Timestamp,
        d: &Decoded<'_>,
        ip: &IpPacket<'_>,
        wire: u64,
        events: &mut Vec<Event>,
    ) {
        if ip.fragment.is_some() {
            self.stats.ip_fragments = self.stats.ip_fragments.saturating_add(1);
        }
        if ip.payload_incomplete {
            self.stats.snaplen_cut = self.stats.snaplen_cut.saturating_add(1);
        }
        let vlan = d.vlan.unwrap_or(0);
        let link_group = d.link_group || is_group(ip.dst);
        let src = Station {
            mac: d.src_mac,
            ip: Some(ip.src),
        };
        let dst = Station {
            mac: d.dst_mac,
            ip: Some(ip.dst),
        };
        let Some(ports) = self.flow_ports(ts, vlan, ip, events) else {
            self.frame(ts, (src, dst), wire, link_group, events);
            return;
        };
        let view = PacketFlowView {
            ts,
            vlan,
            protocol: ip.protocol,
            transport: ports.transport,
            src: FlowEnd {
                ip: ip.src,
                port: ports.src,
                mac: d.src_mac,
            },
            dst: FlowEnd {
                ip: ip.dst,
                port: ports.dst,
                mac: d.dst_mac,
            },
            tcp: ports.tcp,
            echo: ports.echo,
            wire_len: wire,
        };
        let (from_initiator, payload) = (self.flow_packet(&view, link_group, events), ip.payload);
        if !payload.is_empty() {
            let context = (ports.transport, ports.src, ports.dst, from_initiator);
            self.payload(ts, (src, dst), context, payload, events);
        }
    }

    /// The flow-key fields of an IP packet, or `None` when it belongs to no flow: ICMP errors
    /// (an unreachable marks the flow it quotes failed), non-first fragments and transport
    /// headers cut too short for ports.
    fn flow_ports(
        &mut self,
        ts: Timestamp,
        vlan: u16,
        ip: &IpPacket<'_>,
        events: &mut Vec<Event>,
    ) -> Option<Ports> {
        let ports = |transport, src, dst| Ports {
            transport,
            src,
            dst,
            tcp: None,
            echo: None,
        };
        match ip.transport {
            TransportInfo::Tcp(t) => Some(Ports {
                tcp: Some(t),
                ..ports(Transport::Tcp, t.src_port, t.dst_port)
            }),
            TransportInfo::Udp { src_port, dst_port } => {
                Some(ports(Transport::Udp, src_port, dst_port))
            }
            TransportInfo::Icmp(icmp) if is_icmp_error(icmp.v6, icmp.icmp_type) => {
                if let Some(q) = icmp.unreachable
                    && let Some(flow) = self.flows.unreachable(
                        vlan,
                        q.protocol,
                        (q.src, q.src_port),
                        (q.dst, q.dst_port),
                    )
                {
                    let reason = FailReason::IcmpUnreachable;
                    let obs = Observation::Failed {
                        ts,
                        flow: &flow,
                        reason,
                    };
                    self.site.observe(&obs, events);
                }
                None
            }
            TransportInfo::Icmp(icmp) => Some(match icmp.echo {
                Some((request, id)) => Ports {
                    echo: Some(request),
                    ..ports(Transport::Icmp, id, id)
                },
                None => ports(Transport::Icmp, 0, 0),
            }),
            TransportInfo::None => {
                let portless = matches!(ip.protocol, 6 | 17 | 1 | 58)
                    || ip.fragment.is_some_and(|f| f.offset != 0);
                (!portless).then(|| ports(Transport::Other, 0, 0))
            }
        }
    }

    /// Updates the flow table with one packet and delivers the flow observations; returns
    /// whether the initiator sent it.
    fn flow_packet(
        &mut self,
        view: &PacketFlowView,
        link_group: bool,
        events: &mut Vec<Event>,
    ) -> bool {
        self.flow_events.clear();
        let update = self.flows.update(view, &mut self.flow_events);
        self.deliver_flow_events(events);
        let mut flow = update.flow;
        if update.started {
            let first_sender = if update.from_initiator {
                Side::Initiator
            } else {
                Side::Responder
            };
            let started = Observation::FlowStarted {
                flow: &flow,
                first_sender,
            };
            flow.roles = self.site.observe(&started, events);
            self.flows.set_roles(update.slot, flow.roles);
        }
        self.flow_observations(
            view.ts,
            &mut flow,
            &update,
            (view.wire_len, link_group),
            events,
        );
        update.from_initiator
    }

    fn flow_observations(
        &mut self,
        ts: Timestamp,
        flow: &mut FlowObs,
        update: &crate::flow_table::FlowUpdate,
        (wire, link_group): (u64, bool),
        events: &mut Vec<Event>,
    ) {
        let packets = Observation::FlowPackets {
            ts,
            flow,
            from_initiator: update.from_initiator,
            packets: 1,
            bytes: wire,
            link_group,
        };
        let roles = self.site.observe(&packets, events);
        if roles != flow.roles {
            flow.roles = roles;
            self.flows.set_roles(update.slot, roles);
        }
        let flow = &*flow;
        if update.answered {
            self.site
                .observe(&Observation::Answered { ts, flow }, events);
        }
        for (proved, side) in update
            .two_way
            .iter()
            .zip([Side::Initiator, Side::Responder])
        {
            if *proved {
                self.site
                    .observe(&Observation::TwoWay { ts, flow, side }, events);
            }
        }
        if let Some(reason) = update.failed {
            self.site
                .observe(&Observation::Failed { ts, flow, reason }, events);
        }
    }

    fn payload(
        &mut self,
        ts: Timestamp,
        (src, dst): (Station, Station),
        (transport, src_port, dst_port, from_initiator): (Transport, u16, u16, bool),
        payload: &[u8],
        events: &mut Vec<Event>,
    ) {
        self.facts.clear();
        let ctx = PayloadContext {
            transport,
            src_port,
            dst_port,
            from_initiator,
            payload,
        };
        inspect_payload(&ctx, &mut self.facts);
        self.deliver_facts(ts, src, dst, events);
        if transport == Transport::Udp
            && src_port == DHCP_SERVER_PORT
            && dst_port == DHCP_CLIENT_PORT
            && let Some((mac, leased)) = ack_lease(payload)
        {
            let obs = Observation::DhcpLease {
                ts,
                mac,
                ip: IpAddr::V4(leased),
            };
            self.site.observe(&obs, events);
        }
    }
}
