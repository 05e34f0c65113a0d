//! Shared helpers: run the assessment on the fixtures in `fixtures/assess/`.

// Test support: reads fixture files and fails loudly.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use std::path::{Path, PathBuf};
use wardwatch_assess::{Assessment, Mds2Format, Report};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Bytes of a repository file.
pub fn read(label: &str) -> Vec<u8> {
    std::fs::read(root().join(label)).unwrap_or_else(|e| panic!("{label}: {e}"))
}

/// The `.json` files under a repository folder, sorted, as repository-relative labels.
pub fn json_files(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root().join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let rel = path
                    .strip_prefix(root())
                    .unwrap()
                    .to_string_lossy()
                    .replace("/../..", "");
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

/// What to feed one assessment.
pub struct Run<'a> {
    pub sboms: &'a [&'a str],
    pub mds2: Option<&'a str>,
    pub mud: Option<&'a str>,
    pub vulns: Option<&'a str>,
}

pub const CDX: &str = "fixtures/assess/infusafe-300.cdx.json";
pub const SPDX: &str = "fixtures/assess/infusafe-300.spdx.json";
pub const MDS2: &str = "fixtures/assess/infusafe-300.mds2.csv";
pub const MUD: &str = "fixtures/assess/infusafe-300.mud.json";
pub const VULNS: &str = "fixtures/assess/vulns";

/// Runs an assessment of the fictitious pump.
pub fn assess(run: Run<'_>) -> Report {
    let mut a = Assessment::new("acme-infusafe-300");
    for s in run.sboms {
        a.add_sbom(s, &read(s)).unwrap();
    }
    if let Some(f) = run.mds2 {
        a.set_mds2(f, Mds2Format::Csv, &read(f)).unwrap();
    }
    if let Some(f) = run.mud {
        a.set_mud(f, &read(f)).unwrap();
    }
    let mut m = a.matcher();
    if let Some(dir) = run.vulns {
        for file in json_files(dir) {
            m.add_file(&file, &read(&file)).unwrap();
        }
    }
    a.finish(m.finish())
}

/// The full fixture run: CycloneDX SBOM, MDS2 form, MUD file, all vulnerability data.
pub fn full() -> Report {
    assess(Run {
        sboms: &[CDX],
        mds2: Some(MDS2),
        mud: Some(MUD),
        vulns: Some(VULNS),
    })
}
