//! The global alert rate limit: a token bucket refilled in packet time. Alerts about unknown or
//! unestablished sources may only use the tokens above a reserve, so a flood from spoofed
//! sources can never starve alerts about established devices. Every interval in which alerts
//! were held back ends with one `alert_storm` summary naming the count and the top offender.

use crate::alert::{Alert, AlertDevice, AlertKind, Severity};
use crate::error::{BaselineError, check_range};
use crate::explain;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wardwatch_flow::{DeviceId, Span, Timestamp};

/// Devices whose held-back alerts are counted individually per storm interval.
const MAX_STORM_DEVICES: usize = 256;

/// Rate-limit settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Bucket size: alerts that may go out at once.
    pub burst: u32,
    /// Refill rate, alerts per minute of packet time.
    pub per_minute: f64,
    /// Fraction of the bucket reserved for alerts about established devices.
    pub reserve_fraction: f64,
    /// Length of a storm-summary interval, seconds.
    pub storm_interval_secs: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            burst: 100,
            per_minute: 20.0,
            reserve_fraction: 0.5,
            storm_interval_secs: 60,
        }
    }
}

impl RateLimitConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), BaselineError> {
        if self.burst == 0 {
            return Err(BaselineError::setting(
                "rate_limit.burst",
                "must be at least 1",
            ));
        }
        check_range("rate_limit.per_minute", self.per_minute, 0.0, 1e6)?;
        check_range(
            "rate_limit.reserve_fraction",
            self.reserve_fraction,
            0.0,
            0.99,
        )?;
        if self.storm_interval_secs == 0 {
            return Err(BaselineError::setting(
                "rate_limit.storm_interval_secs",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

#[derive(Clone, Debug, Default)]
struct Storm {
    start: Option<Timestamp>,
    held: u64,
    by_kind: BTreeMap<AlertKind, u64>,
    by_device: BTreeMap<DeviceId, (u64, AlertDevice)>,
}

/// The token bucket and the storm bookkeeping.
#[derive(Clone, Debug)]
pub struct RateLimiter {
    cfg: RateLimitConfig,
    tokens: f64,
    last: Option<Timestamp>,
    storm: Storm,
}

impl RateLimiter {
    /// A full bucket.
    pub fn new(cfg: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            tokens: f64::from(cfg.burst.max(1)),
            cfg,
            last: None,
            storm: Storm::default(),
        }
    }

    fn refill(&mut self, now: Timestamp) {
        if let Some(last) = self.last {
            let elapsed = now.since(last).as_secs_f64();
            let cap = f64::from(self.cfg.burst.max(1));
            self.tokens = (self.tokens + elapsed * self.cfg.per_minute / 60.0).min(cap);
        }
        if self.last.is_none_or(|l| now > l) {
            self.last = Some(now);
        }
    }

    /// Takes a token for `alert` at packet time `now`. Priority alerts (established devices)
    /// need one token; others need one above the reserve. A refused alert is counted for the
    /// storm summary.
    pub fn admit(&mut self, alert: &Alert, priority: bool, now: Timestamp) -> bool {
        self.refill(now);
        let reserve = if priority {
            0.0
        } else {
            f64::from(self.cfg.burst.max(1)) * self.cfg.reserve_fraction
        };
        if self.tokens >= 1.0 + reserve {
            self.tokens -= 1.0;
            return true;
        }
        let s = &mut self.storm;
        s.start.get_or_insert(now);
        s.held = s.held.saturating_add(1);
        *s.by_kind.entry(alert.kind).or_default() += 1;
        if let Some(e) = s.by_device.get_mut(&alert.device.id) {
            e.0 = e.0.saturating_add(1);
        } else if s.by_device.len() < MAX_STORM_DEVICES {
            s.by_device
                .insert(alert.device.id, (1, alert.device.clone()));
        }
        false
    }

    /// Emits the storm summary once its interval has passed at `now`.
    pub fn tick(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        let Some(start) = self.storm.start else {
            return;
        };
        let end = start.add(Span::from_secs(self.cfg.storm_interval_secs));
        if now >= end {
            out.push(self.summary(end));
        }
    }

    /// Emits a pending storm summary now, whatever the interval (end of input).
    pub fn flush(&mut self, now: Timestamp, out: &mut Vec<Alert>) {
        if self.storm.start.is_some() {
            out.push(self.summary(now));
        }
    }

    fn summary(&mut self, end: Timestamp) -> Alert {
        let storm = std::mem::take(&mut self.storm);
        let start = storm.start.unwrap_or(end);
        let top = storm
            .by_device
            .iter()
            .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(a.0)))
            .map(|(_, (n, d))| (*n, d.clone()));
        let (top_count, device) = top.unwrap_or((0, unknown_device()));
        let kinds: Vec<String> = storm
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut evidence = BTreeMap::new();
        evidence.insert("held_back".into(), storm.held.to_string());
        evidence.insert("interval_start".into(), explain::time_words(start));
        evidence.insert("interval_end".into(), explain::time_words(end));
        evidence.insert("kinds".into(), kinds.join(", "));
        evidence.insert("top_device_alerts".into(), top_count.to_string());
        evidence.insert("devices_counted".into(), storm.by_device.len().to_string());
        let explanation = format!(
            "Alert storm: the rate limit held back {} between {} and {}, {} of them about {} ({}). \
             Alerts about established devices were let through first; check the named device and the sensor's alert metrics.",
            explain::count_words(storm.held, "alert", "alerts"),
            explain::time_words(start),
            explain::time_words(end),
            top_count,
            explain::device_label(&device, None),
            kinds.join(", "),
        );
        Alert {
            ts: explain::clamp_time(end),
            kind: AlertKind::AlertStorm,
            severity: if storm.held >= 10 * u64::from(self.cfg.burst) {
                Severity::High
            } else {
                Severity::Medium
            },
            device,
            peers: Vec::new(),
            peers_total: 0,
            explanation: explain::bound_explanation(explanation),
            features: Vec::new(),
            evidence,
        }
    }

    /// Tokens left (for tests and metrics).
    pub fn tokens(&self) -> f64 {
        self.tokens
    }
}

fn unknown_device() -> AlertDevice {
    AlertDevice {
        id: DeviceId::Ip(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        mac: None,
        ip: None,
        model: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::mac;

    fn alert(n: u32) -> Alert {
        Alert {
            ts: Timestamp::from_secs(0),
            kind: AlertKind::PortScan,
            severity: Severity::Medium,
            device: AlertDevice {
                id: DeviceId::Mac(mac(n)),
                mac: Some(mac(n)),
                ip: None,
                model: None,
            },
            peers: Vec::new(),
            peers_total: 0,
            explanation: String::new(),
            features: Vec::new(),
            evidence: BTreeMap::new(),
        }
    }

    #[test]
    fn reserve_keeps_room_for_established_devices() {
        let cfg = RateLimitConfig {
            burst: 10,
            per_minute: 6.0,
            reserve_fraction: 0.5,
            storm_interval_secs: 60,
        };
        let mut r = RateLimiter::new(cfg);
        let t = Timestamp::from_secs(1000);
        // Unknown sources get 10 − 5 = 5 (a token must remain above the reserve of 5 after use: 10,9,8,7,6 ≥ 6).
        let unknown = (0..20)
            .filter(|i| r.admit(&alert(100 + i), false, t))
            .count();
        assert_eq!(unknown, 5);
        // Established devices still get the remaining 5.
        let known = (0..20).filter(|i| r.admit(&alert(*i), true, t)).count();
        assert_eq!(known, 5);
        // 30 s later, 3 tokens were refilled.
        let later = Timestamp::from_secs(1030);
        assert_eq!(
            (0..10).filter(|i| r.admit(&alert(*i), true, later)).count(),
            3
        );
        let mut out = Vec::new();
        r.tick(Timestamp::from_secs(1059), &mut out);
        assert!(out.is_empty());
        r.tick(Timestamp::from_secs(1060), &mut out);
        assert_eq!(out.len(), 1);
        let s = &out[0];
        assert_eq!(s.kind, AlertKind::AlertStorm);
        assert_eq!(s.ts, Timestamp::from_secs(1060));
        assert_eq!(s.evidence["held_back"], "37");
        assert_eq!(s.evidence["kinds"], "port_scan 37");
        // Devices 5..=9 were refused twice (among the known, and 30 s later); ties go to the lowest id.
        assert_eq!(s.device.id, DeviceId::Mac(mac(5)));
        // Nothing more to report.
        out.clear();
        r.tick(Timestamp::from_secs(5000), &mut out);
        assert!(out.is_empty());
    }
}
