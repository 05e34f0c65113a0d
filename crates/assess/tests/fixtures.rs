//! The report on the fixtures, checked exactly: findings, score breakdown, rendered outputs.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use wardwatch_assess::FindingStatus;
use wardwatch_assess::render;

fn finding_rows(r: &wardwatch_assess::Report) -> Vec<String> {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?} cvss={} kev={} fixed=[{}] via={:?} points={:.4}",
                f.id,
                f.component.name,
                f.status,
                f.cvss
                    .as_ref()
                    .map_or("-".into(), |c| c.base_score.to_string()),
                f.known_exploited,
                f.fixed_versions.join(","),
                f.matched_by,
                f.score.as_ref().map_or(0.0, |s| s.points)
            )
        })
        .collect()
}

#[test]
fn full_fixture_findings_are_exact() {
    let r = full();
    assert_eq!(
        finding_rows(&r),
        [
            "CVE-2022-37434 zlib Affected cvss=9.8 kev=false fixed=[] via=Purl points=9.8000",
            "CVE-2017-16544 busybox Affected cvss=8.8 kev=false fixed=[] via=Cpe points=4.4000",
            "CVE-2018-0732 openssl Affected cvss=7.5 kev=false fixed=[1.0.2p,1.1.0i] via=Purl points=1.8750",
            "CVE-2018-19052 lighttpd Affected cvss=7.5 kev=false fixed=[] via=Cpe points=0.9375",
            "CVE-2018-25032 zlib Affected cvss=7.5 kev=false fixed=[1.2.12] via=Purl points=0.4688",
            "CVE-2016-5195 linux Affected cvss=7 kev=true fixed=[] via=Cpe points=0.2125",
            "CVE-2019-1559 openssl UnknownApplicability cvss=5.9 kev=false fixed=[1.0.2r] via=Purl points=0.0461",
            "CVE-2018-1000517 busybox NotAffected cvss=9.8 kev=false fixed=[] via=Cpe points=0.0000",
        ]
    );
    let kernel = r.findings.iter().find(|f| f.id == "CVE-2016-5195").unwrap();
    assert_eq!(
        kernel.exploited_evidence,
        [
            "CISA KEV (added 2022-03-03)",
            "CSAF threat: Exploited in the wild in October 2016; listed in CISA's Known Exploited Vulnerabilities catalog on 2022-03-03."
        ]
    );
    assert_eq!(kernel.path, ["infusafe-300-firmware 3.2.1", "linux 4.4.14"]);
    let openssl = r.findings.iter().find(|f| f.id == "CVE-2018-0732").unwrap();
    assert_eq!(
        openssl.path,
        [
            "infusafe-300-firmware 3.2.1",
            "acme-remote-agent 2.1.0",
            "openssl 1.0.2k"
        ]
    );
    let unknown = r.findings.iter().find(|f| f.id == "CVE-2019-1559").unwrap();
    assert_eq!(
        unknown.reason.as_deref(),
        Some(
            "ECOSYSTEM range: `1.0.2k` is not comparable under intdot: only dot-separated integers are"
        )
    );
    let vex = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2018-1000517")
        .unwrap();
    assert_eq!(
        vex.reason.as_deref(),
        Some("manufacturer: not affected (vulnerable_code_not_in_execute_path)")
    );
    let busybox = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2017-16544")
        .unwrap();
    assert_eq!(
        busybox.remediation.as_deref(),
        Some("vendor_fix: Install InfuSafe 300 firmware 3.3.0.")
    );
    assert_eq!(
        r.warnings,
        [
            "MDS2 CONN-2 lists to-device tcp/22 internal, which the MUD file fixtures/assess/infusafe-300.mud.json does not declare; added to the expected profile"
        ]
    );
}

#[test]
fn full_fixture_score_breakdown_is_exact() {
    let r = full();
    let parts: Vec<(&str, f64)> = r.score.parts.iter().map(|p| (p.part, p.points)).collect();
    assert_eq!(
        parts,
        [
            ("vulnerability_exposure", 17.7),
            ("missing_capabilities", 8.6),
            ("remote_service", 13.0),
            ("end_of_support", 2.5),
            ("sbom_completeness", 1.1),
        ]
    );
    assert_eq!(r.score.total, 42.9);
    assert_eq!(format!("{:?}", r.score.rating), "Moderate");
    assert_eq!(format!("{:?}", r.score.network_exposure), "Inbound");
    assert_eq!(r.components.listed, 9);
    assert_eq!(
        (
            r.components.without_version,
            r.components.without_identifier
        ),
        (1, 1)
    );
    let v = &r.inputs.vulnerability_data;
    assert_eq!(
        (
            v.osv_records,
            v.csaf_documents,
            v.csaf_vulnerabilities,
            v.kev_entries
        ),
        (4, 1, 4, 1)
    );
    let profile = r.expected_profile.as_ref().unwrap();
    assert_eq!(
        profile.rules.len(),
        6,
        "MUD's five rules plus the MDS2-only SSH service port"
    );
    assert_eq!(profile.sources.len(), 2);
}

#[test]
fn spdx_variant_matches_lighttpd_by_name() {
    let r = assess(Run {
        sboms: &[SPDX],
        mds2: Some(MDS2),
        mud: Some(MUD),
        vulns: Some(VULNS),
    });
    let lighttpd = r
        .findings
        .iter()
        .find(|f| f.id == "CVE-2018-19052")
        .unwrap();
    assert_eq!(format!("{:?}", lighttpd.matched_by), "Name");
    assert_eq!(lighttpd.status, FindingStatus::Affected);
    assert_eq!(r.findings.len(), 8);
    assert_eq!(
        (
            r.components.without_version,
            r.components.without_identifier
        ),
        (1, 2)
    );
    let sbom = r
        .score
        .parts
        .iter()
        .find(|p| p.part == "sbom_completeness")
        .unwrap();
    assert_eq!(sbom.points, 1.7, "5×1/9 + 5×2/9");
    assert_eq!(r.score.total, 43.5);
}

#[test]
fn both_sboms_merge_into_one_component_set() {
    let r = assess(Run {
        sboms: &[CDX, SPDX],
        mds2: None,
        mud: None,
        vulns: Some(VULNS),
    });
    assert_eq!(r.components.listed, 9);
    assert_eq!(r.findings.len(), 8);
    assert_eq!(format!("{:?}", r.score.network_exposure), "Unknown");
}

#[test]
fn rendered_outputs_match_snapshots() {
    let r = full();
    insta::assert_snapshot!("table", render::table(&r));
    insta::assert_snapshot!("markdown", render::markdown(&r));
    insta::assert_snapshot!("json", render::json(&r));
    insta::assert_snapshot!("profile", r.expected_profile.as_ref().unwrap().to_json());
}

#[test]
fn table_fits_in_100_columns_and_is_deterministic() {
    let a = render::table(&full());
    for line in a.lines() {
        assert!(
            line.chars().count() <= 100,
            "{} columns: {line}",
            line.chars().count()
        );
    }
    assert_eq!(a, render::table(&full()));
}

#[test]
fn xlsx_export_reads_the_same_answers_as_csv() {
    use wardwatch_assess::mds2::{Mds2Format, parse};
    let csv = parse(MDS2, Mds2Format::Csv, &read(MDS2)).unwrap();
    let xlsx_file = "fixtures/assess/infusafe-300.mds2.xlsx";
    let xlsx = parse(xlsx_file, Mds2Format::Xlsx, &read(xlsx_file)).unwrap();
    assert_eq!(xlsx.answers.len(), 69);
    for (id, a) in &csv.answers {
        let b = &xlsx.answers[id];
        assert_eq!((&a.answer, &a.note), (&b.answer, &b.note), "{id}");
        assert_eq!(
            b.row,
            a.row + 1,
            "{id}: the XLSX has a title row above the header"
        );
    }
    assert_eq!(xlsx.port_rules, csv.port_rules);
}

#[test]
fn catalog_advisories_apply_to_the_model_below_the_fixed_version() {
    let mut a = wardwatch_assess::Assessment::new("acme-infusafe-300");
    a.add_sbom(CDX, &read(CDX)).unwrap();
    let mut m = a.matcher();
    let toml = r#"
        [[advisory]]
        cve = "CVE-2000-0001"
        models = ["acme-infusafe-300", "other-model"]
        cvss = "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
        known_exploited = true
        fixed = "3.3.0"

        [[advisory]]
        cve = "CVE-2000-0002"
        models = ["acme-infusafe-300"]
        fixed = "3.2.0"

        [[advisory]]
        cve = "CVE-2000-0003"
        models = ["other-model"]
    "#;
    m.add_advisories("models/advisories.toml", toml).unwrap();
    let r = a.finish(m.finish());
    assert_eq!(r.inputs.vulnerability_data.catalog_advisories, 2);
    assert_eq!(
        r.findings.len(),
        1,
        "3.2.1 is at or above the fix of CVE-2000-0002"
    );
    let f = &r.findings[0];
    assert_eq!(f.id, "CVE-2000-0001");
    assert_eq!(format!("{:?}", f.matched_by), "Model");
    assert_eq!(
        (f.component.name.as_str(), f.component.version.as_deref()),
        ("acme-infusafe-300", Some("3.2.1"))
    );
    assert_eq!(f.path, ["acme-infusafe-300"]);
    assert_eq!(
        f.exploited_evidence,
        ["catalog advisories: known_exploited"]
    );
    assert_eq!(f.fixed_versions, ["3.3.0"]);
    let s = f.score.as_ref().unwrap();
    assert_eq!(
        (s.reachability, s.value),
        (1.0, 18.8),
        "AV:A 8.8 + 10 exploited, network exposure unknown"
    );
}

#[test]
fn a_stated_score_that_disagrees_with_its_vector_is_reported() {
    let file = "fixtures/assess/vulns/csaf/acme-psa-2024-001.json";
    let text = String::from_utf8(read(file)).unwrap();
    assert!(text.contains("\"baseScore\": 7.0"));
    let altered = text.replace("\"baseScore\": 7.0", "\"baseScore\": 7.8");
    let mut a = wardwatch_assess::Assessment::new("acme-infusafe-300");
    a.add_sbom(CDX, &read(CDX)).unwrap();
    let mut m = a.matcher();
    m.add_file("altered.json", altered.as_bytes()).unwrap();
    let r = a.finish(m.finish());
    let kernel = r.findings.iter().find(|f| f.id == "CVE-2016-5195").unwrap();
    let cvss = kernel.cvss.as_ref().unwrap();
    assert_eq!(
        (
            cvss.base_score,
            cvss.stated_score,
            cvss.stated_score_mismatch
        ),
        (7.0, Some(7.8), true)
    );
    assert_eq!(
        r.warnings,
        [
            "altered.json: CVE-2016-5195: stated base score 7.8 disagrees with its vector \
          CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H (computed 7)"
        ]
    );
    assert!(render::table(&r).contains("cvss: stated 7.8 but the vector"));
}
