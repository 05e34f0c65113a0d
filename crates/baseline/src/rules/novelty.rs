//! Novelty against the allow-list: a new external destination for a model that never talks to
//! the internet (or reaches only a few fixed vendor networks), and a new service (direction,
//! transport, port, peer scope) the model never uses. Only judged with a mature learnt profile
//! or a declared one; administrative protocols outbound and remote-access ports inbound are left
//! to the lateral-movement and remote-access rules.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use crate::ports;
use crate::profile::behaviour::PeerScope;
use serde::{Deserialize, Serialize};
use wardwatch_flow::event::{Direction, PeerRole, ServiceUse};

/// Novelty settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoveltyConfig {
    /// Flows a combination needs in the window before it counts.
    pub min_flows: u32,
}

impl Default for NoveltyConfig {
    fn default() -> Self {
        NoveltyConfig { min_flows: 1 }
    }
}

fn role_words(role: PeerRole) -> &'static str {
    match role {
        PeerRole::SameModel => "another device of its model",
        PeerRole::Infrastructure => "an infrastructure server",
        PeerRole::InternalServer => "an internal server",
        PeerRole::InternalClient => "an internal host",
        PeerRole::External => "an external host",
        PeerRole::Multicast => "broadcast/multicast",
    }
}

fn service_clause(s: &ServiceUse) -> String {
    let svc = explain::service_words(s.proto, s.port);
    match s.direction {
        Direction::Outbound => format!("connected to {svc} on {}", role_words(s.role)),
        Direction::Inbound => format!("accepted {svc} connections from {}", role_words(s.role)),
    }
}

fn peers_for(ctx: &WindowContext<'_>, port: u16, external: bool) -> Vec<AlertPeer> {
    ctx.w
        .peers
        .iter()
        .filter(|p| p.internal != external && p.ports.contains(&port))
        .map(|p| AlertPeer {
            ip: p.ip,
            port: Some(port),
        })
        .collect()
}

/// Splits the window's services outside the allow-list into outbound external ones of a model
/// that never talks outside, and other new services.
fn classify<'w>(
    ctx: &WindowContext<'w>,
    cfg: &NoveltyConfig,
) -> (Vec<&'w ServiceUse>, Vec<&'w ServiceUse>) {
    let talks_external = ctx.declared.is_some_and(|d| d.talks_external())
        || ctx.learnt.is_some_and(|l| l.external_outbound);
    let mut never_external = Vec::new();
    let mut new_services = Vec::new();
    for s in ctx
        .w
        .services
        .iter()
        .filter(|s| s.flows >= cfg.min_flows.max(1))
    {
        let scope = PeerScope::of(s.role);
        let inbound_remote = s.direction == Direction::Inbound && ports::is_remote_access(s.port);
        let outbound_admin = s.direction == Direction::Outbound
            && scope == PeerScope::Internal
            && ports::is_admin(s.port);
        if inbound_remote || outbound_admin || ctx.allows(s.direction, s.role, s.proto, s.port) {
            continue;
        }
        if s.direction == Direction::Outbound && scope == PeerScope::External && !talks_external {
            never_external.push(s);
        } else {
            new_services.push(s);
        }
    }
    (never_external, new_services)
}

/// Runs both novelty rules on a window.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &NoveltyConfig, out: &mut Vec<Alert>) {
    if !ctx.has_allowlist() {
        return;
    }
    let (never_external, new_services) = classify(ctx, cfg);
    if !never_external.is_empty() {
        out.push(external_alert(ctx, &never_external));
    } else if let Some(l) = ctx.learnt.filter(|l| l.external_prefixes_closed) {
        new_prefix(ctx, l, out);
    }
    if !new_services.is_empty() {
        out.push(service_alert(ctx, &new_services));
    }
}

/// A model that never talks outside now does.
fn external_alert(ctx: &WindowContext<'_>, services: &[&ServiceUse]) -> Alert {
    let first_port = services.first().map_or(0, |s| s.port);
    let mut peers: Vec<AlertPeer> = ctx
        .w
        .peers
        .iter()
        .filter(|p| !p.internal && p.flows_out > 0)
        .map(|p| AlertPeer {
            ip: p.ip,
            port: p.ports.first().copied(),
        })
        .collect();
    if peers.is_empty() {
        peers = peers_for(ctx, first_port, true);
    }
    let why = match ctx.declared {
        Some(d) => format!(
            "external destinations are not declared by the manufacturer ({})",
            explain::clean(&d.source, 80)
        ),
        None => format!(
            "{} of this model never talk to external hosts",
            explain::class_plural(ctx.class)
        ),
    };
    let text = format!(
        "{} {}{}; {why}. Find out what the device is sending out and block the destination if nobody expected it.",
        ctx.label,
        services
            .first()
            .map(|s| service_clause(s))
            .unwrap_or_default(),
        peers
            .first()
            .map(|p| format!(" ({})", p.ip))
            .unwrap_or_default(),
    );
    let mut a = ctx.alert(AlertKind::NewExternalDestination, Severity::High, text);
    let total = peers.len();
    set_peers(&mut a, peers, total);
    let list: Vec<String> = services
        .iter()
        .map(|s| explain::service_words(s.proto, s.port))
        .collect();
    evidence(&mut a, "services", list.join(", "));
    a
}

/// Services the model never uses.
fn service_alert(ctx: &WindowContext<'_>, services: &[&ServiceUse]) -> Alert {
    let (role, direction, proto, port) = services.first().map_or(
        (
            PeerRole::InternalServer,
            Direction::Outbound,
            wardwatch_flow::event::Transport::Tcp,
            0,
        ),
        |s| (s.role, s.direction, s.proto, s.port),
    );
    let external = PeerScope::of(role) == PeerScope::External;
    let severity = match (PeerScope::of(role), direction) {
        (PeerScope::External, Direction::Inbound) => Severity::High,
        (PeerScope::Multicast, _) => Severity::Low,
        _ => Severity::Medium,
    };
    let svc = explain::service_words(proto, port);
    let more = services.len().saturating_sub(1);
    let text = format!(
        "{} {}{}; {}.{}",
        ctx.label,
        services
            .first()
            .map(|s| service_clause(s))
            .unwrap_or_default(),
        if more > 0 {
            format!(" (and {more} more new services)")
        } else {
            String::new()
        },
        ctx.outside(&svc),
        if external && direction == Direction::Inbound {
            " The device is reachable from outside: check the firewall."
        } else {
            " Check whether a configuration change or service visit explains it."
        },
    );
    let mut a = ctx.alert(AlertKind::NewService, severity, text);
    let peers = peers_for(ctx, port, external);
    let total = peers.len();
    set_peers(&mut a, peers, total);
    let list: Vec<String> = services
        .iter()
        .map(|s| {
            format!(
                "{:?} {}",
                s.direction,
                explain::service_words(s.proto, s.port)
            )
            .to_lowercase()
        })
        .collect();
    evidence(&mut a, "services", list.join(", "));
    evidence(&mut a, "port", port);
    a
}

/// A model with a closed set of external networks reaching a new one.
fn new_prefix(
    ctx: &WindowContext<'_>,
    l: &crate::profile::behaviour::BehaviourProfile,
    out: &mut Vec<Alert>,
) {
    let fresh: Vec<AlertPeer> = ctx
        .w
        .peers
        .iter()
        .filter(|p| !p.internal && p.flows_out > 0 && !l.knows_external(p.ip))
        .map(|p| AlertPeer {
            ip: p.ip,
            port: p.ports.first().copied(),
        })
        .collect();
    let Some(first) = fresh.first() else { return };
    let known: Vec<String> = l
        .external_prefixes
        .iter()
        .take(3)
        .map(ToString::to_string)
        .collect();
    let text = format!(
        "{} connected to {}, outside the {} external network(s) its model uses ({}). Check whether the vendor changed its servers; otherwise block it.",
        ctx.label,
        first.ip,
        l.external_prefixes.len(),
        known.join(", "),
    );
    let mut a = ctx.alert(AlertKind::NewExternalDestination, Severity::Medium, text);
    let total = fresh.len();
    set_peers(&mut a, fresh, total);
    out.push(a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::{DeclaredPeer, DeclaredProfile, DeclaredService};
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};
    use wardwatch_flow::ModelId;
    use wardwatch_flow::event::Transport;

    fn models() -> ModelSet {
        let mut m = ModelSet::empty();
        m.declare(
            ModelId::from("bd-alaris-pcu-8015"),
            DeclaredProfile::new(
                vec![DeclaredService {
                    direction: Direction::Outbound,
                    proto: Transport::Tcp,
                    port: 443,
                    peer: DeclaredPeer::Internal,
                }],
                "MUD https://bd.example/pcu.json",
            ),
        );
        m
    }

    fn run(models: &ModelSet, b: WindowBuilder) -> Vec<Alert> {
        let w = b.model("bd-alaris-pcu-8015", "infusion_pump").build();
        let (ctx, _) = WindowContext::new(&w, models, &[]);
        let mut out = Vec::new();
        check(&ctx, &NoveltyConfig::default(), &mut out);
        out
    }

    #[test]
    fn declared_traffic_is_quiet_and_the_rest_is_not() {
        let m = models();
        let ok = WindowBuilder::new(1, 0)
            .service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                443,
                3,
                900,
            )
            .service(
                Direction::Outbound,
                PeerRole::Infrastructure,
                Transport::Udp,
                53,
                1,
                100,
            );
        assert!(run(&m, ok).is_empty());
        let mut ext = peer_summary("198.51.100.9", false);
        ext.ports = vec![443];
        ext.flows_out = 1;
        let out = run(
            &m,
            WindowBuilder::new(1, 0)
                .service(
                    Direction::Outbound,
                    PeerRole::External,
                    Transport::Tcp,
                    443,
                    1,
                    900,
                )
                .peer(ext),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, AlertKind::NewExternalDestination);
        assert_eq!(
            out[0].explanation,
            "infusion pump 02:00:00:00:00:01 (bd-alaris-pcu-8015, 10.0.1.10) connected to HTTPS (443) on an external host (198.51.100.9); \
             external destinations are not declared by the manufacturer (MUD https://bd.example/pcu.json). \
             Find out what the device is sending out and block the destination if nobody expected it."
        );
        let out = run(
            &m,
            WindowBuilder::new(1, 0).service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                8080,
                1,
                900,
            ),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, AlertKind::NewService);
        assert!(out[0].explanation.contains("connected to HTTP (8080) on an internal server; HTTP (8080) is not declared by the manufacturer"));
        assert_eq!(out[0].severity, Severity::Medium);
        // Zero flows do not count.
        assert!(
            run(
                &m,
                WindowBuilder::new(1, 0).service(
                    Direction::Outbound,
                    PeerRole::InternalServer,
                    Transport::Tcp,
                    8080,
                    0,
                    0
                )
            )
            .is_empty()
        );
    }

    #[test]
    fn no_allowlist_no_novelty() {
        let out = run(
            &ModelSet::empty(),
            WindowBuilder::new(1, 0).service(
                Direction::Outbound,
                PeerRole::External,
                Transport::Tcp,
                443,
                1,
                900,
            ),
        );
        assert!(out.is_empty());
    }
}
