//! Turns one device's window accumulators into its [`WindowFeatures`]: every feature of
//! [`crate::features::FEATURES`], the behaviour combinations, the busiest peers, the beacon
//! candidates and the remote-execution evidence, each bounded and in a deterministic order.

use super::WindowAcc;
use crate::event::{
    Identity, MAX_PEERS_PER_WINDOW, MAX_PERIODIC_PER_WINDOW, MAX_SERVICES_PER_WINDOW, PeerSummary,
    Periodic, ServiceUse, WindowFeatures,
};
use crate::features::{Feature, FeatureVector};
use crate::ids::DeviceRef;
use crate::time::{Span, Timestamp};

/// Counters copied one-to-one into the vector.
const COUNTED: &[Feature] = &[
    Feature::PacketsOut,
    Feature::PacketsIn,
    Feature::BytesOut,
    Feature::BytesIn,
    Feature::FlowsInitiated,
    Feature::FlowsAccepted,
    Feature::FailedConnections,
    Feature::DnsQueries,
    Feature::DnsNxdomain,
    Feature::AdminSmb,
    Feature::AdminRdp,
    Feature::AdminSsh,
    Feature::AdminTelnet,
    Feature::AdminWinrm,
    Feature::AdminVnc,
    Feature::AdminRpc,
    Feature::AdminNetbios,
    Feature::RemoteExec,
    Feature::ArpRequests,
    Feature::BytesToExternal,
    Feature::InboundExternal,
    Feature::InboundRemoteAccess,
    Feature::BroadcastPackets,
];

/// What the window's output needs besides the accumulators.
pub(crate) struct ExtractInput {
    pub(crate) device: DeviceRef,
    pub(crate) identity: Identity,
    pub(crate) established: bool,
    pub(crate) window_start: Timestamp,
    pub(crate) window_secs: u32,
    /// Beacon candidates of destinations touched in the window (any order).
    pub(crate) periodic: Vec<Periodic>,
    /// The device has been watched for [`HISTORY_WARMUP`]: its peer and port history is long
    /// enough to call a peer or port new.
    pub(crate) history_mature: bool,
}

/// How long a device is watched before `new_peers` and `new_ports` count: in its first hour
/// everything it does is new, which says nothing (the same holds after the sensor starts).
pub const HISTORY_WARMUP: Span = Span::from_secs(3600);

/// Builds the window's features.
pub(crate) fn extract(acc: &WindowAcc, input: ExtractInput) -> WindowFeatures {
    let mut v = FeatureVector::default();
    for feature in COUNTED {
        v.set(*feature, acc.counted(*feature) as f64);
    }
    let peers = acc.peers.values();
    let count = |pred: &dyn Fn(&super::acc::PeerAcc) -> bool| {
        peers.clone().filter(|p| pred(p)).count() as f64
    };
    v.set(Feature::InternalPeers, count(&|p| p.internal));
    v.set(Feature::ExternalPeers, count(&|p| !p.internal));
    let mature = input.history_mature;
    v.set(Feature::NewPeers, count(&|p| mature && p.new));
    v.set(Feature::FailedTargets, count(&|p| p.failed > 0));
    v.set(Feature::AdminTargets, count(&|p| p.admin));
    v.set(Feature::DstPorts, acc.dst_ports.len() as f64);
    v.set(
        Feature::NewPorts,
        acc.dst_ports.values().filter(|new| mature && **new).count() as f64,
    );
    v.set(Feature::ArpTargets, acc.arp_targets.len() as f64);
    v.set(Feature::IcmpEchoTargets, acc.echo_targets.len() as f64);
    let packets_out = acc.counted(Feature::PacketsOut);
    let mean = if packets_out == 0 {
        0.0
    } else {
        acc.counted(Feature::BytesOut) as f64 / packets_out as f64
    };
    v.set(Feature::MeanPacketSize, mean);

    let mut periodic = input.periodic;
    periodic.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.ip.cmp(&b.ip))
            .then(a.port.cmp(&b.port))
            .then(a.proto.cmp(&b.proto))
    });
    periodic.truncate(MAX_PERIODIC_PER_WINDOW);
    let best = periodic.first().map_or(0.0, |p| p.score);
    v.set(Feature::Periodicity, best);

    let (services, services_truncated) = services(acc);
    WindowFeatures {
        device: input.device,
        identity: input.identity,
        established: input.established,
        window_start: input.window_start,
        window_secs: input.window_secs,
        features: v,
        services,
        services_truncated,
        peers: peers_summary(acc),
        periodic,
        remote_exec: acc.remote_exec.clone(),
    }
}

/// The busiest combinations (flows, then bytes, then key), at most [`MAX_SERVICES_PER_WINDOW`].
fn services(acc: &WindowAcc) -> (Vec<ServiceUse>, u32) {
    let mut all: Vec<ServiceUse> = acc
        .services
        .iter()
        .map(|(k, s)| ServiceUse {
            direction: k.direction,
            role: k.role,
            proto: k.proto,
            port: k.port,
            flows: s.flows,
            bytes: s.bytes,
        })
        .collect();
    all.sort_by(|a, b| {
        b.flows
            .cmp(&a.flows)
            .then(b.bytes.cmp(&a.bytes))
            .then(a.direction.cmp(&b.direction))
            .then(a.role.cmp(&b.role))
            .then(a.proto.cmp(&b.proto))
            .then(a.port.cmp(&b.port))
    });
    let dropped = all.len().saturating_sub(MAX_SERVICES_PER_WINDOW);
    all.truncate(MAX_SERVICES_PER_WINDOW);
    let dropped = u32::try_from(dropped)
        .unwrap_or(u32::MAX)
        .saturating_add(acc.services_untracked);
    (all, dropped)
}

/// The busiest peers by bytes both ways, then flows, then address.
fn peers_summary(acc: &WindowAcc) -> Vec<PeerSummary> {
    let mut all: Vec<PeerSummary> = acc
        .peers
        .iter()
        .map(|(ip, p)| PeerSummary {
            ip: *ip,
            internal: p.internal,
            ports: p.ports.clone(),
            flows_out: p.flows_out,
            flows_in: p.flows_in,
            failed: p.failed,
            bytes_out: p.bytes_out,
            bytes_in: p.bytes_in,
        })
        .collect();
    all.sort_by(|a, b| {
        let total = |p: &PeerSummary| p.bytes_out.saturating_add(p.bytes_in);
        total(b)
            .cmp(&total(a))
            .then(
                b.flows_out
                    .saturating_add(b.flows_in)
                    .cmp(&a.flows_out.saturating_add(a.flows_in)),
            )
            .then(a.ip.cmp(&b.ip))
    });
    all.truncate(MAX_PEERS_PER_WINDOW);
    all
}
