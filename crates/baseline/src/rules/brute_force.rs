//! Brute force: many short connections between the device and one host on one authentication
//! service (SSH, Telnet, FTP, RDP, SMB, VNC, WinRM, databases, LDAP) in one window — password
//! guessing. Outbound, the device is guessing; inbound, the device is being guessed at.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use crate::ports::AUTH_PORTS;
use serde::{Deserialize, Serialize};
use wardwatch_flow::event::Transport;

/// Brute-force thresholds, per window and peer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BruteForceConfig {
    /// Connections to (or from) one host on one authentication port.
    pub min_connections: u32,
    /// Average bytes per connection at most (login attempts are short).
    pub max_bytes_per_connection: u64,
    /// Authentication ports watched.
    pub ports: Vec<u16>,
    /// The peer may use at most this many distinct ports with the device (one service).
    pub max_peer_ports: usize,
}

impl Default for BruteForceConfig {
    fn default() -> Self {
        BruteForceConfig {
            min_connections: 20,
            max_bytes_per_connection: 20_000,
            ports: AUTH_PORTS.to_vec(),
            max_peer_ports: 2,
        }
    }
}

/// Runs the brute-force rule on a window (at most one alert, for the busiest peer).
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &BruteForceConfig, out: &mut Vec<Alert>) {
    let mut hits: Vec<(u32, bool, AlertPeer, u64, u32)> = Vec::new();
    for p in &ctx.w.peers {
        if p.ports.is_empty() || p.ports.len() > cfg.max_peer_ports {
            continue;
        }
        let Some(port) = p
            .ports
            .iter()
            .copied()
            .find(|port| cfg.ports.contains(port))
        else {
            continue;
        };
        let bytes = p.bytes_out.saturating_add(p.bytes_in);
        for (outbound, flows) in [(true, p.flows_out), (false, p.flows_in)] {
            if flows >= cfg.min_connections
                && flows > 0
                && bytes / u64::from(flows) <= cfg.max_bytes_per_connection
            {
                hits.push((
                    flows,
                    outbound,
                    AlertPeer {
                        ip: p.ip,
                        port: Some(port),
                    },
                    bytes / u64::from(flows),
                    p.failed,
                ));
            }
        }
    }
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.ip.cmp(&b.2.ip)));
    let Some((flows, outbound, peer, avg, failed)) = hits.first().cloned() else {
        return;
    };
    let service = explain::service_words(Transport::Tcp, peer.port.unwrap_or(0));
    let secs = ctx.w.window_secs;
    let text = if outbound {
        format!(
            "{} made {flows} short connections (about {} each) to {service} on {} in {secs} s{}: a password-guessing pattern. \
             Find out what on the device is doing this; a medical device or workstation has no reason to.",
            ctx.label,
            explain::bytes_words(avg as f64),
            peer.ip,
            if failed > 0 {
                format!(", {failed} of them failed")
            } else {
                String::new()
            },
        )
    } else {
        format!(
            "{} received {flows} short connections (about {} each) on {service} from {} in {secs} s: someone is guessing its password. \
             Block {} and check that the device's {service} password is not a default one.",
            ctx.label,
            explain::bytes_words(avg as f64),
            peer.ip,
            peer.ip,
        )
    };
    let mut a = ctx.alert(AlertKind::BruteForce, Severity::High, text);
    let total = hits.len();
    set_peers(&mut a, hits.into_iter().map(|h| h.2), total);
    evidence(&mut a, "connections", flows);
    evidence(&mut a, "bytes_per_connection", avg);
    evidence(
        &mut a,
        "direction",
        if outbound { "outbound" } else { "inbound" },
    );
    evidence(&mut a, "threshold", cfg.min_connections);
    out.push(a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};

    fn run(flows_out: u32, flows_in: u32, bytes: u64, ports: Vec<u16>) -> Vec<Alert> {
        let mut p = peer_summary("10.0.0.22", true);
        p.ports = ports;
        p.flows_out = flows_out;
        p.flows_in = flows_in;
        p.bytes_out = bytes;
        p.failed = 3;
        let w = WindowBuilder::new(1, 0)
            .class("workstation")
            .peer(p)
            .build();
        let models = ModelSet::empty();
        let (ctx, _) = WindowContext::new(&w, &models, &[]);
        let mut out = Vec::new();
        check(&ctx, &BruteForceConfig::default(), &mut out);
        out
    }

    #[test]
    fn threshold_both_sides() {
        assert!(run(19, 0, 19 * 3000, vec![22]).is_empty());
        let a = run(20, 0, 20 * 3000, vec![22]);
        assert_eq!(a.len(), 1);
        assert_eq!(
            a[0].explanation,
            "workstation 02:00:00:00:00:01 (10.0.1.10) made 20 short connections (about 3.0 kB each) to SSH (22) on 10.0.0.22 in 60 s, 3 of them failed: \
             a password-guessing pattern. Find out what on the device is doing this; a medical device or workstation has no reason to."
        );
        assert_eq!(a[0].peers[0].port, Some(22));
        // Long connections are sessions, not guesses.
        assert!(run(20, 0, 20 * 20_001, vec![22]).is_empty());
        // Not an authentication port, or a peer using many ports.
        assert!(run(50, 0, 1000, vec![443]).is_empty());
        assert!(run(50, 0, 1000, vec![22, 80, 443]).is_empty());
    }

    #[test]
    fn inbound_guessing() {
        let a = run(0, 40, 40 * 1000, vec![23]);
        assert_eq!(a.len(), 1);
        assert!(a[0].explanation.contains(
            "received 40 short connections (about 1.0 kB each) on Telnet (23) from 10.0.0.22"
        ));
        assert_eq!(a[0].evidence["direction"], "inbound");
    }
}
