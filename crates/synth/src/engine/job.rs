//! One exchange of a traffic item, ready to be turned into conversations: who starts it, who
//! answers, on which ports, with which volumes.

use super::world::{Peer, World};
use crate::proto::{Ctx, Party};
use crate::seed::Rng;
use crate::sink::Origin;
use crate::ward::HostId;
use crate::wire::conv::{Conversation, ListScript, Message, Path, Script};
use crate::wire::tcp::TcpOutcome;
use rand::Rng as _;
use wardwatch_flow::catalog::TrafficSpec;
use wardwatch_flow::event::Direction;

/// An exchange to build.
pub struct Job<'s> {
    /// Start time, microseconds.
    pub t: u64,
    /// The device that owns the traffic item (its VLAN is the capture VLAN).
    pub device: HostId,
    /// The other side.
    pub peer: Peer,
    /// The traffic item.
    pub spec: &'s TrafficSpec,
    /// Exchanges of this item so far.
    pub count: u64,
    /// The exchange fails (no answer or refused).
    pub fail: bool,
    /// A port that stays the same for the item (session-style protocols).
    pub session_port: u16,
    /// A fresh ephemeral port of the initiator.
    pub ephemeral: u16,
    /// Who produced the exchange.
    pub origin: Origin,
}

impl Job<'_> {
    /// The initiator and responder.
    pub fn sides(&self) -> (Peer, Peer) {
        match self.spec.direction {
            Direction::Outbound => (Peer::Host(self.device), self.peer),
            Direction::Inbound => (self.peer, Peer::Host(self.device)),
        }
    }

    /// Host id of the initiator (the device itself when the peer is a group).
    pub fn client_host(&self) -> HostId {
        match self.sides().0 {
            Peer::Host(h) => h,
            Peer::Group(..) | Peer::Remote(_) => self.device,
        }
    }

    /// Host id of the responder (the device when the peer is a group).
    pub fn server_host(&self) -> HostId {
        match self.sides().1 {
            Peer::Host(h) => h,
            Peer::Group(..) | Peer::Remote(_) => self.device,
        }
    }

    /// The responder's port: the item's, or the kind's default.
    pub fn port(&self, default: u16) -> u16 {
        self.spec.port.unwrap_or(default)
    }

    /// The path for initiator port `a_port` and responder port `b_port`.
    pub fn path(&self, w: &World, rng: &mut Rng, a_port: u16, b_port: u16) -> Path {
        let (a, b) = self.sides();
        w.path(rng, self.device, (a, a_port), (b, b_port))
    }

    /// The TCP outcome of this exchange.
    pub fn outcome(&self, rng: &mut Rng) -> TcpOutcome {
        match (self.fail, rng.gen_bool(0.5)) {
            (false, _) => TcpOutcome::Complete,
            (true, true) => TcpOutcome::NoAnswer { retries: 2 },
            (true, false) => TcpOutcome::Refused,
        }
    }

    /// A TCP conversation from the ephemeral port to `port` carrying `messages`.
    pub fn tcp(&self, w: &World, rng: &mut Rng, port: u16, messages: Vec<Message>) -> Conversation {
        self.tcp_script(w, rng, port, ListScript::new(messages))
    }

    /// A TCP conversation with a lazy script.
    pub fn tcp_script(
        &self,
        w: &World,
        rng: &mut Rng,
        port: u16,
        script: Box<dyn Script>,
    ) -> Conversation {
        let path = self.path(w, rng, self.ephemeral, port);
        let outcome = self.outcome(rng);
        w.tcp(rng, path, self.t, outcome, script, self.origin)
    }

    /// A UDP conversation between the given ports carrying `messages`.
    pub fn udp(
        &self,
        w: &World,
        rng: &mut Rng,
        ports: (u16, u16),
        messages: Vec<Message>,
    ) -> Conversation {
        let path = self.path(w, rng, ports.0, ports.1);
        let silent = self.fail || matches!(self.peer, Peer::Group(..));
        w.udp(
            rng,
            path,
            self.t,
            silent,
            ListScript::new(messages),
            self.origin,
        )
    }

    /// Volume of the initiator's data, from the item's range scaled, or `default`.
    pub fn bytes(&self, w: &World, rng: &mut Rng, default: [u32; 2]) -> usize {
        volume(w, rng, self.spec.bytes.unwrap_or(default))
    }

    /// Volume of the responder's data.
    pub fn reply_bytes(&self, w: &World, rng: &mut Rng, default: [u32; 2]) -> usize {
        volume(w, rng, self.spec.reply_bytes.unwrap_or(default))
    }

    /// The payload context of this exchange.
    pub fn ctx<'a>(
        &'a self,
        w: &'a World,
        rng: &'a mut Rng,
        client: Party<'a>,
        server: Party<'a>,
        sizes: (usize, usize),
    ) -> Ctx<'a> {
        Ctx {
            now: wardwatch_flow::Timestamp(self.t),
            rng,
            client,
            server,
            names: &self.spec.names,
            bytes: sizes.0,
            reply_bytes: sizes.1,
            domain: &w.ward.domain,
            count: self.count,
            port: self.spec.port.unwrap_or(0),
        }
    }
}

/// A byte volume drawn from `range` and scaled by the ward's `bytes_scale` (at least 1).
pub fn volume(w: &World, rng: &mut Rng, range: [u32; 2]) -> usize {
    let (lo, hi) = (range[0].min(range[1]), range[0].max(range[1]));
    let raw = if lo == hi { lo } else { rng.gen_range(lo..=hi) };
    ((f64::from(raw) * w.cfg.traffic.bytes_scale).round() as usize).max(1)
}
