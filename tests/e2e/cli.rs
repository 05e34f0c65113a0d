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
