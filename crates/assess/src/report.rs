//! The assessment of one device model: collects the inputs, runs matching and the score, and
//! produces the [`Report`] the renderers print. JSON keys are stable (format [`REPORT_FORMAT`]).

use crate::error::InputError;
use crate::finding::{Finding, FindingStatus};
use crate::matcher::{MatchStats, Matcher, Matches};
use crate::mds2::{Mds2Form, Mds2Format};
use crate::mud::Mud;
use crate::profile::{ExpectedProfile, ExpectedRule, ProfileSource, TransportMatch};
use crate::sbom::{Component, Sbom, SbomFormat};
use crate::score::{RiskScore, ScoreInputs};
use serde::Serialize;

/// Format version of the JSON report.
pub const REPORT_FORMAT: u32 = 1;

/// Collects the inputs of one assessment.
#[derive(Clone, Debug, Default)]
pub struct Assessment {
    model: String,
    sboms: Vec<Sbom>,
    mds2: Option<Mds2Form>,
    mud: Option<Mud>,
}

/// One SBOM as the report lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SbomSummary {
    /// File.
    pub file: String,
    /// Format.
    pub format: SbomFormat,
    /// Declared version.
    pub spec_version: String,
    /// Components listed (root included).
    pub components: usize,
    /// True when it carries dependency relationships.
    pub dependencies: bool,
}

/// The inputs a report was made from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inputs {
    /// SBOMs.
    pub sboms: Vec<SbomSummary>,
    /// MDS2 form file.
    pub mds2: Option<String>,
    /// MUD file and its URL.
    pub mud: Option<String>,
    /// What the vulnerability data held.
    pub vulnerability_data: MatchStats,
}

/// Component counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ComponentSummary {
    /// The root component (the device software), `name version`.
    pub root: Option<String>,
    /// Components besides the root, after merging SBOMs.
    pub listed: usize,
    /// Of those, without a version.
    pub without_version: usize,
    /// Of those, without a purl or CPE.
    pub without_identifier: usize,
}

/// The assessment result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Always [`REPORT_FORMAT`].
    pub format: u32,
    /// The assessed device model.
    pub model: String,
    /// Inputs read.
    pub inputs: Inputs,
    /// Score and breakdown.
    pub score: RiskScore,
    /// Findings: affected first, then unknown applicability, then not affected; by points.
    pub findings: Vec<Finding>,
    /// Component counts.
    pub components: ComponentSummary,
    /// The declared network profile, when a MUD file or an MDS2 port list gave one.
    pub expected_profile: Option<ExpectedProfile>,
    /// Problems that did not stop the assessment.
    pub warnings: Vec<String>,
}

impl Assessment {
    /// Starts the assessment of `model`.
    pub fn new(model: &str) -> Assessment {
        Assessment {
            model: model.to_owned(),
            ..Assessment::default()
        }
    }

    /// Adds an SBOM (CycloneDX or SPDX JSON).
    pub fn add_sbom(&mut self, file: &str, bytes: &[u8]) -> Result<(), InputError> {
        self.sboms.push(crate::sbom::parse(file, bytes)?);
        Ok(())
    }

    /// Sets the MDS2 form.
    pub fn set_mds2(
        &mut self,
        file: &str,
        format: Mds2Format,
        bytes: &[u8],
    ) -> Result<(), InputError> {
        self.mds2 = Some(crate::mds2::parse(file, format, bytes)?);
        Ok(())
    }

    /// Sets the MUD file.
    pub fn set_mud(&mut self, file: &str, bytes: &[u8]) -> Result<(), InputError> {
        self.mud = Some(crate::mud::parse(file, bytes)?);
        Ok(())
    }

    /// The components of all SBOMs, merged.
    pub fn components(&self) -> Vec<Component> {
        crate::sbom::merge(&self.sboms)
    }

    /// A matcher over the current components; feed it the vulnerability data, then
    /// [`Assessment::finish`] with its result.
    pub fn matcher(&self) -> Matcher {
        Matcher::new(&self.model, self.components())
    }

    /// The declared profile: MUD rules plus the MDS2 CONN-2 port list; `None` when neither.
    pub fn expected_profile(&self) -> Option<ExpectedProfile> {
        let mut sources = Vec::new();
        let mut rules = Vec::new();
        if let Some(m) = &self.mud {
            sources.push(ProfileSource {
                kind: "mud".into(),
                file: m.file.clone(),
                url: Some(m.url.clone()),
            });
            rules.extend(m.rules.iter().cloned());
        }
        if let Some(f) = self.mds2.as_ref().filter(|f| !f.port_rules.is_empty()) {
            sources.push(ProfileSource {
                kind: "mds2".into(),
                file: f.file.clone(),
                url: None,
            });
            let (_, extra) = self.mds2_beyond_mud();
            rules.extend(extra);
        }
        (!sources.is_empty()).then(|| ExpectedProfile::new(&self.model, sources, rules))
    }

    /// Splits the MDS2 port list into the rules a MUD rule already covers (same direction and
    /// transport, ports inside the MUD rule's) and the rest. The MUD file is the more precise
    /// declaration (peer classes, DNS names), so covered MDS2 rules are dropped; the rest are
    /// added to the profile and reported, since the two declarations then disagree.
    fn mds2_beyond_mud(&self) -> (Vec<ExpectedRule>, Vec<ExpectedRule>) {
        let port_rules = self
            .mds2
            .as_ref()
            .map(|f| f.port_rules.clone())
            .unwrap_or_default();
        let Some(mud) = &self.mud else {
            return (Vec::new(), port_rules);
        };
        port_rules.into_iter().partition(|r| {
            mud.rules.iter().any(|m| {
                m.direction == r.direction
                    && (m.transport == r.transport || m.transport == TransportMatch::Any)
                    && match (m.ports, r.ports) {
                        (None, _) => true,
                        (Some(mp), Some(rp)) => mp.first <= rp.first && rp.last <= mp.last,
                        (Some(_), None) => false,
                    }
            })
        })
    }

    /// Scores and assembles the report.
    pub fn finish(self, matches: Matches) -> Report {
        let components = self.components();
        let profile = self.expected_profile();
        let Matches {
            mut findings,
            stats,
            warnings: match_warnings,
        } = matches;
        let have_sbom = !self.sboms.is_empty();
        let score = crate::score::score(ScoreInputs {
            findings: &mut findings,
            mds2: self.mds2.as_ref(),
            profile: profile.as_ref(),
            mud_given: self.mud.is_some(),
            components: have_sbom.then_some(components.as_slice()),
        });
        findings.sort_by(|a, b| {
            let points = |f: &Finding| f.score.as_ref().map_or(0.0, |s| s.points);
            status_rank(a.status)
                .cmp(&status_rank(b.status))
                .then_with(|| points(b).total_cmp(&points(a)))
                .then_with(|| a.id.cmp(&b.id))
                .then_with(|| a.component.name.cmp(&b.component.name))
        });
        let warnings = self.warnings(match_warnings, stats.findings_dropped);
        let listed: Vec<&Component> = components.iter().filter(|c| !c.is_root).collect();
        Report {
            format: REPORT_FORMAT,
            model: self.model.clone(),
            inputs: Inputs {
                sboms: self
                    .sboms
                    .iter()
                    .map(|s| SbomSummary {
                        file: s.file.clone(),
                        format: s.format,
                        spec_version: s.spec_version.clone(),
                        components: s.components.len(),
                        dependencies: s.has_dependencies,
                    })
                    .collect(),
                mds2: self.mds2.as_ref().map(|f| f.file.clone()),
                mud: self.mud.as_ref().map(|m| m.file.clone()),
                vulnerability_data: stats,
            },
            score,
            findings,
            components: ComponentSummary {
                root: components.iter().find(|c| c.is_root).map(Component::label),
                listed: listed.len(),
                without_version: listed
                    .iter()
                    .filter(|c| c.effective_version().is_none())
                    .count(),
                without_identifier: listed.iter().filter(|c| !c.has_identifier()).count(),
            },
            expected_profile: profile,
            warnings,
        }
    }
}

impl Assessment {
    /// Every input's warnings, prefixed with its file, then matching's.
    fn warnings(&self, from_matching: Vec<String>, dropped: usize) -> Vec<String> {
        let mut warnings: Vec<String> = Vec::new();
        for s in &self.sboms {
            warnings.extend(s.warnings.iter().map(|w| format!("{}: {w}", s.file)));
        }
        if let Some(f) = &self.mds2 {
            warnings.extend(f.warnings.iter().map(|w| format!("{}: {w}", f.file)));
        }
        if let Some(m) = &self.mud {
            warnings.extend(m.warnings.iter().map(|w| format!("{}: {w}", m.file)));
            for extra in self.mds2_beyond_mud().1 {
                warnings.push(format!(
                    "MDS2 CONN-2 lists {}, which the MUD file {} does not declare; added to the expected profile",
                    crate::render::rule_text(&extra),
                    m.file
                ));
            }
        }
        warnings.extend(from_matching);
        if dropped > 0 {
            warnings.push(format!("{dropped} findings beyond the cap were dropped"));
        }
        warnings
    }
}

fn status_rank(s: FindingStatus) -> u8 {
    match s {
        FindingStatus::Affected => 0,
        FindingStatus::UnknownApplicability => 1,
        FindingStatus::NotAffected => 2,
    }
}

impl Report {
    /// The report as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
