//! The ward plan: every host (gateway, servers, devices, external endpoints) with its addresses,
//! model, version, identity and location, built deterministically from the config, the catalog,
//! the device count and the seed. Each host draws from its own seeded stream (`device/<model>/<i>`,
//! `server/<role>`), so adding a device leaves the others as they were.

use crate::config::{AreaConfig, ServerConfig, WardConfig, host_count, nth_host};
use crate::error::{SynthError, config};
use crate::identity::{self, Vars};
use crate::seed;
use ipnet::Ipv4Net;
use rand::Rng as _;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::{Catalog, DeviceModel, EmittedIdentity, EvidenceKind, TrafficKind};

/// Index of a host in [`Ward::hosts`].
pub type HostId = usize;

/// Default OUI of servers without a catalog model: VMware (most hospital servers are VMs).
const SERVER_OUI: [u8; 3] = [0x00, 0x50, 0x56];
/// OUI used when a model names none at all (Intel, a common embedded NIC).
const FALLBACK_OUI: [u8; 3] = [0x00, 0x1b, 0x21];

/// What a host is in the ward.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostKind {
    /// The routed gateway.
    Gateway,
    /// An internal server, with the roles it plays.
    Server(Vec<String>),
    /// A ward device.
    Device,
    /// An endpoint outside the hospital, with the roles it plays.
    External(Vec<String>),
    /// A host that only exists for an attack scenario (a rogue device, a remote attacker).
    Attacker,
}

/// One host.
#[derive(Clone, Debug)]
pub struct Host {
    /// Stable label of its random stream.
    pub label: String,
    /// What it is.
    pub kind: HostKind,
    /// MAC address (external hosts: unused, frames come from the gateway).
    pub mac: [u8; 6],
    /// IPv4 address.
    pub ip: Ipv4Addr,
    /// Area index (None for external hosts).
    pub area: Option<usize>,
    /// Catalog model index.
    pub model: Option<usize>,
    /// 1-based index among the devices of its model.
    pub n: u32,
    /// Host name (short) and full name when it has one in DNS.
    pub hostname: String,
    /// Name in DNS, if any.
    pub fqdn: Option<String>,
    /// Vendor.
    pub vendor: String,
    /// Class id.
    pub class: String,
    /// Location text.
    pub location: String,
    /// Software/firmware version at the start of the capture.
    pub version: String,
    /// 8-digit serial number.
    pub serial: String,
    /// Initial IP TTL of its stack.
    pub ttl: u8,
    /// Its identity evidence with templates filled in.
    pub identity: EmittedIdentity,
    /// Multiplier of its traffic items' rates.
    pub rate_scale: f64,
    /// True when it gets its address by DHCP.
    pub dhcp: bool,
}

/// One area as planned.
#[derive(Clone, Debug)]
pub struct Area {
    /// Name.
    pub name: String,
    /// VLAN id.
    pub vlan: u16,
    /// Subnet.
    pub subnet: Ipv4Net,
    /// The gateway's address in the area.
    pub gateway_ip: Ipv4Addr,
}

/// The whole ward.
#[derive(Clone, Debug)]
pub struct Ward {
    /// Every host.
    pub hosts: Vec<Host>,
    /// Role → host.
    pub roles: BTreeMap<String, HostId>,
    /// The gateway host.
    pub gateway: HostId,
    /// Areas, in config order.
    pub areas: Vec<Area>,
    /// Devices of each catalog model (for `same_model` peers).
    pub by_model: BTreeMap<usize, Vec<HostId>>,
    /// DNS names → addresses.
    pub names: BTreeMap<String, Ipv4Addr>,
    /// Internal DNS domain.
    pub domain: String,
}

impl Ward {
    /// Builds the ward for `devices` devices (None = the config's own counts).
    pub fn plan(
        cfg: &WardConfig,
        catalog: &Catalog,
        devices: Option<u32>,
        seed: u64,
    ) -> Result<Ward, SynthError> {
        cfg.validate_with(catalog)?;
        let mut b = Builder {
            cfg,
            catalog,
            seed,
            hosts: Vec::new(),
            macs: BTreeSet::new(),
            used_ips: BTreeSet::new(),
        };
        let areas: Vec<Area> = cfg
            .areas
            .iter()
            .map(|a| Area {
                name: a.name.clone(),
                vlan: a.vlan,
                subnet: a.subnet,
                gateway_ip: nth_host(a.subnet, cfg.gateway.host),
            })
            .collect();
        for a in &areas {
            b.used_ips.insert(a.gateway_ip);
        }
        let gateway = b.gateway()?;
        let roles = b.servers()?;
        let counts = scale_counts(cfg, devices)?;
        b.devices(&counts)?;
        let mut by_model: BTreeMap<usize, Vec<HostId>> = BTreeMap::new();
        for (id, host) in b.hosts.iter().enumerate() {
            if let (HostKind::Device, Some(m)) = (&host.kind, host.model) {
                by_model.entry(m).or_default().push(id);
            }
        }
        let mut names = BTreeMap::new();
        for host in &b.hosts {
            if let Some(fqdn) = &host.fqdn {
                names.insert(fqdn.clone(), host.ip);
            }
        }
        Ok(Ward {
            hosts: b.hosts,
            roles,
            gateway,
            areas,
            by_model,
            names,
            domain: cfg.domain.clone(),
        })
    }

    /// The host playing a role.
    pub fn role(&self, role: &str) -> Option<HostId> {
        self.roles.get(role).copied()
    }

    /// The gateway's MAC address.
    pub fn gateway_mac(&self) -> [u8; 6] {
        self.hosts[self.gateway].mac
    }

    /// Ward devices and internal servers, in plan order (what `ward.devices.jsonl` lists).
    pub fn inventory(&self) -> impl Iterator<Item = (HostId, &Host)> {
        self.hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| !matches!(h.kind, HostKind::External(_) | HostKind::Attacker))
    }

    /// The area whose subnet holds `ip`.
    pub fn area_of(&self, ip: Ipv4Addr) -> Option<usize> {
        self.areas.iter().position(|a| a.subnet.contains(&ip))
    }
}

struct Builder<'a> {
    cfg: &'a WardConfig,
    catalog: &'a Catalog,
    seed: u64,
    hosts: Vec<Host>,
    macs: BTreeSet<[u8; 6]>,
    used_ips: BTreeSet<Ipv4Addr>,
}

/// Per-host values drawn from the host's own stream.
struct Drawn {
    mac: [u8; 6],
    version: String,
    serial: String,
}

impl Builder<'_> {
    fn model(&self, id: &str) -> Result<(usize, &DeviceModel), SynthError> {
        self.catalog
            .models
            .iter()
            .enumerate()
            .find(|(_, m)| m.id.as_str() == id)
            .ok_or_else(|| config(format!("model {id:?} is not in the catalog")))
    }

    fn draw(&mut self, label: &str, prefixes: &[Vec<u8>], versions: &[String]) -> Drawn {
        let mut rng = seed::rng(self.seed, label);
        let prefix: &[u8] = match prefixes.len() {
            0 => &FALLBACK_OUI,
            n => &prefixes[rng.gen_range(0..n)],
        };
        // A registry block longer than 24 bits (MA-M, MA-S/IAB) keeps its extra octets, so the
        // MAC lies inside the block the model's fingerprint names; when such a small block runs
        // out of addresses, only the 24-bit OUI is kept.
        let mut mac = [0u8; 6];
        let mut fixed = prefix.len().clamp(3, 5);
        mac[..fixed].copy_from_slice(&prefix[..fixed]);
        let mut attempts = 0u32;
        loop {
            rng.fill(&mut mac[fixed..]);
            if self.macs.insert(mac) {
                break;
            }
            attempts += 1;
            if attempts >= 1024 {
                fixed = 3;
            }
        }
        let version = match versions.len() {
            0 => String::new(),
            n => versions[rng.gen_range(0..n)].clone(),
        };
        let serial = format!("{:08}", rng.gen_range(0..100_000_000u32));
        Drawn {
            mac,
            version,
            serial,
        }
    }

    fn modelled_host(
        &mut self,
        label: String,
        model_idx: usize,
        n: u32,
        kind: HostKind,
        ip: Ipv4Addr,
    ) -> Host {
        let model = &self.catalog.models[model_idx];
        let ouis = model_ouis(model);
        let versions = model.software_versions.clone();
        let d = self.draw(&label, &ouis, &versions);
        let vars = Vars {
            version: &d.version,
            n,
            serial: &d.serial,
        };
        let identity = identity::for_device(&model.emits, &vars);
        let hostname = identity
            .dhcp
            .as_ref()
            .and_then(|x| x.hostname.clone())
            .or_else(|| identity.netbios_name.clone())
            .unwrap_or_else(|| format!("{}-{n:03}", model.id.as_str()));
        Host {
            label,
            kind,
            mac: d.mac,
            ip,
            area: None,
            model: Some(model_idx),
            n,
            hostname,
            fqdn: None,
            vendor: model.vendor.clone(),
            class: model.class.clone(),
            location: String::new(),
            version: d.version,
            serial: d.serial,
            ttl: if model.os.contains("Windows") {
                128
            } else {
                64
            },
            identity,
            rate_scale: 1.0,
            dhcp: model.traffic.iter().any(|t| t.kind == TrafficKind::Dhcp),
        }
    }

    fn gateway(&mut self) -> Result<HostId, SynthError> {
        let g = &self.cfg.gateway;
        let (idx, _) = self.model(&g.model)?;
        let area = self
            .cfg
            .areas
            .iter()
            .position(|a| a.name == g.mgmt_area)
            .unwrap_or(0);
        let ip = nth_host(self.cfg.areas[area].subnet, g.host);
        let mut host = self.modelled_host("gateway".into(), idx, 1, HostKind::Gateway, ip);
        host.area = Some(area);
        host.hostname = g.name.clone();
        host.fqdn = Some(format!("{}.{}", g.name, self.cfg.domain));
        host.location = g.location.clone();
        host.dhcp = false;
        self.hosts.push(host);
        Ok(self.hosts.len() - 1)
    }

    fn servers(&mut self) -> Result<BTreeMap<String, HostId>, SynthError> {
        let mut roles = BTreeMap::new();
        for (role, server) in &self.cfg.servers {
            if server.same_as.is_none() {
                let host = self.server(role, server)?;
                self.used_ips.insert(host.ip);
                self.hosts.push(host);
                roles.insert(role.clone(), self.hosts.len() - 1);
            }
        }
        for (role, server) in &self.cfg.servers {
            if let Some(target) = &server.same_as {
                let id = *roles.get(target).ok_or_else(|| {
                    config(format!("servers.{role}.same_as: unknown role {target}"))
                })?;
                roles.insert(role.clone(), id);
                if let HostKind::Server(list) | HostKind::External(list) = &mut self.hosts[id].kind
                {
                    list.push(role.clone());
                }
            }
        }
        Ok(roles)
    }

    /// The host of one server role (not `same_as`).
    fn server(&mut self, role: &str, server: &ServerConfig) -> Result<Host, SynthError> {
        let (ip, area) = match (&server.area, server.host, server.ip) {
            (Some(area), Some(h), _) => {
                let i = self
                    .cfg
                    .areas
                    .iter()
                    .position(|a| &a.name == area)
                    .unwrap_or(0);
                (nth_host(self.cfg.areas[i].subnet, h), Some(i))
            }
            (_, _, Some(ip)) => (ip, None),
            _ => return Err(config(format!("servers.{role}: no address"))),
        };
        let label = format!("server/{role}");
        let kind = if area.is_some() {
            HostKind::Server(vec![role.to_owned()])
        } else {
            HostKind::External(vec![role.to_owned()])
        };
        let mut host = match &server.model {
            Some(model) => {
                let (idx, _) = self.model(model)?;
                self.modelled_host(label, idx, 1, kind, ip)
            }
            None => {
                let oui = server
                    .oui
                    .as_deref()
                    .map(parse_oui)
                    .transpose()?
                    .unwrap_or(SERVER_OUI);
                let d = self.draw(&label, &[oui.to_vec()], &[]);
                Host {
                    label,
                    kind,
                    mac: d.mac,
                    ip,
                    area: None,
                    model: None,
                    n: 1,
                    hostname: String::new(),
                    fqdn: None,
                    vendor: server.vendor.clone().unwrap_or_default(),
                    class: server.class.clone().unwrap_or_else(|| "server".into()),
                    location: String::new(),
                    version: String::new(),
                    serial: d.serial,
                    ttl: if server.windows { 128 } else { 64 },
                    identity: EmittedIdentity::default(),
                    rate_scale: 1.0,
                    dhcp: false,
                }
            }
        };
        host.area = area;
        host.dhcp = false;
        let default_location = if area.is_some() {
            "Data centre"
        } else {
            "Internet"
        };
        host.location = server
            .location
            .clone()
            .unwrap_or_else(|| default_location.into());
        let name = server
            .name
            .clone()
            .unwrap_or_else(|| role.replace('_', "-"));
        host.fqdn = Some(if area.is_some() {
            format!("{name}.{}", self.cfg.domain)
        } else {
            name.clone()
        });
        host.hostname = name.split('.').next().unwrap_or(&name).to_owned();
        Ok(host)
    }

    fn devices(&mut self, counts: &[Vec<u32>]) -> Result<(), SynthError> {
        for (ai, area) in self.cfg.areas.iter().enumerate() {
            let mut next_host = area.first_host;
            let mut slot = 0usize;
            for (mi, mix) in area.devices.iter().enumerate() {
                let (model_idx, _) = self.model(&mix.model)?;
                let count = counts[ai][mi];
                for i in 0..count {
                    let ip = self.next_ip(area, &mut next_host)?;
                    let label = format!("device/{}/{}/{i}", area.name, mix.model);
                    let mut host =
                        self.modelled_host(label, model_idx, i + 1, HostKind::Device, ip);
                    host.area = Some(ai);
                    host.rate_scale = mix.rate_scale;
                    host.location = match area.locations.len() {
                        0 => area.name.clone(),
                        n => area.locations[slot % n].clone(),
                    };
                    slot += 1;
                    self.hosts.push(host);
                }
            }
        }
        Ok(())
    }

    fn next_ip(&mut self, area: &AreaConfig, next_host: &mut u32) -> Result<Ipv4Addr, SynthError> {
        let limit = host_count(area.subnet) - 1;
        while *next_host < limit {
            let ip = nth_host(area.subnet, *next_host);
            *next_host += 1;
            if self.used_ips.insert(ip) {
                return Ok(ip);
            }
        }
        Err(SynthError::Param {
            flag: "--devices",
            reason: format!(
                "area {} ({}) has no room for more devices; use fewer devices or a larger subnet",
                area.name, area.subnet
            ),
        })
    }
}

/// Scales the config's device counts to `devices` in total: every model entry keeps one device
/// while the total allows, the rest is shared in proportion to the configured counts (largest
/// remainder, ties in config order). `None` keeps the configured counts.
pub fn scale_counts(cfg: &WardConfig, devices: Option<u32>) -> Result<Vec<Vec<u32>>, SynthError> {
    let configured: Vec<Vec<u32>> = cfg
        .areas
        .iter()
        .map(|a| a.devices.iter().map(|m| m.count).collect())
        .collect();
    let Some(want) = devices else {
        return Ok(configured);
    };
    if want == 0 || want > 100_000 {
        return Err(SynthError::Param {
            flag: "--devices",
            reason: format!("{want} must be 1..100000"),
        });
    }
    let flat: Vec<(usize, usize, u32)> = configured
        .iter()
        .enumerate()
        .flat_map(|(a, v)| v.iter().enumerate().map(move |(m, &c)| (a, m, c)))
        .filter(|&(_, _, c)| c > 0)
        .collect();
    let mut out: Vec<Vec<u32>> = configured.iter().map(|v| vec![0; v.len()]).collect();
    let entries = flat.len() as u32;
    if entries == 0 {
        return Err(config("area.devices: the ward has no devices to scale"));
    }
    if want < entries {
        let mut order: Vec<usize> = (0..flat.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(flat[i].2));
        for &i in order.iter().take(want as usize) {
            out[flat[i].0][flat[i].1] = 1;
        }
        return Ok(out);
    }
    let extra_total: u64 = flat.iter().map(|&(_, _, c)| u64::from(c - 1)).sum();
    let rest = u64::from(want - entries);
    let mut shares: Vec<(u64, u64, usize)> = Vec::with_capacity(flat.len());
    let mut given = 0u64;
    for (i, &(a, m, c)) in flat.iter().enumerate() {
        let (q, r) = match extra_total {
            0 => (rest / u64::from(entries), rest % u64::from(entries)),
            t => (rest * u64::from(c - 1) / t, rest * u64::from(c - 1) % t),
        };
        out[a][m] = 1 + q as u32;
        given += q;
        shares.push((r, u64::MAX - i as u64, i));
    }
    shares.sort_by(|x, y| y.cmp(x));
    for &(_, _, i) in shares.iter().take((rest - given) as usize) {
        out[flat[i].0][flat[i].1] += 1;
    }
    Ok(out)
}

/// OUIs of a model: `[model.emits] oui`, else the first OUI literal of its `mac` fingerprint rule
/// (the identification rules name the registry blocks), else none.
pub fn model_ouis(model: &DeviceModel) -> Vec<Vec<u8>> {
    let listed: Vec<Vec<u8>> = model
        .emits
        .oui
        .iter()
        .filter_map(|o| parse_prefix(o).ok())
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    model
        .fingerprint
        .iter()
        .filter(|r| r.evidence == EvidenceKind::Mac)
        .flat_map(|r| {
            r.pattern
                .trim_start_matches('^')
                .trim_start_matches('(')
                .split('|')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter_map(|alt| parse_oui(alt.trim_end_matches(')')).ok())
        .map(|oui| oui.to_vec())
        .take(1)
        .collect()
}

/// Parses a MAC prefix of three to five octets (`00:09:fb`, `00:50:c2:05:b0`).
pub fn parse_prefix(text: &str) -> Result<Vec<u8>, SynthError> {
    let bad = || {
        config(format!(
            "{text:?} is not a MAC prefix like 00:50:56 or 00:50:c2:05:b0"
        ))
    };
    let octets = text
        .split([':', '-'])
        .map(|part| {
            (part.len() == 2)
                .then(|| u8::from_str_radix(part, 16).ok())
                .flatten()
                .ok_or_else(bad)
        })
        .collect::<Result<Vec<u8>, _>>()?;
    if (3..=5).contains(&octets.len()) {
        Ok(octets)
    } else {
        Err(bad())
    }
}

/// Parses `aa:bb:cc` (or a longer prefix; the first three octets count).
pub fn parse_oui(text: &str) -> Result<[u8; 3], SynthError> {
    let mut out = [0u8; 3];
    let mut parts = text.split([':', '-']);
    for slot in &mut out {
        let part = parts
            .next()
            .filter(|p| p.len() == 2)
            .ok_or_else(|| config(format!("{text:?} is not an OUI like 00:50:56")))?;
        *slot = u8::from_str_radix(part, 16)
            .map_err(|_| config(format!("{text:?} is not an OUI like 00:50:56")))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        Catalog::parse(include_str!("../../../models/catalog.toml")).unwrap()
    }

    #[test]
    fn scaling_keeps_every_model_and_hits_the_total() {
        let cfg = WardConfig::default_ward().unwrap();
        let total = |c: &Vec<Vec<u32>>| c.iter().flatten().sum::<u32>();
        let same = scale_counts(&cfg, Some(cfg.default_device_count())).unwrap();
        assert_eq!(same, scale_counts(&cfg, None).unwrap());
        let small = scale_counts(&cfg, Some(40)).unwrap();
        assert_eq!(total(&small), 40);
        assert!(small.iter().flatten().all(|&c| c >= 1));
        let tiny = scale_counts(&cfg, Some(5)).unwrap();
        assert_eq!(total(&tiny), 5);
        assert_eq!(tiny[1][0], 1, "the largest entry (Alaris pumps) is kept");
        let big = scale_counts(&cfg, Some(1000)).unwrap();
        assert_eq!(total(&big), 1000);
        assert!(scale_counts(&cfg, Some(0)).is_err());
    }

    #[test]
    fn plan_is_deterministic_and_stable_when_devices_are_added() {
        let cfg = WardConfig::default_ward().unwrap();
        let cat = catalog();
        let a = Ward::plan(&cfg, &cat, Some(40), 7).unwrap();
        let b = Ward::plan(&cfg, &cat, Some(40), 7).unwrap();
        let macs = |w: &Ward| w.hosts.iter().map(|h| h.mac).collect::<Vec<_>>();
        assert_eq!(macs(&a), macs(&b));
        let c = Ward::plan(&cfg, &cat, Some(41), 7).unwrap();
        let by_label = |w: &Ward| {
            w.hosts
                .iter()
                .map(|h| (h.label.clone(), (h.mac, h.version.clone())))
                .collect::<BTreeMap<_, _>>()
        };
        let (la, lc) = (by_label(&a), by_label(&c));
        for (label, value) in &la {
            assert_eq!(
                lc.get(label),
                Some(value),
                "{label} changed when a device was added"
            );
        }
        let d = Ward::plan(&cfg, &cat, Some(40), 8).unwrap();
        assert_ne!(macs(&a), macs(&d));
    }

    #[test]
    fn roles_addresses_and_names() {
        let cfg = WardConfig::default_ward().unwrap();
        let ward = Ward::plan(&cfg, &catalog(), None, 1).unwrap();
        let dc = ward.role("dc").unwrap();
        assert_eq!(ward.role("dns"), Some(dc));
        assert_eq!(ward.hosts[dc].ip, Ipv4Addr::new(10, 10, 100, 10));
        assert_eq!(
            ward.names.get("dc01.ward.example"),
            Some(&Ipv4Addr::new(10, 10, 100, 10))
        );
        assert_eq!(ward.hosts[dc].ttl, 128);
        assert!(matches!(
            ward.hosts[ward.role("philips_remote").unwrap()].kind,
            HostKind::External(_)
        ));
        let gw = &ward.hosts[ward.gateway];
        assert_eq!(gw.ip, Ipv4Addr::new(10, 10, 100, 1));
        assert_eq!(ward.areas[0].gateway_ip, Ipv4Addr::new(10, 10, 10, 1));
        let devices = ward
            .hosts
            .iter()
            .filter(|h| h.kind == HostKind::Device)
            .count() as u32;
        assert_eq!(devices, cfg.default_device_count());
        let ips: BTreeSet<Ipv4Addr> = ward.hosts.iter().map(|h| h.ip).collect();
        assert_eq!(ips.len(), ward.hosts.len(), "addresses are unique");
        let pump = ward
            .hosts
            .iter()
            .find(|h| h.label == "device/pumps/bd-alaris-pcu-8015/0")
            .unwrap();
        assert_eq!(&pump.mac[..3], &[0xf8, 0xc6, 0x78]);
        assert_eq!(pump.ip, Ipv4Addr::new(10, 10, 20, 20));
        assert_eq!(pump.location, "ICU-4 bed 01");
    }

    #[test]
    fn oui_parsing() {
        assert_eq!(parse_oui("00:09:fb").unwrap(), [0, 9, 0xfb]);
        assert_eq!(parse_oui("00-50-56-aa").unwrap(), [0, 0x50, 0x56]);
        assert!(parse_oui("0:9:fb").is_err());
        assert_eq!(
            parse_prefix("00:50:c2:05:b0").unwrap(),
            vec![0, 0x50, 0xc2, 5, 0xb0]
        );
        assert_eq!(parse_prefix("00:09:fb").unwrap(), vec![0, 9, 0xfb]);
        assert!(parse_prefix("00:09").is_err());
        assert!(parse_prefix("00:09:fb:00:00:00").is_err());
    }

    #[test]
    fn long_registry_prefixes_are_kept() {
        let catalog = catalog();
        let abl = catalog.model("radiometer-abl90").unwrap();
        assert_eq!(
            model_ouis(abl),
            vec![
                vec![0, 0x50, 0xc2, 0x05, 0xb0],
                vec![0, 0x50, 0xc2, 0x85, 0xe0]
            ]
        );
        let cfg = WardConfig::default_ward().unwrap();
        let mut b = Builder {
            cfg: &cfg,
            catalog: &catalog,
            seed: 7,
            hosts: Vec::new(),
            macs: BTreeSet::new(),
            used_ips: BTreeSet::new(),
        };
        let prefixes = model_ouis(abl);
        let macs: Vec<[u8; 6]> = (0..300)
            .map(|i| b.draw(&format!("abl/{i}"), &prefixes, &[]).mac)
            .collect();
        assert!(
            macs[..10]
                .iter()
                .all(|m| m[..4] == [0, 0x50, 0xc2, 0x05] || m[..4] == [0, 0x50, 0xc2, 0x85])
        );
        assert!(macs[..10].iter().all(|m| m[4] == 0xb0 || m[4] == 0xe0));
        let unique: std::collections::BTreeSet<_> = macs.iter().collect();
        assert_eq!(unique.len(), 300, "a full block falls back to the OUI");
    }
}
