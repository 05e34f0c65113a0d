//! The choices of each scenario kind: attacker, victims, timing and parameters.

use super::ScenarioKind;
use super::plan::{MINUTE, Params, Plan, Planner, mac_text, missing, public_ip};
use crate::error::SynthError;
use crate::seed::Rng;
use crate::ward::{Host, HostId, HostKind};
use rand::{Rng as _, RngCore};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::EmittedIdentity;

impl Planner<'_> {
    pub(super) fn plan_lateral_movement(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::LateralMovement;
        let a = self.pick(rng, kind, "Windows workstation", |h| {
            h.kind == HostKind::Device && h.class == "workstation"
        })?;
        let mut pool: Vec<HostId> = self
            .ward
            .inventory()
            .filter(|(i, h)| *i != a && h.area.is_some() && self.windows(h))
            .map(|(i, _)| i)
            .collect();
        let n = rng.gen_range(6..=12).min(pool.len());
        let mut victims = Vec::new();
        for _ in 0..n {
            victims.push(pool.swap_remove(rng.gen_range(0..pool.len())));
        }
        let want = rng.gen_range(6..=12) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        plan.params = Params::LateralMovement {
            gap_us: dur / (victims.len() as u64).max(1),
        };
        plan.attacker = a;
        plan.victim_hosts = victims;
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "compromised workstation {} copies PSEXESVC.exe to ADMIN$ and opens the svcctl pipe (PsExec), and opens RDP and WinRM sessions, on {} internal hosts",
            self.ward.hosts[a].hostname,
            plan.victim_hosts.len()
        );
        Ok(())
    }

    pub(super) fn plan_pump_scan(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::PumpScan;
        let a = self.pick(rng, kind, "infusion pump", |h| {
            h.kind == HostKind::Device
                && ["infusion_pump", "syringe_pump", "pump_dock"].contains(&h.class.as_str())
        })?;
        let area = self.ward.hosts[a].area.unwrap_or(0);
        let mut targets: Vec<(Ipv4Addr, Option<HostId>)> = Vec::new();
        let mut by_ip: BTreeMap<Ipv4Addr, HostId> =
            self.ward.inventory().map(|(i, h)| (h.ip, i)).collect();
        by_ip.insert(self.ward.areas[area].gateway_ip, self.ward.gateway);
        let server_area = self
            .ward
            .role("dc")
            .and_then(|dc| self.ward.hosts[dc].area)
            .unwrap_or(area);
        for net in [
            self.ward.areas[area].subnet,
            self.ward.areas[server_area].subnet,
        ] {
            for ip in net.hosts() {
                if ip != self.ward.hosts[a].ip && !targets.iter().any(|t| t.0 == ip) {
                    targets.push((ip, by_ip.get(&ip).copied()));
                }
            }
        }
        let ports = vec![21, 22, 23, 80, 443, 445, 3389, 104, 2575, 8080];
        let probes = targets.len() as u64 * ports.len() as u64;
        let gap_us = rng.gen_range(15_000..40_000);
        let (start, _) = self.time(rng, probes * gap_us, false);
        plan.attacker = a;
        plan.victim_hosts = targets.iter().filter_map(|t| t.1).collect();
        plan.victims = targets.iter().map(|t| t.0).collect();
        (plan.start, plan.end) = (start, start + probes * gap_us);
        plan.description = format!(
            "compromised infusion pump {} sweeps {} addresses of its own and the server subnet on {} ports (SYN probes, most unanswered or reset)",
            self.ward.hosts[a].hostname,
            targets.len(),
            ports.len()
        );
        plan.params = Params::PumpScan {
            targets,
            ports,
            gap_us,
        };
        Ok(())
    }

    pub(super) fn plan_telnet_scan(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::TelnetScan;
        let a = self.pick(rng, kind, "IP camera", |h| class_is(h, &["ip_camera"]))?;
        let gap_us = rng.gen_range(10_000..30_000);
        let want = rng.gen_range(1..=3) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        let probes = (dur / gap_us) as u32;
        plan.attacker = a;
        (plan.start, plan.end) = (start, start + u64::from(probes) * gap_us);
        plan.description = format!(
            "camera {} runs a Mirai-like telnet scan: {probes} SYNs to random addresses on 23/2323 with sequence number = target address",
            self.ward.hosts[a].hostname
        );
        plan.params = Params::TelnetScan { probes, gap_us };
        Ok(())
    }

    pub(super) fn plan_beaconing(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::Beaconing;
        let a = self.pick(rng, kind, "patient monitor", |h| {
            class_is(h, &["patient_monitor"])
        })?;
        let c2 = public_ip(rng);
        let domain = format!(
            "{}.cdn-telemetry.example",
            (0..8)
                .map(|_| (b'a' + rng.gen_range(0..26)) as char)
                .collect::<String>()
        );
        let period_us = rng.gen_range(45..=120) * 1_000_000;
        let want = rng.gen_range(20..=40) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        let host = self.remote_host("c2", c2);
        plan.attacker = a;
        plan.victims = vec![c2];
        plan.victim_hosts = vec![host];
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "patient monitor {} resolves {domain} and calls back over TLS every {} s (±5 %) with similar sizes",
            self.ward.hosts[a].hostname,
            period_us / 1_000_000
        );
        plan.params = Params::Beaconing {
            c2,
            domain,
            period_us,
        };
        Ok(())
    }

    pub(super) fn plan_dicom_exfiltration(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::DicomExfiltration;
        let a = match self.ward.role("pacs") {
            Some(p) if !self.used.contains(&p) => p,
            _ => self.pick(rng, kind, "PACS or imaging modality", |h| {
                class_is(h, &["ct", "mri", "xray", "ultrasound"])
            })?,
        };
        self.used.insert(a);
        let dest = public_ip(rng);
        let port = if rng.gen_bool(0.5) { 104 } else { 11112 };
        let bytes = rng.gen_range(150_000_000..400_000_000usize);
        let (start, dur) = self.time(rng, 5 * MINUTE, false);
        self.remote_host("exfil", dest);
        plan.attacker = a;
        plan.victims = vec![dest];
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "{} sends a large DICOM C-STORE transfer to external {dest}:{port}",
            self.ward.hosts[a].hostname
        );
        plan.params = Params::DicomExfiltration { dest, port, bytes };
        Ok(())
    }

    pub(super) fn plan_vendor_remote_access(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::VendorRemoteAccess;
        let v = self.pick(rng, kind, "imaging modality", |h| {
            class_is(h, &["ct", "mri", "xray", "ultrasound"])
        })?;
        let from = public_ip(rng);
        let port = [3389, 5900, 5938][rng.gen_range(0..3)];
        let want = rng.gen_range(10..=25) * MINUTE;
        let (start, dur) = self.time(rng, want, true);
        let a = self.remote_host("remote-access", from);
        let when = if self.clock.is_night(wardwatch_flow::Timestamp(start)) {
            "at night"
        } else {
            "outside the usual service pattern (the capture has no night hours after the warm-up)"
        };
        let proto = match port {
            3389 => "RDP",
            5900 => "VNC",
            _ => "TeamViewer-like",
        };
        plan.attacker = a;
        plan.victim_hosts = vec![v];
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "inbound {proto} session (port {port}) from external {from} to modality {} {when}",
            self.ward.hosts[v].hostname
        );
        plan.params = Params::VendorRemoteAccess { from, port };
        Ok(())
    }

    pub(super) fn plan_arp_spoofing(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::ArpSpoofing;
        let a = self.pick_ranked(rng, kind, "device", |h| {
            match (h.kind == HostKind::Device, h.class.as_str(), h.ttl) {
                (true, "workstation", _) => Some(0),
                (true, _, 128) => Some(1),
                (true, _, _) => Some(2),
                _ => None,
            }
        })?;
        let area = self.ward.hosts[a].area.unwrap_or(0);
        let gateway_ip = self.ward.areas[area].gateway_ip;
        let mut pool: Vec<HostId> = self
            .ward
            .inventory()
            .filter(|(i, h)| *i != a && h.area == Some(area) && h.kind == HostKind::Device)
            .map(|(i, _)| i)
            .collect();
        let mut victims = Vec::new();
        for _ in 0..rng.gen_range(3..=6).min(pool.len()) {
            victims.push(pool.swap_remove(rng.gen_range(0..pool.len())));
        }
        let want = rng.gen_range(5..=10) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        plan.attacker = a;
        plan.victims = vec![gateway_ip];
        plan.victim_hosts = victims;
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "{} ({}) sends gratuitous ARP replies claiming gateway {gateway_ip}, and poisons {} hosts of its VLAN",
            self.ward.hosts[a].hostname,
            mac_text(self.ward.hosts[a].mac),
            plan.victim_hosts.len()
        );
        plan.params = Params::ArpSpoofing { gateway_ip };
        Ok(())
    }

    pub(super) fn plan_ssh_brute_force(
        &mut self,
        rng: &mut Rng,
        plan: &mut Plan,
        served: &BTreeMap<HostId, BTreeSet<u16>>,
    ) -> Result<(), SynthError> {
        let kind = ScenarioKind::SshBruteForce;
        // GE CIC Pro centrals expose SSH with a shared key (MDhex, CVE-2020-6961); else
        // the switch's management SSH.
        let v = self
            .ward
            .inventory()
            .find(|(i, h)| {
                h.class == "central_station"
                    && (served.get(i).is_some_and(|s| s.contains(&22)) || h.ttl == 128)
            })
            .map(|(i, _)| i)
            .unwrap_or(self.ward.gateway);
        let a = self.pick_ranked(rng, kind, "device", |h| {
            match (h.kind == HostKind::Device, h.class.as_str(), h.ttl) {
                (true, "workstation", _) => Some(0),
                (true, _, 128) => Some(1),
                (true, _, _) => Some(2),
                _ => None,
            }
        })?;
        let gap_us = rng.gen_range(700_000..2_000_000);
        let want = rng.gen_range(3..=8) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        let attempts = (dur / gap_us) as u32;
        plan.attacker = a;
        plan.victim_hosts = vec![v];
        (plan.start, plan.end) = (start, start + u64::from(attempts) * gap_us);
        plan.description = format!(
            "{} opens {attempts} short SSH connections to {} guessing passwords (1-3 tries each)",
            self.ward.hosts[a].hostname, self.ward.hosts[v].hostname
        );
        plan.params = Params::SshBruteForce { attempts, gap_us };
        Ok(())
    }

    pub(super) fn firmware(&mut self, rng: &mut Rng, plan: &mut Plan) -> Result<(), SynthError> {
        let catalog = self.catalog;
        // A device whose model lists another software version (an upgrade, or a downgrade for
        // a device on the newest one) and whose version is on the wire in what it says on its
        // own (a change nobody can see is not this scenario).
        let a = self.pick(
            rng,
            ScenarioKind::FirmwareChange,
            "device whose model lists another software version and puts it on the wire",
            |h| {
                h.kind == HostKind::Device
                    && h.model.is_some_and(|m| {
                        let model = &catalog.models[m];
                        model.software_versions.iter().any(|v| *v != h.version)
                            && crate::identity::shows_version(&model.emits)
                    })
            },
        )?;
        let h = self.ward.hosts[a].clone();
        let versions = h
            .model
            .map(|m| catalog.models[m].software_versions.clone())
            .unwrap_or_default();
        let from = h.version.clone();
        let at = versions.iter().position(|v| *v == from).unwrap_or(0);
        let to = versions
            .get(at + 1)
            .or_else(|| at.checked_sub(1).and_then(|i| versions.get(i)))
            .cloned()
            .unwrap_or_else(|| format!("{from}-1"));
        let update_ip = public_ip(rng);
        let vendor: String = h
            .vendor
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let update_name = format!("fw-update.{vendor}.example");
        let (start, _) = self.time(rng, 30 * MINUTE, false);
        self.remote_host("firmware-update", update_ip);
        plan.attacker = a;
        plan.victims = vec![update_ip];
        (plan.start, plan.end) = (start, self.hi);
        plan.description = format!(
            "{} reboots with firmware {to} (was {from}): its emitted version strings change and it starts calling {update_name} over TLS",
            h.hostname
        );
        plan.params = Params::FirmwareChange {
            from,
            to,
            update_ip,
            update_name,
        };
        Ok(())
    }

    pub(super) fn rogue(&mut self, rng: &mut Rng, plan: &mut Plan) -> Result<(), SynthError> {
        let area = self
            .ward
            .areas
            .iter()
            .position(|a| a.name == "clinical_it")
            .unwrap_or(0);
        let net = self.ward.areas[area].subnet;
        let used: BTreeSet<Ipv4Addr> = self.ward.hosts.iter().map(|h| h.ip).collect();
        let ip = net
            .hosts()
            .rev()
            .find(|ip| !used.contains(ip))
            .ok_or_else(|| missing(ScenarioKind::RogueDevice, "free address for a rogue device"))?;
        let mut mac = [0u8; 6];
        rng.fill_bytes(&mut mac);
        mac[0] = (mac[0] & 0xfc) | 0x02;
        let mut host = attacker_host("rogue", mac, ip, Some(area), 64);
        host.hostname = "raspberrypi".into();
        host.identity.dhcp = Some(wardwatch_flow::catalog::DhcpIdentity {
            hostname: Some("raspberrypi".into()),
            vendor_class: Some("dhcpcd-9.4.1:Linux-6.1.21-v8+:aarch64:BCM2835".into()),
            params: vec![1, 121, 33, 3, 6, 12, 15, 26, 28, 51, 54, 58, 59, 119],
            client_id: true,
        });
        host.dhcp = true;
        self.ward.hosts.push(host);
        let id = self.ward.hosts.len() - 1;
        let victims: Vec<HostId> = self
            .ward
            .inventory()
            .filter(|(_, h)| h.area == Some(area))
            .map(|(i, _)| i)
            .collect();
        let want = rng.gen_range(5..=10) * MINUTE;
        let (start, dur) = self.time(rng, want, false);
        plan.attacker = id;
        plan.victim_hosts = victims;
        (plan.start, plan.end) = (start, start + dur);
        plan.description = format!(
            "unknown device {} (locally administered MAC, dhcpcd on aarch64) joins {}, takes a DHCP lease, ARP-scans the subnet and port-scans the hosts it finds",
            mac_text(mac),
            net
        );
        plan.params = Params::RogueDevice;
        Ok(())
    }
}

fn class_is(h: &Host, classes: &[&str]) -> bool {
    h.kind == HostKind::Device && classes.contains(&h.class.as_str())
}

/// A host that exists only for a scenario.
pub(super) fn attacker_host(
    label: &str,
    mac: [u8; 6],
    ip: Ipv4Addr,
    area: Option<usize>,
    ttl: u8,
) -> Host {
    Host {
        label: format!("scenario/{label}"),
        kind: HostKind::Attacker,
        mac,
        ip,
        area,
        model: None,
        n: 1,
        hostname: label.to_owned(),
        fqdn: None,
        vendor: String::new(),
        class: "unknown".into(),
        location: String::new(),
        version: String::new(),
        serial: String::new(),
        ttl,
        identity: EmittedIdentity::default(),
        rate_scale: 1.0,
        dhcp: false,
    }
}
