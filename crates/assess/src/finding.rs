//! A finding: one vulnerability on one component (or on the device model itself), with the
//! evidence a reviewer needs to check it.

use crate::severity::CvssScore;
use serde::Serialize;

/// Whether the finding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// The component version is affected.
    Affected,
    /// The data cannot decide (unsupported range type, incomparable versions, no version);
    /// scored at half weight and listed with the reason.
    UnknownApplicability,
    /// The manufacturer states the product is not affected (CSAF `known_not_affected`); not scored.
    NotAffected,
}

/// How the component was tied to the vulnerability data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Same package URL type, namespace and name.
    Purl,
    /// Same CPE part, vendor and product.
    Cpe,
    /// Same name (used only when the two sides share no identifier kind).
    Name,
    /// A catalog advisory for the assessed device model.
    Model,
}

/// The component a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentRef {
    /// Name.
    pub name: String,
    /// Version, if known.
    pub version: Option<String>,
    /// Package URL, if any.
    pub purl: Option<String>,
    /// CPE name, if any.
    pub cpe: Option<String>,
}

/// How a finding contributes to the vulnerability-exposure part of the score.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FindingScore {
    /// Reachability weight (see docs/assessment.md).
    pub reachability: f64,
    /// Weight of the status: 1 affected, 0.5 unknown applicability, 0 not affected.
    pub status_weight: f64,
    /// `reachability × status_weight × (CVSS + 10 if known exploited)`.
    pub value: f64,
    /// Rank among scored findings (0 = counted fully, k = counted at 0.5^k).
    pub rank: usize,
    /// Points this finding adds.
    pub points: f64,
}

/// One vulnerability on one component.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// CVE id when the data gives one, else the source's id.
    pub id: String,
    /// Other ids of the same vulnerability.
    pub aliases: Vec<String>,
    /// Whether it applies.
    pub status: FindingStatus,
    /// Why applicability is unknown, or the manufacturer's not-affected justification.
    pub reason: Option<String>,
    /// The component.
    pub component: ComponentRef,
    /// Dependency path from the SBOM root to the component (empty when unknown).
    pub path: Vec<String>,
    /// How the component was matched.
    pub matched_by: MatchKind,
    /// CVSS 3.x score (the highest when sources disagree).
    pub cvss: Option<CvssScore>,
    /// Known to be exploited (KEV list, CSAF threat, catalog advisory).
    pub known_exploited: bool,
    /// Where the known-exploited flag comes from.
    pub exploited_evidence: Vec<String>,
    /// Versions that fix it, as the sources state them.
    pub fixed_versions: Vec<String>,
    /// The manufacturer's remediation (CSAF), if any.
    pub remediation: Option<String>,
    /// One-line summary from the source.
    pub summary: Option<String>,
    /// Files the finding comes from.
    pub sources: Vec<String>,
    /// Contribution to the risk score (filled by the score).
    pub score: Option<FindingScore>,
}
