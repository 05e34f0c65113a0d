//! The risk score (0–100) and its breakdown: the whole formula lives here, so a reviewer can
//! read and argue with it in one place. docs/assessment.md explains it with a worked example.
//!
//! | part | max | from |
//! |---|---|---|
//! | vulnerability exposure | 40 | findings: known-exploited first, then CVSS, weighted by reachability |
//! | missing security capabilities | 25 | MDS2 answers (and the MUD file for port disclosure) |
//! | remote-service exposure | 15 | MDS2 RMOT-1, RMOT-1.1, RMOT-1.2, CONN-4 and the declared profile |
//! | end of support | 10 | MDS2 RDMP-3, RDMP-4 |
//! | SBOM completeness | 10 | components without a version or without a purl/CPE |
//!
//! Unknown counts half everywhere: a missing or blank MDS2 answer, a finding whose applicability
//! the data cannot decide, a part with no input at all.

use crate::finding::{Finding, FindingScore, FindingStatus};
use crate::mds2::questions::{self, Capability};
use crate::mds2::{Answer, Mds2Form};
use crate::profile::ExpectedProfile;
use crate::sbom::Component;
use crate::severity::AttackVector;
use serde::Serialize;

/// Maximum points of each part.
pub const MAX_VULNERABILITY: f64 = 40.0;
/// Maximum points for missing capabilities (the sum of [`capability_weight`]).
pub const MAX_CAPABILITIES: f64 = 25.0;
/// Maximum points for remote-service exposure.
pub const MAX_REMOTE: f64 = 15.0;
/// Maximum points for end of support.
pub const MAX_END_OF_SUPPORT: f64 = 10.0;
/// Maximum points for SBOM completeness.
pub const MAX_SBOM: f64 = 10.0;
/// Added to the CVSS score of a known-exploited finding, so any reachable exploited finding
/// ranks above every finding that is not known to be exploited.
pub const EXPLOITED_BONUS: f64 = 10.0;
/// CVSS assumed for a finding whose sources give no usable CVSS 3.x vector.
pub const UNSCORED_CVSS: f64 = 5.0;
/// Each further finding counts this fraction of the one ranked before it.
pub const DECAY: f64 = 0.5;

/// Points a capability is worth when fully missing.
pub fn capability_weight(c: Capability) -> f64 {
    match c {
        Capability::Authentication => 5.0,
        Capability::EncryptionInTransit => 5.0,
        Capability::EncryptionAtRest => 3.0,
        Capability::AuditLogging => 3.0,
        Capability::Patching => 5.0,
        Capability::MalwareProtection => 2.0,
        Capability::PortsDisclosed => 2.0,
    }
}

/// How the device is reachable over the network, from the declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkExposure {
    /// The declared profile lets peers connect to the device.
    Inbound,
    /// The declared profile has only connections the device opens.
    OutboundOnly,
    /// MDS2 says the device has a network interface; no profile says how it is used.
    Networked,
    /// MDS2 says the device has no Wi-Fi, Bluetooth, other wireless or Ethernet.
    NotNetworked,
    /// Nothing says.
    Unknown,
}

impl NetworkExposure {
    /// Name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            NetworkExposure::Inbound => "inbound",
            NetworkExposure::OutboundOnly => "outbound only",
            NetworkExposure::Networked => "networked",
            NetworkExposure::NotNetworked => "not networked",
            NetworkExposure::Unknown => "unknown",
        }
    }
}

/// Reachability weight of a finding: how much of its severity counts on this device.
pub fn reachability(exposure: NetworkExposure, attack_vector: Option<AttackVector>) -> f64 {
    match attack_vector {
        Some(AttackVector::Local) => 0.4,
        Some(AttackVector::Physical) => 0.2,
        Some(AttackVector::Network | AttackVector::Adjacent) | None => match exposure {
            NetworkExposure::Inbound | NetworkExposure::Networked | NetworkExposure::Unknown => 1.0,
            NetworkExposure::OutboundOnly => 0.6,
            NetworkExposure::NotNetworked => 0.2,
        },
    }
}

/// Classifies the device's network exposure.
pub fn network_exposure(
    mds2: Option<&Mds2Form>,
    profile: Option<&ExpectedProfile>,
) -> (NetworkExposure, String) {
    if let Some(p) = profile.filter(|p| !p.rules.is_empty()) {
        return if p.accepts_inbound() {
            (
                NetworkExposure::Inbound,
                "the declared profile accepts inbound connections".into(),
            )
        } else {
            (
                NetworkExposure::OutboundOnly,
                "the declared profile has outbound connections only".into(),
            )
        };
    }
    let Some(form) = mds2 else {
        return (NetworkExposure::Unknown, "no MUD file, no MDS2 form".into());
    };
    let answers: Vec<Answer> = questions::NETWORK_INTERFACES
        .iter()
        .map(|q| form.answer(q))
        .collect();
    if answers.contains(&Answer::Yes) {
        (
            NetworkExposure::Networked,
            "MDS2 CONN-1: the device has a network interface".into(),
        )
    } else if answers.iter().all(|a| *a == Answer::No) {
        (
            NetworkExposure::NotNetworked,
            "MDS2 CONN-1: no Wi-Fi, Bluetooth, other wireless or Ethernet".into(),
        )
    } else {
        (
            NetworkExposure::Unknown,
            "MDS2 CONN-1 answers are incomplete".into(),
        )
    }
}

/// The state of one capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityState {
    /// Every relevant answer is Yes.
    Present,
    /// Some Yes, some No or unknown.
    Partial,
    /// Every relevant answer is No.
    Absent,
    /// No relevant answer is known.
    Unknown,
    /// Every answer is N/A.
    NotApplicable,
}

/// One capability's evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CapabilityResult {
    /// The capability.
    pub capability: Capability,
    /// Its state.
    pub state: CapabilityState,
    /// Share missing, 0–1.
    pub missing: f64,
    /// Points (weight × missing).
    pub points: f64,
    /// Weight.
    pub max: f64,
    /// The answers read, as `ID=Answer`.
    pub answers: Vec<String>,
}

/// One part of the score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScorePart {
    /// Part id: `vulnerability_exposure`, `missing_capabilities`, `remote_service`,
    /// `end_of_support`, `sbom_completeness`.
    pub part: &'static str,
    /// Points, rounded to 0.1.
    pub points: f64,
    /// Maximum points.
    pub max: f64,
    /// How the points were reached, one line each.
    pub details: Vec<String>,
}

/// Overall rating of the total.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Below 25.
    Low,
    /// 25 to below 50.
    Moderate,
    /// 50 to below 75.
    High,
    /// 75 and above.
    Critical,
}

/// The score with its breakdown.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskScore {
    /// Sum of the parts' rounded points.
    pub total: f64,
    /// Rating of the total.
    pub rating: Rating,
    /// The five parts, in the table's order.
    pub parts: Vec<ScorePart>,
    /// Network exposure used for reachability.
    pub network_exposure: NetworkExposure,
    /// Why that exposure.
    pub network_reason: String,
    /// Capability evaluations.
    pub capabilities: Vec<CapabilityResult>,
}

/// What the score reads.
pub struct ScoreInputs<'a> {
    /// Findings; their `score` field is filled.
    pub findings: &'a mut [Finding],
    /// The MDS2 form, if given.
    pub mds2: Option<&'a Mds2Form>,
    /// The declared profile (MUD and/or MDS2 port list), if any.
    pub profile: Option<&'a ExpectedProfile>,
    /// True when a MUD file was given.
    pub mud_given: bool,
    /// Merged SBOM components; `None` when no SBOM was given.
    pub components: Option<&'a [Component]>,
}

/// Rounds to one decimal.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Rounds to four decimals (per-finding and per-capability numbers in reports).
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Computes the score.
pub fn score(inputs: ScoreInputs<'_>) -> RiskScore {
    let (exposure, network_reason) = network_exposure(inputs.mds2, inputs.profile);
    let vulnerability = vulnerability_part(inputs.findings, exposure, inputs.components.is_some());
    let (capability_part, capabilities) = capabilities_part(inputs.mds2, inputs.mud_given);
    let parts = vec![
        vulnerability,
        capability_part,
        remote_part(inputs.mds2, inputs.profile, inputs.mud_given),
        end_of_support_part(inputs.mds2),
        sbom_part(inputs.components),
    ];
    let total = round1(parts.iter().map(|p| p.points).sum());
    let rating = if total < 25.0 {
        Rating::Low
    } else if total < 50.0 {
        Rating::Moderate
    } else if total < 75.0 {
        Rating::High
    } else {
        Rating::Critical
    };
    RiskScore {
        total,
        rating,
        parts,
        network_exposure: exposure,
        network_reason,
        capabilities,
    }
}

fn vulnerability_part(
    findings: &mut [Finding],
    exposure: NetworkExposure,
    have_sbom: bool,
) -> ScorePart {
    let order = weigh(findings, exposure);
    let mut sum = 0.0;
    let mut factor = 1.0;
    for (rank, &i) in order.iter().enumerate() {
        if let Some(s) = findings.get_mut(i).and_then(|f| f.score.as_mut()) {
            let points = s.value * factor;
            sum += points;
            s.rank = rank;
            // Reported to four decimals; the sum uses the exact values.
            s.points = round4(points);
            s.value = round4(s.value);
        }
        factor *= DECAY;
    }
    let mut details = exposure_details(findings, &order, exposure);
    let mut points = sum.min(MAX_VULNERABILITY);
    if !have_sbom && points < MAX_VULNERABILITY / 2.0 {
        details.push("no SBOM given: component vulnerabilities unknown, counted at half".into());
        points = MAX_VULNERABILITY / 2.0;
    }
    ScorePart {
        part: "vulnerability_exposure",
        points: round1(points),
        max: MAX_VULNERABILITY,
        details,
    }
}

/// Gives every finding its value; returns the indices of those with a value, highest first
/// (ties by id, then component name).
fn weigh(findings: &mut [Finding], exposure: NetworkExposure) -> Vec<usize> {
    let mut keyed: Vec<(f64, String, String, usize)> = Vec::with_capacity(findings.len());
    for (i, f) in findings.iter_mut().enumerate() {
        let status_weight = match f.status {
            FindingStatus::Affected => 1.0,
            FindingStatus::UnknownApplicability => 0.5,
            FindingStatus::NotAffected => 0.0,
        };
        let reach = reachability(exposure, f.cvss.as_ref().map(|c| c.attack_vector));
        let cvss = f.cvss.as_ref().map_or(UNSCORED_CVSS, |c| c.base_score);
        let bonus = if f.known_exploited {
            EXPLOITED_BONUS
        } else {
            0.0
        };
        let value = reach * status_weight * (cvss + bonus);
        f.score = Some(FindingScore {
            reachability: reach,
            status_weight,
            value,
            rank: 0,
            points: 0.0,
        });
        if value > 0.0 {
            keyed.push((value, f.id.clone(), f.component.name.clone(), i));
        }
    }
    keyed.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| (&a.1, &a.2).cmp(&(&b.1, &b.2)))
    });
    keyed.into_iter().map(|k| k.3).collect()
}

fn exposure_details(
    findings: &[Finding],
    order: &[usize],
    exposure: NetworkExposure,
) -> Vec<String> {
    let mut details = vec![format!(
        "{} scored finding(s); each counts {DECAY}× the one ranked before it; network exposure: {}",
        order.len(),
        exposure.name()
    )];
    if order.len() > 5 {
        details.push(format!(
            "top 5 of {} shown; every finding lists its points",
            order.len()
        ));
    }
    for &i in order.iter().take(5) {
        if let Some((f, s)) = findings
            .get(i)
            .and_then(|f| f.score.as_ref().map(|s| (f, s)))
        {
            details.push(format!(
                "#{} {} on {}: {:.2} = reach {} × status {} × ({}{}) → {:.2}",
                s.rank + 1,
                f.id,
                f.component.name,
                s.value,
                s.reachability,
                s.status_weight,
                f.cvss
                    .as_ref()
                    .map_or(format!("{UNSCORED_CVSS} assumed"), |c| format!(
                        "CVSS {}",
                        c.base_score
                    )),
                if f.known_exploited {
                    " + 10 exploited"
                } else {
                    ""
                },
                s.points
            ));
        }
    }
    details
}

mod disclosure;
pub use disclosure::capability_missing;
use disclosure::{capabilities_part, end_of_support_part, remote_part, sbom_part};

#[cfg(test)]
mod tests;
