//! `wardwatch alerts FILE...`: an alert file written here, read back through the real binary as
//! a table (honouring COLUMNS), filtered, re-emitted as JSON lines, and refused at a bad line.

use std::path::Path;
use std::process::{Command, Output};
use wardwatch_e2e::{repo_root, stderr, stdout, wardwatch_bin};

/// One alert line in the schema of docs/operations.md.
fn alert(ts: &str, kind: &str, severity: &str, model: Option<&str>, explanation: &str) -> String {
    let model = model.map_or("null".to_owned(), |m| format!("\"{m}\""));
    format!(
        r#"{{"ts":"{ts}","kind":"{kind}","severity":"{severity}","device":{{"id":{{"mac":"00:09:fb:12:34:56"}},"mac":"00:09:fb:12:34:56","ip":"10.10.20.21","model":{model}}},"peers":[{{"ip":"10.10.40.30","port":445}}],"peers_total":1,"explanation":"{explanation}","features":[],"evidence":{{"admin_targets":"37"}}}}"#
    )
}

fn sample() -> Vec<String> {
    vec![
        alert(
            "2026-01-05T18:00:09.932881Z",
            "new_device",
            "low",
            Some("bd-alaris-pcu-8015"),
            "A new device joined the network: infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.10.20.21). Confirm it belongs here and mark it authorised.",
        ),
        alert(
            "2026-01-05T18:42:07.500000Z",
            "lateral_movement",
            "critical",
            Some("bd-alaris-pcu-8015"),
            "infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.10.20.21) opened SMB (445) to 37 internal hosts in 60 s; infusion pumps of this model never use SMB (445). Check the device for compromise and who was using it.",
        ),
        alert(
            "2026-01-05T19:05:00Z",
            "new_service",
            "medium",
            None,
            "unidentified device 00:09:fb:12:34:56 (10.10.20.21) connected to TFTP (69) on an internal server.",
        ),
    ]
}

fn alerts(args: &[&str], columns: Option<&str>) -> Output {
    let mut cmd = Command::new(wardwatch_bin());
    cmd.arg("alerts").args(args).current_dir(repo_root());
    cmd.env_remove("COLUMNS");
    if let Some(c) = columns {
        cmd.env("COLUMNS", c);
    }
    cmd.output().expect("wardwatch starts")
}

fn path_text(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

#[test]
fn an_alert_file_reads_as_a_table_filters_and_round_trips_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alerts.jsonl");
    let lines = sample();
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let name = path_text(&file);

    let out = alerts(&[name], Some("80"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than COLUMNS=80: {line:?}"
        );
    }
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("2026-")).collect();
    assert_eq!(
        rows,
        [
            "2026-01-05T18:00:09Z  low       new_device         bd-alaris-pcu-8015",
            "2026-01-05T18:42:07Z  critical  lateral_movement   bd-alaris-pcu-8015",
            "2026-01-05T19:05:00Z  medium    new_service        unidentified 10.10.20.21",
        ]
    );
    assert!(
        text.contains(
            "                      infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015,\n"
        ),
        "{text}"
    );
    let summary = text.split(&format!("\n3 alerts in {name}\n")).nth(1);
    assert_eq!(
        summary,
        Some(
            "kind              critical  high  medium  low  info  total\n\
             lateral_movement         1     -       -    -     -      1\n\
             new_service              -     -       1    -     -      1\n\
             new_device               -     -       -    1     -      1\n\
             total                    1     -       1    1     -      3\n"
        ),
        "{text}"
    );

    // Without COLUMNS the table is 100 wide: the whole device fits on the row.
    let out = alerts(&[name, "--min-severity", "medium"], None);
    let text = stdout(&out);
    assert!(
        text.contains("2026-01-05T18:42:07Z  critical  lateral_movement   bd-alaris-pcu-8015 10.10.20.21 00:09:fb:12:34:56\n"),
        "{text}"
    );
    assert!(!text.contains("new_device "), "{text}");
    assert!(
        text.contains(&format!(
            "2 of 3 alerts in {name} (severity medium and above)\n"
        )),
        "{text}"
    );

    // JSON: the chosen lines exactly as written, nothing else on stdout.
    let out = alerts(
        &[
            name,
            "--format",
            "json",
            "--kind",
            "new_device",
            "--kind",
            "new_service",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), format!("{}\n{}\n", lines[0], lines[2]));
}

#[test]
fn a_line_that_is_not_an_alert_is_named_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.jsonl");
    let mut lines = sample();
    lines.insert(
        2,
        r#"{"window_start":"2026-01-05T18:00:00Z","packets_out":12}"#.into(),
    );
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let out = alerts(&[path_text(&file)], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "wardwatch: error: {}:3: not an alert: missing field `ts` (column 56)\n",
            file.display()
        )
    );

    let out = alerts(&["--kind", "scan", path_text(&file)], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid value 'scan' for '--kind <KIND>': not an alert kind"),
        "{}",
        stderr(&out)
    );
    let out = alerts(&[path_text(&dir.path().join("absent.jsonl"))], None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("absent.jsonl: No such file or directory"));
}
