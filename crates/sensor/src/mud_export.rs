//! A learnt behaviour profile as an RFC 8520 MUD document (`wardwatch models export-mud`), so
//! what a model was seen to need can become network segmentation.
//!
//! Every *allowed* service of the profile (direction, peer role, transport, port) becomes an
//! accept ACE in the ACL of its side and, for TCP and UDP, the mirrored ACE of the answers in the
//! other side's ACL, as RFC 8520's examples do. IPv4 and IPv6 get one ACL pair each. Peers:
//! internal roles (infrastructure, internal servers and clients, broadcast/multicast) →
//! `local-networks`; devices of the same model → `model` (this document's MUD URL); external
//! peers → one ACE per learnt external prefix when the model reaches a closed set of them,
//! otherwise any public address (`0.0.0.0/0`, `::/0`). Ports in the profile's dynamic bucket
//! become `gte <floor>`. ICMP has no ports (one ACE on the initiator's side); other IP protocols
//! have neither protocol number nor port in the profile and are left out.

use ipnet::IpNet;
use serde_json::{Map, Value, json};
use wardwatch_baseline::Profile;
use wardwatch_flow::event::{Direction, PeerRole, Transport};

/// Host of the MUD URLs wardwatch writes (`.invalid`: never resolvable, so never fetched).
pub const MUD_URL_BASE: &str = "https://mud.wardwatch.invalid/learnt";

/// What the document says about where it comes from.
#[derive(Clone, Debug)]
pub struct ExportInfo<'a> {
    /// Catalog model id.
    pub model: &'a str,
    /// Catalog vendor.
    pub vendor: &'a str,
    /// Catalog model name.
    pub name: &'a str,
    /// Model-store version the profile comes from.
    pub version: &'a str,
    /// End of the training data, RFC 3339 (`last-update`).
    pub trained_at: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    FromDevice,
    ToDevice,
}

#[derive(Clone, Copy, PartialEq)]
enum Family {
    V4,
    V6,
}

impl Family {
    fn container(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Family::V4 => "v4",
            Family::V6 => "v6",
        }
    }
    fn any_public(self) -> &'static str {
        match self {
            Family::V4 => "0.0.0.0/0",
            Family::V6 => "::/0",
        }
    }
}

/// The MUD URL of a model's exported profile.
pub fn mud_url(model: &str) -> String {
    format!("{MUD_URL_BASE}/{model}.json")
}

/// The MUD document of `profile` (pretty JSON with a trailing newline).
pub fn export(profile: &Profile, info: &ExportInfo<'_>) -> String {
    let url = mud_url(info.model);
    let acl_name = |family: Family, side: Side| {
        let dir = if side == Side::FromDevice { "fr" } else { "to" };
        format!("mud-{}-{}{dir}", info.model, family.suffix())
    };
    let mut acls = Vec::new();
    for family in [Family::V4, Family::V6] {
        let mut aces = Aces::default();
        for s in profile.behaviour.services.iter().filter(|s| s.allowed) {
            for peer in peers(profile, s.key.role, family, &url) {
                aces.add(&Service {
                    family,
                    direction: s.key.direction,
                    proto: s.key.proto,
                    port: port_match(s.key.port, profile),
                    peer: &peer,
                });
            }
        }
        acls.push(acl(&acl_name(family, Side::FromDevice), family, aces.from));
        acls.push(acl(&acl_name(family, Side::ToDevice), family, aces.to));
    }
    let policy = |side: Side| {
        json!({"access-lists": {"access-list": [
            {"name": acl_name(Family::V4, side)}, {"name": acl_name(Family::V6, side)}
        ]}})
    };
    let doc = json!({
        "ietf-mud:mud": {
            "mud-version": 1,
            "mud-url": url,
            "last-update": info.trained_at,
            "cache-validity": 48,
            "is-supported": true,
            "systeminfo": format!(
                "{} {}: behaviour learnt by wardwatch from {} devices (model store version {})",
                info.vendor, info.name, profile.devices.len(), info.version
            ),
            "mfg-name": info.vendor,
            "model-name": info.name,
            "from-device-policy": policy(Side::FromDevice),
            "to-device-policy": policy(Side::ToDevice),
        },
        "ietf-access-control-list:acls": {"acl": acls},
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// How the peer of a role is matched, for one address family: the `ietf-mud:mud` match or a
/// network, each a (container key, value) pair; several for external prefixes.
fn peers(profile: &Profile, role: PeerRole, family: Family, url: &str) -> Vec<PeerMatch> {
    match role {
        PeerRole::SameModel => vec![PeerMatch::Mud(json!({"model": url}))],
        PeerRole::External => {
            let b = &profile.behaviour;
            if b.external_prefixes_closed && !b.external_prefixes.is_empty() {
                b.external_prefixes
                    .iter()
                    .filter(|p| {
                        matches!(
                            (p, family),
                            (IpNet::V4(_), Family::V4) | (IpNet::V6(_), Family::V6)
                        )
                    })
                    .map(|p| PeerMatch::Network(p.to_string()))
                    .collect()
            } else {
                vec![PeerMatch::Network(family.any_public().to_owned())]
            }
        }
        PeerRole::Infrastructure
        | PeerRole::InternalServer
        | PeerRole::InternalClient
        | PeerRole::Multicast => {
            vec![PeerMatch::Mud(json!({"local-networks": [null]}))]
        }
    }
}

#[derive(Clone)]
enum PeerMatch {
    Mud(Value),
    Network(String),
}

fn port_match(port: u16, profile: &Profile) -> Value {
    let floor = profile.behaviour.dynamic_port_floor;
    if floor > 0 && port == floor {
        json!({"operator": "gte", "port": floor})
    } else {
        json!({"operator": "eq", "port": port})
    }
}

/// One learnt service towards one peer, in one address family.
struct Service<'a> {
    family: Family,
    direction: Direction,
    proto: Transport,
    port: Value,
    peer: &'a PeerMatch,
}

/// The ACEs of the two ACLs of one address family.
#[derive(Default)]
struct Aces {
    from: Vec<Value>,
    to: Vec<Value>,
}

impl Aces {
    /// Adds the ACEs of one service: the initiator's side and, for TCP/UDP, the mirror.
    fn add(&mut self, s: &Service<'_>) {
        let container = match s.proto {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Icmp => "",
            Transport::Other => return,
        };
        // (side, the port field that carries the service port)
        let (first, mirror) = match s.direction {
            Direction::Outbound => (
                (Side::FromDevice, "destination-port"),
                (Side::ToDevice, "source-port"),
            ),
            Direction::Inbound => (
                (Side::ToDevice, "destination-port"),
                (Side::FromDevice, "source-port"),
            ),
        };
        let sides: &[(Side, &str)] = if container.is_empty() {
            &[first][..]
        } else {
            &[first, mirror][..]
        };
        for (side, field) in sides {
            let (list, prefix) = match side {
                Side::FromDevice => (&mut self.from, "fr"),
                Side::ToDevice => (&mut self.to, "to"),
            };
            let name = format!("{prefix}{}", list.len());
            let matches = matches(s, *side, container, field);
            list.push(
                json!({"name": name, "matches": matches, "actions": {"forwarding": "accept"}}),
            );
        }
    }
}

/// The `matches` of one ACE: IP protocol and peer, transport port, TCP initiator.
fn matches(s: &Service<'_>, side: Side, container: &str, field: &str) -> Map<String, Value> {
    let number = match (s.proto, s.family) {
        (Transport::Tcp, _) => 6,
        (Transport::Udp, _) => 17,
        (_, Family::V4) => 1,
        (_, Family::V6) => 58,
    };
    let mut ip = Map::new();
    ip.insert("protocol".into(), json!(number));
    let mut matches = Map::new();
    match s.peer {
        PeerMatch::Mud(m) => {
            matches.insert("ietf-mud:mud".into(), m.clone());
        }
        PeerMatch::Network(net) => {
            let key = match side {
                Side::FromDevice => "destination",
                Side::ToDevice => "source",
            };
            ip.insert(
                format!("{key}-{}-network", s.family.container()),
                json!(net),
            );
        }
    }
    matches.insert(s.family.container().into(), Value::Object(ip));
    if !container.is_empty() {
        let mut t = Map::new();
        t.insert(field.into(), s.port.clone());
        if container == "tcp" {
            let initiated = match s.direction {
                Direction::Outbound => "from-device",
                Direction::Inbound => "to-device",
            };
            t.insert("ietf-mud:direction-initiated".into(), json!(initiated));
        }
        matches.insert(container.into(), Value::Object(t));
    }
    matches
}

fn acl(name: &str, family: Family, aces: Vec<Value>) -> Value {
    let kind = match family {
        Family::V4 => "ipv4-acl-type",
        Family::V6 => "ipv6-acl-type",
    };
    json!({"name": name, "type": kind, "aces": {"ace": aces}})
}

#[cfg(test)]
mod tests;
