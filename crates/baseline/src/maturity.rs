//! Baseline maturity: how much normal behaviour a profile (or a device) has been learnt from —
//! windows, distinct days, devices and hours of the day covered — as a 0..1 figure with the
//! reason it is not yet mature. Statistical and profile-based alerts wait for maturity; the
//! figure is exported as a metric, never raised as an alert.

use serde::{Deserialize, Serialize};

/// What a mature baseline needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaturityParams {
    /// Training windows.
    pub min_windows: u64,
    /// Distinct UTC days with windows.
    pub min_days: u32,
    /// Devices, for a model (fleet) profile.
    pub min_devices: u32,
    /// Hours of the day with at least `min_windows_per_hour` windows.
    pub min_hours: u32,
    /// Windows an hour needs to count as covered.
    pub min_windows_per_hour: u64,
}

impl Default for MaturityParams {
    fn default() -> Self {
        MaturityParams {
            min_windows: 1000,
            min_days: 3,
            min_devices: 3,
            min_hours: 18,
            min_windows_per_hour: 3,
        }
    }
}

/// Maturity of one profile or device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Maturity {
    /// 0..1: the least-satisfied requirement's fraction.
    pub figure: f64,
    /// True when every requirement is met.
    pub mature: bool,
    /// Windows learnt from.
    pub windows: u64,
    /// Distinct UTC days.
    pub days: u32,
    /// Devices.
    pub devices: u32,
    /// Hours of the day covered.
    pub hours_covered: u32,
    /// Why it is not mature yet (`None` when mature).
    pub reason: Option<String>,
}

/// The counts maturity is judged on.
#[derive(Clone, Copy, Debug, Default)]
pub struct Coverage {
    /// Windows.
    pub windows: u64,
    /// Distinct days.
    pub days: u32,
    /// Devices.
    pub devices: u32,
    /// Windows per UTC hour.
    pub hour_windows: [u64; 24],
}

impl Maturity {
    /// Judges coverage against the requirements; `min_devices` overrides the parameter
    /// (1 for per-device profiles and devices).
    pub fn assess(c: &Coverage, p: &MaturityParams, min_devices: u32) -> Maturity {
        let hours = c
            .hour_windows
            .iter()
            .filter(|w| **w >= p.min_windows_per_hour.max(1))
            .count() as u32;
        let parts = [
            (
                frac(c.windows as f64, p.min_windows as f64),
                format!("learnt {} of {} windows", c.windows, p.min_windows),
            ),
            (
                frac(f64::from(c.days), f64::from(p.min_days)),
                format!("learnt {} of {} days", c.days, p.min_days),
            ),
            (
                frac(f64::from(c.devices), f64::from(min_devices)),
                format!("learnt from {} of {} devices", c.devices, min_devices),
            ),
            (
                frac(f64::from(hours), f64::from(p.min_hours.min(24))),
                format!(
                    "covers {} of {} hours of the day",
                    hours,
                    p.min_hours.min(24)
                ),
            ),
        ];
        let mut figure: f64 = 1.0;
        let mut reason = None;
        for (f, why) in parts {
            if f < 1.0 && reason.is_none() {
                reason = Some(why);
            }
            figure = figure.min(f);
        }
        Maturity {
            figure: (figure * 1000.0).floor() / 1000.0,
            mature: reason.is_none(),
            windows: c.windows,
            days: c.days,
            devices: c.devices,
            hours_covered: hours,
            reason,
        }
    }

    /// An empty baseline (nothing learnt).
    pub fn none() -> Maturity {
        Maturity {
            figure: 0.0,
            mature: false,
            windows: 0,
            days: 0,
            devices: 0,
            hours_covered: 0,
            reason: Some("no baseline learnt".into()),
        }
    }
}

fn frac(have: f64, need: f64) -> f64 {
    if need <= 0.0 {
        1.0
    } else {
        (have / need).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_names_the_first_shortfall() {
        let mut c = Coverage {
            windows: 2000,
            days: 2,
            devices: 5,
            hour_windows: [10; 24],
        };
        let m = Maturity::assess(&c, &MaturityParams::default(), 3);
        assert!(!m.mature);
        assert_eq!(m.figure, 0.666);
        assert_eq!(m.reason.as_deref(), Some("learnt 2 of 3 days"));
        assert_eq!(m.hours_covered, 24);
        c.days = 3;
        let m = Maturity::assess(&c, &MaturityParams::default(), 3);
        assert!(m.mature);
        assert_eq!((m.figure, m.reason), (1.0, None));
        c.hour_windows = [0; 24];
        c.hour_windows[..9].fill(3);
        let m = Maturity::assess(&c, &MaturityParams::default(), 3);
        assert_eq!(m.figure, 0.5);
        assert_eq!(m.reason.as_deref(), Some("covers 9 of 18 hours of the day"));
    }
}
