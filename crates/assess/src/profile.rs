//! The expected network profile of a device model, as its manufacturer declares it (MUD file,
//! MDS2 port list): the allow-list the sensor can hold the model to from its first packet.
//!
//! Stable serde form (format 1), written by `wardwatch assess --write-profile FILE`:
//!
//! ```json
//! {"format": 1, "model": "acme-infusafe-300",
//!  "sources": [{"kind": "mud", "file": "fixtures/assess/infusafe-300.mud.json", "url": "https://…"}],
//!  "rules": [{"direction": "from-device", "transport": "tcp", "ports": {"first": 443, "last": 443},
//!             "peer": "external", "dns_name": "updates.acme-medical.example", "source": "mud:…"}]}
//! ```
//!
//! `direction` is who opens the connection: `from-device` (the device connects to the peer's
//! `ports`) or `to-device` (a peer connects to the device's `ports`) — the same convention as
//! `wardwatch_flow::event::ServiceUse` (outbound: destination port; inbound: the device's port).

use serde::{Deserialize, Serialize};
use wardwatch_flow::event::{Direction, PeerRole, Transport};

/// Format version of the profile file.
pub const PROFILE_FORMAT: u32 = 1;

/// Who opens the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Initiator {
    /// The device connects to the peer.
    #[serde(rename = "from-device")]
    FromDevice,
    /// A peer connects to the device.
    #[serde(rename = "to-device")]
    ToDevice,
}

/// Transport a rule allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportMatch {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP or ICMPv6.
    Icmp,
    /// Any other IP protocol.
    Other,
    /// Any transport.
    Any,
}

/// Where the peer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerKind {
    /// Inside the site's internal networks (MUD local-networks, controllers, same-manufacturer, model).
    Internal,
    /// Outside them (MUD DNS names, public networks).
    External,
    /// Anywhere.
    Any,
}

/// An inclusive port range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PortRange {
    /// First port.
    pub first: u16,
    /// Last port (equal to `first` for one port).
    pub last: u16,
}

impl PortRange {
    /// One port.
    pub fn single(port: u16) -> PortRange {
        PortRange {
            first: port,
            last: port,
        }
    }

    /// True when `port` is inside the range.
    pub fn contains(&self, port: u16) -> bool {
        (self.first..=self.last).contains(&port)
    }
}

/// One allowed (direction, transport, ports, peer) combination.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ExpectedRule {
    /// Who opens the connection.
    pub direction: Initiator,
    /// Transport.
    pub transport: TransportMatch,
    /// Service ports (the peer's for from-device, the device's for to-device); `null` = any port.
    pub ports: Option<PortRange>,
    /// Where the peer may be.
    pub peer: PeerKind,
    /// DNS name the peer must have, when the declaration names one (MUD `*-dnsname`).
    #[serde(default)]
    pub dns_name: Option<String>,
    /// Finer MUD peer class when declared (`controller:URI`, `my-controller`, `local-networks`,
    /// `same-manufacturer`, `manufacturer:NAME`, `model:URI`, `network:CIDR`).
    #[serde(default)]
    pub peer_class: Option<String>,
    /// Where the rule comes from (`mud:ACL/ACE`, `mds2:CONN-2`).
    pub source: String,
}

/// What a flow looks like to the profile: the detector builds this from a `ServiceUse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed<'a> {
    /// Who opened it.
    pub direction: Initiator,
    /// Transport.
    pub transport: Transport,
    /// Service port (destination for outbound, the device's own for inbound).
    pub port: u16,
    /// Where the peer is.
    pub peer: PeerKind,
    /// The peer's DNS name, when the sensor knows it (DNS answer or TLS SNI).
    pub dns_name: Option<&'a str>,
}

impl From<Direction> for Initiator {
    fn from(d: Direction) -> Self {
        match d {
            Direction::Outbound => Initiator::FromDevice,
            Direction::Inbound => Initiator::ToDevice,
        }
    }
}

impl PeerKind {
    /// The peer kind of a flow peer role (`External` is external, every other role internal).
    pub fn from_role(role: PeerRole) -> PeerKind {
        match role {
            PeerRole::External => PeerKind::External,
            _ => PeerKind::Internal,
        }
    }
}

impl ExpectedRule {
    /// True when the observed flow is within this rule. A rule naming a DNS name matches only a
    /// flow whose peer name is known and equal (case-insensitive, trailing dot ignored).
    pub fn allows(&self, o: &Observed<'_>) -> bool {
        let transport = match self.transport {
            TransportMatch::Any => true,
            TransportMatch::Tcp => o.transport == Transport::Tcp,
            TransportMatch::Udp => o.transport == Transport::Udp,
            TransportMatch::Icmp => o.transport == Transport::Icmp,
            TransportMatch::Other => o.transport == Transport::Other,
        };
        let port = self.ports.is_none_or(|r| r.contains(o.port));
        let peer = self.peer == PeerKind::Any || self.peer == o.peer;
        let name = match &self.dns_name {
            None => true,
            Some(n) => o.dns_name.is_some_and(|seen| same_dns_name(n, seen)),
        };
        self.direction == o.direction && transport && port && peer && name
    }
}

fn same_dns_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

/// Where a profile's rules come from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProfileSource {
    /// `mud` or `mds2`.
    pub kind: String,
    /// The file as the user named it.
    pub file: String,
    /// The MUD URL the file declares, if any.
    #[serde(default)]
    pub url: Option<String>,
}

/// The declared allow-list of one device model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedProfile {
    /// Always [`PROFILE_FORMAT`].
    pub format: u32,
    /// Device model, as given to `--model`.
    pub model: String,
    /// Declarations the rules come from.
    pub sources: Vec<ProfileSource>,
    /// Allowed traffic, sorted and without duplicates.
    pub rules: Vec<ExpectedRule>,
}

impl ExpectedProfile {
    /// Builds a profile; sorts and deduplicates the rules (the first source of a duplicate wins).
    pub fn new(model: &str, mut sources: Vec<ProfileSource>, rules: Vec<ExpectedRule>) -> Self {
        sources.sort();
        sources.dedup();
        let mut unique: Vec<ExpectedRule> = Vec::with_capacity(rules.len());
        for rule in rules {
            if !unique.iter().any(|u| same_rule(u, &rule)) {
                unique.push(rule);
            }
        }
        unique.sort();
        ExpectedProfile {
            format: PROFILE_FORMAT,
            model: model.to_owned(),
            sources,
            rules: unique,
        }
    }

    /// The first rule that allows the observed flow, if any: `None` means "not declared by the
    /// manufacturer".
    pub fn allowing(&self, o: &Observed<'_>) -> Option<&ExpectedRule> {
        self.rules.iter().find(|r| r.allows(o))
    }

    /// True when any rule lets peers open connections to the device.
    pub fn accepts_inbound(&self) -> bool {
        self.rules
            .iter()
            .any(|r| r.direction == Initiator::ToDevice)
    }

    /// True when any rule reaches peers outside the internal networks.
    pub fn reaches_external(&self) -> bool {
        self.rules.iter().any(|r| r.peer != PeerKind::Internal)
    }

    /// The profile as pretty JSON with a trailing newline (the `--write-profile` file).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

fn same_rule(a: &ExpectedRule, b: &ExpectedRule) -> bool {
    (
        a.direction,
        a.transport,
        a.ports,
        a.peer,
        &a.dns_name,
        &a.peer_class,
    ) == (
        b.direction,
        b.transport,
        b.ports,
        b.peer,
        &b.dns_name,
        &b.peer_class,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(direction: Initiator, port: u16, peer: PeerKind, dns: Option<&str>) -> ExpectedRule {
        ExpectedRule {
            direction,
            transport: TransportMatch::Tcp,
            ports: Some(PortRange::single(port)),
            peer,
            dns_name: dns.map(Into::into),
            peer_class: None,
            source: "test".into(),
        }
    }

    #[test]
    fn allows_only_declared_traffic() {
        let profile = ExpectedProfile::new(
            "m",
            vec![],
            vec![
                rule(
                    Initiator::FromDevice,
                    443,
                    PeerKind::External,
                    Some("updates.example"),
                ),
                rule(Initiator::ToDevice, 443, PeerKind::Internal, None),
                rule(Initiator::ToDevice, 443, PeerKind::Internal, None),
            ],
        );
        assert_eq!(profile.rules.len(), 2);
        let mut o = Observed {
            direction: Direction::Inbound.into(),
            transport: Transport::Tcp,
            port: 443,
            peer: PeerKind::from_role(PeerRole::InternalClient),
            dns_name: None,
        };
        assert!(profile.allowing(&o).is_some());
        o.port = 22;
        assert!(profile.allowing(&o).is_none());
        o = Observed {
            direction: Initiator::FromDevice,
            transport: Transport::Tcp,
            port: 443,
            peer: PeerKind::External,
            dns_name: Some("UPDATES.example."),
        };
        assert!(profile.allowing(&o).is_some());
        o.dns_name = None;
        assert!(
            profile.allowing(&o).is_none(),
            "a named peer needs its name known"
        );
        o.dns_name = Some("evil.example");
        assert!(profile.allowing(&o).is_none());
        assert!(profile.accepts_inbound());
        assert!(profile.reaches_external());
    }

    #[test]
    fn json_form_is_stable() {
        let profile = ExpectedProfile::new(
            "acme",
            vec![ProfileSource {
                kind: "mud".into(),
                file: "f.json".into(),
                url: None,
            }],
            vec![rule(Initiator::ToDevice, 80, PeerKind::Any, None)],
        );
        let json = profile.to_json();
        assert!(json.contains("\"direction\": \"to-device\""));
        assert!(
            json.contains("\"ports\": {\n        \"first\": 80,\n        \"last\": 80\n      }")
        );
        let back: ExpectedProfile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, profile);
    }
}
