//! MDS2 spreadsheets as rows of text cells: CSV (the `csv` crate) or XLSX (`calamine`).

use crate::error::{InputError, InputKind};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// Most rows read from one sheet.
pub const MAX_ROWS: usize = 10_000;
/// Most cells read from one row.
pub const MAX_COLUMNS: usize = 64;
/// Longest cell text kept.
pub const MAX_CELL_LEN: usize = 4096;

/// One sheet: its name and its rows.
pub(crate) type Sheet = (String, Vec<Vec<String>>);

fn cell(text: &str) -> String {
    crate::sbom::clip_to(text, MAX_CELL_LEN)
}

/// Reads a CSV export (comma separated, RFC 4180 quoting, UTF-8 or Windows-1252 bytes kept lossily).
pub(crate) fn csv_rows(file: &str, bytes: &[u8]) -> Result<Sheet, InputError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for (i, record) in reader.byte_records().enumerate() {
        if i >= MAX_ROWS {
            return Err(InputError::new(
                InputKind::Mds2,
                file,
                format!("row {}", i + 1),
                format!("more than {MAX_ROWS} rows"),
            ));
        }
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            InputError::new(
                InputKind::Mds2,
                file,
                format!("line {line}"),
                format!("not valid CSV: {e}"),
            )
        })?;
        rows.push(
            record
                .iter()
                .take(MAX_COLUMNS)
                .map(|c| cell(&String::from_utf8_lossy(c)))
                .collect(),
        );
    }
    Ok(("csv".to_owned(), rows))
}

/// Reads every worksheet of an XLSX workbook.
pub(crate) fn xlsx_sheets(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, InputError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        InputError::new(
            InputKind::Mds2,
            file,
            "(workbook)",
            format!("not a readable XLSX workbook: {e}"),
        )
    })?;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(|e| {
            InputError::new(
                InputKind::Mds2,
                file,
                format!("sheet {name:?}"),
                format!("unreadable: {e}"),
            )
        })?;
        let rows = range
            .rows()
            .take(MAX_ROWS)
            .map(|row| row.iter().take(MAX_COLUMNS).map(data_text).collect())
            .collect();
        sheets.push((name, rows));
    }
    Ok(sheets)
}

fn data_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => cell(s),
        Data::Bool(b) => {
            if *b {
                "Yes".into()
            } else {
                "No".into()
            }
        }
        other => cell(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting_and_ragged_rows() {
        let (_, rows) = csv_rows(
            "f.csv",
            b"ID,Question,Answer\nAUTH-1,\"Login, with \"\"quotes\"\"\",Yes\nX\n",
        )
        .unwrap();
        assert_eq!(rows[1], ["AUTH-1", "Login, with \"quotes\"", "Yes"]);
        assert_eq!(rows[2], ["X"]);
    }

    #[test]
    fn non_xlsx_bytes_are_refused() {
        let e = xlsx_sheets("f.xlsx", b"PK\x03\x04 not really").unwrap_err();
        assert_eq!(e.field, "(workbook)");
    }
}
