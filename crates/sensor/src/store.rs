//! Files the sensor writes and must never leave half-written: atomic replacement (temp file in
//! the same directory, write, fsync, rename, fsync the directory) and a checksummed envelope for
//! state files, verified on load and before it replaces the previous file.
//!
//! Envelope layout: one ASCII header line, then the body:
//! `wardwatch-envelope 1 <kind> <body length> <sha256 of body, hex>\n<body>`.

use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// First word of every envelope.
const MAGIC: &str = "wardwatch-envelope";
/// Envelope format version written by this build.
pub const ENVELOPE_VERSION: u32 = 1;
/// Marker inside temp-file names (`.<name>.wwtmp-<pid>-<n>`), used to find leftovers.
const TEMP_MARKER: &str = ".wwtmp-";
/// Longest header line read.
const MAX_HEADER: usize = 256;

/// Why a store operation failed. Messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading, writing, syncing or renaming failed.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The IO error.
        source: io::Error,
    },
    /// The file is not a valid envelope of the expected kind.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_err(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> StoreError + use<> {
    let path = path.to_path_buf();
    move |source| StoreError::Io { path, op, source }
}

fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let temp = format!(".{name}{TEMP_MARKER}{}-{n}", std::process::id());
    path.with_file_name(temp)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Replaces `path` with `bytes` atomically: readers see the old file or the new one, never a
/// mix, even across a crash or power loss. `verify` checks the temp file's bytes as read back
/// from disk before the rename; if it refuses, the old file stays.
pub fn write_atomic_verified(
    path: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<(), StoreError> {
    let temp = temp_path(path);
    let result = write_temp_and_rename(path, &temp, bytes, verify);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// [`write_atomic_verified`] without a content check.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    write_atomic_verified(path, bytes, |_| Ok(()))
}

fn write_temp_and_rename(
    path: &Path,
    temp: &Path,
    bytes: &[u8],
    verify: impl FnOnce(&[u8]) -> Result<(), String>,
) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(io_err(temp, "create temp file"))?;
    file.write_all(bytes).map_err(io_err(temp, "write"))?;
    file.sync_all().map_err(io_err(temp, "fsync"))?;
    drop(file);
    let written = fs::read(temp).map_err(io_err(temp, "read back"))?;
    if written != bytes {
        return Err(StoreError::Corrupt {
            path: temp.to_path_buf(),
            reason: "read-back differs from what was written".into(),
        });
    }
    verify(&written).map_err(|reason| StoreError::Corrupt {
        path: temp.to_path_buf(),
        reason,
    })?;
    fs::rename(temp, path).map_err(io_err(path, "rename into place"))?;
    let dir = parent_dir(path);
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir, "fsync directory"))
}

/// A file's modification time and size, to tell whether it changed since it was read (`None`
/// when it cannot be read).
pub fn file_stamp(path: &Path) -> Option<(std::time::SystemTime, u64)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Removes temp files left by an interrupted write in `dir`; returns how many were removed.
pub fn remove_stale_temps(dir: &Path) -> Result<usize, StoreError> {
    let mut removed = 0;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io_err(dir, "list directory")(e)),
    };
    for entry in entries {
        let entry = entry.map_err(io_err(dir, "list directory"))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(TEMP_MARKER) {
            let path = entry.path();
            fs::remove_file(&path).map_err(io_err(&path, "remove stale temp file"))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Wraps `body` in an envelope of `kind` (a short word without spaces).
pub fn encode_envelope(kind: &str, body: &[u8]) -> Vec<u8> {
    let digest = hex::encode(Sha256::digest(body));
    let mut out = format!(
        "{MAGIC} {ENVELOPE_VERSION} {kind} {} {digest}\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Checks an envelope of `kind` and returns its body.
pub fn decode_envelope<'a>(kind: &str, bytes: &'a [u8]) -> Result<&'a [u8], String> {
    let window = bytes.get(..bytes.len().min(MAX_HEADER)).unwrap_or(bytes);
    let newline = window
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no envelope header line")?;
    let header = std::str::from_utf8(window.get(..newline).unwrap_or_default())
        .map_err(|_| "envelope header is not text")?;
    let body = bytes.get(newline + 1..).unwrap_or_default();
    let fields: Vec<&str> = header.split(' ').collect();
    let [magic, version, found_kind, len, digest] = fields.as_slice() else {
        return Err(format!("malformed envelope header {header:?}"));
    };
    if *magic != MAGIC {
        return Err("not a wardwatch envelope".into());
    }
    if *version != ENVELOPE_VERSION.to_string() {
        return Err(format!(
            "envelope version {version} is not supported (this build reads {ENVELOPE_VERSION})"
        ));
    }
    if *found_kind != kind {
        return Err(format!("holds {found_kind:?}, expected {kind:?}"));
    }
    if len.parse::<usize>().ok() != Some(body.len()) {
        return Err(format!(
            "truncated or padded: header says {len} bytes, body has {}",
            body.len()
        ));
    }
    if hex::encode(Sha256::digest(body)) != *digest {
        return Err("checksum mismatch (the file is damaged)".into());
    }
    Ok(body)
}

/// Writes `body` as an envelope of `kind` to `path`, atomically and verified.
pub fn save_envelope(path: &Path, kind: &str, body: &[u8]) -> Result<(), StoreError> {
    let bytes = encode_envelope(kind, body);
    write_atomic_verified(path, &bytes, |written| {
        decode_envelope(kind, written).map(|_| ())
    })
}

/// Reads and verifies an envelope of `kind`; `Ok(None)` when the file does not exist.
pub fn load_envelope(path: &Path, kind: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path, "read")(e)),
    };
    decode_envelope(kind, &bytes)
        .map(|body| Some(body.to_vec()))
        .map_err(|reason| StoreError::Corrupt {
            path: path.to_path_buf(),
            reason,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_round_trip_and_header_text() {
        let bytes = encode_envelope("state", b"hello");
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            "wardwatch-envelope 1 state 5 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\nhello"
        );
        assert_eq!(decode_envelope("state", &bytes).unwrap(), b"hello");
        assert_eq!(
            decode_envelope("inventory", &bytes).unwrap_err(),
            "holds \"state\", expected \"inventory\""
        );
    }

    #[test]
    fn every_truncation_and_bit_flip_is_refused() {
        let bytes = encode_envelope("state", b"{\"packets\":42}");
        for cut in 0..bytes.len() {
            assert!(
                decode_envelope("state", &bytes[..cut]).is_err(),
                "cut {cut}"
            );
        }
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x01;
            assert!(decode_envelope("state", &flipped).is_err(), "flip {i}");
        }
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state");
        save_envelope(&path, "state", b"one").unwrap();
        save_envelope(&path, "state", b"two").unwrap();
        assert_eq!(load_envelope(&path, "state").unwrap().unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(
            load_envelope(&dir.path().join("none"), "state").unwrap(),
            None
        );
    }

    #[test]
    fn a_refused_write_keeps_the_good_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state");
        save_envelope(&path, "state", b"good").unwrap();
        let err = write_atomic_verified(&path, b"garbage", |b| {
            decode_envelope("state", b).map(|_| ())
        })
        .unwrap_err();
        assert!(err.to_string().contains("no envelope header line"), "{err}");
        assert_eq!(load_envelope(&path, "state").unwrap().unwrap(), b"good");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temp removed");
    }

    #[test]
    fn torn_temp_files_are_removed_and_never_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state");
        save_envelope(&path, "state", b"complete").unwrap();
        // A crash mid-write leaves a partial temp file beside the good one.
        let full = encode_envelope("state", b"newer but torn");
        let torn = dir.path().join(format!(".s.state{TEMP_MARKER}999-0"));
        fs::write(&torn, &full[..full.len() / 2]).unwrap();
        fs::write(dir.path().join("keep.txt"), b"x").unwrap();
        assert_eq!(load_envelope(&path, "state").unwrap().unwrap(), b"complete");
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        assert!(!torn.exists());
        assert!(dir.path().join("keep.txt").exists());
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.state");
        save_envelope(&path, "state", b"0123456789").unwrap();
        let mut bytes = fs::read(&path).unwrap();
        bytes.truncate(bytes.len() - 3);
        fs::write(&path, bytes).unwrap();
        let err = load_envelope(&path, "state").unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: truncated or padded: header says 10 bytes, body has 7",
                path.display()
            )
        );
    }
}
