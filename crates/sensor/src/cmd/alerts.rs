//! `wardwatch alerts FILE...`: reads alert files (`wardwatch run --alerts`) and prints the
//! alerts that pass the filters, in file order — as a table for people (see `alert_table`)
//! followed by a count per kind and severity, or as their JSON lines, byte for byte. A line
//! that is not an alert stops the command with an error naming the file and line (exit 2).

use super::InputFailure;
use crate::alert_log::{AlertLogError, AlertLogReader};
use crate::alert_table::{self, AlertTable, Tally};
use anyhow::Result;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use wardwatch_baseline::{Alert, AlertKind, Severity};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A table for people, then the counts.
    Table,
    /// The matching alerts' JSON lines, unchanged.
    Json,
}

/// Which alerts are shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Least severity shown.
    pub min_severity: Severity,
    /// Kinds shown; empty: every kind.
    pub kinds: Vec<AlertKind>,
}

impl Filter {
    /// Whether `alert` is shown.
    pub fn admits(&self, alert: &Alert) -> bool {
        alert.severity >= self.min_severity
            && (self.kinds.is_empty() || self.kinds.contains(&alert.kind))
    }

    /// What the filter leaves out, in words; `None` when it shows everything.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.min_severity > Severity::Info {
            parts.push(format!("severity {} and above", self.min_severity.name()));
        }
        if !self.kinds.is_empty() {
            let names: Vec<&str> = self.kinds.iter().map(|k| k.name()).collect();
            parts.push(format!("kind {}", names.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Options of `wardwatch alerts`.
#[derive(Clone, Debug)]
pub struct Options {
    /// Alert files, read in this order.
    pub files: Vec<PathBuf>,
    /// Output format.
    pub format: Format,
    /// Which alerts are shown.
    pub filter: Filter,
}

/// Runs the command. The table is as wide as `COLUMNS` says (default 100).
pub fn run(o: Options) -> Result<()> {
    let width = alert_table::width_from_columns(std::env::var("COLUMNS").ok().as_deref());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let result = list(&o, width, &mut out).and_then(|()| Ok(out.flush()?));
    match result {
        Err(e) if is_broken_pipe(&e) => Ok(()),
        other => other,
    }
}

/// A reader that went away (`| head`) ends the output quietly.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn input_error(e: AlertLogError) -> anyhow::Error {
    InputFailure(e.to_string()).into()
}

/// Writes the listing of every file to `out`.
fn list(o: &Options, width: usize, out: &mut impl Write) -> Result<()> {
    let table = AlertTable::new(width);
    let mut tally = Tally::default();
    if o.format == Format::Table {
        out.write_all(table.header().as_bytes())?;
    }
    for path in &o.files {
        let reader = AlertLogReader::open(path).map_err(input_error)?;
        list_file(o, reader, table, &mut tally, out)?;
    }
    if o.format == Format::Table {
        let source = match o.files.as_slice() {
            [one] => one.display().to_string(),
            many => format!("{} files", many.len()),
        };
        let summary = tally.render(&source, o.filter.describe().as_deref());
        writeln!(out)?;
        out.write_all(summary.as_bytes())?;
    }
    Ok(())
}

fn list_file<R: BufRead>(
    o: &Options,
    mut reader: AlertLogReader<R>,
    table: AlertTable,
    tally: &mut Tally,
    out: &mut impl Write,
) -> Result<()> {
    while let Some(line) = reader.next_alert().map_err(input_error)? {
        tally.read();
        if !o.filter.admits(&line.alert) {
            continue;
        }
        tally.shown(&line.alert);
        match o.format {
            Format::Table => out.write_all(table.row(&line.alert).as_bytes())?,
            Format::Json => {
                out.write_all(&line.raw)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The whole output of a listing as text.
    fn listing(o: &Options, width: usize) -> Result<String> {
        let mut out = Vec::new();
        list(o, width, &mut out)?;
        Ok(String::from_utf8(out)?)
    }

    fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn line(ts: &str, kind: &str, severity: &str, model: &str, explanation: &str) -> String {
        format!(
            r#"{{"ts":"{ts}","kind":"{kind}","severity":"{severity}","device":{{"id":{{"mac":"00:09:fb:00:00:01"}},"mac":"00:09:fb:00:00:01","ip":"10.20.0.7","model":{model}}},"peers":[],"peers_total":0,"explanation":"{explanation}","features":[],"evidence":{{}}}}"#
        )
    }

    fn options(files: Vec<PathBuf>, format: Format, filter: Filter) -> Options {
        Options {
            files,
            format,
            filter,
        }
    }

    fn all() -> Filter {
        Filter {
            min_severity: Severity::Info,
            kinds: Vec::new(),
        }
    }

    fn sample(dir: &Path) -> PathBuf {
        let text = [
            line(
                "2026-01-05T18:00:09.932881Z",
                "new_device",
                "medium",
                "null",
                "A new device joined the network.",
            ),
            line(
                "2026-01-05T18:31:00.000000Z",
                "port_scan",
                "high",
                r#""bd-alaris-pcu-8015""#,
                "It scanned 40 ports.",
            ),
            String::new(),
            line(
                "2026-01-05T18:32:00.000000Z",
                "beaconing",
                "critical",
                r#""bd-alaris-pcu-8015""#,
                "It checks in every 60 s.",
            ),
        ]
        .join("\n");
        write_file(dir, "a.jsonl", &(text + "\n"))
    }

    #[test]
    fn the_table_lists_rows_in_file_order_then_the_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let text = listing(&options(vec![path.clone()], Format::Table, all()), 100).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[3],
            "2026-01-05T18:00:09Z  medium    new_device         unidentified 10.20.0.7 00:09:fb:00:00:01"
        );
        assert_eq!(lines[4].trim(), "A new device joined the network.");
        assert_eq!(
            lines[5],
            "2026-01-05T18:31:00Z  high      port_scan          bd-alaris-pcu-8015 10.20.0.7 00:09:fb:00:00:01"
        );
        assert_eq!(
            lines[7].get(..41).unwrap(),
            "2026-01-05T18:32:00Z  critical  beaconing"
        );
        assert_eq!(lines[9], "");
        assert_eq!(lines[10], format!("3 alerts in {}", path.display()));
        assert_eq!(
            lines.last().copied().unwrap(),
            "total              1     1       1    -     -      3"
        );
    }

    #[test]
    fn filters_pick_by_severity_and_kind_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = sample(dir.path());
        let high = Filter {
            min_severity: Severity::High,
            kinds: Vec::new(),
        };
        let text = listing(&options(vec![path.clone()], Format::Table, high), 100).unwrap();
        assert!(!text.contains("new_device"), "{text}");
        assert!(
            text.contains(&format!(
                "2 of 3 alerts in {} (severity high and above)",
                path.display()
            )),
            "{text}"
        );
        let kinds = Filter {
            min_severity: Severity::Medium,
            kinds: vec![AlertKind::NewDevice, AlertKind::Beaconing],
        };
        assert_eq!(
            kinds.describe().as_deref(),
            Some("severity medium and above; kind new_device, beaconing")
        );
        let text = listing(&options(vec![path.clone(), path], Format::Json, kinds), 100).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[0].contains("\"kind\":\"new_device\""));
        assert!(lines[1].contains("\"kind\":\"beaconing\""));
        assert_eq!(lines[0], lines[2]);
    }

    #[test]
    fn json_re_emits_the_lines_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        // Spacing and key order as another writer might have them; no newline at the end.
        let original = line(
            "2026-01-05T18:31:00.000000Z",
            "port_scan",
            "high",
            "null",
            "x",
        )
        .replace(",\"peers\"", " , \"peers\"");
        let path = write_file(dir.path(), "b.jsonl", &original);
        let text = listing(&options(vec![path], Format::Json, all()), 100).unwrap();
        assert_eq!(text, format!("{original}\n"));
    }

    #[test]
    fn a_bad_line_is_an_input_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let good = sample(dir.path());
        let bad = write_file(
            dir.path(),
            "bad.jsonl",
            &format!(
                "{}\n{{\"window_start\":\"2026-01-05T18:00:00Z\"}}\n",
                line("2026-01-05T18:31:00Z", "port_scan", "high", "null", "x")
            ),
        );
        let err =
            listing(&options(vec![good, bad.clone()], Format::Table, all()), 100).unwrap_err();
        assert!(err.is::<InputFailure>());
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2: not an alert: missing field `ts` (column 39)",
                bad.display()
            )
        );
        let missing = dir.path().join("none.jsonl");
        let err = listing(&options(vec![missing.clone()], Format::Json, all()), 100).unwrap_err();
        assert!(err.is::<InputFailure>());
        assert_eq!(
            err.to_string(),
            format!(
                "{}: No such file or directory (os error 2)",
                missing.display()
            )
        );
    }

    #[test]
    fn a_closed_reader_is_not_an_error() {
        let e = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&e));
        let e = anyhow::Error::from(InputFailure("x".into()));
        assert!(!is_broken_pipe(&e));
    }
}
