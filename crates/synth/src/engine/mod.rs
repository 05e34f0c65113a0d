//! The event scheduler. A binary heap holds the next event time of every traffic item, every
//! running conversation, every host's ARP refresh and boot, and every scenario; popping the
//! earliest event emits one frame or starts new conversations. State is bounded by the ward
//! (items × a few concurrent conversations each), never by the capture's duration, and frames
//! stream out in packet-time order.

mod boot;
pub mod job;
pub mod kinds;
pub mod kinds_app;
pub mod kinds_net;
pub mod kinds_session;
pub mod world;

use crate::activity::Clock;
use crate::config::WardConfig;
use crate::error::SynthError;
use crate::identity::{self, Vars};
use crate::output::{self, DeviceRecord, Label};
use crate::scenario::{self, Effect, Run, ScenarioKind};
use crate::seed::{self, Rng};
use crate::sink::{Origin, PacketSink};
use crate::ward::{HostId, HostKind, Ward};
use crate::wire::conv::Conversation;
use job::Job;
use rand::Rng as _;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::{Catalog, TrafficKind, TrafficSpec};
use wardwatch_flow::event::Direction;
use world::{Peer, Ports, World};

/// Most conversations one traffic item runs at once (further exchanges are skipped).
pub const MAX_CONCURRENT_PER_ITEM: u8 = 4;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    /// Run seed.
    pub seed: u64,
    /// Number of ward devices (None: the config's counts).
    pub devices: Option<u32>,
    /// Packet time of the capture start.
    pub start: Timestamp,
    /// Capture length, microseconds.
    pub duration_us: u64,
    /// Attack scenarios to stage.
    pub scenarios: Vec<ScenarioKind>,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Frames written.
    pub frames: u64,
    /// Ground truth per attack.
    pub labels: Vec<Label>,
    /// Ground truth per device.
    pub devices: Vec<DeviceRecord>,
    /// Most conversations running at once (bounded state, whatever the duration).
    pub max_conversations: usize,
    /// Most events queued at once.
    pub max_queue: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Task {
    Item(usize),
    Conv(usize),
    Arp(HostId),
    Boot(HostId),
    Scenario(usize),
}

struct Item {
    host: HostId,
    spec: TrafficSpec,
    peer: Option<Peer>,
    rng: Rng,
    count: u64,
    active: u8,
    session_port: u16,
    period_us: f64,
    origin: Origin,
}

struct Engine<'a> {
    cfg: &'a WardConfig,
    catalog: &'a Catalog,
    ward: Ward,
    served: BTreeMap<HostId, BTreeSet<u16>>,
    clock: Clock,
    end: u64,
    heap: BinaryHeap<Reverse<(u64, u64, Task)>>,
    seq: u64,
    items: Vec<Item>,
    convs: Vec<Option<Conversation>>,
    free: Vec<usize>,
    live: usize,
    max_live: usize,
    max_queue: usize,
    ports: Ports,
    host_rng: Vec<Rng>,
    arp_targets: Vec<Vec<HostId>>,
    runs: Vec<Run>,
    seen: Vec<(Option<u64>, u64)>,
    frames: u64,
    buf: Vec<u8>,
    run_seed: u64,
}

/// Generates a ward's capture into `sink` and returns the ground truth.
pub fn generate(
    cfg: &WardConfig,
    catalog: &Catalog,
    params: &Params,
    sink: &mut dyn PacketSink,
) -> Result<Summary, SynthError> {
    if params.duration_us < 1_000_000 || params.duration_us > 31 * 86_400_000_000 {
        return Err(SynthError::Param {
            flag: "--duration",
            reason: "must be between 1s and 31 days".into(),
        });
    }
    if params.start.secs() + params.duration_us / 1_000_000 >= u64::from(u32::MAX) {
        return Err(SynthError::Param {
            flag: "--start",
            reason: "the capture must end before 2106 (libpcap's 32-bit seconds)".into(),
        });
    }
    let mut ward = Ward::plan(cfg, catalog, params.devices, params.seed)?;
    let devices = output::devices(&ward, catalog);
    let start = params.start.micros();
    let end = start + params.duration_us;
    let clock = Clock::new(cfg);
    let items = build_items(&ward, catalog, params.seed);
    let served = served_ports(&ward, catalog, &items);
    let warmup = (u64::from(cfg.scenarios.warmup_s) * 1_000_000).min(params.duration_us / 4);
    let plans = scenario::plan(
        &mut ward,
        catalog,
        &served,
        &params.scenarios,
        params.seed,
        (start, end, warmup),
        clock,
    )?;
    let mut e = Engine::new(
        Setup {
            cfg,
            catalog,
            ward,
            items,
            served,
            clock,
            end,
            seed: params.seed,
        },
        plans.len(),
    );
    e.schedule_start(start, plans, params.seed);
    e.run(sink)?;
    sink.finish()?;
    Ok(e.summary(devices))
}

/// What an engine starts from.
struct Setup<'a> {
    cfg: &'a WardConfig,
    catalog: &'a Catalog,
    ward: Ward,
    items: Vec<Item>,
    served: BTreeMap<HostId, BTreeSet<u16>>,
    clock: Clock,
    end: u64,
    seed: u64,
}

fn build_items(ward: &Ward, catalog: &Catalog, run_seed: u64) -> Vec<Item> {
    let mut items = Vec::new();
    for (host, h) in ward.hosts.iter().enumerate() {
        if matches!(h.kind, HostKind::External(_) | HostKind::Attacker) {
            continue;
        }
        let Some(m) = h.model else { continue };
        for (k, spec) in catalog.models[m].traffic.iter().enumerate() {
            let mut rng = seed::rng(run_seed, &format!("{}/item/{k}", h.label));
            let session_port = rng.gen_range(49_152..65_000);
            items.push(Item {
                host,
                spec: spec.clone(),
                peer: None,
                rng,
                count: 0,
                active: 0,
                session_port,
                period_us: spec.every_s * 1e6 / h.rate_scale,
                origin: Origin::Normal,
            });
        }
    }
    items
}

/// Ports each host accepts connections on: its model's services and every port the ward's
/// traffic reaches it on.
fn served_ports(ward: &Ward, catalog: &Catalog, items: &[Item]) -> BTreeMap<HostId, BTreeSet<u16>> {
    let mut served: BTreeMap<HostId, BTreeSet<u16>> = BTreeMap::new();
    for (id, h) in ward.hosts.iter().enumerate() {
        if let Some(m) = h.model {
            served
                .entry(id)
                .or_default()
                .extend(catalog.models[m].services.iter().map(|s| s.port));
        }
    }
    for item in items {
        let port = item
            .spec
            .port
            .unwrap_or(kinds::default_port(item.spec.kind));
        if port == 0
            || item.spec.peer == "broadcast"
            || matches!(
                item.spec.kind,
                TrafficKind::Dhcp | TrafficKind::UnityHeartbeat
            )
        {
            continue;
        }
        let target = match item.spec.direction {
            Direction::Inbound => Some(item.host),
            Direction::Outbound => ward
                .role(&item.spec.peer)
                .filter(|&h| ward.hosts[h].area.is_some()),
        };
        if let Some(t) = target {
            served.entry(t).or_default().insert(port);
        }
    }
    served
}

/// Same-subnet hosts each host talks to (ARP refresh targets besides the gateway).
fn arp_targets(ward: &Ward, items: &[Item]) -> Vec<Vec<HostId>> {
    let mut out = vec![Vec::new(); ward.hosts.len()];
    for item in items {
        if let Some(peer) = ward.role(&item.spec.peer)
            && peer != item.host
            && ward.hosts[peer].area.is_some()
            && ward.hosts[peer].area == ward.hosts[item.host].area
            && !out[item.host].contains(&peer)
        {
            out[item.host].push(peer);
        }
    }
    out
}

impl<'a> Engine<'a> {
    fn new(s: Setup<'a>, scenarios: usize) -> Engine<'a> {
        // Per-host streams and port counters follow the host's stable label, so adding a
        // device does not shift the others'.
        let labels: Vec<&str> = s.ward.hosts.iter().map(|h| h.label.as_str()).collect();
        let ports = Ports::new(s.seed, &labels);
        let host_rng = labels
            .iter()
            .map(|l| seed::rng(s.seed, &format!("{l}/host")))
            .collect();
        Engine {
            cfg: s.cfg,
            catalog: s.catalog,
            arp_targets: arp_targets(&s.ward, &s.items),
            ward: s.ward,
            served: s.served,
            clock: s.clock,
            end: s.end,
            heap: BinaryHeap::new(),
            seq: 0,
            items: s.items,
            convs: Vec::new(),
            free: Vec::new(),
            live: 0,
            max_live: 0,
            max_queue: 0,
            ports,
            host_rng,
            runs: Vec::new(),
            seen: vec![(None, 0); scenarios],
            frames: 0,
            buf: Vec::with_capacity(2048),
            run_seed: s.seed,
        }
    }

    /// The ground truth and counters after the run.
    fn summary(&self, devices: Vec<DeviceRecord>) -> Summary {
        let labels = self
            .runs
            .iter()
            .zip(&self.seen)
            .map(|(run, &(first, last))| {
                let first = first.unwrap_or(run.plan.start);
                output::label(
                    &self.ward,
                    &run.plan,
                    Timestamp(first),
                    Timestamp(last.max(first)),
                )
            })
            .collect();
        Summary {
            frames: self.frames,
            labels,
            devices,
            max_conversations: self.max_live,
            max_queue: self.max_queue,
        }
    }

    fn push(&mut self, t: u64, task: Task) {
        self.seq += 1;
        self.heap.push(Reverse((t, self.seq, task)));
        self.max_queue = self.max_queue.max(self.heap.len());
    }

    fn schedule_start(&mut self, start: u64, plans: Vec<scenario::Plan>, run_seed: u64) {
        let t = &self.cfg.traffic;
        let boot_window = u64::from(t.boot_window_s) * 1_000_000;
        let mut boots: BTreeMap<HostId, u64> = BTreeMap::new();
        for host in 0..self.ward.hosts.len() {
            let h = &self.ward.hosts[host];
            if h.area.is_none() || matches!(h.kind, HostKind::Attacker) {
                continue;
            }
            let rng = &mut self.host_rng[host];
            if h.kind == HostKind::Device && rng.gen_bool(t.boot_fraction) {
                boots.insert(host, start + rng.gen_range(0..boot_window.max(1)));
            }
            if !matches!(h.kind, HostKind::Gateway) {
                let first = start + rng.gen_range(0..60_000_000);
                self.push(
                    boots.get(&host).map_or(first, |b| b + 3_000_000),
                    Task::Arp(host),
                );
            }
        }
        for (&host, &at) in &boots {
            self.push(at, Task::Boot(host));
        }
        for i in 0..self.items.len() {
            let item = &mut self.items[i];
            let phase = item.rng.gen_range(0.0..1.0) * item.period_us.min(3_600e6);
            let after = boots.get(&item.host).map_or(start, |b| b + 5_000_000);
            let first = after + phase as u64;
            self.push(first, Task::Item(i));
        }
        for (i, plan) in plans.into_iter().enumerate() {
            let at = plan.start;
            self.runs.push(Run::new(plan, i, run_seed));
            self.push(at, Task::Scenario(i));
        }
    }

    fn run(&mut self, sink: &mut dyn PacketSink) -> Result<(), SynthError> {
        while let Some(Reverse((t, _, task))) = self.heap.pop() {
            if t >= self.end {
                break;
            }
            match task {
                Task::Conv(c) => self.emit(c, sink)?,
                Task::Item(i) => self.fire(i, t),
                Task::Arp(h) => self.arp(h, t),
                Task::Boot(h) => self.boot(h, t, Origin::Normal),
                Task::Scenario(s) => self.scenario(s, t),
            }
        }
        Ok(())
    }

    fn add(&mut self, conv: Conversation) {
        let Some(at) = conv.next_time() else { return };
        let slot = match self.free.pop() {
            Some(s) => {
                self.convs[s] = Some(conv);
                s
            }
            None => {
                self.convs.push(Some(conv));
                self.convs.len() - 1
            }
        };
        self.live += 1;
        self.max_live = self.max_live.max(self.live);
        self.push(at.micros(), Task::Conv(slot));
    }

    fn emit(&mut self, slot: usize, sink: &mut dyn PacketSink) -> Result<(), SynthError> {
        let Some(conv) = self.convs.get_mut(slot).and_then(Option::as_mut) else {
            return Ok(());
        };
        let Some(at) = conv.next_time() else {
            return Ok(());
        };
        conv.emit(&mut self.buf)?;
        let origin = conv.origin;
        let next = conv.next_time();
        if !self.buf.is_empty() {
            sink.write_frame(at, &self.buf, origin)?;
            self.frames += 1;
            if let Origin::Scenario(i) = origin
                && let Some(seen) = self.seen.get_mut(i)
            {
                seen.0.get_or_insert(at.micros());
                seen.1 = at.micros();
            }
        }
        match next {
            Some(n) => self.push(n.micros().max(at.micros()), Task::Conv(slot)),
            None => {
                if let Some(owner) = self.convs[slot].take().and_then(|c| c.owner)
                    && let Some(item) = self.items.get_mut(owner)
                {
                    item.active = item.active.saturating_sub(1);
                }
                self.free.push(slot);
                self.live -= 1;
            }
        }
        Ok(())
    }

    fn resolve(&self, item: &Item, rng: &mut Rng) -> Option<Peer> {
        if let Some(p) = item.peer {
            return Some(p);
        }
        match item.spec.peer.as_str() {
            "broadcast" => Some(Peer::Group(
                World {
                    ward: &self.ward,
                    catalog: self.catalog,
                    cfg: self.cfg,
                    served: &self.served,
                }
                .broadcast(item.host),
                [0xff; 6],
            )),
            "same_model" => {
                let model = self.ward.hosts[item.host].model?;
                let siblings: Vec<HostId> = self
                    .ward
                    .by_model
                    .get(&model)?
                    .iter()
                    .copied()
                    .filter(|&h| h != item.host)
                    .collect();
                (!siblings.is_empty())
                    .then(|| Peer::Host(siblings[rng.gen_range(0..siblings.len())]))
            }
            role => self
                .ward
                .role(role)
                .filter(|&h| h != item.host)
                .map(Peer::Host),
        }
    }

    fn fire(&mut self, i: usize, t: u64) {
        let active = self.items[i].spec.active;
        if !self.clock.is_active(active, Timestamp(t)) {
            let next = self.clock.next_active(active, Timestamp(t)).micros();
            let spread = self.items[i].period_us.clamp(1.0, 600e6) as u64;
            let jitter = self.items[i].rng.gen_range(0..spread);
            self.push(next + jitter, Task::Item(i));
            return;
        }
        let mut rng = self.items[i].rng.clone();
        let peer = self.resolve(&self.items[i], &mut rng);
        let mut convs = Vec::new();
        if let Some(peer) = peer
            && self.items[i].active < MAX_CONCURRENT_PER_ITEM
        {
            let item = &self.items[i];
            let fail = item.spec.fail_rate > 0.0 && rng.gen_bool(item.spec.fail_rate.min(1.0));
            let initiator = match (item.spec.direction, peer) {
                (Direction::Inbound, Peer::Host(h)) => h,
                _ => item.host,
            };
            let job = Job {
                t,
                device: item.host,
                peer,
                spec: &item.spec,
                count: item.count,
                fail,
                session_port: item.session_port,
                ephemeral: self.ports.next(initiator),
                origin: item.origin,
            };
            let w = World {
                ward: &self.ward,
                catalog: self.catalog,
                cfg: self.cfg,
                served: &self.served,
            };
            convs = kinds::build(&w, &mut rng, &job);
        }
        let item = &mut self.items[i];
        if !convs.is_empty() {
            item.count += 1;
        }
        let jitter = item.spec.jitter.clamp(0.0, 1.0);
        let factor = 1.0 + jitter * rng.gen_range(-1.0..=1.0);
        let next = t + (item.period_us * factor).max(50_000.0) as u64;
        item.rng = rng;
        for mut c in convs {
            c.owner = Some(i);
            self.items[i].active += 1;
            self.add(c);
        }
        self.push(next, Task::Item(i));
    }

    fn arp(&mut self, host: HostId, t: u64) {
        let rng = &mut self.host_rng[host];
        let targets = &self.arp_targets[host];
        let target = (!targets.is_empty() && rng.gen_bool(0.5))
            .then(|| targets[rng.gen_range(0..targets.len())]);
        let w = World {
            ward: &self.ward,
            catalog: self.catalog,
            cfg: self.cfg,
            served: &self.served,
        };
        let conv = boot::refresh(&w, rng, host, target, t);
        let mean = f64::from(self.cfg.traffic.arp_refresh_s) * 1e6;
        let next = t + (mean * rng.gen_range(0.5..1.5)) as u64;
        self.add(conv);
        self.push(next, Task::Arp(host));
    }

    fn boot(&mut self, host: HostId, t: u64, origin: Origin) {
        let renew = self
            .items
            .iter()
            .find(|i| i.host == host && i.spec.kind == TrafficKind::Dhcp)
            .map(|i| i.spec.every_s);
        let w = World {
            ward: &self.ward,
            catalog: self.catalog,
            cfg: self.cfg,
            served: &self.served,
        };
        let b = boot::Boot {
            host,
            t,
            renew_s: renew,
            origin,
        };
        let conv = boot::boot(&w, &mut self.host_rng[host], &b);
        self.add(conv);
    }

    fn scenario(&mut self, s: usize, t: u64) {
        let w = World {
            ward: &self.ward,
            catalog: self.catalog,
            cfg: self.cfg,
            served: &self.served,
        };
        let step = self.runs[s].step(&w, &mut self.ports, t);
        let origin = Origin::Scenario(self.runs[s].index);
        for effect in step.effects {
            self.apply(effect, t, origin);
        }
        for c in step.convs {
            self.add(c);
        }
        if let Some(next) = step.next {
            self.push(next.max(t + 1), Task::Scenario(s));
        }
    }

    fn apply(&mut self, effect: Effect, t: u64, origin: Origin) {
        match effect {
            Effect::SetVersion(host, version) => {
                let h = &mut self.ward.hosts[host];
                if let Some(m) = h.model {
                    let vars = Vars {
                        version: &version,
                        n: h.n,
                        serial: &h.serial,
                    };
                    h.identity = identity::for_device(&self.catalog.models[m].emits, &vars);
                }
                h.version = version;
            }
            Effect::AddItem(host, spec, peer) => {
                let mut rng = seed::rng(
                    self.run_seed,
                    &format!("{}/scenario-item", self.ward.hosts[host].label),
                );
                let first = t + rng.gen_range(5_000_000..60_000_000);
                let period_us = spec.every_s * 1e6;
                self.items.push(Item {
                    host,
                    spec: *spec,
                    peer: Some(peer),
                    rng,
                    count: 0,
                    active: 0,
                    session_port: 50_000,
                    period_us,
                    origin,
                });
                self.push(first, Task::Item(self.items.len() - 1));
            }
            Effect::Reboot(host) => self.boot(host, t + 1_000_000, origin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_ports_and_arp_targets_come_from_the_traffic() {
        let cfg = WardConfig::default_ward().unwrap();
        let catalog = Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap();
        let ward = Ward::plan(&cfg, &catalog, Some(40), 1).unwrap();
        let items = build_items(&ward, &catalog, 1);
        let served = served_ports(&ward, &catalog, &items);
        let pacs = ward.role("pacs").unwrap();
        assert!(served[&pacs].contains(&104));
        let camera = ward
            .hosts
            .iter()
            .position(|h| h.class == "ip_camera")
            .unwrap();
        assert!(
            served[&camera].contains(&554),
            "inbound RTSP makes the camera serve 554"
        );
        let dc = ward.role("dc").unwrap();
        assert!(served[&dc].contains(&88) && served[&dc].contains(&389));
        let targets = arp_targets(&ward, &items);
        let monitor = ward
            .hosts
            .iter()
            .position(|h| h.class == "patient_monitor" && h.vendor == "Philips")
            .unwrap();
        let central = ward.role("central_philips").unwrap();
        assert!(
            targets[monitor].contains(&central),
            "same-subnet central is an ARP target"
        );
        assert!(
            !targets[monitor].contains(&dc),
            "the DC is off-subnet: reached through the gateway"
        );
        let per_host = items.iter().filter(|i| i.host == camera).count();
        assert_eq!(
            per_host,
            catalog.model("axis-p3265-camera").unwrap().traffic.len()
        );
    }
}
