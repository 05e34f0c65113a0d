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

/// Most bytes an XLSX workbook may declare once inflated (a guard against zip bombs).
pub const MAX_XLSX_INFLATED: u64 = 64 * 1024 * 1024;
/// Most entries an XLSX workbook may have.
pub const MAX_XLSX_ENTRIES: usize = 1000;

/// Refuses workbooks whose entries declare more than [`MAX_XLSX_INFLATED`] bytes in total, before
/// calamine inflates anything. Declared sizes are what is checked: an entry that lies about its
/// size is left to the zip reader's own limits (not verified here).
fn check_inflated_size(file: &str, bytes: &[u8]) -> Result<(), InputError> {
    let refuse = |m: String| InputError::new(InputKind::Mds2, file, "(workbook)", m);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| refuse(format!("not a readable XLSX workbook: {e}")))?;
    if archive.len() > MAX_XLSX_ENTRIES {
        return Err(refuse(format!("more than {MAX_XLSX_ENTRIES} entries")));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let size = archive
            .by_index_raw(i)
            .map_err(|e| refuse(format!("not a readable XLSX workbook: {e}")))?
            .size();
        total = total.saturating_add(size);
        if total > MAX_XLSX_INFLATED {
            return Err(refuse(format!(
                "inflates to more than {MAX_XLSX_INFLATED} bytes"
            )));
        }
    }
    Ok(())
}

/// Reads every worksheet of an XLSX workbook.
pub(crate) fn xlsx_sheets(file: &str, bytes: &[u8]) -> Result<Vec<Sheet>, InputError> {
    check_inflated_size(file, bytes)?;
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
    fn oversized_workbooks_are_refused_before_inflating() {
        use std::io::Write;
        let mut raw = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut raw);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
            let block = vec![b' '; 1 << 20];
            for _ in 0..65 {
                zip.write_all(&block).unwrap();
            }
            zip.finish().unwrap();
        }
        let e = xlsx_sheets("big.xlsx", raw.get_ref()).unwrap_err();
        assert!(e.message.contains("inflates to more than"), "{e}");
    }

    #[test]
    fn non_xlsx_bytes_are_refused() {
        let e = xlsx_sheets("f.xlsx", b"PK\x03\x04 not really").unwrap_err();
        assert_eq!(e.field, "(workbook)");
    }
}
