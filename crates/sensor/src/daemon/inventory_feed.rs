//! What the running sensor keeps of the inventory: the operator's device states
//! (`<state.dir>/device-states.state`, written by `wardwatch inventory mark`), the configured
//! locations, and the inventory built from the device table at every device publication.
//!
//! - The states file is loaded at start (a damaged one stops the start, naming the file) and
//!   re-read when its modification time or size changes; a damaged edit is refused, logged, and
//!   the states in force stay.
//! - The detector is told every state at each publication, merged with the devices the sensor
//!   already knows: `authorized` devices never raise `new_device`, `investigating` ones count as
//!   known, `retired` ones are reported as new when they come back.
//! - The inventory feeds the risk gauges and `--inventory-out`.

use crate::config::{Config, Location};
use crate::inventory::{self, DeviceState, DeviceStates, InventoryEntry};
use crate::metrics::DeviceRiskSummary;
use crate::model_set::ModelSet;
use crate::store;
use anyhow::Context;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;
use wardwatch_baseline::DeviceStatus;
use wardwatch_flow::{DeviceId, DeviceRecord};

/// The states file, the locations and the latest inventory.
#[derive(Debug)]
pub struct InventoryFeed {
    state_dir: Option<PathBuf>,
    stamp: Option<(SystemTime, u64)>,
    states: DeviceStates,
    locations: Vec<Location>,
    entries: Vec<InventoryEntry>,
}

impl InventoryFeed {
    /// Loads the device states of `state.dir` (none configured: no states).
    pub fn open(config: &Config) -> anyhow::Result<InventoryFeed> {
        let state_dir = config.state.dir.clone();
        let (states, stamp) = match &state_dir {
            Some(dir) => {
                let path = DeviceStates::path(dir);
                let before = store::file_stamp(&path);
                let states = DeviceStates::load(dir)
                    .with_context(|| format!("device states {}", path.display()))?;
                (states, before)
            }
            None => (DeviceStates::empty(), None),
        };
        let marked = states.marked().count();
        if marked > 0 {
            tracing::info!(devices = marked, "device states loaded");
        }
        Ok(InventoryFeed {
            state_dir,
            stamp,
            states,
            locations: config.locations.clone(),
            entries: Vec::new(),
        })
    }

    /// Takes the locations of a reloaded configuration.
    pub fn set_locations(&mut self, locations: &[Location]) {
        self.locations = locations.to_vec();
    }

    /// Re-reads the states file when it changed since the last read.
    pub fn check_states(&mut self) {
        let Some(dir) = &self.state_dir else { return };
        let path = DeviceStates::path(dir);
        let now = store::file_stamp(&path);
        if now.is_none() || now == self.stamp {
            return;
        }
        self.stamp = now;
        match DeviceStates::load(dir) {
            Ok(states) => {
                let marked = states.marked().count();
                tracing::info!(devices = marked, "device states changed; reloaded");
                self.states = states;
            }
            Err(err) => {
                tracing::error!(error = %err, "device states refused; the states in force stay")
            }
        }
    }

    /// What the detector is told: `known` devices as known, overlaid with the operator's states
    /// (a device marked `retired` is left untold, so it is new again when it comes back).
    pub fn detector_statuses(
        &self,
        devices: &[DeviceRecord],
        known: impl IntoIterator<Item = DeviceId>,
    ) -> Vec<(DeviceId, DeviceStatus)> {
        let mut out: BTreeMap<DeviceId, DeviceStatus> = known
            .into_iter()
            .filter(|id| self.states.state(id) != DeviceState::Retired)
            .map(|id| (id, DeviceStatus::Known))
            .collect();
        out.extend(self.states.detector_statuses(devices));
        out.into_iter().collect()
    }

    /// Rebuilds the inventory from the device table.
    pub fn rebuild(&mut self, devices: &[DeviceRecord], models: &ModelSet) {
        self.entries = inventory::build_inventory(devices, models, &self.locations, &self.states);
    }

    /// The risk gauges' input for the latest inventory.
    pub fn risks(&self) -> Vec<DeviceRiskSummary> {
        inventory::risk_summaries(&self.entries)
    }

    /// The latest inventory, in the order `--inventory-out` writes it.
    pub fn entries(&self) -> &[InventoryEntry] {
        &self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FlagOrigins, RawConfig};
    use crate::inventory::testkit::record;
    use wardwatch_flow::Timestamp;

    fn config(dir: &std::path::Path) -> Config {
        let mut raw = RawConfig::default();
        raw.capture.replay = "ward.pcap".into();
        raw.state.dir = dir.display().to_string();
        Config::from_raw(&raw, &FlagOrigins::default()).unwrap()
    }

    #[test]
    fn states_marked_by_the_operator_reach_the_detector_and_follow_file_changes() {
        let dir = tempfile::tempdir().unwrap();
        let pump = record("00:11:22:33:44:55", &["10.0.0.5"]);
        let other = record("00:11:22:33:44:66", &["10.0.0.6"]);
        let devices = [pump.clone(), other.clone()];
        let now = Timestamp::from_parts(1_700_000_000, 0);
        inventory::mark_device(
            dir.path(),
            "10.0.0.5".parse().unwrap(),
            DeviceState::Authorized,
            ("biomed", "commissioned"),
            now,
        )
        .unwrap();
        let mut feed = InventoryFeed::open(&config(dir.path())).unwrap();
        let statuses = feed.detector_statuses(&devices, [other.device.id]);
        assert!(statuses.contains(&(pump.device.id, DeviceStatus::Authorized)));
        assert!(statuses.contains(&(other.device.id, DeviceStatus::Known)));

        inventory::mark_device(
            dir.path(),
            other.device.id,
            DeviceState::Retired,
            ("biomed", "removed from the ward"),
            now,
        )
        .unwrap();
        // The file changed (size differs): the next check reads it.
        feed.check_states();
        let statuses = feed.detector_statuses(&devices, [other.device.id]);
        assert!(!statuses.iter().any(|(id, _)| *id == other.device.id));
    }

    #[test]
    fn a_damaged_states_file_stops_the_start_and_a_damaged_edit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = DeviceStates::path(dir.path());
        std::fs::write(&path, b"not a state file").unwrap();
        let err = InventoryFeed::open(&config(dir.path())).unwrap_err();
        assert!(format!("{err:#}").contains(&path.display().to_string()));

        std::fs::remove_file(&path).unwrap();
        let now = Timestamp::from_parts(1_700_000_000, 0);
        inventory::mark_device(
            dir.path(),
            "10.0.0.5".parse().unwrap(),
            DeviceState::Investigating,
            ("soc", "odd traffic"),
            now,
        )
        .unwrap();
        let mut feed = InventoryFeed::open(&config(dir.path())).unwrap();
        std::fs::write(&path, b"damaged by hand").unwrap();
        feed.check_states();
        let ip: DeviceId = "10.0.0.5".parse().unwrap();
        assert_eq!(
            feed.detector_statuses(&[], []),
            vec![(ip, DeviceStatus::Known)]
        );
    }
}
