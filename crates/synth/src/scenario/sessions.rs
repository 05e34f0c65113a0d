//! Session scenarios: lateral movement, beaconing, DICOM exfiltration, vendor remote access,
//! ARP spoofing, firmware change and SSH brute force.

use super::run::Effect;
use super::run::{Cx, Dial, Run};
use crate::engine::kinds_app::{ae_identity, rdp_messages};
use crate::engine::world::Peer;
use crate::proto::dicom::{AeIdentity, StoreParams, StoreScript};
use crate::proto::{self, dns, http, smb2, ssh, tls, vnc};
use crate::seed::Rng;
use crate::wire::conv::{Body, Conversation, ListScript, Message, Side};
use crate::wire::frame::{self, Arp, ArpOp, L2};
use crate::wire::tcp::{TcpConv, TcpOutcome};
use rand::{Rng as _, RngCore, SeedableRng};
use std::net::Ipv4Addr;
use wardwatch_flow::catalog::{Activity, TrafficKind, TrafficSpec};
use wardwatch_flow::event::Direction;

impl Run {
    pub(super) fn lateral(&mut self, cx: &mut Cx, gap_us: u64) {
        let Some(&victim) = self.plan.victim_hosts.get(self.i as usize) else {
            return;
        };
        let (w, t) = (cx.w, cx.t);
        let vh = &w.ward.hosts[victim];
        let names =
            crate::engine::kinds::ntlm_names(w, self.plan.attacker, victim, "svc_backup", t);
        let name = vh.ip.to_string();
        let scale = w.cfg.traffic.bytes_scale;
        let (port, msgs) = match self.i % 3 {
            0 => {
                let binary = ((381_816.0 * scale) as usize).max(20_000);
                (445, smb2::psexec(&mut self.rng, &names, &name, binary))
            }
            1 => {
                let down = ((600_000.0 * scale) as usize).max(30_000);
                let mss = usize::from(w.cfg.traffic.mss);
                (
                    3389,
                    rdp_messages(
                        &mut self.rng,
                        "svc_backup",
                        &vh.hostname,
                        (30_000, down),
                        mss,
                    ),
                )
            }
            _ => (5985, winrm_shell(&mut self.rng, &name)),
        };
        let outcome = if w.serves(victim, port) || vh.ttl == 128 {
            TcpOutcome::Complete
        } else {
            TcpOutcome::Refused
        };
        let conv = self.tcp(
            w,
            cx.ports,
            Dial {
                at: t,
                to: (Peer::Host(victim), port),
                outcome,
            },
            msgs,
        );
        cx.out.convs.push(conv);
        self.i += 1;
        if (self.i as usize) < self.plan.victim_hosts.len() {
            cx.out.next = Some(t + gap_us * self.rng.gen_range(80..=120) / 100);
        }
    }

    pub(super) fn beacon(&mut self, cx: &mut Cx, c2: Ipv4Addr, domain: &str, period_us: u64) {
        let (w, t) = (cx.w, cx.t);
        let ports = &mut *cx.ports;
        let s = &mut cx.out;
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
            Dial {
                at: t + 100_000,
                to: (Peer::Remote(c2), 443),
                outcome: TcpOutcome::Complete,
            },
            msgs,
        ));
        self.i += 1;
        s.next = Some(t + period_us * self.rng.gen_range(95..=105) / 100);
    }

    pub(super) fn exfiltrate(&mut self, cx: &mut Cx, dest: Ipv4Addr, port: u16, bytes: usize) {
        let w = cx.w;
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
            (Peer::Host(a), cx.ports.next(a)),
            (Peer::Remote(dest), port),
        );
        let conv = w.tcp(
            &mut self.rng,
            path,
            cx.t,
            TcpOutcome::Complete,
            Box::new(script),
            self.origin,
        );
        cx.out.convs.push(conv);
    }

    pub(super) fn remote(&mut self, cx: &mut Cx, from: Ipv4Addr, port: u16) {
        let w = cx.w;
        let victim = self.plan.victim_hosts[0];
        let dur = self.plan.end - self.plan.start;
        let mss = usize::from(w.cfg.traffic.mss);
        let host = &w.ward.hosts[victim].hostname;
        let mut msgs = match port {
            3389 => {
                rdp_messages(&mut self.rng, "vendor", host, (10_000, 20_000), mss)[..5].to_vec()
            }
            5900 => vnc::handshake(&mut self.rng, host),
            _ => vec![
                teamviewer(&mut self.rng, Side::A, 0x0a, 60, 0),
                teamviewer(&mut self.rng, Side::B, 0x0b, 90, 2_000),
            ],
        };
        // Interactive bursts over the whole planned session; screen-update sizes follow the
        // ward's byte scale (with a floor) so thinned wards keep the session's shape.
        let scale = w.cfg.traffic.bytes_scale;
        let mut elapsed = 0u64;
        while elapsed < dur && msgs.len() < 4_000 {
            let gap = self.rng.gen_range(2_000_000..20_000_000);
            elapsed += gap;
            let n = ((self.rng.gen_range(2_000..40_000) as f64 * scale) as usize).max(300);
            match port {
                5900 => {
                    let side = if scale >= 0.1 {
                        self.rng.gen_range(16..64u16)
                    } else {
                        self.rng.gen_range(4..12u16)
                    };
                    msgs.extend(vnc::interaction(&mut self.rng, side, gap));
                }
                3389 => {
                    msgs.push(Message::after(
                        Side::A,
                        tls::app_data_rdp(&mut self.rng, 200, mss),
                        gap,
                    ));
                    msgs.push(Message::after(
                        Side::B,
                        tls::app_data_rdp(&mut self.rng, n, mss),
                        15_000,
                    ));
                }
                _ => {
                    msgs.push(teamviewer(&mut self.rng, Side::A, 0x30, 120, gap));
                    msgs.push(teamviewer(&mut self.rng, Side::B, 0x31, n, 15_000));
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
        let conv = w.tcp(
            &mut self.rng,
            path,
            cx.t,
            TcpOutcome::Complete,
            ListScript::new(msgs),
            self.origin,
        );
        cx.out.convs.push(conv);
    }

    pub(super) fn arp_spoof(&mut self, cx: &mut Cx, gateway_ip: Ipv4Addr) {
        let (w, t) = (cx.w, cx.t);
        let s = &mut cx.out;
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

    pub(super) fn firmware(
        &mut self,
        cx: &mut Cx,
        to: String,
        update_ip: Ipv4Addr,
        update_name: String,
    ) {
        let a = self.plan.attacker;
        cx.out.effects.push(Effect::SetVersion(a, to));
        cx.out.effects.push(Effect::Reboot(a));
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
        cx.out
            .effects
            .push(Effect::AddItem(a, Box::new(spec), Peer::Remote(update_ip)));
    }

    pub(super) fn ssh(&mut self, cx: &mut Cx, attempts: u32, gap_us: u64) {
        let (w, t) = (cx.w, cx.t);
        let ports = &mut *cx.ports;
        let s = &mut cx.out;
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

/// A WinRM remote shell: create, command, receive, each answered by the HTTP API.
fn winrm_shell(rng: &mut Rng, host: &str) -> Vec<Message> {
    let mut msgs = Vec::new();
    for action in [
        "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command",
        "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive",
    ] {
        msgs.push(Message::after(
            Side::A,
            http::winrm_request(host, 5985, action),
            50_000,
        ));
        let body = proto::text_filler(rng, 900);
        let reply = http::response(
            200,
            "OK",
            Some("Microsoft-HTTPAPI/2.0"),
            "application/soap+xml;charset=UTF-8",
            body.as_bytes(),
        );
        msgs.push(Message::after(Side::B, reply, 30_000));
    }
    msgs
}

/// A TeamViewer-like message: a proprietary binary protocol whose leading bytes (17 24, a
/// command byte) are an assumption, then `len` opaque bytes.
fn teamviewer(rng: &mut Rng, side: Side, command: u8, len: usize, delay_us: u64) -> Message {
    let mut data = vec![
        0x17,
        0x24,
        command,
        if command < 0x30 { 0x20 } else { 0x00 },
    ];
    data.extend_from_slice(&proto::opaque(rng, len));
    Message::after(side, data, delay_us)
}
