use super::*;
use crate::finding::{ComponentRef, MatchKind};
use crate::mds2::questions::{CAPABILITIES, Combine};
use crate::mds2::{Mds2Format, parse as parse_mds2};

fn finding(id: &str, component: &str, vector: &str, status: FindingStatus, kev: bool) -> Finding {
    Finding {
        id: id.into(),
        aliases: vec![],
        status,
        reason: None,
        component: ComponentRef {
            name: component.into(),
            version: None,
            purl: None,
            cpe: None,
        },
        path: vec![],
        matched_by: MatchKind::Purl,
        cvss: Some(crate::severity::score(vector, None).unwrap()),
        known_exploited: kev,
        exploited_evidence: vec![],
        fixed_versions: vec![],
        remediation: None,
        summary: None,
        sources: vec![],
        score: None,
    }
}

const N98: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const N88: &str = "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
const N75: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H";
const N59: &str = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N";
const L70: &str = "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H";

fn pump_findings() -> Vec<Finding> {
    use FindingStatus::*;
    vec![
        finding("CVE-2022-37434", "zlib", N98, Affected, false),
        finding("CVE-2017-16544", "busybox", N88, Affected, false),
        finding("CVE-2018-25032", "zlib", N75, Affected, false),
        finding("CVE-2018-0732", "openssl", N75, Affected, false),
        finding("CVE-2018-19052", "lighttpd", N75, Affected, false),
        finding("CVE-2016-5195", "linux", L70, Affected, true),
        finding("CVE-2019-1559", "openssl", N59, UnknownApplicability, false),
        finding("CVE-2018-1000517", "busybox", N98, NotAffected, false),
    ]
}

#[test]
fn exposure_ranks_and_decays_exactly() {
    let mut findings = pump_findings();
    let part = vulnerability_part(&mut findings, NetworkExposure::Inbound, true);
    // 9.8 + 8.8/2 + 7.5/4 + 7.5/8 + 7.5/16 + (0.4×17)/32 + (0.5×5.9)/64 = 17.7398…
    assert_eq!(part.points, 17.7);
    let ranks: Vec<(String, usize, f64)> = findings
        .iter()
        .map(|f| {
            let s = f.score.as_ref().unwrap();
            (f.id.clone(), s.rank, (s.points * 10000.0).round() / 10000.0)
        })
        .collect();
    assert_eq!(
        ranks,
        [
            ("CVE-2022-37434".to_owned(), 0, 9.8),
            ("CVE-2017-16544".to_owned(), 1, 4.4),
            ("CVE-2018-25032".to_owned(), 4, 0.4688),
            ("CVE-2018-0732".to_owned(), 2, 1.875),
            ("CVE-2018-19052".to_owned(), 3, 0.9375),
            ("CVE-2016-5195".to_owned(), 5, 0.2125),
            ("CVE-2019-1559".to_owned(), 6, 0.0461),
            ("CVE-2018-1000517".to_owned(), 0, 0.0),
        ]
    );
    assert_eq!(findings[5].score.as_ref().unwrap().value, 6.8);
}

#[test]
fn reachability_follows_exposure_and_attack_vector() {
    let one = |exposure, vector: &str, kev| {
        let mut f = vec![finding(
            "CVE-2000-0001",
            "x",
            vector,
            FindingStatus::Affected,
            kev,
        )];
        vulnerability_part(&mut f, exposure, true).points
    };
    assert_eq!(one(NetworkExposure::Inbound, N98, true), 19.8);
    assert_eq!(one(NetworkExposure::OutboundOnly, N98, false), 5.9);
    assert_eq!(one(NetworkExposure::NotNetworked, N98, false), 2.0);
    assert_eq!(one(NetworkExposure::NotNetworked, L70, false), 2.8);
    let mut none: Vec<Finding> = vec![];
    assert_eq!(
        vulnerability_part(&mut none, NetworkExposure::Unknown, false).points,
        20.0
    );
    let mut many: Vec<Finding> = (0..40)
        .map(|i| {
            finding(
                &format!("CVE-2000-{i:04}"),
                "x",
                N98,
                FindingStatus::Affected,
                true,
            )
        })
        .collect();
    assert_eq!(
        vulnerability_part(&mut many, NetworkExposure::Inbound, true).points,
        39.6
    );
}

#[test]
fn capability_combination_rules() {
    use Answer::*;
    assert_eq!(
        capability_missing(Combine::AllOf, &[Yes, No, Missing]),
        Some(0.5)
    );
    assert_eq!(
        capability_missing(Combine::AllOf, &[Yes, Unanswered]),
        Some(0.25)
    );
    assert_eq!(
        capability_missing(Combine::AllOf, &[NotApplicable, NotApplicable]),
        None
    );
    assert_eq!(
        capability_missing(Combine::AnyOf, &[No, Missing, No]),
        Some(0.5)
    );
    assert_eq!(
        capability_missing(Combine::AnyOf, &[No, No, NotApplicable]),
        Some(1.0)
    );
    assert_eq!(capability_missing(Combine::AnyOf, &[No, Yes]), Some(0.0));
    let total: f64 = CAPABILITIES
        .iter()
        .map(|c| capability_weight(c.capability))
        .sum();
    assert_eq!(total, MAX_CAPABILITIES);
}

#[test]
fn no_disclosure_at_all_scores_53_5() {
    let s = score(ScoreInputs {
        findings: &mut [],
        mds2: None,
        profile: None,
        mud_given: false,
        components: None,
    });
    let points: Vec<(&str, f64)> = s.parts.iter().map(|p| (p.part, p.points)).collect();
    assert_eq!(
        points,
        [
            ("vulnerability_exposure", 20.0),
            ("missing_capabilities", 12.5),
            ("remote_service", 6.0),
            ("end_of_support", 5.0),
            ("sbom_completeness", 10.0),
        ]
    );
    assert_eq!(s.total, 53.5);
    assert_eq!(s.rating, Rating::High);
    assert_eq!(s.network_exposure, NetworkExposure::Unknown);
}

#[test]
fn mds2_answers_drive_capabilities_remote_and_support() {
    let csv = b"ID,Answer\nAUTH-1,Yes\nPAUT-1,No\nPAUT-5,No\nTXCF-2,\nCONN-7,Yes\nSTCF-1,No\n\
AUDT-2,Yes\nAUDT-5,Yes\nAUDT-7,No\nCSUP-7,Yes\nCSUP-11,Yes\nSAHD-3.2,Yes\nMLDP-2,No\nMLDP-3,Yes\n\
CONN-2,Yes\nRMOT-1,Yes\nRMOT-1.1,No\nRMOT-1.2,Yes\nCONN-4,Yes\nRDMP-3,Yes\nCONN-1.2.1,No\nCONN-1.1.1,No\n\
CONN-1.1.2,No\nCONN-1.1.3,No\n";
    let form = parse_mds2("f.csv", Mds2Format::Csv, csv).unwrap();
    let s = score(ScoreInputs {
        findings: &mut [],
        mds2: Some(&form),
        profile: None,
        mud_given: false,
        components: Some(&[]),
    });
    let points: Vec<(&str, f64)> = s.parts.iter().map(|p| (p.part, p.points)).collect();
    // capabilities: auth 5×2/3 + transit 5×0.25 + at rest 3 + audit 3×1/3 = 8.583…
    // remote: 6 + 1×(4×1 + 2×0) + 3×1 = 13; support: RDMP-4 missing → 2.5
    assert_eq!(
        points,
        [
            ("vulnerability_exposure", 0.0),
            ("missing_capabilities", 8.6),
            ("remote_service", 13.0),
            ("end_of_support", 2.5),
            ("sbom_completeness", 10.0),
        ]
    );
    assert_eq!(s.network_exposure, NetworkExposure::NotNetworked);
    let states: Vec<CapabilityState> = s.capabilities.iter().map(|c| c.state).collect();
    use CapabilityState::*;
    assert_eq!(
        states,
        [Partial, Partial, Absent, Partial, Present, Present, Present]
    );
    assert_eq!(s.total, 34.1);
    assert_eq!(s.rating, Rating::Moderate);
}
