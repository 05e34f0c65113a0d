//! The detector: pipeline events in, explained alerts out. Each window runs the rule families
//! and the statistical profile; device events run the address, identity and new-device rules.
//! Every candidate alert then passes the site allow-list, deduplication per (device, kind) and
//! the global rate limit, in that order. Profiles are read-only here (frozen until the caller
//! swaps in a retrained set); all state is bounded and counted.

pub mod config;
pub mod stats;

use crate::alert::Alert;
use crate::allowlist::{Allowlist, Verdict};
use crate::bounded::BoundedMap;
use crate::dedup::Suppressor;
use crate::maturity::Maturity;
use crate::model_set::ModelSet;
use crate::profile::ProfileKey;
use crate::rate_limit::RateLimiter;
use crate::rules::address::{self, Conflict};
use crate::rules::anomaly::{self, AnomalyScore, PeerTrack};
use crate::rules::identity::{self, Change};
use crate::rules::{
    DeviceInfo, WindowContext, beaconing, brute_force, exfiltration, lateral, novelty,
    remote_access, scan,
};
use config::DetectorConfig;
use serde::{Deserialize, Serialize};
use stats::DetectorStats;
use std::collections::BTreeMap;
use std::sync::Arc;
use wardwatch_flow::{DeviceId, Event, Span, Timestamp, WindowFeatures};

/// What the operator (through the sensor's inventory) says about a device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Seen before (a previous run's inventory): not new, not vouched for.
    Known,
    /// Vouched for by an operator: never alerts for being new.
    Authorized,
}

/// Judges pipeline events against frozen profiles and rules.
#[derive(Debug)]
pub struct Detector {
    models: Arc<ModelSet>,
    config: DetectorConfig,
    allowlist: Allowlist,
    states: BTreeMap<DeviceId, DeviceStatus>,
    info: BoundedMap<DeviceId, DeviceInfo>,
    scores: BoundedMap<DeviceId, AnomalyScore>,
    peer_tracks: BoundedMap<DeviceId, PeerTrack>,
    announced: BoundedMap<DeviceId, Timestamp>,
    suppressor: Suppressor,
    limiter: RateLimiter,
    now: Timestamp,
    /// End of the discovery period (set by the first event; `Timestamp(0)` once ended).
    discovery_end: Option<Timestamp>,
    stats: DetectorStats,
}

impl Detector {
    /// A detector over `models`. `config` should have passed [`DetectorConfig::validate`];
    /// caps of 0 are treated as 1.
    pub fn new(models: Arc<ModelSet>, config: DetectorConfig) -> Detector {
        let cap = config.max_tracked_devices.max(1);
        Detector {
            models,
            allowlist: Allowlist::empty(),
            states: BTreeMap::new(),
            info: BoundedMap::new(cap),
            scores: BoundedMap::new(cap),
            peer_tracks: BoundedMap::new(cap),
            announced: BoundedMap::new(cap),
            suppressor: Suppressor::new(
                Span::from_secs(config.suppression_secs),
                config.max_suppression_entries,
            ),
            limiter: RateLimiter::new(config.rate_limit.clone()),
            now: Timestamp(0),
            discovery_end: None,
            stats: DetectorStats::default(),
            config,
        }
    }

    /// Processes one pipeline event; alerts that pass the allow-list, deduplication and the
    /// rate limit are appended to `alerts` (plus an `alert_storm` summary when an interval
    /// with held-back alerts has ended).
    pub fn process(&mut self, event: &Event, alerts: &mut Vec<Alert>) {
        self.stats.events = self.stats.events.saturating_add(1);
        self.now = self.now.max(event.ts());
        if self.discovery_end.is_none() {
            self.discovery_end = Some(event.ts().add(Span::from_secs(self.config.discovery_secs)));
        }
        let before = alerts.len();
        self.limiter.tick(self.now, alerts);
        self.count_storms(before, alerts);
        let mut candidates: Vec<(Alert, bool)> = Vec::new();
        match event {
            Event::Window(w) => self.on_window(w, &mut candidates),
            Event::DeviceEstablished {
                ts,
                device,
                identity,
            } => {
                candidates.extend(self.on_established(*ts, device, identity));
            }
            Event::IdentityChanged {
                ts,
                device,
                field,
                before,
                after,
            } => {
                let info = self.info.get(&device.id).cloned();
                let care = self.patient_care(info.as_ref().and_then(|i| i.class.as_deref()));
                let change = Change {
                    ts: *ts,
                    device,
                    field: *field,
                    before,
                    after,
                };
                candidates.push((identity::changed(&change, info.as_ref(), care), true));
            }
            Event::AddressConflict {
                ts,
                ip,
                previous_mac,
                new_mac,
                infrastructure,
                claims,
            } => {
                let c = Conflict {
                    ts: *ts,
                    ip: *ip,
                    previous_mac: *previous_mac,
                    new_mac: *new_mac,
                    infrastructure: *infrastructure,
                    claims: *claims,
                };
                let info = self.info.get(&DeviceId::Mac(*new_mac)).cloned();
                // Priority follows who claims, not what is claimed: a flood of claims on an
                // infrastructure address from ever new MACs must not drain the reserve kept
                // for established devices (found by the SYN-flood soak, tests/e2e/soak.rs).
                let priority = info.as_ref().is_some_and(|i| i.established)
                    || self.is_known(&DeviceId::Mac(*new_mac));
                if let Some(a) = address::conflict(&c, info.as_ref(), &self.config.address) {
                    candidates.push((a, priority));
                }
            }
        }
        for (alert, priority) in candidates {
            self.emit(alert, priority, alerts);
        }
        self.stats.evicted_device_state = self.info.evicted()
            + self.scores.evicted()
            + self.peer_tracks.evicted()
            + self.announced.evicted();
        self.stats.evicted_suppression = self.suppressor.evicted();
    }

    /// Emits a pending alert-storm summary at `now` (end of input or shutdown).
    pub fn flush(&mut self, now: Timestamp, alerts: &mut Vec<Alert>) {
        let before = alerts.len();
        self.limiter.flush(now.max(self.now), alerts);
        self.count_storms(before, alerts);
    }

    fn count_storms(&mut self, before: usize, alerts: &[Alert]) {
        for a in alerts.get(before..).unwrap_or(&[]) {
            self.stats.storms = self.stats.storms.saturating_add(1);
            self.stats.count_emitted(a.kind);
        }
    }

    /// A new device, raised once per device unless the caller or training knows it.
    fn on_established(
        &mut self,
        ts: Timestamp,
        device: &wardwatch_flow::DeviceRef,
        identity: &wardwatch_flow::Identity,
    ) -> Option<(Alert, bool)> {
        if self.is_known(&device.id) {
            self.stats.new_device_known = self.stats.new_device_known.saturating_add(1);
            return None;
        }
        if self.announced.get(&device.id).is_some() {
            return None;
        }
        self.announced.insert(device.id, ts);
        if self.discovery_end.is_some_and(|end| ts < end) {
            self.stats.new_device_discovery = self.stats.new_device_discovery.saturating_add(1);
            return None;
        }
        let care = self.patient_care(identity.class.as_deref());
        Some((identity::new_device(ts, device, identity, care), false))
    }

    fn patient_care(&self, class: Option<&str>) -> bool {
        class.is_some_and(|c| self.config.patient_care_classes.iter().any(|p| p == c))
    }

    fn is_known(&self, id: &DeviceId) -> bool {
        self.states.contains_key(id) || self.models.knows_device(id)
    }

    fn on_window(&mut self, w: &WindowFeatures, out: &mut Vec<(Alert, bool)>) {
        self.stats.windows = self.stats.windows.saturating_add(1);
        let models = Arc::clone(&self.models);
        let (ctx, sanitized) = WindowContext::new(w, &models, &self.config.patient_care_classes);
        self.stats.sanitized_values = self.stats.sanitized_values.saturating_add(sanitized);
        let info = self
            .info
            .get_or_insert_with(w.device.id, DeviceInfo::default);
        info.model.clone_from(&w.identity.model);
        info.class = ctx.class.map(|c| crate::explain::clean(c, 40));
        info.established |= w.established;
        let first = *info.first_window.get_or_insert(w.window_start);
        let warming = w.window_start.micros().saturating_sub(first.micros())
            < self.config.warmup_secs.saturating_mul(1_000_000);
        if warming {
            self.stats.windows_warming = self.stats.windows_warming.saturating_add(1);
        }
        match ctx.profile {
            None => self.stats.windows_unprofiled = self.stats.windows_unprofiled.saturating_add(1),
            Some(p) if !p.is_mature() => {
                self.stats.windows_immature = self.stats.windows_immature.saturating_add(1)
            }
            Some(_) => {}
        }
        let cfg = &self.config;
        let mut found = Vec::new();
        scan::check(&ctx, &cfg.scan, &mut found);
        lateral::check(&ctx, &cfg.lateral, &mut found);
        brute_force::check(&ctx, &cfg.brute_force, &mut found);
        beaconing::check(&ctx, &cfg.beaconing, &mut found);
        exfiltration::check(&ctx, &cfg.exfiltration, &mut found);
        // A manufacturer's declaration is not learnt from noisy windows: it holds from the first
        // packet (day-one enforcement); learnt profiles wait for the warm-up.
        if !warming || ctx.declared.is_some() {
            novelty::check(&ctx, &cfg.novelty, &mut found);
        }
        remote_access::check(&ctx, &cfg.remote_access, &mut found);
        let fleet = ctx
            .profile
            .is_some_and(|p| p.peer_group.is_some() && p.is_mature());
        let track = if fleet && w.established {
            Some(
                self.peer_tracks
                    .get_or_insert_with(w.device.id, PeerTrack::default),
            )
        } else {
            None
        };
        let mut anomalies = Vec::new();
        let scored = anomaly::check(&ctx, &self.config.anomaly, track, &mut anomalies);
        if !warming {
            found.append(&mut anomalies);
        }
        if let Some(score) = scored {
            self.stats.windows_scored = self.stats.windows_scored.saturating_add(1);
            if w.established {
                self.scores.insert(w.device.id, score);
            }
        }
        let priority = w.established || self.is_known(&w.device.id);
        out.extend(found.into_iter().map(|a| (a, priority)));
    }

    fn emit(&mut self, mut alert: Alert, priority: bool, alerts: &mut Vec<Alert>) {
        self.stats.candidates = self.stats.candidates.saturating_add(1);
        alert.ts = crate::explain::clamp_time(alert.ts);
        match self.allowlist.apply(&mut alert) {
            Verdict::Drop => {
                self.stats.allowlisted = self.stats.allowlisted.saturating_add(1);
                return;
            }
            Verdict::Trimmed => {
                self.stats.allowlist_trimmed = self.stats.allowlist_trimmed.saturating_add(1)
            }
            Verdict::Keep => {}
        }
        if self
            .suppressor
            .is_duplicate(alert.device.id, alert.kind, alert.ts)
        {
            self.stats.deduplicated = self.stats.deduplicated.saturating_add(1);
            return;
        }
        if !self.limiter.admit(&alert, priority, self.now) {
            self.stats.rate_limited = self.stats.rate_limited.saturating_add(1);
            return;
        }
        self.suppressor
            .record(alert.device.id, alert.kind, alert.ts);
        self.stats.count_emitted(alert.kind);
        alerts.push(alert);
    }

    /// Counters so far.
    pub fn stats(&self) -> &DetectorStats {
        &self.stats
    }

    /// Replaces the allow-list (takes effect for the next event).
    pub fn set_allowlist(&mut self, allowlist: Allowlist) {
        self.allowlist = allowlist;
    }

    /// The allow-list in force.
    pub fn allowlist(&self) -> &Allowlist {
        &self.allowlist
    }

    /// Swaps in a retrained (or newly declared) model set; per-device peer tracking restarts.
    pub fn set_models(&mut self, models: Arc<ModelSet>) {
        self.models = models;
        self.peer_tracks = BoundedMap::new(self.config.max_tracked_devices.max(1));
    }

    /// The model set in force.
    pub fn models(&self) -> &Arc<ModelSet> {
        &self.models
    }

    /// Records what the operator says about a device. Returns false when the table is full.
    pub fn set_device_status(&mut self, id: DeviceId, status: DeviceStatus) -> bool {
        if !self.states.contains_key(&id) && self.states.len() >= self.config.max_device_states {
            self.stats.device_states_refused = self.stats.device_states_refused.saturating_add(1);
            return false;
        }
        self.states.insert(id, status);
        true
    }

    /// Replaces all device states (e.g. loaded from the sensor's inventory at start).
    pub fn set_device_states(
        &mut self,
        states: impl IntoIterator<Item = (DeviceId, DeviceStatus)>,
    ) {
        self.states.clear();
        for (id, s) in states {
            self.set_device_status(id, s);
        }
    }

    /// Ends the discovery period: from now on every device that establishes and is not known
    /// raises `new_device` (call it when the sensor resumed from its state or knows the site's
    /// devices).
    pub fn end_discovery(&mut self) {
        self.discovery_end = Some(Timestamp(0));
    }

    /// True while devices that establish are taken as the starting inventory.
    pub fn discovering(&self) -> bool {
        self.discovery_end.is_none_or(|end| self.now < end)
    }

    /// The status of a device, if the caller gave one.
    pub fn device_status(&self, id: &DeviceId) -> Option<DeviceStatus> {
        self.states.get(id).copied()
    }

    /// The latest anomaly score of an established device.
    pub fn anomaly_score(&self, id: &DeviceId) -> Option<&AnomalyScore> {
        self.scores.get(id)
    }

    /// Latest anomaly scores of established devices (at most `max_tracked_devices`), by device.
    pub fn anomaly_scores(&self) -> impl Iterator<Item = (&DeviceId, &AnomalyScore)> {
        self.scores.iter()
    }

    /// Maturity per profile (model and per-device profiles), for metrics.
    pub fn maturities(&self) -> impl Iterator<Item = (&ProfileKey, &Maturity)> {
        self.models.maturities()
    }

    /// A device's own maturity from training.
    pub fn device_maturity(&self, id: &DeviceId) -> Option<&Maturity> {
        self.models.device_maturity(id)
    }
}
