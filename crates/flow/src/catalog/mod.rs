//! The device-model catalog (`models/catalog.toml`): what each model is, how to recognise it from
//! passive evidence, which services it serves, and (for the synthetic ward) how it behaves.
//! Shared by identification, the baseline (expected services) and the generator.
//! Parsing is sans-IO: the caller reads the file and hands over its text.

mod emitted;
mod fingerprint;
mod traffic;

pub use emitted::{DhcpIdentity, DicomIdentity, EmittedIdentity, Hl7Identity};
pub use fingerprint::{ClassHint, EvidenceKind, FingerprintRule};
pub use traffic::{Activity, TrafficKind, TrafficSpec};

use crate::event::Transport;
use crate::ids::ModelId;
use serde::Deserialize;
use std::collections::HashSet;

/// Catalog file format version this build reads.
pub const CATALOG_FORMAT: u32 = 1;

/// A validated catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Device models in file order.
    pub models: Vec<DeviceModel>,
    /// Class-level guesses for devices no model matches.
    pub class_hints: Vec<ClassHint>,
}

/// One device model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceModel {
    /// Stable id (lowercase letters, digits and dashes), used in model files and metric labels.
    pub id: ModelId,
    /// Manufacturer.
    pub vendor: String,
    /// Product name.
    pub name: String,
    /// Device class id, e.g. `infusion_pump`.
    pub class: String,
    /// Typical operating system.
    #[serde(default)]
    pub os: String,
    /// Software/firmware versions the model ships with, oldest first (the synthetic ward draws from them).
    #[serde(default)]
    pub software_versions: Vec<String>,
    /// Where the facts come from: `S` sourced, `A` assumed, with references in the file's comments.
    #[serde(default)]
    pub source: String,
    /// Weighted evidence rules that identify the model.
    #[serde(default)]
    pub fingerprint: Vec<FingerprintRule>,
    /// Services the model accepts connections on.
    #[serde(default)]
    pub services: Vec<ServiceSpec>,
    /// Identity evidence the model emits (used by the synthetic ward to speak like the device).
    #[serde(default)]
    pub emits: EmittedIdentity,
    /// Normal traffic of the model (used by the synthetic ward).
    #[serde(default)]
    pub traffic: Vec<TrafficSpec>,
}

/// A service a model accepts connections on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// Transport protocol.
    pub proto: Transport,
    /// Port.
    pub port: u16,
    /// Short service name, e.g. `dicom`, `http`, `telnet`.
    #[serde(default)]
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    format: u32,
    #[serde(default, rename = "model")]
    models: Vec<DeviceModel>,
    #[serde(default, rename = "class_hint")]
    class_hints: Vec<ClassHint>,
}

/// Why a catalog was refused. Messages name the model and field.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The TOML does not parse or does not fit the schema.
    #[error("catalog is not valid TOML for format {CATALOG_FORMAT}: {0}")]
    Syntax(String),
    /// The file declares a format this build does not read.
    #[error("catalog format {found} is not supported (this build reads format {CATALOG_FORMAT})")]
    Format {
        /// Declared format.
        found: u32,
    },
    /// A model or rule breaks a rule of the schema.
    #[error("catalog model {model:?}, field {field}: {reason}")]
    Invalid {
        /// Model id (or class hint index).
        model: String,
        /// Offending field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl Catalog {
    /// Parses and validates catalog text.
    pub fn parse(text: &str) -> Result<Catalog, CatalogError> {
        let file: CatalogFile =
            toml::from_str(text).map_err(|e| CatalogError::Syntax(e.to_string()))?;
        if file.format != CATALOG_FORMAT {
            return Err(CatalogError::Format { found: file.format });
        }
        let mut seen = HashSet::new();
        for model in &file.models {
            model.validate()?;
            if !seen.insert(model.id.as_str().to_owned()) {
                return Err(invalid(model.id.as_str(), "id", "duplicate model id"));
            }
        }
        for (i, hint) in file.class_hints.iter().enumerate() {
            hint.validate()
                .map_err(|(field, reason)| invalid(&format!("class_hint[{i}]"), field, &reason))?;
        }
        Ok(Catalog {
            models: file.models,
            class_hints: file.class_hints,
        })
    }

    /// Looks a model up by id.
    pub fn model(&self, id: &str) -> Option<&DeviceModel> {
        self.models.iter().find(|m| m.id.as_str() == id)
    }
}

fn invalid(model: &str, field: &str, reason: &str) -> CatalogError {
    CatalogError::Invalid {
        model: model.into(),
        field: field.into(),
        reason: reason.into(),
    }
}

/// True for ids that are safe as metric label values and file names.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl DeviceModel {
    fn validate(&self) -> Result<(), CatalogError> {
        let id = self.id.as_str();
        if !is_valid_id(id) {
            return Err(invalid(
                id,
                "id",
                "use 1-64 lowercase letters, digits and dashes",
            ));
        }
        if self.class.is_empty()
            || !self
                .class
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return Err(invalid(
                id,
                "class",
                "use lowercase letters and underscores",
            ));
        }
        if self.fingerprint.is_empty() {
            return Err(invalid(
                id,
                "fingerprint",
                "a model needs at least one fingerprint rule",
            ));
        }
        for (i, rule) in self.fingerprint.iter().enumerate() {
            rule.validate()
                .map_err(|reason| invalid(id, &format!("fingerprint[{i}]"), &reason))?;
        }
        for (i, spec) in self.traffic.iter().enumerate() {
            spec.validate()
                .map_err(|reason| invalid(id, &format!("traffic[{i}]"), &reason))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = r#"
format = 1
[[model]]
id = "demo-pump"
vendor = "Demo"
name = "Pump 1"
class = "infusion_pump"
[[model.fingerprint]]
evidence = "mac"
pattern = "^00:09:fb"
weight = 0.3
[[model.services]]
proto = "tcp"
port = 23
name = "telnet"
[[class_hint]]
evidence = "dhcp_vendor_class"
pattern = "^MSFT 5\\.0$"
class = "workstation"
label = "Windows host"
"#;

    #[test]
    fn parses_minimal_catalog() {
        let c = Catalog::parse(MINI).unwrap();
        assert_eq!(c.models.len(), 1);
        assert_eq!(c.model("demo-pump").unwrap().services[0].port, 23);
        assert_eq!(c.class_hints[0].class, "workstation");
    }

    #[test]
    fn refusals_name_model_and_field() {
        let dup = format!(
            "{MINI}\n{}",
            &MINI[MINI.find("[[model]]").unwrap()..MINI.find("[[class_hint]]").unwrap()]
        );
        let err = Catalog::parse(&dup).unwrap_err().to_string();
        assert!(err.contains("duplicate model id"), "{err}");
        let bad = MINI.replace("demo-pump", "Demo Pump");
        assert!(
            Catalog::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("field id")
        );
        let bad = MINI.replace("^00:09:fb", "(unclosed");
        let err = Catalog::parse(&bad).unwrap_err().to_string();
        assert!(err.contains("fingerprint[0]"), "{err}");
        let bad = MINI.replace("format = 1", "format = 7");
        assert!(matches!(
            Catalog::parse(&bad),
            Err(CatalogError::Format { found: 7 })
        ));
        let bad = MINI.replace("weight = 0.3", "weight = 0.3\ncolour = 1");
        assert!(
            Catalog::parse(&bad)
                .unwrap_err()
                .to_string()
                .contains("colour")
        );
    }
}

#[cfg(test)]
mod shipped {
    use super::*;

    #[test]
    fn shipped_catalog_parses() {
        let catalog = Catalog::parse(include_str!("../../../../models/catalog.toml")).unwrap();
        assert!(
            catalog.models.len() >= 30,
            "{} models",
            catalog.models.len()
        );
    }
}
