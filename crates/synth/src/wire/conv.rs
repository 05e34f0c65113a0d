//! A conversation: two endpoints, a script of application messages and a transport that turns
//! them into frames, one at a time, each with its packet time. Conversations are lazy: they hold
//! at most one message of payload, so a long transfer costs no more memory than a short one.

use super::frame::{self, FrameError, L2};
use super::tcp::TcpConv;
use super::udp::UdpConv;
use crate::sink::Origin;
use std::collections::VecDeque;
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;

/// Which end of a conversation sends a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The initiator (client).
    A,
    /// The responder (server).
    B,
}

impl Side {
    /// The other end.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
    /// 0 for A, 1 for B (index into per-side arrays).
    pub fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// One end as seen on the capture VLAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// MAC of frames this end sends (the gateway's MAC when the end is routed).
    pub mac: [u8; 6],
    /// IP address.
    pub ip: Ipv4Addr,
    /// Transport port.
    pub port: u16,
    /// TTL of its packets at the capture point.
    pub ttl: u8,
}

/// Both ends of a conversation, the capture VLAN and the round-trip time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Path {
    /// The initiator.
    pub a: Endpoint,
    /// The responder.
    pub b: Endpoint,
    /// Capture VLAN tag.
    pub vlan: Option<u16>,
    /// Round-trip time, microseconds.
    pub rtt_us: u64,
}

impl Path {
    /// The endpoint of a side.
    pub fn end(&self, side: Side) -> &Endpoint {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }
    /// Layer-2 addressing of a frame sent by `side`.
    pub fn l2(&self, side: Side) -> L2 {
        L2 {
            src: self.end(side).mac,
            dst: self.end(side.other()).mac,
            vlan: self.vlan,
        }
    }
    /// One-way latency, microseconds.
    pub fn half_rtt(&self) -> u64 {
        (self.rtt_us / 2).max(1)
    }
}

/// An application message: who sends it, its bytes, and how long the sender waits before
/// sending it (think time, on top of the network latency).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Sender.
    pub from: Side,
    /// Application bytes.
    pub data: Vec<u8>,
    /// Extra delay before the first byte goes out, microseconds.
    pub delay_us: u64,
}

impl Message {
    /// A message sent right away.
    pub fn new(from: Side, data: Vec<u8>) -> Message {
        Message {
            from,
            data,
            delay_us: 0,
        }
    }
    /// A message sent after `delay_us` of think time.
    pub fn after(from: Side, data: Vec<u8>, delay_us: u64) -> Message {
        Message {
            from,
            data,
            delay_us,
        }
    }
}

/// A source of application messages, pulled one at a time.
pub trait Script {
    /// The next message, or `None` when the exchange is over.
    fn next_message(&mut self) -> Option<Message>;
}

/// A script from a ready list of messages.
pub struct ListScript(pub VecDeque<Message>);

impl ListScript {
    /// A script of these messages, in order.
    pub fn new(messages: Vec<Message>) -> Box<ListScript> {
        Box::new(ListScript(messages.into()))
    }
}

impl Script for ListScript {
    fn next_message(&mut self) -> Option<Message> {
        self.0.pop_front()
    }
}

/// Prebuilt frames with their times (ARP, LLDP, CDP).
pub struct FrameConv {
    frames: VecDeque<(u64, Vec<u8>)>,
}

impl FrameConv {
    /// Frames to emit at the given times (microseconds, non-decreasing).
    pub fn new(frames: Vec<(u64, Vec<u8>)>) -> FrameConv {
        FrameConv {
            frames: frames.into(),
        }
    }
}

/// The transport of a conversation.
pub enum Body {
    /// A TCP connection.
    Tcp(Box<TcpConv>),
    /// A UDP exchange.
    Udp(Box<UdpConv>),
    /// Raw frames.
    Frames(FrameConv),
}

/// A running conversation.
pub struct Conversation {
    /// Who produced it (normal traffic or a scenario).
    pub origin: Origin,
    /// The traffic item it belongs to (to count concurrent conversations).
    pub owner: Option<usize>,
    /// The transport.
    pub body: Body,
}

impl Conversation {
    /// Time of the next frame, or `None` when finished.
    pub fn next_time(&self) -> Option<Timestamp> {
        match &self.body {
            Body::Tcp(t) => t.next_time(),
            Body::Udp(u) => u.next_time(),
            Body::Frames(f) => f.frames.front().map(|(at, _)| Timestamp(*at)),
        }
    }

    /// Builds the next frame into `out` and advances.
    pub fn emit(&mut self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        match &mut self.body {
            Body::Tcp(t) => t.emit(out),
            Body::Udp(u) => u.emit(out),
            Body::Frames(f) => {
                if let Some((_, frame)) = f.frames.pop_front() {
                    out.clear();
                    out.extend_from_slice(&frame);
                }
                Ok(())
            }
        }
    }
}

/// Convenience for scripts and tests: a frame of a one-off ARP exchange.
pub fn arp_frame(l2: &L2, arp: &frame::Arp) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::with_capacity(64);
    frame::arp(&mut out, l2, arp)?;
    Ok(out)
}
