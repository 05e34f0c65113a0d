//! Helpers for end-to-end tests: locate (and build once) the `wardwatch` binary, run it, find
//! the repository's folders and the shared real captures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The repository root (the workspace folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// `../shared/data/pcaps` beside the repository, when present.
pub fn shared_pcaps() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/data/pcaps");
    dir.is_dir().then_some(dir)
}

/// Path of the `wardwatch` binary, built once per test process with the same profile as the tests.
pub fn wardwatch_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let release = cfg!(not(debug_assertions));
        let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        build.args(["build", "--quiet", "-p", "wardwatch", "--bin", "wardwatch"]);
        if release {
            build.arg("--release");
        }
        let status = build.current_dir(repo_root()).status().expect("cargo runs");
        assert!(status.success(), "building wardwatch failed");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join("target"));
        target
            .join(if release { "release" } else { "debug" })
            .join("wardwatch")
    })
}

/// Runs `wardwatch` with arguments and returns its output.
pub fn wardwatch(args: &[&str]) -> Output {
    Command::new(wardwatch_bin())
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("wardwatch starts")
}

/// Stdout of an output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr of an output as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[path = "support/alertmanager.rs"]
pub mod alertmanager;
#[path = "support/netns.rs"]
pub mod netns;
#[path = "support/pcapgen.rs"]
pub mod pcapgen;
#[path = "support/process.rs"]
pub mod process;
#[path = "support/prometheus.rs"]
pub mod prometheus;
#[path = "support/scene.rs"]
pub mod scene;
