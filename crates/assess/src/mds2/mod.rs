//! MDS2 forms (2019 edition, ANSI/NEMA HN 1-2019) exported as CSV or XLSX: the answers by
//! question id. Missing or blank answers are unknown, never yes.
//!
//! Layout read: a header row (within the first 50 rows of a sheet) with an ID column (`ID`,
//! `Question ID`, `MDS2 ID`, `Question #`, `Ref`) and an answer column (a header containing
//! `Answer` or `Response`, or `Yes/No/N/A`); a note column (a header containing `Note`, `Comment`
//! or `Detail`) is optional. Rows whose ID cell is not a question id (`AUTH-1`, `CONN-1.2.1`) are
//! section titles and are skipped. In an XLSX workbook the first sheet with such a header is used.
//!
//! Port list (a wardwatch convention, not part of the MDS2 form): the note of `CONN-2` may list
//! the ports as `tcp/443 from-device external; udp/123 from-device internal; tcp/443 to-device`
//! (transport/port or port-port, who opens the connection, optionally internal/external/any).

pub mod questions;
mod table;

use crate::error::{InputError, InputKind};
use crate::profile::{ExpectedRule, Initiator, PeerKind, PortRange, TransportMatch};
use regex::Regex;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Rows searched for the header row.
pub const HEADER_SEARCH_ROWS: usize = 50;

/// Spreadsheet format of the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mds2Format {
    /// Comma-separated values.
    Csv,
    /// Office Open XML workbook.
    Xlsx,
}

/// One answer, normalised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Yes (also "Yes, optional", "Yes - see note").
    Yes,
    /// No.
    No,
    /// Not applicable.
    NotApplicable,
    /// The row is there but the answer cell is blank.
    Unanswered,
    /// The form does not contain the question.
    Missing,
    /// Something else ("See note"); treated as unknown.
    Other(String),
}

impl Answer {
    fn from_cell(text: &str) -> Answer {
        let t = text.trim().to_ascii_lowercase();
        let first_word: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if t.is_empty() {
            Answer::Unanswered
        } else if t.starts_with("n/a") || t == "na" || t.starts_with("not applicable") {
            Answer::NotApplicable
        } else if first_word == "yes" || first_word == "y" {
            Answer::Yes
        } else if first_word == "no" || first_word == "n" {
            Answer::No
        } else {
            Answer::Other(text.trim().to_owned())
        }
    }

    /// Short text for reports.
    pub fn label(&self) -> &str {
        match self {
            Answer::Yes => "Yes",
            Answer::No => "No",
            Answer::NotApplicable => "N/A",
            Answer::Unanswered => "blank",
            Answer::Missing => "missing",
            Answer::Other(_) => "other",
        }
    }
}

/// One answered question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QuestionAnswer {
    /// The answer.
    pub answer: Answer,
    /// The note cell, if any.
    pub note: Option<String>,
    /// 1-based row in the sheet.
    pub row: usize,
}

/// A parsed MDS2 form.
#[derive(Clone, Debug, PartialEq)]
pub struct Mds2Form {
    /// The file as the user named it.
    pub file: String,
    /// Answers by question id.
    pub answers: BTreeMap<String, QuestionAnswer>,
    /// Ports listed in the note of CONN-2 (wardwatch convention), as expected rules.
    pub port_rules: Vec<ExpectedRule>,
    /// Problems that did not stop reading.
    pub warnings: Vec<String>,
}

impl Mds2Form {
    /// The answer to `id` (`Missing` when the form lacks the question).
    pub fn answer(&self, id: &str) -> Answer {
        self.answers
            .get(id)
            .map(|a| a.answer.clone())
            .unwrap_or(Answer::Missing)
    }
}

/// Reads an MDS2 export.
pub fn parse(file: &str, format: Mds2Format, bytes: &[u8]) -> Result<Mds2Form, InputError> {
    let sheets = match format {
        Mds2Format::Csv => vec![table::csv_rows(file, bytes)?],
        Mds2Format::Xlsx => table::xlsx_sheets(file, bytes)?,
    };
    for (name, rows) in &sheets {
        if let Some(columns) = find_header(rows) {
            let sheet = (format == Mds2Format::Xlsx).then_some(name.as_str());
            return read_answers(file, sheet, rows, columns);
        }
    }
    Err(InputError::new(
        InputKind::Mds2,
        file,
        "(header)",
        format!(
            "no header row with an ID column and an Answer column in the first {HEADER_SEARCH_ROWS} rows of any sheet"
        ),
    ))
}

#[derive(Clone, Copy)]
struct Columns {
    header_row: usize,
    id: usize,
    answer: usize,
    note: Option<usize>,
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

fn find_header(rows: &[Vec<String>]) -> Option<Columns> {
    for (r, row) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let cells: Vec<String> = row.iter().map(|c| normalise(c)).collect();
        let id = cells.iter().position(|c| {
            matches!(
                c.as_str(),
                "id" | "question id" | "mds2 id" | "question #" | "ref" | "ref #" | "question ref"
            )
        });
        let answer = cells.iter().position(|c| {
            c.contains("answer")
                || c.contains("response")
                || c == "yes/no/n/a"
                || c == "yes, no, n/a"
        });
        if let (Some(id), Some(answer)) = (id, answer)
            && id != answer
        {
            let note = cells
                .iter()
                .position(|c| c.contains("note") || c.contains("comment") || c.contains("detail"));
            return Some(Columns {
                header_row: r,
                id,
                answer,
                note,
            });
        }
    }
    None
}

fn question_id_pattern() -> Option<&'static Regex> {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    PATTERN
        .get_or_init(|| Regex::new(r"^[A-Z]{3,5}-\d{1,3}(\.\d{1,3}){0,3}$").ok())
        .as_ref()
}

fn read_answers(
    file: &str,
    sheet: Option<&str>,
    rows: &[Vec<String>],
    c: Columns,
) -> Result<Mds2Form, InputError> {
    let pattern = question_id_pattern();
    let mut answers: BTreeMap<String, QuestionAnswer> = BTreeMap::new();
    let mut warnings = Vec::new();
    let at = |row: usize| match sheet {
        Some(s) => format!("sheet {s:?} row {row}"),
        None => format!("row {row}"),
    };
    for (r, row) in rows.iter().enumerate().skip(c.header_row.saturating_add(1)) {
        let Some((id, qa)) = row_answer(row, r.saturating_add(1), c, pattern) else {
            continue;
        };
        match answers.get(&id) {
            Some(previous) if previous.answer != qa.answer => {
                return Err(InputError::new(
                    InputKind::Mds2,
                    file,
                    format!("{} answer", at(qa.row)),
                    format!(
                        "question {id} is answered {} here and {} in row {}",
                        qa.answer.label(),
                        previous.answer.label(),
                        previous.row
                    ),
                ));
            }
            Some(_) => warnings.push(format!(
                "{}: question {id} appears twice with the same answer",
                at(qa.row)
            )),
            None => {
                answers.insert(id, qa);
            }
        }
    }
    if answers.is_empty() {
        return Err(InputError::new(
            InputKind::Mds2,
            file,
            format!("{} ID column", at(c.header_row.saturating_add(1))),
            "no row below the header has an MDS2 question id (like AUTH-1)",
        ));
    }
    let port_rules = match answers.get(questions::PORT_LIST) {
        Some(QuestionAnswer {
            note: Some(note),
            row,
            ..
        }) => port_rules(note).map_err(|m| {
            InputError::new(
                InputKind::Mds2,
                file,
                format!("{} note (CONN-2 port list)", at(*row)),
                m,
            )
        })?,
        _ => Vec::new(),
    };
    Ok(Mds2Form {
        file: file.to_owned(),
        answers,
        port_rules,
        warnings,
    })
}

/// The question id and answer of one row; `None` for rows that are not questions.
fn row_answer(
    row: &[String],
    line: usize,
    c: Columns,
    pattern: Option<&Regex>,
) -> Option<(String, QuestionAnswer)> {
    let raw_id = row
        .get(c.id)
        .map(|s| s.trim().to_ascii_uppercase())
        .unwrap_or_default();
    if !pattern.is_some_and(|p| p.is_match(&raw_id)) {
        return None;
    }
    // The 2019 form itself spells SAHD-15 as "SHAD-15".
    let id = if raw_id == "SHAD-15" {
        "SAHD-15".to_owned()
    } else {
        raw_id
    };
    let answer = Answer::from_cell(row.get(c.answer).map(String::as_str).unwrap_or_default());
    let note = c
        .note
        .and_then(|n| row.get(n))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    Some((
        id,
        QuestionAnswer {
            answer,
            note,
            row: line,
        },
    ))
}

fn port_pattern() -> Option<&'static Regex> {
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    PATTERN
        .get_or_init(|| {
            Regex::new(
                r"(?i)\b(tcp|udp)/(\d{1,6})(?:-(\d{1,6}))?\s+(from-device|to-device)(?:\s+(internal|external|any))?\b",
            )
            .ok()
        })
        .as_ref()
}

/// Parses the CONN-2 port list convention.
fn port_rules(note: &str) -> Result<Vec<ExpectedRule>, String> {
    let Some(pattern) = port_pattern() else {
        return Ok(Vec::new());
    };
    let mut rules = Vec::new();
    for caps in pattern.captures_iter(note).take(256) {
        let text = caps.get(0).map(|m| m.as_str()).unwrap_or_default();
        let port = |i: usize| -> Result<Option<u16>, String> {
            caps.get(i)
                .map(|m| {
                    m.as_str()
                        .parse::<u16>()
                        .map_err(|_| format!("{text:?}: port above 65535"))
                })
                .transpose()
        };
        let first = port(2)?.unwrap_or_default();
        let last = port(3)?.unwrap_or(first);
        if last < first {
            return Err(format!("{text:?}: range ends before it starts"));
        }
        let lower = |i: usize| {
            caps.get(i)
                .map(|m| m.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        };
        rules.push(ExpectedRule {
            direction: if lower(4) == "to-device" {
                Initiator::ToDevice
            } else {
                Initiator::FromDevice
            },
            transport: if lower(1) == "udp" {
                TransportMatch::Udp
            } else {
                TransportMatch::Tcp
            },
            ports: Some(PortRange { first, last }),
            peer: match lower(5).as_str() {
                "internal" => PeerKind::Internal,
                "external" => PeerKind::External,
                _ => PeerKind::Any,
            },
            dns_name: None,
            peer_class: None,
            source: "mds2:CONN-2".to_owned(),
        });
    }
    Ok(rules)
}

#[cfg(test)]
mod tests;
