//! `wardwatch retrain` and `wardwatch models` on a fleet of four infusion pumps (identified from
//! their catalog DHCP identity) built in the test: a validated version is written and activated,
//! listed, shown, exported as MUD (read back by `wardwatch assess`), loaded by `wardwatch run`,
//! rolled back; a feature log trains the same profiles as its capture; a damaged profile file
//! stops the sensor naming the file; a retrain killed at any moment leaves the store usable.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wardwatch_e2e::process::{Daemon, ProcessGuard, sample};
use wardwatch_e2e::scene::{Host, Scene, at, catalog_identity};
use wardwatch_e2e::{repo_root, stderr, stdout, wardwatch, wardwatch_bin};

const MODEL: &str = "bd-alaris-pcu-8015";

/// `pumps` pumps (DHCP renewals at the start: boot-time broadcasts of several clients within a
/// minute share one flow, and the flow pipeline identifies only the first) talking to their gateway on 8443 every 20 s and to DNS every
/// 60 s for `minutes` minutes; `variant` changes the byte counts.
pub fn pump_fleet(path: &Path, pumps: u32, minutes: u32, variant: usize) {
    let dns = Host::ward(0, 3);
    let gateway = Host::ward(0, 20);
    let mut s = Scene::new();
    for p in 0..pumps {
        let (mac, identity) = catalog_identity(MODEL, 4700 + p);
        let pump = Host::via(mac, [10, 20, 2, 50 + p as u8]);
        let offset = f64::from(p) * 0.37;
        s.dhcp_renew(at(offset), pump, dns, &identity);
        for step in 0..minutes * 3 {
            let t = 1.0 + offset + f64::from(step) * 20.0;
            let bytes = 200 + ((step as usize * 37 + p as usize * 11 + variant * 53) % 400);
            s.tcp_session(
                at(t),
                pump,
                gateway,
                (40_000 + (step % 20_000) as u16, 8443),
                bytes,
            );
            if step % 3 == 0 {
                let port = 50_000 + (step % 10_000) as u16;
                s.udp(at(t + 0.5), pump, dns, (port, 53), b"query");
                s.udp(at(t + 0.501), dns, pump, (53, port), b"answer");
            }
        }
    }
    s.write(path);
}

fn retrain(args: &[&str]) -> std::process::Output {
    let mut all = vec!["retrain"];
    all.extend_from_slice(args);
    wardwatch(&all)
}

fn active(store: &Path) -> String {
    std::fs::read_to_string(store.join("ACTIVE"))
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn retrain_writes_a_validated_version_that_models_and_run_use() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.pcap"), dir.path().join("b.pcap"));
    pump_fleet(&a, 4, 50, 0);
    pump_fleet(&b, 4, 50, 1);
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();

    let out = retrain(&[a.to_str().unwrap(), "--out", s, "--activate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let row = text
        .lines()
        .find(|l| l.starts_with(&format!("model {MODEL}")))
        .unwrap_or_else(|| panic!("no fleet profile:\n{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[2], "4", "four pumps: {row}");
    assert!(
        text.contains("thresholds: no previous active version"),
        "{text}"
    );
    let first = active(&store);
    assert!(
        text.contains(&format!("wrote version {first} to {s} (active)")),
        "{text}"
    );

    let list = stdout(&wardwatch(&["models", "list", "--store", s]));
    assert!(
        list.lines()
            .any(|l| l.starts_with('*') && l.contains(&first) && l.contains("a.pcap")),
        "{list}"
    );
    let show = wardwatch(&["models", "show", MODEL, "--store", s]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    let shown = stdout(&show);
    assert!(
        shown.lines().any(|l| l.starts_with("outbound")
            && l.contains("tcp")
            && l.contains("8443")
            && l.ends_with("yes")),
        "{shown}"
    );
    assert!(shown.contains("devices:      4"), "{shown}");

    // The learnt profile as MUD, read back by the real assess command.
    let mud = dir.path().join("pcu.mud.json");
    let export = wardwatch(&[
        "models",
        "export-mud",
        MODEL,
        "--store",
        s,
        "--out",
        mud.to_str().unwrap(),
    ]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    let assess = wardwatch(&[
        "assess",
        "--model",
        MODEL,
        "--mud",
        mud.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(assess.status.code(), Some(0), "{}", stderr(&assess));
    let report: serde_json::Value = serde_json::from_str(&stdout(&assess)).unwrap();
    let rules = report["expected_profile"]["rules"].as_array().unwrap();
    assert!(
        rules.iter().any(|r| r["direction"] == "from-device"
            && r["transport"] == "tcp"
            && r["ports"]["first"] == 8443),
        "{rules:#?}"
    );

    // The sensor loads the active version: maturity and training time in the metrics.
    let config = dir.path().join("w.toml");
    std::fs::write(
        &config,
        format!("[models]\nstore = {s:?}\n[alerts]\nfile = \"\"\n"),
    )
    .unwrap();
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--replay",
            a.to_str().unwrap(),
            "--keep-running",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    let body = daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(60));
    assert!(
        daemon.log().contains(&format!("version={first}")),
        "{}",
        daemon.log()
    );
    let maturity = sample(
        &body,
        &format!("wardwatch_baseline_maturity_ratio{{model=\"{MODEL}\"}}"),
    );
    assert!(maturity.is_some_and(|m| m > 0.0 && m < 1.0), "{body}");
    assert!(
        body.contains("wardwatch_model_set_trained_timestamp_seconds{"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "wardwatch_window_anomaly_score_count{{model=\"{MODEL}\"}}"
        )),
        "{body}"
    );
    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0));

    // A second version, a diff against the first, and a rollback.
    let out = retrain(&[
        b.to_str().unwrap(),
        "--out",
        s,
        "--activate",
        "--holdout",
        "0.25",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let second = active(&store);
    assert_ne!(first, second);
    let text = stdout(&out);
    assert!(
        text.contains("previous threshold") || text.contains("thresholds: no change"),
        "{text}"
    );
    let back = wardwatch(&["models", "rollback", "--store", s]);
    assert_eq!(back.status.code(), Some(0), "{}", stderr(&back));
    assert_eq!(
        stdout(&back),
        format!(
            "rolled back from {second} to {first} in {s} (running sensors pick it up at SIGHUP)\n"
        )
    );
    assert_eq!(active(&store), first);
}

#[test]
fn a_feature_log_trains_the_same_profiles_as_its_capture() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("fleet.pcap");
    pump_fleet(&pcap, 3, 40, 2);
    let log = dir.path().join("fleet.features.jsonl");
    let mut run = Daemon::start(
        dir.path(),
        &[
            "--replay",
            pcap.to_str().unwrap(),
            "--alerts",
            "",
            "--features-out",
            log.to_str().unwrap(),
        ],
    );
    assert_eq!(
        run.process
            .wait_for(Duration::from_secs(60))
            .and_then(|s| s.code()),
        Some(0),
        "{}",
        run.log()
    );
    let mut versions = Vec::new();
    for (input, store) in [(&pcap, "from-capture"), (&log, "from-log")] {
        let store = dir.path().join(store);
        let out = retrain(&[
            input.to_str().unwrap(),
            "--out",
            store.to_str().unwrap(),
            "--activate",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let version = active(&store);
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(store.join(&version).join("manifest.json")).unwrap(),
        )
        .unwrap();
        versions.push((
            std::fs::read(store.join(&version).join("profiles.wwm")).unwrap(),
            manifest,
        ));
    }
    assert_eq!(versions[0].1["inputs"][0]["kind"], "capture");
    assert_eq!(versions[1].1["inputs"][0]["kind"], "feature_log");
    assert_eq!(
        versions[0].1["inputs"][0]["windows"],
        versions[1].1["inputs"][0]["windows"]
    );
    assert!(versions[0].0 == versions[1].0, "the profile files differ");
}

#[test]
fn a_damaged_profile_file_stops_the_sensor_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("fleet.pcap");
    pump_fleet(&pcap, 3, 35, 3);
    let store = dir.path().join("store");
    let out = retrain(&[
        pcap.to_str().unwrap(),
        "--out",
        store.to_str().unwrap(),
        "--activate",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let wwm = store.join(active(&store)).join("profiles.wwm");
    let mut bytes = std::fs::read(&wwm).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x20;
    std::fs::write(&wwm, bytes).unwrap();
    let config = dir.path().join("w.toml");
    std::fs::write(
        &config,
        format!("[models]\nstore = {:?}\n", store.to_str().unwrap()),
    )
    .unwrap();
    let out = wardwatch(&[
        "run",
        "--config",
        config.to_str().unwrap(),
        "--replay",
        pcap.to_str().unwrap(),
        "--metrics-listen",
        "127.0.0.1:0",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "wardwatch: error: models.store: {}: SHA-256 mismatch",
            wwm.display()
        )),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let list = stdout(&wardwatch(&[
        "models",
        "list",
        "--store",
        store.to_str().unwrap(),
    ]));
    assert!(list.contains("DAMAGED"), "{list}");
}

/// Starts a retrain of `input` into `store` with its own hold-out share (so every run makes a
/// new version), standard output to a file.
fn spawn_retrain(input: &Path, store: &Path, holdout: f64, log: &Path) -> ProcessGuard {
    let child = Command::new(wardwatch_bin())
        .args([
            "retrain",
            input.to_str().unwrap(),
            "--out",
            store.to_str().unwrap(),
            "--activate",
            "--holdout",
        ])
        .arg(format!("{holdout:.3}"))
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ProcessGuard::new(child)
}

fn temp_entries(store: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

#[test]
fn a_retrain_killed_at_any_moment_leaves_the_previous_version_active_and_loadable() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("fleet.pcap");
    pump_fleet(&pcap, 6, 120, 4);
    let store = dir.path().join("store");
    let log = dir.path().join("retrain.out");
    let started = Instant::now();
    let mut first = spawn_retrain(&pcap, &store, 0.2, &log);
    assert_eq!(
        first
            .wait_for(Duration::from_secs(120))
            .and_then(|s| s.code()),
        Some(0)
    );
    let full = started.elapsed();
    let mut previous = active(&store);
    let mut survived = 0;
    for kill in 0..20u32 {
        // Spread over the whole run: reading, training, validating, writing, activating.
        let delay = full.mul_f64(0.05 + 0.95 * f64::from(kill) / 19.0);
        let mut child = spawn_retrain(&pcap, &store, 0.21 + f64::from(kill) * 0.01, &log);
        std::thread::sleep(delay);
        child.signal(nix::sys::signal::Signal::SIGKILL);
        child.wait_for(Duration::from_secs(10)).expect("killed");
        let now = active(&store);
        let list = wardwatch(&["models", "list", "--store", store.to_str().unwrap()]);
        assert_eq!(list.status.code(), Some(0), "{}", stderr(&list));
        assert!(
            !stdout(&list).contains("DAMAGED"),
            "kill {kill}: {}",
            stdout(&list)
        );
        let show = wardwatch(&["models", "show", MODEL, "--store", store.to_str().unwrap()]);
        assert_eq!(
            show.status.code(),
            Some(0),
            "kill {kill}: the active version does not load: {}",
            stderr(&show)
        );
        if now == previous {
            survived += 1;
        } else {
            assert!(
                stdout(&list).contains(&now),
                "kill {kill}: {now} not listed"
            );
        }
        previous = now;
    }
    eprintln!(
        "a full retrain took {full:?}; {survived} of 20 kills left the previous version active"
    );
    assert!(
        survived >= 5,
        "only {survived} kills landed before the switch: the delays miss the run"
    );
    // The next start cleans what the killed writers left.
    let mut last = spawn_retrain(&pcap, &store, 0.5, &log);
    assert_eq!(
        last.wait_for(Duration::from_secs(120))
            .and_then(|s| s.code()),
        Some(0)
    );
    assert_eq!(temp_entries(&store), Vec::<PathBuf>::new());
    let versions = std::fs::read_dir(&store)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_dir())
        .count();
    assert!((2..=7).contains(&versions), "{versions} versions kept");
}

fn model_set_version(body: &str) -> String {
    body.lines()
        .find_map(|l| l.strip_prefix("wardwatch_model_set_info{version=\""))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn sighup_switches_to_a_newly_activated_version_and_refuses_a_damaged_one() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.pcap"), dir.path().join("b.pcap"));
    pump_fleet(&a, 3, 35, 5);
    pump_fleet(&b, 3, 35, 6);
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    assert_eq!(
        retrain(&[a.to_str().unwrap(), "--out", s, "--activate"])
            .status
            .code(),
        Some(0)
    );
    let first = active(&store);
    let config = dir.path().join("w.toml");
    std::fs::write(
        &config,
        format!("[models]\nstore = {s:?}\n[alerts]\nfile = \"\"\n"),
    )
    .unwrap();
    let mut daemon = Daemon::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--replay",
            a.to_str().unwrap(),
            "--keep-running",
        ],
    );
    daemon.wait_http_ok("/readyz", Duration::from_secs(30));
    let body = daemon.wait_for_sample("wardwatch_capture_running", 0.0, Duration::from_secs(60));
    assert!(
        model_set_version(&body).starts_with(&format!("{first}+")),
        "{body}"
    );

    assert_eq!(
        retrain(&[b.to_str().unwrap(), "--out", s, "--activate"])
            .status
            .code(),
        Some(0)
    );
    let second = active(&store);
    daemon.process.signal(nix::sys::signal::Signal::SIGHUP);
    let body = daemon.wait_for_sample(
        r#"wardwatch_reloads_total{result="success"}"#,
        1.0,
        Duration::from_secs(10),
    );
    assert!(
        model_set_version(&body).starts_with(&format!("{second}+")),
        "{body}"
    );
    daemon.wait_for_log(&format!("version={second}"), Duration::from_secs(10));

    let wwm = store.join(&second).join("profiles.wwm");
    std::fs::write(&wwm, b"not a model file").unwrap();
    daemon.process.signal(nix::sys::signal::Signal::SIGHUP);
    let body = daemon.wait_for_sample(
        r#"wardwatch_reloads_total{result="failure"}"#,
        1.0,
        Duration::from_secs(10),
    );
    assert!(
        model_set_version(&body).starts_with(&format!("{second}+")),
        "the loaded profiles stay: {body}"
    );
    daemon.wait_for_log(
        &format!("{}: SHA-256 mismatch", wwm.display()),
        Duration::from_secs(10),
    );
    let (status, _) = daemon.terminate();
    assert_eq!(status.code(), Some(0));

    let missing = retrain(&["/nonexistent/ward.pcap", "--out", s]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("/nonexistent/ward.pcap: no such file"),
        "{}",
        stderr(&missing)
    );
}
