//! Reading JSON-lines files the sensor's users hand it (alert files, feature logs, labels and
//! device lists): one value per line, blank lines skipped, every line bounded before it is
//! buffered, and every error naming the file and the 1-based line.

use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Longest line read (1 MiB); a longer line is refused before it is buffered whole.
pub const MAX_LINE_BYTES: u64 = 1024 * 1024;

/// Why a JSON-lines file could not be read. Messages name the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum JsonLinesError {
    /// Opening or reading failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The content is not what it should be.
    #[error("{}:{line}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line (0: the file as a whole).
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// Reads a JSON-lines file line by line.
pub struct JsonLines<R> {
    path: PathBuf,
    reader: R,
    line: u64,
    consumed: u64,
}

impl JsonLines<BufReader<File>> {
    /// Opens a file.
    pub fn open(path: &Path) -> Result<Self, JsonLinesError> {
        let file = File::open(path).map_err(|source| JsonLinesError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(JsonLines::new(path, BufReader::new(file)))
    }
}

impl<R: BufRead> JsonLines<R> {
    /// Reads from any buffered reader; `path` names it in errors.
    pub fn new(path: &Path, reader: R) -> Self {
        JsonLines {
            path: path.to_path_buf(),
            reader,
            line: 0,
            consumed: 0,
        }
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// The next non-blank line without its line ending, with its 1-based number; `None` at the
    /// end of the file.
    pub fn next_line(&mut self) -> Result<Option<(u64, Vec<u8>)>, JsonLinesError> {
        loop {
            let mut raw = Vec::new();
            self.line += 1;
            let read = (&mut self.reader)
                .take(MAX_LINE_BYTES + 1)
                .read_until(b'\n', &mut raw)
                .map_err(|source| JsonLinesError::Io {
                    path: self.path.clone(),
                    source,
                })?;
            if read == 0 {
                return Ok(None);
            }
            self.consumed += read as u64;
            if raw.last() == Some(&b'\n') {
                raw.pop();
            }
            if raw.len() as u64 > MAX_LINE_BYTES {
                return Err(self.invalid(format!("line longer than {MAX_LINE_BYTES} bytes")));
            }
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some((self.line, raw)));
        }
    }

    /// The next line parsed as `T`; `what` names `T` in errors ("an alert").
    pub fn next_value<T: DeserializeOwned>(
        &mut self,
        what: &str,
    ) -> Result<Option<(u64, Vec<u8>, T)>, JsonLinesError> {
        let Some((line, raw)) = self.next_line()? else {
            return Ok(None);
        };
        let value = serde_json::from_slice(&raw)
            .map_err(|e| self.invalid(format!("not {what}: {}", json_reason(&e))))?;
        Ok(Some((line, raw, value)))
    }

    /// An error about the current line.
    pub fn invalid(&self, reason: String) -> JsonLinesError {
        JsonLinesError::Invalid {
            path: self.path.clone(),
            line: self.line,
            reason,
        }
    }
}

/// serde_json's message with its position inside the line as a column (the line number it
/// counts is always 1 here, which would contradict the file's line number in front of it).
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(message) => format!("{message} (column {})", e.column()),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_skipped_and_numbers_count_them() {
        let mut r = JsonLines::new(Path::new("x.jsonl"), &b"\n{\"a\":1}\r\n  \n[2]"[..]);
        assert_eq!(r.next_line().unwrap(), Some((2, b"{\"a\":1}\r".to_vec())));
        let (line, _, v) = r.next_value::<Vec<u32>>("a list").unwrap().unwrap();
        assert_eq!((line, v), (4, vec![2]));
        assert!(r.next_line().unwrap().is_none());
        assert_eq!(r.position(), 16);
    }

    #[test]
    fn errors_name_file_line_and_column_and_long_lines_are_refused() {
        let mut r = JsonLines::new(Path::new("x.jsonl"), &b"{}\n{\"a\":}\n"[..]);
        let err = r.next_value::<Vec<u32>>("a list").unwrap_err().to_string();
        assert!(
            err.starts_with("x.jsonl:1: not a list: invalid type"),
            "{err}"
        );
        let err = r.next_value::<serde_json::Value>("a value").unwrap_err();
        assert!(err.to_string().ends_with("(column 6)"), "{err}");
        let long = vec![b'x'; (MAX_LINE_BYTES + 10) as usize];
        let mut r = JsonLines::new(Path::new("y.jsonl"), &long[..]);
        assert_eq!(
            r.next_line().unwrap_err().to_string(),
            format!("y.jsonl:1: line longer than {MAX_LINE_BYTES} bytes")
        );
    }
}
