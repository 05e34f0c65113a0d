//! Identity: an established device whose model, class, firmware version or host name changed
//! (`Event::IdentityChanged`), and a device never seen before (`Event::DeviceEstablished`; the
//! detector raises it once per device and never for devices marked authorised or known from
//! training). Strings from the wire (versions, host names) are cleaned and truncated.

use super::DeviceInfo;
use crate::alert::{Alert, AlertDevice, AlertKind, Severity};
use crate::explain::{self, MAX_QUOTED_CHARS};
use std::collections::BTreeMap;
use wardwatch_flow::event::IdentityField;
use wardwatch_flow::{DeviceRef, Identity, Timestamp};

/// An identity change as the rule sees it.
pub(crate) struct Change<'a> {
    pub ts: Timestamp,
    pub device: &'a DeviceRef,
    pub field: IdentityField,
    pub before: &'a str,
    pub after: &'a str,
}

fn severity(base: Severity, patient_care: bool) -> Severity {
    if patient_care { base.raised() } else { base }
}

/// Judges an identity change; `info` is what the detector last knew about the device.
pub(crate) fn changed(c: &Change<'_>, info: Option<&DeviceInfo>, patient_care: bool) -> Alert {
    let before = explain::clean(c.before, MAX_QUOTED_CHARS);
    let after = explain::clean(c.after, MAX_QUOTED_CHARS);
    let device = explain::alert_device(c.device, info.and_then(|i| i.model.as_ref()));
    let label = explain::device_label(&device, info.and_then(|i| i.class.as_deref()));
    let (base, field, text) = match c.field {
        IdentityField::Model => (
            Severity::High,
            "model",
            format!(
                "{label} now looks like model {after:?} instead of {before:?}: a different device may be using its address \
                 (a replacement, or impersonation). Check the inventory and the switch port."
            ),
        ),
        IdentityField::Class => (
            Severity::High,
            "class",
            format!(
                "{label} now looks like a {after:?} instead of a {before:?}: a different device may be using its address. Check the inventory."
            ),
        ),
        IdentityField::SoftwareVersion => (
            Severity::Medium,
            "software_version",
            format!(
                "{label} now reports software version {after:?} (was {before:?}). Expected after a service visit or update; \
                 if none was planned, ask the vendor and check for tampering."
            ),
        ),
        IdentityField::Hostname => (
            Severity::Low,
            "hostname",
            format!("{label} changed its host name from {before:?} to {after:?}."),
        ),
    };
    let mut evidence = BTreeMap::new();
    evidence.insert("field".to_owned(), field.to_owned());
    evidence.insert("before".to_owned(), before);
    evidence.insert("after".to_owned(), after);
    Alert {
        ts: c.ts,
        kind: AlertKind::IdentityChange,
        severity: severity(base, patient_care),
        device,
        peers: Vec::new(),
        peers_total: 0,
        explanation: explain::bound_explanation(text),
        features: Vec::new(),
        evidence,
    }
}

/// A new device joined the network.
pub(crate) fn new_device(
    ts: Timestamp,
    device: &DeviceRef,
    identity: &Identity,
    patient_care: bool,
) -> Alert {
    let alert_device: AlertDevice = explain::alert_device(device, identity.model.as_ref());
    let label = explain::device_label(&alert_device, identity.class.as_deref());
    let what = match (&identity.model, &identity.vendor) {
        (Some(m), _) => format!(
            " It was identified as {} with confidence {:.2}.",
            explain::clean(m.as_str(), MAX_QUOTED_CHARS),
            identity.confidence
        ),
        (None, Some(v)) => format!(
            " Its network card is from {}; the model is unknown.",
            explain::clean(v, MAX_QUOTED_CHARS)
        ),
        (None, None) => " Nothing identifies it yet.".to_owned(),
    };
    let text = format!(
        "A new device joined the network: {label}.{what} Confirm it belongs here and mark it authorised; an unknown device on a clinical network may be a rogue laptop or a tap."
    );
    let base = if identity.model.is_some() {
        Severity::Low
    } else {
        Severity::Medium
    };
    let mut evidence = BTreeMap::new();
    evidence.insert("first_established".to_owned(), explain::time_words(ts));
    if let Some(v) = &identity.software_version {
        evidence.insert(
            "software_version".to_owned(),
            explain::clean(v, MAX_QUOTED_CHARS),
        );
    }
    Alert {
        ts,
        kind: AlertKind::NewDevice,
        severity: severity(base, patient_care),
        device: alert_device,
        peers: Vec::new(),
        peers_total: 0,
        explanation: explain::bound_explanation(text),
        features: Vec::new(),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::device;

    #[test]
    fn firmware_change_reads_well_and_is_cleaned() {
        let d = device(3);
        let info = DeviceInfo {
            model: Some("bd-alaris-pcu-8015".into()),
            class: Some("infusion_pump".into()),
            established: true,
            first_window: None,
        };
        let evil = format!("12.1.3\u{1b}[2J{}", "A".repeat(200));
        let c = Change {
            ts: Timestamp::from_secs(5),
            device: &d,
            field: IdentityField::SoftwareVersion,
            before: "9.33.1",
            after: &evil,
        };
        let a = changed(&c, Some(&info), true);
        assert_eq!(a.severity, Severity::High);
        assert!(a.explanation.starts_with(
            "infusion pump 02:00:00:00:00:03 (bd-alaris-pcu-8015, 10.0.3.10) now reports software version \"12.1.3?[2JAAAA"
        ), "{}", a.explanation);
        assert_eq!(a.evidence["after"].chars().count(), MAX_QUOTED_CHARS + 1);
        assert_eq!(a.evidence["before"], "9.33.1");
    }

    #[test]
    fn new_device_wording() {
        let a = new_device(
            Timestamp::from_secs(0),
            &device(9),
            &Identity::default(),
            false,
        );
        assert_eq!(a.severity, Severity::Medium);
        assert!(a.explanation.starts_with("A new device joined the network: unidentified device 02:00:00:00:00:09 (10.0.9.10). Nothing identifies it yet."));
    }
}
