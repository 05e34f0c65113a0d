//! Writes the fuzz seed corpora.
//!
//! - `cargo run -p wardwatch-e2e --example fuzz_seeds -- write` rewrites the generated seeds
//!   under `fuzz/corpus/<target>/seed-*` (from `fixtures/flow/basic.pcap`, `models/` and
//!   `fixtures/assess/`); `tests/e2e/fuzz_corpus.rs` fails when they are stale.
//! - `... -- capture OUT_DIR FILE...` writes seeds made from real captures (pcap or pcapng)
//!   into `OUT_DIR/<target>/` for the frame-fed targets; `scripts/fuzz.sh` uses it at fuzz time
//!   for `../shared/data/pcaps`, whose files are never copied into the repository.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "developer tool"
)]

#[allow(dead_code, reason = "the seed generator uses a part of the harness")]
#[path = "../../fuzz/harness/mod.rs"]
mod harness;

#[path = "../e2e/support/frames.rs"]
mod frames;

use std::path::{Path, PathBuf};

/// Frames taken from each real capture.
const CAPTURE_FRAMES: usize = 4_000;
/// Targets fed by frames.
const FRAME_TARGETS: &[&str] = &[
    "decode",
    "pipeline",
    "snapshot",
    "inspect_payload",
    "inspect_frame",
];

fn write(dir: &Path, seeds: &[harness::seeds::Seed], prefix: &str) -> usize {
    for (target, name, bytes) in seeds {
        let folder = dir.join(target);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{prefix}{name}")), bytes).unwrap();
    }
    seeds.len()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") => {
            let frames =
                frames::read_frames(&root.join("fixtures/flow/basic.pcap"), usize::MAX).unwrap();
            let seeds = harness::seeds::generate(&frames);
            let n = write(&root.join("fuzz/corpus"), &seeds, "");
            println!("wrote {n} seeds under fuzz/corpus/");
        }
        Some("capture") if args.len() >= 3 => {
            let out = PathBuf::from(&args[1]);
            let mut n = 0;
            for file in &args[2..] {
                let path = Path::new(file);
                let frames = match frames::read_frames(path, CAPTURE_FRAMES) {
                    Ok(f) if !f.is_empty() => f,
                    Ok(_) => continue,
                    Err(e) => {
                        eprintln!("skipped: {e}");
                        continue;
                    }
                };
                let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                let seeds: Vec<_> = harness::seeds::generate(&frames)
                    .into_iter()
                    .filter(|(t, _, _)| FRAME_TARGETS.contains(t))
                    .collect();
                n += write(&out, &seeds, &format!("capture-{stem}-"));
            }
            println!("wrote {n} capture seeds under {}", out.display());
        }
        _ => {
            eprintln!("usage: fuzz_seeds write | fuzz_seeds capture OUT_DIR FILE...");
            std::process::exit(2);
        }
    }
}
