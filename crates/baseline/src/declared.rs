//! Declared profiles: the behaviour a manufacturer declares for a model (a MUD file or the port
//! list of an MDS2 form), used as the model's allow-list from the first packet, before anything
//! is learnt. Traffic outside it is "not declared by the manufacturer".

use crate::ports;
use crate::profile::behaviour::PeerScope;
use serde::{Deserialize, Serialize};
use wardwatch_flow::event::{Direction, PeerRole, Transport};

/// Most entries one declared profile keeps.
pub const MAX_DECLARED_ENTRIES: usize = 1024;

/// Which peers a declared entry covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclaredPeer {
    /// Peers inside the internal networks (and local broadcast/multicast).
    Internal,
    /// Peers outside the internal networks.
    External,
    /// Any peer.
    Any,
}

/// One declared (direction, transport, port, peer kind) combination.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredService {
    /// Who starts the flows, seen from the device.
    pub direction: Direction,
    /// Transport protocol.
    pub proto: Transport,
    /// Service port (destination port outbound, the device's own port inbound).
    pub port: u16,
    /// Peers covered.
    pub peer: DeclaredPeer,
}

/// What a manufacturer declared for a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclaredProfile {
    /// Declared combinations (at most [`MAX_DECLARED_ENTRIES`] are kept).
    pub services: Vec<DeclaredService>,
    /// Where the declaration comes from, e.g. `MUD https://vendor.example/pump.json` or `MDS2 2023-04`.
    pub source: String,
    /// Also allow DNS, DHCP and NTP to infrastructure servers, which declarations often leave
    /// implicit (default true).
    #[serde(default = "yes")]
    pub implicit_infrastructure: bool,
}

fn yes() -> bool {
    true
}

impl DeclaredProfile {
    /// A declared profile, sorted, deduplicated and bounded; the source is cut to 256 characters.
    pub fn new(mut services: Vec<DeclaredService>, source: &str) -> DeclaredProfile {
        services.sort();
        services.dedup();
        services.truncate(MAX_DECLARED_ENTRIES);
        DeclaredProfile {
            services,
            source: crate::explain::clean(source, 256),
            implicit_infrastructure: true,
        }
    }

    /// True when the declaration covers this combination.
    pub fn allows(
        &self,
        direction: Direction,
        role: PeerRole,
        proto: Transport,
        port: u16,
    ) -> bool {
        if self.implicit_infrastructure
            && role == PeerRole::Infrastructure
            && matches!(port, 53 | 67 | 68 | 123 | 546 | 547)
        {
            return true;
        }
        let scope = PeerScope::of(role);
        self.services.iter().any(|s| {
            s.direction == direction
                && s.proto == proto
                && s.port == port
                && match s.peer {
                    DeclaredPeer::Any => true,
                    DeclaredPeer::External => scope == PeerScope::External,
                    DeclaredPeer::Internal => scope != PeerScope::External,
                }
        })
    }

    /// True when the declaration has any outbound external entry.
    pub fn talks_external(&self) -> bool {
        self.services.iter().any(|s| {
            s.direction == Direction::Outbound
                && matches!(s.peer, DeclaredPeer::External | DeclaredPeer::Any)
        })
    }

    /// True when the declaration allows remote access on `port` inbound from this peer role.
    pub fn allows_remote_access(&self, role: PeerRole, proto: Transport, port: u16) -> bool {
        ports::is_remote_access(port) && self.allows(Direction::Inbound, role, proto, port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pump() -> DeclaredProfile {
        DeclaredProfile::new(
            vec![
                DeclaredService {
                    direction: Direction::Outbound,
                    proto: Transport::Tcp,
                    port: 443,
                    peer: DeclaredPeer::Internal,
                },
                DeclaredService {
                    direction: Direction::Inbound,
                    proto: Transport::Tcp,
                    port: 22,
                    peer: DeclaredPeer::Any,
                },
            ],
            "MUD https://vendor.example/pump.json",
        )
    }

    #[test]
    fn declared_matching() {
        let d = pump();
        assert!(d.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Tcp,
            443
        ));
        assert!(!d.allows(Direction::Outbound, PeerRole::External, Transport::Tcp, 443));
        assert!(d.allows(Direction::Inbound, PeerRole::External, Transport::Tcp, 22));
        assert!(d.allows(
            Direction::Outbound,
            PeerRole::Infrastructure,
            Transport::Udp,
            53
        ));
        assert!(!d.allows(
            Direction::Outbound,
            PeerRole::InternalServer,
            Transport::Udp,
            53
        ));
        assert!(!d.talks_external());
        assert!(d.allows_remote_access(PeerRole::InternalClient, Transport::Tcp, 22));
    }
}
