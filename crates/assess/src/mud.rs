//! MUD files (RFC 8520, JSON encoding per RFC 7951, with the ietf-access-control-list ACLs of
//! RFC 8519): validated, then turned into [`ExpectedRule`]s.
//!
//! Derivation, for each `accept` ACE of an ACL the policies reference:
//! - from-device ACL: a `destination-port` is the peer's service port (from-device rule); a TCP
//!   `ietf-mud:direction-initiated: to-device` ACE is the device answering a connection it
//!   accepted, so its `source-port` is the device's service port (to-device rule); an ACE with
//!   only a `source-port` is likewise the device answering on that port.
//! - to-device ACL: the mirror image.
//! - peer: `*-dnsname` → external with that name; `*-ipv4/ipv6-network` → internal when the
//!   network is private, loopback or link-local, else external; `ietf-mud:mud` matches
//!   (local-networks, same-manufacturer, manufacturer, model, controller, my-controller) →
//!   internal; no peer match → any.
//! - transport: the tcp/udp/icmp containers, else the IP `protocol` number, else any.
//!
//! The mirrored ACE pairs MUD files use for one connection collapse into one rule.

use crate::error::{InputError, InputKind};
use crate::profile::{ExpectedRule, Initiator, PeerKind, PortRange, TransportMatch};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// Most ACEs read from one MUD file.
pub const MAX_ACES: usize = 10_000;

#[derive(Deserialize)]
struct MudFile {
    #[serde(rename = "ietf-mud:mud", default)]
    mud: Option<MudContainer>,
    #[serde(rename = "ietf-access-control-list:acls", default)]
    acls: Option<Acls>,
}

#[derive(Deserialize)]
struct MudContainer {
    #[serde(rename = "mud-version", default)]
    mud_version: Option<u32>,
    #[serde(rename = "mud-url", default)]
    mud_url: Option<String>,
    #[serde(rename = "last-update", default)]
    last_update: Option<String>,
    #[serde(rename = "cache-validity", default)]
    cache_validity: Option<u32>,
    #[serde(rename = "is-supported", default)]
    is_supported: Option<bool>,
    #[serde(default)]
    systeminfo: Option<String>,
    #[serde(rename = "mfg-name", default)]
    mfg_name: Option<String>,
    #[serde(rename = "model-name", default)]
    model_name: Option<String>,
    #[serde(rename = "from-device-policy", default)]
    from_device_policy: Option<Policy>,
    #[serde(rename = "to-device-policy", default)]
    to_device_policy: Option<Policy>,
}

#[derive(Deserialize)]
struct Policy {
    #[serde(rename = "access-lists", default)]
    access_lists: Option<AccessLists>,
}

#[derive(Deserialize)]
struct AccessLists {
    #[serde(rename = "access-list", default)]
    access_list: Vec<AclRef>,
}

#[derive(Deserialize)]
struct AclRef {
    name: String,
}

#[derive(Deserialize)]
struct Acls {
    #[serde(default)]
    acl: Vec<Acl>,
}

#[derive(Deserialize)]
struct Acl {
    name: String,
    #[serde(default)]
    aces: Option<Aces>,
}

#[derive(Deserialize)]
struct Aces {
    #[serde(default)]
    ace: Vec<Ace>,
}

#[derive(Deserialize)]
struct Ace {
    name: String,
    #[serde(default)]
    matches: Option<Matches>,
    #[serde(default)]
    actions: Option<Actions>,
}

#[derive(Deserialize, Default)]
struct Matches {
    #[serde(default)]
    ipv4: Option<IpMatch>,
    #[serde(default)]
    ipv6: Option<IpMatch>,
    #[serde(default)]
    tcp: Option<TcpMatch>,
    #[serde(default)]
    udp: Option<UdpMatch>,
    #[serde(default)]
    icmp: Option<IgnoredAny>,
    #[serde(rename = "ietf-mud:mud", default)]
    mud: Option<MudMatch>,
}

#[derive(Deserialize, Default)]
struct IpMatch {
    #[serde(default)]
    protocol: Option<u8>,
    #[serde(rename = "ietf-acldns:src-dnsname", default)]
    src_dnsname: Option<String>,
    #[serde(rename = "ietf-acldns:dst-dnsname", default)]
    dst_dnsname: Option<String>,
    #[serde(rename = "source-ipv4-network", alias = "source-ipv6-network", default)]
    src_network: Option<String>,
    #[serde(
        rename = "destination-ipv4-network",
        alias = "destination-ipv6-network",
        default
    )]
    dst_network: Option<String>,
}

#[derive(Deserialize, Default)]
struct TcpMatch {
    #[serde(rename = "source-port", default)]
    source_port: Option<PortMatch>,
    #[serde(rename = "destination-port", default)]
    destination_port: Option<PortMatch>,
    #[serde(rename = "ietf-mud:direction-initiated", default)]
    direction_initiated: Option<String>,
}

#[derive(Deserialize, Default)]
struct UdpMatch {
    #[serde(rename = "source-port", default)]
    source_port: Option<PortMatch>,
    #[serde(rename = "destination-port", default)]
    destination_port: Option<PortMatch>,
}

#[derive(Deserialize)]
struct PortMatch {
    #[serde(default)]
    operator: Option<String>,
    #[serde(default)]
    port: Option<u16>,
    #[serde(rename = "lower-port", default)]
    lower: Option<u16>,
    #[serde(rename = "upper-port", default)]
    upper: Option<u16>,
}

#[derive(Deserialize, Default)]
struct MudMatch {
    #[serde(default)]
    manufacturer: Option<String>,
    #[serde(rename = "same-manufacturer", default)]
    same_manufacturer: Option<IgnoredAny>,
    #[serde(default)]
    model: Option<String>,
    #[serde(rename = "local-networks", default)]
    local_networks: Option<IgnoredAny>,
    #[serde(default)]
    controller: Option<String>,
    #[serde(rename = "my-controller", default)]
    my_controller: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Actions {
    forwarding: String,
}

/// A validated MUD file.
#[derive(Clone, Debug, PartialEq)]
pub struct Mud {
    /// The file as the user named it.
    pub file: String,
    /// `mud-url`.
    pub url: String,
    /// `mfg-name`, `model-name`, `systeminfo` when present.
    pub manufacturer: Option<String>,
    /// `model-name`.
    pub model_name: Option<String>,
    /// `systeminfo`.
    pub systeminfo: Option<String>,
    /// The rules the ACLs declare.
    pub rules: Vec<ExpectedRule>,
    /// Problems that did not stop reading (an ACL no policy uses).
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PolicySide {
    FromDevice,
    ToDevice,
}

/// Reads and validates a MUD file.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Mud, InputError> {
    let doc: MudFile = crate::json::decode(InputKind::Mud, file, bytes)?;
    let err = |(field, message): FieldError| InputError::new(InputKind::Mud, file, field, message);
    let mud = doc.mud.ok_or_else(|| {
        err((
            MUD.into(),
            "is missing: a MUD file is an object with an `ietf-mud:mud` container".into(),
        ))
    })?;
    let url = validate_container(&mud).map_err(err)?;
    let acls = doc.acls.map(|a| a.acl).unwrap_or_default();
    let (rules, used) = policy_rules(&mud, &acls).map_err(err)?;
    let warnings = acls
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(i, a)| {
            format!(
                "ietf-access-control-list:acls.acl[{i}] ({:?}) is not referenced by either policy and is ignored",
                a.name
            )
        })
        .collect();
    Ok(Mud {
        file: file.to_owned(),
        url,
        manufacturer: mud.mfg_name,
        model_name: mud.model_name,
        systeminfo: mud.systeminfo,
        rules,
        warnings,
    })
}

const MUD: &str = "ietf-mud:mud";

/// Checks the fields RFC 8520 requires of the container; returns the MUD URL.
fn validate_container(mud: &MudContainer) -> Result<String, FieldError> {
    let field = |name: &str| format!("{MUD}.{name}");
    let missing = |name: &str| Err((field(name), "is missing (RFC 8520 requires it)".to_owned()));
    match mud.mud_version {
        None => return missing("mud-version"),
        Some(1) => {}
        Some(_) => {
            return Err((
                field("mud-version"),
                "must be 1, the only version RFC 8520 defines".into(),
            ));
        }
    }
    let Some(url) = mud.mud_url.clone() else {
        return missing("mud-url");
    };
    if !url.starts_with("https://") {
        return Err((
            field("mud-url"),
            "must be an https:// URL (RFC 8520 section 3.3)".into(),
        ));
    }
    if mud.last_update.is_none() {
        return missing("last-update");
    }
    if mud.is_supported.is_none() {
        return missing("is-supported");
    }
    if mud.cache_validity.is_some_and(|h| !(1..=168).contains(&h)) {
        return Err((field("cache-validity"), "must be 1 to 168 hours".into()));
    }
    Ok(url)
}

/// The rules of every ACL the two policies reference, and which ACLs were used.
fn policy_rules(
    mud: &MudContainer,
    acls: &[Acl],
) -> Result<(Vec<ExpectedRule>, BTreeSet<usize>), FieldError> {
    let mut used = BTreeSet::new();
    let mut rules = Vec::new();
    let mut aces_seen = 0usize;
    for (side, policy, name) in [
        (
            PolicySide::FromDevice,
            &mud.from_device_policy,
            "from-device-policy",
        ),
        (
            PolicySide::ToDevice,
            &mud.to_device_policy,
            "to-device-policy",
        ),
    ] {
        let refs = policy
            .as_ref()
            .and_then(|p| p.access_lists.as_ref())
            .map(|a| a.access_list.as_slice())
            .unwrap_or_default();
        for (i, acl_ref) in refs.iter().enumerate() {
            let (index, acl) = acls.iter().enumerate().find(|(_, a)| a.name == acl_ref.name).ok_or_else(|| {
                (
                    format!("{MUD}.{name}.access-lists.access-list[{i}].name"),
                    format!(
                        "names ACL {:?}, which ietf-access-control-list:acls.acl does not define",
                        acl_ref.name
                    ),
                )
            })?;
            used.insert(index);
            for (j, ace) in acl
                .aces
                .as_ref()
                .map(|a| a.ace.as_slice())
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                aces_seen += 1;
                if aces_seen > MAX_ACES {
                    return Err((
                        "ietf-access-control-list:acls".into(),
                        format!("has more than {MAX_ACES} ACEs"),
                    ));
                }
                let path = format!("ietf-access-control-list:acls.acl[{index}].aces.ace[{j}]");
                rules.extend(ace_rules(side, acl, ace, &path)?);
            }
        }
    }
    Ok((rules, used))
}

type FieldError = (String, String);

fn ace_rules(
    side: PolicySide,
    acl: &Acl,
    ace: &Ace,
    path: &str,
) -> Result<Vec<ExpectedRule>, FieldError> {
    if !accepts(ace, path)? {
        return Ok(Vec::new());
    }
    let empty = Matches::default();
    let m = ace.matches.as_ref().unwrap_or(&empty);
    let ip = m.ipv4.as_ref().or(m.ipv6.as_ref());
    let transport = transport(m, ip, path)?;
    let (direction, ports) = direction_and_ports(side, m, path)?;
    let (peer, dns_name, peer_class) = peer(side, ip, m.mud.as_ref(), path)?;
    let source = format!("mud:{}/{}", acl.name, ace.name);
    let ranges: Vec<Option<PortRange>> = match ports {
        Some(list) => list.into_iter().map(Some).collect(),
        None => vec![None],
    };
    Ok(ranges
        .into_iter()
        .map(|ports| ExpectedRule {
            direction,
            transport,
            ports,
            peer,
            dns_name: dns_name.clone(),
            peer_class: peer_class.clone(),
            source: source.clone(),
        })
        .collect())
}

/// True for `accept`, false for `drop`/`reject`.
fn accepts(ace: &Ace, path: &str) -> Result<bool, FieldError> {
    let forwarding = ace
        .actions
        .as_ref()
        .ok_or_else(|| (format!("{path}.actions"), "is missing".to_owned()))?
        .forwarding
        .as_str();
    match forwarding.rsplit(':').next().unwrap_or(forwarding) {
        "accept" => Ok(true),
        "drop" | "reject" => Ok(false),
        other => Err((
            format!("{path}.actions.forwarding"),
            format!("{other:?} is not accept, drop or reject"),
        )),
    }
}

/// Who opens the connection an ACE belongs to, and the service ports of that connection.
fn direction_and_ports(
    side: PolicySide,
    m: &Matches,
    path: &str,
) -> Result<(Initiator, Option<Vec<PortRange>>), FieldError> {
    let (src, dst) = match (&m.tcp, &m.udp) {
        (Some(t), _) => (
            port_ranges(
                t.source_port.as_ref(),
                &format!("{path}.matches.tcp.source-port"),
            )?,
            port_ranges(
                t.destination_port.as_ref(),
                &format!("{path}.matches.tcp.destination-port"),
            )?,
        ),
        (None, Some(u)) => (
            port_ranges(
                u.source_port.as_ref(),
                &format!("{path}.matches.udp.source-port"),
            )?,
            port_ranges(
                u.destination_port.as_ref(),
                &format!("{path}.matches.udp.destination-port"),
            )?,
        ),
        (None, None) => (None, None),
    };
    let initiated = match m
        .tcp
        .as_ref()
        .and_then(|t| t.direction_initiated.as_deref())
    {
        None => None,
        Some("from-device") => Some(Initiator::FromDevice),
        Some("to-device") => Some(Initiator::ToDevice),
        Some(other) => {
            return Err((
                format!("{path}.matches.tcp.ietf-mud:direction-initiated"),
                format!("{other:?} is not from-device or to-device"),
            ));
        }
    };
    // Ports seen from this ACL's side: "near" is the device's port, "far" the peer's.
    let (near, far) = match side {
        PolicySide::FromDevice => (src, dst),
        PolicySide::ToDevice => (dst, src),
    };
    Ok(match (initiated, side) {
        (Some(Initiator::ToDevice), _) => (Initiator::ToDevice, near),
        (Some(Initiator::FromDevice), _) => (Initiator::FromDevice, far),
        (None, PolicySide::FromDevice) if far.is_some() || near.is_none() => {
            (Initiator::FromDevice, far)
        }
        (None, PolicySide::FromDevice) => (Initiator::ToDevice, near),
        (None, PolicySide::ToDevice) if near.is_some() || far.is_none() => {
            (Initiator::ToDevice, near)
        }
        (None, PolicySide::ToDevice) => (Initiator::FromDevice, far),
    })
}

fn transport(m: &Matches, ip: Option<&IpMatch>, path: &str) -> Result<TransportMatch, FieldError> {
    let from_protocol = ip.and_then(|i| i.protocol).map(|p| match p {
        6 => TransportMatch::Tcp,
        17 => TransportMatch::Udp,
        1 | 58 => TransportMatch::Icmp,
        _ => TransportMatch::Other,
    });
    let from_container = match (&m.tcp, &m.udp, &m.icmp) {
        (Some(_), None, None) => Some(TransportMatch::Tcp),
        (None, Some(_), None) => Some(TransportMatch::Udp),
        (None, None, Some(_)) => Some(TransportMatch::Icmp),
        (None, None, None) => None,
        _ => {
            return Err((
                format!("{path}.matches"),
                "has more than one of tcp, udp and icmp".to_owned(),
            ));
        }
    };
    match (from_protocol, from_container) {
        (Some(p), Some(c)) if p != c => Err((
            format!("{path}.matches"),
            format!("the IP protocol says {p:?} but the match container is {c:?}"),
        )),
        (_, Some(c)) => Ok(c),
        (Some(p), None) => Ok(p),
        (None, None) => Ok(TransportMatch::Any),
    }
}

fn port_ranges(p: Option<&PortMatch>, field: &str) -> Result<Option<Vec<PortRange>>, FieldError> {
    let Some(p) = p else {
        return Ok(None);
    };
    let bad = |m: &str| Err((field.to_owned(), m.to_owned()));
    match (p.operator.as_deref(), p.port, p.lower, p.upper) {
        (None, None, Some(lo), Some(hi)) => {
            if lo > hi {
                return bad("lower-port is above upper-port");
            }
            Ok(Some(vec![PortRange {
                first: lo,
                last: hi,
            }]))
        }
        (op, Some(port), None, None) => Ok(Some(match op.unwrap_or("eq") {
            "eq" => vec![PortRange::single(port)],
            "lte" => vec![PortRange {
                first: 0,
                last: port,
            }],
            "gte" => vec![PortRange {
                first: port,
                last: u16::MAX,
            }],
            "neq" => {
                let mut v = Vec::new();
                if let Some(below) = port.checked_sub(1) {
                    v.push(PortRange {
                        first: 0,
                        last: below,
                    });
                }
                if let Some(above) = port.checked_add(1) {
                    v.push(PortRange {
                        first: above,
                        last: u16::MAX,
                    });
                }
                v
            }
            other => return bad(&format!("operator {other:?} is not eq, lte, gte or neq")),
        })),
        _ => bad("needs either operator and port, or lower-port and upper-port (RFC 8519)"),
    }
}

fn peer(
    side: PolicySide,
    ip: Option<&IpMatch>,
    mud: Option<&MudMatch>,
    path: &str,
) -> Result<(PeerKind, Option<String>, Option<String>), FieldError> {
    let (dns, network, net_field) = match (side, ip) {
        (_, None) => (None, None, ""),
        (PolicySide::FromDevice, Some(i)) => {
            (i.dst_dnsname.clone(), i.dst_network.clone(), "destination")
        }
        (PolicySide::ToDevice, Some(i)) => (i.src_dnsname.clone(), i.src_network.clone(), "source"),
    };
    if let Some(name) = dns {
        let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
        if name.is_empty() || name.len() > 253 {
            return Err((
                format!("{path}.matches"),
                "has an empty or over-long DNS name".into(),
            ));
        }
        return Ok((PeerKind::External, Some(name), None));
    }
    if let Some(net) = network {
        let address = net.split('/').next().unwrap_or_default();
        let ip: IpAddr = address.parse().map_err(|_| {
            (
                format!("{path}.matches.{net_field}-network"),
                format!("{net:?} is not an IP network"),
            )
        })?;
        let kind = if is_internal(ip) {
            PeerKind::Internal
        } else {
            PeerKind::External
        };
        return Ok((kind, None, Some(format!("network:{net}"))));
    }
    let Some(m) = mud else {
        return Ok((PeerKind::Any, None, None));
    };
    let class = if m.local_networks.is_some() {
        "local-networks".to_owned()
    } else if m.same_manufacturer.is_some() {
        "same-manufacturer".to_owned()
    } else if m.my_controller.is_some() {
        "my-controller".to_owned()
    } else if let Some(c) = &m.controller {
        format!("controller:{c}")
    } else if let Some(x) = &m.manufacturer {
        format!("manufacturer:{x}")
    } else if let Some(x) = &m.model {
        format!("model:{x}")
    } else {
        return Ok((PeerKind::Any, None, None));
    };
    Ok((PeerKind::Internal, None, Some(class)))
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            let first = v6.segments().first().copied().unwrap_or_default();
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests;
