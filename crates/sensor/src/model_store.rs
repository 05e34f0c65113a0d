//! The model store: a directory of versioned trained model sets (layout in `docs/retraining.md`).
//!
//! ```text
//! <store>/ACTIVE                  the active version id (one line)
//! <store>/HISTORY                 what happened, one line each: add V / activate V / rollback V
//! <store>/<version>/profiles.wwm  the encoded wardwatch_baseline::ModelSet (own magic + SHA-256)
//! <store>/<version>/manifest.json version, schema, inputs, summary, SHA-256 of every file
//! <store>/.tmp-<pid>-<n>/         a version being written (removed at next start if its writer died)
//! ```
//!
//! Writes are atomic: a version is written into a temp directory inside the store (files
//! fsynced), renamed into place and the store fsynced; `ACTIVE` and `HISTORY` are replaced by
//! atomic rename. A reader therefore sees the previous state or the new one, never a part, and a
//! writer killed at any moment leaves the previous active version intact. Loading verifies the
//! manifest, every file's SHA-256, the profile file's own checksum and the version id itself
//! (a hash of the content), and every error names the file and what is wrong. The active version
//! and the three most recent earlier ones are kept; older ones are pruned.

use crate::model_manifest::{MANIFEST_FILE, Manifest, PROFILES_FILE, is_version_id};
use crate::store;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use wardwatch_baseline::ModelSet as Profiles;

/// File holding the active version id.
pub const ACTIVE_FILE: &str = "ACTIVE";
/// File holding the store's history (adds, activations, rollbacks).
pub const HISTORY_FILE: &str = "HISTORY";
/// Earlier versions kept besides the active one (at least).
pub const KEEP_PREVIOUS: usize = 3;
/// Lines of history kept.
const MAX_HISTORY_LINES: usize = 512;
/// Prefix of temp directories inside the store.
const TEMP_DIR_PREFIX: &str = ".tmp-";
/// Marker of the temp files `store::write_atomic` makes (for `ACTIVE` and `HISTORY`).
const TEMP_FILE_MARKER: &str = ".wwtmp-";
/// Largest file of a version read (the model-file format's own limit plus its header).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024 + 64;

/// Why a store operation failed. Messages name the file.
#[derive(Debug, thiserror::Error)]
pub enum ModelStoreError {
    /// Reading, writing, syncing or renaming failed.
    #[error("{}: {op}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        op: &'static str,
        /// The IO error.
        source: io::Error,
    },
    /// A file is damaged, inconsistent or not what it should be.
    #[error("{}: {reason}", path.display())]
    Invalid {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

type Result<T> = std::result::Result<T, ModelStoreError>;

fn io_err(path: &Path, op: &'static str) -> impl FnOnce(io::Error) -> ModelStoreError + use<> {
    let path = path.to_path_buf();
    move |source| ModelStoreError::Io { path, op, source }
}

fn invalid(path: &Path, reason: impl Into<String>) -> ModelStoreError {
    ModelStoreError::Invalid {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// A verified version: its manifest and decoded profiles.
#[derive(Clone, Debug)]
pub struct LoadedVersion {
    /// Its manifest.
    pub manifest: Manifest,
    /// The profiles.
    pub profiles: Profiles,
}

/// One line of `HISTORY`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
    Add(String),
    Activate(String),
    Rollback(String),
}

impl Event {
    fn parse(line: &str) -> Option<Event> {
        let (word, version) = line.split_once(' ')?;
        let version = is_version_id(version).then(|| version.to_owned())?;
        match word {
            "add" => Some(Event::Add(version)),
            "activate" => Some(Event::Activate(version)),
            "rollback" => Some(Event::Rollback(version)),
            _ => None,
        }
    }

    fn line(&self) -> String {
        match self {
            Event::Add(v) => format!("add {v}\n"),
            Event::Activate(v) => format!("activate {v}\n"),
            Event::Rollback(v) => format!("rollback {v}\n"),
        }
    }
}

/// A model store directory.
#[derive(Clone, Debug)]
pub struct ModelStore {
    dir: PathBuf,
}

impl ModelStore {
    /// The store at `dir` (nothing is read or created yet).
    pub fn new(dir: &Path) -> ModelStore {
        ModelStore {
            dir: dir.to_path_buf(),
        }
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The active version id; `None` when the store or its `ACTIVE` file does not exist yet.
    pub fn active(&self) -> Result<Option<String>> {
        let path = self.dir.join(ACTIVE_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err(&path, "read")(e)),
        };
        let version = text.trim_end_matches('\n');
        if !is_version_id(version) {
            return Err(invalid(
                &path,
                format!(
                    "does not hold a version id (got {:?})",
                    version.chars().take(40).collect::<String>()
                ),
            ));
        }
        Ok(Some(version.to_owned()))
    }

    /// Loads and verifies the active version; `None` when there is none yet.
    pub fn load_active(&self) -> Result<Option<LoadedVersion>> {
        match self.active()? {
            Some(version) => self.load(&version).map(Some),
            None => Ok(None),
        }
    }

    /// Loads and verifies one version: manifest, every file's SHA-256, the profile file's own
    /// checksum and schema, and the version id against the content.
    pub fn load(&self, version: &str) -> Result<LoadedVersion> {
        let dir = self.version_dir(version)?;
        if !dir.is_dir() {
            return Err(invalid(&dir, "no such version in the store"));
        }
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest_bytes = read_capped(&manifest_path)?;
        let manifest = Manifest::parse(&manifest_bytes).map_err(|r| invalid(&manifest_path, r))?;
        if manifest.version != version {
            return Err(invalid(
                &manifest_path,
                format!(
                    "names version {:?}, but it is in directory {version:?}",
                    manifest.version
                ),
            ));
        }
        if !manifest.files.contains_key(PROFILES_FILE) {
            return Err(invalid(
                &manifest_path,
                format!("does not list {PROFILES_FILE}"),
            ));
        }
        let mut profiles_bytes = Vec::new();
        for (name, expected) in &manifest.files {
            if name.contains(['/', '\\']) || name.starts_with('.') {
                return Err(invalid(
                    &manifest_path,
                    format!("lists a bad file name {name:?}"),
                ));
            }
            let path = dir.join(name);
            let bytes = read_capped(&path)?;
            let actual = hex::encode(Sha256::digest(&bytes));
            if &actual != expected {
                return Err(invalid(
                    &path,
                    format!(
                        "SHA-256 mismatch: the manifest says {expected}, the file has {actual} (damaged or replaced)"
                    ),
                ));
            }
            if name == PROFILES_FILE {
                profiles_bytes = bytes;
            }
        }
        let profiles_path = dir.join(PROFILES_FILE);
        let profiles = Profiles::decode(&profiles_bytes)
            .map_err(|e| invalid(&profiles_path, e.to_string()))?;
        if manifest.content_version(&profiles_bytes) != version {
            return Err(invalid(
                &manifest_path,
                "its content does not match the version id (edited or damaged)",
            ));
        }
        Ok(LoadedVersion { manifest, profiles })
    }

    /// Version directories present, sorted (ids start with the training end time, so this is
    /// oldest training data first).
    pub fn versions(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err(&self.dir, "list")(e)),
        };
        let mut versions = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_err(&self.dir, "list"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_version_id(&name) && entry.path().is_dir() {
                versions.push(name);
            }
        }
        versions.sort();
        Ok(versions)
    }

    /// Writes a new version (manifest `version` and `files` are filled in here) and returns its
    /// id. Writing the same content again returns the same id and changes nothing.
    pub fn add(&self, mut manifest: Manifest, profiles: &[u8]) -> Result<String> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir, "create store directory"))?;
        manifest.files = BTreeMap::from([(
            PROFILES_FILE.to_owned(),
            hex::encode(Sha256::digest(profiles)),
        )]);
        manifest.version = String::new();
        let version = manifest.content_version(profiles);
        manifest.version.clone_from(&version);
        let target = self.dir.join(&version);
        if target.is_dir() {
            if self.load(&version).is_ok() {
                return Ok(version);
            }
            // A damaged copy of the same content: set it aside (removed as a temp dir).
            let aside = self.temp_dir_path();
            fs::rename(&target, &aside).map_err(io_err(&target, "set aside a damaged version"))?;
            let _ = fs::remove_dir_all(&aside);
        }
        let temp = self.temp_dir_path();
        let written = write_version_dir(&temp, &manifest, profiles)
            .and_then(|()| fs::rename(&temp, &target).map_err(io_err(&target, "rename into place")))
            .and_then(|()| sync_dir(&self.dir));
        if let Err(err) = written {
            let _ = fs::remove_dir_all(&temp);
            return Err(err);
        }
        self.record(Event::Add(version.clone()))?;
        self.prune()?;
        Ok(version)
    }

    /// Makes `version` active (after verifying it loads). Activating the active version again
    /// changes nothing.
    pub fn activate(&self, version: &str) -> Result<()> {
        self.load(version)?;
        if self.active()?.as_deref() == Some(version) {
            return Ok(());
        }
        self.record(Event::Activate(version.to_owned()))?;
        self.write_active(version)?;
        self.prune()?;
        Ok(())
    }

    /// Re-activates the version that was active before the current one; returns (from, to).
    pub fn rollback(&self) -> Result<(String, String)> {
        let active_path = self.dir.join(ACTIVE_FILE);
        let current = self
            .active()?
            .ok_or_else(|| invalid(&active_path, "no active version to roll back from"))?;
        let stack = self.activation_stack(&current)?;
        let previous = stack
            .iter()
            .rev()
            .filter(|v| **v != current)
            .find(|v| self.dir.join(v.as_str()).is_dir())
            .cloned()
            .ok_or_else(|| {
                invalid(
                    &self.dir.join(HISTORY_FILE),
                    format!("no earlier version than {current} to roll back to"),
                )
            })?;
        self.load(&previous)?;
        self.record(Event::Rollback(previous.clone()))?;
        self.write_active(&previous)?;
        Ok((current, previous))
    }

    /// Removes temp directories and temp files left by writers that died; returns how many.
    pub fn remove_stale(&self) -> Result<usize> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io_err(&self.dir, "list")(e)),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry.map_err(io_err(&self.dir, "list"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = temp_owner(&name) else {
                continue;
            };
            if pid != std::process::id() && process_alive(pid) {
                continue;
            }
            let path = entry.path();
            let gone = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            gone.map_err(io_err(&path, "remove stale temp"))?;
            removed += 1;
        }
        Ok(removed)
    }

    /// The history: every add, activation and rollback, oldest first.
    fn history(&self) -> Result<Vec<Event>> {
        let path = self.dir.join(HISTORY_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => Ok(text.lines().filter_map(Event::parse).collect()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_err(&path, "read")(e)),
        }
    }

    fn record(&self, event: Event) -> Result<()> {
        let mut history = self.history()?;
        history.push(event);
        let skip = history.len().saturating_sub(MAX_HISTORY_LINES);
        let text: String = history.iter().skip(skip).map(Event::line).collect();
        let path = self.dir.join(HISTORY_FILE);
        store::write_atomic(&path, text.as_bytes()).map_err(|e| invalid(&path, e.to_string()))
    }

    fn write_active(&self, version: &str) -> Result<()> {
        let path = self.dir.join(ACTIVE_FILE);
        store::write_atomic(&path, format!("{version}\n").as_bytes())
            .map_err(|e| invalid(&path, e.to_string()))
    }

    /// Activations replayed from the history (rollbacks pop back to their target), reconciled
    /// with `ACTIVE` (a writer killed between the two leaves the history one step ahead).
    fn activation_stack(&self, active: &str) -> Result<Vec<String>> {
        let mut stack: Vec<String> = Vec::new();
        for event in self.history()? {
            match event {
                Event::Add(_) => {}
                Event::Activate(v) => stack.push(v),
                Event::Rollback(v) => match stack.iter().rposition(|s| *s == v) {
                    Some(i) => stack.truncate(i + 1),
                    None => stack.push(v),
                },
            }
        }
        while stack.last().is_some_and(|top| top != active) {
            stack.pop();
        }
        if stack.is_empty() {
            stack.push(active.to_owned());
        }
        Ok(stack)
    }

    /// Deletes versions beyond the active one, the [`KEEP_PREVIOUS`] earlier activations and the
    /// [`KEEP_PREVIOUS`] most recently added. Versions the history does not mention are left.
    fn prune(&self) -> Result<Vec<String>> {
        let Some(active) = self.active()? else {
            return Ok(Vec::new());
        };
        let history = self.history()?;
        let mut keep: Vec<String> = vec![active.clone()];
        let stack = self.activation_stack(&active)?;
        let earlier = stack.iter().rev().filter(|v| **v != active);
        let added = history.iter().rev().filter_map(|e| match e {
            Event::Add(v) if *v != active => Some(v),
            _ => None,
        });
        for list in [earlier.collect::<Vec<_>>(), added.collect::<Vec<_>>()] {
            for v in list.into_iter().take(KEEP_PREVIOUS) {
                if !keep.contains(v) {
                    keep.push(v.clone());
                }
            }
        }
        let mut pruned = Vec::new();
        for event in &history {
            let (Event::Add(v) | Event::Activate(v) | Event::Rollback(v)) = event;
            let dir = self.dir.join(v);
            if keep.contains(v) || pruned.contains(v) || !dir.is_dir() {
                continue;
            }
            let aside = self.temp_dir_path();
            fs::rename(&dir, &aside).map_err(io_err(&dir, "prune"))?;
            fs::remove_dir_all(&aside).map_err(io_err(&aside, "prune"))?;
            pruned.push(v.clone());
        }
        if !pruned.is_empty() {
            sync_dir(&self.dir)?;
        }
        Ok(pruned)
    }

    fn version_dir(&self, version: &str) -> Result<PathBuf> {
        if !is_version_id(version) {
            return Err(invalid(
                &self.dir,
                format!(
                    "{:?} is not a version id",
                    version.chars().take(40).collect::<String>()
                ),
            ));
        }
        Ok(self.dir.join(version))
    }

    fn temp_dir_path(&self) -> PathBuf {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        self.dir
            .join(format!("{TEMP_DIR_PREFIX}{}-{n}", std::process::id()))
    }
}

/// Writes the version's files into `temp` (created here), each fsynced, then the directory.
fn write_version_dir(temp: &Path, manifest: &Manifest, profiles: &[u8]) -> Result<()> {
    fs::create_dir(temp).map_err(io_err(temp, "create temp directory"))?;
    write_synced(&temp.join(PROFILES_FILE), profiles)?;
    write_synced(&temp.join(MANIFEST_FILE), &manifest.to_bytes())?;
    sync_dir(temp)
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(io_err(path, "create"))?;
    file.write_all(bytes).map_err(io_err(path, "write"))?;
    file.sync_all().map_err(io_err(path, "fsync"))
}

fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir, "fsync directory"))
}

fn read_capped(path: &Path) -> Result<Vec<u8>> {
    let size = fs::metadata(path).map_err(io_err(path, "read"))?.len();
    if size > MAX_FILE_BYTES {
        return Err(invalid(
            path,
            format!("{size} bytes is too large (limit {MAX_FILE_BYTES})"),
        ));
    }
    fs::read(path).map_err(io_err(path, "read"))
}

/// The PID in a temp name (`.tmp-<pid>-<n>` or `.<file>.wwtmp-<pid>-<n>`).
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TEMP_DIR_PREFIX)
        .or_else(|| name.split_once(TEMP_FILE_MARKER).map(|(_, r)| r))
        .filter(|_| name.starts_with('.'))?;
    rest.split('-').next()?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
        Ok(()) => true,
        Err(errno) => errno == nix::errno::Errno::EPERM,
    }
}

#[cfg(test)]
mod tests;
