//! Matching vulnerability data against SBOM components, one file at a time (a large offline
//! mirror streams through without being held in memory), and merging what several sources say
//! about the same vulnerability on the same component.
//!
//! Identity: purl against purl when both sides have one; else CPE against CPE when both have one;
//! else name against name. Precedence when sources disagree: a manufacturer's fixed or not-affected
//! statement (CSAF) wins over an affected one, which wins over unknown applicability.

use crate::error::{InputError, InputKind};
use crate::finding::{ComponentRef, Finding, FindingStatus, MatchKind};
use crate::identity::name_key;
use crate::sbom::Component;
use crate::version::Applicability;
use crate::vuln::kev::{KEV_FILE_NAME, KevEntry};
use crate::vuln::{Record, SourceStatus, Statement, applicability};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Most findings kept; more are counted in [`MatchStats::findings_dropped`].
pub const MAX_FINDINGS: usize = 10_000;

/// What kind of file [`Matcher::add_file`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VulnFileKind {
    /// An OSV record.
    Osv,
    /// A CSAF advisory.
    Csaf,
    /// The KEV list.
    Kev,
    /// A JSON file that is none of these; skipped and listed.
    Skipped,
}

/// Counts of what the vulnerability data held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MatchStats {
    /// OSV records read (withdrawn ones included).
    pub osv_records: usize,
    /// Withdrawn OSV records ignored.
    pub osv_withdrawn: usize,
    /// CSAF advisories read.
    pub csaf_documents: usize,
    /// Vulnerabilities in those advisories.
    pub csaf_vulnerabilities: usize,
    /// KEV entries read.
    pub kev_entries: usize,
    /// Catalog advisories that apply to the model.
    pub catalog_advisories: usize,
    /// JSON files that were neither OSV, CSAF nor KEV.
    pub skipped_files: Vec<String>,
    /// Findings beyond [`MAX_FINDINGS`].
    pub findings_dropped: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Component(usize),
    Model,
}

/// Outcome of one statement for one target, in increasing precedence.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Unknown,
    Affected,
    NotAffected,
    Fixed,
}

struct Accumulated {
    finding: Finding,
    outcome: Outcome,
    reasons: BTreeSet<String>,
    justification: Option<String>,
    cvss: Vec<(String, Option<f64>, String)>,
    exploited: BTreeSet<String>,
    fixed: BTreeSet<String>,
    sources: BTreeSet<String>,
}

/// Matches vulnerability files against the components of the assessed device.
pub struct Matcher {
    model: String,
    model_version: Option<String>,
    components: Vec<Component>,
    by_purl: BTreeMap<(String, String), Vec<usize>>,
    by_cpe: BTreeMap<(String, String), Vec<usize>>,
    by_name: BTreeMap<String, Vec<usize>>,
    found: BTreeMap<(Target, String), Accumulated>,
    kev: BTreeMap<String, KevEntry>,
    stats: MatchStats,
    warnings: Vec<String>,
}

/// What matching produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Matches {
    /// Findings, sorted by component then id.
    pub findings: Vec<Finding>,
    /// Counts.
    pub stats: MatchStats,
    /// Problems that did not stop the run (a refused CVSS vector, disagreeing sources).
    pub warnings: Vec<String>,
}

impl Matcher {
    /// Indexes `components` (merged from all SBOMs) for the device `model`.
    pub fn new(model: &str, components: Vec<Component>) -> Matcher {
        let mut m = Matcher {
            model: model.to_owned(),
            model_version: components
                .iter()
                .find(|c| c.is_root)
                .and_then(|c| c.effective_version().map(str::to_owned)),
            components: Vec::new(),
            by_purl: BTreeMap::new(),
            by_cpe: BTreeMap::new(),
            by_name: BTreeMap::new(),
            found: BTreeMap::new(),
            kev: BTreeMap::new(),
            stats: MatchStats::default(),
            warnings: Vec::new(),
        };
        for (i, c) in components.iter().enumerate() {
            if let Some(p) = c.purl() {
                m.by_purl
                    .entry((p.key.ty.clone(), p.key.name.clone()))
                    .or_default()
                    .push(i);
            }
            if let Some(k) = c.cpe() {
                m.by_cpe
                    .entry((k.key.vendor.clone(), k.key.product.clone()))
                    .or_default()
                    .push(i);
            }
            m.by_name.entry(name_key(&c.name)).or_default().push(i);
        }
        m.components = components;
        m
    }

    /// Reads one file of `--vulns DIR`: the KEV list (by its file name), an OSV record or a CSAF
    /// advisory (by their content); other JSON is skipped and listed.
    pub fn add_file(&mut self, file: &str, bytes: &[u8]) -> Result<VulnFileKind, InputError> {
        let name = std::path::Path::new(file)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(file);
        if name == KEV_FILE_NAME {
            let kev = crate::vuln::kev::parse(file, bytes)?;
            self.stats.kev_entries += kev.len();
            self.kev.extend(kev);
            return Ok(VulnFileKind::Kev);
        }
        let probe: serde_json::Value =
            crate::json::decode(InputKind::VulnerabilityData, file, bytes)?;
        let Some(object) = probe.as_object() else {
            self.stats.skipped_files.push(file.to_owned());
            return Ok(VulnFileKind::Skipped);
        };
        if object.contains_key("document") && object.contains_key("vulnerabilities") {
            let records = crate::vuln::csaf::parse(file, bytes)?;
            self.stats.csaf_documents += 1;
            self.stats.csaf_vulnerabilities += records.len();
            for r in &records {
                self.add_record(r);
            }
            Ok(VulnFileKind::Csaf)
        } else if object.contains_key("id")
            && (object.contains_key("affected") || object.contains_key("modified"))
        {
            self.stats.osv_records += 1;
            match crate::vuln::osv::parse(file, bytes)? {
                Some(r) => self.add_record(&r),
                None => self.stats.osv_withdrawn += 1,
            }
            Ok(VulnFileKind::Osv)
        } else {
            self.stats.skipped_files.push(file.to_owned());
            Ok(VulnFileKind::Skipped)
        }
    }

    /// Reads the catalog's `advisories.toml` and applies the entries for the model.
    pub fn add_advisories(&mut self, file: &str, text: &str) -> Result<(), InputError> {
        let records = crate::vuln::advisories::parse(file, text, &self.model)?;
        self.stats.catalog_advisories += records.len();
        for r in &records {
            self.add_record(r);
        }
        Ok(())
    }

    fn add_record(&mut self, record: &Record) {
        for statement in &record.statements {
            for (target, kind) in self.targets(statement) {
                let version = match target {
                    Target::Component(i) => self
                        .components
                        .get(i)
                        .and_then(|c| c.effective_version().map(str::to_owned)),
                    Target::Model => self.model_version.clone(),
                };
                let (app, fixed) = applicability(&statement.versions, version.as_deref());
                let (outcome, reason) = match (&statement.status, app) {
                    (_, Applicability::NotAffected) => continue,
                    (SourceStatus::Affected, Applicability::Affected) => (Outcome::Affected, None),
                    (SourceStatus::Affected, Applicability::Unknown(r)) => {
                        (Outcome::Unknown, Some(r))
                    }
                    (SourceStatus::NotAffected { justification }, Applicability::Affected) => {
                        (Outcome::NotAffected, justification.clone())
                    }
                    (SourceStatus::Fixed, Applicability::Affected) => (Outcome::Fixed, None),
                    (SourceStatus::UnderInvestigation, _) => (
                        Outcome::Unknown,
                        Some("under investigation by the manufacturer".to_owned()),
                    ),
                    (_, Applicability::Unknown(_)) => continue,
                };
                self.merge(record, statement, target, kind, outcome, reason, fixed);
            }
        }
    }

    /// Components (or the model) a statement names, with how they matched.
    fn targets(&self, s: &Statement) -> Vec<(Target, MatchKind)> {
        if s.package.model {
            return vec![(Target::Model, MatchKind::Model)];
        }
        let mut candidates = BTreeSet::new();
        if let Some(p) = &s.package.purl {
            candidates.extend(
                self.by_purl
                    .get(&(p.ty.clone(), p.name.clone()))
                    .into_iter()
                    .flatten(),
            );
        }
        if let Some(c) = &s.package.cpe {
            candidates.extend(
                self.by_cpe
                    .get(&(c.vendor.clone(), c.product.clone()))
                    .into_iter()
                    .flatten(),
            );
        }
        if let Some(n) = &s.package.name {
            candidates.extend(self.by_name.get(n).into_iter().flatten());
        }
        candidates
            .into_iter()
            .filter_map(|i| {
                let c = self.components.get(i)?;
                identity_match(s, c).map(|k| (Target::Component(i), k))
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn merge(
        &mut self,
        record: &Record,
        statement: &Statement,
        target: Target,
        kind: MatchKind,
        outcome: Outcome,
        reason: Option<String>,
        fixed: Vec<String>,
    ) {
        let key = (target, record.id.clone());
        if !self.found.contains_key(&key) {
            if self.found.len() >= MAX_FINDINGS {
                self.stats.findings_dropped += 1;
                return;
            }
            let finding = self.new_finding(record, target, kind);
            self.found.insert(
                key.clone(),
                Accumulated {
                    finding,
                    outcome: outcome.clone(),
                    reasons: BTreeSet::new(),
                    justification: None,
                    cvss: Vec::new(),
                    exploited: BTreeSet::new(),
                    fixed: BTreeSet::new(),
                    sources: BTreeSet::new(),
                },
            );
        }
        let Some(acc) = self.found.get_mut(&key) else {
            return;
        };
        if outcome > acc.outcome {
            acc.outcome = outcome.clone();
        }
        if outcome == Outcome::NotAffected {
            acc.justification = reason.clone().or(acc.justification.take());
        } else if let Some(r) = reason {
            acc.reasons.insert(r);
        }
        acc.finding.matched_by = acc.finding.matched_by.min(kind);
        for alias in &record.aliases {
            if !acc.finding.aliases.contains(alias) {
                acc.finding.aliases.push(alias.clone());
            }
        }
        if let Some((vector, stated)) = statement.cvss.clone().or_else(|| record.cvss.clone()) {
            acc.cvss.push((vector, stated, record.file.clone()));
        }
        if let Some(e) = &record.known_exploited {
            acc.exploited.insert(e.clone());
        }
        acc.fixed.extend(fixed);
        acc.fixed.extend(statement.fixed_versions.iter().cloned());
        if acc.finding.remediation.is_none() {
            acc.finding.remediation = statement.remediation.clone();
        }
        if acc.finding.summary.is_none() {
            acc.finding.summary = record.summary.clone();
        }
        acc.sources.insert(record.file.clone());
    }

    fn new_finding(&self, record: &Record, target: Target, kind: MatchKind) -> Finding {
        let (component, path) = match target.clone_component(&self.components) {
            Some(c) => (
                ComponentRef {
                    name: c.name.clone(),
                    version: c.effective_version().map(str::to_owned),
                    purl: c.purl.clone(),
                    cpe: c.cpe.clone(),
                },
                c.path.clone(),
            ),
            None => (
                ComponentRef {
                    name: self.model.clone(),
                    version: self.model_version.clone(),
                    purl: None,
                    cpe: None,
                },
                vec![self.model.clone()],
            ),
        };
        Finding {
            id: record.id.clone(),
            aliases: Vec::new(),
            status: FindingStatus::Affected,
            reason: None,
            component,
            path,
            matched_by: kind,
            cvss: None,
            known_exploited: false,
            exploited_evidence: Vec::new(),
            fixed_versions: Vec::new(),
            remediation: None,
            summary: None,
            sources: Vec::new(),
            score: None,
        }
    }

    /// Finishes: applies the KEV list, picks CVSS scores, drops fixed findings.
    pub fn finish(mut self) -> Matches {
        let mut findings = Vec::new();
        let found = std::mem::take(&mut self.found);
        for (_, acc) in found {
            if let Some(f) = self.complete(acc) {
                findings.push(f);
            }
        }
        findings.sort_by(|a, b| {
            (
                a.component.name.as_str(),
                a.component.version.as_deref(),
                a.id.as_str(),
            )
                .cmp(&(
                    b.component.name.as_str(),
                    b.component.version.as_deref(),
                    b.id.as_str(),
                ))
        });
        Matches {
            findings,
            stats: self.stats,
            warnings: self.warnings,
        }
    }

    fn complete(&mut self, acc: Accumulated) -> Option<Finding> {
        let mut f = acc.finding;
        match acc.outcome {
            Outcome::Fixed => return None,
            Outcome::NotAffected => {
                f.status = FindingStatus::NotAffected;
                f.reason = Some(match acc.justification {
                    Some(j) => format!("manufacturer: not affected ({j})"),
                    None => "manufacturer: not affected".to_owned(),
                });
            }
            Outcome::Affected => f.status = FindingStatus::Affected,
            Outcome::Unknown => {
                f.status = FindingStatus::UnknownApplicability;
                f.reason = Some(acc.reasons.into_iter().collect::<Vec<_>>().join("; "));
            }
        }
        f.aliases.sort();
        let mut exploited: Vec<String> = acc.exploited.into_iter().collect();
        for id in std::iter::once(&f.id).chain(f.aliases.iter()) {
            if let Some(entry) = self.kev.get(id) {
                exploited.push(match &entry.date_added {
                    Some(d) => format!("CISA KEV (added {d})"),
                    None => "CISA KEV".to_owned(),
                });
            }
        }
        exploited.sort();
        exploited.dedup();
        f.known_exploited = !exploited.is_empty();
        f.exploited_evidence = exploited;
        f.fixed_versions = acc.fixed.into_iter().collect();
        f.sources = acc.sources.into_iter().collect();
        f.cvss = self.pick_cvss(&f.id, &acc.cvss);
        Some(f)
    }

    /// Scores every vector the sources give; keeps the highest, and warns about refused vectors,
    /// disagreeing sources and stated scores that disagree with their vector.
    fn pick_cvss(
        &mut self,
        id: &str,
        candidates: &[(String, Option<f64>, String)],
    ) -> Option<crate::severity::CvssScore> {
        let mut best: Option<crate::severity::CvssScore> = None;
        let mut vectors = BTreeSet::new();
        for (vector, stated, file) in candidates {
            match crate::severity::score(vector, *stated) {
                Ok(s) => {
                    if s.stated_score_mismatch {
                        self.warnings.push(format!(
                            "{file}: {id}: stated base score {} disagrees with its vector {} (computed {})",
                            stated.unwrap_or_default(),
                            s.vector,
                            s.base_score
                        ));
                    }
                    vectors.insert(s.vector.clone());
                    if best.as_ref().is_none_or(|b| s.base_score > b.base_score) {
                        best = Some(s);
                    }
                }
                Err(e) => self
                    .warnings
                    .push(format!("{file}: {id}: CVSS vector refused: {e}")),
            }
        }
        if vectors.len() > 1 {
            self.warnings.push(format!(
                "{id}: sources give different CVSS vectors ({}); the highest base score is used",
                vectors.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        best
    }
}

impl Target {
    fn clone_component(self, components: &[Component]) -> Option<&Component> {
        match self {
            Target::Component(i) => components.get(i),
            Target::Model => None,
        }
    }
}

fn identity_match(s: &Statement, c: &Component) -> Option<MatchKind> {
    if let (Some(a), Some(b)) = (&s.package.purl, c.purl()) {
        return a.matches(&b.key).then_some(MatchKind::Purl);
    }
    if let (Some(a), Some(b)) = (&s.package.cpe, c.cpe()) {
        return a.matches(&b.key).then_some(MatchKind::Cpe);
    }
    let name = s.package.name.as_ref()?;
    (*name == name_key(&c.name)).then_some(MatchKind::Name)
}
