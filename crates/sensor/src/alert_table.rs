//! Alerts as people read them in a terminal (`wardwatch alerts`): one row per alert — time to
//! the second (UTC), severity, kind, device — with the explanation wrapped under it, and a
//! closing count per kind and severity ([`Tally`]). Text from the alert file (model ids,
//! explanations) is cleaned for the terminal: the file may have been written by anything.

use crate::inventory::render::terminal_text;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use wardwatch_baseline::{Alert, AlertKind, Severity};
use wardwatch_flow::{DeviceId, Timestamp};

/// Table width when `COLUMNS` does not say.
pub const DEFAULT_WIDTH: usize = 100;
/// Narrowest table laid out (a narrower `COLUMNS` gets this).
pub const MIN_WIDTH: usize = 60;
/// Widest table laid out.
pub const MAX_WIDTH: usize = 400;

const TIME_W: usize = 20; // 2026-01-05T08:00:00Z
const SEVERITY_W: usize = 8; // critical
/// Wide enough for every kind but `new_external_destination`, which pushes its device right.
const KIND_W: usize = 17; // behaviour_anomaly
const GAP: usize = 2;
/// Column of the device on a row's first line.
const DEVICE_COL: usize = TIME_W + GAP + SEVERITY_W + GAP + KIND_W + GAP;
/// Indent of the explanation (under the severity).
const EXPLANATION_COL: usize = TIME_W + GAP;
/// Below this much room the device moves to its own line under the row.
const MIN_DEVICE_ROOM: usize = 24;

/// The table width for a `COLUMNS` value: [`DEFAULT_WIDTH`] when absent or not a number,
/// otherwise clamped to [`MIN_WIDTH`]..=[`MAX_WIDTH`].
pub fn width_from_columns(columns: Option<&str>) -> usize {
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .map_or(DEFAULT_WIDTH, |c| c.clamp(MIN_WIDTH, MAX_WIDTH))
}

/// Packet time as RFC 3339 UTC to the second, e.g. `2026-01-05T08:00:00Z`.
pub fn time_text(ts: Timestamp) -> String {
    let secs = ts.min(Timestamp::MAX_RFC3339).secs();
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// The device as the alert names it: model id (or `unidentified`), then IP and MAC when known.
pub fn device_text(alert: &Alert) -> String {
    let d = &alert.device;
    let model = d
        .model
        .as_ref()
        .map_or_else(|| "unidentified".to_owned(), |m| terminal_text(&m.0));
    let ip = d.ip.or(match d.id {
        DeviceId::Ip(ip) => Some(ip),
        DeviceId::Mac(_) => None,
    });
    let mac = d.mac.or(match d.id {
        DeviceId::Mac(mac) => Some(mac),
        DeviceId::Ip(_) => None,
    });
    let mut out = model;
    for part in [ip.map(|a| a.to_string()), mac.map(|m| m.to_string())]
        .into_iter()
        .flatten()
    {
        out.push(' ');
        out.push_str(&part);
    }
    out
}

/// Breaks `text` into lines of at most `room` display columns at spaces; a word longer than a
/// line is cut across lines. (Hand-written: a greedy wrap is a few lines, and no wrapping
/// crate is in the dependency tree.)
pub fn wrap(text: &str, room: usize) -> Vec<String> {
    wrap_after(text, room, room)
}

/// [`wrap`] with a first line of `first` columns and further lines of `rest` columns.
fn wrap_after(text: &str, first: usize, rest: usize) -> Vec<String> {
    let room = |lines: &[String]| if lines.is_empty() { first } else { rest }.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in text.split_whitespace() {
        let w = word.width();
        if used > 0 && used + 1 + w <= room(&lines) {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used > 0 && used + cw > room(&lines) {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays alerts out at a given width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertTable {
    width: usize,
}

impl AlertTable {
    /// A table `width` columns wide (clamped to [`MIN_WIDTH`]..=[`MAX_WIDTH`]).
    pub fn new(width: usize) -> Self {
        AlertTable {
            width: width.clamp(MIN_WIDTH, MAX_WIDTH),
        }
    }

    fn device_inline(self) -> bool {
        self.width >= DEVICE_COL + MIN_DEVICE_ROOM
    }

    /// The column titles and a rule, each line ending in `\n`.
    pub fn header(self) -> String {
        let device = if self.device_inline() { "DEVICE" } else { "" };
        let title = format!(
            "{:TIME_W$}  {:SEVERITY_W$}  {:KIND_W$}  {device}",
            "TIME", "SEVERITY", "KIND"
        );
        let explanation = format!("{}explanation", " ".repeat(EXPLANATION_COL));
        let explanation = if self.device_inline() {
            explanation
        } else {
            format!("{}device · explanation", " ".repeat(EXPLANATION_COL))
        };
        format!(
            "{}\n{explanation}\n{}\n",
            title.trim_end(),
            "-".repeat(self.width)
        )
    }

    /// One alert: its first line, then the wrapped explanation, each line ending in `\n`.
    pub fn row(self, alert: &Alert) -> String {
        let head = format!(
            "{:TIME_W$}  {:SEVERITY_W$}  {:KIND_W$}  ",
            time_text(alert.ts),
            alert.severity.name(),
            alert.kind.name()
        );
        let device = device_text(alert);
        let mut out = String::new();
        if self.device_inline() {
            let first = self.width.saturating_sub(head.width());
            let lines = wrap_after(&device, first, self.width - DEVICE_COL);
            for (i, line) in lines.iter().enumerate() {
                let lead = if i == 0 {
                    head.clone()
                } else {
                    " ".repeat(DEVICE_COL)
                };
                let _ = writeln!(out, "{lead}{line}");
            }
        } else {
            let _ = writeln!(out, "{}", head.trim_end());
            self.indented(&mut out, &device);
        }
        self.indented(&mut out, &terminal_text(&alert.explanation));
        out
    }

    fn indented(self, out: &mut String, text: &str) {
        let indent = " ".repeat(EXPLANATION_COL);
        for line in wrap(text, self.width - EXPLANATION_COL) {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
}

/// Counts of alerts read and shown, per kind and severity (a fixed set of keys).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    read: u64,
    shown: BTreeMap<(AlertKind, Severity), u64>,
}

/// Severities as the tally's columns, most urgent first.
const COLUMNS: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

impl Tally {
    /// Counts an alert read from a file.
    pub fn read(&mut self) {
        self.read = self.read.saturating_add(1);
    }

    /// Counts an alert shown.
    pub fn shown(&mut self, alert: &Alert) {
        let n = self.shown.entry((alert.kind, alert.severity)).or_default();
        *n = n.saturating_add(1);
    }

    /// Alerts shown in all.
    pub fn shown_total(&self) -> u64 {
        self.shown.values().fold(0, |a, n| a.saturating_add(*n))
    }

    fn count(&self, kind: AlertKind, severity: Severity) -> u64 {
        self.shown.get(&(kind, severity)).copied().unwrap_or(0)
    }

    fn kind_total(&self, kind: AlertKind) -> u64 {
        COLUMNS
            .iter()
            .fold(0, |a, s| a.saturating_add(self.count(kind, *s)))
    }

    /// The closing summary: one line saying what was shown from where (`source`, e.g. the file
    /// name, and `filter`, e.g. `severity high and above`, when one applies), then a table with a
    /// row per kind (most alerts first) and a column per severity.
    pub fn render(&self, source: &str, filter: Option<&str>) -> String {
        let total = self.shown_total();
        let noun = |n: u64| if n == 1 { "alert" } else { "alerts" };
        let mut out = match (filter, total) {
            (None, 0) => format!("no alerts in {source}\n"),
            (None, _) => format!("{total} {} in {source}\n", noun(total)),
            (Some(f), _) => format!(
                "{total} of {} {} in {source} ({f})\n",
                self.read,
                noun(self.read)
            ),
        };
        if total == 0 {
            return out;
        }
        let mut kinds: Vec<AlertKind> = AlertKind::ALL
            .iter()
            .copied()
            .filter(|k| self.kind_total(*k) > 0)
            .collect();
        // Stable sort: equal totals keep the declaration order, so the output is deterministic.
        kinds.sort_by_key(|k| std::cmp::Reverse(self.kind_total(*k)));
        let cell = |n: u64| {
            if n == 0 {
                "-".to_owned()
            } else {
                n.to_string()
            }
        };
        let digits = total.to_string().len();
        let widths: Vec<usize> = COLUMNS.iter().map(|s| s.name().len().max(digits)).collect();
        let total_w = "total".len().max(digits);
        let kind_w = kinds
            .iter()
            .map(|k| k.name().len())
            .fold("total".len(), usize::max);
        let _ = write!(out, "{:kind_w$}", "kind");
        for (s, w) in COLUMNS.iter().zip(&widths) {
            let _ = write!(out, "  {:>w$}", s.name());
        }
        let _ = writeln!(out, "  {:>total_w$}", "total");
        let line = |out: &mut String, name: &str, counts: [u64; 5], sum: u64| {
            let _ = write!(out, "{name:kind_w$}");
            for (n, w) in counts.iter().zip(&widths) {
                let _ = write!(out, "  {:>w$}", cell(*n));
            }
            let _ = writeln!(out, "  {sum:>total_w$}");
        };
        for kind in kinds {
            let counts = COLUMNS.map(|s| self.count(kind, s));
            line(&mut out, kind.name(), counts, self.kind_total(kind));
        }
        let by_severity = COLUMNS.map(|s| {
            AlertKind::ALL
                .iter()
                .fold(0u64, |a, k| a.saturating_add(self.count(*k, s)))
        });
        line(&mut out, "total", by_severity, total);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use wardwatch_baseline::AlertDevice;
    use wardwatch_flow::ModelId;

    fn alert(kind: AlertKind, severity: Severity, explanation: &str) -> Alert {
        Alert {
            ts: Timestamp::parse_rfc3339("2026-01-05T18:42:07.934512Z").unwrap(),
            kind,
            severity,
            device: AlertDevice {
                id: DeviceId::Mac("00:09:fb:12:34:56".parse().unwrap()),
                mac: Some("00:09:fb:12:34:56".parse().unwrap()),
                ip: Some("10.10.20.21".parse().unwrap()),
                model: Some(ModelId("bd-alaris-pcu-8015".into())),
            },
            peers: Vec::new(),
            peers_total: 0,
            explanation: explanation.into(),
            features: Vec::new(),
            evidence: BTreeMap::new(),
        }
    }

    #[test]
    fn width_follows_columns_within_bounds() {
        assert_eq!(width_from_columns(None), 100);
        assert_eq!(width_from_columns(Some("132")), 132);
        assert_eq!(width_from_columns(Some(" 80\n")), 80);
        assert_eq!(width_from_columns(Some("20")), 60);
        assert_eq!(width_from_columns(Some("100000")), 400);
        assert_eq!(width_from_columns(Some("0")), 100);
        assert_eq!(width_from_columns(Some("wide")), 100);
    }

    #[test]
    fn time_is_rfc3339_to_the_second_in_utc() {
        let t = Timestamp::parse_rfc3339("2026-01-05T18:42:07.934512Z").unwrap();
        assert_eq!(time_text(t), "2026-01-05T18:42:07Z");
        assert_eq!(time_text(Timestamp(u64::MAX)), "9999-12-31T23:59:59Z");
    }

    #[test]
    fn device_names_model_ip_and_mac_as_the_alert_has_them() {
        let mut a = alert(AlertKind::PortScan, Severity::Medium, "x");
        assert_eq!(
            device_text(&a),
            "bd-alaris-pcu-8015 10.10.20.21 00:09:fb:12:34:56"
        );
        a.device.model = None;
        a.device.mac = None;
        assert_eq!(
            device_text(&a),
            "unidentified 10.10.20.21 00:09:fb:12:34:56"
        );
        a.device.id = DeviceId::Ip("192.0.2.7".parse().unwrap());
        a.device.ip = None;
        assert_eq!(device_text(&a), "unidentified 192.0.2.7");
        a.device.model = Some(ModelId("evil\u{1b}[31m\u{202e}model".into()));
        assert_eq!(device_text(&a), "evil [31m?model 192.0.2.7");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10),
            ["the quick", "brown fox", "jumps"]
        );
        assert_eq!(wrap("abcdefghijkl mn", 5), ["abcde", "fghij", "kl mn"]);
        assert_eq!(wrap("  spaced \n out  ", 20), ["spaced out"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        // Wide characters count two columns.
        assert_eq!(wrap("病院病院 ab", 4), ["病院", "病院", "ab"]);
    }

    #[test]
    fn a_row_at_100_columns() {
        let table = AlertTable::new(100);
        let a = alert(
            AlertKind::LateralMovement,
            Severity::Critical,
            "Infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.10.20.21) opened SMB (445) to 37 internal hosts in 60 s; infusion pumps of this model never use SMB (445).",
        );
        assert_eq!(
            table.row(&a),
            "2026-01-05T18:42:07Z  critical  lateral_movement   bd-alaris-pcu-8015 10.10.20.21 00:09:fb:12:34:56\n\
             \x20                     Infusion pump 00:09:fb:12:34:56 (bd-alaris-pcu-8015, 10.10.20.21) opened SMB\n\
             \x20                     (445) to 37 internal hosts in 60 s; infusion pumps of this model never use SMB\n\
             \x20                     (445).\n"
        );
        for line in table.row(&a).lines() {
            assert!(line.width() <= 100, "{line:?}");
        }
        assert_eq!(
            table.header(),
            format!(
                "TIME                  SEVERITY  KIND               DEVICE\n\
                 \x20                     explanation\n{}\n",
                "-".repeat(100)
            )
        );
    }

    #[test]
    fn a_narrow_table_wraps_the_device_or_gives_it_a_line() {
        let a = alert(AlertKind::PortScan, Severity::Medium, "Scan.");
        assert_eq!(
            AlertTable::new(80).row(&a),
            "2026-01-05T18:42:07Z  medium    port_scan          bd-alaris-pcu-8015\n\
             \x20                                                  10.10.20.21 00:09:fb:12:34:56\n\
             \x20                     Scan.\n"
        );
        // The one kind wider than its column pushes the device right, and the device wraps
        // back to its column.
        let b = alert(AlertKind::NewExternalDestination, Severity::High, "Out.");
        assert_eq!(
            AlertTable::new(90).row(&b),
            "2026-01-05T18:42:07Z  high      new_external_destination  bd-alaris-pcu-8015 10.10.20.21\n\
             \x20                                                  00:09:fb:12:34:56\n\
             \x20                     Out.\n"
        );
        assert_eq!(
            AlertTable::new(60).row(&a),
            "2026-01-05T18:42:07Z  medium    port_scan\n\
             \x20                     bd-alaris-pcu-8015 10.10.20.21\n\
             \x20                     00:09:fb:12:34:56\n\
             \x20                     Scan.\n"
        );
        assert!(
            AlertTable::new(60)
                .header()
                .contains("device · explanation")
        );
    }

    #[test]
    fn the_tally_counts_per_kind_and_severity_most_first() {
        let mut tally = Tally::default();
        let alerts = [
            alert(AlertKind::NewDevice, Severity::Medium, ""),
            alert(AlertKind::PortScan, Severity::High, ""),
            alert(AlertKind::NewDevice, Severity::Low, ""),
            alert(AlertKind::NewDevice, Severity::Medium, ""),
            alert(AlertKind::Beaconing, Severity::Critical, ""),
        ];
        for a in &alerts {
            tally.read();
            tally.shown(a);
        }
        assert_eq!(tally.shown_total(), 5);
        assert_eq!(
            tally.render("alerts.jsonl", None),
            "5 alerts in alerts.jsonl\n\
             kind        critical  high  medium  low  info  total\n\
             new_device         -     -       2    1     -      3\n\
             port_scan          -     1       -    -     -      1\n\
             beaconing          1     -       -    -     -      1\n\
             total              1     1       2    1     -      5\n"
        );
    }

    #[test]
    fn the_tally_kind_column_fits_the_longest_kind_shown() {
        let mut tally = Tally::default();
        tally.shown(&alert(
            AlertKind::NewExternalDestination,
            Severity::High,
            "",
        ));
        assert_eq!(
            tally.render("a.jsonl", None),
            "1 alert in a.jsonl\n\
             kind                      critical  high  medium  low  info  total\n\
             new_external_destination         -     1       -    -     -      1\n\
             total                            -     1       -    -     -      1\n"
        );
    }

    #[test]
    fn the_tally_says_what_a_filter_left_out() {
        let mut tally = Tally::default();
        tally.read();
        tally.read();
        tally.shown(&alert(AlertKind::PortScan, Severity::High, ""));
        let text = tally.render("2 files", Some("severity high and above"));
        assert!(
            text.starts_with("1 of 2 alerts in 2 files (severity high and above)\n"),
            "{text}"
        );
        let empty = Tally::default();
        assert_eq!(empty.render("a.jsonl", None), "no alerts in a.jsonl\n");
        let mut filtered = Tally::default();
        filtered.read();
        assert_eq!(
            filtered.render("a.jsonl", Some("kind port_scan")),
            "0 of 1 alert in a.jsonl (kind port_scan)\n"
        );
    }
}
