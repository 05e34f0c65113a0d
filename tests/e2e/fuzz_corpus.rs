//! Corpus replay (the Zeek/Suricata CI pattern): every file of every `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` goes through the very body its cargo-fuzz target runs (the
//! harness in `fuzz/harness/` is included here, not copied), with zero panics. Also checks that
//! the targets, their binaries and their corpus folders match one to one, that the generated
//! seeds are committed unchanged, and that the seeds reach the parsers they are for.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use crate::fuzz_harness as harness;

#[path = "support/frames.rs"]
mod frames;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;
use wardwatch_e2e::repo_root;

fn fuzz_dir() -> PathBuf {
    repo_root().join("fuzz")
}

/// Files directly under `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Names of the sub-folders (or, with `ext`, the file stems) under `dir`.
fn names(dir: &Path, ext: Option<&str>) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| match ext {
            None => p.is_dir(),
            Some(ext) => p.extension().is_some_and(|e| e == ext),
        })
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn basic_frames() -> Vec<harness::seeds::Frame> {
    frames::read_frames(&repo_root().join("fixtures/flow/basic.pcap"), usize::MAX).unwrap()
}

#[test]
fn every_corpus_and_regression_file_replays_without_panic() {
    let started = Instant::now();
    let mut total = 0;
    for target in harness::TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(target.name));
        assert!(
            !corpus.is_empty(),
            "fuzz/corpus/{} has no seed",
            target.name
        );
        let regressions = files(&fuzz_dir().join("regressions").join(target.name));
        for path in corpus.iter().chain(&regressions) {
            let bytes = std::fs::read(path).unwrap();
            let outcome = std::panic::catch_unwind(|| (target.run)(&bytes));
            assert!(
                outcome.is_ok(),
                "{} panicked on {}",
                target.name,
                path.display()
            );
        }
        println!(
            "{:<16} {:>4} corpus + {:>3} regression files",
            target.name,
            corpus.len(),
            regressions.len()
        );
        total += corpus.len() + regressions.len();
    }
    println!("replayed {total} files in {:.1?}", started.elapsed());
}

#[test]
fn targets_binaries_and_corpus_folders_match() {
    let targets: BTreeSet<String> = harness::TARGETS.iter().map(|t| t.name.to_owned()).collect();
    assert_eq!(names(&fuzz_dir().join("fuzz_targets"), Some("rs")), targets);
    assert_eq!(names(&fuzz_dir().join("corpus"), None), targets);
    let regressions = names(&fuzz_dir().join("regressions"), None);
    assert!(
        regressions.is_subset(&targets),
        "regressions for unknown targets: {regressions:?}"
    );
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for t in &targets {
        assert!(
            manifest.contains(&format!("path = \"fuzz_targets/{t}.rs\"")),
            "{t} not in fuzz/Cargo.toml"
        );
    }
}

#[test]
fn generated_seeds_are_committed_unchanged() {
    let seeds = harness::seeds::generate(&basic_frames());
    assert!(seeds.len() > 60, "{} seeds", seeds.len());
    let mut stale = Vec::new();
    for (target, name, bytes) in &seeds {
        let path = fuzz_dir().join("corpus").join(target).join(name);
        if std::fs::read(&path).ok().as_ref() != Some(bytes) {
            stale.push(format!("{target}/{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "seeds differ from the generator (run `cargo run -p wardwatch-e2e --example fuzz_seeds -- write`): {stale:?}"
    );
}

#[test]
fn writer_is_the_inverse_of_reader() {
    use harness::input::{Reader, Writer};
    let bytes = Writer::new()
        .u8(7)
        .bool(true)
        .u16(0xbeef)
        .u32(0xdead_beef)
        .u64(u64::MAX - 3)
        .f64(-0.5)
        .bytes(b"frame")
        .pick(&[10, 20, 30], &30)
        .raw(b"rest")
        .finish();
    let mut r = Reader::new(&bytes);
    assert_eq!(r.u8(), 7);
    assert!(r.bool());
    assert_eq!(r.u16(), 0xbeef);
    assert_eq!(r.u32(), 0xdead_beef);
    assert_eq!(r.u64(), u64::MAX - 3);
    assert_eq!(r.f64(), -0.5);
    assert_eq!(r.bytes(), b"frame");
    assert_eq!(r.pick(&[10, 20, 30]), 30);
    assert_eq!(r.rest(), b"rest");
    // An exhausted input reads zeros and empty strings, never fails.
    let mut r = Reader::new(&[]);
    assert_eq!((r.u32(), r.bytes()), (0, &b""[..]));
}

#[test]
fn seeds_reach_the_parsers_they_are_for() {
    use harness::flow::{Op, pipeline_ops, pipeline_stats};
    let frames = basic_frames();
    let seeds = harness::seeds::generate(&frames);
    let seed = |target: &str, name: &str| {
        seeds
            .iter()
            .find(|(t, n, _)| *t == target && n == name)
            .map(|(_, _, b)| b.clone())
            .unwrap()
    };
    // The replayed capture arrives whole: every frame, in order, none pushed backwards.
    let basic = seed("pipeline", "seed-basic-default");
    let (_, _, ops) = pipeline_ops(&basic);
    assert_eq!(ops.len(), frames.len());
    assert!(matches!(ops[0], Op::Push { back: false, .. }));
    let stats = pipeline_stats(&basic);
    assert_eq!(stats.packets, frames.len() as u64);
    assert_eq!(stats.decode_errors.total(), 0);
    assert!(stats.flows.created > 20, "{:?}", stats.flows);
    assert!(stats.devices.established >= 5, "{:?}", stats.devices);
    assert!(stats.arp_packets > 0 && stats.l2_frames > 0);
    // The payload seeds (protocol samples from the flow crate's parser tests) give facts.
    let mut with_facts = Vec::new();
    for path in files(&fuzz_dir().join("corpus/inspect_payload")) {
        let bytes = std::fs::read(&path).unwrap();
        let ctx = harness::flow::payload_context(&bytes);
        let mut out = Vec::new();
        wardwatch_flow::identify::inspect_payload(&ctx, &mut out);
        if !out.is_empty() {
            with_facts.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(
        with_facts.len() >= 11,
        "payload seeds with facts: {with_facts:?}"
    );
    // The sealed model body decodes; the raw empty set too.
    let sealed = seed("model_set", "seed-pumps-sealed-body");
    assert!(wardwatch_baseline::ModelSet::decode(&harness::baseline::seal(&sealed[1..])).is_ok());
    let raw = seed("model_set", "seed-empty-raw");
    assert!(wardwatch_baseline::ModelSet::decode(&raw[1..]).is_ok());
    // The assess seeds are accepted by their parsers.
    let mut a = wardwatch_assess::Assessment::new("acme-infusafe-300");
    a.add_sbom("x", &seed("assess_sbom", "seed-spdx")).unwrap();
    a.set_mds2(
        "x",
        wardwatch_assess::Mds2Format::Xlsx,
        &seed("assess_mds2", "seed-xlsx")[1..],
    )
    .unwrap();
}
