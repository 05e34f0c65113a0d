//! Reconnaissance: port scan (many ports, failed connections), host scan (failed connections to
//! many hosts), ARP scan (ARP requests for many addresses) and ICMP sweep (echo requests to many
//! hosts). Fixed thresholds work from the first window; a mature profile whose devices
//! legitimately do more (a network management server) raises them to headroom × its training
//! maximum.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use serde::{Deserialize, Serialize};
use wardwatch_flow::Feature;

/// Scan thresholds, per window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScanConfig {
    /// Port scan: distinct destination ports …
    pub port_scan_min_ports: u32,
    /// … and failed connections.
    pub port_scan_min_failed: u32,
    /// Host scan: distinct hosts with a failed connection …
    pub host_scan_min_targets: u32,
    /// … and failed connections.
    pub host_scan_min_failed: u32,
    /// ARP scan: distinct addresses asked for.
    pub arp_scan_min_targets: u32,
    /// ICMP sweep: distinct hosts sent echo requests.
    pub icmp_sweep_min_targets: u32,
    /// With a mature profile, a threshold is at least this factor × the training maximum.
    pub profile_headroom: f64,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            port_scan_min_ports: 25,
            port_scan_min_failed: 15,
            host_scan_min_targets: 20,
            host_scan_min_failed: 20,
            arp_scan_min_targets: 50,
            icmp_sweep_min_targets: 20,
            profile_headroom: 2.0,
        }
    }
}

impl ScanConfig {
    fn limit(&self, ctx: &WindowContext<'_>, min: u32, f: Feature) -> f64 {
        let learnt = ctx.learnt_max(f).unwrap_or(0.0) * self.profile_headroom;
        f64::from(min).max(learnt.ceil())
    }
}

/// Runs the four scan rules on a window.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &ScanConfig, out: &mut Vec<Alert>) {
    out.extend(port_scan(ctx, cfg));
    out.extend(host_scan(ctx, cfg));
    out.extend(arp_scan(ctx, cfg));
    out.extend(icmp_sweep(ctx, cfg));
}

fn port_scan(ctx: &WindowContext<'_>, cfg: &ScanConfig) -> Option<Alert> {
    let secs = ctx.w.window_secs;
    let failed = ctx.feature(Feature::FailedConnections);
    let ports = ctx.feature(Feature::DstPorts);
    let port_limit = cfg.limit(ctx, cfg.port_scan_min_ports, Feature::DstPorts);
    let port_failed = cfg.limit(ctx, cfg.port_scan_min_failed, Feature::FailedConnections);
    if ports < port_limit || failed < port_failed {
        return None;
    }
    let mut a = ctx.alert(AlertKind::PortScan, Severity::Medium, String::new());
    let top = failed_peers(ctx, &mut a);
    a.explanation = explain::bound_explanation(format!(
        "{} connected to {} different ports in {secs} s and {} attempts failed{}: a port scan. \
         Unless someone runs an authorised scan from this device, disconnect it and check it.",
        ctx.label,
        explain::number_words(ports),
        explain::number_words(failed),
        top.map(|(ip, n)| format!(", most of them to {ip} ({n} failed)"))
            .unwrap_or_default(),
    ));
    add_counts(
        &mut a,
        &[
            ("dst_ports", ports, port_limit),
            ("failed_connections", failed, port_failed),
        ],
    );
    Some(a)
}

fn host_scan(ctx: &WindowContext<'_>, cfg: &ScanConfig) -> Option<Alert> {
    let secs = ctx.w.window_secs;
    let failed = ctx.feature(Feature::FailedConnections);
    let targets = ctx.feature(Feature::FailedTargets);
    let host_limit = cfg.limit(ctx, cfg.host_scan_min_targets, Feature::FailedTargets);
    let host_failed = cfg.limit(ctx, cfg.host_scan_min_failed, Feature::FailedConnections);
    if targets < host_limit || failed < host_failed {
        return None;
    }
    let mut a = ctx.alert(AlertKind::HostScan, Severity::Medium, String::new());
    failed_peers(ctx, &mut a);
    a.peers_total = a.peers_total.max(targets as u32);
    a.explanation = explain::bound_explanation(format!(
        "{} tried to reach {} different hosts in {secs} s and {} attempts failed: a host scan, \
         as spreading malware or an attacker mapping the network does. Find who uses the device and isolate it if nobody can explain it.",
        ctx.label,
        explain::number_words(targets),
        explain::number_words(failed),
    ));
    add_counts(
        &mut a,
        &[
            ("failed_targets", targets, host_limit),
            ("failed_connections", failed, host_failed),
        ],
    );
    Some(a)
}

fn arp_scan(ctx: &WindowContext<'_>, cfg: &ScanConfig) -> Option<Alert> {
    let arp = ctx.feature(Feature::ArpTargets);
    let arp_limit = cfg.limit(ctx, cfg.arp_scan_min_targets, Feature::ArpTargets);
    if arp < arp_limit {
        return None;
    }
    let mut a = ctx.alert(AlertKind::ArpScan, Severity::Medium, String::new());
    a.explanation = explain::bound_explanation(format!(
        "{} asked ARP for {} different addresses in {} s: it is mapping the local network, \
         the first step of most attacks inside a ward network.",
        ctx.label,
        explain::number_words(arp),
        ctx.w.window_secs,
    ));
    add_counts(&mut a, &[("arp_targets", arp, arp_limit)]);
    evidence(
        &mut a,
        "arp_requests",
        explain::number_words(ctx.feature(Feature::ArpRequests)),
    );
    Some(a)
}

fn icmp_sweep(ctx: &WindowContext<'_>, cfg: &ScanConfig) -> Option<Alert> {
    let icmp = ctx.feature(Feature::IcmpEchoTargets);
    let icmp_limit = cfg.limit(ctx, cfg.icmp_sweep_min_targets, Feature::IcmpEchoTargets);
    if icmp < icmp_limit {
        return None;
    }
    let mut a = ctx.alert(AlertKind::IcmpSweep, Severity::Low, String::new());
    a.explanation = explain::bound_explanation(format!(
        "{} pinged {} different hosts in {} s: a ping sweep looking for live hosts.",
        ctx.label,
        explain::number_words(icmp),
        ctx.w.window_secs,
    ));
    add_counts(&mut a, &[("icmp_echo_targets", icmp, icmp_limit)]);
    Some(a)
}

/// Lists the peers with failed connections (most failures first); returns the top one.
fn failed_peers(ctx: &WindowContext<'_>, a: &mut Alert) -> Option<(std::net::IpAddr, u32)> {
    let mut peers: Vec<_> = ctx.w.peers.iter().filter(|p| p.failed > 0).collect();
    peers.sort_by(|x, y| y.failed.cmp(&x.failed).then(x.ip.cmp(&y.ip)));
    let total = peers.len();
    let top = peers.first().map(|p| (p.ip, p.failed));
    set_peers(
        a,
        peers.iter().map(|p| AlertPeer {
            ip: p.ip,
            port: None,
        }),
        total,
    );
    top
}

fn add_counts(a: &mut Alert, counts: &[(&str, f64, f64)]) {
    for (name, value, limit) in counts {
        evidence(a, name, explain::number_words(*value));
        evidence(
            a,
            &format!("{name}_threshold"),
            explain::number_words(*limit),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};

    fn run(w: &wardwatch_flow::WindowFeatures) -> Vec<Alert> {
        let models = ModelSet::empty();
        let (ctx, _) = WindowContext::new(w, &models, &[]);
        let mut out = Vec::new();
        check(&ctx, &ScanConfig::default(), &mut out);
        out
    }

    fn kinds(alerts: &[Alert]) -> Vec<AlertKind> {
        alerts.iter().map(|a| a.kind).collect()
    }

    #[test]
    fn port_scan_threshold_both_sides() {
        let mut target = peer_summary("10.0.0.9", true);
        target.failed = 30;
        let at = |ports: f64, failed: f64| {
            WindowBuilder::new(1, 0)
                .feature(Feature::DstPorts, ports)
                .feature(Feature::FailedConnections, failed)
                .feature(Feature::FailedTargets, 1.0)
                .peer(target.clone())
                .build()
        };
        assert!(run(&at(24.0, 30.0)).is_empty());
        assert!(run(&at(25.0, 14.0)).is_empty());
        let alerts = run(&at(25.0, 15.0));
        assert_eq!(kinds(&alerts), vec![AlertKind::PortScan]);
        let a = &alerts[0];
        assert_eq!(a.severity, Severity::Medium);
        assert_eq!(a.peers.len(), 1);
        assert_eq!(a.evidence["dst_ports"], "25");
        assert_eq!(a.evidence["dst_ports_threshold"], "25");
        assert!(a.explanation.starts_with(
            "unidentified device 02:00:00:00:00:01 (10.0.1.10) connected to 25 different ports in 60 s and 15 attempts failed, most of them to 10.0.0.9 (30 failed): a port scan."
        ), "{}", a.explanation);
    }

    #[test]
    fn host_scan_arp_and_icmp_thresholds() {
        let host = |targets: f64| {
            WindowBuilder::new(1, 0)
                .feature(Feature::FailedTargets, targets)
                .feature(Feature::FailedConnections, 40.0)
                .build()
        };
        assert!(run(&host(19.0)).is_empty());
        assert_eq!(kinds(&run(&host(20.0))), vec![AlertKind::HostScan]);
        assert_eq!(run(&host(20.0))[0].peers_total, 20);
        let arp = |n: f64| {
            WindowBuilder::new(1, 0)
                .feature(Feature::ArpTargets, n)
                .build()
        };
        assert!(run(&arp(49.0)).is_empty());
        assert_eq!(kinds(&run(&arp(50.0))), vec![AlertKind::ArpScan]);
        let icmp = |n: f64| {
            WindowBuilder::new(1, 0)
                .feature(Feature::IcmpEchoTargets, n)
                .build()
        };
        assert!(run(&icmp(19.0)).is_empty());
        let sweep = run(&icmp(20.0));
        assert_eq!(kinds(&sweep), vec![AlertKind::IcmpSweep]);
        assert_eq!(sweep[0].severity, Severity::Low);
    }

    #[test]
    fn patient_care_raises_severity() {
        let w = WindowBuilder::new(1, 0)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .feature(Feature::ArpTargets, 60.0)
            .build();
        let models = ModelSet::empty();
        let (ctx, _) = WindowContext::new(&w, &models, &["infusion_pump".to_owned()]);
        let mut out = Vec::new();
        check(&ctx, &ScanConfig::default(), &mut out);
        assert_eq!(out[0].severity, Severity::High);
        assert!(out[0].explanation.starts_with(
            "infusion pump 02:00:00:00:00:01 (bd-alaris-pcu-8015, 10.0.1.10) asked ARP for 60"
        ));
    }
}
