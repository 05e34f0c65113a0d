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
use toml::{Table, Value};

/// Reads `advisories.toml` and keeps the entries for `model`. The file is read as a generic TOML
/// table and each field looked up by its accepted spellings, so unknown fields and extra nesting
/// never break it; a field of the wrong shape is an error naming it.
pub(crate) fn parse(file: &str, text: &str, model: &str) -> Result<Vec<Record>, InputError> {
    let err = |field: String, message: String| {
        InputError::new(InputKind::Advisories, file, field, message)
    };
    let table: Table = text
        .parse()
        .map_err(|e: toml::de::Error| err("(document)".into(), one_line(&e.to_string())))?;
    let (key, entries) = match (table.get("advisory"), table.get("advisories")) {
        (Some(v), _) => ("advisory", v),
        (None, Some(v)) => ("advisories", v),
        (None, None) => return Ok(Vec::new()),
    };
    let entries = entries.as_array().ok_or_else(|| {
        err(
            key.into(),
            "must be an array of tables ([[advisory]])".into(),
        )
    })?;
    let mut records = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let prefix = format!("{key}[{i}]");
        let entry = entry
            .as_table()
            .ok_or_else(|| err(prefix.clone(), "must be a table".into()))?;
        if let Some(record) =
            entry_record(entry, &prefix, model, file).map_err(|(f, m)| err(f, m))?
        {
            records.push(record);
        }
    }
    Ok(records)
}

/// One entry as a record, when it is about `model`.
fn entry_record(
    entry: &Table,
    prefix: &str,
    model: &str,
    file: &str,
) -> Result<Option<Record>, (String, String)> {
    let field = |name: &str| format!("{prefix}.{name}");
    let (cve_key, cve) =
        first(entry, &["cve", "id"]).ok_or_else(|| (field("cve"), "is missing".to_owned()))?;
    let cve = cve
        .as_str()
        .map(str::trim)
        .filter(|c| super::is_cve(c))
        .ok_or_else(|| (field(cve_key), format!("{cve} is not a CVE id")))?;
    let models = match first(entry, &["models", "model"]) {
        None => Vec::new(),
        Some((k, v)) => strings(v).ok_or_else(|| {
            (
                field(k),
                "must be a string or an array of strings".to_owned(),
            )
        })?,
    };
    if !models.iter().any(|m| m == model) {
        return Ok(None);
    }
    let cvss = match first(entry, &["cvss", "cvss_vector", "cvss_v3", "vector"]) {
        None => None,
        Some((_, Value::String(v))) => Some(v.clone()),
        Some((k, Value::Table(t))) => Some(
            first(t, &["vector", "vectorString", "vector_string"])
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
                .ok_or_else(|| (field(k), "a CVSS table needs a `vector` string".to_owned()))?,
        ),
        Some((k, _)) => return Err((field(k), "must be a CVSS 3.x vector string".into())),
    };
    let score = first(entry, &["cvss_score", "base_score", "score"]).and_then(|(_, v)| {
        v.as_float().or_else(|| {
            v.as_integer()
                .and_then(|i| i32::try_from(i).ok())
                .map(f64::from)
        })
    });
    let known_exploited = match first(entry, &["known_exploited", "kev", "exploited"]) {
        None => false,
        Some((k, v)) => v
            .as_bool()
            .ok_or_else(|| (field(k), "must be true or false".to_owned()))?,
    };
    let fixed = match first(entry, &["fixed", "fixed_version", "fixed_in"]) {
        None => None,
        Some((k, v)) => Some(
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| (field(k), "must be a version string".to_owned()))?,
        ),
    };
    Ok(Some(Record {
        id: cve.to_owned(),
        aliases: Vec::new(),
        file: file.to_owned(),
        summary: first(entry, &["summary", "title"])
            .and_then(|(_, v)| v.as_str().map(str::to_owned)),
        cvss: cvss.map(|v| (v, score)),
        known_exploited: known_exploited.then(|| "catalog advisories: known_exploited".to_owned()),
        statements: vec![Statement {
            package: PackageRef {
                model: true,
                ..PackageRef::default()
            },
            versions: match &fixed {
                Some(f) => VersionSpec::Below(f.clone()),
                None => VersionSpec::All,
            },
            status: SourceStatus::Affected,
            fixed_versions: fixed.into_iter().collect(),
            remediation: None,
            cvss: None,
        }],
    }))
}

fn first<'a>(table: &'a Table, keys: &[&'static str]) -> Option<(&'static str, &'a Value)> {
    keys.iter().find_map(|k| table.get(*k).map(|v| (*k, v)))
}

fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
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
        let e = parse(
            "adv.toml",
            "[[advisory]]\ncve = \"CVE-2020-0001\"\nmodels = [\"m\"]\ncvss = 7\n",
            "m",
        )
        .unwrap_err();
        assert_eq!(e.field, "advisory[0].cvss");
        let nested = "[[advisory]]\ncve = \"CVE-2020-0001\"\nmodels = \"m\"\ncvss = { vector = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\", score = 9.8 }\n";
        assert_eq!(
            parse("adv.toml", nested, "m").unwrap()[0]
                .cvss
                .as_ref()
                .unwrap()
                .0
                .len(),
            44
        );
        assert!(
            parse("adv.toml", "format = 1\n[[model]]\nid = \"x\"\n", "m")
                .unwrap()
                .is_empty()
        );
        let e = parse("adv.toml", "[[advisory]]\ncve = \"nope\"\n", "m").unwrap_err();
        assert_eq!(e.field, "advisory[0].cve");
        let e = parse("adv.toml", "[[advisory]\n", "m").unwrap_err();
        assert_eq!(e.field, "(document)");
    }
}
