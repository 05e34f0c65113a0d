//! Validation of new profiles on the hold-out: the held-out windows (normal traffic, by the
//! premise of retraining) are replayed in time order through a [`Detector`] with the new
//! profiles, and every alert counts as a false alert of the profile that judged its device.
//! Deduplication stays as in `wardwatch run` (one alert per device and kind per hour); the
//! global rate limit is lifted so it cannot hide false alerts.

use std::collections::BTreeMap;
use std::sync::Arc;
use wardwatch_baseline::{AlertKind, Detector, DetectorConfig, ModelSet, ProfileKey};
use wardwatch_flow::{Event, WindowFeatures};

/// Hold-out figures of one profile (or of devices without one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Windows judged by the profile.
    pub windows: u64,
    /// Device-days they cover.
    pub device_days: f64,
    /// Alerts raised (all false).
    pub alerts: u64,
    /// Alerts by kind.
    pub kinds: BTreeMap<AlertKind, u64>,
}

impl Figures {
    /// Alerts per 100 device-days; `None` without hold-out data.
    pub fn per_100_device_days(&self) -> Option<f64> {
        (self.device_days > 0.0).then(|| self.alerts as f64 * 100.0 / self.device_days)
    }
}

/// The detector settings of the validation: defaults, rate limit lifted.
pub fn detector_config() -> DetectorConfig {
    let mut config = DetectorConfig::default();
    config.rate_limit.burst = u32::MAX;
    config.rate_limit.per_minute = 1e6;
    config
}

/// Replays the held-out windows (sorted here by start time, then device) through a detector
/// with `profiles`; figures per profile key (`None`: devices no profile judges). `progress`
/// gets the number of windows done.
pub fn validate(
    profiles: Arc<ModelSet>,
    mut windows: Vec<WindowFeatures>,
    progress: &dyn Fn(u64),
) -> BTreeMap<Option<ProfileKey>, Figures> {
    windows.sort_by_key(|w| (w.window_start, w.device.id));
    let mut detector = Detector::new(profiles.clone(), detector_config());
    let mut figures: BTreeMap<Option<ProfileKey>, Figures> = BTreeMap::new();
    let mut alerts = Vec::new();
    for (done, w) in windows.into_iter().enumerate() {
        let key = profiles
            .profile_for(&w.device.id, w.identity.model.as_ref())
            .map(|p| p.key.clone());
        let f = figures.entry(key).or_default();
        f.windows += 1;
        f.device_days += f64::from(w.window_secs) / 86_400.0;
        detector.process(&Event::Window(Box::new(w)), &mut alerts);
        for a in alerts.drain(..) {
            if a.kind == AlertKind::AlertStorm {
                continue;
            }
            let key = profiles
                .profile_for(&a.device.id, a.device.model.as_ref())
                .map(|p| p.key.clone());
            let f = figures.entry(key).or_default();
            f.alerts += 1;
            *f.kinds.entry(a.kind).or_default() += 1;
        }
        if done % 1024 == 0 {
            progress(done as u64);
        }
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;
    use wardwatch_baseline::testkit::{FleetSpec, fleet_windows};
    use wardwatch_baseline::{TrainParams, train};

    #[test]
    fn normal_hold_out_windows_of_a_trained_fleet_raise_almost_nothing() {
        let spec = FleetSpec::pumps(4, 4, 600);
        let windows = fleet_windows(&spec);
        let cut = windows.iter().map(|w| w.window_start).max().unwrap().secs() - 86_400;
        let (train_part, hold): (Vec<_>, Vec<_>) = windows
            .into_iter()
            .partition(|w| w.window_start.secs() < cut);
        let (set, _) = train(&train_part, &TrainParams::default()).unwrap();
        let n = hold.len() as u64;
        let figures = validate(Arc::new(set), hold, &|_| {});
        assert_eq!(figures.len(), 1, "{figures:?}");
        let (key, f) = figures.iter().next().unwrap();
        assert_eq!(key, &Some(ProfileKey::Model("bd-alaris-pcu-8015".into())));
        assert_eq!(f.windows, n);
        assert!((f.device_days - n as f64 * 600.0 / 86_400.0).abs() < 1e-9);
        assert!(f.per_100_device_days().unwrap() < 50.0, "{f:?}");
        assert_eq!(Figures::default().per_100_device_days(), None);
    }
}
