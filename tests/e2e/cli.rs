use wardwatch_e2e::{stderr, stdout, wardwatch};

#[test]
fn version_names_the_package_version() {
    let out = wardwatch(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out).trim(),
        format!("wardwatch {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_describes_the_sensor() {
    let out = wardwatch(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("Passive network sensor for hospital wards"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_code_2() {
    let out = wardwatch(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-such-flag"), "{}", stderr(&out));
}

#[test]
fn the_shipped_models_are_found_from_any_working_directory() {
    // The binary lives in the source tree's target/<profile>/: the default `models` directory is
    // found beside it when the working directory has none.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(wardwatch_e2e::wardwatch_bin())
        .args(["models", "list"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("normal.pcap"), "{}", stdout(&out));
}
