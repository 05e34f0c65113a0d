//! Targets of the flow crate: packet decoding, the whole pipeline, the state file, payload and
//! frame inspection (with the dhcproto guard), and the reference-data parsers.

use super::input::Reader;
use super::reference;
use std::sync::Arc;
use wardwatch_baseline::{Detector, DetectorConfig, ModelSet};
use wardwatch_flow::catalog::Catalog;
use wardwatch_flow::decode::{Content, LinkType};
use wardwatch_flow::device::DeviceTableConfig;
use wardwatch_flow::event::Transport;
use wardwatch_flow::flow_table::FlowTableConfig;
use wardwatch_flow::identify::advisory::{self, AdvisoryDb};
use wardwatch_flow::identify::version::{Version, VersionSpec};
use wardwatch_flow::identify::{
    Identifier, MAX_EVIDENCE_VALUE_LEN, MAX_FACTS_PER_PACKET, OuiTable, PayloadContext,
    PayloadFact, inspect_frame as frame_facts, inspect_payload as payload_facts,
};
use wardwatch_flow::{
    Event, MacAddr, Packet, Pipeline, PipelineConfig, PipelineSnapshot, PipelineStats, Span,
    Timestamp,
};

/// Ports with a parser behind them; a port byte past the list reads an arbitrary port.
pub const PORTS: &[u16] = &[
    67, 68, 53, 5353, 1900, 137, 138, 161, 24105, 47808, 7000, 5060, 80, 443, 104, 11112, 135, 445,
    5985, 2575, 8080, 0,
];

/// Transports in the order the inputs name them.
pub const TRANSPORTS: &[Transport] = &[
    Transport::Tcp,
    Transport::Udp,
    Transport::Icmp,
    Transport::Other,
];

/// Longest frame a pipeline input carries (a jumbo frame; the sensor's snap length is smaller).
pub const MAX_FRAME: usize = 9_216;
/// Most operations one pipeline input runs.
pub const MAX_OPS: usize = 512;

/// `decode` on every link type: never panics, and every borrowed view lies inside the input.
pub fn decode(data: &[u8]) {
    for link in LinkType::ALL {
        let Ok(d) = wardwatch_flow::decode(*link, data) else {
            continue;
        };
        match d.content {
            Content::Ip(ip) => assert!(ip.payload.len() <= data.len()),
            Content::Frame { payload, .. } => assert!(payload.len() <= data.len()),
            Content::Arp(_) | Content::Other => {}
        }
    }
}

/// Pipeline configurations the inputs choose from: the defaults, and tiny caps so a short input
/// reaches every eviction path.
pub fn pipeline_config(choice: u8) -> PipelineConfig {
    if choice.is_multiple_of(2) {
        return PipelineConfig::default();
    }
    PipelineConfig {
        window: Span::from_secs(u64::from(choice % 7) * 5 + 5),
        flows: FlowTableConfig {
            max_flows: 16,
            half_open_timeout: Span::from_secs(2),
            closed_timeout: Span::from_secs(1),
            udp_timeout: Span::from_secs(3),
            ..FlowTableConfig::default()
        },
        devices: DeviceTableConfig {
            max_established: 4,
            max_unestablished: 4,
            router_ip_threshold: 2,
            peer_history: 4,
            port_history: 4,
            service_history: 4,
            max_periodic_trackers: 4,
            max_arp_bindings: 4,
            max_window_entries: 1_024,
            ..DeviceTableConfig::default()
        },
        ..PipelineConfig::default()
    }
}

/// A pipeline over the shipped catalog and OUI registry.
pub fn new_pipeline(config: PipelineConfig) -> Pipeline {
    Pipeline::new(config, reference::catalog(), reference::oui()).expect("valid config")
}

/// One operation of a pipeline input.
#[derive(Clone, Debug, PartialEq)]
pub enum Op<'a> {
    /// Push a frame `dt_us` microseconds after the previous one (before it when `back`).
    Push {
        /// Link type index into [`LinkType::ALL`].
        link: u8,
        /// Time step, microseconds.
        dt_us: u32,
        /// Step backwards in time.
        back: bool,
        /// Extra wire length beyond the captured bytes.
        extra_wire: u16,
        /// Captured bytes.
        data: &'a [u8],
    },
    /// Let `secs` seconds pass without packets.
    Advance {
        /// Seconds.
        secs: u32,
    },
    /// Snapshot, serialise, parse, restore into a fresh pipeline and compare.
    Snapshot,
    /// End of input mid-stream (the pipeline goes on afterwards).
    Flush,
}

/// Operation codes: pushes are the common case.
const OP_PUSH_MAX: u8 = 12;
const OP_ADVANCE: u8 = 13;
const OP_SNAPSHOT: u8 = 14;
const OP_FLUSH: u8 = 15;

/// The start time, the configuration choice and the operations of a pipeline input.
pub fn pipeline_ops(data: &[u8]) -> (Timestamp, u8, Vec<Op<'_>>) {
    let mut r = Reader::new(data);
    let config = r.u8();
    let start = match r.u8() % 4 {
        0 => Timestamp(r.u64()),
        _ => Timestamp(u64::from(r.u32()) * 1_000_000),
    };
    let mut ops = Vec::new();
    while !r.is_empty() && ops.len() < MAX_OPS {
        let op = match r.u8() % 16 {
            0..=OP_PUSH_MAX => {
                let (link, dt_us, back, extra_wire) = (r.u8(), r.u32(), r.bool(), r.u16());
                let bytes = r.bytes();
                Op::Push {
                    link,
                    dt_us,
                    back,
                    extra_wire,
                    data: &bytes[..bytes.len().min(MAX_FRAME)],
                }
            }
            OP_ADVANCE => Op::Advance { secs: r.u32() },
            OP_SNAPSHOT => Op::Snapshot,
            _ => Op::Flush,
        };
        ops.push(op);
    }
    (start, config, ops)
}

/// Writes one operation in the layout [`pipeline_ops`] reads.
pub fn write_op(w: &mut super::input::Writer, op: &Op<'_>) {
    match op {
        Op::Push {
            link,
            dt_us,
            back,
            extra_wire,
            data,
        } => {
            w.u8(0)
                .u8(*link)
                .u32(*dt_us)
                .bool(*back)
                .u16(*extra_wire)
                .bytes(data);
        }
        Op::Advance { secs } => {
            w.u8(OP_ADVANCE).u32(*secs);
        }
        Op::Snapshot => {
            w.u8(OP_SNAPSHOT);
        }
        Op::Flush => {
            w.u8(OP_FLUSH);
        }
    }
}

/// The whole pipeline fed a sequence of packets (any link type, time steps forwards and
/// backwards, quiet periods, mid-stream flushes and snapshot round trips), then the detector
/// fed its events. Checks caps and exact accounting after every operation.
pub fn pipeline(data: &[u8]) {
    let _ = pipeline_stats(data);
}

/// [`pipeline`], returning the final counters (for the replay test's reach checks).
pub fn pipeline_stats(data: &[u8]) -> PipelineStats {
    let (start, choice, ops) = pipeline_ops(data);
    let config = pipeline_config(choice);
    let mut p = new_pipeline(config.clone());
    let mut detector = Detector::new(Arc::new(ModelSet::empty()), DetectorConfig::default());
    let (mut events, mut alerts) = (Vec::new(), Vec::new());
    let mut now = start;
    let mut pushed = 0u64;
    for op in &ops {
        match *op {
            Op::Push {
                link,
                dt_us,
                back,
                extra_wire,
                data,
            } => {
                let dt = Span(u64::from(dt_us));
                now = if back {
                    Timestamp(now.0.saturating_sub(dt.0))
                } else {
                    now.add(dt)
                };
                let captured = u32::try_from(data.len()).unwrap_or(u32::MAX);
                let packet = Packet {
                    ts: now,
                    link: LinkType::ALL[usize::from(link) % LinkType::ALL.len()],
                    data,
                    wire_len: captured.saturating_add(u32::from(extra_wire)),
                };
                p.push(&packet, &mut events);
                pushed += 1;
            }
            Op::Advance { secs } => {
                now = now.add(Span::from_secs(u64::from(secs)));
                p.advance(now, &mut events);
            }
            Op::Snapshot => snapshot_round_trip(&p, &config),
            Op::Flush => p.flush(&mut events),
        }
        check_pipeline(&p, &config, pushed);
        check_events(&events);
        for event in events.drain(..) {
            detector.process(&event, &mut alerts);
        }
    }
    p.flush(&mut events);
    check_pipeline(&p, &config, pushed);
    check_events(&events);
    for event in events.drain(..) {
        detector.process(&event, &mut alerts);
    }
    detector.flush(now, &mut alerts);
    p.stats().clone()
}

/// Caps and accounting the pipeline promises after any operation.
pub fn check_pipeline(p: &Pipeline, config: &PipelineConfig, pushed: u64) {
    let s = p.stats();
    assert_eq!(s.packets, pushed, "every packet is counted");
    let f = &s.flows;
    assert_eq!(
        f.created,
        f.active + f.evicted_total(),
        "flows created = active + evicted"
    );
    assert!(f.active <= config.flows.max_flows as u64, "flow cap");
    let d = &s.devices;
    assert!(d.established <= config.devices.max_established as u64);
    assert!(d.unestablished <= config.devices.max_unestablished as u64);
    assert!(s.periodic_trackers <= config.devices.max_periodic_trackers as u64);
}

/// Every window the pipeline emits carries finite, non-negative features and bounded lists.
pub fn check_events(events: &[Event]) {
    use wardwatch_flow::event::{
        MAX_PEERS_PER_WINDOW, MAX_PERIODIC_PER_WINDOW, MAX_REMOTE_EXEC_PER_WINDOW,
        MAX_SERVICES_PER_WINDOW,
    };
    for event in events {
        let Event::Window(w) = event else { continue };
        for (i, v) in w.features.as_slice().iter().enumerate() {
            assert!(v.is_finite() && *v >= 0.0, "feature {i} = {v}");
        }
        assert!(w.services.len() <= MAX_SERVICES_PER_WINDOW);
        assert!(w.peers.len() <= MAX_PEERS_PER_WINDOW);
        assert!(w.periodic.len() <= MAX_PERIODIC_PER_WINDOW);
        assert!(w.remote_exec.len() <= MAX_REMOTE_EXEC_PER_WINDOW);
        for periodic in &w.periodic {
            assert!((0.0..=1.0).contains(&periodic.score), "{periodic:?}");
        }
    }
}

/// Snapshot → JSON → snapshot → restore into a fresh pipeline → the same devices and bindings.
fn snapshot_round_trip(p: &Pipeline, config: &PipelineConfig) {
    let snap = p.snapshot();
    let json = serde_json::to_vec(&snap).expect("snapshot serialises");
    let back: PipelineSnapshot = serde_json::from_slice(&json).expect("snapshot parses");
    assert_eq!(back, snap, "snapshot JSON round trip");
    let mut fresh = new_pipeline(config.clone());
    fresh.restore(back);
    let again = fresh.snapshot();
    assert_eq!(again.devices, snap.devices, "restored devices");
    assert_eq!(again.bindings, snap.bindings, "restored bindings");
    assert_eq!(fresh.stats().devices.restore_refused, 0);
}

/// The state file: arbitrary bytes as a snapshot, restored (on either configuration), then
/// traffic on top. A restored snapshot is normalised once: a second round trip is exact.
pub fn snapshot(data: &[u8]) {
    let (choice, json) = data.split_first().map_or((0, data), |(c, r)| (*c, r));
    let Ok(snap) = serde_json::from_slice::<PipelineSnapshot>(json) else {
        return;
    };
    let config = pipeline_config(choice);
    let mut p = new_pipeline(config.clone());
    p.restore(snap);
    check_pipeline(&p, &config, 0);
    let normalised = p.snapshot();
    let mut again = new_pipeline(config.clone());
    again.restore(normalised.clone());
    assert_eq!(again.snapshot().devices, normalised.devices);
    assert_eq!(again.snapshot().bindings, normalised.bindings);
    let _ = p.devices();
    let mut events = Vec::new();
    let start = normalised.saved_at.unwrap_or_default();
    for (i, frame) in super::seeds::restore_traffic().iter().enumerate() {
        let packet = Packet {
            ts: start.add(Span::from_millis(i as u64 * 700)),
            link: LinkType::Ethernet,
            data: frame,
            wire_len: frame.len() as u32,
        };
        p.push(&packet, &mut events);
    }
    p.flush(&mut events);
    check_pipeline(&p, &config, super::seeds::restore_traffic().len() as u64);
    check_events(&events);
    let mut detector = Detector::new(Arc::new(ModelSet::empty()), DetectorConfig::default());
    let mut alerts = Vec::new();
    for event in &events {
        detector.process(event, &mut alerts);
    }
}

/// The context of a payload input: transport, ports, direction, then the payload.
pub fn payload_context(data: &[u8]) -> PayloadContext<'_> {
    let mut r = Reader::new(data);
    let transport = r.pick(TRANSPORTS);
    let port = |r: &mut Reader<'_>| {
        let i = usize::from(r.u8());
        PORTS.get(i).copied().unwrap_or_else(|| r.u16())
    };
    let src_port = port(&mut r);
    let dst_port = port(&mut r);
    let from_initiator = r.bool();
    PayloadContext {
        transport,
        src_port,
        dst_port,
        from_initiator,
        payload: r.rest(),
    }
}

fn check_facts(facts: &[PayloadFact]) {
    assert!(facts.len() <= MAX_FACTS_PER_PACKET, "{} facts", facts.len());
    for fact in facts {
        if let PayloadFact::Evidence { evidence, .. } = fact {
            assert!(evidence.value.len() <= MAX_EVIDENCE_VALUE_LEN);
            assert!(!evidence.value.chars().any(char::is_control));
        }
    }
}

/// `identify::inspect_payload` with arbitrary transport, ports and direction.
pub fn inspect_payload(data: &[u8]) {
    let ctx = payload_context(data);
    let mut out = Vec::new();
    payload_facts(&ctx, &mut out);
    check_facts(&out);
}

/// Ethertypes and SNAP ids with a parser behind them; a byte past the list reads one.
pub const FRAME_PROTOCOLS: &[u16] = &[0x88cc, 0x2000];

/// `identify::inspect_frame` (LLDP, CDP, or any ethertype).
pub fn inspect_frame(data: &[u8]) {
    let mut r = Reader::new(data);
    let i = usize::from(r.u8());
    let protocol = FRAME_PROTOCOLS.get(i).copied().unwrap_or_else(|| r.u16());
    let mut out = Vec::new();
    frame_facts(protocol, r.rest(), &mut out);
    check_facts(&out);
}

/// BOOTP fixed header length plus the magic cookie.
pub const DHCP_FIXED: usize = 240;

/// DHCP options behind a valid BOOTP header (so every input reaches the option walk):
/// the first byte picks request or reply, the rest are options. Runs the identification parser
/// (which hands a sanitised copy to dhcproto: its `debug_assert!`s on options 94/151/152
/// must never be reached) and the lease reader.
pub fn dhcp(data: &[u8]) {
    let (reply, options) = data
        .split_first()
        .map_or((false, data), |(c, r)| (c & 1 == 1, r));
    let message = dhcp_message(reply, options);
    let (client, server) = (68, 67);
    for (src_port, dst_port) in [(client, server), (server, client)] {
        let ctx = PayloadContext {
            transport: Transport::Udp,
            src_port,
            dst_port,
            from_initiator: true,
            payload: &message,
        };
        let mut out = Vec::new();
        payload_facts(&ctx, &mut out);
        check_facts(&out);
    }
    let _ = wardwatch_flow::dhcp::ack_lease(&message);
}

/// A BOOTP request or reply from 02:00:00:00:00:01 with `options` after the magic cookie.
pub fn dhcp_message(reply: bool, options: &[u8]) -> Vec<u8> {
    let mut m = vec![0u8; DHCP_FIXED];
    m[0] = if reply { 2 } else { 1 };
    m[1] = 1;
    m[2] = 6;
    m[4..8].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    if reply {
        m[16..20].copy_from_slice(&[10, 0, 0, 42]);
    }
    m[28..34].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    m[236..240].copy_from_slice(&[99, 130, 83, 99]);
    m.extend_from_slice(options);
    m
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// `Catalog::parse`; a catalog that parses also builds an identifier and answers queries.
pub fn catalog(data: &[u8]) {
    let Ok(catalog) = Catalog::parse(&text(data)) else {
        return;
    };
    let Ok(identifier) = Identifier::new(&catalog, &OuiTable::default(), 0.7) else {
        return;
    };
    for model in &catalog.models {
        assert!(catalog.model(model.id.as_str()).is_some());
    }
    let evidence = wardwatch_flow::identify::EvidenceSet::default();
    let _ = identifier.identify(Some(MacAddr([0, 0x09, 0xfb, 1, 2, 3])), &evidence);
    let _ = reference::advisories().check_models(&catalog);
}

/// `AdvisoryDb::parse`, plus the version and CVSS parsers it relies on; a database that parses
/// is queried and ranked for every model it names.
pub fn advisory(data: &[u8]) {
    let text = text(data);
    if let Ok(db) = AdvisoryDb::parse(&text) {
        let _ = db.check_models(reference::catalog());
        for a in db.advisories() {
            let _ = db.for_device("bd-alaris-pcu-8015", Some("12.1.2"));
            let _ = a.applies_to("bd-alaris-pcu-8015", None);
        }
    }
    for line in text.lines().take(64) {
        let _ = advisory::cvss_base_score(line);
        let _ = advisory::is_service(line);
        let version = Version::parse(line);
        if let Ok(spec) = VersionSpec::parse(line)
            && let Some(v) = &version
        {
            let _ = spec.matches(v);
        }
    }
}

/// `OuiTable::parse`; a table that parses answers lookups.
pub fn oui(data: &[u8]) {
    let Ok(table) = OuiTable::parse(&text(data)) else {
        return;
    };
    for mac in [
        [0, 0x09, 0xfb, 1, 2, 3],
        [0xff; 6],
        [0; 6],
        [2, 0, 0, 0, 0, 1],
    ] {
        if let Some(vendor) = table.vendor(MacAddr(mac)) {
            assert!(!vendor.is_empty() || !table.is_empty());
        }
    }
}

/// The pipeline's and the detector's TOML configuration: parsed, validated, and a valid one
/// builds its pipeline or detector.
pub fn config(data: &[u8]) {
    let text = text(data);
    if let Ok(config) = toml::from_str::<PipelineConfig>(&text)
        && config.validate().is_ok()
    {
        let mut p = new_pipeline(config.clone());
        let mut events = Vec::new();
        for frame in super::seeds::restore_traffic() {
            let packet = Packet {
                ts: Timestamp::from_secs(1),
                link: LinkType::Ethernet,
                data: frame,
                wire_len: frame.len() as u32,
            };
            p.push(&packet, &mut events);
        }
        p.flush(&mut events);
        check_pipeline(&p, &config, super::seeds::restore_traffic().len() as u64);
    }
    if let Ok(config) = toml::from_str::<DetectorConfig>(&text)
        && config.validate().is_ok()
    {
        let _ = Detector::new(Arc::new(ModelSet::empty()), config);
    }
}
