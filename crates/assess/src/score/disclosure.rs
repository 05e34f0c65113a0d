//! The parts of the score that come from the manufacturer's disclosures: missing capabilities
//! (MDS2), remote-service exposure, end of support, SBOM completeness. Part of [`super`]: the
//! formula is documented there and in docs/assessment.md.

use super::{
    CapabilityResult, CapabilityState, MAX_CAPABILITIES, MAX_END_OF_SUPPORT, MAX_REMOTE, MAX_SBOM,
    ScorePart, capability_weight, round1, round4,
};
use crate::mds2::questions::{self, CAPABILITIES, Capability, CapabilityQuestions, Combine};
use crate::mds2::{Answer, Mds2Form};
use crate::profile::ExpectedProfile;
use crate::sbom::Component;

/// Missing share of an answer when Yes is the good answer (None for N/A).
fn missing_share(a: &Answer) -> Option<f64> {
    match a {
        Answer::Yes => Some(0.0),
        Answer::No => Some(1.0),
        Answer::NotApplicable => None,
        Answer::Unanswered | Answer::Missing | Answer::Other(_) => Some(0.5),
    }
}

/// Share of a capability that is missing, by its combination rule; `None` when all N/A.
pub fn capability_missing(combine: Combine, answers: &[Answer]) -> Option<f64> {
    let shares: Vec<f64> = answers.iter().filter_map(missing_share).collect();
    if shares.is_empty() {
        return None;
    }
    match combine {
        Combine::AllOf => Some(shares.iter().sum::<f64>() / shares.len() as f64),
        Combine::AnyOf => Some(if shares.contains(&0.0) {
            0.0
        } else if shares.iter().all(|&s| s == 1.0) {
            1.0
        } else {
            0.5
        }),
    }
}

pub(super) fn capabilities_part(
    mds2: Option<&Mds2Form>,
    mud_given: bool,
) -> (ScorePart, Vec<CapabilityResult>) {
    let evaluated: Vec<(CapabilityResult, f64)> = CAPABILITIES
        .iter()
        .map(|cq| evaluate(cq, mds2, mud_given))
        .collect();
    // The sum uses the exact points; each capability is reported to four decimals.
    let sum: f64 = evaluated.iter().map(|(_, exact)| exact).sum();
    let results: Vec<CapabilityResult> = evaluated.into_iter().map(|(r, _)| r).collect();
    let mut details: Vec<String> = results
        .iter()
        .filter(|r| r.points > 0.0)
        .map(|r| {
            format!(
                "{}: {:?}, {:.2} of {} ({})",
                r.capability.name(),
                r.state,
                r.points,
                r.max,
                r.answers.join(", ")
            )
        })
        .collect();
    if mds2.is_none() {
        details.insert(
            0,
            "no MDS2 form given: every capability unknown, counted at half".into(),
        );
    }
    (
        ScorePart {
            part: "missing_capabilities",
            points: round1(sum),
            max: MAX_CAPABILITIES,
            details,
        },
        results,
    )
}

fn evaluate(
    cq: &CapabilityQuestions,
    mds2: Option<&Mds2Form>,
    mud_given: bool,
) -> (CapabilityResult, f64) {
    let answers: Vec<Answer> = cq
        .questions
        .iter()
        .map(|q| mds2.map_or(Answer::Missing, |f| f.answer(q)))
        .collect();
    let mut missing = capability_missing(cq.combine, &answers);
    let mut labels: Vec<String> = cq
        .questions
        .iter()
        .zip(&answers)
        .map(|(q, a)| format!("{q}={}", a.label()))
        .collect();
    if cq.capability == Capability::PortsDisclosed && mud_given {
        missing = Some(0.0);
        labels.push("MUD file given".into());
    }
    let known = answers
        .iter()
        .any(|a| matches!(a, Answer::Yes | Answer::No));
    let state = match missing {
        None => CapabilityState::NotApplicable,
        Some(0.0) => CapabilityState::Present,
        Some(1.0) => CapabilityState::Absent,
        Some(_) if !known => CapabilityState::Unknown,
        Some(_) => CapabilityState::Partial,
    };
    let weight = capability_weight(cq.capability);
    let share = missing.unwrap_or(0.0);
    let result = CapabilityResult {
        capability: cq.capability,
        state,
        missing: round4(share),
        points: round4(weight * share),
        max: weight,
        answers: labels,
    };
    (result, weight * share)
}

/// 1 for Yes (the risky answer), 0 for No or N/A, 0.5 unknown.
fn risky_if_yes(a: &Answer) -> f64 {
    match a {
        Answer::Yes => 1.0,
        Answer::No | Answer::NotApplicable => 0.0,
        _ => 0.5,
    }
}

/// 1 for No (the risky answer), 0 for Yes or N/A, 0.5 unknown.
fn risky_if_no(a: &Answer) -> f64 {
    match a {
        Answer::No => 1.0,
        Answer::Yes | Answer::NotApplicable => 0.0,
        _ => 0.5,
    }
}

pub(super) fn remote_part(
    mds2: Option<&Mds2Form>,
    profile: Option<&ExpectedProfile>,
    mud_given: bool,
) -> ScorePart {
    let answer = |q: &str| mds2.map_or(Answer::Missing, |f| f.answer(q));
    let remote = risky_if_yes(&answer(questions::REMOTE_SERVICE));
    let operator = risky_if_no(&answer(questions::REMOTE_OPERATOR_INITIATED));
    let indicator = risky_if_no(&answer(questions::REMOTE_INDICATOR));
    let conn4 = risky_if_yes(&answer(questions::EXTERNAL_CONNECTIVITY));
    let declared_external = profile.is_some_and(ExpectedProfile::reaches_external);
    let external = if declared_external {
        1.0
    } else if mud_given {
        if conn4 == 1.0 { 1.0 } else { 0.0 }
    } else {
        conn4
    };
    let points = 6.0 * remote + remote * (4.0 * operator + 2.0 * indicator) + 3.0 * external;
    ScorePart {
        part: "remote_service",
        points: round1(points),
        max: MAX_REMOTE,
        details: vec![
            format!(
                "remote service (RMOT-1={}): 6 × {remote}",
                answer(questions::REMOTE_SERVICE).label()
            ),
            format!(
                "not started by the operator (RMOT-1.1={}): {remote} × 4 × {operator}",
                answer(questions::REMOTE_OPERATOR_INITIATED).label()
            ),
            format!(
                "no session indicator (RMOT-1.2={}): {remote} × 2 × {indicator}",
                answer(questions::REMOTE_INDICATOR).label()
            ),
            format!(
                "external peers (declared: {declared_external}, CONN-4={}): 3 × {external}",
                answer(questions::EXTERNAL_CONNECTIVITY).label()
            ),
        ],
    }
}

pub(super) fn end_of_support_part(mds2: Option<&Mds2Form>) -> ScorePart {
    let answer = |q: &str| mds2.map_or(Answer::Missing, |f| f.answer(q));
    let dates = risky_if_no(&answer(questions::SUPPORT_DATES));
    let plan = risky_if_no(&answer(questions::THIRD_PARTY_EOL_PLAN));
    ScorePart {
        part: "end_of_support",
        points: round1(5.0 * dates + 5.0 * plan),
        max: MAX_END_OF_SUPPORT,
        details: vec![
            format!(
                "support dates published (RDMP-3={}): 5 × {dates}",
                answer(questions::SUPPORT_DATES).label()
            ),
            format!(
                "third-party end-of-life plan (RDMP-4={}): 5 × {plan}",
                answer(questions::THIRD_PARTY_EOL_PLAN).label()
            ),
        ],
    }
}

pub(super) fn sbom_part(components: Option<&[Component]>) -> ScorePart {
    let Some(all) = components else {
        return ScorePart {
            part: "sbom_completeness",
            points: MAX_SBOM,
            max: MAX_SBOM,
            details: vec!["no SBOM given".into()],
        };
    };
    let listed: Vec<&Component> = all.iter().filter(|c| !c.is_root).collect();
    if listed.is_empty() {
        return ScorePart {
            part: "sbom_completeness",
            points: MAX_SBOM,
            max: MAX_SBOM,
            details: vec!["the SBOM lists no components".into()],
        };
    }
    let n = listed.len() as f64;
    let no_version: Vec<&str> = listed
        .iter()
        .filter(|c| c.effective_version().is_none())
        .map(|c| c.name.as_str())
        .collect();
    let no_id: Vec<&str> = listed
        .iter()
        .filter(|c| !c.has_identifier())
        .map(|c| c.name.as_str())
        .collect();
    let points = 5.0 * no_version.len() as f64 / n + 5.0 * no_id.len() as f64 / n;
    ScorePart {
        part: "sbom_completeness",
        points: round1(points),
        max: MAX_SBOM,
        details: vec![
            format!(
                "without version: {} of {} ({}): 5 × {}/{}",
                no_version.len(),
                listed.len(),
                no_version.join(", "),
                no_version.len(),
                listed.len()
            ),
            format!(
                "without purl or CPE: {} of {} ({}): 5 × {}/{}",
                no_id.len(),
                listed.len(),
                no_id.join(", "),
                no_id.len(),
                listed.len()
            ),
        ],
    }
}
