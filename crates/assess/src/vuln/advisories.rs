//! The catalog's known advisories per device model (`models/advisories.toml`, written by another
//! part of wardwatch). This reader needs only a few fields and tolerates any others, and a few
//! spellings of each, so the two sides can be reconciled later without breaking either:
//!
//! ```toml
//! [[advisory]]                 # or [[advisories]]
//! cve = "CVE-2020-25165"       # or id
//! models = ["bd-alaris-pcu-8015"]   # or model = "…"
//! cvss = "CVSS:3.1/AV:A/…"     # or cvss_vector / cvss_v3 / vector
//! known_exploited = false      # or kev / exploited
//! fixed = "12.1.3"             # or fixed_version / fixed_in
//! ```
//!
//! An entry applies to the assessed model when `models` contains its name. Its versions: below
//! `fixed` when the SBOM's root component gives the device version, every version when no
//! `fixed` is stated, unknown when `fixed` is stated but the device version is not known.

use super::{PackageRef, Record, SourceStatus, Statement, VersionSpec};
use crate::error::{InputError, InputKind};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    #[serde(default, alias = "advisories")]
    advisory: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct Entry {
    #[serde(alias = "id")]
    cve: String,
    #[serde(default, alias = "model")]
    models: Option<OneOrMany>,
    #[serde(default, alias = "cvss_vector", alias = "cvss_v3", alias = "vector")]
    cvss: Option<String>,
    #[serde(default, alias = "cvss_score", alias = "base_score")]
    score: Option<f64>,
    #[serde(default, alias = "kev", alias = "exploited")]
    known_exploited: bool,
    #[serde(default, alias = "fixed_version", alias = "fixed_in")]
    fixed: Option<String>,
    #[serde(default, alias = "title")]
    summary: Option<String>,
}

/// Reads `advisories.toml` and keeps the entries for `model`.
pub(crate) fn parse(file: &str, text: &str, model: &str) -> Result<Vec<Record>, InputError> {
    let deserializer = toml::de::Deserializer::parse(text).map_err(|e| {
        InputError::new(
            InputKind::Advisories,
            file,
            "(document)",
            one_line(&e.to_string()),
        )
    })?;
    let parsed: File = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        InputError::new(
            InputKind::Advisories,
            file,
            field,
            one_line(&e.into_inner().to_string()),
        )
    })?;
    let mut records = Vec::new();
    for (i, entry) in parsed.advisory.into_iter().enumerate() {
        if !super::is_cve(entry.cve.trim()) {
            return Err(InputError::new(
                InputKind::Advisories,
                file,
                format!("advisory[{i}].cve"),
                format!("{:?} is not a CVE id", entry.cve),
            ));
        }
        let models = match entry.models {
            Some(OneOrMany::One(m)) => vec![m],
            Some(OneOrMany::Many(ms)) => ms,
            None => Vec::new(),
        };
        if !models.iter().any(|m| m == model) {
            continue;
        }
        records.push(Record {
            id: entry.cve.trim().to_owned(),
            aliases: Vec::new(),
            file: file.to_owned(),
            summary: entry.summary,
            cvss: entry.cvss.map(|v| (v, entry.score)),
            known_exploited: entry
                .known_exploited
                .then(|| "catalog advisories: known_exploited".to_owned()),
            statements: vec![Statement {
                package: PackageRef {
                    model: true,
                    ..PackageRef::default()
                },
                versions: match &entry.fixed {
                    Some(f) => VersionSpec::Below(f.clone()),
                    None => VersionSpec::All,
                },
                status: SourceStatus::Affected,
                fixed_versions: entry.fixed.into_iter().collect(),
                remediation: None,
                cvss: None,
            }],
        });
    }
    Ok(records)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_spellings_and_model_filter() {
        let text = r#"
            [[advisories]]
            id = "CVE-2020-25165"
            model = "bd-alaris-pcu-8015"
            cvss_vector = "CVSS:3.1/AV:A/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"
            kev = true
            fixed_version = "12.1.3"
            extra = "ignored"

            [[advisories]]
            cve = "CVE-2022-26392"
            models = ["baxter-spectrum-iq"]
        "#;
        let records = parse("adv.toml", text, "bd-alaris-pcu-8015").unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].id, "CVE-2020-25165");
        assert!(records[0].known_exploited.is_some());
        assert!(
            matches!(&records[0].statements[0].versions, VersionSpec::Below(f) if f == "12.1.3")
        );
    }

    #[test]
    fn bad_entries_name_the_field() {
        let e = parse("adv.toml", "[[advisory]]\ncve = 5\n", "m").unwrap_err();
        assert_eq!(e.field, "advisory[0].cve");
        let e = parse("adv.toml", "[[advisory]]\ncve = \"nope\"\n", "m").unwrap_err();
        assert_eq!(e.field, "advisory[0].cve");
        let e = parse("adv.toml", "[[advisory]\n", "m").unwrap_err();
        assert_eq!(e.field, "(document)");
    }
}
