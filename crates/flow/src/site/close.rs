//! Closing a window: identification of devices whose evidence changed, then one
//! [`Event::Window`] per active device, sorted by device id.

use super::Site;
use crate::device::Device;
use crate::event::{Event, IdentityField};
use crate::identify::Identification;
use crate::window::{ExtractInput, HISTORY_WARMUP, OpenWindow, extract};

impl Site {
    pub(super) fn close(&mut self, window: OpenWindow, events: &mut Vec<Event>) {
        let closed_at = self.windows.close_time(window.index);
        self.identify_pending(closed_at, events);
        let mut ids = window.devices;
        ids.sort_unstable();
        ids.dedup();
        let start = self.windows.start_of(window.index);
        let secs = self.windows.secs();
        for id in ids {
            let Some(acc) = self.devices.take_window(&id, window.index) else {
                continue;
            };
            let Some(device) = self.devices.get(&id) else {
                continue;
            };
            let periodic = acc
                .periodic
                .iter()
                .filter_map(|key| self.periods.candidate(key))
                .collect();
            let history_mature = start.since(device.first_seen) >= HISTORY_WARMUP;
            let input = ExtractInput {
                history_mature,
                device: device.reference(),
                identity: device.identity.clone(),
                established: device.established,
                window_start: start,
                window_secs: secs,
                periodic,
            };
            events.push(Event::Window(Box::new(extract(&acc, input))));
            self.stats.windows_emitted = self.stats.windows_emitted.saturating_add(1);
        }
    }

    /// Re-identifies devices whose evidence changed; an established device whose model,
    /// class, software version or host name changed from a known value emits
    /// [`Event::IdentityChanged`] (a first identification is not a change).
    pub(crate) fn identify_pending(&mut self, ts: crate::time::Timestamp, events: &mut Vec<Event>) {
        for id in self.devices.take_identify_queue() {
            let Some(device) = self.devices.get_mut(&id) else {
                continue;
            };
            let generation = device.evidence.generation;
            if device.identified_generation == Some(generation) {
                continue;
            }
            let found = self.identifier.identify(device.mac, &device.evidence);
            self.stats.identifications = self.stats.identifications.saturating_add(1);
            if device.established {
                for (field, before, after) in identity_changes(device, &found) {
                    events.push(Event::IdentityChanged {
                        ts,
                        device: device.reference(),
                        field,
                        before,
                        after,
                    });
                }
            }
            device.identity = found.identity;
            device.decided_by = found.decided_by;
            device.hostname = found.hostname;
            device.identified_generation = Some(generation);
        }
    }
}

/// The identity fields that changed from a known value: (field, before, after). A field going
/// from unknown to known is a first identification, not a change; one going from known to
/// unknown reports an empty `after`. A class is reported only when it came with an identified
/// model and the model itself did not change: a class guessed from hints (a vendor's MAC block,
/// a port) is refined as evidence arrives, and a model change already says the class changed.
fn identity_changes(
    device: &Device,
    found: &Identification,
) -> Vec<(IdentityField, String, String)> {
    let before = &device.identity;
    let after = &found.identity;
    let model = |m: &Option<crate::ids::ModelId>| m.as_ref().map(|m| m.as_str().to_owned());
    let fields = [
        (
            IdentityField::Model,
            model(&before.model),
            model(&after.model),
        ),
        (
            IdentityField::Class,
            before.class.clone(),
            after.class.clone(),
        ),
        (
            IdentityField::SoftwareVersion,
            before.software_version.clone(),
            after.software_version.clone(),
        ),
        (
            IdentityField::Hostname,
            device.hostname.clone(),
            found.hostname.clone(),
        ),
    ];
    let model_changed = before.model != after.model;
    fields
        .into_iter()
        .filter(|(field, _, _)| {
            *field != IdentityField::Class || (before.model.is_some() && !model_changed)
        })
        .filter_map(|(field, old, new)| {
            let old = old?;
            (Some(&old) != new.as_ref()).then(|| (field, old, new.unwrap_or_default()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::{DeviceTable, DeviceTableConfig};
    use crate::event::Identity;
    use crate::ids::{MacAddr, ModelId};
    use crate::nets::{InternalNets, default_internal_networks};
    use crate::time::Timestamp;

    #[test]
    fn only_changes_from_known_values_count() {
        let mut table = DeviceTable::new(DeviceTableConfig::default());
        let nets = InternalNets::new(&default_internal_networks());
        let mac = MacAddr([2, 0, 0, 0, 0, 1]);
        let id = table
            .sender(
                Some(mac),
                Some("10.0.0.1".parse().unwrap()),
                Timestamp(0),
                &nets,
            )
            .unwrap();
        let device = table.get_mut(&id).unwrap();
        let found = Identification {
            identity: Identity {
                model: Some(ModelId::from("demo-pump")),
                software_version: Some("1.0".into()),
                ..Identity::default()
            },
            decided_by: Vec::new(),
            hostname: Some("pump-1".into()),
            class_label: None,
        };
        assert!(
            identity_changes(device, &found).is_empty(),
            "first identification"
        );
        device.identity = found.identity.clone();
        device.hostname = found.hostname.clone();
        let mut upgraded = found.clone();
        upgraded.identity.software_version = Some("1.1".into());
        upgraded.hostname = None;
        assert_eq!(
            identity_changes(device, &upgraded),
            vec![
                (
                    IdentityField::SoftwareVersion,
                    "1.0".to_owned(),
                    "1.1".to_owned()
                ),
                (IdentityField::Hostname, "pump-1".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn a_guessed_class_is_refined_silently_and_a_model_change_says_it_once() {
        let mut table = DeviceTable::new(DeviceTableConfig::default());
        let nets = InternalNets::new(&default_internal_networks());
        let id = table
            .sender(
                Some(MacAddr([2, 0, 0, 0, 0, 2])),
                Some("10.0.0.2".parse().unwrap()),
                Timestamp(0),
                &nets,
            )
            .unwrap();
        let device = table.get_mut(&id).unwrap();
        device.identity = Identity {
            class: Some("patient_monitor".into()),
            ..Identity::default()
        };
        let identified = Identification {
            identity: Identity {
                model: Some(ModelId::from("ge-cic-pro")),
                class: Some("central_station".into()),
                ..Identity::default()
            },
            decided_by: Vec::new(),
            hostname: None,
            class_label: None,
        };
        assert!(identity_changes(device, &identified).is_empty());

        device.identity = identified.identity.clone();
        let mut other = identified.clone();
        other.identity.model = Some(ModelId::from("ge-carescape-b450"));
        other.identity.class = Some("patient_monitor".into());
        assert_eq!(
            identity_changes(device, &other),
            vec![(
                IdentityField::Model,
                "ge-cic-pro".to_owned(),
                "ge-carescape-b450".to_owned()
            )]
        );
    }
}
