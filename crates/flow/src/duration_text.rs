//! Spans of packet time written as human text in configuration: `"5m"`, `"60s"`, `"1h 30m"`.

use crate::time::Span;
use serde::{Deserialize, Deserializer, Serializer};

/// Serialises a span as humantime text.
pub fn serialize<S: Serializer>(span: &Span, s: S) -> Result<S::Ok, S::Error> {
    let text = humantime::format_duration(std::time::Duration::from_micros(span.micros()));
    s.collect_str(&text)
}

/// Reads a span from humantime text.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
    let text = String::deserialize(d)?;
    let duration = humantime::parse_duration(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "not a duration: {text:?} ({e}); write e.g. \"60s\" or \"5m\""
        ))
    })?;
    Ok(Span(
        u64::try_from(duration.as_micros()).unwrap_or(u64::MAX),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Wrap {
        #[serde(with = "super")]
        span: Span,
    }

    #[test]
    fn round_trips_text() {
        let w: Wrap = toml::from_str("span = \"5m\"").unwrap();
        assert_eq!(w.span, Span::from_secs(300));
        assert_eq!(toml::to_string(&w).unwrap().trim(), "span = \"5m\"");
        let err = toml::from_str::<Wrap>("span = \"soon\"")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not a duration"), "{err}");
    }
}
