//! Exfiltration: bytes sent to external peers far above what the profile ever sent (headroom ×
//! the training maximum, never below a floor); without a mature profile, a fixed high bar.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use serde::{Deserialize, Serialize};
use wardwatch_flow::Feature;

/// Exfiltration thresholds, bytes per window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExfilConfig {
    /// With a mature profile: at least this factor × the training maximum …
    pub profile_headroom: f64,
    /// … and at least this many bytes.
    pub min_bytes: f64,
    /// Without a mature profile: this many bytes.
    pub unprofiled_bytes: f64,
}

impl Default for ExfilConfig {
    fn default() -> Self {
        ExfilConfig {
            profile_headroom: 4.0,
            min_bytes: 1_000_000.0,
            unprofiled_bytes: 100_000_000.0,
        }
    }
}

/// Runs the exfiltration rule on a window.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &ExfilConfig, out: &mut Vec<Alert>) {
    let sent = ctx.feature(Feature::BytesToExternal);
    let learnt = ctx.learnt_max(Feature::BytesToExternal);
    let limit = match learnt {
        Some(max) => (max * cfg.profile_headroom).max(cfg.min_bytes),
        None => cfg.unprofiled_bytes,
    };
    if sent < limit || sent <= 0.0 {
        return;
    }
    let mut peers: Vec<_> = ctx
        .w
        .peers
        .iter()
        .filter(|p| !p.internal && p.bytes_out > 0)
        .collect();
    peers.sort_by(|a, b| b.bytes_out.cmp(&a.bytes_out).then(a.ip.cmp(&b.ip)));
    let top = peers
        .first()
        .map(|p| {
            format!(
                ", most of it to {} ({})",
                p.ip,
                explain::bytes_words(p.bytes_out as f64)
            )
        })
        .unwrap_or_default();
    let secs = ctx.w.window_secs;
    let text = match learnt {
        Some(max) => format!(
            "{} sent {} to external hosts in {secs} s{top}; its model never sent more than {} in a window while its baseline was learnt. \
             Find out what was sent; if nobody expected an upload, disconnect the device from the internet.",
            ctx.label,
            explain::bytes_words(sent),
            explain::bytes_words(max),
        ),
        None => format!(
            "{} sent {} to external hosts in {secs} s{top}, more than the fixed limit of {} used while {}. \
             Find out what was sent and whether anybody expected it.",
            ctx.label,
            explain::bytes_words(sent),
            explain::bytes_words(limit),
            ctx.baseline_note(),
        ),
    };
    let mut a = ctx.alert(AlertKind::Exfiltration, Severity::High, text);
    let total = peers.len();
    set_peers(
        &mut a,
        peers.iter().map(|p| AlertPeer {
            ip: p.ip,
            port: p.ports.first().copied(),
        }),
        total,
    );
    evidence(&mut a, "bytes_to_external", format!("{sent:.0}"));
    evidence(&mut a, "threshold_bytes", format!("{limit:.0}"));
    if let Some(max) = learnt {
        evidence(&mut a, "training_max_bytes", format!("{max:.0}"));
    }
    out.push(a);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_set::ModelSet;
    use crate::testkit::{WindowBuilder, peer_summary};

    #[test]
    fn fixed_bar_without_profile() {
        let models = ModelSet::empty();
        let run = |bytes: f64| {
            let mut p = peer_summary("203.0.113.50", false);
            p.bytes_out = bytes as u64;
            p.ports = vec![443];
            let w = WindowBuilder::new(1, 0)
                .feature(Feature::BytesToExternal, bytes)
                .peer(p)
                .build();
            let (ctx, _) = WindowContext::new(&w, &models, &[]);
            let mut out = Vec::new();
            check(&ctx, &ExfilConfig::default(), &mut out);
            out
        };
        assert!(run(99_999_999.0).is_empty());
        let a = run(100_000_000.0);
        assert_eq!(a.len(), 1);
        assert!(a[0].explanation.contains("sent 100.0 MB to external hosts in 60 s, most of it to 203.0.113.50 (100.0 MB), more than the fixed limit of 100.0 MB"));
        assert_eq!(a[0].peers[0].port, Some(443));
    }
}
