//! MDS2 spreadsheets as rows of text cells: CSV (the `csv` crate) or XLSX (`calamine`).

use crate::error::{InputError, InputKind};
use calamine::{Data, DataRef, Reader, Xlsx, XlsxError};
use std::io::{Cursor, Read, Seek};

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
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| refuse(format!("not a readable XLSX workbook: {e}")))?;
        let worksheet = entry
            .name()
            .is_ok_and(|n| n.starts_with("xl/worksheets/") && n.ends_with(".xml"));
        if !worksheet {
            continue;
        }
        let mut xml = Vec::new();
        (&mut entry)
            .take(MAX_XLSX_INFLATED)
            .read_to_end(&mut xml)
            .map_err(|e| refuse(format!("not a readable XLSX workbook: {e}")))?;
        if let Some(bad) = oversized_reference(&xml) {
            return Err(refuse(format!(
                "cell reference {bad:?} is beyond the last Excel cell XFD1048576"
            )));
        }
    }
    Ok(())
}

/// The first cell reference (`r` or `ref` attribute of a worksheet) with more than 3 column
/// letters or 7 row digits. calamine 0.38 reads such references with unchecked `u32`
/// arithmetic (an overflow panic in debug builds, a wrapped position in release; found by the
/// `assess_mds2` fuzz target), so the workbook is refused before calamine sees it.
fn oversized_reference(xml: &[u8]) -> Option<String> {
    for (eq, _) in xml.iter().enumerate().filter(|(_, b)| **b == b'=') {
        // The attribute name, looked at through a fixed window (no scan back: linear time).
        let named = |name: &[u8]| {
            eq.checked_sub(name.len() + 1)
                .and_then(|s| xml.get(s..eq))
                .and_then(|w| w.split_first())
                .is_some_and(|(before, n)| before.is_ascii_whitespace() && n == name)
        };
        if !(named(b"r") || named(b"ref")) {
            continue;
        }
        let Some(&quote) = xml.get(eq + 1).filter(|q| matches!(q, b'"' | b'\'')) else {
            continue;
        };
        let rest = xml.get(eq + 2..)?;
        let value = rest.get(..rest.iter().position(|b| *b == quote)?)?;
        for part in value.split(|b| matches!(b, b':' | b' ')) {
            let letters = part.iter().filter(|b| b.is_ascii_alphabetic()).count();
            let digits = part.iter().filter(|b| b.is_ascii_digit()).count();
            if letters > 3 || digits > 7 {
                return Some(String::from_utf8_lossy(value).chars().take(40).collect());
            }
        }
    }
    None
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
        let rows = sheet_rows(&mut workbook, &name).map_err(|e| {
            InputError::new(
                InputKind::Mds2,
                file,
                format!("sheet {name:?}"),
                format!("unreadable: {e}"),
            )
        })?;
        sheets.push((name, rows));
    }
    Ok(sheets)
}

/// The used range of one worksheet (from its first used row and column, as calamine's
/// `worksheet_range` reports it), cut to [`MAX_ROWS`] × [`MAX_COLUMNS`], read with calamine's
/// streaming cell reader in two passes (bounds, then cells). `worksheet_range` itself must not
/// be used: it allocates the whole used range densely, so one cell at XFD1048576 asks for
/// 512 GiB and aborts (found by the `assess_mds2` fuzz target; see `fuzz/regressions/`).
fn sheet_rows<RS: Read + Seek>(
    workbook: &mut Xlsx<RS>,
    name: &str,
) -> Result<Vec<Vec<String>>, XlsxError> {
    let mut bounds: Option<((u32, u32), (u32, u32))> = None;
    {
        let mut reader = match workbook.worksheet_cells_reader(name) {
            Ok(reader) => reader,
            Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        while let Some(cell) = reader.next_cell()? {
            if matches!(cell.get_value(), DataRef::Empty) {
                continue;
            }
            let (r, c) = cell.get_position();
            bounds = Some(match bounds {
                None => ((r, c), (r, c)),
                Some(((r0, c0), (r1, c1))) => ((r0.min(r), c0.min(c)), (r1.max(r), c1.max(c))),
            });
        }
    }
    let Some(((r0, c0), (r1, c1))) = bounds else {
        return Ok(Vec::new());
    };
    let span = |from: u32, to: u32, cap: usize| {
        usize::try_from(to.saturating_sub(from))
            .unwrap_or(usize::MAX)
            .saturating_add(1)
            .min(cap)
    };
    let width = span(c0, c1, MAX_COLUMNS);
    let mut rows = vec![vec![String::new(); width]; span(r0, r1, MAX_ROWS)];
    let mut reader = workbook.worksheet_cells_reader(name)?;
    while let Some(cell) = reader.next_cell()? {
        let (r, c) = cell.get_position();
        let (Ok(row), Ok(col)) = (
            usize::try_from(r.saturating_sub(r0)),
            usize::try_from(c.saturating_sub(c0)),
        ) else {
            continue;
        };
        if let Some(slot) = rows.get_mut(row).and_then(|cells| cells.get_mut(col)) {
            *slot = data_text(&Data::from(cell.get_value().clone()));
        }
    }
    Ok(rows)
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

    /// The fixture workbook with `extra` cells added to the end of its first sheet.
    fn fixture_with(extra: &str) -> Vec<u8> {
        use std::io::Write;
        let fixture = include_bytes!("../../../../fixtures/assess/infusafe-300.mds2.xlsx");
        let mut src = zip::ZipArchive::new(Cursor::new(&fixture[..])).unwrap();
        let mut raw = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut raw);
            for i in 0..src.len() {
                let mut entry = src.by_index(i).unwrap();
                let name = entry.name().unwrap().to_string();
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                if name == "xl/worksheets/sheet1.xml" {
                    let text = String::from_utf8(data).unwrap();
                    data = text
                        .replace("</sheetData>", &format!("{extra}</sheetData>"))
                        .into_bytes();
                }
                zip.start_file(name, zip::write::SimpleFileOptions::default())
                    .unwrap();
                zip.write_all(&data).unwrap();
            }
            zip.finish().unwrap();
        }
        raw.into_inner()
    }

    /// Regression (found by the `assess_mds2` fuzz target): calamine's `worksheet_range`
    /// allocates the used range densely, so one cell at the last Excel cell asked for 512 GiB.
    #[test]
    fn a_cell_at_the_last_excel_cell_is_read_without_a_dense_sheet() {
        let plain = xlsx_sheets("f.xlsx", &fixture_with("")).unwrap();
        let far =
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>"#;
        let sheets = xlsx_sheets("f.xlsx", &fixture_with(far)).unwrap();
        let (rows, plain_rows) = (&sheets[0].1, &plain[0].1);
        assert_eq!(rows.len(), MAX_ROWS);
        assert!(rows.iter().all(|r| r.len() == MAX_COLUMNS));
        // The cells that were there read the same.
        for (row, plain_row) in rows.iter().zip(plain_rows) {
            assert_eq!(&row[..plain_row.len()], &plain_row[..]);
        }
    }

    /// Regression (found by the `assess_mds2` fuzz target): calamine 0.38 reads cell references
    /// with unchecked `u32` arithmetic, so a reference past XFD1048576 overflowed (a panic in
    /// debug builds). Such workbooks are refused first.
    #[test]
    fn cell_references_beyond_the_last_excel_cell_are_refused() {
        for bad in [
            r#"<row r="7"><c r="AAAAAAAAAAAAA7"><v>1</v></c></row>"#,
            r#"<row r="99999999999"><c r='A99999999999'><v>1</v></c></row>"#,
        ] {
            let e = xlsx_sheets("f.xlsx", &fixture_with(bad)).unwrap_err();
            assert!(e.message.contains("beyond the last Excel cell"), "{e}");
        }
        assert_eq!(
            oversized_reference(br#"<c r="XFD1048576" spans="1:30000000">"#),
            None
        );
        assert_eq!(
            oversized_reference(br#"<x ref="A1:XFD1048576" rr="ABCDEFGH1">"#),
            None
        );
        assert_eq!(
            oversized_reference(b"<dimension\nref='A1:ABCD1'/>"),
            Some("A1:ABCD1".into())
        );
    }

    #[test]
    fn non_xlsx_bytes_are_refused() {
        let e = xlsx_sheets("f.xlsx", b"PK\x03\x04 not really").unwrap_err();
        assert_eq!(e.field, "(workbook)");
    }
}
