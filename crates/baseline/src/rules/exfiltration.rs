//! Exfiltration, two checks:
//! - volume: bytes sent to external peers far above what the profile ever sent (headroom × the
//!   training maximum, never below a floor); without a mature profile, a fixed high bar;
//! - clinical data leaving the site: a DICOM or HL7 service port used to send data to an
//!   external peer, from the first packet, unless the device's learnt or declared profile has
//!   that service outbound to external hosts (teleradiology links are learnt or allow-listed).
//!   Internet-reachable PACS and C-STORE/C-MOVE of studies to outside addresses are the
//!   pattern of DICOM data theft (research notes, domain.md A5: Greenbone 2019, 590 exposed
//!   PACS); the volume check alone misses a slow or modest transfer.

use super::{WindowContext, evidence, set_peers};
use crate::alert::{Alert, AlertKind, AlertPeer, Severity};
use crate::explain;
use serde::{Deserialize, Serialize};
use wardwatch_flow::Feature;
use wardwatch_flow::event::{Direction, PeerRole, PeerSummary, Transport};

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
    /// Service ports that carry patient data (DICOM 104 and 11112, HL7 MLLP 2575).
    pub clinical_ports: Vec<u16>,
    /// Bytes sent to one external peer on a clinical port that raise the alert (a DICOM
    /// association handshake or echo is a few kB; one image is hundreds of kB).
    pub clinical_external_bytes: f64,
}

impl Default for ExfilConfig {
    fn default() -> Self {
        ExfilConfig {
            profile_headroom: 4.0,
            min_bytes: 1_000_000.0,
            unprofiled_bytes: 100_000_000.0,
            clinical_ports: vec![104, 11112, 2575],
            clinical_external_bytes: 262_144.0,
        }
    }
}

/// Runs the exfiltration rule on a window: the volume check first, else the clinical-data one.
pub(crate) fn check(ctx: &WindowContext<'_>, cfg: &ExfilConfig, out: &mut Vec<Alert>) {
    let before = out.len();
    volume(ctx, cfg, out);
    if out.len() == before {
        clinical(ctx, cfg, out);
    }
}

/// The clinical port a peer received data on outside what the profile allows, if any.
fn clinical_port(ctx: &WindowContext<'_>, cfg: &ExfilConfig, p: &PeerSummary) -> Option<u16> {
    if p.internal || p.flows_out == 0 || (p.bytes_out as f64) < cfg.clinical_external_bytes {
        return None;
    }
    p.ports.iter().copied().find(|port| {
        cfg.clinical_ports.contains(port)
            && !ctx.allows(
                Direction::Outbound,
                PeerRole::External,
                Transport::Tcp,
                *port,
            )
    })
}

fn protocol_words(port: u16) -> &'static str {
    if port == 2575 { "HL7" } else { "DICOM" }
}

/// Patient-data protocols sending to an external host.
fn clinical(ctx: &WindowContext<'_>, cfg: &ExfilConfig, out: &mut Vec<Alert>) {
    let mut hits: Vec<(&PeerSummary, u16)> = ctx
        .w
        .peers
        .iter()
        .filter_map(|p| clinical_port(ctx, cfg, p).map(|port| (p, port)))
        .collect();
    hits.sort_by(|a, b| b.0.bytes_out.cmp(&a.0.bytes_out).then(a.0.ip.cmp(&b.0.ip)));
    let Some((top, port)) = hits.first().copied() else {
        return;
    };
    let sent: u64 = hits.iter().map(|(p, _)| p.bytes_out).sum();
    let others = match hits.len() {
        1 => String::new(),
        n => format!(" (and {} more external hosts)", n - 1),
    };
    let text = format!(
        "{} sent {} over {} ({port}) to the external host {}{others} in {} s. Patient data should not leave the site this way;          unless this is a known teleradiology or vendor link, block the destination and find out which studies or messages were sent.",
        ctx.label,
        explain::bytes_words(top.bytes_out as f64),
        protocol_words(port),
        top.ip,
        ctx.w.window_secs,
    );
    let mut a = ctx.alert(AlertKind::Exfiltration, Severity::High, text);
    let total = hits.len();
    set_peers(
        &mut a,
        hits.iter().map(|(p, port)| AlertPeer {
            ip: p.ip,
            port: Some(*port),
        }),
        total,
    );
    evidence(&mut a, "check", "clinical_protocol_to_external");
    evidence(&mut a, "bytes_to_external", sent);
    evidence(
        &mut a,
        "threshold_bytes",
        format!("{:.0}", cfg.clinical_external_bytes),
    );
    out.push(a);
}

/// Bytes to external hosts above the learnt ceiling or the fixed bar.
fn volume(ctx: &WindowContext<'_>, cfg: &ExfilConfig, out: &mut Vec<Alert>) {
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

    fn dicom_to(ip: &str, port: u16, bytes: u64, internal: bool) -> Vec<Alert> {
        let models = ModelSet::empty();
        let mut p = peer_summary(ip, internal);
        p.bytes_out = bytes;
        p.flows_out = 1;
        p.ports = vec![port];
        let w = WindowBuilder::new(1, 0)
            .feature(
                Feature::BytesToExternal,
                if internal { 0.0 } else { bytes as f64 },
            )
            .peer(p)
            .build();
        let (ctx, _) = WindowContext::new(&w, &models, &[]);
        let mut out = Vec::new();
        check(&ctx, &ExfilConfig::default(), &mut out);
        out
    }

    #[test]
    fn dicom_to_an_external_host_is_exfiltration_from_the_first_window() {
        let a = dicom_to("203.0.113.9", 104, 1_100_000, false);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].kind, AlertKind::Exfiltration);
        assert!(
            a[0].explanation
                .contains("sent 1.1 MB over DICOM (104) to the external host 203.0.113.9 in 60 s"),
            "{}",
            a[0].explanation
        );
        assert_eq!(a[0].evidence["check"], "clinical_protocol_to_external");
        assert_eq!(a[0].peers[0].port, Some(104));
        let hl7 = dicom_to("203.0.113.9", 2575, 300_000, false);
        assert!(hl7[0].explanation.contains("over HL7 (2575)"));
    }

    #[test]
    fn internal_dicom_small_exchanges_and_other_ports_are_not() {
        assert!(dicom_to("10.1.2.3", 104, 50_000_000, true).is_empty());
        assert!(dicom_to("203.0.113.9", 104, 200_000, false).is_empty());
        assert!(dicom_to("203.0.113.9", 443, 5_000_000, false).is_empty());
    }
}
