//! Scanning scenarios: the compromised pump's host and port sweep, the Mirai-like telnet scan
//! and the rogue device's ARP and port scan.

use super::run::Effect;
use super::run::{Cx, Dial, Run};
use crate::engine::world::Peer;
use crate::engine::world::{Ports, World};
use crate::ward::HostId;
use crate::wire::conv::{Body, Conversation, ListScript};
use crate::wire::frame::{self, Arp, ArpOp, L2};
use crate::wire::tcp::{TcpConv, TcpOutcome};
use rand::{Rng as _, RngCore};
use std::net::Ipv4Addr;

impl Run {
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

    /// A SYN probe of `port` on `target`: open, closed or unanswered as the ward says.
    fn probe(
        &mut self,
        w: &World,
        ports: &mut Ports,
        t: u64,
        target: (Ipv4Addr, Option<HostId>, u16),
    ) -> Conversation {
        let port = target.2;
        let (peer, outcome) = match target.1 {
            Some(h) if w.serves(h, port) => (Peer::Host(h), TcpOutcome::ProbeOpen),
            Some(h) => (Peer::Host(h), TcpOutcome::Refused),
            None => (Peer::Remote(target.0), TcpOutcome::NoAnswer { retries: 1 }),
        };
        self.tcp(
            w,
            ports,
            Dial {
                at: t,
                to: (peer, port),
                outcome,
            },
            Vec::new(),
        )
    }

    pub(super) fn pump_scan(
        &mut self,
        cx: &mut Cx,
        targets: &[(Ipv4Addr, Option<HostId>)],
        probe_ports: &[u16],
        gap_us: u64,
    ) {
        let (w, t) = (cx.w, cx.t);
        let ports = &mut *cx.ports;
        let s = &mut cx.out;
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
            .push(self.probe(w, ports, t + 1_000, (target.0, target.1, probe_ports[pi])));
        self.i += 1;
    }

    pub(super) fn telnet(&mut self, cx: &mut Cx, probes: u32, gap_us: u64) {
        let (w, t) = (cx.w, cx.t);
        let ports = &mut *cx.ports;
        let s = &mut cx.out;
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

    pub(super) fn rogue(&mut self, cx: &mut Cx) {
        let (w, t) = (cx.w, cx.t);
        let ports = &mut *cx.ports;
        let s = &mut cx.out;
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
                    .push(self.probe(w, ports, t, (ip, Some(h), PORTS[(self.i % n) as usize])));
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
}
