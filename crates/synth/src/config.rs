//! The ward configuration (TOML): areas with their VLANs, subnets, locations and device mix;
//! the server table whose keys are the roles a catalog traffic item's `peer` may name; the
//! gateway; day/night activity; traffic realism knobs and scenario timing.
//!
//! The documented default is `crates/synth/ward.default.toml`, embedded in the crate.

use crate::error::{SynthError, config};
use ipnet::Ipv4Net;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::{Catalog, TrafficKind};
use wardwatch_flow::event::Direction;

/// The default ward configuration text (`crates/synth/ward.default.toml`).
pub const DEFAULT_WARD_TOML: &str = include_str!("../ward.default.toml");

/// Peer names a traffic item may use besides the server roles.
pub const BUILTIN_PEERS: [&str; 2] = ["same_model", "broadcast"];

/// A whole ward.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WardConfig {
    /// Free-text name of the site and ward.
    pub name: String,
    /// Internal DNS domain; internal server names are `<name>.<domain>`.
    pub domain: String,
    /// Minutes east of UTC of the ward's local time (day/night and shift changes use it).
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Day/night and shift-change hours.
    #[serde(default)]
    pub activity: ActivityConfig,
    /// Realism and volume knobs.
    #[serde(default)]
    pub traffic: TrafficConfig,
    /// Scenario timing.
    #[serde(default)]
    pub scenarios: ScenarioConfig,
    /// The routed gateway of every area.
    pub gateway: GatewayConfig,
    /// Network areas (one VLAN and subnet each) with their device mix.
    #[serde(rename = "area")]
    pub areas: Vec<AreaConfig>,
    /// Servers by role. The keys are the names catalog traffic items use as `peer`.
    pub servers: BTreeMap<String, ServerConfig>,
}

/// Day/night hours in ward local time.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivityConfig {
    /// Hour the day shift starts (day-active traffic runs from here).
    pub day_start_hour: u8,
    /// Hour the night shift starts.
    pub night_start_hour: u8,
    /// Minutes either side of a shift change during which `shift_change` traffic runs.
    pub shift_change_minutes: u32,
}

impl Default for ActivityConfig {
    fn default() -> Self {
        ActivityConfig {
            day_start_hour: 7,
            night_start_hour: 19,
            shift_change_minutes: 30,
        }
    }
}

/// Realism and volume knobs.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrafficConfig {
    /// Multiplies every byte volume of the catalog (fixtures use < 1 to stay small).
    pub bytes_scale: f64,
    /// TCP maximum segment size.
    pub mss: u16,
    /// Write 802.1Q tags (the capture port is a trunk).
    pub vlan_tags: bool,
    /// Fraction of devices that boot during the capture (DHCP DORA or gratuitous ARP).
    pub boot_fraction: f64,
    /// Boots happen within this many seconds of the capture start.
    pub boot_window_s: u32,
    /// Mean seconds between a host's ARP refreshes of its gateway.
    pub arp_refresh_s: u32,
    /// Round-trip time between internal hosts, microseconds.
    pub internal_rtt_us: u32,
    /// Round-trip time to external hosts, microseconds.
    pub external_rtt_us: u32,
    /// Link speed used to pace back-to-back segments, Mbit/s.
    pub link_mbps: u32,
}

impl Default for TrafficConfig {
    fn default() -> Self {
        TrafficConfig {
            bytes_scale: 1.0,
            mss: 1460,
            vlan_tags: true,
            boot_fraction: 0.1,
            boot_window_s: 600,
            arp_refresh_s: 600,
            internal_rtt_us: 400,
            external_rtt_us: 30_000,
            link_mbps: 1000,
        }
    }
}

/// Scenario timing.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Normal traffic before the first attack, seconds (capped at a quarter of the capture).
    pub warmup_s: u32,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig { warmup_s: 1800 }
    }
}

/// The gateway (an L3 switch with one interface per area).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Catalog model of the gateway.
    pub model: String,
    /// Host number of the gateway in every area subnet (e.g. 1 → 10.10.10.1).
    #[serde(default = "one")]
    pub host: u32,
    /// Host name.
    pub name: String,
    /// Area whose address the gateway's own traffic (syslog, NTP, SNMP) uses.
    pub mgmt_area: String,
    /// Location text.
    #[serde(default)]
    pub location: String,
}

fn one() -> u32 {
    1
}

/// One network area: a VLAN, a subnet, its location names and its device mix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaConfig {
    /// Area name (e.g. `monitoring`, `pumps`, `imaging`, `clinical_it`, `building`, `servers`).
    pub name: String,
    /// 802.1Q VLAN id (1..4094).
    pub vlan: u16,
    /// IPv4 subnet.
    pub subnet: Ipv4Net,
    /// First host number handed to devices (lower numbers are left to servers).
    #[serde(default = "twenty")]
    pub first_host: u32,
    /// Location names, assigned to the area's devices in turn.
    #[serde(default)]
    pub locations: Vec<String>,
    /// Device models and how many of each (scaled to `--devices`).
    #[serde(default)]
    pub devices: Vec<DeviceMix>,
}

fn twenty() -> u32 {
    20
}

/// How many devices of one model an area holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceMix {
    /// Catalog model id.
    pub model: String,
    /// Devices of the model in the default-sized ward.
    pub count: u32,
    /// Multiplies the rate of all the model's traffic items (fixtures use < 1).
    #[serde(default = "unit")]
    pub rate_scale: f64,
}

fn unit() -> f64 {
    1.0
}

/// One server role: a new host (internal `area` + `host`, or external `ip`), or `same_as`
/// another role's host.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Another role whose host also plays this role.
    #[serde(default)]
    pub same_as: Option<String>,
    /// Area of an internal server.
    #[serde(default)]
    pub area: Option<String>,
    /// Host number in the area subnet.
    #[serde(default)]
    pub host: Option<u32>,
    /// Address of an external server (outside every area).
    #[serde(default)]
    pub ip: Option<Ipv4Addr>,
    /// Host name (internal: short name, completed with the domain; external: full name).
    #[serde(default)]
    pub name: Option<String>,
    /// Catalog model, when the catalog has one for this server.
    #[serde(default)]
    pub model: Option<String>,
    /// Vendor, for servers without a catalog model.
    #[serde(default)]
    pub vendor: Option<String>,
    /// Class, for servers without a catalog model (default `server`).
    #[serde(default)]
    pub class: Option<String>,
    /// MAC OUI for servers without a catalog model (default VMware 00:50:56, as most are VMs).
    #[serde(default)]
    pub oui: Option<String>,
    /// Location text.
    #[serde(default)]
    pub location: Option<String>,
    /// Operating system is Windows (initial TTL 128); otherwise 64.
    #[serde(default)]
    pub windows: bool,
}

impl WardConfig {
    /// Parses and validates a ward config (not yet against a catalog).
    pub fn parse(text: &str) -> Result<WardConfig, SynthError> {
        let ward: WardConfig = toml::from_str(text).map_err(|e| config(e.to_string()))?;
        ward.validate()?;
        Ok(ward)
    }

    /// The embedded default ward.
    pub fn default_ward() -> Result<WardConfig, SynthError> {
        WardConfig::parse(DEFAULT_WARD_TOML)
    }

    fn validate(&self) -> Result<(), SynthError> {
        self.validate_knobs()?;
        if self.areas.is_empty() {
            return Err(config("area: at least one area is needed"));
        }
        let mut names = BTreeSet::new();
        let mut vlans = BTreeSet::new();
        for (i, area) in self.areas.iter().enumerate() {
            let at = format!("area[{i}] ({})", area.name);
            if !names.insert(area.name.as_str()) {
                return Err(config(format!("{at}: duplicate area name")));
            }
            if !(1..=4094).contains(&area.vlan) || !vlans.insert(area.vlan) {
                return Err(config(format!(
                    "{at}.vlan: {} is out of 1..4094 or used twice",
                    area.vlan
                )));
            }
            if area.subnet.prefix_len() > 29 {
                return Err(config(format!(
                    "{at}.subnet: {} is too small (prefix at most /29)",
                    area.subnet
                )));
            }
            for other in &self.areas[..i] {
                if other.subnet.contains(&area.subnet.network())
                    || area.subnet.contains(&other.subnet.network())
                {
                    return Err(config(format!(
                        "{at}.subnet: {} overlaps area {}",
                        area.subnet, other.name
                    )));
                }
            }
            if area.first_host == 0 || area.first_host >= host_count(area.subnet) {
                return Err(config(format!(
                    "{at}.first_host: {} is outside the subnet",
                    area.first_host
                )));
            }
            for (j, mix) in area.devices.iter().enumerate() {
                if !(mix.rate_scale > 0.0 && mix.rate_scale <= 100.0) {
                    return Err(config(format!(
                        "{at}.devices[{j}].rate_scale: {} must be in (0, 100]",
                        mix.rate_scale
                    )));
                }
            }
        }
        if self.area(&self.gateway.mgmt_area).is_none() {
            return Err(config(format!(
                "gateway.mgmt_area: no area named {:?}",
                self.gateway.mgmt_area
            )));
        }
        if self.gateway.host == 0
            || self
                .areas
                .iter()
                .any(|a| self.gateway.host >= host_count(a.subnet))
        {
            return Err(config(format!(
                "gateway.host: {} is outside an area subnet",
                self.gateway.host
            )));
        }
        self.validate_servers()
    }

    fn validate_knobs(&self) -> Result<(), SynthError> {
        let a = &self.activity;
        if a.day_start_hour > 23
            || a.night_start_hour > 23
            || a.day_start_hour == a.night_start_hour
        {
            return Err(config(
                "activity: day_start_hour and night_start_hour must be different hours 0..23",
            ));
        }
        if a.shift_change_minutes == 0 || a.shift_change_minutes > 180 {
            return Err(config("activity.shift_change_minutes: must be 1..180"));
        }
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return Err(config("utc_offset_minutes: must be within ±840"));
        }
        let t = &self.traffic;
        if !(t.bytes_scale > 0.0 && t.bytes_scale <= 1000.0) {
            return Err(config(format!(
                "traffic.bytes_scale: {} must be in (0, 1000]",
                t.bytes_scale
            )));
        }
        if !(536..=8960).contains(&t.mss) {
            return Err(config(format!("traffic.mss: {} must be 536..8960", t.mss)));
        }
        if !(0.0..=1.0).contains(&t.boot_fraction) {
            return Err(config("traffic.boot_fraction: must be 0..1"));
        }
        if t.arp_refresh_s < 10
            || t.link_mbps == 0
            || t.internal_rtt_us == 0
            || t.external_rtt_us == 0
        {
            return Err(config(
                "traffic: arp_refresh_s >= 10 and link_mbps, internal_rtt_us, external_rtt_us > 0",
            ));
        }
        if self.domain.is_empty()
            || !self
                .domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        {
            return Err(config("domain: use letters, digits, dots and dashes"));
        }
        Ok(())
    }

    fn validate_servers(&self) -> Result<(), SynthError> {
        let mut ips = BTreeMap::new();
        for (role, server) in &self.servers {
            let at = format!("servers.{role}");
            if BUILTIN_PEERS.contains(&role.as_str())
                || role.is_empty()
                || !role
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(config(format!(
                    "{at}: role names use a-z, 0-9 and _, and cannot be same_model or broadcast"
                )));
            }
            if let Some(target) = &server.same_as {
                let ok = self
                    .servers
                    .get(target)
                    .is_some_and(|t| t.same_as.is_none());
                let extra = server.area.is_some()
                    || server.host.is_some()
                    || server.ip.is_some()
                    || server.model.is_some();
                if !ok || extra {
                    return Err(config(format!(
                        "{at}.same_as: {target:?} must name a role that is a host itself, with no other address fields"
                    )));
                }
                continue;
            }
            let ip = self.server_ip(role, server)?;
            if let Some(prev) = ips.insert(ip, role) {
                return Err(config(format!(
                    "{at}: address {ip} is also role {prev}; use same_as = \"{prev}\""
                )));
            }
        }
        Ok(())
    }

    fn server_ip(&self, role: &str, server: &ServerConfig) -> Result<Ipv4Addr, SynthError> {
        let at = format!("servers.{role}");
        match (&server.area, server.host, server.ip) {
            (Some(area), Some(host), None) => {
                let a = self
                    .area(area)
                    .ok_or_else(|| config(format!("{at}.area: no area named {area:?}")))?;
                if host == 0
                    || host >= host_count(a.subnet)
                    || host == self.gateway.host
                    || host >= a.first_host
                {
                    return Err(config(format!(
                        "{at}.host: {host} must be inside {} below first_host {} and not the gateway",
                        a.subnet, a.first_host
                    )));
                }
                Ok(nth_host(a.subnet, host))
            }
            (None, None, Some(ip)) => {
                if self.areas.iter().any(|a| a.subnet.contains(&ip)) {
                    return Err(config(format!(
                        "{at}.ip: {ip} is inside an area; internal servers use area + host"
                    )));
                }
                if server.name.is_none() {
                    return Err(config(format!("{at}.name: external servers need a name")));
                }
                Ok(ip)
            }
            _ => Err(config(format!(
                "{at}: give either area + host (internal), ip (external) or same_as"
            ))),
        }
    }

    /// The area with this name.
    pub fn area(&self, name: &str) -> Option<&AreaConfig> {
        self.areas.iter().find(|a| a.name == name)
    }

    /// The role whose host plays `role` (follows `same_as`).
    pub fn host_role<'a>(&'a self, role: &'a str) -> &'a str {
        match self.servers.get(role).and_then(|s| s.same_as.as_deref()) {
            Some(target) => target,
            None => role,
        }
    }

    /// Checks the ward against the catalog: every model named exists, and every traffic item of
    /// every catalog model names a server role of this ward (or a built-in peer).
    pub fn validate_with(&self, catalog: &Catalog) -> Result<(), SynthError> {
        let known = |id: &str| catalog.model(id).is_some();
        if !known(&self.gateway.model) {
            return Err(config(format!(
                "gateway.model: {:?} is not in the catalog",
                self.gateway.model
            )));
        }
        for area in &self.areas {
            for (j, mix) in area.devices.iter().enumerate() {
                if !known(&mix.model) {
                    return Err(config(format!(
                        "area {}.devices[{j}].model: {:?} is not in the catalog",
                        area.name, mix.model
                    )));
                }
            }
        }
        for (role, server) in &self.servers {
            if let Some(model) = &server.model
                && !known(model)
            {
                return Err(config(format!(
                    "servers.{role}.model: {model:?} is not in the catalog"
                )));
            }
        }
        for model in &catalog.models {
            for (item, spec) in model.traffic.iter().enumerate() {
                let fail = |reason: String| SynthError::CatalogTraffic {
                    model: model.id.as_str().to_owned(),
                    item,
                    reason,
                };
                let peer = spec.peer.as_str();
                if !BUILTIN_PEERS.contains(&peer) && !self.servers.contains_key(peer) {
                    let roles: Vec<&str> = self.servers.keys().map(String::as_str).collect();
                    return Err(fail(format!(
                        "peer {peer:?} is not a server role of the ward config (roles: {}, or same_model, broadcast)",
                        roles.join(", ")
                    )));
                }
                if peer == "broadcast" && spec.direction == Direction::Inbound {
                    return Err(fail(
                        "peer \"broadcast\" cannot start an inbound exchange".into(),
                    ));
                }
                if matches!(spec.kind, TrafficKind::GenericTcp | TrafficKind::GenericUdp)
                    && spec.port.is_none()
                {
                    return Err(fail("generic_tcp and generic_udp need a port".into()));
                }
            }
        }
        Ok(())
    }

    /// Sum of the configured device counts (the default `--devices`).
    pub fn default_device_count(&self) -> u32 {
        self.areas
            .iter()
            .flat_map(|a| &a.devices)
            .map(|m| m.count)
            .sum()
    }
}

/// Number of addresses in a subnet (including network and broadcast).
pub(crate) fn host_count(net: Ipv4Net) -> u32 {
    1u32.checked_shl(32 - u32::from(net.prefix_len()))
        .unwrap_or(u32::MAX)
}

/// The `n`th address of a subnet (0 = network address).
pub(crate) fn nth_host(net: Ipv4Net, n: u32) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(net.network()).wrapping_add(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../../../models/catalog.toml")).unwrap()
    }

    #[test]
    fn default_ward_parses_and_fits_the_catalog() {
        let ward = WardConfig::default_ward().unwrap();
        ward.validate_with(&catalog()).unwrap();
        assert!(
            ward.default_device_count() >= 100,
            "{}",
            ward.default_device_count()
        );
        assert_eq!(ward.host_role("dns"), "dc");
        assert_eq!(ward.area("monitoring").unwrap().vlan, 10);
        for role in [
            "dc",
            "hl7_engine",
            "pacs",
            "file_server",
            "vms",
            "sip_registrar",
            "print_server",
            "syslog",
            "snmp_manager",
        ] {
            assert!(ward.servers.contains_key(role), "{role}");
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let text = DEFAULT_WARD_TOML.replacen("domain =", "colour = 1\ndomain =", 1);
        let err = WardConfig::parse(&text).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
        let text = DEFAULT_WARD_TOML.replacen("bytes_scale = 1.0", "bytes_scale = -1.0", 1);
        let err = WardConfig::parse(&text).unwrap_err().to_string();
        assert!(err.contains("traffic.bytes_scale"), "{err}");
        let text = DEFAULT_WARD_TOML.replacen("vlan = 20", "vlan = 10", 1);
        let err = WardConfig::parse(&text).unwrap_err().to_string();
        assert!(err.contains(".vlan"), "{err}");
    }

    #[test]
    fn catalog_peer_missing_from_ward_names_model_item_and_peer() {
        let mut ward = WardConfig::default_ward().unwrap();
        ward.servers.remove("vms");
        let err = ward.validate_with(&catalog()).unwrap_err().to_string();
        assert!(
            err.starts_with("catalog model \"axis-p3265-camera\", traffic[1]: peer \"vms\""),
            "{err}"
        );
    }

    #[test]
    fn server_addresses_are_checked() {
        let text = DEFAULT_WARD_TOML.replacen(
            "[servers.dc]\narea = \"servers\"\nhost = 10",
            "[servers.dc]\narea = \"servers\"\nhost = 250",
            1,
        );
        let err = WardConfig::parse(&text).unwrap_err().to_string();
        assert!(err.contains("servers.dc.host"), "{err}");
        assert_eq!(
            nth_host("10.10.10.0/24".parse().unwrap(), 1),
            Ipv4Addr::new(10, 10, 10, 1)
        );
        assert_eq!(host_count("10.10.10.0/24".parse().unwrap()), 256);
    }
}
