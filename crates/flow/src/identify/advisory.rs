//! Known public advisories for catalog models (`models/advisories.toml`) and the risk order the
//! inventory shows them in.
//!
//! Each advisory names a CVE, the models and version ranges it affects (see
//! [`super::version`] for the scheme), its CVSS 3.x base vector (the score is computed from the
//! vector with the `cvss` crate and must equal the published one), whether CISA lists it as known
//! exploited, the network services it is reached through, the fixed version and its source.
//!
//! Risk order ([`rank`]): known-exploited advisories first, then by risk, then by CVSS, then by
//! CVE id. Risk is the CVSS base score times a reachability factor, capped at 10 and rounded to
//! one decimal, computed in integer tenths:
//! - ×1.25 when the advisory names services and the device serves or uses one of them on this
//!   network (observed reachability),
//! - ×0.75 when it names services and none of them was observed,
//! - ×1.00 when it names no network service (physical, local or unspecified vector).

use super::version::{Version, VersionSpec};
use crate::catalog::{Catalog, is_valid_id};
use serde::Deserialize;
use std::cmp::Ordering;
use std::str::FromStr;

/// Advisory file format version this build reads.
pub const ADVISORY_FORMAT: u32 = 1;
/// Risk factor, in percent, for a vulnerable service observed on this network.
pub const OBSERVED_FACTOR_PERCENT: u32 = 125;
/// Risk factor, in percent, for a vulnerable service not observed on this network.
pub const NOT_OBSERVED_FACTOR_PERCENT: u32 = 75;

/// Why an advisory file was refused; names the entry (CVE or position) and the field.
#[derive(Debug, thiserror::Error)]
pub enum AdvisoryError {
    /// The TOML does not parse or does not fit the schema.
    #[error("advisories are not valid TOML for format {ADVISORY_FORMAT}: {0}")]
    Syntax(String),
    /// The file declares a format this build does not read.
    #[error("advisory format {found} is not supported (this build reads format {ADVISORY_FORMAT})")]
    Format {
        /// Declared format.
        found: u32,
    },
    /// An entry breaks a rule of the schema.
    #[error("advisory {entry}, field {field}: {reason}")]
    Invalid {
        /// CVE id, or `advisory[i]` when the id itself is wrong.
        entry: String,
        /// Offending field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvisoryFile {
    format: u32,
    #[serde(default, rename = "advisory")]
    advisories: Vec<RawAdvisory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAdvisory {
    cve: String,
    title: String,
    source: String,
    #[serde(default)]
    url: Option<String>,
    cvss_vector: String,
    cvss_score: f64,
    cvss_source: String,
    #[serde(default)]
    known_exploited: bool,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    note: String,
    affects: Vec<RawAffects>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAffects {
    model: String,
    versions: Vec<String>,
}

/// The versions of one model an advisory affects.
#[derive(Clone, Debug, PartialEq)]
pub struct Affected {
    /// Catalog model id.
    pub model: String,
    /// Version sets; a version is affected when any of them contains it.
    pub versions: Vec<VersionSpec>,
}

/// One known advisory.
#[derive(Clone, Debug, PartialEq)]
pub struct Advisory {
    /// CVE id, e.g. `CVE-2022-26392`.
    pub cve: String,
    /// Short description.
    pub title: String,
    /// Where it is published, e.g. `ICSMA-22-251-01`.
    pub source: String,
    /// Link to the source, when given.
    pub url: Option<String>,
    /// CVSS 3.0/3.1 base vector.
    pub cvss_vector: String,
    /// Base score computed from the vector (equal to the published one).
    pub cvss_score: f64,
    /// Who published the vector (e.g. `CISA CSAF`, `NVD`).
    pub cvss_source: String,
    /// Listed in the CISA Known Exploited Vulnerabilities catalog.
    pub known_exploited: bool,
    /// Network services the vulnerability is reached through, as `tcp/23`.
    pub services: Vec<String>,
    /// First fixed version, when published.
    pub fixed: Option<String>,
    /// Remarks (assumptions about ports, scope).
    pub note: String,
    /// Affected models and versions.
    pub affects: Vec<Affected>,
}

impl Advisory {
    /// True when the advisory affects `model` at `version`; an unknown version (`None`) is
    /// treated as possibly affected.
    pub fn applies_to(&self, model: &str, version: Option<&str>) -> bool {
        self.affects.iter().any(|a| {
            a.model == model
                && match version.and_then(Version::parse) {
                    None => true,
                    Some(v) => a.versions.iter().any(|spec| spec.matches(&v)),
                }
        })
    }

    fn cvss_tenths(&self) -> u32 {
        // Scores are validated to 0.0..=10.0.
        (self.cvss_score * 10.0).round() as u32
    }
}

/// The advisory set.
#[derive(Clone, Debug, Default)]
pub struct AdvisoryDb {
    advisories: Vec<Advisory>,
}

fn invalid(entry: &str, field: &str, reason: impl Into<String>) -> AdvisoryError {
    AdvisoryError::Invalid {
        entry: entry.to_owned(),
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn is_cve_id(id: &str) -> bool {
    let mut parts = id.split('-');
    parts.next() == Some("CVE")
        && parts
            .next()
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
        && parts.next().is_none()
}

/// True for `tcp/23` or `udp/24105`.
pub fn is_service(text: &str) -> bool {
    text.split_once('/').is_some_and(|(proto, port)| {
        matches!(proto, "tcp" | "udp") && port.parse::<u16>().is_ok_and(|p| p > 0)
    })
}

/// The base score of a CVSS 3.x vector.
pub fn cvss_base_score(vector: &str) -> Result<f64, String> {
    cvss::v3::Vector::from_str(vector)
        .map(|v| v.base_score().value())
        .map_err(|e| e.to_string())
}

fn convert(index: usize, raw: RawAdvisory) -> Result<Advisory, AdvisoryError> {
    if !is_cve_id(&raw.cve) {
        return Err(invalid(
            &format!("advisory[{index}]"),
            "cve",
            "expected CVE-YYYY-NNNN",
        ));
    }
    let entry = raw.cve.as_str();
    for (field, value) in [
        ("title", &raw.title),
        ("source", &raw.source),
        ("cvss_source", &raw.cvss_source),
    ] {
        if value.trim().is_empty() {
            return Err(invalid(entry, field, "must not be empty"));
        }
    }
    let computed =
        cvss_base_score(&raw.cvss_vector).map_err(|e| invalid(entry, "cvss_vector", e))?;
    if (computed - raw.cvss_score).abs() > 0.05 {
        return Err(invalid(
            entry,
            "cvss_score",
            format!(
                "{} does not match the vector, which scores {computed}",
                raw.cvss_score
            ),
        ));
    }
    if let Some(bad) = raw.services.iter().find(|s| !is_service(s)) {
        return Err(invalid(
            entry,
            "services",
            format!("{bad:?} is not like tcp/23"),
        ));
    }
    if raw.affects.is_empty() {
        return Err(invalid(entry, "affects", "name at least one model"));
    }
    let mut affects = Vec::with_capacity(raw.affects.len());
    for item in raw.affects {
        if !is_valid_id(&item.model) {
            return Err(invalid(
                entry,
                "affects.model",
                format!("{:?} is not a model id", item.model),
            ));
        }
        if item.versions.is_empty() {
            return Err(invalid(
                entry,
                "affects.versions",
                "list at least one version spec (or \"*\")",
            ));
        }
        let versions = item
            .versions
            .iter()
            .map(|v| VersionSpec::parse(v))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| invalid(entry, "affects.versions", reason))?;
        affects.push(Affected {
            model: item.model,
            versions,
        });
    }
    Ok(Advisory {
        cve: raw.cve,
        title: raw.title,
        source: raw.source,
        url: raw.url,
        cvss_vector: raw.cvss_vector,
        cvss_score: computed,
        cvss_source: raw.cvss_source,
        known_exploited: raw.known_exploited,
        services: raw.services,
        fixed: raw.fixed,
        note: raw.note,
        affects,
    })
}

impl AdvisoryDb {
    /// Parses and validates advisory text.
    pub fn parse(text: &str) -> Result<AdvisoryDb, AdvisoryError> {
        let file: AdvisoryFile =
            toml::from_str(text).map_err(|e| AdvisoryError::Syntax(e.to_string()))?;
        if file.format != ADVISORY_FORMAT {
            return Err(AdvisoryError::Format { found: file.format });
        }
        let mut advisories = Vec::with_capacity(file.advisories.len());
        for (index, raw) in file.advisories.into_iter().enumerate() {
            let advisory = convert(index, raw)?;
            if advisories.iter().any(|a: &Advisory| a.cve == advisory.cve) {
                return Err(invalid(&advisory.cve, "cve", "listed twice"));
            }
            advisories.push(advisory);
        }
        Ok(AdvisoryDb { advisories })
    }

    /// Every advisory, in file order.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The advisories that apply to a device of `model` running `version` (all of the model's
    /// advisories when the version is unknown), in file order.
    pub fn for_device(&self, model: &str, version: Option<&str>) -> Vec<&Advisory> {
        self.advisories
            .iter()
            .filter(|a| a.applies_to(model, version))
            .collect()
    }

    /// Checks that every affected model exists in the catalog.
    pub fn check_models(&self, catalog: &Catalog) -> Result<(), AdvisoryError> {
        for advisory in &self.advisories {
            for affected in &advisory.affects {
                if catalog.model(&affected.model).is_none() {
                    return Err(invalid(
                        &advisory.cve,
                        "affects.model",
                        format!("{:?} is not in the catalog", affected.model),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether a vulnerable service was seen on this network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reachability {
    /// The device served or used one of the advisory's services.
    Observed,
    /// The advisory names services, none of which was seen.
    NotObserved,
    /// The advisory names no network service.
    NoNetworkService,
}

impl Reachability {
    fn factor_percent(self) -> u32 {
        match self {
            Reachability::Observed => OBSERVED_FACTOR_PERCENT,
            Reachability::NotObserved => NOT_OBSERVED_FACTOR_PERCENT,
            Reachability::NoNetworkService => 100,
        }
    }
}

/// An advisory with its risk on this network.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedAdvisory<'a> {
    /// The advisory.
    pub advisory: &'a Advisory,
    /// Whether its vulnerable service was observed.
    pub reachability: Reachability,
    /// CVSS adjusted for reachability, 0..=10, one decimal.
    pub risk: f64,
}

/// Orders a device's advisories by risk (see the module docs). `observed_services` lists the
/// services (`tcp/23`) the device served or used on this network.
pub fn rank<'a>(
    advisories: &[&'a Advisory],
    observed_services: &[String],
) -> Vec<RankedAdvisory<'a>> {
    let mut ranked: Vec<(u32, RankedAdvisory<'a>)> = advisories
        .iter()
        .map(|advisory| {
            let reachability = if advisory.services.is_empty() {
                Reachability::NoNetworkService
            } else if advisory
                .services
                .iter()
                .any(|s| observed_services.contains(s))
            {
                Reachability::Observed
            } else {
                Reachability::NotObserved
            };
            let tenths = advisory
                .cvss_tenths()
                .saturating_mul(reachability.factor_percent())
                .saturating_add(50)
                / 100;
            let tenths = tenths.min(100);
            (
                tenths,
                RankedAdvisory {
                    advisory,
                    reachability,
                    risk: f64::from(tenths) / 10.0,
                },
            )
        })
        .collect();
    ranked.sort_by(|(risk_a, a), (risk_b, b)| {
        b.advisory
            .known_exploited
            .cmp(&a.advisory.known_exploited)
            .then(risk_b.cmp(risk_a))
            .then(b.advisory.cvss_tenths().cmp(&a.advisory.cvss_tenths()))
            .then_with(|| a.advisory.cve.cmp(&b.advisory.cve))
    });
    ranked.into_iter().map(|(_, r)| r).collect()
}

/// A device's overall risk: whether any advisory is known exploited, and the highest risk.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct DeviceRisk {
    /// Some applicable advisory is in the CISA KEV catalog.
    pub known_exploited: bool,
    /// Highest advisory risk (0 when none applies).
    pub risk: f64,
}

impl DeviceRisk {
    /// The device risk from its ranked advisories.
    pub fn from_ranked(ranked: &[RankedAdvisory<'_>]) -> DeviceRisk {
        DeviceRisk {
            known_exploited: ranked.iter().any(|r| r.advisory.known_exploited),
            risk: ranked.iter().map(|r| r.risk).fold(0.0, f64::max),
        }
    }

    /// Orders devices: known-exploited first, then higher risk.
    pub fn cmp_priority(&self, other: &DeviceRisk) -> Ordering {
        other
            .known_exploited
            .cmp(&self.known_exploited)
            .then(other.risk.total_cmp(&self.risk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> AdvisoryDb {
        AdvisoryDb::parse(include_str!("../../../../models/advisories.toml")).unwrap()
    }

    fn cves(list: &[&Advisory]) -> Vec<String> {
        list.iter().map(|a| a.cve.clone()).collect()
    }

    #[test]
    fn shipped_advisories_parse_and_name_catalog_models() {
        let db = shipped();
        assert_eq!(db.advisories().len(), 32);
        let catalog = Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap();
        db.check_models(&catalog).unwrap();
        let mdhex = &db.advisories()[0];
        assert_eq!(mdhex.cve, "CVE-2020-6961");
        assert_eq!(mdhex.cvss_score, 10.0);
        assert_eq!(
            db.advisories().iter().filter(|a| a.known_exploited).count(),
            0
        );
    }

    #[test]
    fn version_ranges_select_the_affected_devices() {
        let db = shipped();
        assert_eq!(
            cves(&db.for_device("bd-alaris-pcu-8015", Some("9.19.2"))),
            ["CVE-2020-25165", "CVE-2016-20009"]
        );
        assert_eq!(
            cves(&db.for_device("bd-alaris-pcu-8015", Some("12.1.0"))),
            ["CVE-2016-20009"]
        );
        assert!(
            db.for_device("bd-alaris-pcu-8015", Some("12.1.3"))
                .is_empty()
        );
        assert_eq!(
            cves(&db.for_device("baxter-spectrum-iq", Some("16.00.00"))),
            ["CVE-2022-26390", "CVE-2022-26392", "CVE-2022-26394"]
        );
        assert_eq!(
            cves(&db.for_device("baxter-spectrum-iq", Some("22D24"))),
            ["CVE-2022-26390"]
        );
        assert!(
            db.for_device("baxter-spectrum-iq", Some("20D19"))
                .is_empty()
        );
        assert_eq!(
            db.for_device("smiths-medfusion-4000", Some("1.5.0")).len(),
            5
        );
        assert!(
            db.for_device("smiths-medfusion-4000", Some("1.6.1"))
                .is_empty()
        );
        assert_eq!(
            db.for_device("bbraun-spacestation", Some("012U000050"))
                .len(),
            8
        );
        assert!(
            db.for_device("bbraun-spacestation", Some("012U000062"))
                .is_empty()
        );
        assert_eq!(db.for_device("ge-cic-pro", Some("5.1.1")).len(), 6);
        assert_eq!(db.for_device("ge-carescape-b450", Some("2.1.2")).len(), 6);
        assert!(db.for_device("ge-carescape-b450", Some("3.0.1")).is_empty());
        assert_eq!(
            cves(&db.for_device("philips-pic-ix", Some("B.02"))),
            ["CVE-1999-0103", "CVE-2020-16222"]
        );
        assert_eq!(
            db.for_device("philips-intellivue-mx450", Some("N.02.05"))
                .len(),
            2
        );
        assert_eq!(
            db.for_device("philips-pagewriter-tc70", Some("2017.11"))
                .len(),
            2
        );
        assert!(
            db.for_device("philips-pagewriter-tc70", Some("2019.06"))
                .is_empty()
        );
        // Unknown version: every advisory of the model may apply.
        assert_eq!(db.for_device("ge-cic-pro", None).len(), 6);
        assert!(db.for_device("hp-laserjet", None).is_empty());
    }

    #[test]
    fn risk_order_with_exact_numbers() {
        let db = shipped();
        let applicable = db.for_device("smiths-medfusion-4000", Some("1.5.0"));
        let ranked = rank(&applicable, &["tcp/21".to_owned(), "udp/53".to_owned()]);
        let summary: Vec<(&str, Reachability, f64)> = ranked
            .iter()
            .map(|r| (r.advisory.cve.as_str(), r.reachability, r.risk))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("CVE-2017-12720", Reachability::Observed, 10.0), // 8.1 x 1.25 = 10.125, capped
                ("CVE-2017-12724", Reachability::Observed, 10.0),
                ("CVE-2017-12718", Reachability::NoNetworkService, 8.1),
                ("CVE-2017-12725", Reachability::NoNetworkService, 5.6),
                ("CVE-2017-12726", Reachability::NotObserved, 5.5), // 7.3 x 0.75 = 5.475
            ]
        );
        assert_eq!(
            DeviceRisk::from_ranked(&ranked),
            DeviceRisk {
                known_exploited: false,
                risk: 10.0
            }
        );
        let baxter = db.for_device("baxter-spectrum-iq", Some("16"));
        let ranked = rank(&baxter, &["tcp/23".to_owned()]);
        let risks: Vec<f64> = ranked.iter().map(|r| r.risk).collect();
        // 26394: 7.5 no service; 26390: 4.2 no service; 26392: 3.1 x 1.25 = 3.875 -> 3.9.
        assert_eq!(risks, vec![7.5, 4.2, 3.9]);
        assert_eq!(ranked[2].advisory.cve, "CVE-2022-26392");
    }

    const ONE: &str = r#"
format = 1
[[advisory]]
cve = "CVE-2099-0001"
title = "test"
source = "TEST-1"
cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N"
cvss_score = 3.1
cvss_source = "test"
known_exploited = true
services = ["tcp/23"]
[[advisory.affects]]
model = "demo"
versions = ["*"]
"#;

    #[test]
    fn known_exploited_comes_first_whatever_its_score() {
        let mut db = shipped();
        let kev = AdvisoryDb::parse(ONE).unwrap();
        db.advisories.extend(kev.advisories);
        let all: Vec<&Advisory> = db.advisories().iter().collect();
        let ranked = rank(&all, &[]);
        assert_eq!(ranked[0].advisory.cve, "CVE-2099-0001");
        assert_eq!(ranked[0].risk, 2.3); // 3.1 x 0.75 = 2.325
        assert_eq!(ranked[1].risk, 10.0);
        let kev_device = DeviceRisk::from_ranked(&ranked[..1]);
        let other = DeviceRisk::from_ranked(&ranked[1..]);
        assert_eq!(kev_device.cmp_priority(&other), Ordering::Less);
    }

    #[test]
    fn errors_name_the_entry_and_the_field() {
        let cases = [
            (
                ONE.replace("3.1\ncvss_source", "9.9\ncvss_source"),
                "CVE-2099-0001, field cvss_score",
            ),
            (
                ONE.replace("AV:N/AC:H", "AV:Q/AC:H"),
                "CVE-2099-0001, field cvss_vector",
            ),
            (ONE.replace("\"tcp/23\"", "\"telnet\""), "field services"),
            (
                ONE.replace("CVE-2099-0001", "CVE-99-1"),
                "advisory[0], field cve",
            ),
            (ONE.replace("\"*\"", "\"3..2\""), "field affects.versions"),
            (
                ONE.replace("\"demo\"", "\"Demo Model\""),
                "field affects.model",
            ),
            (ONE.replace("format = 1", "format = 2"), "format 2"),
            (
                ONE.replace("title = \"test\"", "title = \"test\"\ncolour = 1"),
                "colour",
            ),
            (
                format!("{ONE}{}", &ONE[ONE.find("[[advisory]]").unwrap()..]),
                "listed twice",
            ),
        ];
        for (text, needle) in cases {
            let err = AdvisoryDb::parse(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
        let catalog = Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap();
        let err = AdvisoryDb::parse(ONE)
            .unwrap()
            .check_models(&catalog)
            .unwrap_err();
        assert!(
            err.to_string().contains("\"demo\" is not in the catalog"),
            "{err}"
        );
    }

    #[test]
    fn base_scores_follow_the_cvss_specification() {
        assert_eq!(
            cvss_base_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Ok(10.0)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Ok(9.8)
        );
        assert_eq!(
            cvss_base_score("CVSS:3.0/AV:N/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:H"),
            Ok(8.5)
        );
        assert!(cvss_base_score("CVSS:2.0/AV:N").is_err());
        assert!(is_service("udp/24105"));
        assert!(!is_service("tcp/0"));
        assert!(!is_service("sctp/1"));
    }
}
