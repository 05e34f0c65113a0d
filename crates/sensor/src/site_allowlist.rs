//! The site allow-list file (`alerts.allowlist`): operator verdicts as `[[allow]]` entries,
//! parsed by `wardwatch_baseline::Allowlist`. Loaded at start (a bad file stops the start),
//! re-read at SIGHUP and whenever its modification time or size changes (a bad edit is refused
//! and the list in force stays), and every expired entry is logged once.

use crate::store;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use wardwatch_baseline::Allowlist;
use wardwatch_flow::Timestamp;

/// Largest allow-list file read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why the allow-list file was refused. The message names the file.
#[derive(Debug, thiserror::Error)]
#[error("alerts.allowlist {}: {reason}", path.display())]
pub struct AllowlistFileError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub reason: String,
}

/// The allow-list file and what was last read from it.
#[derive(Debug, Default)]
pub struct SiteAllowlist {
    path: Option<PathBuf>,
    stamp: Option<(SystemTime, u64)>,
    reported: BTreeSet<usize>,
}

impl SiteAllowlist {
    /// Reads the file (none configured: an empty list).
    pub fn open(path: Option<&Path>) -> Result<(SiteAllowlist, Allowlist), AllowlistFileError> {
        let mut site = SiteAllowlist {
            path: path.map(Path::to_path_buf),
            ..SiteAllowlist::default()
        };
        let list = site.read()?;
        Ok((site, list))
    }

    /// The configured file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Reads the file again (its expired entries are reported afresh).
    pub fn read(&mut self) -> Result<Allowlist, AllowlistFileError> {
        let Some(path) = self.path.clone() else {
            return Ok(Allowlist::empty());
        };
        let err = |reason: String| AllowlistFileError {
            path: path.clone(),
            reason,
        };
        let before = store::file_stamp(&path);
        let size = std::fs::metadata(&path)
            .map_err(|e| err(format!("cannot read: {e}")))?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(err(format!(
                "{size} bytes is too large (limit {MAX_FILE_BYTES})"
            )));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| err(format!("cannot read: {e}")))?;
        let list = Allowlist::parse(&text).map_err(|e| err(e.to_string()))?;
        self.stamp = before;
        self.reported.clear();
        Ok(list)
    }

    /// True when the file's modification time or size differs from the last read (a file that
    /// disappeared counts as unchanged: the list in force stays).
    pub fn changed(&self) -> bool {
        match &self.path {
            Some(path) => store::file_stamp(path).is_some_and(|now| Some(now) != self.stamp),
            None => false,
        }
    }

    /// Marks the current file as seen without reading it (after a refused edit, so the refusal
    /// is logged once, not at every check).
    pub fn mark_seen(&mut self) {
        if let Some(path) = &self.path {
            self.stamp = store::file_stamp(path);
        }
    }

    /// Logs each entry expired at packet time `now` once; returns how many were new.
    pub fn report_expired(&mut self, list: &Allowlist, now: Timestamp) -> usize {
        let mut new = 0;
        for (number, entry) in list.expired(now) {
            if self.reported.insert(number) {
                new += 1;
                tracing::warn!(
                    file = %self.path.as_deref().unwrap_or(Path::new("")).display(),
                    entry = number,
                    reason = %entry.reason,
                    author = %entry.author,
                    expired = %entry.expires.map(Timestamp::to_rfc3339).unwrap_or_default(),
                    "allow-list entry expired; its alerts are raised again (renew or remove it)"
                );
            }
        }
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "[[allow]]\nkind = \"beaconing\"\nreason = \"vendor telemetry\"\nauthor = \"j.doe\"\ncreated = \"2026-01-05T08:00:00Z\"\nexpires = \"2026-02-01T00:00:00Z\"\n";

    #[test]
    fn loads_detects_changes_and_reports_expiry_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("allow.toml");
        std::fs::write(&path, ENTRY).unwrap();
        let (mut site, list) = SiteAllowlist::open(Some(&path)).unwrap();
        assert_eq!(list.entries().len(), 1);
        assert!(!site.changed());
        let before = Timestamp::parse_rfc3339("2026-01-31T00:00:00Z").unwrap();
        let after = Timestamp::parse_rfc3339("2026-02-02T00:00:00Z").unwrap();
        assert_eq!(site.report_expired(&list, before), 0);
        assert_eq!(site.report_expired(&list, after), 1);
        assert_eq!(site.report_expired(&list, after), 0, "reported once");

        std::fs::write(&path, format!("{ENTRY}{ENTRY}")).unwrap();
        assert!(site.changed(), "size changed");
        assert_eq!(site.read().unwrap().entries().len(), 2);
        assert!(!site.changed());

        std::fs::write(&path, "[[allow]]\nport = 70000\n").unwrap();
        assert!(site.changed());
        let err = site.read().unwrap_err().to_string();
        assert!(
            err.starts_with(&format!(
                "alerts.allowlist {}: allow-list entry 1 (line 1)",
                path.display()
            )),
            "{err}"
        );
        site.mark_seen();
        assert!(!site.changed());
    }

    #[test]
    fn none_configured_is_an_empty_list_and_a_missing_file_an_error() {
        let (site, list) = SiteAllowlist::open(None).unwrap();
        assert!(list.entries().is_empty());
        assert!(!site.changed());
        let err = SiteAllowlist::open(Some(Path::new("/nonexistent/allow.toml"))).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("alerts.allowlist /nonexistent/allow.toml: cannot read")
        );
    }
}
