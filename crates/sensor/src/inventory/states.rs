//! Device states set by operators (`new`, `authorized`, `investigating`, `retired`) with their
//! audit trail, kept in the sensor's state directory.
//!
//! File: `<state.dir>/device-states.state`, a checksummed envelope (`store`, kind
//! `device-states`) holding JSON: `{"format":1,"devices":{ID:STATE},"trail":[CHANGE...]}`.
//! The trail is the source of truth and is only ever appended to: every change (wall-clock time
//! of the operator action, device, old → new state, reason, author) is added, then the whole
//! file is replaced atomically (temp file, fsync, rename, fsync directory), so a crash leaves
//! the previous file or the new one, never a torn trail or a state without its audit entry.
//! Loading replays the trail and refuses a file whose `devices` map or chain of old states
//! disagrees with it. Changes are serialised by a lock file (`file_lock`).

use crate::store::{self, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use wardwatch_baseline::DeviceStatus;
use wardwatch_flow::{DeviceId, DeviceRecord, Timestamp};

/// File name of the device states inside `state.dir`.
pub const STATES_FILE: &str = "device-states.state";
/// Envelope kind of the device-states file.
pub const STATES_KIND: &str = "device-states";
/// Format of the JSON body this build writes and reads.
pub const STATES_FORMAT: u32 = 1;
/// Largest device-states file read or written (about 200,000 audit entries).
pub const MAX_STATES_BYTES: usize = 64 << 20;
/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 512;
/// Longest author name kept, in characters.
pub const MAX_AUTHOR_CHARS: usize = 128;

/// What an operator says a device is.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    /// Not yet reviewed (every device starts here).
    #[default]
    New,
    /// Vouched for: belongs on this network.
    Authorized,
    /// Being looked into.
    Investigating,
    /// Taken out of service; it should not be seen again.
    Retired,
}

impl DeviceState {
    /// Every state, in the order the CLI lists them.
    pub const ALL: [DeviceState; 4] = [
        DeviceState::New,
        DeviceState::Authorized,
        DeviceState::Investigating,
        DeviceState::Retired,
    ];

    /// The lower-case name used in files, JSON and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            DeviceState::New => "new",
            DeviceState::Authorized => "authorized",
            DeviceState::Investigating => "investigating",
            DeviceState::Retired => "retired",
        }
    }

    /// What the detector is told about a device in this state (`None`: nothing, so the device
    /// raises `new_device` once when it establishes). `authorized` devices never alert for
    /// being new; `investigating` ones are known (already reported); `retired` ones are told
    /// nothing, so a retired device that comes back is reported as new again.
    pub fn detector_status(self) -> Option<DeviceStatus> {
        match self {
            DeviceState::New | DeviceState::Retired => None,
            DeviceState::Authorized => Some(DeviceStatus::Authorized),
            DeviceState::Investigating => Some(DeviceStatus::Known),
        }
    }
}

impl fmt::Display for DeviceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DeviceState {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DeviceState::ALL
            .into_iter()
            .find(|s| s.name() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                format!(
                    "{:?} is not a device state (use new, authorized, investigating or retired)",
                    text.chars().take(64).collect::<String>()
                )
            })
    }
}

/// Device ids as their text (`00:09:fb:12:34:56`, `10.0.0.5`) in the file.
mod id_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use wardwatch_flow::DeviceId;

    pub(super) fn serialize<S: Serializer>(id: &DeviceId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DeviceId, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// One recorded change of a device's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    /// When the operator made the change (wall clock).
    pub time: Timestamp,
    /// The device, as the operator named it (MAC or IP).
    #[serde(with = "id_text")]
    pub device: DeviceId,
    /// State before.
    pub from: DeviceState,
    /// State after.
    pub to: DeviceState,
    /// Why.
    pub reason: String,
    /// Who.
    pub author: String,
}

/// Why a state change was refused.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// An argument is empty or too long; names the argument.
    #[error("{argument}: {reason}")]
    Argument {
        /// `--reason` or `--author`.
        argument: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The device is already in that state.
    #[error("{device} is already {state}")]
    Unchanged {
        /// The device.
        device: DeviceId,
        /// Its state.
        state: DeviceState,
    },
}

/// The body of the file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatesBody {
    format: u32,
    devices: BTreeMap<String, DeviceState>,
    trail: Vec<StateChange>,
}

/// Device states and their audit trail.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceStates {
    states: BTreeMap<DeviceId, DeviceState>,
    trail: Vec<StateChange>,
}

impl DeviceStates {
    /// No states (every device is `new`).
    pub fn empty() -> DeviceStates {
        DeviceStates::default()
    }

    /// The file inside a state directory.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(STATES_FILE)
    }

    /// Loads `<state_dir>/device-states.state`; empty when the file does not exist. A damaged
    /// or inconsistent file is an error naming it.
    pub fn load(state_dir: &Path) -> Result<DeviceStates, StoreError> {
        let path = DeviceStates::path(state_dir);
        let Some(body) = store::load_envelope(&path, STATES_KIND)? else {
            return Ok(DeviceStates::empty());
        };
        DeviceStates::decode(&body).map_err(|reason| StoreError::Corrupt { path, reason })
    }

    /// Parses and checks a file body.
    fn decode(body: &[u8]) -> Result<DeviceStates, String> {
        if body.len() > MAX_STATES_BYTES {
            return Err(format!("larger than {MAX_STATES_BYTES} bytes"));
        }
        let file: StatesBody =
            serde_json::from_slice(body).map_err(|e| format!("not a device-states body: {e}"))?;
        if file.format != STATES_FORMAT {
            return Err(format!(
                "device-states format {} is not supported (this build reads {STATES_FORMAT})",
                file.format
            ));
        }
        let mut states = DeviceStates::empty();
        for (i, change) in file.trail.into_iter().enumerate() {
            let before = states.state(&change.device);
            if change.from != before {
                return Err(format!(
                    "audit entry {} says {} was {} but the trail before it says {before}",
                    i + 1,
                    change.device,
                    change.from
                ));
            }
            states.apply(change);
        }
        let listed: BTreeMap<String, DeviceState> = states
            .states
            .iter()
            .map(|(id, s)| (id.to_string(), *s))
            .collect();
        if listed != file.devices {
            return Err("the device list does not match the audit trail".into());
        }
        Ok(states)
    }

    fn apply(&mut self, change: StateChange) {
        self.states.insert(change.device, change.to);
        self.trail.push(change);
    }

    /// The body as written to the file (sorted keys; deterministic).
    fn encode(&self) -> Vec<u8> {
        let body = StatesBody {
            format: STATES_FORMAT,
            devices: self
                .states
                .iter()
                .map(|(id, s)| (id.to_string(), *s))
                .collect(),
            trail: self.trail.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Writes the file atomically; the bytes are re-read and re-checked before they replace
    /// the previous file.
    pub fn save(&self, state_dir: &Path) -> Result<(), StoreError> {
        let path = DeviceStates::path(state_dir);
        let body = self.encode();
        if body.len() > MAX_STATES_BYTES {
            return Err(StoreError::Corrupt {
                path,
                reason: format!(
                    "the audit trail would exceed {MAX_STATES_BYTES} bytes; archive the file and start a new one"
                ),
            });
        }
        let bytes = store::encode_envelope(STATES_KIND, &body);
        store::write_atomic_verified(&path, &bytes, |written| {
            let body = store::decode_envelope(STATES_KIND, written)?;
            DeviceStates::decode(body).map(|_| ())
        })
    }

    /// The state of a device id as marked (`new` when never marked).
    pub fn state(&self, id: &DeviceId) -> DeviceState {
        self.states.get(id).copied().unwrap_or_default()
    }

    /// The state of an inventory device: marked under its key, else under its MAC, else under
    /// one of its addresses (lowest first).
    pub fn state_of(&self, record: &DeviceRecord) -> DeviceState {
        self.marked_as(record).unwrap_or_default()
    }

    fn marked_as(&self, record: &DeviceRecord) -> Option<DeviceState> {
        let keys = std::iter::once(record.device.id)
            .chain(record.device.mac.map(DeviceId::Mac))
            .chain(record.ips.iter().map(|ip| DeviceId::Ip(*ip)));
        keys.into_iter()
            .find_map(|key| self.states.get(&key).copied())
    }

    /// Records a change made now (wall clock `now`). Reason and author are trimmed; control
    /// characters become spaces.
    pub fn mark(
        &mut self,
        device: DeviceId,
        to: DeviceState,
        reason: &str,
        author: &str,
        now: Timestamp,
    ) -> Result<StateChange, StateError> {
        let reason = clean_text("--reason", reason, MAX_REASON_CHARS)?;
        let author = clean_text("--author", author, MAX_AUTHOR_CHARS)?;
        let from = self.state(&device);
        if from == to {
            return Err(StateError::Unchanged { device, state: to });
        }
        let change = StateChange {
            time: now,
            device,
            from,
            to,
            reason,
            author,
        };
        self.apply(change.clone());
        Ok(change)
    }

    /// Every marked device and its state, by id.
    pub fn marked(&self) -> impl Iterator<Item = (&DeviceId, &DeviceState)> {
        self.states.iter()
    }

    /// The whole audit trail, oldest first.
    pub fn trail(&self) -> &[StateChange] {
        &self.trail
    }

    /// The audit entries about one device id, oldest first.
    pub fn history(&self, device: &DeviceId) -> Vec<&StateChange> {
        self.trail.iter().filter(|c| c.device == *device).collect()
    }

    /// What to give `Detector::set_device_states`: every marked id whose state tells the
    /// detector something, plus, for states marked under an IP or MAC that is not the device's
    /// key, the key of each current device they name (`devices` = `Pipeline::devices()`).
    pub fn detector_statuses(&self, devices: &[DeviceRecord]) -> Vec<(DeviceId, DeviceStatus)> {
        let mut out: BTreeMap<DeviceId, DeviceStatus> = self
            .states
            .iter()
            .filter_map(|(id, s)| s.detector_status().map(|status| (*id, status)))
            .collect();
        for record in devices {
            if self.states.contains_key(&record.device.id) {
                continue;
            }
            match self
                .marked_as(record)
                .and_then(DeviceState::detector_status)
            {
                Some(status) => {
                    out.insert(record.device.id, status);
                }
                None => {
                    out.remove(&record.device.id);
                }
            }
        }
        out.into_iter().collect()
    }
}

/// Trims `text`, turns control characters into spaces and checks its length.
fn clean_text(argument: &'static str, text: &str, max: usize) -> Result<String, StateError> {
    let cleaned: String = text
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err(StateError::Argument {
            argument,
            reason: "must not be empty".into(),
        });
    }
    if cleaned.chars().count() > max {
        return Err(StateError::Argument {
            argument,
            reason: format!("at most {max} characters"),
        });
    }
    Ok(cleaned)
}

/// Marks a device in the state directory: takes the lock, loads the file, records the change
/// and replaces the file atomically. Returns the recorded change.
pub fn mark_device(
    state_dir: &Path,
    device: DeviceId,
    to: DeviceState,
    who: (&str, &str),
    now: Timestamp,
) -> anyhow::Result<StateChange> {
    use anyhow::Context;
    std::fs::create_dir_all(state_dir)
        .with_context(|| format!("creating the state directory {}", state_dir.display()))?;
    let path = DeviceStates::path(state_dir);
    let _lock = crate::file_lock::lock_exclusive(&path)
        .with_context(|| format!("locking {}", path.display()))?;
    let mut states = DeviceStates::load(state_dir)?;
    let (reason, author) = who;
    let change = states.mark(device, to, reason, author, now)?;
    states.save(state_dir)?;
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::testkit::record;

    fn t(secs: u64) -> Timestamp {
        Timestamp::from_secs(1_767_600_000 + secs)
    }

    fn id(text: &str) -> DeviceId {
        text.parse().unwrap()
    }

    #[test]
    fn state_names_parse_and_map_to_detector_statuses() {
        assert_eq!(
            "Authorized".parse::<DeviceState>(),
            Ok(DeviceState::Authorized)
        );
        assert_eq!(
            "gone".parse::<DeviceState>().unwrap_err(),
            "\"gone\" is not a device state (use new, authorized, investigating or retired)"
        );
        let statuses: Vec<_> = DeviceState::ALL
            .iter()
            .map(|s| s.detector_status())
            .collect();
        assert_eq!(
            statuses,
            vec![
                None,
                Some(DeviceStatus::Authorized),
                Some(DeviceStatus::Known),
                None
            ]
        );
    }

    #[test]
    fn marks_are_recorded_with_old_and_new_state() {
        let mut s = DeviceStates::empty();
        let pump = id("00:09:fb:00:00:01");
        let change = s
            .mark(pump, DeviceState::Authorized, " ticket 42\n", "j.doe", t(1))
            .unwrap();
        assert_eq!(change.from, DeviceState::New);
        assert_eq!(change.reason, "ticket 42");
        s.mark(pump, DeviceState::Retired, "replaced", "a.b", t(2))
            .unwrap();
        assert_eq!(s.state(&pump), DeviceState::Retired);
        assert_eq!(s.history(&pump).len(), 2);
        assert_eq!(s.history(&pump)[1].from, DeviceState::Authorized);
        let err = s
            .mark(pump, DeviceState::Retired, "again", "a.b", t(3))
            .unwrap_err();
        assert_eq!(err.to_string(), "00:09:fb:00:00:01 is already retired");
        let err = s
            .mark(pump, DeviceState::New, "  ", "a.b", t(3))
            .unwrap_err();
        assert_eq!(err.to_string(), "--reason: must not be empty");
        let long = "x".repeat(MAX_AUTHOR_CHARS + 1);
        let err = s
            .mark(pump, DeviceState::New, "r", &long, t(3))
            .unwrap_err();
        assert_eq!(err.to_string(), "--author: at most 128 characters");
        assert_eq!(s.trail().len(), 2, "refused marks leave no entry");
    }

    #[test]
    fn the_file_round_trips_and_appends() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            DeviceStates::load(dir.path()).unwrap(),
            DeviceStates::empty()
        );
        let pump = id("00:09:fb:00:00:01");
        let cam = id("10.0.0.9");
        mark_device(
            dir.path(),
            pump,
            DeviceState::Investigating,
            ("odd traffic", "sec"),
            t(5),
        )
        .unwrap();
        mark_device(
            dir.path(),
            cam,
            DeviceState::Authorized,
            ("ok", "sec"),
            t(6),
        )
        .unwrap();
        let loaded = DeviceStates::load(dir.path()).unwrap();
        assert_eq!(loaded.state(&pump), DeviceState::Investigating);
        assert_eq!(loaded.state(&cam), DeviceState::Authorized);
        assert_eq!(loaded.trail().len(), 2);
        assert_eq!(loaded.trail()[0].time, t(5));
        let text = std::fs::read_to_string(DeviceStates::path(dir.path())).unwrap();
        assert!(
            text.starts_with("wardwatch-envelope 1 device-states "),
            "{text}"
        );
        assert!(
            text.contains("\"00:09:fb:00:00:01\": \"investigating\""),
            "{text}"
        );
        assert!(text.contains("\"device\": \"10.0.0.9\""), "{text}");
    }

    #[test]
    fn a_damaged_or_inconsistent_file_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let pump = id("00:09:fb:00:00:01");
        mark_device(dir.path(), pump, DeviceState::Authorized, ("a", "b"), t(1)).unwrap();
        let path = DeviceStates::path(dir.path());
        let good = std::fs::read(&path).unwrap();
        // A hand-edited body with a valid envelope: the device list no longer matches the trail.
        let body = store::decode_envelope(STATES_KIND, &good).unwrap();
        let edited = String::from_utf8(body.to_vec()).unwrap().replace(
            "\"00:09:fb:00:00:01\": \"authorized\"",
            "\"00:09:fb:00:00:01\": \"retired\"",
        );
        let bad = store::encode_envelope(STATES_KIND, edited.as_bytes());
        std::fs::write(&path, &bad).unwrap();
        let err = DeviceStates::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("does not match the audit trail"), "{err}");
        let err = mark_device(dir.path(), pump, DeviceState::New, ("a", "b"), t(2)).unwrap_err();
        assert!(format!("{err:#}").contains("does not match"), "{err:#}");
        assert_eq!(std::fs::read(&path).unwrap(), bad, "never overwritten");
        // A broken chain: the second entry's old state is not what the first left.
        let chain = r#"{"format":1,"devices":{"10.0.0.1":"retired"},"trail":[
            {"time":"2026-01-05T08:00:00Z","device":"10.0.0.1","from":"new","to":"authorized","reason":"r","author":"a"},
            {"time":"2026-01-05T08:00:01Z","device":"10.0.0.1","from":"investigating","to":"retired","reason":"r","author":"a"}]}"#;
        assert_eq!(
            DeviceStates::decode(chain.as_bytes()).unwrap_err(),
            "audit entry 2 says 10.0.0.1 was investigating but the trail before it says authorized"
        );
    }

    #[test]
    fn detector_statuses_follow_marks_by_key_mac_or_address() {
        let mut s = DeviceStates::empty();
        let now = t(0);
        s.mark(id("10.0.0.5"), DeviceState::Authorized, "r", "a", now)
            .unwrap();
        s.mark(
            id("00:09:fb:00:00:02"),
            DeviceState::Investigating,
            "r",
            "a",
            now,
        )
        .unwrap();
        s.mark(id("00:09:fb:00:00:03"), DeviceState::Retired, "r", "a", now)
            .unwrap();
        let devices = [
            record("00:09:fb:00:00:01", &["10.0.0.5"]),
            record("00:09:fb:00:00:02", &["10.0.0.6"]),
            record("00:09:fb:00:00:03", &["10.0.0.7"]),
        ];
        assert_eq!(s.state_of(&devices[0]), DeviceState::Authorized);
        assert_eq!(s.state_of(&devices[2]), DeviceState::Retired);
        assert_eq!(
            s.detector_statuses(&devices),
            vec![
                (id("00:09:fb:00:00:01"), DeviceStatus::Authorized),
                (id("00:09:fb:00:00:02"), DeviceStatus::Known),
                (id("10.0.0.5"), DeviceStatus::Authorized),
            ]
        );
    }
}
