//! The inventory as people and programs read it: an 80-column terminal table, CSV (RFC 4180)
//! and JSON. Text from the wire (host names, versions, vendor strings) is hostile: the table
//! replaces control and invisible formatting characters and cuts or wraps every value by its
//! display width; CSV quotes what RFC 4180 requires and defuses spreadsheet formulas; JSON
//! escapes what JSON requires.

use super::entry::{AdvisoryEntry, InventoryEntry};
use super::states::DeviceState;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Width of the terminal table, in columns.
pub const TABLE_WIDTH: usize = 80;
/// Advisories listed per device in the table (JSON and CSV list all).
pub const TABLE_ADVISORIES: usize = 3;

const RISK_W: usize = 8;
const DEVICE_W: usize = 17;
const ADDRESS_W: usize = 15;
/// Indent of a device's detail lines (under DEVICE).
const INDENT: usize = RISK_W + 1;
const MODEL_W: usize = TABLE_WIDTH - RISK_W - 1 - DEVICE_W - 2 - ADDRESS_W - 2;

/// A value made safe for a terminal: control characters become spaces, invisible formatting
/// characters (bidirectional overrides, zero-width characters) become `?`.
pub fn terminal_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                ' '
            } else if is_invisible_format(c) {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Display width of (already cleaned) text.
fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cleaned and cut to at most `max` columns, ending in `…` when cut.
fn fit(text: &str, max: usize) -> String {
    let clean = terminal_text(text);
    if width(&clean) <= max {
        return clean;
    }
    let mut out = String::new();
    let mut used = 0;
    for c in clean.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `text` padded with spaces to `columns` display columns.
fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// Lays `items` out on lines of at most [`TABLE_WIDTH`] columns, each starting with `indent`
/// spaces and items separated by ` · `; an item longer than a line is broken across lines.
fn wrap_items(items: &[String], indent: usize) -> Vec<String> {
    let room = TABLE_WIDTH - indent;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let item = terminal_text(item);
        let sep = if line.is_empty() { "" } else { " · " };
        if width(&line) + width(sep) + width(&item) <= room {
            line.push_str(sep);
            line.push_str(&item);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in item.chars() {
            let w = c.width().unwrap_or(0);
            if width(&line) + w > room {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| format!("{}{}", " ".repeat(indent), l.trim_end()))
        .collect()
}

fn risk_text(e: &InventoryEntry) -> String {
    if e.advisories.is_empty() {
        return "-".into();
    }
    let kev = if e.risk.known_exploited { " KEV" } else { "" };
    format!("{:.1}{kev}", e.risk.score)
}

fn model_text(e: &InventoryEntry) -> String {
    match (&e.model, &e.class) {
        (Some(model), _) => model.to_string(),
        (None, Some(class)) => format!("({class})"),
        (None, None) => "unidentified".into(),
    }
}

fn location_text(e: &InventoryEntry) -> Option<String> {
    e.location
        .as_ref()
        .map(|l| format!("{} / {}", l.site, l.ward))
}

fn detail_items(e: &InventoryEntry, address_cut: bool) -> Vec<String> {
    let mut items = Vec::new();
    items.extend(e.vendor.clone());
    items.extend(e.software_version.as_ref().map(|v| format!("version {v}")));
    items.extend(e.os.as_ref().map(|os| format!("OS {os}")));
    items.extend(e.hostname.as_ref().map(|h| format!("host {h}")));
    items.push(format!("state {}", e.state));
    items.extend(location_text(e));
    if address_cut || e.ips.len() > 1 {
        let all: Vec<String> = e.ips.iter().map(ToString::to_string).collect();
        items.push(format!("addresses {}", all.join(" ")));
    }
    if !e.services.is_empty() {
        items.push(format!("serves {}", e.services.join(" ")));
    }
    items
}

fn advisory_line(a: &AdvisoryEntry) -> String {
    let kev = if a.known_exploited { "  KEV" } else { "" };
    let seen = match (&a.observed_service, a.observed_as) {
        (Some(service), Some(how)) => {
            let how = match how {
                super::entry::SeenAs::Served => "served",
                super::entry::SeenAs::Used => "used",
            };
            format!("  {service} {how}")
        }
        _ => String::new(),
    };
    let line = format!(
        "{}{:<16} risk {:>4.1}  CVSS {:>4.1}{kev}{seen}",
        " ".repeat(INDENT),
        a.cve,
        a.risk,
        a.cvss_score
    );
    fit(&line, TABLE_WIDTH)
}

fn device_rows(e: &InventoryEntry, out: &mut Vec<String>) {
    let first_ip = e.ips.first().map(ToString::to_string).unwrap_or("-".into());
    let address_cut = width(&first_ip) > ADDRESS_W;
    let line = format!(
        "{} {}  {}  {}",
        pad(&fit(&risk_text(e), RISK_W), RISK_W),
        pad(&fit(&e.id.to_string(), DEVICE_W), DEVICE_W),
        pad(&fit(&first_ip, ADDRESS_W), ADDRESS_W),
        fit(&model_text(e), MODEL_W),
    );
    out.push(line.trim_end().to_owned());
    out.extend(wrap_items(&detail_items(e, address_cut), INDENT));
    for a in e.advisories.iter().take(TABLE_ADVISORIES) {
        out.push(advisory_line(a));
    }
    if let Some(more) = e.advisories.len().checked_sub(TABLE_ADVISORIES)
        && more > 0
    {
        out.push(format!(
            "{}+{more} more advisories (--format json lists all)",
            " ".repeat(INDENT)
        ));
    }
}

fn summary(entries: &[InventoryEntry]) -> String {
    let with_advisories = entries.iter().filter(|e| !e.advisories.is_empty()).count();
    let exploited = entries.iter().filter(|e| e.risk.known_exploited).count();
    let states: Vec<String> = DeviceState::ALL
        .iter()
        .map(|s| (s, entries.iter().filter(|e| e.state == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let devices = if entries.len() == 1 {
        "device"
    } else {
        "devices"
    };
    let items = [
        format!("{} {devices}", entries.len()),
        format!("{with_advisories} with advisories ({exploited} known exploited)"),
        states.join(", "),
    ];
    wrap_items(&items, 0).join("\n")
}

/// The terminal table: two or more lines per device, no line wider than [`TABLE_WIDTH`].
pub fn table(entries: &[InventoryEntry]) -> String {
    if entries.is_empty() {
        return "No devices found.\n".into();
    }
    let mut lines = vec![
        format!(
            "{} {}  {}  MODEL",
            pad("RISK", RISK_W),
            pad("DEVICE", DEVICE_W),
            pad("ADDRESS", ADDRESS_W)
        ),
        format!(
            "{}vendor · version · OS · host · state · location · serves",
            " ".repeat(INDENT)
        ),
        "-".repeat(TABLE_WIDTH),
    ];
    for e in entries {
        device_rows(e, &mut lines);
    }
    lines.push("-".repeat(TABLE_WIDTH));
    lines.push(summary(entries));
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The CSV header row.
pub const CSV_HEADER: [&str; 19] = [
    "mac",
    "ips",
    "vendor",
    "model",
    "class",
    "os",
    "software_version",
    "hostname",
    "services",
    "site",
    "ward",
    "first_seen",
    "last_seen",
    "confidence",
    "risk",
    "known_exploited",
    "advisories",
    "state",
    "metrics_device",
];

/// A text cell for CSV: control characters other than tab, CR and LF become U+FFFD, and a
/// value a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR)
/// gets a leading `'` (OWASP CSV injection advice).
pub fn csv_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if cleaned.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cleaned}")
    } else {
        cleaned
    }
}

fn csv_row(e: &InventoryEntry) -> [String; 19] {
    let opt = |v: &Option<String>| csv_text(v.as_deref().unwrap_or(""));
    let ips: Vec<String> = e.ips.iter().map(ToString::to_string).collect();
    let cves: Vec<&str> = e.advisories.iter().map(|a| a.cve.as_str()).collect();
    [
        e.mac.map(|m| m.to_string()).unwrap_or_default(),
        ips.join(" "),
        opt(&e.vendor),
        e.model
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        opt(&e.class),
        opt(&e.os),
        opt(&e.software_version),
        opt(&e.hostname),
        e.services.join(" "),
        csv_text(e.location.as_ref().map_or("", |l| l.site.as_str())),
        csv_text(e.location.as_ref().map_or("", |l| l.ward.as_str())),
        e.first_seen.to_rfc3339(),
        e.last_seen.to_rfc3339(),
        format!("{}", e.confidence),
        format!("{:.1}", e.risk.score),
        e.risk.known_exploited.to_string(),
        cves.join(" "),
        e.state.to_string(),
        e.metrics_device.clone(),
    ]
}

/// CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma, quote,
/// CR or LF; quotes doubled), with a header row.
pub fn csv(entries: &[InventoryEntry]) -> anyhow::Result<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for e in entries {
        writer.write_record(csv_row(e))?;
    }
    writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("writing CSV: {}", e.error()))
}

/// JSON: the list of entries, pretty-printed, with a final newline. Deterministic: the same
/// entries give the same bytes.
pub fn json(entries: &[InventoryEntry]) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(entries)?;
    text.push('\n');
    Ok(text)
}
