//! Vendor remote access: inbound remote-desktop and remote-support sessions (RDP, VNC,
//! TeamViewer, AnyDesk, pcAnywhere, Radmin, SSH, Telnet). From an external peer they alert
//! unless the profile allows them at this hour (or the manufacturer declared them); from an
//! internal peer they alert when the profile does not include them or the hour is one at which
//! the model never had remote sessions in training.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use crate::ports::REMOTE_ACCESS_PORTS;
use crate::profile::behaviour::PeerScope;
use serde::{Deserialize, Serialize};
use wardwatch_flow::event::{Direction, ServiceUse};

/// Remote-access settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoteAccessConfig {
    /// Inbound ports treated as remote access.
    pub ports: Vec<u16>,
    /// Inbound flows in the window before it counts.
    pub min_flows: u32,
}

impl Default for RemoteAccessConfig {
    fn default() -> Self {
        RemoteAccessConfig {
            ports: REMOTE_ACCESS_PORTS.to_vec(),
            min_flows: 1,
        }
    }
}

enum Finding {
    External,
    NotInProfile,
    OffHours,
}

fn judge(ctx: &WindowContext<'_>, s: &ServiceUse) -> Option<Finding> {
    let declared = ctx
        .declared
        .is_some_and(|d| d.allows_remote_access(s.role, s.proto, s.port));
    let learnt = ctx
        .learnt
        .is_some_and(|l| l.allows(s.direction, s.role, s.proto, s.port));
    let hour_ok = ctx.learnt.is_some_and(|l| l.remote_access_at(ctx.hour));
    if declared {
        return None;
    }
    match PeerScope::of(s.role) {
        PeerScope::External if learnt && hour_ok => None,
        PeerScope::External => Some(Finding::External),
        _ if !ctx.has_allowlist() => None,
        _ if !learnt => Some(Finding::NotInProfile),
        _ if !hour_ok => Some(Finding::OffHours),
        _ => None,
    }
}

/// Runs the remote-access rule on a window.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &RemoteAccessConfig, out: &mut Vec<Alert>) {
    let mut findings: Vec<(&ServiceUse, Finding)> = ctx
        .w
        .services
        .iter()
        .filter(|s| {
            s.direction == Direction::Inbound
                && s.flows >= cfg.min_flows.max(1)
                && cfg.ports.contains(&s.port)
        })
        .filter_map(|s| judge(ctx, s).map(|f| (s, f)))
        .collect();
    findings.sort_by_key(|(s, f)| (!matches!(f, Finding::External), s.port));
    let Some((s, finding)) = findings.first() else {
        return;
    };
    let external = matches!(finding, Finding::External);
    let peers: Vec<AlertPeer> = ctx
        .w
        .peers
        .iter()
        .filter(|p| p.flows_in > 0 && p.ports.contains(&s.port) && p.internal != external)
        .map(|p| AlertPeer {
            ip: p.ip,
            port: Some(s.port),
        })
        .collect();
    let from = peers.first().map_or_else(
        || {
            if external {
                "the internet".to_owned()
            } else {
                "an internal host".to_owned()
            }
        },
        |p| p.ip.to_string(),
    );
    let svc = explain::service_words(s.proto, s.port);
    let hour = explain::hour_words(ctx.hour);
    let (severity, text) = match finding {
        Finding::External => (
            Severity::High,
            format!(
                "{} accepted a {svc} remote session from {from}, outside the hospital network, at {hour}. \
                 Confirm with the vendor that this session was booked; if not, cut it off and change the device's remote-access password.",
                ctx.label
            ),
        ),
        Finding::NotInProfile => (
            Severity::Medium,
            format!(
                "{} accepted a {svc} remote session from {from} at {hour}; {}. Find out who connected and why.",
                ctx.label,
                ctx.outside(&format!("inbound {svc}"))
            ),
        ),
        Finding::OffHours => (
            Severity::Medium,
            format!(
                "{} accepted a {svc} remote session from {from} at {hour}, an hour at which its model never had remote sessions while its baseline was learnt. \
                 Find out who connected and whether it was planned.",
                ctx.label
            ),
        ),
    };
    let mut a = ctx.alert(AlertKind::RemoteAccess, severity, text);
    let total = peers.len();
    set_peers(&mut a, peers, total);
    evidence(&mut a, "port", s.port);
    evidence(&mut a, "hour_utc", ctx.hour);
    evidence(
        &mut a,
        "from",
        if external { "external" } else { "internal" },
    );
    out.push(a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};
    use wardwatch_flow::event::{PeerRole, Transport};

    #[test]
    fn external_session_without_profile_alerts_and_internal_is_quiet() {
        let models = ModelSet::empty();
        let run = |role: PeerRole, ip: &str, internal: bool, flows: u32| {
            let mut p = peer_summary(ip, internal);
            p.ports = vec![5938];
            p.flows_in = flows;
            let w = WindowBuilder::new(1, 3 * 3600)
                .class("med_cabinet")
                .service(Direction::Inbound, role, Transport::Tcp, 5938, flows, 5000)
                .peer(p)
                .build();
            let (ctx, _) = WindowContext::new(&w, &models, &[]);
            let mut out = Vec::new();
            check(&ctx, &RemoteAccessConfig::default(), &mut out);
            out
        };
        let a = run(PeerRole::External, "192.0.2.44", false, 1);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].severity, Severity::High);
        assert!(a[0].explanation.contains("accepted a TeamViewer (5938) remote session from 192.0.2.44, outside the hospital network, at 03:00 UTC"));
        assert!(run(PeerRole::External, "192.0.2.44", false, 0).is_empty());
        assert!(run(PeerRole::InternalClient, "10.0.9.9", true, 1).is_empty());
    }
}
