//! Scoring alerts against labels.
//!
//! An alert *belongs to* a label when its time lies in the label's interval, widened by one
//! window before the start (window alerts carry their window's start time) and
//! [`GRACE_WINDOWS`] windows after the end (a window closes, flows time out, after the last
//! attack frame), and it is about the attack: the alert's device has the attacker's MAC or
//! address, or one of its peers is the attacker's address, or the device is one of the
//! label's victims (what an attack does to its victims — a scanned pump suddenly accepting
//! connections — is part of the incident, not a false alert). A scenario is *detected* when an
//! alert of an expected kind
//! (any kind when the label expects none) belongs to it; its time to detect is from the label's
//! start to that alert's time (at least 0). Every other alert is a *false alert*, except the
//! rate limiter's `alert_storm` summaries. Rates are per 100 device-days, device-days being the
//! device windows of the replay times their length.

use super::labels::Label;
use serde::Serialize;
use std::collections::BTreeSet;
use wardwatch_baseline::{Alert, AlertKind};
use wardwatch_flow::{Span, Timestamp};

/// Windows after a label's end in which its alerts still count.
pub const GRACE_WINDOWS: u64 = 3;

/// One scenario's outcome (JSON keys are part of the interface).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// Scenario kind.
    pub kind: String,
    /// The attacker (address, else MAC).
    pub attacker: String,
    /// True when an expected alert kind was raised about it.
    pub detected: bool,
    /// Seconds from the attack's start to the first expected alert.
    pub time_to_detect_s: Option<f64>,
    /// Distinct kinds of every alert that belongs to it, sorted.
    pub alert_kinds: Vec<String>,
}

/// The outcome of an evaluation (JSON keys are part of the interface).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Detected scenarios / scenarios (`null` without scenarios).
    pub recall: Option<f64>,
    /// Alerts outside every label.
    pub false_alerts: u64,
    /// Device windows × window length, in days.
    pub device_days: f64,
    /// False alerts per 100 device-days (`null` without device-days).
    pub false_alerts_per_100_device_days: Option<f64>,
    /// Per scenario, in label order.
    pub scenarios: Vec<ScenarioResult>,
}

fn belongs(alert: &Alert, label: &Label, window: Span) -> bool {
    let from = Timestamp(label.start.micros().saturating_sub(window.micros()));
    let to = label
        .end
        .add(Span(window.micros().saturating_mul(GRACE_WINDOWS)));
    if alert.ts < from || alert.ts > to {
        return false;
    }
    let d = &alert.device;
    let same_mac = label.mac.is_some() && d.mac == label.mac;
    let same_ip = label.ip.is_some() && d.ip == label.ip;
    let peer = label
        .ip
        .is_some_and(|ip| alert.peers.iter().any(|p| p.ip == ip));
    let victim = d.ip.is_some_and(|ip| label.victims.contains(&ip));
    same_mac || same_ip || peer || victim
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Scores `alerts` against `labels`.
pub fn evaluate(labels: &[Label], alerts: &[Alert], device_days: f64, window: Span) -> Evaluation {
    let mut claimed = vec![false; alerts.len()];
    let mut scenarios = Vec::with_capacity(labels.len());
    for label in labels {
        let mut kinds = BTreeSet::new();
        let mut first: Option<Timestamp> = None;
        for (i, alert) in alerts.iter().enumerate() {
            if alert.kind == AlertKind::AlertStorm || !belongs(alert, label, window) {
                continue;
            }
            if let Some(slot) = claimed.get_mut(i) {
                *slot = true;
            }
            kinds.insert(alert.kind.name().to_owned());
            let expected = label.expected.is_empty() || label.expected.contains(&alert.kind);
            if expected {
                first = Some(first.map_or(alert.ts, |t| t.min(alert.ts)));
            }
        }
        scenarios.push(ScenarioResult {
            kind: label.kind.clone(),
            attacker: label.attacker(),
            detected: first.is_some(),
            time_to_detect_s: first.map(|t| round3(t.since(label.start).as_secs_f64())),
            alert_kinds: kinds.into_iter().collect(),
        });
    }
    let false_alerts = alerts
        .iter()
        .zip(&claimed)
        .filter(|(a, c)| !**c && a.kind != AlertKind::AlertStorm)
        .count() as u64;
    let detected = scenarios.iter().filter(|s| s.detected).count();
    Evaluation {
        recall: (!scenarios.is_empty()).then(|| round3(detected as f64 / scenarios.len() as f64)),
        false_alerts,
        device_days: round3(device_days),
        false_alerts_per_100_device_days: (device_days > 0.0)
            .then(|| round3(false_alerts as f64 * 100.0 / device_days)),
        scenarios,
    }
}

#[cfg(test)]
mod tests;
