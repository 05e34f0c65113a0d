//! Flow observations: starts, packets, answers, two-way proofs, failures and ends.

use super::Site;
use super::ports::{admin_feature, is_remote_access};
use crate::arp::Claim;
use crate::device::ServedService;
use crate::event::{Direction, Event, PeerRole, Transport};
use crate::features::Feature;
use crate::ids::DeviceId;
use crate::infra::is_infrastructure_port;
use crate::nets::is_group;
use crate::observe::{FlowEnd, FlowObs, FlowRoles, Side};
use crate::periodicity::PeriodKey;
use crate::time::Timestamp;
use crate::window::ServiceKey;

impl Site {
    /// The existing device on one side of a flow.
    fn device_of(&self, end: &FlowEnd) -> Option<DeviceId> {
        if !self.nets.is_internal_unicast(end.ip) {
            return None;
        }
        self.devices.lookup(end.mac, Some(end.ip))
    }

    pub(super) fn flow_started(&mut self, flow: &FlowObs, first: Side) -> FlowRoles {
        let ts = flow.start;
        let nets = &self.nets;
        let (init, resp) = (&flow.initiator, &flow.responder);
        let init_dev = match first {
            Side::Initiator => self.devices.sender(init.mac, Some(init.ip), ts, nets),
            Side::Responder => self.device_of(init),
        };
        let resp_dev = match first {
            Side::Responder => self.devices.sender(resp.mac, Some(resp.ip), ts, &self.nets),
            Side::Initiator => self.device_of(resp),
        };
        // The MAC through which a device reaches (or is reached from) outside is a gateway.
        for end in [resp, init] {
            if self.nets.is_external(end.ip)
                && let Some(mac) = end.mac
            {
                self.infra.note_gateway(mac);
            }
        }
        // A role is assigned (and the flow accounted) for each side that is a device now; a
        // side that becomes a device later (a first reply) is accounted then.
        let roles = FlowRoles {
            of_responder: init_dev.map(|id| self.role(Some(id), resp, flow, true)),
            of_initiator: resp_dev.map(|id| self.role(Some(id), init, flow, false)),
        };
        let flow = FlowObs { roles, ..*flow };
        for id in [init_dev, resp_dev].into_iter().flatten() {
            if let Some(device) = self.devices.get_mut(&id) {
                device.note_vlan(flow.vlan);
            }
        }
        let index = self.windows.index_of(ts);
        if let Some(id) = init_dev {
            self.account_initiated(id, index, &flow);
        }
        if let Some(id) = resp_dev {
            self.account_accepted(id, index, &flow);
        }
        roles
    }

    fn account_initiated(&mut self, id: DeviceId, k: u64, flow: &FlowObs) {
        let peer = flow.responder.ip;
        let group = is_group(peer);
        let internal = self.nets.is_internal_unicast(peer);
        let port = flow.service_port();
        let transport = flow.transport;
        let ported = matches!(transport, Transport::Tcp | Transport::Udp);
        let admin = if internal {
            admin_feature(transport, port)
        } else {
            None
        };
        let key = ServiceKey {
            direction: Direction::Outbound,
            role: flow.roles.of_responder.unwrap_or(PeerRole::External),
            proto: transport,
            port,
        };
        let period = PeriodKey {
            device: id,
            ip: peer,
            port,
            transport,
        };
        let echo = flow.echo && transport == Transport::Icmp;
        self.with_window(id, k, |ctx| {
            ctx.acc.count(Feature::FlowsInitiated, 1);
            if !group {
                let history = &mut *ctx.peer_history;
                if let Some(p) =
                    ctx.acc
                        .peer(peer, internal, || history.observe(peer, k), ctx.budget)
                {
                    p.flows_out = p.flows_out.saturating_add(1);
                    if ported {
                        p.add_port(port);
                    }
                    p.admin |= admin.is_some();
                }
            }
            if ported {
                let history = &mut *ctx.port_history;
                ctx.acc
                    .dst_port(port, || history.observe(port, k), ctx.budget);
            }
            if let Some(feature) = admin {
                ctx.acc.count(feature, 1);
            }
            if echo {
                ctx.acc.echo_target(peer, ctx.budget);
            }
            ctx.acc.service(key, 1, 0, ctx.budget);
            ctx.service_history.observe(key, k);
            ctx.acc.periodic_key(period);
        });
        self.periods.start(period, flow.start, internal);
    }

    fn account_accepted(&mut self, id: DeviceId, k: u64, flow: &FlowObs) {
        let peer = flow.initiator.ip;
        let internal = self.nets.is_internal_unicast(peer);
        let external = self.nets.is_external(peer);
        let port = flow.service_port();
        let transport = flow.transport;
        let remote = is_remote_access(transport, port);
        let key = ServiceKey {
            direction: Direction::Inbound,
            role: flow.roles.of_initiator.unwrap_or(PeerRole::External),
            proto: transport,
            port,
        };
        self.with_window(id, k, |ctx| {
            ctx.acc.count(Feature::FlowsAccepted, 1);
            if !is_group(peer) {
                let history = &mut *ctx.peer_history;
                if let Some(p) =
                    ctx.acc
                        .peer(peer, internal, || history.observe(peer, k), ctx.budget)
                {
                    p.flows_in = p.flows_in.saturating_add(1);
                    if matches!(transport, Transport::Tcp | Transport::Udp) {
                        p.add_port(port);
                    }
                }
            }
            if external {
                ctx.acc.count(Feature::InboundExternal, 1);
            }
            if remote {
                ctx.acc.count(Feature::InboundRemoteAccess, 1);
            }
            ctx.acc.service(key, 1, 0, ctx.budget);
            ctx.service_history.observe(key, k);
        });
    }

    /// Packets of a flow. A sender that was not a device when the flow started (its first
    /// reply created it) has its side of the flow accounted now; the updated roles are returned.
    pub(super) fn flow_packets(
        &mut self,
        ts: Timestamp,
        flow: &FlowObs,
        from_initiator: bool,
        counted: (u64, u64),
        link_group: bool,
        events: &mut Vec<Event>,
    ) -> FlowRoles {
        let (src, dst) = if from_initiator {
            (&flow.initiator, &flow.responder)
        } else {
            (&flow.responder, &flow.initiator)
        };
        let group = link_group || is_group(dst.ip);
        let k = self.windows.index_of(ts);
        let sender = self.devices.sender(src.mac, Some(src.ip), ts, &self.nets);
        let mut roles = flow.roles;
        if let Some(id) = sender {
            if let Some(mac) = src.mac {
                self.claim_from_traffic(id, ts, src.ip, mac, k, events);
            }
            if from_initiator && roles.of_responder.is_none() {
                roles.of_responder = Some(self.role(Some(id), dst, flow, true));
                self.account_initiated(id, k, &FlowObs { roles, ..*flow });
            } else if !from_initiator && roles.of_initiator.is_none() {
                roles.of_initiator = Some(self.role(Some(id), dst, flow, false));
                self.account_accepted(id, k, &FlowObs { roles, ..*flow });
            }
        }
        let flow = &FlowObs { roles, ..*flow };
        if let Some(id) = sender {
            self.count_sent(id, k, flow, from_initiator, counted, group);
        }
        if !group && let Some(receiver) = self.devices.receiver(dst.mac, Some(dst.ip), &self.nets) {
            self.count_received(receiver, k, flow, !from_initiator, counted);
            self.devices.note_reached(receiver, dst.mac, dst.ip);
        }
        roles
    }

    /// The behaviour combination of `flow` for a device on one side of it.
    fn service_key(&self, device: DeviceId, flow: &FlowObs, is_initiator: bool) -> ServiceKey {
        let (direction, role, peer) = if is_initiator {
            (
                Direction::Outbound,
                flow.roles.of_responder,
                &flow.responder,
            )
        } else {
            (Direction::Inbound, flow.roles.of_initiator, &flow.initiator)
        };
        ServiceKey {
            direction,
            role: role.unwrap_or_else(|| self.role(Some(device), peer, flow, is_initiator)),
            proto: flow.transport,
            port: flow.service_port(),
        }
    }

    /// Packets a device sent over a flow.
    fn count_sent(
        &mut self,
        id: DeviceId,
        k: u64,
        flow: &FlowObs,
        is_initiator: bool,
        (packets, bytes): (u64, u64),
        group: bool,
    ) {
        let key = self.service_key(id, flow, is_initiator);
        let peer = if is_initiator {
            flow.responder.ip
        } else {
            flow.initiator.ip
        };
        let external = self.nets.is_external(peer);
        let internal = self.nets.is_internal_unicast(peer);
        self.with_window(id, k, |ctx| {
            ctx.acc.count(Feature::PacketsOut, packets);
            ctx.acc.count(Feature::BytesOut, bytes);
            if group {
                ctx.acc.count(Feature::BroadcastPackets, packets);
            } else {
                let history = &mut *ctx.peer_history;
                let new = || history.observe(peer, k);
                if let Some(p) = ctx.acc.peer(peer, internal, new, ctx.budget) {
                    p.bytes_out = p.bytes_out.saturating_add(bytes);
                }
            }
            if external {
                ctx.acc.count(Feature::BytesToExternal, bytes);
            }
            ctx.acc.service(key, 0, bytes, ctx.budget);
        });
    }

    /// Unicast packets a device received over a flow.
    fn count_received(
        &mut self,
        id: DeviceId,
        k: u64,
        flow: &FlowObs,
        is_initiator: bool,
        (packets, bytes): (u64, u64),
    ) {
        let key = self.service_key(id, flow, is_initiator);
        let peer = if is_initiator {
            flow.responder.ip
        } else {
            flow.initiator.ip
        };
        let internal = self.nets.is_internal_unicast(peer);
        self.with_window(id, k, |ctx| {
            ctx.acc.count(Feature::PacketsIn, packets);
            ctx.acc.count(Feature::BytesIn, bytes);
            let history = &mut *ctx.peer_history;
            let new = || history.observe(peer, k);
            if let Some(p) = ctx.acc.peer(peer, internal, new, ctx.budget) {
                p.bytes_in = p.bytes_in.saturating_add(bytes);
            }
            ctx.acc.service(key, 0, bytes, ctx.budget);
        });
    }

    /// IP traffic from a station claims its source address, unless the station forwards for
    /// others (a router or a gateway), whose source addresses are not its own.
    fn claim_from_traffic(
        &mut self,
        id: DeviceId,
        ts: Timestamp,
        ip: std::net::IpAddr,
        mac: crate::ids::MacAddr,
        window: u64,
        events: &mut Vec<Event>,
    ) {
        if !matches!(id, DeviceId::Mac(_))
            || !self.nets.is_internal_unicast(ip)
            || self.infra.is_gateway(mac)
        {
            return;
        }
        if self.devices.get(&id).is_some_and(|d| d.router) {
            return;
        }
        let claim = Claim {
            ts,
            ip,
            mac,
            window,
            from_traffic: true,
        };
        let (infra, book, devices) = (&self.infra, &mut self.book, &self.devices);
        let widely = |ip, previous| infra.is_gateway(previous) || infra.is_widely_used(ip);
        book.claim(claim, widely, super::forwarder(infra, devices), events);
    }

    pub(super) fn answered(&mut self, _ts: Timestamp, flow: &FlowObs) {
        let Some(server) = self.device_of(&flow.responder) else {
            return;
        };
        let port = flow.service_port();
        let serves = match flow.transport {
            Transport::Tcp => true,
            // A UDP "server" answers on a port no higher than its client's (ephemeral peers
            // exchanging datagrams are not services).
            Transport::Udp => port <= flow.initiator.port,
            Transport::Icmp | Transport::Other => false,
        };
        if serves {
            let service = ServedService {
                proto: flow.transport,
                port,
            };
            if !self.devices.add_served(&server, service) {
                self.stats.evidence_dropped = self.stats.evidence_dropped.saturating_add(1);
            }
        }
        if is_infrastructure_port(flow.transport, port) {
            let client = self.device_of(&flow.initiator);
            self.infra.note_server(flow.responder.ip, client);
        }
    }

    pub(super) fn two_way(
        &mut self,
        ts: Timestamp,
        flow: &FlowObs,
        side: Side,
        events: &mut Vec<Event>,
    ) {
        if let Some(id) = self.device_of(flow.end(side)) {
            self.devices.establish(id, ts, events);
        }
    }

    pub(super) fn failed(&mut self, ts: Timestamp, flow: &FlowObs) {
        let Some(id) = self.device_of(&flow.initiator) else {
            return;
        };
        let k = self.windows.attribute(flow.start, ts);
        let peer = flow.responder.ip;
        let group = is_group(peer);
        let internal = self.nets.is_internal_unicast(peer);
        self.with_window(id, k, |ctx| {
            ctx.acc.count(Feature::FailedConnections, 1);
            if !group {
                let history = &mut *ctx.peer_history;
                if let Some(p) =
                    ctx.acc
                        .peer(peer, internal, || history.observe(peer, k), ctx.budget)
                {
                    p.failed = p.failed.saturating_add(1);
                }
            }
        });
    }

    pub(super) fn ended(&mut self, flow: &FlowObs, initiator_bytes: u64) {
        let Some(id) = self.device_of(&flow.initiator) else {
            return;
        };
        let key = PeriodKey {
            device: id,
            ip: flow.responder.ip,
            port: flow.service_port(),
            transport: flow.transport,
        };
        self.periods.end(&key, flow.start, initiator_bytes);
    }
}
