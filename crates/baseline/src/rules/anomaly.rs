//! The statistical `behaviour_anomaly`: a window whose negative log-likelihood under the
//! profile's mixture exceeds the learnt threshold, explained by the features furthest from the
//! median; and the fleet peer-group check, which flags a device that stays far from its
//! siblings at the same hour of the day for most of its recent windows. Both need a mature
//! profile; the score itself is kept for every scored window (a metric, never an alert).

use super::{WindowContext, evidence};
use crate::alert::{Alert, AlertKind, Severity};
use crate::explain;
use crate::profile::Profile;
use crate::profile::statistical::StatProfile;
use serde::{Deserialize, Serialize};
use wardwatch_flow::{FEATURE_COUNT, FEATURES, Timestamp};

/// Statistical-alert settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnomalyConfig {
    /// Raise statistical alerts at all.
    pub enabled: bool,
    /// Deviating features named in an alert.
    pub top_features: usize,
    /// Run the fleet peer-group check.
    pub peer_group: bool,
    /// Windows away from the siblings, among the last `peer_span`, before alerting.
    pub peer_min_windows: u32,
    /// Recent windows considered by the peer-group check (at most 64).
    pub peer_span: u32,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        AnomalyConfig {
            enabled: true,
            top_features: 3,
            peer_group: true,
            peer_min_windows: 10,
            peer_span: 15,
        }
    }
}

/// The latest anomaly score of a device (for metrics).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnomalyScore {
    /// Window start.
    pub ts: Timestamp,
    /// Negative log-likelihood under the profile.
    pub score: f64,
    /// The profile's threshold.
    pub threshold: f64,
    /// 0 at the typical training score, 1 at the threshold (can be negative or above 1).
    pub level: f64,
    /// True when the profile is mature (alerts possible).
    pub mature: bool,
    /// Per feature (in `FEATURES` order), how far the window sits above the profile's median in
    /// robust z units, as the profile scores it (one-sided; 0 for features at or below normal).
    #[serde(default)]
    pub deviations: Vec<f64>,
}

/// The recent "away from siblings" flags of one device.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PeerTrack {
    bits: u64,
}

impl PeerTrack {
    /// Records one window and returns how many of the last `span` were away.
    pub fn push(&mut self, away: bool, span: u32) -> u32 {
        let span = span.clamp(1, 64);
        let mask = if span == 64 {
            u64::MAX
        } else {
            (1u64 << span) - 1
        };
        self.bits = ((self.bits << 1) | u64::from(away)) & mask;
        self.bits.count_ones()
    }
}

fn log_row(raw: &[f64; FEATURE_COUNT]) -> [f64; FEATURE_COUNT] {
    let mut out = [0.0; FEATURE_COUNT];
    for (o, v) in out.iter_mut().zip(raw.iter()) {
        *o = v.ln_1p();
    }
    out
}

fn words(name: &str) -> String {
    name.replace('_', " ")
}

/// Scores the window, raises the statistical and peer-group alerts, returns the score.
pub(crate) fn check(
    ctx: &WindowContext<'_>,
    cfg: &AnomalyConfig,
    track: Option<&mut PeerTrack>,
    out: &mut Vec<Alert>,
) -> Option<AnomalyScore> {
    let profile = ctx.profile?;
    let stat = profile.statistical.as_ref()?;
    let logs = log_row(&ctx.raw);
    let scored = stat.score(&logs);
    let spread = stat.threshold - stat.median_score;
    let level = if spread > 0.0 && spread.is_finite() {
        (scored.score - stat.median_score) / spread
    } else {
        0.0
    };
    let score = AnomalyScore {
        ts: ctx.w.window_start,
        score: scored.score,
        threshold: stat.threshold,
        level: if level.is_finite() { level } else { f64::MAX },
        mature: profile.is_mature(),
        deviations: scored
            .z
            .iter()
            .map(|z| if z.is_finite() { z.max(0.0) } else { 0.0 })
            .collect(),
    };
    if !cfg.enabled || !profile.is_mature() {
        return Some(score);
    }
    // The peer track is updated for every window so a run of unusual windows is counted even
    // when some of them also raise the statistical alert.
    let peer = match track {
        Some(track) if cfg.peer_group => peer_finding(ctx, cfg, profile, stat, &scored.z, track),
        _ => None,
    };
    if scored.score > stat.threshold {
        let devs = stat.deviations(&scored, &ctx.raw, cfg.top_features);
        let list: Vec<String> = devs
            .iter()
            .map(|d| {
                format!(
                    "{} {} (normal {})",
                    words(&d.name),
                    explain::number_words(d.value),
                    explain::number_words(d.normal.round())
                )
            })
            .collect();
        let text = format!(
            "{} behaved unlike {}: {}. Its anomaly score was {:.1} against a threshold of {:.1}. Check what changed on the device.",
            ctx.label,
            match profile.key {
                crate::ProfileKey::Model(_) => "the learnt profile of its model",
                crate::ProfileKey::Device(_) => "its own learnt profile",
            },
            if list.is_empty() {
                "no single feature stands out, the combination is unusual".to_owned()
            } else {
                list.join(", ")
            },
            scored.score,
            stat.threshold,
        );
        let severity = if level >= 4.0 {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut a = ctx.alert(AlertKind::BehaviourAnomaly, severity, text);
        a.features = devs;
        busiest_peers(ctx, &mut a);
        evidence(&mut a, "check", "statistical");
        evidence(&mut a, "score", format!("{:.3}", scored.score));
        evidence(&mut a, "threshold", format!("{:.3}", stat.threshold));
        out.push(a);
    } else if let Some(a) = peer {
        out.push(a);
    }
    Some(score)
}

/// Lists the window's peers, busiest first (flows either way, then bytes), so the alert says
/// whom the unusual traffic was with.
fn busiest_peers(ctx: &WindowContext<'_>, a: &mut Alert) {
    let mut peers: Vec<&wardwatch_flow::event::PeerSummary> = ctx.w.peers.iter().collect();
    let weight = |p: &wardwatch_flow::event::PeerSummary| {
        (
            u64::from(p.flows_in).saturating_add(u64::from(p.flows_out)),
            p.bytes_in.saturating_add(p.bytes_out),
        )
    };
    peers.sort_by(|x, y| weight(y).cmp(&weight(x)).then(x.ip.cmp(&y.ip)));
    let total = peers.len();
    super::set_peers(
        a,
        peers.into_iter().map(|p| crate::alert::AlertPeer {
            ip: p.ip,
            port: p.ports.first().copied(),
        }),
        total,
    );
}

fn peer_finding(
    ctx: &WindowContext<'_>,
    cfg: &AnomalyConfig,
    profile: &Profile,
    stat: &StatProfile,
    z: &[f64; FEATURE_COUNT],
    track: &mut PeerTrack,
) -> Option<Alert> {
    let group = profile.peer_group.as_ref()?;
    let (distance, feature, _) = group.distance(ctx.hour, z)?;
    let away = track.push(distance > group.threshold, cfg.peer_span);
    if away < cfg.peer_min_windows.max(1) {
        return None;
    }
    let name = FEATURES.get(feature).map_or("unknown", |d| d.name);
    let value = ctx.raw.get(feature).copied().unwrap_or(0.0);
    let sibling = group.hour_median(ctx.hour, feature).map(|zm| {
        let m = stat.scaler.median.get(feature).copied().unwrap_or(0.0);
        let s = stat.scaler.scale.get(feature).copied().unwrap_or(1.0);
        (m + zm * s).exp_m1().max(0.0)
    });
    let text = format!(
        "{} has behaved unlike the other {} of its model at this time of day ({}) for {away} of its last {} windows: \
         {} is {} where its siblings have about {}. Check what changed on the device.",
        ctx.label,
        explain::class_plural(ctx.class),
        explain::hour_words(ctx.hour),
        cfg.peer_span,
        words(name),
        explain::number_words(value),
        sibling.map_or_else(|| "less".to_owned(), |v| explain::number_words(v.round())),
    );
    let mut a = ctx.alert(AlertKind::BehaviourAnomaly, Severity::Medium, text);
    evidence(&mut a, "check", "peer_group");
    evidence(&mut a, "peer_distance", format!("{distance:.3}"));
    evidence(&mut a, "peer_threshold", format!("{:.3}", group.threshold));
    evidence(&mut a, "windows_away", away);
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maturity::Maturity;
    use crate::model_set::ModelSet;
    use crate::profile::ProfileKey;
    use crate::profile::behaviour::{BehaviourProfile, SupportRule};
    use crate::profile::gmm::GmmParams;
    use crate::testkit::WindowBuilder;
    use crate::train::TrainParams;
    use crate::train::report::TrainingReport;
    use wardwatch_flow::{Feature, ModelId, WindowFeatures};

    /// A mature one-model set whose threshold sits exactly at the score of `w` plus `offset`.
    fn set_at(w: &WindowFeatures, offset: f64) -> ModelSet {
        let rows: Vec<[f64; FEATURE_COUNT]> = (0..400)
            .map(|i| {
                let mut r = [0.0; FEATURE_COUNT];
                r[Feature::FlowsInitiated.index()] = (2.0 + f64::from(i % 7)).ln_1p();
                r
            })
            .collect();
        let mut stat = StatProfile::fit(&rows, 0.5, &GmmParams::default()).unwrap();
        let mut raw = [0.0; FEATURE_COUNT];
        raw.copy_from_slice(w.features.as_slice());
        let score = stat.score(&log_row(&raw)).score;
        stat.threshold = score + offset;
        stat.median_score = score - 10.0;
        let mut maturity = Maturity::none();
        maturity.mature = true;
        maturity.figure = 1.0;
        maturity.reason = None;
        let profile = Profile {
            key: ProfileKey::Model(ModelId::from("m")),
            model: Some(ModelId::from("m")),
            class: Some("infusion_pump".into()),
            devices: Vec::new(),
            window_secs: 60,
            behaviour: BehaviourProfile::build(&[], &SupportRule::default(), 32_768),
            statistical: Some(stat),
            peer_group: None,
            maturity,
        };
        ModelSet::from_training(
            vec![profile],
            TrainingReport::default(),
            TrainParams::default(),
        )
    }

    #[test]
    fn statistical_threshold_both_sides() {
        let w = WindowBuilder::new(1, 0)
            .model("m", "infusion_pump")
            .feature(Feature::FlowsInitiated, 4.0)
            .feature(Feature::AdminSmb, 5.0)
            .build();
        let run = |offset: f64| {
            let set = set_at(&w, offset);
            let (ctx, _) = WindowContext::new(&w, &set, &[]);
            let mut out = Vec::new();
            let score = check(&ctx, &AnomalyConfig::default(), None, &mut out).unwrap();
            (out, score)
        };
        // At the threshold: quiet (the score must exceed it).
        let (out, score) = run(0.0);
        assert!(out.is_empty());
        assert!((score.level - 1.0).abs() < 1e-12);
        // Just below the score: alert, naming admin_smb first.
        let (out, _) = run(-1e-9);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, AlertKind::BehaviourAnomaly);
        assert_eq!(out[0].severity, Severity::Medium);
        assert_eq!(out[0].features[0].name, "admin_smb");
        assert_eq!(out[0].evidence["check"], "statistical");
        assert!(
            out[0]
                .explanation
                .contains("behaved unlike the learnt profile of its model: admin smb 5 (normal 0)")
        );
    }

    #[test]
    fn peer_track_counts_the_recent_span() {
        let mut t = PeerTrack::default();
        for _ in 0..9 {
            t.push(true, 15);
        }
        assert_eq!(t.push(true, 15), 10);
        for _ in 0..5 {
            t.push(false, 15);
        }
        assert_eq!(t.push(false, 15), 9);
        assert_eq!(t.push(true, 64), 10);
    }
}
