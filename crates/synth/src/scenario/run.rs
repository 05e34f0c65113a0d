//! Running a planned scenario: each step launches the conversations due at its time and says
//! when the next step is. State is a few counters, so a long scenario costs no memory.

use super::ScenarioKind;
use super::plan::{Params, Plan};
use crate::engine::kinds_app::{ae_identity, rdp_messages};
use crate::engine::world::{Peer, Ports, World};
use crate::proto::dicom::{AeIdentity, StoreParams, StoreScript};
use crate::proto::{self, dns, http, smb2, ssh, tls, vnc};
use crate::seed::{self, Rng};
use crate::sink::Origin;
use crate::ward::HostId;
use crate::wire::conv::{Body, Conversation, FrameConv, ListScript, Message, Side};
use crate::wire::frame::{self, Arp, ArpOp, L2};
use crate::wire::tcp::{TcpConv, TcpOutcome};
use rand::{Rng as _, RngCore, SeedableRng};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::{Activity, TrafficKind, TrafficSpec};
use wardwatch_flow::event::Direction;

/// A change a scenario makes to the ward.
#[derive(Clone, Debug)]
pub enum Effect {
    /// The host now runs `version` (its identity is filled in again).
    SetVersion(HostId, String),
    /// The host starts a new recurring traffic item towards `peer`.
    AddItem(HostId, Box<TrafficSpec>, Peer),
    /// The host (re)boots now: DHCP DORA or gratuitous ARP, with its current identity.
    Reboot(HostId),
}

/// What a step produced.
#[derive(Default)]
pub struct Step {
    /// Conversations to start.
    pub convs: Vec<Conversation>,
    /// Changes to apply before them.
    pub effects: Vec<Effect>,
    /// When to step again.
    pub next: Option<u64>,
}

/// A scenario in progress.
pub struct Run {
    /// The plan.
    pub plan: Plan,
    /// Index in the labels file.
    pub index: usize,
    rng: Rng,
    i: u64,
    phase: u8,
    live: Vec<HostId>,
    origin: Origin,
}

impl Run {
    /// Starts running `plan` (labels index `index`).
    pub fn new(plan: Plan, index: usize, run_seed: u64) -> Run {
        let rng = seed::rng(run_seed, &format!("scenario-run/{}", plan.kind.name()));
        Run {
            plan,
            index,
            rng,
            i: 0,
            phase: 0,
            live: Vec::new(),
            origin: Origin::Scenario(index),
        }
    }

    fn tcp(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        to: (Peer, u16),
        outcome: TcpOutcome,
        msgs: Vec<Message>,
    ) -> Conversation {
        let a = self.plan.attacker;
        let path = w.path(&mut self.rng, a, (Peer::Host(a), ports.next(a)), to);
        w.tcp(
            &mut self.rng,
            path,
            t,
            outcome,
            ListScript::new(msgs),
            self.origin,
        )
    }

    fn frames(&self, frames: Vec<(u64, Vec<u8>)>) -> Conversation {
        Conversation {
            origin: self.origin,
            owner: None,
            body: Body::Frames(FrameConv::new(frames)),
        }
    }

    /// Launches what is due at `t`.
    pub fn step(&mut self, w: &World, ports: &mut Ports, t: u64) -> Step {
        let mut s = Step::default();
        match (self.plan.kind, self.plan.params.clone()) {
            (ScenarioKind::LateralMovement, Params::LateralMovement { gap_us }) => {
                self.lateral(w, ports, t, gap_us, &mut s)
            }
            (
                ScenarioKind::PumpScan,
                Params::PumpScan {
                    targets,
                    ports: probe_ports,
                    gap_us,
                },
            ) => self.pump_scan(w, ports, t, &targets, &probe_ports, gap_us, &mut s),
            (ScenarioKind::TelnetScan, Params::TelnetScan { probes, gap_us }) => {
                self.telnet(w, ports, t, probes, gap_us, &mut s)
            }
            (
                ScenarioKind::Beaconing,
                Params::Beaconing {
                    c2,
                    domain,
                    period_us,
                },
            ) => self.beacon(w, ports, t, c2, &domain, period_us, &mut s),
            (ScenarioKind::DicomExfiltration, Params::DicomExfiltration { dest, port, bytes }) => {
                let calling = ae_identity(w, self.plan.attacker);
                // The receiving tool identifies as pynetdicom (its registered UID root).
                let called = AeIdentity {
                    ae_title: "ARCHIVE01".into(),
                    impl_class_uid: "1.2.826.0.1.3680043.9.3811.2.0.0".into(),
                    impl_version: Some("PYNETDICOM_200".into()),
                };
                let total = ((bytes as f64 * w.cfg.traffic.bytes_scale) as usize).max(1_000_000);
                let p = StoreParams {
                    calling,
                    called,
                    sop_class: "1.2.840.10008.5.1.4.1.1.2".into(),
                    modality: "CT".into(),
                    date: "20251201".into(),
                    total_bytes: total,
                };
                let script = StoreScript::new(p, Rng::seed_from_u64(self.rng.next_u64()));
                let a = self.plan.attacker;
                let path = w.path(
                    &mut self.rng,
                    a,
                    (Peer::Host(a), ports.next(a)),
                    (Peer::Remote(dest), port),
                );
                s.convs.push(w.tcp(
                    &mut self.rng,
                    path,
                    t,
                    TcpOutcome::Complete,
                    Box::new(script),
                    self.origin,
                ));
            }
            (ScenarioKind::VendorRemoteAccess, Params::VendorRemoteAccess { from, port }) => {
                self.remote(w, t, from, port, &mut s)
            }
            (ScenarioKind::ArpSpoofing, Params::ArpSpoofing { gateway_ip }) => {
                self.arp_spoof(w, t, gateway_ip, &mut s)
            }
            (
                ScenarioKind::FirmwareChange,
                Params::FirmwareChange {
                    to,
                    update_ip,
                    update_name,
                    ..
                },
            ) => {
                let a = self.plan.attacker;
                s.effects.push(Effect::SetVersion(a, to));
                s.effects.push(Effect::Reboot(a));
                let spec = TrafficSpec {
                    kind: TrafficKind::Tls,
                    peer: "firmware_update".into(),
                    port: Some(443),
                    direction: Direction::Outbound,
                    every_s: 300.0,
                    jitter: 0.1,
                    bytes: Some([800, 3_000]),
                    reply_bytes: Some([2_000, 60_000]),
                    active: Activity::Always,
                    fail_rate: 0.0,
                    names: vec![update_name],
                };
                s.effects
                    .push(Effect::AddItem(a, Box::new(spec), Peer::Remote(update_ip)));
            }
            (ScenarioKind::RogueDevice, _) => self.rogue(w, ports, t, &mut s),
            (ScenarioKind::SshBruteForce, Params::SshBruteForce { attempts, gap_us }) => {
                self.ssh(w, ports, t, attempts, gap_us, &mut s)
            }
            _ => {}
        }
        s
    }

    fn lateral(&mut self, w: &World, ports: &mut Ports, t: u64, gap_us: u64, s: &mut Step) {
        let Some(&victim) = self.plan.victim_hosts.get(self.i as usize) else {
            return;
        };
        let a = self.plan.attacker;
        let vh = &w.ward.hosts[victim];
        let user = "svc_backup".to_owned();
        let names = crate::engine::kinds::ntlm_names(w, a, victim, &user, t);
        let name = vh.ip.to_string();
        let open = |port: u16| {
            if w.serves(victim, port) || vh.ttl == 128 {
                TcpOutcome::Complete
            } else {
                TcpOutcome::Refused
            }
        };
        let scale = w.cfg.traffic.bytes_scale;
        match self.i % 3 {
            0 => {
                let binary = ((381_816.0 * scale) as usize).max(20_000);
                let msgs = smb2::psexec(&mut self.rng, &names, &name, binary);
                s.convs
                    .push(self.tcp(w, ports, t, (Peer::Host(victim), 445), open(445), msgs));
            }
            1 => {
                let msgs = rdp_messages(
                    &mut self.rng,
                    "svc_backup",
                    &vh.hostname,
                    30_000,
                    ((600_000.0 * scale) as usize).max(30_000),
                );
                s.convs
                    .push(self.tcp(w, ports, t, (Peer::Host(victim), 3389), open(3389), msgs));
            }
            _ => {
                let mut msgs = Vec::new();
                for action in [
                    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
                    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command",
                    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive",
                ] {
                    msgs.push(Message::after(
                        Side::A,
                        http::winrm_request(&name, 5985, action),
                        50_000,
                    ));
                    let body = proto::text_filler(&mut self.rng, 900);
                    msgs.push(Message::after(
                        Side::B,
                        http::response(
                            200,
                            "OK",
                            Some("Microsoft-HTTPAPI/2.0"),
                            "application/soap+xml;charset=UTF-8",
                            body.as_bytes(),
                        ),
                        30_000,
                    ));
                }
                s.convs
                    .push(self.tcp(w, ports, t, (Peer::Host(victim), 5985), open(5985), msgs));
            }
        }
        self.i += 1;
        if (self.i as usize) < self.plan.victim_hosts.len() {
            s.next = Some(t + gap_us * self.rng.gen_range(80..=120) / 100);
        }
    }

    fn arp_probe(&self, w: &World, t: u64, target: Ipv4Addr, host: Option<HostId>) -> Conversation {
        let a = &w.ward.hosts[self.plan.attacker];
        let area = a.area.unwrap_or(0);
        let vlan = w.vlan(area);
        let mut frames = Vec::new();
        let req = Arp {
            op: ArpOp::Request,
            sha: a.mac,
            spa: a.ip,
            tha: [0; 6],
            tpa: target,
        };
        let mut out = Vec::new();
        if frame::arp(
            &mut out,
            &L2 {
                src: a.mac,
                dst: [0xff; 6],
                vlan,
            },
            &req,
        )
        .is_ok()
        {
            frames.push((t, out.clone()));
        }
        if let Some(h) = host {
            let v = &w.ward.hosts[h];
            let rep = Arp {
                op: ArpOp::Reply,
                sha: v.mac,
                spa: target,
                tha: a.mac,
                tpa: a.ip,
            };
            if frame::arp(
                &mut out,
                &L2 {
                    src: v.mac,
                    dst: a.mac,
                    vlan,
                },
                &rep,
            )
            .is_ok()
            {
                frames.push((t + 300, out));
            }
        }
        self.frames(frames)
    }

    fn probe(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        target: (Ipv4Addr, Option<HostId>),
        port: u16,
    ) -> Conversation {
        let (peer, outcome) = match target.1 {
            Some(h) if w.serves(h, port) => (Peer::Host(h), TcpOutcome::ProbeOpen),
            Some(h) => (Peer::Host(h), TcpOutcome::Refused),
            None => (Peer::Remote(target.0), TcpOutcome::NoAnswer { retries: 1 }),
        };
        self.tcp(w, ports, t, (peer, port), outcome, Vec::new())
    }

    #[allow(clippy::too_many_arguments)]
    fn pump_scan(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        targets: &[(Ipv4Addr, Option<HostId>)],
        probe_ports: &[u16],
        gap_us: u64,
        s: &mut Step,
    ) {
        let a_area = w.ward.hosts[self.plan.attacker].area;
        let n = probe_ports.len() as u64;
        let (ti, pi) = ((self.i / n) as usize, (self.i % n) as usize);
        let Some(&target) = targets.get(ti) else {
            return;
        };
        let local = w.ward.area_of(target.0) == a_area;
        s.next = Some(t + gap_us * self.rng.gen_range(50..=150) / 100);
        if pi == 0 && local {
            s.convs.push(self.arp_probe(w, t, target.0, target.1));
            if target.1.is_none() {
                // Nobody answered the ARP request: nmap does not probe the address.
                self.i += n;
                return;
            }
        }
        s.convs
            .push(self.probe(w, ports, t + 1_000, target, probe_ports[pi]));
        self.i += 1;
    }

    fn telnet(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        probes: u32,
        gap_us: u64,
        s: &mut Step,
    ) {
        if self.i >= u64::from(probes) {
            return;
        }
        let target = loop {
            let ip = Ipv4Addr::from(self.rng.next_u32());
            let o = ip.octets();
            if !(ip.is_private()
                || ip.is_loopback()
                || ip.is_multicast()
                || ip.is_link_local()
                || o[0] == 0
                || o[0] >= 224
                || [
                    3, 6, 7, 11, 15, 16, 21, 22, 26, 28, 29, 30, 33, 55, 56, 214, 215,
                ]
                .contains(&o[0]))
            {
                break ip;
            }
        };
        let port = if self.rng.gen_bool(0.9) { 23 } else { 2323 };
        let roll = self.rng.gen_range(0..100);
        let outcome = match roll {
            0 => TcpOutcome::ProbeOpen,
            1..=4 => TcpOutcome::Refused,
            _ => TcpOutcome::NoAnswer { retries: 0 },
        };
        let a = self.plan.attacker;
        let path = w.path(
            &mut self.rng,
            a,
            (Peer::Host(a), ports.next(a)),
            (Peer::Remote(target), port),
        );
        let mut params = w.tcp_params(&mut self.rng, &path, t, outcome);
        params.isn[0] = u32::from(target); // Mirai's scanner puts the target address in the sequence number
        let conv = TcpConv::new(path, params, ListScript::new(Vec::new()));
        s.convs.push(Conversation {
            origin: self.origin,
            owner: None,
            body: Body::Tcp(Box::new(conv)),
        });
        self.i += 1;
        s.next = Some(t + gap_us * self.rng.gen_range(50..=150) / 100);
    }

    #[allow(clippy::too_many_arguments)]
    fn beacon(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        c2: Ipv4Addr,
        domain: &str,
        period_us: u64,
        s: &mut Step,
    ) {
        if t > self.plan.end {
            return;
        }
        let a = self.plan.attacker;
        if self.i == 0
            && let Some(dns_host) = w.ward.role("dns")
        {
            let id = self.rng.r#gen();
            let msgs = vec![
                Message::new(Side::A, dns::query(id, domain)),
                Message::after(Side::B, dns::response(id, domain, Some(c2), 60), 30_000),
            ];
            let path = w.path(
                &mut self.rng,
                a,
                (Peer::Host(a), ports.next(a)),
                (Peer::Host(dns_host), 53),
            );
            s.convs.push(w.udp(
                &mut self.rng,
                path,
                t,
                false,
                ListScript::new(msgs),
                self.origin,
            ));
        }
        let mut session = [0u8; 32];
        self.rng.fill_bytes(&mut session);
        let up = 340 + self.rng.gen_range(0..40);
        let down = 560 + self.rng.gen_range(0..80);
        let msgs = vec![
            Message::new(Side::A, tls::client_hello(&mut self.rng, domain, &session)),
            Message::after(
                Side::B,
                tls::server_flight(&mut self.rng, &session, 2_900),
                1_000,
            ),
            Message::new(
                Side::A,
                [
                    tls::client_finish(&mut self.rng),
                    tls::app_data(&mut self.rng, up),
                ]
                .concat(),
            ),
            Message::after(Side::B, tls::app_data(&mut self.rng, down), 40_000),
        ];
        s.convs.push(self.tcp(
            w,
            ports,
            t + 100_000,
            (Peer::Remote(c2), 443),
            TcpOutcome::Complete,
            msgs,
        ));
        self.i += 1;
        s.next = Some(t + period_us * self.rng.gen_range(95..=105) / 100);
    }

    fn remote(&mut self, w: &World, t: u64, from: Ipv4Addr, port: u16, s: &mut Step) {
        let victim = self.plan.victim_hosts[0];
        let dur = self.plan.end - self.plan.start;
        let scale = w.cfg.traffic.bytes_scale;
        let mut msgs = match port {
            3389 => rdp_messages(
                &mut self.rng,
                "vendor",
                &w.ward.hosts[victim].hostname,
                10_000,
                20_000,
            )[..5]
                .to_vec(),
            5900 => vnc::handshake(&mut self.rng, &w.ward.hosts[victim].hostname),
            // TeamViewer-like: a proprietary binary protocol; the leading bytes are an assumption.
            _ => vec![
                Message::new(
                    Side::A,
                    [
                        vec![0x17, 0x24, 0x0a, 0x20],
                        proto::opaque(&mut self.rng, 60),
                    ]
                    .concat(),
                ),
                Message::after(
                    Side::B,
                    [
                        vec![0x17, 0x24, 0x0b, 0x20],
                        proto::opaque(&mut self.rng, 90),
                    ]
                    .concat(),
                    2_000,
                ),
            ],
        };
        // Interactive bursts over the whole planned session; screen-update sizes follow the
        // ward's byte scale (with a floor) so thinned wards keep the session's shape.
        let mut elapsed = 0u64;
        let big = scale >= 0.1;
        while elapsed < dur && msgs.len() < 4_000 {
            let gap = self.rng.gen_range(2_000_000..20_000_000);
            elapsed += gap;
            let n = ((self.rng.gen_range(2_000..40_000) as f64 * scale) as usize).max(300);
            match port {
                5900 => {
                    let side = if big {
                        self.rng.gen_range(16..64u16)
                    } else {
                        self.rng.gen_range(4..12u16)
                    };
                    msgs.extend(vnc::interaction(&mut self.rng, side, gap));
                }
                3389 => {
                    msgs.push(Message::after(
                        Side::A,
                        tls::app_data_rdp(&mut self.rng, 200),
                        gap,
                    ));
                    msgs.push(Message::after(
                        Side::B,
                        tls::app_data_rdp(&mut self.rng, n),
                        15_000,
                    ));
                }
                _ => {
                    msgs.push(Message::after(
                        Side::A,
                        [
                            vec![0x17, 0x24, 0x30, 0x00],
                            proto::opaque(&mut self.rng, 120),
                        ]
                        .concat(),
                        gap,
                    ));
                    msgs.push(Message::after(
                        Side::B,
                        [
                            vec![0x17, 0x24, 0x31, 0x00],
                            proto::opaque(&mut self.rng, n),
                        ]
                        .concat(),
                        15_000,
                    ));
                }
            }
        }
        let src_port = self.rng.gen_range(49_152..65_000);
        let path = w.path(
            &mut self.rng,
            victim,
            (Peer::Remote(from), src_port),
            (Peer::Host(victim), port),
        );
        s.convs.push(w.tcp(
            &mut self.rng,
            path,
            t,
            TcpOutcome::Complete,
            ListScript::new(msgs),
            self.origin,
        ));
    }

    fn arp_spoof(&mut self, w: &World, t: u64, gateway_ip: Ipv4Addr, s: &mut Step) {
        if t > self.plan.end {
            return;
        }
        let a = &w.ward.hosts[self.plan.attacker];
        let vlan = w.vlan(a.area.unwrap_or(0));
        let mut out = Vec::new();
        let mut frames = Vec::new();
        let grat = Arp {
            op: ArpOp::Reply,
            sha: a.mac,
            spa: gateway_ip,
            tha: [0xff; 6],
            tpa: gateway_ip,
        };
        if frame::arp(
            &mut out,
            &L2 {
                src: a.mac,
                dst: [0xff; 6],
                vlan,
            },
            &grat,
        )
        .is_ok()
        {
            frames.push((t, out.clone()));
        }
        for (k, &v) in self.plan.victim_hosts.iter().enumerate() {
            let vh = &w.ward.hosts[v];
            let rep = Arp {
                op: ArpOp::Reply,
                sha: a.mac,
                spa: gateway_ip,
                tha: vh.mac,
                tpa: vh.ip,
            };
            if frame::arp(
                &mut out,
                &L2 {
                    src: a.mac,
                    dst: vh.mac,
                    vlan,
                },
                &rep,
            )
            .is_ok()
            {
                frames.push((t + 200 * (k as u64 + 1), out.clone()));
            }
        }
        s.convs.push(self.frames(frames));
        s.next = Some(t + self.rng.gen_range(1_500_000..2_500_000));
    }

    fn rogue(&mut self, w: &World, ports: &mut Ports, t: u64, s: &mut Step) {
        let a = self.plan.attacker;
        let net = w.ward.areas[w.ward.hosts[a].area.unwrap_or(0)].subnet;
        match self.phase {
            0 => {
                s.effects.push(Effect::Reboot(a));
                self.phase = 1;
                s.next = Some(t + 20_000_000);
            }
            1 => {
                let addrs: Vec<Ipv4Addr> = net.hosts().collect();
                for _ in 0..4 {
                    let Some(&ip) = addrs.get(self.i as usize) else {
                        self.phase = 2;
                        self.i = 0;
                        break;
                    };
                    self.i += 1;
                    if ip == w.ward.hosts[a].ip {
                        continue;
                    }
                    let host = w
                        .ward
                        .inventory()
                        .find(|(_, h)| h.ip == ip && h.area.is_some())
                        .map(|(i, _)| i)
                        .or_else(|| {
                            (ip == w.ward.areas[w.ward.hosts[a].area.unwrap_or(0)].gateway_ip)
                                .then_some(w.ward.gateway)
                        });
                    if let Some(h) = host {
                        self.live.push(h);
                    }
                    s.convs
                        .push(self.arp_probe(w, t + self.i % 4 * 20_000, ip, host));
                }
                s.next = Some(t + 100_000);
            }
            2 => {
                const PORTS: [u16; 8] = [22, 23, 80, 443, 445, 3389, 8080, 104];
                let n = PORTS.len() as u64;
                let Some(&h) = self.live.get((self.i / n) as usize) else {
                    return;
                };
                let ip = if matches!(w.ward.hosts[h].kind, crate::ward::HostKind::Gateway) {
                    w.ward.areas[w.ward.hosts[a].area.unwrap_or(0)].gateway_ip
                } else {
                    w.ward.hosts[h].ip
                };
                s.convs
                    .push(self.probe(w, ports, t, (ip, Some(h)), PORTS[(self.i % n) as usize]));
                self.i += 1;
                s.next = if t < self.plan.end {
                    Some(t + self.rng.gen_range(20_000..60_000))
                } else {
                    None
                };
            }
            _ => {}
        }
    }

    fn ssh(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        attempts: u32,
        gap_us: u64,
        s: &mut Step,
    ) {
        if self.i >= u64::from(attempts) {
            return;
        }
        let victim = self.plan.victim_hosts[0];
        let tries = self.rng.gen_range(1..=3);
        let msgs = ssh::brute_force_attempt(
            &mut self.rng,
            "SSH-2.0-libssh_0.9.6",
            "SSH-2.0-OpenSSH_5.3",
            tries,
        );
        let a = self.plan.attacker;
        let path = w.path(
            &mut self.rng,
            a,
            (Peer::Host(a), ports.next(a)),
            (Peer::Host(victim), 22),
        );
        let mut params = w.tcp_params(&mut self.rng, &path, t, TcpOutcome::Complete);
        params.close_by = Side::B;
        let conv = TcpConv::new(path, params, ListScript::new(msgs));
        s.convs.push(Conversation {
            origin: self.origin,
            owner: None,
            body: Body::Tcp(Box::new(conv)),
        });
        self.i += 1;
        s.next = Some(t + gap_us * self.rng.gen_range(70..=130) / 100);
    }
}
