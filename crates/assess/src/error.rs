//! The one error type of this crate: which input file was refused, which field, and why.

use std::fmt;

/// The kind of input file an error is about; named in every message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// A CycloneDX or SPDX SBOM.
    Sbom,
    /// An MDS2 form (CSV or XLSX).
    Mds2,
    /// A MUD file (RFC 8520).
    Mud,
    /// An OSV vulnerability record.
    Osv,
    /// A CSAF 2.0 advisory.
    Csaf,
    /// CISA's known-exploited-vulnerabilities list.
    Kev,
    /// The catalog's `advisories.toml`.
    Advisories,
    /// A file in `--vulns DIR` before its kind is known.
    VulnerabilityData,
}

impl InputKind {
    /// Human name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Sbom => "SBOM",
            InputKind::Mds2 => "MDS2 form",
            InputKind::Mud => "MUD file",
            InputKind::Osv => "OSV record",
            InputKind::Csaf => "CSAF advisory",
            InputKind::Kev => "KEV list",
            InputKind::Advisories => "advisories file",
            InputKind::VulnerabilityData => "vulnerability data file",
        }
    }
}

/// An input file this crate refused: names the file and the offending field (a JSON path such as
/// `components[3].version`, a CSV cell such as `row 12, Answer`, or `(document)` for the whole file).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct InputError {
    /// What kind of file it is.
    pub kind: InputKind,
    /// The file as the user named it.
    pub file: String,
    /// Path of the offending field inside the file.
    pub field: String,
    /// What is wrong, and where possible what was expected.
    pub message: String,
}

impl InputError {
    /// Builds an error.
    pub fn new(
        kind: InputKind,
        file: &str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        InputError {
            kind,
            file: file.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: field `{}`: {}",
            self.kind.name(),
            self.file,
            self.field,
            self.message
        )
    }
}
