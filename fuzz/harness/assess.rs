//! Targets of the assess crate: every input file through its public entry point
//! (`Assessment::add_sbom`, `set_mds2`, `set_mud`, `Matcher::add_file`, `add_advisories`), then
//! the whole report (scoring and all three renderers) over the fixture pump's other files, so a
//! value that parses but breaks scoring is found too.

use wardwatch_assess::{Assessment, Matcher, Mds2Format, Report, render};

/// The fixture pump's files (`fixtures/assess/`), compiled in.
pub const CDX: &[u8] = include_bytes!("../../fixtures/assess/infusafe-300.cdx.json");
/// SPDX SBOM of the fixture pump.
pub const SPDX: &[u8] = include_bytes!("../../fixtures/assess/infusafe-300.spdx.json");
/// MDS2 form (CSV) of the fixture pump.
pub const MDS2_CSV: &[u8] = include_bytes!("../../fixtures/assess/infusafe-300.mds2.csv");
/// MDS2 form (XLSX) of the fixture pump.
pub const MDS2_XLSX: &[u8] = include_bytes!("../../fixtures/assess/infusafe-300.mds2.xlsx");
/// MUD file of the fixture pump.
pub const MUD: &[u8] = include_bytes!("../../fixtures/assess/infusafe-300.mud.json");
/// The fixture vulnerability data: (file name, bytes).
pub const VULNS: &[(&str, &[u8])] = &[
    (
        "known_exploited_vulnerabilities.json",
        include_bytes!("../../fixtures/assess/vulns/known_exploited_vulnerabilities.json"),
    ),
    (
        "csaf/acme-psa-2024-001.json",
        include_bytes!("../../fixtures/assess/vulns/csaf/acme-psa-2024-001.json"),
    ),
    (
        "osv/CVE-2018-0732.json",
        include_bytes!("../../fixtures/assess/vulns/osv/CVE-2018-0732.json"),
    ),
    (
        "osv/CVE-2018-25032.json",
        include_bytes!("../../fixtures/assess/vulns/osv/CVE-2018-25032.json"),
    ),
    (
        "osv/CVE-2019-1559.json",
        include_bytes!("../../fixtures/assess/vulns/osv/CVE-2019-1559.json"),
    ),
    (
        "osv/CVE-2022-37434.json",
        include_bytes!("../../fixtures/assess/vulns/osv/CVE-2022-37434.json"),
    ),
];
/// The KEV list's file name (the matcher recognises it by name).
pub const KEV_FILE: &str = "known_exploited_vulnerabilities.json";

const MODEL: &str = "acme-infusafe-300";

fn fixture_vulns(m: &mut Matcher) {
    for (file, bytes) in VULNS {
        m.add_file(file, bytes)
            .expect("fixture vulnerability data reads");
    }
}

/// Finishes and renders a report: every renderer, and the JSON parses back.
fn render_all(report: &Report) {
    let json = render::json(report);
    serde_json::from_str::<serde_json::Value>(&json).expect("report JSON parses");
    let _ = render::table(report);
    let _ = render::markdown(report);
}

/// An SBOM (CycloneDX or SPDX, told apart by content) beside the fixture MDS2 and MUD, matched
/// against the fixture vulnerability data.
pub fn sbom(data: &[u8]) {
    let mut a = Assessment::new(MODEL);
    if a.add_sbom("input.json", data).is_err() {
        return;
    }
    a.set_mud("pump.mud.json", MUD).expect("fixture MUD");
    let mut m = a.matcher();
    fixture_vulns(&mut m);
    render_all(&a.finish(m.finish()));
}

/// An MDS2 form: the first byte picks CSV or XLSX (the workbook's size is checked before it is
/// inflated).
pub fn mds2(data: &[u8]) {
    let (choice, rest) = data.split_first().map_or((0, data), |(c, r)| (*c, r));
    let format = if choice & 1 == 1 {
        Mds2Format::Xlsx
    } else {
        Mds2Format::Csv
    };
    let mut a = Assessment::new(MODEL);
    if a.set_mds2("input", format, rest).is_err() {
        return;
    }
    a.add_sbom("pump.cdx.json", CDX).expect("fixture SBOM");
    let _ = a.expected_profile().map(|p| p.to_json());
    let mut m = a.matcher();
    fixture_vulns(&mut m);
    render_all(&a.finish(m.finish()));
}

/// A MUD file: its expected profile is built and serialised, and the report rendered.
pub fn mud(data: &[u8]) {
    let mut a = Assessment::new(MODEL);
    if a.set_mud("input.json", data).is_err() {
        return;
    }
    if let Some(profile) = a.expected_profile() {
        let json = profile.to_json();
        serde_json::from_str::<serde_json::Value>(&json).expect("profile JSON parses");
    }
    a.add_sbom("pump.cdx.json", CDX).expect("fixture SBOM");
    let m = a.matcher();
    render_all(&a.finish(m.finish()));
}

/// Vulnerability data: the first byte picks the KEV list (by file name), an OSV/CSAF record (by
/// content) or the catalog's advisories (TOML), matched against the fixture pump's SBOMs.
pub fn vuln(data: &[u8]) {
    let (choice, rest) = data.split_first().map_or((0, data), |(c, r)| (*c, r));
    let mut a = Assessment::new(MODEL);
    a.add_sbom("pump.cdx.json", CDX).expect("fixture SBOM");
    a.add_sbom("pump.spdx.json", SPDX).expect("fixture SBOM");
    let mut m = a.matcher();
    let ok = match choice % 3 {
        0 => m.add_file("input.json", rest).is_ok(),
        1 => m.add_file(KEV_FILE, rest).is_ok(),
        _ => m
            .add_advisories("advisories.toml", &String::from_utf8_lossy(rest))
            .is_ok(),
    };
    if !ok {
        return;
    }
    render_all(&a.finish(m.finish()));
}
