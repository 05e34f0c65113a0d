//! What the flow pipeline hands to the detectors and the sensor: closed device windows and the
//! device-level events (new device, identity change, address conflict) that rules act on.

use crate::features::FeatureVector;
use crate::ids::{DeviceRef, MacAddr, ModelId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Most [`ServiceUse`] entries one window carries; the rest are counted in `services_truncated`.
pub const MAX_SERVICES_PER_WINDOW: usize = 64;
/// Most [`PeerSummary`] entries one window carries (the busiest peers first).
pub const MAX_PEERS_PER_WINDOW: usize = 32;
/// Most [`Periodic`] beacon candidates one window carries (the most regular first).
pub const MAX_PERIODIC_PER_WINDOW: usize = 8;
/// Most [`RemoteExec`] evidence entries one window carries.
pub const MAX_REMOTE_EXEC_PER_WINDOW: usize = 16;

/// Transport protocol of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP or ICMPv6.
    Icmp,
    /// Any other IP protocol.
    Other,
}

/// Which side started a flow, seen from the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The device started the flow.
    Outbound,
    /// A peer started the flow to the device.
    Inbound,
}

/// A site-independent role of the peer of a flow, so profiles learnt on one site transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerRole {
    /// Another device of the same model.
    SameModel,
    /// Network infrastructure: DNS, DHCP, NTP servers or the gateway.
    Infrastructure,
    /// An internal host that serves the port the device connects to.
    InternalServer,
    /// An internal host that connects to a port the device serves.
    InternalClient,
    /// A host outside the internal networks.
    External,
    /// Broadcast or multicast destinations.
    Multicast,
}

/// One (direction, peer role, protocol, port) combination a device used in a window: the unit of
/// the behaviour (MUD-like) profile.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceUse {
    /// Who started the flows.
    pub direction: Direction,
    /// Role of the peer.
    pub role: PeerRole,
    /// Transport protocol.
    pub proto: Transport,
    /// Service port: the destination port for outbound flows, the device's own port for inbound.
    pub port: u16,
    /// Flows in the window with this combination.
    pub flows: u32,
    /// Bytes in both directions.
    pub bytes: u64,
}

/// Traffic between the device and one peer in a window (the busiest peers are kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeerSummary {
    /// The peer's address.
    pub ip: IpAddr,
    /// True when the peer is inside the internal networks.
    pub internal: bool,
    /// Up to 8 service ports used with this peer (destination ports of outbound flows, own ports of inbound).
    pub ports: Vec<u16>,
    /// Flows the device started to the peer.
    pub flows_out: u32,
    /// Flows the peer started to the device.
    pub flows_in: u32,
    /// Failed connections from the device to the peer.
    pub failed: u32,
    /// Bytes the device sent to the peer.
    pub bytes_out: u64,
    /// Bytes the device received from the peer.
    pub bytes_in: u64,
}

/// A destination the device connects to at regular intervals (beacon candidate).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Periodic {
    /// Destination address.
    pub ip: IpAddr,
    /// Destination port.
    pub port: u16,
    /// Transport protocol.
    pub proto: Transport,
    /// True when the destination is inside the internal networks.
    pub internal: bool,
    /// Connections observed in the device's history to this destination.
    pub connections: u32,
    /// Median interval between connections, seconds.
    pub interval_s: f64,
    /// Regularity score 0..1 (1 = perfectly periodic), jitter-tolerant.
    pub score: f64,
    /// Median bytes sent per connection.
    pub bytes_per_connection: u64,
}

/// Kind of remote-execution evidence seen in SMB or DCE-RPC payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemoteExecKind {
    /// SMB2 CREATE of \PIPE\svcctl (service control: PsExec, smbexec).
    SvcctlPipe,
    /// SMB2 CREATE of \PIPE\atsvc (scheduled tasks: atexec).
    AtsvcPipe,
    /// SMB2 CREATE of \PIPE\winreg (remote registry).
    WinregPipe,
    /// SMB2 CREATE of \PIPE\samr (account enumeration).
    SamrPipe,
    /// DCE-RPC bind to a remote-execution interface (svcctl, atsvc, ITaskSchedulerService, winreg).
    DcerpcBind,
    /// DCOM/WMI activation on 135 (IRemoteSCMActivator / ISystemActivator bind).
    DcomActivation,
    /// WinRM (HTTP on 5985/5986 with /wsman).
    Winrm,
}

/// One piece of remote-execution evidence from the device towards a peer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemoteExec {
    /// The peer that received the request.
    pub peer: IpAddr,
    /// What was seen.
    pub kind: RemoteExecKind,
}

/// What identification currently says about a device.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// Matched catalog model, if any rule set reached the threshold.
    pub model: Option<ModelId>,
    /// Device class (catalog class id, or a class-level guess such as `workstation`).
    pub class: Option<String>,
    /// Vendor from the catalog model or the MAC OUI registry.
    pub vendor: Option<String>,
    /// Operating system, from the catalog model or evidence.
    pub os: Option<String>,
    /// Software or firmware version extracted from evidence.
    pub software_version: Option<String>,
    /// Confidence of the model match, 0..1.
    pub confidence: f64,
}

/// The features and behaviour of one device over one window of packet time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowFeatures {
    /// The device.
    pub device: DeviceRef,
    /// Identification at the time the window closed.
    pub identity: Identity,
    /// True once the device has shown bidirectional traffic.
    pub established: bool,
    /// Start of the window (packet time).
    pub window_start: Timestamp,
    /// Window length in seconds.
    pub window_secs: u32,
    /// The feature vector.
    pub features: FeatureVector,
    /// Behaviour combinations used in the window (at most [`MAX_SERVICES_PER_WINDOW`]).
    pub services: Vec<ServiceUse>,
    /// Combinations dropped because the window was full.
    #[serde(default)]
    pub services_truncated: u32,
    /// Busiest peers (at most [`MAX_PEERS_PER_WINDOW`]).
    pub peers: Vec<PeerSummary>,
    /// Beacon candidates (at most [`MAX_PERIODIC_PER_WINDOW`]).
    pub periodic: Vec<Periodic>,
    /// Remote-execution evidence (at most [`MAX_REMOTE_EXEC_PER_WINDOW`]).
    pub remote_exec: Vec<RemoteExec>,
}

/// Which part of a device's identity changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityField {
    /// The matched catalog model.
    Model,
    /// The software or firmware version.
    SoftwareVersion,
    /// The device class.
    Class,
    /// The DHCP/mDNS/NetBIOS host name.
    Hostname,
}

/// An event of the flow pipeline, in packet-time order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A device window closed.
    Window(Box<WindowFeatures>),
    /// A device became established (bidirectional traffic) for the first time.
    DeviceEstablished {
        /// When.
        ts: Timestamp,
        /// The device.
        device: DeviceRef,
        /// Identification at that time.
        identity: Identity,
    },
    /// The identity or version of an established device changed.
    IdentityChanged {
        /// When.
        ts: Timestamp,
        /// The device.
        device: DeviceRef,
        /// What changed.
        field: IdentityField,
        /// Previous value.
        before: String,
        /// New value.
        after: String,
    },
    /// An IP address moved to another MAC, or is claimed by two MACs (ARP spoofing, IP conflict).
    AddressConflict {
        /// When.
        ts: Timestamp,
        /// The contested address.
        ip: IpAddr,
        /// MAC that held the address before.
        previous_mac: MacAddr,
        /// MAC that claims it now.
        new_mac: MacAddr,
        /// True when the address is a gateway or infrastructure server many devices use.
        infrastructure: bool,
        /// Claims by the new MAC so far (gratuitous or unsolicited replies count).
        claims: u32,
    },
}

impl Event {
    /// Packet time of the event (window events use their window start).
    pub fn ts(&self) -> Timestamp {
        match self {
            Event::Window(w) => w.window_start,
            Event::DeviceEstablished { ts, .. }
            | Event::IdentityChanged { ts, .. }
            | Event::AddressConflict { ts, .. } => *ts,
        }
    }
}
