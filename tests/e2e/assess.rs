//! `wardwatch assess` run as a user would: the fixture pump's report in each format, the
//! `--write-profile` file, and exit code 2 naming the file for every kind of bad input.

use wardwatch_e2e::{repo_root, stderr, stdout, wardwatch};

const CDX: &str = "fixtures/assess/infusafe-300.cdx.json";
const SPDX: &str = "fixtures/assess/infusafe-300.spdx.json";
const MDS2_CSV: &str = "fixtures/assess/infusafe-300.mds2.csv";
const MDS2_XLSX: &str = "fixtures/assess/infusafe-300.mds2.xlsx";
const MUD: &str = "fixtures/assess/infusafe-300.mud.json";
const VULNS: &str = "fixtures/assess/vulns";

fn full(extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "assess",
        "--model",
        "acme-infusafe-300",
        "--sbom",
        CDX,
        "--mds2",
        MDS2_CSV,
        "--mud",
        MUD,
        "--vulns",
        VULNS,
    ];
    args.extend_from_slice(extra);
    wardwatch(&args)
}

#[test]
fn table_report_on_the_fixture_pump() {
    let out = full(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("risk score 42.9 / 100 (moderate)"), "{text}");
    for id in [
        "CVE-2022-37434",
        "CVE-2017-16544",
        "CVE-2018-0732",
        "CVE-2018-19052",
        "CVE-2018-25032",
        "CVE-2016-5195",
        "CVE-2019-1559",
        "CVE-2018-1000517",
    ] {
        assert!(text.contains(id), "{id} missing");
    }
    assert!(text.lines().all(|l| l.chars().count() <= 100));
}

#[test]
fn json_report_has_the_documented_keys_and_numbers() {
    let out = full(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["format"], 1);
    assert_eq!(v["model"], "acme-infusafe-300");
    assert_eq!(v["score"]["total"], 42.9);
    assert_eq!(v["score"]["rating"], "moderate");
    let parts: Vec<f64> = v["score"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["points"].as_f64().unwrap())
        .collect();
    assert_eq!(parts, [17.7, 8.6, 13.0, 2.5, 1.1]);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 8);
    assert_eq!(findings[0]["id"], "CVE-2022-37434");
    assert_eq!(findings[0]["cvss"]["base_score"], 9.8);
    let kernel = findings
        .iter()
        .find(|f| f["id"] == "CVE-2016-5195")
        .unwrap();
    assert_eq!(kernel["known_exploited"], true);
    assert_eq!(kernel["cvss"]["attack_vector"], "local");
}

#[test]
fn markdown_report_and_xlsx_form_give_the_same_score() {
    let out = wardwatch(&[
        "assess",
        "--model",
        "acme-infusafe-300",
        "--sbom",
        CDX,
        "--mds2",
        MDS2_XLSX,
        "--mud",
        MUD,
        "--vulns",
        VULNS,
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("# Security risk assessment: acme-infusafe-300\n"));
    assert!(text.contains("**Risk score: 42.9 / 100 (moderate)**"));
}

#[test]
fn write_profile_writes_the_declared_allow_list_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("acme-infusafe-300.profile.json");
    let target_arg = target.to_str().unwrap();
    let out = full(&["--write-profile", target_arg]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let first = std::fs::read(&target).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(v["format"], 1);
    assert_eq!(v["model"], "acme-infusafe-300");
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 6);
    let dns: Vec<&str> = rules
        .iter()
        .filter_map(|r| r["dns_name"].as_str())
        .collect();
    assert_eq!(dns, ["updates.acme-medical.example"]);
    assert!(rules.iter().any(|r| r["direction"] == "to-device"
        && r["transport"] == "tcp"
        && r["ports"]["first"] == 22
        && r["source"] == "mds2:CONN-2"));
    let sources: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["mds2", "mud"]);
    // Written again: byte-identical, and no temporary file left beside it.
    let out = full(&["--write-profile", target_arg, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read(&target).unwrap(), first);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["acme-infusafe-300.profile.json"]);
}

#[test]
fn write_profile_without_a_declaration_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("p.json");
    let out = wardwatch(&[
        "assess",
        "--model",
        "m",
        "--sbom",
        SPDX,
        "--write-profile",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--write-profile needs a declared profile"),
        "{}",
        stderr(&out)
    );
    assert!(!target.exists());
}

/// Each malformed input: exit 2, and stderr names the file and the field.
#[test]
fn malformed_inputs_exit_2_naming_file_and_field() {
    let m = "fixtures/assess/malformed";
    let cases: [(Vec<String>, &str, &str); 6] = [
        (
            vec!["--sbom".into(), format!("{m}/sbom-version-number.cdx.json")],
            "sbom-version-number.cdx.json",
            "field `components[2].version`",
        ),
        (
            vec!["--mds2".into(), format!("{m}/mds2-no-header.csv")],
            "mds2-no-header.csv",
            "field `(header)`",
        ),
        (
            vec!["--mud".into(), format!("{m}/mud-undefined-acl.json")],
            "mud-undefined-acl.json",
            "field `ietf-mud:mud.to-device-policy.access-lists.access-list[0].name`",
        ),
        (
            vec!["--vulns".into(), format!("{m}/vulns-osv")],
            "vulns-osv/CVE-2018-25032.json",
            "field `affected[0].ranges[0].events[1]`",
        ),
        (
            vec!["--vulns".into(), format!("{m}/vulns-csaf")],
            "vulns-csaf/acme-psa-2024-001.json",
            "field `vulnerabilities[2].product_status.known_affected[0]`",
        ),
        (
            vec![
                "--sbom".into(),
                CDX.into(),
                "--advisories".into(),
                format!("{m}/advisories-bad-cve.toml"),
            ],
            "advisories-bad-cve.toml",
            "field `advisory[1].cve`",
        ),
    ];
    for (extra, file, field) in cases {
        let mut args = vec!["assess", "--model", "acme-infusafe-300"];
        args.extend(extra.iter().map(String::as_str));
        let out = wardwatch(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(file) && err.contains(field), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let out = wardwatch(&[
        "assess",
        "--model",
        "m",
        "--sbom",
        "fixtures/assess/no-such.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("fixtures/assess/no-such.json: cannot open"),
        "{}",
        stderr(&out)
    );
    let out = wardwatch(&["assess", "--sbom", CDX]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--model"));
    let out = wardwatch(&["assess", "--model", "m"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing to assess"));
    let out = wardwatch(&["assess", "--model", "m", "--vulns", CDX]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a folder"));
    let out = wardwatch(&["assess", "--model", "m", "--sbom", CDX, "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn report_is_reproducible() {
    let a = full(&["--format", "json"]);
    let b = full(&["--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    assert!(repo_root().join(VULNS).is_dir());
}
