//! `manifest.json` of one trained model-set version in the model store: what was trained, from
//! what, with which catalog and feature schema, what the hold-out validation found, and the
//! SHA-256 of every file of the version. Written deterministically (sorted keys, fixed field
//! order, shortest round-trip floats), so the same training gives the same bytes.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wardwatch_flow::Timestamp;

/// Format version of `manifest.json`.
pub const MANIFEST_FORMAT: u32 = 1;
/// File name of the manifest inside a version directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the encoded `wardwatch_baseline::ModelSet` inside a version directory.
pub const PROFILES_FILE: &str = "profiles.wwm";

/// One input of a training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    /// File name (without its folder, so the manifest does not depend on where it was).
    pub name: String,
    /// `capture` (pcap/pcapng) or `feature_log` (JSON lines from `--features-out`).
    pub kind: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Device windows it gave.
    pub windows: u64,
}

/// Training and validation figures of one profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSummary {
    /// The profile (`model <id>` or `device <id>`).
    pub profile: String,
    /// Catalog model of its devices, when identified.
    pub model: Option<String>,
    /// Devices learnt from (outliers excluded).
    pub devices: u32,
    /// Training windows.
    pub windows: u64,
    /// Anomaly threshold (NLL), when a statistical model was fitted.
    pub threshold: Option<f64>,
    /// Hold-out windows replayed through a detector with the new profiles.
    pub holdout_windows: u64,
    /// Hold-out device-days (windows × window length / 86 400).
    pub holdout_device_days: f64,
    /// Alerts on the hold-out (all false: the training data is normal traffic).
    pub holdout_alerts: u64,
    /// Hold-out alerts per 100 device-days; `None` without hold-out data.
    pub holdout_false_alerts_per_100_device_days: Option<f64>,
    /// Devices flagged as outliers during learning and left out.
    pub outliers: Vec<String>,
    /// Maturity figure, 0..1.
    pub maturity: f64,
    /// True when the profile is mature (profile-based alerts enabled).
    pub mature: bool,
    /// Why it is not mature yet.
    pub maturity_reason: Option<String>,
}

/// The manifest of one version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: u32,
    /// The version id (the directory name): `<end of training data, UTC>-<12 hex digits>`.
    pub version: String,
    /// Feature schema of the profiles (`wardwatch_flow::FEATURE_SCHEMA_VERSION`).
    pub feature_schema: u32,
    /// Packet time of the end of the training data.
    pub trained_at: Option<Timestamp>,
    /// SHA-256 (hex) of the catalog the inputs were identified with.
    pub catalog_sha256: String,
    /// Share of the time-ordered input held out for validation.
    pub holdout: f64,
    /// The inputs, in the order given.
    pub inputs: Vec<InputRecord>,
    /// Per profile, sorted by profile.
    pub profiles: Vec<ProfileSummary>,
    /// File name → SHA-256 (hex) of every other file of the version.
    pub files: BTreeMap<String, String>,
}

impl Manifest {
    /// The manifest as written: pretty JSON with a trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Parses manifest bytes and checks the format and feature schema.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(format!(
                "manifest format {} is not supported (this build reads {MANIFEST_FORMAT})",
                manifest.format
            ));
        }
        if manifest.feature_schema != wardwatch_flow::FEATURE_SCHEMA_VERSION {
            return Err(format!(
                "trained on feature schema {} but this build computes schema {}: retrain",
                manifest.feature_schema,
                wardwatch_flow::FEATURE_SCHEMA_VERSION
            ));
        }
        Ok(manifest)
    }

    /// The deterministic version id of this manifest's content plus the profile bytes: the end of
    /// the training data (UTC, to the second) and 12 hex digits of SHA-256 over both.
    pub fn content_version(&self, profiles: &[u8]) -> String {
        use sha2::{Digest, Sha256};
        let mut core = self.clone();
        core.version.clear();
        let mut digest = Sha256::new();
        digest.update(Sha256::digest(profiles));
        digest.update(core.to_bytes());
        let hex = hex::encode(digest.finalize());
        let when = self.trained_at.map_or_else(
            || "untimed".to_owned(),
            |t| {
                t.to_rfc3339()
                    .get(..19)
                    .unwrap_or_default()
                    .replace(['-', ':'], "")
                    + "Z"
            },
        );
        format!("{when}-{}", hex.get(..12).unwrap_or_default())
    }
}

/// True for text that can be a version id: what [`Manifest::content_version`] makes (letters
/// and digits, `-`, then 12 lowercase hex digits), so a version read from `ACTIVE` can never
/// name a path outside the store or one of the store's own files.
pub fn is_version_id(text: &str) -> bool {
    let Some((when, hash)) = text.rsplit_once('-') else {
        return false;
    };
    (1..=40).contains(&when.len())
        && when.bytes().all(|b| b.is_ascii_alphanumeric())
        && hash.len() == 12
        && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT,
            version: String::new(),
            feature_schema: wardwatch_flow::FEATURE_SCHEMA_VERSION,
            trained_at: Some(Timestamp::from_secs(1_767_643_200)),
            catalog_sha256: "ab".repeat(32),
            holdout: 0.2,
            inputs: vec![InputRecord {
                name: "ward.pcap".into(),
                kind: "capture".into(),
                bytes: 10,
                sha256: "cd".repeat(32),
                windows: 5,
            }],
            profiles: Vec::new(),
            files: BTreeMap::from([(PROFILES_FILE.to_owned(), "ef".repeat(32))]),
        }
    }

    #[test]
    fn version_ids_are_deterministic_and_dated() {
        let m = sample();
        let v = m.content_version(b"profiles");
        assert_eq!(v.len(), "20260105T200000Z-".len() + 12);
        assert!(v.starts_with("20260105T200000Z-"), "{v}");
        assert_eq!(v, m.content_version(b"profiles"));
        assert_ne!(v, m.content_version(b"other profiles"));
        let mut named = m.clone();
        named.version = v.clone();
        assert_eq!(
            named.content_version(b"profiles"),
            v,
            "the id ignores itself"
        );
        assert!(is_version_id(&v));
        for bad in [
            "",
            "../x",
            "a/b",
            "-x",
            ".tmp",
            "ACTIVE",
            "x-0123456789AB",
            "-0123456789ab",
        ] {
            assert!(!is_version_id(bad), "{bad}");
        }
    }

    #[test]
    fn parse_checks_format_and_schema() {
        let mut m = sample();
        assert_eq!(Manifest::parse(&m.to_bytes()).unwrap(), m);
        m.feature_schema += 1;
        let err = Manifest::parse(&m.to_bytes()).unwrap_err();
        assert!(err.contains("retrain"), "{err}");
        m = sample();
        m.format = 9;
        assert_eq!(
            Manifest::parse(&m.to_bytes()).unwrap_err(),
            "manifest format 9 is not supported (this build reads 1)"
        );
        assert!(
            Manifest::parse(b"{}")
                .unwrap_err()
                .contains("missing field")
        );
    }
}
