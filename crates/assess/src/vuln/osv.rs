//! OSV records (ossf/osv-schema): typed serde models of the fields used.
//!
//! Why not the `osv` crate (0.3.0): its `Ecosystem` and severity-type enums are closed, so a record
//! from an ecosystem added after its release fails to decode and, since one bad file stops the
//! run, would make a whole offline mirror unusable; it also pulls chrono for timestamps this
//! assessment never reads. Here the ecosystem stays a string.
//!
//! Supported version matching (see docs/assessment.md):
//! - `versions` lists: exact string equality.
//! - `SEMVER` ranges: SemVer 2.0 precedence; `introduced: "0"` is "since the first version".
//! - `ECOSYSTEM` ranges: only when both versions are dot-separated integers (in any ecosystem);
//!   anything else (Debian revisions, PEP 440 pre-releases, OpenSSL letters…) is unknown.
//! - `GIT` ranges: unknown (they name commits; an SBOM names versions).
//! - events `introduced`, `fixed`, `last_affected`; `limit` is only meaningful for GIT ranges.

use super::{PackageRef, Record, SourceStatus, Statement, VersionSpec, primary_id};
use crate::error::{InputError, InputKind};
use crate::identity::{Purl, PurlKey, name_key};
use crate::version::{Applicability, Scheme, compare};
use serde::Deserialize;
use std::cmp::Ordering;

#[derive(Deserialize)]
struct OsvRecord {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    affected: Vec<OsvAffected>,
}

#[derive(Deserialize)]
struct OsvSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct OsvAffected {
    #[serde(default)]
    package: Option<OsvPackage>,
    #[serde(default)]
    severity: Vec<OsvSeverity>,
    #[serde(default)]
    ranges: Vec<OsvRange>,
    #[serde(default)]
    versions: Vec<String>,
}

#[derive(Deserialize)]
struct OsvPackage {
    ecosystem: String,
    name: String,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: String,
    events: Vec<OsvEvent>,
}

#[derive(Deserialize)]
struct OsvEvent {
    #[serde(default)]
    introduced: Option<String>,
    #[serde(default)]
    fixed: Option<String>,
    #[serde(default)]
    last_affected: Option<String>,
    #[serde(default)]
    limit: Option<String>,
}

/// The range kinds of OSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RangeKind {
    SemVer,
    Ecosystem,
    Git,
    Other,
}

/// One event of a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

/// The versions one OSV `affected` entry covers.
#[derive(Clone, Debug)]
pub(crate) struct AffectedVersions {
    pub ranges: Vec<(RangeKind, String, Vec<Event>)>,
    pub versions: Vec<String>,
}

impl AffectedVersions {
    /// Whether `version` is affected, and the fixed versions worth naming.
    pub fn evaluate(&self, version: &str) -> (Applicability, Vec<String>) {
        let listed = self.versions.iter().any(|v| v == version);
        let mut unknown = Vec::new();
        let mut affected = listed;
        let mut fixed = Vec::new();
        for (kind, label, events) in &self.ranges {
            match evaluate_range(*kind, label, events, version) {
                Ok((true, fix)) => {
                    affected = true;
                    fixed.extend(fix);
                }
                Ok((false, _)) => {}
                Err(reason) => {
                    // The range's fixed versions are still worth naming as candidates.
                    unknown.push(reason);
                    fixed.extend(events.iter().filter_map(|e| match e {
                        Event::Fixed(f) => Some(f.clone()),
                        _ => None,
                    }));
                }
            }
        }
        fixed.sort();
        fixed.dedup();
        if affected {
            (Applicability::Affected, fixed)
        } else if !unknown.is_empty() {
            unknown.dedup();
            (Applicability::Unknown(unknown.join("; ")), fixed)
        } else if self.ranges.is_empty() && self.versions.is_empty() {
            (
                Applicability::Unknown("the OSV entry lists neither ranges nor versions".into()),
                fixed,
            )
        } else {
            (Applicability::NotAffected, fixed)
        }
    }
}

/// The OSV evaluation algorithm for one range: `Ok((affected, fixed-after-version))`.
fn evaluate_range(
    kind: RangeKind,
    label: &str,
    events: &[Event],
    version: &str,
) -> Result<(bool, Option<String>), String> {
    let scheme = match kind {
        RangeKind::SemVer => Scheme::SemVer,
        RangeKind::Ecosystem => Scheme::IntDot,
        RangeKind::Git => {
            return Err("GIT ranges name commits, which an SBOM does not give".into());
        }
        RangeKind::Other => return Err(format!("range type {label:?} is not supported")),
    };
    let cmp = |a: &str, b: &str| -> Result<Ordering, String> {
        compare(scheme, a, b).map_err(|e| format!("{label} range: {e}"))
    };
    // Name the component's version first when it is the one that cannot be compared.
    cmp(version, version)?;
    // The OSV algorithm walks the events in version order ("0" first).
    let mut sorted: Vec<&Event> = events.iter().collect();
    let mut sort_error = None;
    sorted.sort_by(|a, b| match (event_version(a), event_version(b)) {
        ("0", "0") => Ordering::Equal,
        ("0", _) => Ordering::Less,
        (_, "0") => Ordering::Greater,
        (x, y) => cmp(x, y).unwrap_or_else(|e| {
            sort_error.get_or_insert(e);
            Ordering::Equal
        }),
    });
    if let Some(e) = sort_error {
        return Err(e);
    }
    let mut affected = false;
    let mut next_fix = None;
    for event in sorted {
        match event {
            Event::Introduced(v) if v == "0" => affected = true,
            Event::Introduced(v) => {
                if cmp(version, v)? != Ordering::Less {
                    affected = true;
                }
            }
            Event::Fixed(v) => {
                if cmp(version, v)? != Ordering::Less {
                    affected = false;
                } else if next_fix.is_none() && affected {
                    next_fix = Some(v.clone());
                }
            }
            Event::LastAffected(v) => {
                if cmp(version, v)? == Ordering::Greater {
                    affected = false;
                }
            }
            Event::Limit(_) => {}
        }
    }
    Ok((affected, if affected { next_fix } else { None }))
}

fn event_version(event: &Event) -> &str {
    match event {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

/// OSV ecosystems whose package names map onto a purl type (namespace split as the purl
/// specification does for that type). Others are matched by purl (if the record gives one) or name.
fn ecosystem_purl(ecosystem: &str, name: &str) -> Option<PurlKey> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    let (ty, split) = match base {
        "crates.io" => ("cargo", None),
        "npm" => ("npm", Some('/')),
        "PyPI" => ("pypi", None),
        "Go" => ("golang", Some('/')),
        "Maven" => ("maven", Some(':')),
        "NuGet" => ("nuget", None),
        "RubyGems" => ("gem", None),
        "Packagist" => ("composer", Some('/')),
        "Hex" => ("hex", None),
        "Pub" => ("pub", None),
        "ConanCenter" => ("conan", None),
        "Hackage" => ("hackage", None),
        "CRAN" => ("cran", None),
        "SwiftURL" => ("swift", Some('/')),
        "GitHub Actions" => ("github", Some('/')),
        _ => return None,
    };
    let name = name_key(name);
    let (namespace, name) = match split.and_then(|c| name.rsplit_once(c)) {
        Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
        None => (None, name),
    };
    Some(PurlKey {
        ty: ty.to_owned(),
        namespace,
        name,
    })
}

/// Reads one OSV record; `Ok(None)` for a withdrawn record.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Option<Record>, InputError> {
    let record: OsvRecord = crate::json::decode(InputKind::Osv, file, bytes)?;
    let err =
        |field: String, message: String| InputError::new(InputKind::Osv, file, field, message);
    if record.id.trim().is_empty() {
        return Err(err("id".into(), "is empty".into()));
    }
    if record.withdrawn.is_some() {
        return Ok(None);
    }
    let mut statements = Vec::new();
    for (i, affected) in record.affected.iter().enumerate() {
        let field = format!("affected[{i}]");
        let package = match &affected.package {
            Some(p) => package_ref(p).map_err(|m| err(format!("{field}.package.purl"), m))?,
            None => continue, // a GIT-only entry names a repository, not a package
        };
        let mut ranges = Vec::new();
        for (j, range) in affected.ranges.iter().enumerate() {
            let kind = match range.kind.as_str() {
                "SEMVER" => RangeKind::SemVer,
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "GIT" => RangeKind::Git,
                _ => RangeKind::Other,
            };
            let mut events = Vec::new();
            for (k, e) in range.events.iter().enumerate() {
                events.push(event(e).ok_or_else(|| {
                    err(
                        format!("{field}.ranges[{j}].events[{k}]"),
                        "needs exactly one of introduced, fixed, last_affected, limit".into(),
                    )
                })?);
            }
            ranges.push((kind, range.kind.clone(), events));
        }
        statements.push(Statement {
            package,
            versions: VersionSpec::Osv(AffectedVersions {
                ranges,
                versions: affected.versions.clone(),
            }),
            status: SourceStatus::Affected,
            fixed_versions: Vec::new(),
            remediation: None,
            cvss: cvss_of(&affected.severity),
        });
    }
    let (id, aliases) = primary_id(record.id.trim(), &record.aliases);
    Ok(Some(Record {
        id,
        aliases,
        file: file.to_owned(),
        summary: record.summary.map(|s| crate::sbom::clip(&s)),
        cvss: cvss_of(&record.severity),
        known_exploited: None,
        statements,
    }))
}

fn package_ref(p: &OsvPackage) -> Result<PackageRef, String> {
    let purl = match p.purl.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(text) => Some(Purl::parse(text)?.key),
        None => ecosystem_purl(&p.ecosystem, &p.name),
    };
    Ok(PackageRef {
        purl,
        cpe: None,
        name: Some(name_key(&p.name)),
        model: false,
    })
}

fn event(e: &OsvEvent) -> Option<Event> {
    match (&e.introduced, &e.fixed, &e.last_affected, &e.limit) {
        (Some(v), None, None, None) => Some(Event::Introduced(v.clone())),
        (None, Some(v), None, None) => Some(Event::Fixed(v.clone())),
        (None, None, Some(v), None) => Some(Event::LastAffected(v.clone())),
        (None, None, None, Some(v)) => Some(Event::Limit(v.clone())),
        _ => None,
    }
}

fn cvss_of(severity: &[OsvSeverity]) -> Option<(String, Option<f64>)> {
    severity
        .iter()
        .find(|s| s.kind == "CVSS_V3")
        .map(|s| (s.score.clone(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: RangeKind, events: Vec<Event>) -> AffectedVersions {
        AffectedVersions {
            ranges: vec![(kind, format!("{kind:?}").to_uppercase(), events)],
            versions: vec![],
        }
    }

    #[test]
    fn ecosystem_range_with_integers_is_evaluated() {
        let r = range(
            RangeKind::Ecosystem,
            vec![
                Event::Introduced("1.2.2.2".into()),
                Event::Fixed("1.2.12".into()),
            ],
        );
        assert_eq!(
            r.evaluate("1.2.11"),
            (Applicability::Affected, vec!["1.2.12".into()])
        );
        assert_eq!(r.evaluate("1.2.12").0, Applicability::NotAffected);
        assert_eq!(r.evaluate("1.2.2").0, Applicability::NotAffected);
    }

    #[test]
    fn semver_last_affected_and_introduced_zero() {
        let r = range(
            RangeKind::SemVer,
            vec![
                Event::Introduced("0".into()),
                Event::LastAffected("1.2.12".into()),
            ],
        );
        assert_eq!(r.evaluate("1.2.11"), (Applicability::Affected, vec![]));
        assert_eq!(r.evaluate("1.2.12").0, Applicability::Affected);
        assert_eq!(r.evaluate("1.2.13").0, Applicability::NotAffected);
        assert!(matches!(r.evaluate("1.2").0, Applicability::Unknown(_)));
    }

    #[test]
    fn letters_git_and_unknown_types_are_unknown_unless_listed() {
        let ssl = AffectedVersions {
            ranges: vec![(
                RangeKind::Ecosystem,
                "ECOSYSTEM".into(),
                vec![
                    Event::Introduced("1.0.2".into()),
                    Event::Fixed("1.0.2r".into()),
                ],
            )],
            versions: vec![],
        };
        let (a, fixed) = ssl.evaluate("1.0.2k");
        assert!(
            matches!(&a, Applicability::Unknown(r) if r.contains("only dot-separated integers")),
            "{a:?}"
        );
        assert_eq!(fixed, ["1.0.2r"]);
        let listed = AffectedVersions {
            versions: vec!["1.0.2k".into()],
            ..ssl.clone()
        };
        assert_eq!(
            listed.evaluate("1.0.2k"),
            (Applicability::Affected, vec!["1.0.2r".into()])
        );
        let git = range(RangeKind::Git, vec![Event::Fixed("2105dae0".into())]);
        assert!(matches!(
            git.evaluate("1.4.45").0,
            Applicability::Unknown(_)
        ));
        let empty = AffectedVersions {
            ranges: vec![],
            versions: vec![],
        };
        assert!(matches!(empty.evaluate("1").0, Applicability::Unknown(_)));
    }

    #[test]
    fn parses_records_and_names_bad_events() {
        let doc = br#"{"id": "GHSA-1", "aliases": ["CVE-2018-25032"], "modified": "2024-01-01T00:00:00Z",
          "affected": [{"package": {"ecosystem": "ConanCenter", "name": "zlib"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2.12"}]}]}],
          "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}"#;
        let r = parse("z.json", doc).unwrap().unwrap();
        assert_eq!(r.id, "CVE-2018-25032");
        assert_eq!(r.aliases, ["GHSA-1"]);
        assert_eq!(r.statements[0].package.purl.as_ref().unwrap().ty, "conan");
        let bad = br#"{"id": "X-1", "affected": [{"package": {"ecosystem": "npm", "name": "a"},
          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1.0.0"}]}]}]}"#;
        let e = parse("b.json", bad).unwrap_err();
        assert_eq!(e.field, "affected[0].ranges[0].events[0]");
        let withdrawn = br#"{"id": "X-2", "withdrawn": "2024-01-01T00:00:00Z"}"#;
        assert!(parse("w.json", withdrawn).unwrap().is_none());
        let scoped = ecosystem_purl("Maven", "org.apache.logging.log4j:log4j-core").unwrap();
        assert_eq!(
            scoped.namespace.as_deref(),
            Some("org.apache.logging.log4j")
        );
    }
}
