//! What the pipeline processor hands to the metrics: the flow pipeline's statistics mapped onto
//! the metrics' mirror ([`crate::metrics::PipelineStats`]), the device list with the detector's
//! latest anomaly score, and the detector's suppression counters as increments.
//!
//! Label mapping (documented in `docs/metrics.md`): `wardwatch_decode_errors_total{kind}` takes
//! the flow decoder's `DecodeLayer` names one to one (`link`, `vlan`, `arp`, `ip`,
//! `ip_extension`, `tcp`, `udp`, `icmp`) plus `unsupported_linktype` (packets of a capture link
//! type the engine does not decode); `wardwatch_flows_evicted_total{reason}` takes the flow
//! table's `EndReason` names one to one (`idle`, `closed`, `failed`, `emergency_timeout`,
//! `capacity`, `flush`); `wardwatch_devices_evicted_total{state}`: `established` = established
//! devices retired to make room, `tentative` = unestablished devices evicted.

use crate::metrics::labels::{DecodeErrorKind, DeviceState, EvictReason, SuppressReason};
use crate::metrics::{DeviceSummary, Metrics, PipelineStats as Mirror};
use wardwatch_baseline::{Detector, DetectorStats};
use wardwatch_flow::PipelineStats;
use wardwatch_flow::decode::DecodeLayer;
use wardwatch_flow::flow_table::END_REASONS;

/// The metrics' mirror of the flow pipeline's counters.
pub fn mirror(stats: &PipelineStats, unsupported_linktype: u64) -> Mirror {
    let mut m = Mirror::default();
    for layer in DecodeLayer::ALL {
        if let Some(slot) = m.decode_errors.get_mut(layer.index()) {
            *slot = stats.decode_errors.layer(*layer);
        }
    }
    if let Some(slot) = m
        .decode_errors
        .get_mut(DecodeErrorKind::UnsupportedLinktype.index())
    {
        *slot = unsupported_linktype;
    }
    for (i, reason) in END_REASONS.iter().enumerate() {
        if let Some(slot) = m.flows_evicted.get_mut(i) {
            *slot = stats.flows.evicted_by(*reason);
        }
    }
    m.flows_active = stats.flows.active;
    m.flows_created = stats.flows.created;
    m.flow_table_emergency = stats.flows.emergency;
    if let Some(slot) = m.devices_evicted.get_mut(DeviceState::Established.index()) {
        *slot = stats.devices.established_retired;
    }
    if let Some(slot) = m.devices_evicted.get_mut(DeviceState::Tentative.index()) {
        *slot = stats.devices.unestablished_evicted;
    }
    debug_assert_eq!(EvictReason::COUNT, END_REASONS.len());
    m
}

/// The device list for `Metrics::observe_devices`: every device of the table with its identity
/// and, for established devices the detector has scored, the latest score level (1 = the
/// alert threshold of its profile).
pub fn devices(
    records: &[wardwatch_flow::DeviceRecord],
    detector: Option<&Detector>,
) -> Vec<DeviceSummary> {
    records
        .iter()
        .map(|r| DeviceSummary {
            id: r.device.id,
            established: r.established,
            identity: r.identity.clone(),
            anomaly_score: detector
                .and_then(|d| d.anomaly_score(&r.device.id))
                .map(|s| s.level),
        })
        .collect()
}

/// Running totals of the detector's suppression counters, turned into increments.
#[derive(Debug, Default)]
pub struct Suppressed {
    duplicate: u64,
    rate_limited: u64,
}

impl Suppressed {
    /// Counts what was suppressed since the last call (a new detector restarts the totals).
    pub fn publish(&mut self, stats: &DetectorStats, metrics: &Metrics) {
        for (reason, total, last) in [
            (
                SuppressReason::Duplicate,
                stats.deduplicated,
                &mut self.duplicate,
            ),
            (
                SuppressReason::RateLimit,
                stats.rate_limited,
                &mut self.rate_limited,
            ),
        ] {
            let increment = if total >= *last { total - *last } else { total };
            if increment > 0 {
                metrics.observe_alerts_suppressed(reason, increment);
            }
            *last = total;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wardwatch_flow::decode::{DecodeError, DecodeErrorKind as Kind};

    #[test]
    fn flow_counters_map_onto_the_mirror_by_name() {
        let mut stats = PipelineStats::default();
        stats.decode_errors.add(DecodeError {
            kind: Kind::Truncated,
            layer: DecodeLayer::Tcp,
        });
        stats.decode_errors.add(DecodeError {
            kind: Kind::Malformed,
            layer: DecodeLayer::IpExtension,
        });
        stats.flows.evicted = [1, 2, 3, 4, 5, 6];
        stats.flows.active = 7;
        stats.flows.created = 28;
        stats.flows.emergency = true;
        stats.devices.established_retired = 8;
        stats.devices.unestablished_evicted = 9;
        let m = mirror(&stats, 11);
        assert_eq!(m.decode_errors[DecodeErrorKind::Tcp.index()], 1);
        assert_eq!(m.decode_errors[DecodeErrorKind::IpExtension.index()], 1);
        assert_eq!(m.decode_errors[DecodeErrorKind::Ip.index()], 0);
        assert_eq!(
            m.decode_errors[DecodeErrorKind::UnsupportedLinktype.index()],
            11
        );
        assert_eq!(m.flows_evicted[EvictReason::Failed.index()], 3);
        assert_eq!(m.flows_evicted[EvictReason::Flush.index()], 6);
        assert_eq!(
            (m.flows_active, m.flows_created, m.flow_table_emergency),
            (7, 28, true)
        );
        assert_eq!(m.devices_evicted[DeviceState::Established.index()], 8);
        assert_eq!(m.devices_evicted[DeviceState::Tentative.index()], 9);
    }
}
