//! The flow table: bidirectional flows with initiator and responder, TCP handshake state,
//! failed-connection detection, idle timeouts per protocol, and a hard cap with an emergency
//! mode. Bounded: every flow that leaves is counted by [`EndReason`].
//!
//! Expiry is O(1) per flow: each timeout class keeps its flows on a most-recent-first list, so
//! the list tail is the next to expire (see [`slab`]). The map uses a randomly keyed hasher, so
//! wire data cannot choose hash buckets.

mod config;
mod key;
mod slab;
mod stats;
mod tcp;

pub use config::FlowTableConfig;
pub use stats::{END_REASONS, FlowTableStats};

use crate::decode::TcpInfo;
use crate::event::Transport;
use crate::observe::{EndReason, FailReason, FlowEnd, FlowObs, FlowRoles};
use crate::time::{Span, Timestamp};
use foldhash::fast::RandomState;
use key::FlowKey;
use slab::ListSlab;
use std::collections::HashMap;
use tcp::{Opener, TcpState, TcpTrack};

/// Timeout classes: each has its own recency list.
const HALF_OPEN: usize = 0;
const TCP_OPEN: usize = 1;
const TCP_CLOSED: usize = 2;
const UDP: usize = 3;
const ICMP: usize = 4;
const OTHER: usize = 5;
const CLASSES: usize = 6;

/// What the flow table needs from one packet.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PacketFlowView {
    pub(crate) ts: Timestamp,
    pub(crate) vlan: u16,
    pub(crate) protocol: u8,
    pub(crate) transport: Transport,
    pub(crate) src: FlowEnd,
    pub(crate) dst: FlowEnd,
    pub(crate) tcp: Option<TcpInfo>,
    /// ICMP echo: `Some(true)` request, `Some(false)` reply.
    pub(crate) echo: Option<bool>,
    pub(crate) wire_len: u64,
}

/// What one packet did to its flow.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlowUpdate {
    pub(crate) slot: u32,
    pub(crate) flow: FlowObs,
    pub(crate) from_initiator: bool,
    pub(crate) started: bool,
    pub(crate) answered: bool,
    pub(crate) two_way: [bool; 2],
    pub(crate) failed: Option<FailReason>,
}

/// Something the table decided on its own (timeouts, evictions).
#[derive(Clone, Copy, Debug)]
pub(crate) enum FlowEvent {
    /// A half-open attempt timed out.
    Failed {
        ts: Timestamp,
        flow: FlowObs,
        reason: FailReason,
    },
    /// A flow left the table.
    Ended {
        ts: Timestamp,
        flow: FlowObs,
        initiator_bytes: u64,
        reason: EndReason,
    },
}

#[derive(Clone, Debug)]
struct Flow {
    key: FlowKey,
    obs: FlowObs,
    /// Ordering time on its class list: the last move to the list front.
    touched: Timestamp,
    class: usize,
    tcp: Option<TcpTrack>,
    packets: [u64; 2],
    bytes: [u64; 2],
    answered: bool,
    two_way: [bool; 2],
    failed: bool,
}

/// Bidirectional flows, bounded.
#[derive(Debug)]
pub struct FlowTable {
    config: FlowTableConfig,
    map: HashMap<FlowKey, u32, RandomState>,
    flows: ListSlab<Flow, CLASSES>,
    stats: FlowTableStats,
}

impl FlowTable {
    /// An empty table.
    pub fn new(config: FlowTableConfig) -> Self {
        FlowTable {
            map: crate::capped::map(config.max_flows),
            config,
            flows: ListSlab::new(),
            stats: FlowTableStats::default(),
        }
    }

    /// Counters.
    pub fn stats(&self) -> &FlowTableStats {
        &self.stats
    }

    /// Flows held.
    pub fn len(&self) -> usize {
        self.flows.len()
    }

    /// True when no flow is held.
    pub fn is_empty(&self) -> bool {
        self.flows.len() == 0
    }

    fn timeout(&self, class: usize) -> Span {
        let span = base_timeout(&self.config, class);
        if self.stats.emergency {
            Span(span.0 / u64::from(self.config.emergency_divisor.max(1)))
        } else {
            span
        }
    }

    /// Records one packet; creates the flow (evicting for room if needed) when it is new.
    pub(crate) fn update(&mut self, p: &PacketFlowView, events: &mut Vec<FlowEvent>) -> FlowUpdate {
        let station = if p.src.ip.is_unspecified() {
            p.src.mac
        } else if p.dst.ip.is_unspecified() {
            p.dst.mac
        } else {
            None
        };
        let key = FlowKey::new(
            p.vlan,
            p.protocol,
            (p.src.ip, p.src.port),
            (p.dst.ip, p.dst.port),
            station,
        );
        match self.map.get(&key).copied() {
            Some(slot) => self.update_existing(slot, p),
            None => self.create(key, p, events),
        }
    }

    fn update_existing(&mut self, slot: u32, p: &PacketFlowView) -> FlowUpdate {
        let mut out = FlowUpdate {
            slot,
            flow: p_flow_placeholder(p),
            from_initiator: true,
            started: false,
            answered: false,
            two_way: [false; 2],
            failed: None,
        };
        let Some(flow) = self.flows.get_mut(slot) else {
            return out;
        };
        let from_initiator =
            flow.obs.initiator.ip == p.src.ip && flow.obs.initiator.port == p.src.port;
        let side = usize::from(!from_initiator);
        let sender = if from_initiator {
            &mut flow.obs.initiator
        } else {
            &mut flow.obs.responder
        };
        if sender.mac.is_none() {
            sender.mac = p.src.mac;
        }
        match (flow.tcp.as_mut(), p.tcp.as_ref()) {
            (Some(track), Some(info)) => {
                let step = track.step(from_initiator, info);
                out.failed = step.failed;
                out.answered = step.answered && !flow.answered;
                flow.answered |= step.answered;
                for (i, proved) in step.two_way.iter().enumerate() {
                    mark_two_way(flow, &mut out, i, *proved);
                }
            }
            _ => generic_step(flow, &mut out, from_initiator),
        }
        if out.failed.is_some() {
            flow.failed = true;
        }
        bump(&mut flow.packets, side, 1);
        bump(&mut flow.bytes, side, p.wire_len);
        let class = class_of(flow);
        let keep_order = class == HALF_OPEN && flow.class == HALF_OPEN;
        if !keep_order {
            flow.touched = p.ts;
            flow.class = class;
        }
        out.flow = flow.obs;
        out.from_initiator = from_initiator;
        if !keep_order {
            self.flows.move_front(slot, class);
        }
        out
    }

    fn create(
        &mut self,
        key: FlowKey,
        p: &PacketFlowView,
        events: &mut Vec<FlowEvent>,
    ) -> FlowUpdate {
        if self.flows.len() >= self.config.max_flows {
            self.make_room(p.ts, events);
        }
        let (mut flow, opener, sender_opened) = new_flow(key, p);
        let mut out = FlowUpdate {
            slot: 0,
            flow: flow.obs,
            from_initiator: sender_opened,
            started: true,
            answered: false,
            two_way: [false; 2],
            failed: None,
        };
        match (flow.tcp.as_mut(), p.tcp.as_ref()) {
            // Picked up midway: the first packet may already be the server speaking.
            (Some(track), Some(info)) if opener == Opener::ByPort => {
                let step = track.step(sender_opened, info);
                out.answered = step.answered;
                flow.answered = step.answered;
                for (i, proved) in step.two_way.iter().enumerate() {
                    mark_two_way(&mut flow, &mut out, i, *proved);
                }
            }
            (None, _) => generic_step(&mut flow, &mut out, sender_opened),
            _ => {}
        }
        let side = usize::from(!sender_opened);
        bump(&mut flow.packets, side, 1);
        bump(&mut flow.bytes, side, p.wire_len);
        flow.class = class_of(&flow);
        let class = flow.class;
        let slot = self.flows.insert(flow, class);
        self.map.insert(key, slot);
        self.stats.created = self.stats.created.saturating_add(1);
        self.stats.active = self.flows.len() as u64;
        out.slot = slot;
        out
    }

    /// Stores the peer roles the device layer assigned to a new flow.
    pub(crate) fn set_roles(&mut self, slot: u32, roles: FlowRoles) {
        if let Some(flow) = self.flows.get_mut(slot) {
            flow.obs.roles = roles;
        }
    }

    /// Emergency: shorten timeouts, expire what that frees, then evict the oldest until a
    /// slot is free.
    fn make_room(&mut self, now: Timestamp, events: &mut Vec<FlowEvent>) {
        if !self.stats.emergency {
            self.stats.emergency = true;
            self.stats.emergency_entered = self.stats.emergency_entered.saturating_add(1);
        }
        self.expire(now, events);
        while self.flows.len() >= self.config.max_flows {
            let oldest = (0..CLASSES)
                .filter_map(|c| self.flows.tail(c))
                .filter_map(|slot| self.flows.get(slot).map(|f| (f.touched, slot)))
                .min();
            match oldest {
                Some((_, slot)) => self.remove(slot, now, EndReason::Capacity, events),
                None => break,
            }
        }
    }

    /// Expires every flow whose timeout passed by `now`; half-open attempts that time out are
    /// reported as failed first.
    pub(crate) fn expire(&mut self, now: Timestamp, events: &mut Vec<FlowEvent>) {
        for class in 0..CLASSES {
            let timeout = self.timeout(class);
            while let Some(slot) = self.flows.tail(class) {
                let Some(flow) = self.flows.get_mut(slot) else {
                    break;
                };
                let deadline = flow.touched.add(timeout);
                if deadline > now {
                    break;
                }
                if class == HALF_OPEN {
                    if flow.tcp.as_mut().is_some_and(TcpTrack::fail_if_unanswered) {
                        flow.failed = true;
                        events.push(FlowEvent::Failed {
                            ts: deadline,
                            flow: flow.obs,
                            reason: FailReason::HalfOpenTimeout,
                        });
                    }
                    flow.touched = now;
                    flow.class = TCP_CLOSED;
                    self.flows.move_front(slot, TCP_CLOSED);
                    continue;
                }
                let (failed, touched) = (flow.failed, flow.touched);
                let reason = self.end_reason(class, failed, touched, now);
                self.remove(slot, now, reason, events);
            }
        }
        if self.stats.emergency && self.flows.len() < self.config.max_flows / 2 {
            self.stats.emergency = false;
        }
    }

    fn end_reason(
        &self,
        class: usize,
        failed: bool,
        touched: Timestamp,
        now: Timestamp,
    ) -> EndReason {
        if self.stats.emergency && touched.add(base_timeout(&self.config, class)) > now {
            return EndReason::EmergencyTimeout;
        }
        match (class, failed) {
            (TCP_CLOSED, true) => EndReason::Failed,
            (TCP_CLOSED, false) => EndReason::Closed,
            _ => EndReason::Idle,
        }
    }

    fn remove(
        &mut self,
        slot: u32,
        now: Timestamp,
        reason: EndReason,
        events: &mut Vec<FlowEvent>,
    ) {
        if let Some(flow) = self.flows.remove(slot) {
            self.map.remove(&flow.key);
            if let Some(c) = self.stats.evicted.get_mut(reason.index()) {
                *c = c.saturating_add(1);
            }
            self.stats.active = self.flows.len() as u64;
            events.push(FlowEvent::Ended {
                ts: now,
                flow: flow.obs,
                initiator_bytes: flow.bytes[0],
                reason,
            });
        }
    }

    /// An ICMP destination-unreachable message for the flow `original` describes: marks an
    /// unanswered attempt failed and returns it.
    pub(crate) fn unreachable(
        &mut self,
        vlan: u16,
        protocol: u8,
        original_src: (std::net::IpAddr, u16),
        original_dst: (std::net::IpAddr, u16),
    ) -> Option<FlowObs> {
        let key = FlowKey::new(vlan, protocol, original_src, original_dst, None);
        let Some(slot) = self.map.get(&key).copied() else {
            self.stats.unreachable_unmatched = self.stats.unreachable_unmatched.saturating_add(1);
            return None;
        };
        let flow = self.flows.get_mut(slot)?;
        if flow.failed || flow.obs.initiator.ip != original_src.0 {
            return None;
        }
        let newly = match flow.tcp.as_mut() {
            Some(track) => track.fail_if_unanswered(),
            None => flow.packets[1] == 0,
        };
        if !newly {
            return None;
        }
        flow.failed = true;
        Some(flow.obs)
    }

    /// Removes every flow (end of input), in slot order.
    pub(crate) fn drain(&mut self, now: Timestamp, events: &mut Vec<FlowEvent>) {
        let slots: Vec<u32> = self.flows.indices().collect();
        for slot in slots {
            self.remove(slot, now, EndReason::Flush, events);
        }
    }
}

/// A new flow from its first packet: who opened it, and whether that was the sender.
fn new_flow(key: FlowKey, p: &PacketFlowView) -> (Flow, Opener, bool) {
    let (tcp, opener) = match p.tcp.as_ref() {
        Some(info) => {
            let (track, opener) = TcpTrack::open(info);
            (Some(track), opener)
        }
        // An echo reply seen first: its receiver pinged.
        None if p.echo == Some(false) => (None, Opener::Receiver),
        None => (None, Opener::Sender),
    };
    let sender_opened = match opener {
        Opener::Sender => true,
        Opener::Receiver => false,
        // The server side is the lower port; equal ports: the sender opened.
        Opener::ByPort => p.src.port >= p.dst.port,
    };
    let (initiator, responder) = if sender_opened {
        (p.src, p.dst)
    } else {
        (p.dst, p.src)
    };
    let flow = Flow {
        key,
        obs: FlowObs {
            start: p.ts,
            vlan: p.vlan,
            transport: p.transport,
            protocol: p.protocol,
            initiator,
            responder,
            echo: p.echo.is_some(),
            roles: FlowRoles::default(),
        },
        touched: p.ts,
        class: OTHER,
        tcp,
        packets: [0; 2],
        bytes: [0; 2],
        answered: false,
        two_way: [false; 2],
        failed: false,
    };
    (flow, opener, sender_opened)
}

fn base_timeout(c: &FlowTableConfig, class: usize) -> Span {
    match class {
        HALF_OPEN => c.half_open_timeout,
        TCP_OPEN => c.tcp_timeout,
        TCP_CLOSED => c.closed_timeout,
        UDP => c.udp_timeout,
        ICMP => c.icmp_timeout,
        _ => c.other_timeout,
    }
}

fn p_flow_placeholder(p: &PacketFlowView) -> FlowObs {
    FlowObs {
        start: p.ts,
        vlan: p.vlan,
        transport: p.transport,
        protocol: p.protocol,
        initiator: p.src,
        responder: p.dst,
        echo: p.echo.is_some(),
        roles: FlowRoles::default(),
    }
}

fn bump<const N: usize>(counters: &mut [u64; N], index: usize, by: u64) {
    if let Some(c) = counters.get_mut(index) {
        *c = c.saturating_add(by);
    }
}

fn mark_two_way(flow: &mut Flow, out: &mut FlowUpdate, side: usize, proved: bool) {
    if !proved {
        return;
    }
    if let (Some(seen), Some(o)) = (flow.two_way.get_mut(side), out.two_way.get_mut(side))
        && !*seen
    {
        *seen = true;
        *o = true;
    }
}

/// Non-TCP flows: the responder's first packet answers (and proves it receives); the initiator
/// proves it receives when it sends again after an answer.
fn generic_step(flow: &mut Flow, out: &mut FlowUpdate, from_initiator: bool) {
    if from_initiator {
        let answered = flow.packets[1] > 0;
        mark_two_way(flow, out, 0, answered);
    } else if flow.packets[1] == 0 {
        out.answered = !flow.answered;
        flow.answered = true;
        mark_two_way(flow, out, 1, true);
    }
}

fn class_of(flow: &Flow) -> usize {
    match (&flow.tcp, flow.obs.transport) {
        (Some(t), _) => match t.state {
            TcpState::SynSent => HALF_OPEN,
            TcpState::Closed | TcpState::Failed => TCP_CLOSED,
            _ => TCP_OPEN,
        },
        (None, Transport::Udp) => UDP,
        (None, Transport::Icmp) => ICMP,
        (None, _) => OTHER,
    }
}

#[cfg(test)]
mod tests;
