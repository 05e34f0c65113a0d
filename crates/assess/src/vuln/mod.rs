//! Vulnerability data kept offline — OSV records, CSAF 2.0 advisories, CISA's KEV list and the
//! catalog's `advisories.toml` — reduced to one shape ([`Record`] of [`Statement`]s) that the
//! matcher evaluates against SBOM components.

pub mod advisories;
pub mod csaf;
pub mod kev;
pub mod osv;

use crate::identity::{CpeKey, PurlKey};
use crate::version::Applicability;

/// How one statement names the software it is about.
#[derive(Clone, Debug, Default)]
pub(crate) struct PackageRef {
    pub purl: Option<PurlKey>,
    pub cpe: Option<CpeKey>,
    pub name: Option<String>,
    /// True for catalog advisories: the statement is about the device model itself.
    pub model: bool,
}

/// Which versions a statement covers.
#[derive(Clone, Debug)]
pub(crate) enum VersionSpec {
    /// OSV `ranges` and `versions` of one `affected` entry.
    Osv(osv::AffectedVersions),
    /// One exact version (CSAF `product_version`, a purl/CPE helper with a version).
    Exact(String),
    /// A CSAF `product_version_range` (a `vers:` URI or free text).
    Range(String),
    /// Versions below `fixed` (catalog advisories).
    Below(String),
    /// Every version (no version information in the statement).
    All,
}

/// What the source says about the product.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SourceStatus {
    Affected,
    NotAffected { justification: Option<String> },
    Fixed,
    UnderInvestigation,
}

/// One (vulnerability, product) statement of a source.
#[derive(Clone, Debug)]
pub(crate) struct Statement {
    pub package: PackageRef,
    pub versions: VersionSpec,
    pub status: SourceStatus,
    pub fixed_versions: Vec<String>,
    pub remediation: Option<String>,
    /// A CVSS vector and stated score specific to this product (CSAF `scores[].products`).
    pub cvss: Option<(String, Option<f64>)>,
}

/// One vulnerability as one source file describes it.
#[derive(Clone, Debug)]
pub(crate) struct Record {
    pub id: String,
    pub aliases: Vec<String>,
    pub file: String,
    pub summary: Option<String>,
    pub cvss: Option<(String, Option<f64>)>,
    pub known_exploited: Option<String>,
    pub statements: Vec<Statement>,
}

/// Picks the CVE id of a record as its primary id (`id` if it is a CVE, else the first CVE
/// alias), keeping every other id as an alias.
pub(crate) fn primary_id(id: &str, aliases: &[String]) -> (String, Vec<String>) {
    let mut all: Vec<String> = std::iter::once(id.to_owned())
        .chain(aliases.iter().cloned())
        .filter(|a| !a.trim().is_empty())
        .collect();
    let primary = all
        .iter()
        .position(|a| is_cve(a))
        .map(|i| all.remove(i))
        .unwrap_or_else(|| id.to_owned());
    all.retain(|a| a != &primary);
    all.sort();
    all.dedup();
    (primary, all)
}

/// True for `CVE-YYYY-NNNN…`.
pub fn is_cve(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("CVE-") else {
        return false;
    };
    let mut parts = rest.splitn(2, '-');
    let (Some(year), Some(number)) = (parts.next(), parts.next()) else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (4..=19).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// Evaluates a statement's versions for a component version.
pub(crate) fn applicability(
    spec: &VersionSpec,
    version: Option<&str>,
) -> (Applicability, Vec<String>) {
    use crate::version::{Scheme, compare};
    let Some(version) = version else {
        return match spec {
            VersionSpec::All => (Applicability::Affected, Vec::new()),
            _ => (
                Applicability::Unknown("the component has no version".into()),
                Vec::new(),
            ),
        };
    };
    match spec {
        VersionSpec::All => (Applicability::Affected, Vec::new()),
        VersionSpec::Osv(affected) => affected.evaluate(version),
        VersionSpec::Exact(v) => {
            let strip = |s: &str| s.trim().trim_start_matches('v').to_owned();
            if strip(v) == strip(version) {
                (Applicability::Affected, Vec::new())
            } else {
                (Applicability::NotAffected, Vec::new())
            }
        }
        VersionSpec::Range(range) => {
            if !range.trim_start().starts_with("vers:") {
                return (
                    Applicability::Unknown(format!(
                        "free-text version range {range:?} (only vers: ranges are evaluated)"
                    )),
                    Vec::new(),
                );
            }
            match crate::vers::contains(range, version) {
                Ok(true) => (Applicability::Affected, Vec::new()),
                Ok(false) => (Applicability::NotAffected, Vec::new()),
                Err(reason) => (Applicability::Unknown(reason), Vec::new()),
            }
        }
        VersionSpec::Below(fixed) => {
            let scheme = if crate::version::is_intdot(fixed) && crate::version::is_intdot(version) {
                Scheme::IntDot
            } else {
                Scheme::SemVer
            };
            match compare(scheme, version, fixed) {
                Ok(std::cmp::Ordering::Less) => (Applicability::Affected, vec![fixed.clone()]),
                Ok(_) => (Applicability::NotAffected, Vec::new()),
                Err(reason) => (Applicability::Unknown(reason), vec![fixed.clone()]),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_is_preferred_as_primary_id() {
        let (id, aliases) =
            primary_id("GHSA-xxxx-yyyy", &["CVE-2022-37434".into(), "OSV-1".into()]);
        assert_eq!(id, "CVE-2022-37434");
        assert_eq!(aliases, ["GHSA-xxxx-yyyy", "OSV-1"]);
        let (id, aliases) = primary_id("CVE-2018-0732", &["CVE-2018-0732".into()]);
        assert_eq!(id, "CVE-2018-0732");
        assert!(aliases.is_empty());
        assert!(is_cve("CVE-2018-1000517"));
        assert!(!is_cve("CVE-18-1"));
        assert!(!is_cve("cve-2018-0732"));
    }

    #[test]
    fn exact_range_and_below_specs() {
        let exact = VersionSpec::Exact("v1.2.3".into());
        assert_eq!(
            applicability(&exact, Some("1.2.3")).0,
            Applicability::Affected
        );
        assert_eq!(
            applicability(&exact, Some("1.2.4")).0,
            Applicability::NotAffected
        );
        let free = VersionSpec::Range("<= 3.2".into());
        assert!(matches!(
            applicability(&free, Some("3.1")).0,
            Applicability::Unknown(_)
        ));
        let below = VersionSpec::Below("12.1.3".into());
        assert_eq!(
            applicability(&below, Some("9.19.2")),
            (Applicability::Affected, vec!["12.1.3".to_owned()])
        );
        assert_eq!(
            applicability(&below, Some("12.1.3")).0,
            Applicability::NotAffected
        );
        assert!(matches!(
            applicability(&below, Some("20D19")).0,
            Applicability::Unknown(_)
        ));
        assert!(matches!(
            applicability(&below, None).0,
            Applicability::Unknown(_)
        ));
        assert_eq!(
            applicability(&VersionSpec::All, None).0,
            Applicability::Affected
        );
    }
}
