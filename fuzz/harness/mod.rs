//! The bodies of wardwatch's fuzz targets, shared by the cargo-fuzz binaries in
//! `fuzz/fuzz_targets/` and by the corpus replay in `tests/e2e/fuzz_corpus.rs`, so the two
//! cannot drift: the replay includes this very file with `#[path]`.
//!
//! Every body takes the raw fuzz input and drives one parser (or the whole pipeline) the way
//! the sensor does, then checks the invariants the crates promise (caps hold, accounting is
//! exact, round trips are lossless). A panic anywhere is a finding.
//!
//! Structured inputs (ports, link types, packet boundaries, timestamps) are read with
//! `arbitrary::Unstructured` through [`input::Reader`]; [`input::Writer`] writes the same
//! layout, which is how the seed corpora in `fuzz/corpus/` are built ([`seeds`]).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "fuzz harness: a broken invariant must abort loudly"
)]

pub mod assess;
pub mod baseline;
pub mod flow;
pub mod input;
pub mod reference;
pub mod seeds;

/// One fuzz target: its name (the binary in `fuzz/fuzz_targets/<name>.rs` and the corpus
/// directory `fuzz/corpus/<name>/`) and its body.
#[derive(Clone, Copy)]
pub struct Target {
    /// Target name.
    pub name: &'static str,
    /// The body: fuzz input in, panic on a finding.
    pub run: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "decode",
        run: flow::decode,
    },
    Target {
        name: "pipeline",
        run: flow::pipeline,
    },
    Target {
        name: "snapshot",
        run: flow::snapshot,
    },
    Target {
        name: "inspect_payload",
        run: flow::inspect_payload,
    },
    Target {
        name: "inspect_frame",
        run: flow::inspect_frame,
    },
    Target {
        name: "dhcp",
        run: flow::dhcp,
    },
    Target {
        name: "catalog",
        run: flow::catalog,
    },
    Target {
        name: "advisory",
        run: flow::advisory,
    },
    Target {
        name: "oui",
        run: flow::oui,
    },
    Target {
        name: "config",
        run: flow::config,
    },
    Target {
        name: "model_set",
        run: baseline::model_set,
    },
    Target {
        name: "allowlist",
        run: baseline::allowlist,
    },
    Target {
        name: "detector",
        run: baseline::detector,
    },
    Target {
        name: "assess_sbom",
        run: assess::sbom,
    },
    Target {
        name: "assess_mds2",
        run: assess::mds2,
    },
    Target {
        name: "assess_mud",
        run: assess::mud,
    },
    Target {
        name: "assess_vuln",
        run: assess::vuln,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().copied().find(|t| t.name == name)
}
