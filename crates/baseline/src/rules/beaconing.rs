//! Beaconing: connections to one destination at regular intervals (the flow crate's beacon
//! candidates, jitter-tolerant). External destinations weigh more than internal ones; DNS, NTP,
//! DHCP and other infrastructure services to internal servers never count, and internal
//! heartbeats the profile knows (a pump polling its server) stay quiet. Broadcast and multicast
//! destinations are announcements, not a controller (SSDP, mDNS), and NTP polls at powers of
//! two from 64 to 1024 s by design (RFC 5905): an NTP-sized exchange on its port is time
//! keeping, to any server.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use crate::ports;
use serde::{Deserialize, Serialize};
use wardwatch_flow::event::{Direction, PeerRole, Periodic, Transport};
use wardwatch_flow::nets::is_group;

/// Beaconing thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BeaconConfig {
    /// Connections a candidate needs.
    pub min_connections: u32,
    /// Weighted regularity score (0..1) a candidate needs.
    pub min_score: f64,
    /// Weight of internal destinations' scores (external = 1).
    pub internal_weight: f64,
    /// Shortest median interval considered, seconds (faster is a stream, not a beacon).
    pub min_interval_secs: f64,
    /// Longest median interval considered, seconds.
    pub max_interval_secs: f64,
    /// Internal infrastructure ports that are never beaconing.
    pub infrastructure_ports: Vec<u16>,
    /// UDP ports of protocols periodic by design, never beaconing to any destination while
    /// each exchange stays within `by_design_max_bytes` (NTP 123).
    pub by_design_udp_ports: Vec<u16>,
    /// Largest exchange, bytes, of a protocol periodic by design (an NTP request and answer
    /// are 90 B each on the wire; a tunnel through the port carries more).
    pub by_design_max_bytes: u64,
}

impl Default for BeaconConfig {
    fn default() -> Self {
        BeaconConfig {
            min_connections: 12,
            min_score: 0.8,
            internal_weight: 0.85,
            min_interval_secs: 5.0,
            max_interval_secs: 6.0 * 3600.0,
            infrastructure_ports: ports::INFRASTRUCTURE_PORTS.to_vec(),
            by_design_udp_ports: vec![123],
            by_design_max_bytes: 256,
        }
    }
}

fn weighted(cfg: &BeaconConfig, p: &Periodic) -> f64 {
    let s = if p.score.is_finite() {
        p.score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if p.internal {
        s * cfg.internal_weight
    } else {
        s
    }
}

fn qualifies(ctx: &WindowContext<'_>, cfg: &BeaconConfig, p: &Periodic) -> bool {
    if p.connections < cfg.min_connections
        || !(p.interval_s.is_finite()
            && p.interval_s >= cfg.min_interval_secs
            && p.interval_s <= cfg.max_interval_secs)
        || weighted(cfg, p) < cfg.min_score
        || is_group(p.ip)
    {
        return false;
    }
    if p.proto == Transport::Udp
        && cfg.by_design_udp_ports.contains(&p.port)
        && p.bytes_per_connection <= cfg.by_design_max_bytes
    {
        return false;
    }
    if p.internal {
        if cfg.infrastructure_ports.contains(&p.port) {
            return false;
        }
        // A heartbeat to an internal service the profile knows is the device's normal work;
        // without any profile internal periodic traffic cannot be judged.
        let role = PeerRole::InternalServer;
        return ctx.has_allowlist() && !ctx.allows(Direction::Outbound, role, p.proto, p.port);
    }
    let known_endpoint = ctx.learnt.is_some_and(|l| l.knows_external(p.ip))
        && ctx.allows(Direction::Outbound, PeerRole::External, p.proto, p.port);
    let declared = ctx
        .declared
        .is_some_and(|d| d.allows(Direction::Outbound, PeerRole::External, p.proto, p.port));
    !(known_endpoint || declared)
}

/// Runs the beaconing rule on a window (one alert listing every qualifying destination).
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &BeaconConfig, out: &mut Vec<Alert>) {
    let mut hits: Vec<&Periodic> = ctx
        .w
        .periodic
        .iter()
        .filter(|p| qualifies(ctx, cfg, p))
        .collect();
    if hits.is_empty() {
        return;
    }
    hits.sort_by(|a, b| {
        weighted(cfg, b)
            .total_cmp(&weighted(cfg, a))
            .then(a.ip.cmp(&b.ip))
            .then(a.port.cmp(&b.port))
    });
    let Some(top) = hits.first() else { return };
    let external = !top.internal;
    let severity = if external {
        Severity::High
    } else {
        Severity::Medium
    };
    let service = explain::service_words(top.proto, top.port);
    let text = format!(
        "{} has connected to {} {} on {service} {} times at a regular {} interval (regularity {:.2}), about {} each time{}: \
         this looks like malware checking in with its controller. {}",
        ctx.label,
        if external {
            "external host"
        } else {
            "internal host"
        },
        top.ip,
        top.connections,
        interval_words(top.interval_s),
        top.score,
        explain::bytes_words(top.bytes_per_connection as f64),
        if hits.len() > 1 {
            format!(", and {} more destinations look the same", hits.len() - 1)
        } else {
            String::new()
        },
        if external {
            "Check whether the vendor expects this destination; if not, block it and examine the device."
        } else {
            "Check whether that host is a server the device should use."
        },
    );
    let mut a = ctx.alert(AlertKind::Beaconing, severity, text);
    let total = hits.len();
    set_peers(
        &mut a,
        hits.iter().map(|p| AlertPeer {
            ip: p.ip,
            port: Some(p.port),
        }),
        total,
    );
    evidence(&mut a, "connections", top.connections);
    evidence(&mut a, "interval_s", format!("{:.1}", top.interval_s));
    evidence(&mut a, "score", format!("{:.3}", top.score));
    evidence(
        &mut a,
        "weighted_score",
        format!("{:.3}", weighted(cfg, top)),
    );
    out.push(a);
}

fn interval_words(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.0} min", secs / 60.0)
    } else {
        format!("{:.1} h", secs / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::{DeclaredPeer, DeclaredProfile, DeclaredService};
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, beacon};
    use wardwatch_flow::ModelId;
    use wardwatch_flow::event::Transport;

    fn run(models: &ModelSet, p: Periodic) -> Vec<Alert> {
        let w = WindowBuilder::new(1, 0)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .periodic(p)
            .build();
        let (ctx, _) = WindowContext::new(&w, models, &[]);
        let mut out = Vec::new();
        check(&ctx, &BeaconConfig::default(), &mut out);
        out
    }

    #[test]
    fn external_thresholds_both_sides() {
        let m = ModelSet::empty();
        assert!(run(&m, beacon("198.51.100.7", 443, false, 11, 0.95)).is_empty());
        assert!(run(&m, beacon("198.51.100.7", 443, false, 12, 0.79)).is_empty());
        let a = run(&m, beacon("198.51.100.7", 443, false, 12, 0.80));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].severity, Severity::High);
        assert!(a[0].explanation.contains(
            "has connected to external host 198.51.100.7 on HTTPS (443) 12 times at a regular 60 s interval (regularity 0.80), about 600 B each time"
        ), "{}", a[0].explanation);
    }

    #[test]
    fn internal_infrastructure_and_known_heartbeats_are_quiet() {
        let mut m = ModelSet::empty();
        // No profile: internal periodic traffic is not judged, however regular.
        assert!(run(&m, beacon("10.20.0.5", 443, true, 500, 1.0)).is_empty());
        m.declare(
            ModelId::from("bd-alaris-pcu-8015"),
            DeclaredProfile::new(
                vec![DeclaredService {
                    direction: Direction::Outbound,
                    proto: Transport::Tcp,
                    port: 443,
                    peer: DeclaredPeer::Internal,
                }],
                "MUD",
            ),
        );
        assert!(run(&m, beacon("10.20.0.5", 443, true, 500, 1.0)).is_empty());
        assert!(run(&m, beacon("10.20.0.53", 53, true, 500, 1.0)).is_empty());
        // An undeclared internal port: 0.95 × 0.85 = 0.8075 ≥ 0.8 alerts; 0.94 × 0.85 = 0.799 does not.
        assert_eq!(run(&m, beacon("10.20.0.9", 8080, true, 50, 0.95)).len(), 1);
        assert!(run(&m, beacon("10.20.0.9", 8080, true, 50, 0.94)).is_empty());
    }

    #[test]
    fn announcements_and_time_keeping_are_not_beacons_but_a_tunnel_through_ntp_is() {
        let m = ModelSet::empty();
        let ssdp = Periodic {
            proto: Transport::Udp,
            ..beacon("239.255.255.250", 1900, false, 48, 0.99)
        };
        assert!(run(&m, ssdp).is_empty());
        assert!(run(&m, beacon("255.255.255.255", 5000, false, 48, 0.99)).is_empty());
        let ntp = Periodic {
            proto: Transport::Udp,
            bytes_per_connection: 180,
            interval_s: 1024.0,
            ..beacon("198.51.100.123", 123, false, 20, 0.97)
        };
        assert!(run(&m, ntp.clone()).is_empty());
        let tunnel = Periodic {
            bytes_per_connection: 1400,
            ..ntp
        };
        assert_eq!(run(&m, tunnel).len(), 1);
    }
}
