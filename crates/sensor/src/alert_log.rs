//! Reading an alert file (`wardwatch run --alerts FILE`): one JSON object per line, the schema of
//! `wardwatch_baseline::Alert` (docs/operations.md, "Alert JSON schema"). [`AlertLogReader`]
//! yields each alert with the exact bytes of its line, so a filter can re-emit lines unchanged.
//! The file is input like any other: lines are bounded, and errors name the file and the line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use wardwatch_baseline::Alert;

use crate::json_lines::JsonLines;
pub use crate::json_lines::JsonLinesError as AlertLogError;

/// One alert as read: where it was and the bytes of its line.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertLine {
    /// 1-based line number in the file.
    pub line: u64,
    /// The line as read, without its line ending.
    pub raw: Vec<u8>,
    /// The parsed alert.
    pub alert: Alert,
}

/// Reads an alert file line by line. Blank lines are skipped.
pub struct AlertLogReader<R> {
    lines: JsonLines<R>,
}

impl AlertLogReader<BufReader<File>> {
    /// Opens an alert file.
    pub fn open(path: &Path) -> Result<Self, AlertLogError> {
        Ok(AlertLogReader {
            lines: JsonLines::open(path)?,
        })
    }
}

impl<R: BufRead> AlertLogReader<R> {
    /// Reads from any buffered reader; `path` names it in errors.
    #[cfg(test)]
    pub fn new(path: &Path, reader: R) -> Self {
        AlertLogReader {
            lines: JsonLines::new(path, reader),
        }
    }

    /// The next alert; `None` at the end of the file.
    pub fn next_alert(&mut self) -> Result<Option<AlertLine>, AlertLogError> {
        Ok(self
            .lines
            .next_value::<Alert>("an alert")?
            .map(|(line, raw, alert)| AlertLine { line, raw, alert }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_lines::MAX_LINE_BYTES;
    use wardwatch_baseline::{AlertKind, Severity};

    const ALERT: &str = r#"{"ts":"2026-01-05T08:00:01.000000Z","kind":"lateral_movement","severity":"high","device":{"id":{"mac":"00:09:fb:00:00:01"},"mac":"00:09:fb:00:00:01","ip":"10.20.0.7","model":"bd-alaris-pcu-8015"},"peers":[{"ip":"10.20.0.40","port":445}],"peers_total":3,"explanation":"Infusion pump opened SMB sessions.","features":[],"evidence":{"smb_sessions":"12"}}"#;

    fn read_all(text: &[u8]) -> Result<Vec<AlertLine>, AlertLogError> {
        let mut reader = AlertLogReader::new(Path::new("a.jsonl"), text);
        let mut out = Vec::new();
        while let Some(line) = reader.next_alert()? {
            out.push(line);
        }
        Ok(out)
    }

    #[test]
    fn alerts_come_with_their_line_number_and_exact_bytes() {
        // A field this version does not know is kept in the raw bytes and ignored by the parse.
        let second = ALERT.replace("\"evidence\"", "\"later_field\":1,\"evidence\"");
        let text = format!("{ALERT}\n\n   \n{second}");
        let lines = read_all(text.as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 1);
        assert_eq!(lines[0].raw, ALERT.as_bytes());
        assert_eq!(lines[0].alert.kind, AlertKind::LateralMovement);
        assert_eq!(lines[0].alert.severity, Severity::High);
        assert_eq!(lines[0].alert.ts.secs(), 1_767_600_001);
        assert_eq!(lines[1].line, 4);
        assert_eq!(lines[1].raw, second.as_bytes());
    }

    #[test]
    fn a_line_that_is_not_an_alert_names_file_line_and_column() {
        let text = format!("{ALERT}\n{{\"kind\":\"port_scan\"}}\n");
        let err = read_all(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err,
            "a.jsonl:2: not an alert: missing field `ts` (column 20)"
        );
        let text = format!("{ALERT}\n{ALERT}\nhello\n");
        let err = read_all(text.as_bytes()).unwrap_err().to_string();
        assert_eq!(err, "a.jsonl:3: not an alert: expected value (column 1)");
        let bad_kind = ALERT.replace("lateral_movement", "tea_break");
        let err = read_all(bad_kind.as_bytes()).unwrap_err().to_string();
        assert!(
            err.starts_with("a.jsonl:1: not an alert: unknown variant `tea_break`"),
            "{err}"
        );
    }

    #[test]
    fn an_overlong_line_is_refused_without_reading_it_whole() {
        let long = vec![b'x'; (MAX_LINE_BYTES + 10) as usize];
        let mut text = format!("{ALERT}\n").into_bytes();
        text.extend_from_slice(&long);
        let mut reader = AlertLogReader::new(Path::new("a.jsonl"), text.as_slice());
        assert!(reader.next_alert().unwrap().is_some());
        let err = reader.next_alert().unwrap_err().to_string();
        assert_eq!(err, "a.jsonl:2: line longer than 1048576 bytes");
        // A line of exactly the limit is read (and judged on its content).
        let exact = vec![b' '; MAX_LINE_BYTES as usize];
        assert!(read_all(&exact).unwrap().is_empty());
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = AlertLogReader::open(Path::new("/nonexistent/alerts.jsonl"))
            .err()
            .unwrap()
            .to_string();
        assert_eq!(
            err,
            "/nonexistent/alerts.jsonl: No such file or directory (os error 2)"
        );
    }
}
