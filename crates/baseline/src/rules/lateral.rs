//! Lateral movement: administrative protocols (SMB, NetBIOS, MS-RPC, RDP, WinRM, SSH, Telnet,
//! VNC) towards internal hosts. Where the model's profile (learnt and mature, or declared) does
//! not include the protocol, any use alerts. Where SMB is normal (Windows hosts browsing shares),
//! only remote *execution* evidence alerts — service-control, scheduled-task, registry and
//! account pipes, DCE-RPC binds to them, DCOM/WMI activation, WinRM — so PsExec, smbexec,
//! wmiexec and atexec are told apart from file sharing. Without any profile only a wide fan-out
//! alerts.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use crate::ports;
use crate::profile::behaviour::PeerScope;
use serde::{Deserialize, Serialize};
use wardwatch_flow::Feature;
use wardwatch_flow::event::{Direction, RemoteExecKind, ServiceUse};

/// Lateral-movement thresholds, per window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LateralConfig {
    /// Hosts reached on a protocol outside the profile before alerting.
    pub min_targets_outside_profile: u32,
    /// Without a profile: hosts reached on administrative protocols before alerting.
    pub unprofiled_min_targets: u32,
    /// With the protocol in the profile: hosts reached before a fan-out alert …
    pub fanout_min_targets: u32,
    /// … and at least this factor × the training maximum.
    pub fanout_headroom: f64,
    /// Remote-execution evidence entries before alerting.
    pub remote_exec_min_events: u32,
}

impl Default for LateralConfig {
    fn default() -> Self {
        LateralConfig {
            min_targets_outside_profile: 1,
            unprofiled_min_targets: 10,
            fanout_min_targets: 30,
            fanout_headroom: 3.0,
            remote_exec_min_events: 1,
        }
    }
}

/// How an execution technique is described to people.
pub fn exec_words(kind: RemoteExecKind) -> &'static str {
    match kind {
        RemoteExecKind::SvcctlPipe => {
            "the service-control pipe (svcctl), the way PsExec and smbexec run commands"
        }
        RemoteExecKind::AtsvcPipe => {
            "the scheduled-task pipe (atsvc), the way atexec runs commands"
        }
        RemoteExecKind::WinregPipe => "the remote-registry pipe (winreg)",
        RemoteExecKind::SamrPipe => "the account-database pipe (samr), used to list accounts",
        RemoteExecKind::DcerpcBind => "an RPC bind to a remote-execution interface",
        RemoteExecKind::DcomActivation => "DCOM/WMI activation, the way wmiexec runs commands",
        RemoteExecKind::Winrm => "a WinRM remote shell",
    }
}

/// What the window shows of administrative traffic.
struct Observed<'w> {
    admin: Vec<&'w ServiceUse>,
    peers: Vec<AlertPeer>,
    targets: f64,
    exec_events: f64,
    services: Vec<String>,
    outside: Vec<String>,
}

fn unique(words: impl Iterator<Item = String>) -> Vec<String> {
    words.fold(Vec::new(), |mut v, s| {
        if !v.contains(&s) {
            v.push(s);
        }
        v
    })
}

fn observe<'w>(ctx: &WindowContext<'w>) -> Observed<'w> {
    let admin: Vec<&ServiceUse> = ctx
        .w
        .services
        .iter()
        .filter(|s| {
            s.direction == Direction::Outbound
                && s.flows > 0
                && PeerScope::of(s.role) == PeerScope::Internal
                && ports::is_admin(s.port)
        })
        .collect();
    let peers: Vec<AlertPeer> = ctx
        .w
        .peers
        .iter()
        .filter(|p| p.internal && p.flows_out > 0)
        .filter_map(|p| {
            let port = p.ports.iter().find(|port| ports::is_admin(**port))?;
            Some(AlertPeer {
                ip: p.ip,
                port: Some(*port),
            })
        })
        .collect();
    let services = unique(
        admin
            .iter()
            .map(|s| explain::service_words(s.proto, s.port)),
    );
    let outside = unique(
        admin
            .iter()
            .filter(|s| !ctx.allows(s.direction, s.role, s.proto, s.port))
            .map(|s| explain::service_words(s.proto, s.port)),
    );
    Observed {
        targets: ctx.feature(Feature::AdminTargets).max(peers.len() as f64),
        exec_events: (ctx.w.remote_exec.len() as f64).max(ctx.feature(Feature::RemoteExec)),
        admin,
        peers,
        services,
        outside,
    }
}

/// The finding, most serious first: remote execution, a protocol outside the allow-list, a
/// fan-out without any profile, a fan-out far above the profile.
fn judge(
    ctx: &WindowContext<'_>,
    cfg: &LateralConfig,
    o: &Observed<'_>,
) -> Option<(Severity, String)> {
    let secs = ctx.w.window_secs;
    let exec_normal = ctx.declared.is_none() && ctx.learnt.is_some_and(|l| l.remote_exec_normal);
    let fanout_limit = f64::from(cfg.fanout_min_targets)
        .max((ctx.learnt_max(Feature::AdminTargets).unwrap_or(0.0) * cfg.fanout_headroom).ceil());
    if o.exec_events >= f64::from(cfg.remote_exec_min_events) && o.exec_events > 0.0 && !exec_normal
    {
        return Some((Severity::High, exec_sentence(ctx, &o.admin)));
    }
    if ctx.has_allowlist()
        && !o.outside.is_empty()
        && o.targets >= f64::from(cfg.min_targets_outside_profile)
    {
        let what = o.outside.join(" and ");
        return Some((
            Severity::High,
            format!(
                "{} opened {what} to {} in {secs} s; {}. Check the device for compromise and who was using it.",
                ctx.label,
                explain::count_words(o.targets as u64, "internal host", "internal hosts"),
                ctx.outside(&what),
            ),
        ));
    }
    if !ctx.has_allowlist() && o.targets >= f64::from(cfg.unprofiled_min_targets) {
        return Some((
            Severity::Medium,
            format!(
                "{} opened administrative connections ({}) to {} internal hosts in {secs} s; {}, so this is judged on the number of hosts alone.",
                ctx.label,
                o.services.join(", "),
                explain::number_words(o.targets),
                ctx.baseline_note(),
            ),
        ));
    }
    if ctx.has_allowlist() && o.targets >= fanout_limit {
        return Some((
            Severity::Medium,
            format!(
                "{} reached {} internal hosts over administrative protocols ({}) in {secs} s, far more than its model ever did in training.",
                ctx.label,
                explain::number_words(o.targets),
                o.services.join(", "),
            ),
        ));
    }
    None
}

/// Runs the lateral-movement rule on a window.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &LateralConfig, out: &mut Vec<Alert>) {
    let o = observe(ctx);
    let Some((severity, text)) = judge(ctx, cfg, &o) else {
        return;
    };
    let mut a = ctx.alert(AlertKind::LateralMovement, severity, text);
    let mut all = o.peers.clone();
    for e in &ctx.w.remote_exec {
        if !all.iter().any(|p| p.ip == e.peer) {
            all.push(AlertPeer {
                ip: e.peer,
                port: None,
            });
        }
    }
    let total = all.len().max(o.targets as usize);
    set_peers(&mut a, all, total);
    evidence(&mut a, "admin_targets", explain::number_words(o.targets));
    evidence(&mut a, "admin_services", o.services.join(", "));
    evidence(&mut a, "outside_profile", o.outside.join(", "));
    evidence(
        &mut a,
        "remote_exec_events",
        explain::number_words(o.exec_events),
    );
    out.push(a);
}

fn exec_sentence(ctx: &WindowContext<'_>, admin: &[&ServiceUse]) -> String {
    let first = ctx.w.remote_exec.first();
    let how = first.map_or("remote-execution requests", |e| exec_words(e.kind));
    let target = first.map_or_else(|| "an internal host".to_owned(), |e| e.peer.to_string());
    let more = ctx.w.remote_exec.len().saturating_sub(1);
    let smb_normal = admin
        .iter()
        .any(|s| s.port == 445 && ctx.allows(s.direction, s.role, s.proto, s.port));
    format!(
        "{} ran remote commands on {target} through {how}{}{}. Unless an administrator did this on purpose, treat it as lateral movement: isolate both hosts.",
        ctx.label,
        if more > 0 {
            format!(
                " (and {} more)",
                explain::count_words(more as u64, "request", "requests")
            )
        } else {
            String::new()
        },
        if smb_normal {
            "; file sharing over SMB is normal for this model, remote execution is not"
        } else {
            ""
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::{DeclaredPeer, DeclaredProfile, DeclaredService};
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};
    use wardwatch_flow::ModelId;
    use wardwatch_flow::event::{PeerRole, Transport};

    fn smb_window(targets: u32) -> wardwatch_flow::WindowFeatures {
        let mut b = WindowBuilder::new(1, 0)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .feature(Feature::AdminSmb, f64::from(targets))
            .feature(Feature::AdminTargets, f64::from(targets))
            .service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                445,
                targets,
                1000,
            );
        for i in 0..targets.min(3) {
            let mut p = peer_summary(&format!("10.30.0.{}", i + 1), true);
            p.ports = vec![445];
            p.flows_out = 1;
            b = b.peer(p);
        }
        b.build()
    }

    fn declared_pump() -> ModelSet {
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
                "MDS2 2024",
            ),
        );
        m
    }

    fn run(models: &ModelSet, w: &wardwatch_flow::WindowFeatures) -> Vec<Alert> {
        let (ctx, _) = WindowContext::new(w, models, &["infusion_pump".to_owned()]);
        let mut out = Vec::new();
        check(&ctx, &LateralConfig::default(), &mut out);
        out
    }

    #[test]
    fn unprofiled_fan_out_threshold() {
        let models = ModelSet::empty();
        assert!(run(&models, &smb_window(9)).is_empty());
        let a = run(&models, &smb_window(10));
        assert_eq!(a.len(), 1);
        // Medium, raised for a pump.
        assert_eq!(a[0].severity, Severity::High);
        assert!(
            a[0].explanation.contains("no baseline has been learnt"),
            "{}",
            a[0].explanation
        );
        assert_eq!(a[0].peers_total, 10);
    }

    #[test]
    fn outside_declared_profile_alerts_from_one_host() {
        let models = declared_pump();
        let a = run(&models, &smb_window(1));
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].severity, Severity::Critical);
        assert_eq!(
            a[0].explanation,
            "infusion pump 02:00:00:00:00:01 (bd-alaris-pcu-8015, 10.0.1.10) opened SMB (445) to 1 internal host in 60 s; \
             SMB (445) is not declared by the manufacturer (MDS2 2024). Check the device for compromise and who was using it."
        );
        // Zero hosts (no flows) stays quiet.
        let quiet = WindowBuilder::new(1, 0)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .build();
        assert!(run(&models, &quiet).is_empty());
    }

    #[test]
    fn remote_execution_alerts_even_when_smb_is_normal() {
        let mut models = declared_pump();
        let mut d = models
            .declared(&ModelId::from("bd-alaris-pcu-8015"))
            .unwrap()
            .clone();
        d.services.push(DeclaredService {
            direction: Direction::Outbound,
            proto: Transport::Tcp,
            port: 445,
            peer: DeclaredPeer::Internal,
        });
        models.declare(ModelId::from("bd-alaris-pcu-8015"), d);
        // Browsing shares: quiet.
        assert!(run(&models, &smb_window(3)).is_empty());
        // PsExec-style: alert.
        let w = WindowBuilder::new(1, 0)
            .model("bd-alaris-pcu-8015", "infusion_pump")
            .service(
                Direction::Outbound,
                PeerRole::InternalServer,
                Transport::Tcp,
                445,
                2,
                4000,
            )
            .remote_exec("10.30.0.7", RemoteExecKind::SvcctlPipe)
            .build();
        let a = run(&models, &w);
        assert_eq!(a.len(), 1);
        assert!(a[0].explanation.contains(
            "ran remote commands on 10.30.0.7 through the service-control pipe (svcctl)"
        ));
        assert!(
            a[0].explanation
                .contains("file sharing over SMB is normal for this model")
        );
        assert_eq!(a[0].peers[0].ip.to_string(), "10.30.0.7");
    }
}
