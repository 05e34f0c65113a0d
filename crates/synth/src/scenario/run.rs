//! Running a planned scenario: each step launches the conversations due at its time and says
//! when the next step is. State is a few counters, so a long scenario costs no memory.

use super::plan::{Params, Plan};
use crate::engine::world::{Peer, Ports, World};
use crate::seed::{self, Rng};
use crate::sink::Origin;
use crate::ward::HostId;
use crate::wire::conv::{Body, Conversation, FrameConv, ListScript, Message};
use crate::wire::tcp::TcpOutcome;
use wardwatch_flow::catalog::TrafficSpec;

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

/// What a scenario step works with: the world, the port counters, the time, and its output.
pub(super) struct Cx<'a, 'w> {
    pub(super) w: &'a World<'w>,
    pub(super) ports: &'a mut Ports,
    pub(super) t: u64,
    pub(super) out: Step,
}

/// Where and how an attacker's connection goes.
pub(super) struct Dial {
    /// Time of the SYN.
    pub(super) at: u64,
    /// Responder and port.
    pub(super) to: (Peer, u16),
    /// How the connection goes.
    pub(super) outcome: TcpOutcome,
}

/// A scenario in progress.
pub struct Run {
    /// The plan.
    pub plan: Plan,
    /// Index in the labels file.
    pub index: usize,
    pub(super) rng: Rng,
    pub(super) i: u64,
    pub(super) phase: u8,
    pub(super) live: Vec<HostId>,
    pub(super) origin: Origin,
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

    /// A TCP connection from the attacker.
    pub(super) fn tcp(
        &mut self,
        w: &World,
        ports: &mut Ports,
        dial: Dial,
        msgs: Vec<Message>,
    ) -> Conversation {
        let a = self.plan.attacker;
        let path = w.path(&mut self.rng, a, (Peer::Host(a), ports.next(a)), dial.to);
        w.tcp(
            &mut self.rng,
            path,
            dial.at,
            dial.outcome,
            ListScript::new(msgs),
            self.origin,
        )
    }

    pub(super) fn frames(&self, frames: Vec<(u64, Vec<u8>)>) -> Conversation {
        Conversation {
            origin: self.origin,
            owner: None,
            body: Body::Frames(FrameConv::new(frames)),
        }
    }

    /// Launches what is due at `t`.
    pub fn step(&mut self, w: &World, ports: &mut Ports, t: u64) -> Step {
        let mut cx = Cx {
            w,
            ports,
            t,
            out: Step::default(),
        };
        match self.plan.params.clone() {
            Params::LateralMovement { gap_us } => self.lateral(&mut cx, gap_us),
            Params::PumpScan {
                targets,
                ports,
                gap_us,
            } => self.pump_scan(&mut cx, &targets, &ports, gap_us),
            Params::TelnetScan { probes, gap_us } => self.telnet(&mut cx, probes, gap_us),
            Params::Beaconing {
                c2,
                domain,
                period_us,
            } => self.beacon(&mut cx, c2, &domain, period_us),
            Params::DicomExfiltration { dest, port, bytes } => {
                self.exfiltrate(&mut cx, dest, port, bytes)
            }
            Params::VendorRemoteAccess { from, port } => self.remote(&mut cx, from, port),
            Params::ArpSpoofing { gateway_ip } => self.arp_spoof(&mut cx, gateway_ip),
            Params::FirmwareChange {
                to,
                update_ip,
                update_name,
                ..
            } => self.firmware(&mut cx, to, update_ip, update_name),
            Params::RogueDevice => self.rogue(&mut cx),
            Params::SshBruteForce { attempts, gap_us } => self.ssh(&mut cx, attempts, gap_us),
        }
        cx.out
    }
}
