//! Packet time. Every window, timeout and rate in wardwatch is driven by these values, taken
//! from capture records by the caller; the core never reads a clock.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Packet time in microseconds since the Unix epoch, as found in the capture record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

/// A span of packet time in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub u64);

impl Span {
    /// A span of whole seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Span(secs.saturating_mul(1_000_000))
    }
    /// A span of milliseconds.
    pub const fn from_millis(ms: u64) -> Self {
        Span(ms.saturating_mul(1_000))
    }
    /// The span in microseconds.
    pub const fn micros(self) -> u64 {
        self.0
    }
    /// The span in (fractional) seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
}

impl Timestamp {
    /// A timestamp from whole seconds since the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        Timestamp(secs.saturating_mul(1_000_000))
    }
    /// A timestamp from a capture record's seconds and microseconds (negative values clamp to 0).
    pub fn from_parts(secs: i64, micros: i64) -> Self {
        let secs = u64::try_from(secs).unwrap_or(0);
        let micros = u64::try_from(micros).unwrap_or(0).min(999_999);
        Timestamp(secs.saturating_mul(1_000_000).saturating_add(micros))
    }
    /// Microseconds since the epoch.
    pub const fn micros(self) -> u64 {
        self.0
    }
    /// Whole seconds since the epoch.
    pub const fn secs(self) -> u64 {
        self.0 / 1_000_000
    }
    /// Seconds since the epoch as a float (for Prometheus and JSON).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// This time plus a span, saturating.
    pub const fn add(self, span: Span) -> Self {
        Timestamp(self.0.saturating_add(span.0))
    }
    /// The span from `earlier` to `self` (zero if `earlier` is later).
    pub const fn since(self, earlier: Timestamp) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }
    /// The start of the tumbling window of length `window` that holds this time.
    pub fn window_start(self, window: Span) -> Timestamp {
        match window.0 {
            0 => self,
            w => Timestamp(self.0 - self.0 % w),
        }
    }
    /// Seconds into the UTC day (0..86400), for time-of-day profiles.
    pub const fn second_of_day(self) -> u32 {
        (self.secs() % 86_400) as u32
    }
    /// Latest time RFC 3339 text can show (9999-12-31T23:59:59.999999Z); later packet times
    /// (a crafted pcapng can carry them) are shown as this instead of failing.
    pub const MAX_RFC3339: Timestamp = Timestamp(253_402_300_799_999_999);

    /// RFC 3339 text in UTC with microseconds, e.g. `2026-01-05T08:00:00.000000Z`.
    pub fn to_rfc3339(self) -> String {
        let micros = self.0.min(Self::MAX_RFC3339.0);
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros);
        humantime::format_rfc3339_micros(t).to_string()
    }
    /// Parses RFC 3339 text (UTC, `Z` suffix) into packet time.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimeParseError> {
        let t = humantime::parse_rfc3339_weak(text).map_err(|e| TimeParseError {
            text: text.chars().take(64).collect(),
            reason: e.to_string(),
        })?;
        let d = t
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| TimeParseError {
                text: text.chars().take(64).collect(),
                reason: "before 1970".into(),
            })?;
        Ok(Timestamp(u64::try_from(d.as_micros()).unwrap_or(u64::MAX)))
    }
}

/// A timestamp text that is not RFC 3339.
#[derive(Debug, thiserror::Error)]
#[error("not an RFC 3339 UTC time: {text:?} ({reason})")]
pub struct TimeParseError {
    /// The offending text (truncated).
    pub text: String,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = Timestamp::parse_rfc3339("2026-01-05T08:00:00Z").unwrap();
        assert_eq!(t.secs(), 1_767_600_000);
        assert_eq!(t.to_rfc3339(), "2026-01-05T08:00:00.000000Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()).unwrap(), t);
    }

    #[test]
    fn window_alignment() {
        let t = Timestamp(125_500_000);
        assert_eq!(t.window_start(Span::from_secs(60)), Timestamp(120_000_000));
        assert_eq!(t.window_start(Span(0)), t);
        assert_eq!(Timestamp::from_parts(-5, 3), Timestamp(3));
    }

    #[test]
    fn far_future_times_clamp_instead_of_panicking() {
        assert_eq!(
            Timestamp(u64::MAX).to_rfc3339(),
            "9999-12-31T23:59:59.999999Z"
        );
        assert_eq!(
            Timestamp::MAX_RFC3339.to_rfc3339(),
            "9999-12-31T23:59:59.999999Z"
        );
        assert_eq!(
            serde_json::to_string(&Timestamp(u64::MAX)).unwrap(),
            "\"9999-12-31T23:59:59.999999Z\""
        );
    }
}
