//! Malformed inputs: each format's reader refuses them with an error that names the file and the
//! field, never a panic.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use wardwatch_assess::mds2::Mds2Format;
use wardwatch_assess::{Assessment, InputKind};

#[test]
fn sbom_with_a_number_for_a_version() {
    let file = "fixtures/assess/malformed/sbom-version-number.cdx.json";
    let e = Assessment::new("m")
        .add_sbom(file, &read(file))
        .unwrap_err();
    assert_eq!(
        (e.kind, e.file.as_str(), e.field.as_str()),
        (InputKind::Sbom, file, "components[2].version")
    );
    assert_eq!(
        e.to_string(),
        "SBOM fixtures/assess/malformed/sbom-version-number.cdx.json: field `components[2].version`: \
         unexpected content: invalid type: integer `102`, expected a string at line 54 column 20"
    );
}

#[test]
fn mds2_without_a_header_row() {
    let file = "fixtures/assess/malformed/mds2-no-header.csv";
    let e = Assessment::new("m")
        .set_mds2(file, Mds2Format::Csv, &read(file))
        .unwrap_err();
    assert_eq!((e.kind, e.field.as_str()), (InputKind::Mds2, "(header)"));
    assert!(
        e.to_string().starts_with(
            "MDS2 form fixtures/assess/malformed/mds2-no-header.csv: field `(header)`"
        )
    );
}

#[test]
fn mud_naming_an_undefined_acl() {
    let file = "fixtures/assess/malformed/mud-undefined-acl.json";
    let e = Assessment::new("m").set_mud(file, &read(file)).unwrap_err();
    assert_eq!(e.kind, InputKind::Mud);
    assert_eq!(
        e.field,
        "ietf-mud:mud.to-device-policy.access-lists.access-list[0].name"
    );
    assert_eq!(
        e.message,
        "names ACL \"mud-infusafe-v4to-missing\", which ietf-access-control-list:acls.acl does not define"
    );
}

#[test]
fn osv_event_with_two_keys() {
    let file = "fixtures/assess/malformed/vulns-osv/CVE-2018-25032.json";
    let e = Assessment::new("m")
        .matcher()
        .add_file(file, &read(file))
        .unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_str()),
        (InputKind::Osv, "affected[0].ranges[0].events[1]")
    );
    assert_eq!(
        e.message,
        "needs exactly one of introduced, fixed, last_affected, limit"
    );
}

#[test]
fn csaf_status_naming_an_undefined_product() {
    let file = "fixtures/assess/malformed/vulns-csaf/acme-psa-2024-001.json";
    let e = Assessment::new("m")
        .matcher()
        .add_file(file, &read(file))
        .unwrap_err();
    assert_eq!(e.kind, InputKind::Csaf);
    assert_eq!(
        e.field,
        "vulnerabilities[2].product_status.known_affected[0]"
    );
    assert_eq!(
        e.message,
        "product id \"CSAFPID-9999\" is not defined in product_tree"
    );
}

#[test]
fn kev_list_that_is_not_one() {
    let e = Assessment::new("m")
        .matcher()
        .add_file(
            "vulns/known_exploited_vulnerabilities.json",
            br#"{"vulnerabilities": {"cveID": 1}}"#,
        )
        .unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_str()),
        (InputKind::Kev, "vulnerabilities")
    );
}

#[test]
fn advisories_with_a_bad_cve_id() {
    let file = "fixtures/assess/malformed/advisories-bad-cve.toml";
    let text = String::from_utf8(read(file)).unwrap();
    let e = Assessment::new("acme-infusafe-300")
        .matcher()
        .add_advisories(file, &text)
        .unwrap_err();
    assert_eq!(
        (e.kind, e.field.as_str()),
        (InputKind::Advisories, "advisory[1].cve")
    );
}

#[test]
fn non_json_vulnerability_file_and_foreign_json() {
    let mut m = Assessment::new("m").matcher();
    let e = m.add_file("vulns/notes.json", b"# not json").unwrap_err();
    assert_eq!(e.kind, InputKind::VulnerabilityData);
    assert!(e.message.starts_with("not valid JSON"), "{}", e.message);
    let kind = m
        .add_file("vulns/provider-metadata.json", br#"{"canonical_url": "x"}"#)
        .unwrap();
    assert_eq!(format!("{kind:?}"), "Skipped");
    assert_eq!(
        m.finish().stats.skipped_files,
        ["vulns/provider-metadata.json"]
    );
}
