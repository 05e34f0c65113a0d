//! SIGHUP: a good configuration and model set are switched to; a bad one is refused, counted,
//! logged, and the sensor keeps running on the old one.

use nix::sys::signal::Signal;
use std::time::Duration;
use wardwatch_e2e::pcapgen::write_ward_pcap;
use wardwatch_e2e::process::{Daemon, sample};
use wardwatch_e2e::repo_root;

#[test]
fn sighup_reloads_good_config_and_refuses_bad_config_and_models() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("ward.pcap");
    write_ward_pcap(&pcap, 10);
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let catalog = std::fs::read_to_string(repo_root().join("models/catalog.toml")).unwrap();
    std::fs::write(models.join("catalog.toml"), &catalog).unwrap();
    std::fs::copy(repo_root().join("models/oui.tsv"), models.join("oui.tsv")).unwrap();
    let config = dir.path().join("wardwatch.toml");
    let alerts = dir.path().join("alerts.jsonl");
    let good = format!(
        "[models]\ndir = {:?}\n[alerts]\nfile = {:?}\n",
        models.display().to_string(),
        alerts.display().to_string()
    );
    std::fs::write(&config, &good).unwrap();
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--replay",
            pcap.to_str().unwrap(),
            "--keep-running",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    let before = daemon.scrape();
    let version = before
        .lines()
        .find_map(|l| l.strip_prefix("wardwatch_model_set_info{version=\""))
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    // 1. A good change: fewer models → a new model-set version.
    let shorter = catalog
        .split("\n[[model]]")
        .take(3)
        .collect::<Vec<_>>()
        .join("\n[[model]]");
    std::fs::write(models.join("catalog.toml"), &shorter).unwrap();
    daemon.process.signal(Signal::SIGHUP);
    let body = daemon.wait_for_sample(
        r#"wardwatch_reloads_total{result="success"}"#,
        1.0,
        Duration::from_secs(10),
    );
    assert_eq!(
        sample(&body, "wardwatch_model_set_models"),
        Some(2.0),
        "{body}"
    );
    assert!(
        !body.contains(&format!("version=\"{version}\"")),
        "the old version's series is gone"
    );

    // 2. A bad configuration: refused, old one kept.
    std::fs::write(&config, "[metrics]\nmax_in_flight = 0\n").unwrap();
    daemon.process.signal(Signal::SIGHUP);
    daemon.wait_for_sample(
        r#"wardwatch_reloads_total{result="failure"}"#,
        1.0,
        Duration::from_secs(10),
    );
    assert!(
        daemon
            .log()
            .contains("metrics.max_in_flight: must be between 1 and 10000 (got 0)"),
        "{}",
        daemon.log()
    );

    // 3. A damaged model set: refused, the two-model set stays.
    std::fs::write(&config, &good).unwrap();
    std::fs::write(
        models.join("catalog.toml"),
        "format = 1\n[[model]]\nid = 42\n",
    )
    .unwrap();
    daemon.process.signal(Signal::SIGHUP);
    let body = daemon.wait_for_sample(
        r#"wardwatch_reloads_total{result="failure"}"#,
        2.0,
        Duration::from_secs(10),
    );
    assert_eq!(sample(&body, "wardwatch_model_set_models"), Some(2.0));
    assert!(
        daemon
            .log()
            .contains("reload refused; still running on the previous configuration and models")
    );
    assert!(
        daemon
            .log()
            .contains(&format!("{}", models.join("catalog.toml").display()))
    );

    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0), "{}", daemon.log());
}
