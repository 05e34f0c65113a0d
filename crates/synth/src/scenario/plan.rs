//! Planning: which host attacks, whom, when and how, drawn from each scenario's own seeded
//! stream (`scenario/<kind>`), after the warm-up and inside the capture.

use super::ScenarioKind;
use super::choose::attacker_host;
use crate::activity::Clock;
use crate::error::SynthError;
use crate::seed::{self, Rng};
use crate::ward::{Host, HostId, Ward};
use rand::{Rng as _, RngCore};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::Catalog;

pub(super) const MINUTE: u64 = 60_000_000;

/// What a scenario does, with its kind-specific parameters.
#[derive(Clone, Debug)]
pub enum Params {
    /// PsExec/RDP/WinRM to each victim, `gap_us` apart.
    LateralMovement {
        /// Time between victims.
        gap_us: u64,
    },
    /// Host and port scan of `targets` on `ports`.
    PumpScan {
        /// Addresses scanned, with the host behind each (if any).
        targets: Vec<(Ipv4Addr, Option<HostId>)>,
        /// Ports probed on each target.
        ports: Vec<u16>,
        /// Time between probes.
        gap_us: u64,
    },
    /// `probes` telnet SYNs to random public addresses.
    TelnetScan {
        /// Number of probes.
        probes: u32,
        /// Time between probes.
        gap_us: u64,
    },
    /// TLS callbacks to a C2 server.
    Beaconing {
        /// C2 address.
        c2: Ipv4Addr,
        /// C2 domain.
        domain: String,
        /// Mean period.
        period_us: u64,
    },
    /// One large DICOM transfer out.
    DicomExfiltration {
        /// Destination.
        dest: Ipv4Addr,
        /// Destination port.
        port: u16,
        /// Bytes of images.
        bytes: usize,
    },
    /// An inbound remote-desktop/support session.
    VendorRemoteAccess {
        /// Remote address.
        from: Ipv4Addr,
        /// Port on the victim (3389 RDP, 5900 VNC, 5938 TeamViewer).
        port: u16,
    },
    /// Gratuitous ARP replies for the gateway address.
    ArpSpoofing {
        /// The gateway address claimed.
        gateway_ip: Ipv4Addr,
    },
    /// New firmware version and behaviour.
    FirmwareChange {
        /// Version before.
        from: String,
        /// Version after.
        to: String,
        /// New update server address.
        update_ip: Ipv4Addr,
        /// Its name.
        update_name: String,
    },
    /// A new device joins, ARP-scans and port-scans.
    RogueDevice,
    /// Password guessing over SSH.
    SshBruteForce {
        /// Connections.
        attempts: u32,
        /// Time between connections.
        gap_us: u64,
    },
}

/// One planned scenario.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Kind.
    pub kind: ScenarioKind,
    /// The attacking host (a ward host, a rogue host or a remote attacker host).
    pub attacker: HostId,
    /// Victim hosts or addresses.
    pub victims: Vec<Ipv4Addr>,
    /// Victim hosts of the ward (same order as far as they are hosts).
    pub victim_hosts: Vec<HostId>,
    /// Planned start, microseconds.
    pub start: u64,
    /// Planned end, microseconds.
    pub end: u64,
    /// What happens, in a sentence.
    pub description: String,
    /// Kind-specific parameters.
    pub params: Params,
}

pub(super) struct Planner<'a> {
    pub(super) ward: &'a mut Ward,
    pub(super) catalog: &'a Catalog,
    pub(super) clock: Clock,
    pub(super) lo: u64,
    pub(super) hi: u64,
    pub(super) used: BTreeSet<HostId>,
}

/// Plans `kinds` in `[start, end)` after `warmup_us`. Adds the hosts scenarios bring (rogue
/// device, remote attackers) to `ward`.
pub fn plan(
    ward: &mut Ward,
    catalog: &Catalog,
    served: &BTreeMap<HostId, BTreeSet<u16>>,
    kinds: &[ScenarioKind],
    run_seed: u64,
    window: (u64, u64, u64),
    clock: Clock,
) -> Result<Vec<Plan>, SynthError> {
    let (start, end, warmup) = window;
    let lo = start + warmup;
    if !kinds.is_empty() && end.saturating_sub(lo) < 4 * MINUTE {
        return Err(SynthError::Param {
            flag: "--duration",
            reason:
                "too short for scenarios after the warm-up; use at least 10m, or --scenarios none"
                    .into(),
        });
    }
    let mut p = Planner {
        ward,
        catalog,
        clock,
        lo,
        hi: end,
        used: BTreeSet::new(),
    };
    let mut out = Vec::new();
    for &kind in kinds {
        let mut rng = seed::rng(run_seed, &format!("scenario/{}", kind.name()));
        out.push(p.one(kind, &mut rng, served)?);
    }
    Ok(out)
}

pub(super) fn missing(kind: ScenarioKind, what: &str) -> SynthError {
    SynthError::Scenario {
        scenario: kind.name(),
        reason: format!(
            "the ward has no {what}; add one to the ward config or leave the scenario out"
        ),
    }
}

pub(super) fn public_ip(rng: &mut Rng) -> Ipv4Addr {
    loop {
        let ip = Ipv4Addr::from(rng.next_u32());
        let o = ip.octets();
        let reserved = ip.is_private()
            || ip.is_loopback()
            || ip.is_link_local()
            || ip.is_multicast()
            || ip.is_broadcast()
            || o[0] == 0
            || o[0] >= 224
            || (o[0] == 100 && (64..128).contains(&o[1]))
            || (o[0] == 198 && (18..20).contains(&o[1]));
        if !reserved {
            return ip;
        }
    }
}

impl Planner<'_> {
    pub(super) fn pick(
        &mut self,
        rng: &mut Rng,
        kind: ScenarioKind,
        what: &str,
        ok: impl Fn(&Host) -> bool,
    ) -> Result<HostId, SynthError> {
        self.pick_ranked(rng, kind, what, |h| ok(h).then_some(0))
    }

    /// Picks a host among the best-ranked eligible ones (lower rank first), preferring hosts no
    /// other scenario attacks from.
    pub(super) fn pick_ranked(
        &mut self,
        rng: &mut Rng,
        kind: ScenarioKind,
        what: &str,
        rank: impl Fn(&Host) -> Option<u8>,
    ) -> Result<HostId, SynthError> {
        let ranked: Vec<(u8, HostId)> = self
            .ward
            .inventory()
            .filter_map(|(i, h)| rank(h).map(|r| (r, i)))
            .collect();
        let best = |pool: &[(u8, HostId)]| -> Vec<HostId> {
            let top = pool.iter().map(|p| p.0).min();
            pool.iter()
                .filter(|p| Some(p.0) == top)
                .map(|p| p.1)
                .collect()
        };
        let fresh: Vec<(u8, HostId)> = ranked
            .iter()
            .copied()
            .filter(|(_, i)| !self.used.contains(i))
            .collect();
        let pool = if fresh.is_empty() {
            best(&ranked)
        } else {
            best(&fresh)
        };
        if pool.is_empty() {
            return Err(missing(kind, what));
        }
        let id = pool[rng.gen_range(0..pool.len())];
        self.used.insert(id);
        Ok(id)
    }

    /// A start time for a scenario of `dur` (shortened to fit), optionally at night.
    pub(super) fn time(&self, rng: &mut Rng, dur: u64, night: bool) -> (u64, u64) {
        let room = self.hi.saturating_sub(self.lo);
        let dur = dur.min(room * 6 / 10).max(MINUTE);
        let latest = self.hi.saturating_sub(dur).max(self.lo);
        if night {
            let step = 5 * MINUTE;
            let candidates: Vec<u64> = (0..=(latest - self.lo) / step)
                .map(|i| self.lo + i * step)
                .filter(|&t| {
                    self.clock.is_night(wardwatch_flow::Timestamp(t))
                        && self.clock.is_night(wardwatch_flow::Timestamp(t + dur))
                })
                .collect();
            if !candidates.is_empty() {
                return (candidates[rng.gen_range(0..candidates.len())], dur);
            }
        }
        (rng.gen_range(self.lo..=latest), dur)
    }

    pub(super) fn remote_host(&mut self, label: &str, ip: Ipv4Addr) -> HostId {
        let gw = self.ward.gateway_mac();
        self.ward.hosts.push(attacker_host(label, gw, ip, None, 64));
        self.ward.hosts.len() - 1
    }

    pub(super) fn windows(&self, h: &Host) -> bool {
        h.ttl == 128
    }

    fn one(
        &mut self,
        kind: ScenarioKind,
        rng: &mut Rng,
        served: &BTreeMap<HostId, BTreeSet<u16>>,
    ) -> Result<Plan, SynthError> {
        use ScenarioKind::*;
        let mut plan = Plan {
            kind,
            attacker: 0,
            victims: Vec::new(),
            victim_hosts: Vec::new(),
            start: 0,
            end: 0,
            description: String::new(),
            params: Params::RogueDevice,
        };
        match kind {
            LateralMovement => self.plan_lateral_movement(rng, &mut plan)?,
            PumpScan => self.plan_pump_scan(rng, &mut plan)?,
            TelnetScan => self.plan_telnet_scan(rng, &mut plan)?,
            Beaconing => self.plan_beaconing(rng, &mut plan)?,
            DicomExfiltration => self.plan_dicom_exfiltration(rng, &mut plan)?,
            VendorRemoteAccess => self.plan_vendor_remote_access(rng, &mut plan)?,
            ArpSpoofing => self.plan_arp_spoofing(rng, &mut plan)?,
            FirmwareChange => self.firmware(rng, &mut plan)?,
            RogueDevice => self.rogue(rng, &mut plan)?,
            SshBruteForce => self.plan_ssh_brute_force(rng, &mut plan, served)?,
        }
        for &h in &plan.victim_hosts {
            let ip = self.ward.hosts[h].ip;
            if !plan.victims.contains(&ip) {
                plan.victims.push(ip);
            }
        }
        Ok(plan)
    }
}

/// `aa:bb:cc:dd:ee:ff`.
pub fn mac_text(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}
