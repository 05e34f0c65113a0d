//! Pipeline counters: plain numbers and bounded enums (with `name()` for metric labels), read by
//! the sensor's metrics collector. Accounting holds: `flows.created = flows.active + Σ evicted`.

use crate::arp::AddressStats;
use crate::decode::{DecodeError, DecodeErrorKind, DecodeLayer};
use crate::device::DeviceStats;
use crate::flow_table::FlowTableStats;
use crate::site::SiteStats;
use crate::time::Timestamp;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Decode failures counted by kind and by layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeCounts {
    by_kind: [u64; 4],
    by_layer: [u64; 8],
}

impl DecodeCounts {
    /// Counts one failure.
    pub fn add(&mut self, error: DecodeError) {
        if let Some(c) = self.by_kind.get_mut(error.kind.index()) {
            *c = c.saturating_add(1);
        }
        if let Some(c) = self.by_layer.get_mut(error.layer.index()) {
            *c = c.saturating_add(1);
        }
    }
    /// Failures of one kind.
    pub fn kind(&self, kind: DecodeErrorKind) -> u64 {
        self.by_kind.get(kind.index()).copied().unwrap_or(0)
    }
    /// Failures at one layer.
    pub fn layer(&self, layer: DecodeLayer) -> u64 {
        self.by_layer.get(layer.index()).copied().unwrap_or(0)
    }
    /// Every kind with its count.
    pub fn kinds(&self) -> impl Iterator<Item = (DecodeErrorKind, u64)> + '_ {
        DecodeErrorKind::ALL.iter().map(|k| (*k, self.kind(*k)))
    }
    /// Every layer with its count.
    pub fn layers(&self) -> impl Iterator<Item = (DecodeLayer, u64)> + '_ {
        DecodeLayer::ALL.iter().map(|l| (*l, self.layer(*l)))
    }
    /// All failures.
    pub fn total(&self) -> u64 {
        self.by_kind.iter().fold(0u64, |a, b| a.saturating_add(*b))
    }
}

impl Serialize for DecodeCounts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let kinds: std::collections::BTreeMap<&str, u64> =
            self.kinds().map(|(k, n)| (k.name(), n)).collect();
        let layers: std::collections::BTreeMap<&str, u64> =
            self.layers().map(|(l, n)| (l.name(), n)).collect();
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("by_kind", &kinds)?;
        map.serialize_entry("by_layer", &layers)?;
        map.end()
    }
}

/// Every counter of the pipeline.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PipelineStats {
    /// Packets pushed.
    pub packets: u64,
    /// Wire bytes pushed.
    pub bytes: u64,
    /// Packets that could not be used (nothing above the link layer decoded).
    pub decode_errors: DecodeCounts,
    /// Packets whose decoding stopped above the network layer (the lower layers were used).
    pub decode_partial: DecodeCounts,
    /// IP packets whose payload was cut by the snap length.
    pub snaplen_cut: u64,
    /// IP fragments.
    pub ip_fragments: u64,
    /// ARP packets.
    pub arp_packets: u64,
    /// LLDP and CDP frames handed to identification.
    pub l2_frames: u64,
    /// Other non-IP frames.
    pub other_frames: u64,
    /// Packets whose time went backwards (clamped to the latest time seen).
    pub time_regressions: u64,
    /// Latest packet time.
    pub last_packet: Option<Timestamp>,
    /// Flow table.
    pub flows: FlowTableStats,
    /// Device table.
    pub devices: DeviceStats,
    /// IP → MAC bindings and conflicts.
    pub addresses: AddressStats,
    /// Windows, evidence and identification.
    pub site: SiteStats,
    /// Window set entries refused (per-set cap or the global entry budget).
    pub window_entries_refused: u64,
    /// Periodicity trackers held.
    pub periodic_trackers: u64,
    /// Periodicity trackers evicted.
    pub periodic_evicted: u64,
    /// Gateways or infrastructure servers not remembered (tables full).
    pub infrastructure_refused: u64,
    /// Snapshots refused on restore (unknown format).
    pub snapshots_refused: u64,
}
