//! Property tests: arbitrary bytes, and valid fixtures with bytes replaced or cut off, never make a
//! parser panic; they parse or give an error.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use proptest::prelude::*;
use wardwatch_assess::mds2::{Mds2Format, parse as parse_mds2};
use wardwatch_assess::{Assessment, mud, sbom};

fn all_parsers(bytes: &[u8]) {
    let _ = sbom::parse("f", bytes);
    let _ = parse_mds2("f", Mds2Format::Csv, bytes);
    let _ = parse_mds2("f", Mds2Format::Xlsx, bytes);
    let _ = mud::parse("f", bytes);
    let mut m = Assessment::new("m").matcher();
    let _ = m.add_file("f.json", bytes);
    let _ = m.add_file("known_exploited_vulnerabilities.json", bytes);
    let _ = m.add_advisories("f.toml", &String::from_utf8_lossy(bytes));
    let _ = m.finish();
}

const FIXTURES: [&str; 10] = [
    CDX,
    SPDX,
    MDS2,
    MUD,
    "fixtures/assess/infusafe-300.mds2.xlsx",
    "fixtures/assess/vulns/osv/CVE-2018-0732.json",
    "fixtures/assess/vulns/osv/CVE-2022-37434.json",
    "fixtures/assess/vulns/csaf/acme-psa-2024-001.json",
    "fixtures/assess/vulns/known_exploited_vulnerabilities.json",
    "fixtures/assess/malformed/advisories-bad-cve.toml",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        all_parsers(&bytes);
    }

    #[test]
    fn json_shaped_noise_never_panics(text in r#"[\[\]{}":,0-9a-z\-. ]{0,400}"#) {
        all_parsers(text.as_bytes());
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = read(FIXTURES[which]);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        all_parsers(&bytes);
        let end = cut.index(bytes.len());
        all_parsers(&bytes[..end]);
    }
}

#[test]
fn every_truncation_of_the_mud_and_osv_fixtures_is_handled() {
    for file in [MUD, "fixtures/assess/vulns/osv/CVE-2018-25032.json"] {
        let bytes = read(file);
        for end in 0..bytes.len() {
            all_parsers(&bytes[..end]);
        }
    }
}
