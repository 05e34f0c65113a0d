//! The small internal interface that feeds devices, windows and features: facts about flows,
//! frames and evidence. Packet decoding (via the flow table) is one producer; a flow-record
//! producer (Zeek conn.log, IPFIX) can emit the same facts without touching the consumers.

use crate::decode::ArpInfo;
use crate::event::{PeerRole, Transport};
use crate::identify::PayloadFact;
use crate::ids::MacAddr;
use crate::time::Timestamp;
use std::net::IpAddr;

/// One endpoint of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowEnd {
    /// IP address.
    pub ip: IpAddr,
    /// Transport port (0 for ICMP and other protocols).
    pub port: u16,
    /// MAC address the endpoint's packets came from (or went to), when the link has MACs.
    pub mac: Option<MacAddr>,
}

/// Which side of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The side that sent the first packet (or the client, for flows picked up midway).
    Initiator,
    /// The other side.
    Responder,
}

/// Roles of each side as seen from the other, fixed when the flow starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowRoles {
    /// The responder's role, seen from the initiator.
    pub of_responder: Option<PeerRole>,
    /// The initiator's role, seen from the responder.
    pub of_initiator: Option<PeerRole>,
}

/// What the consumers know about a flow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowObs {
    /// When the flow started (its first packet).
    pub start: Timestamp,
    /// Outer VLAN id, 0 when untagged.
    pub vlan: u16,
    /// Transport protocol.
    pub transport: Transport,
    /// IP protocol number.
    pub protocol: u8,
    /// The side that started the flow.
    pub initiator: FlowEnd,
    /// The other side.
    pub responder: FlowEnd,
    /// True for an ICMP echo (ping) flow: the initiator sent echo requests.
    pub echo: bool,
    /// Peer roles, once the device layer assigned them.
    pub roles: FlowRoles,
}

impl FlowObs {
    /// The service port: the responder's port for TCP and UDP, 0 otherwise.
    pub fn service_port(&self) -> u16 {
        match self.transport {
            Transport::Tcp | Transport::Udp => self.responder.port,
            Transport::Icmp | Transport::Other => 0,
        }
    }

    /// The endpoint on `side`.
    pub fn end(&self, side: Side) -> &FlowEnd {
        match side {
            Side::Initiator => &self.initiator,
            Side::Responder => &self.responder,
        }
    }
}

/// Why a connection attempt counts as failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailReason {
    /// A SYN got no SYN-ACK within the half-open timeout.
    HalfOpenTimeout,
    /// The responder answered the SYN with RST.
    RstToSyn,
    /// An ICMP destination-unreachable message came back for the flow.
    IcmpUnreachable,
}

/// Why a flow left the flow table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// Idle longer than its protocol's timeout.
    Idle,
    /// Closed (FIN both ways or RST) and quiet for the closed timeout.
    Closed,
    /// Failed and quiet for the closed timeout.
    Failed,
    /// Expired by the shortened timeouts of emergency mode.
    EmergencyTimeout,
    /// Evicted, oldest first, because the table was full.
    Capacity,
    /// End of input.
    Flush,
}

/// A station as seen on one frame: its MAC and, for IP frames, its address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Station {
    /// MAC address, when the link has MACs.
    pub mac: Option<MacAddr>,
    /// IP address, for IP frames.
    pub ip: Option<IpAddr>,
}

/// A fact for the device and window layer.
#[derive(Clone, Copy, Debug)]
pub enum Observation<'a> {
    /// A flow started (its first packet). The consumer assigns its peer roles.
    FlowStarted {
        /// The flow.
        flow: &'a FlowObs,
        /// The side whose packet started it (the responder when a SYN-ACK or a midstream
        /// server packet came first).
        first_sender: Side,
    },
    /// Packets of a flow in one direction (one, for decoded packets; a total for flow records).
    FlowPackets {
        /// When.
        ts: Timestamp,
        /// The flow.
        flow: &'a FlowObs,
        /// True when the initiator sent them.
        from_initiator: bool,
        /// Number of packets.
        packets: u64,
        /// Wire bytes.
        bytes: u64,
        /// True when they went to a broadcast or multicast link address.
        link_group: bool,
    },
    /// The responder answered: it serves the flow's port (TCP handshake completed, UDP reply).
    Answered {
        /// When.
        ts: Timestamp,
        /// The flow.
        flow: &'a FlowObs,
    },
    /// One side proved it receives the other's packets (completed handshake, reply and re-send).
    TwoWay {
        /// When.
        ts: Timestamp,
        /// The flow.
        flow: &'a FlowObs,
        /// The side that proved it.
        side: Side,
    },
    /// The initiator's connection attempt failed.
    Failed {
        /// When it was detected.
        ts: Timestamp,
        /// The flow.
        flow: &'a FlowObs,
        /// Why.
        reason: FailReason,
    },
    /// A flow left the flow table.
    Ended {
        /// When.
        ts: Timestamp,
        /// The flow.
        flow: &'a FlowObs,
        /// Bytes the initiator sent over the flow's life.
        initiator_bytes: u64,
        /// Why.
        reason: EndReason,
    },
    /// A frame that belongs to no flow (non-first fragments, ICMP errors, other L2 frames).
    Frame {
        /// When.
        ts: Timestamp,
        /// Sender.
        src: Station,
        /// Receiver.
        dst: Station,
        /// Wire bytes.
        bytes: u64,
        /// True when it went to a broadcast or multicast link address.
        link_group: bool,
    },
    /// An ARP packet.
    Arp {
        /// When.
        ts: Timestamp,
        /// The link-layer sender.
        src_mac: Option<MacAddr>,
        /// The link-layer receiver.
        dst_mac: Option<MacAddr>,
        /// The ARP fields.
        arp: &'a ArpInfo,
        /// Wire bytes.
        bytes: u64,
        /// True when it went to a broadcast or multicast link address.
        link_group: bool,
    },
    /// A fact identification found in a payload or a non-IP frame.
    Fact {
        /// When.
        ts: Timestamp,
        /// The packet's sender.
        src: Station,
        /// The packet's receiver.
        dst: Station,
        /// The fact.
        fact: &'a PayloadFact,
    },
    /// A DHCP server acknowledged a lease of `ip` to `mac`.
    DhcpLease {
        /// When.
        ts: Timestamp,
        /// Client hardware address.
        mac: MacAddr,
        /// Leased address.
        ip: IpAddr,
    },
}
