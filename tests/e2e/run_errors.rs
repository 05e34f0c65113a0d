//! `wardwatch run` refusing to start: each error names the key or file, exits 2 (configuration)
//! or 1 (runtime), never panics.

use std::path::Path;
use wardwatch_e2e::pcapgen::write_ward_pcap;
use wardwatch_e2e::process::free_port;
use wardwatch_e2e::{repo_root, stderr, wardwatch};

fn listen() -> String {
    format!("127.0.0.1:{}", free_port())
}

fn assert_clean_failure(out: &std::process::Output, code: i32, expected: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_bad_config_names_the_file_and_key_and_exits_2() {
    let config = repo_root().join("fixtures/configs/invalid/alertmanager-not-url.toml");
    let out = wardwatch(&["run", "--config", config.to_str().unwrap()]);
    assert_clean_failure(
        &out,
        2,
        &format!(
            "wardwatch: error: config {}: alerts.alertmanager.urls[0]: not an http URL like http://127.0.0.1:9093 (got \"alertmanager:9093\")",
            config.display()
        ),
    );
}

#[test]
fn a_bad_flag_value_names_the_flag_and_exits_2() {
    let out = wardwatch(&["run", "--replay", "x.pcap", "--internal-net", "10.0.0.0/33"]);
    assert_clean_failure(
        &out,
        2,
        "configuration: pipeline.internal_networks[0] (from --internal-net): not a CIDR network",
    );
    let out = wardwatch(&["run"]);
    assert_clean_failure(
        &out,
        2,
        "capture: no packet source: set capture.interface (--interface) or capture.replay (--replay)",
    );
}

#[test]
fn a_missing_config_file_exits_2() {
    let out = wardwatch(&["run", "--config", "/nonexistent/wardwatch.toml"]);
    assert_clean_failure(
        &out,
        2,
        "config /nonexistent/wardwatch.toml: cannot read: No such file or directory",
    );
}

fn replay_with_models(models: &Path) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    write_ward_pcap(&pcap, 3);
    wardwatch(&[
        "run",
        "--replay",
        pcap.to_str().unwrap(),
        "--models",
        models.to_str().unwrap(),
        "--metrics-listen",
        &listen(),
    ])
}

#[test]
fn a_missing_model_directory_names_the_file_and_exits_1() {
    let out = replay_with_models(Path::new("/nonexistent/models"));
    assert_clean_failure(
        &out,
        1,
        "models.dir /nonexistent/models: cannot read /nonexistent/models/catalog.toml: No such file or directory",
    );
}

#[test]
fn a_corrupt_catalog_names_the_file_and_the_problem_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.toml");
    let shipped = std::fs::read_to_string(repo_root().join("models/catalog.toml")).unwrap();
    std::fs::write(&catalog, &shipped[..shipped.len() / 2]).unwrap();
    let out = replay_with_models(dir.path());
    assert_clean_failure(&out, 1, &format!("{}: catalog", catalog.display()));
    std::fs::write(&catalog, [0xde, 0xad, 0xbe, 0xef, 0x00, 0xff]).unwrap();
    let out = replay_with_models(dir.path());
    assert_clean_failure(&out, 1, "not UTF-8 text");
}

#[test]
fn an_unreadable_capture_file_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pcap");
    std::fs::write(&junk, b"definitely not a pcap").unwrap();
    let out = wardwatch(&[
        "run",
        "--replay",
        junk.to_str().unwrap(),
        "--metrics-listen",
        &listen(),
    ]);
    assert_clean_failure(
        &out,
        2,
        &format!("capture.replay {}: cannot open: ", junk.display()),
    );
}

#[test]
fn a_live_capture_as_root_without_the_configured_user_fails_closed() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to open a live capture");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("wardwatch.toml");
    std::fs::write(&config, "[privileges]\nuser = \"no-such-user-ww\"\n").unwrap();
    let out = wardwatch(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--interface",
        "lo",
        "--metrics-listen",
        &listen(),
    ]);
    assert_clean_failure(
        &out,
        1,
        "privileges.user \"no-such-user-ww\" does not exist: create it",
    );
}

#[test]
fn a_busy_metrics_port_is_named_and_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    write_ward_pcap(&pcap, 3);
    let out = wardwatch(&[
        "run",
        "--replay",
        pcap.to_str().unwrap(),
        "--metrics-listen",
        &addr,
    ]);
    assert_clean_failure(
        &out,
        1,
        &format!("metrics.listen {addr}: cannot listen: Address already in use"),
    );
}
