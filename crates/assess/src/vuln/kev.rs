//! CISA's Known Exploited Vulnerabilities catalog (`known_exploited_vulnerabilities.json`,
//! cisagov/kev-data): the CVE ids, with the date added and ransomware use kept for reports.

use crate::error::{InputError, InputKind};
use serde::Deserialize;
use std::collections::BTreeMap;

/// File name the KEV list must have inside `--vulns DIR`.
pub const KEV_FILE_NAME: &str = "known_exploited_vulnerabilities.json";

#[derive(Deserialize)]
struct Catalog {
    vulnerabilities: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "cveID")]
    cve_id: String,
    #[serde(rename = "dateAdded", default)]
    date_added: Option<String>,
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    ransomware: Option<String>,
}

/// One KEV entry as reports cite it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KevEntry {
    /// Date CISA added it.
    pub date_added: Option<String>,
    /// `Known` when used in ransomware campaigns.
    pub ransomware: Option<String>,
}

/// Reads the KEV catalog into a map from CVE id.
pub fn parse(file: &str, bytes: &[u8]) -> Result<BTreeMap<String, KevEntry>, InputError> {
    let catalog: Catalog = crate::json::decode(InputKind::Kev, file, bytes)?;
    let mut out = BTreeMap::new();
    for (i, e) in catalog.vulnerabilities.into_iter().enumerate() {
        if !super::is_cve(&e.cve_id) {
            return Err(InputError::new(
                InputKind::Kev,
                file,
                format!("vulnerabilities[{i}].cveID"),
                format!("{:?} is not a CVE id", e.cve_id),
            ));
        }
        out.insert(
            e.cve_id,
            KevEntry {
                date_added: e.date_added,
                ransomware: e.ransomware,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_refuses_bad_ids() {
        let doc = br#"{"catalogVersion": "1", "dateReleased": "x", "count": 1, "vulnerabilities": [
            {"cveID": "CVE-2016-5195", "vendorProject": "Linux", "product": "Kernel", "dateAdded": "2022-03-03",
             "knownRansomwareCampaignUse": "Unknown"}]}"#;
        let kev = parse(KEV_FILE_NAME, doc).unwrap();
        assert_eq!(
            kev["CVE-2016-5195"].date_added.as_deref(),
            Some("2022-03-03")
        );
        let bad = br#"{"vulnerabilities": [{"cveID": "2016-5195"}]}"#;
        assert_eq!(
            parse("k", bad).unwrap_err().field,
            "vulnerabilities[0].cveID"
        );
        let missing = br#"{"catalogVersion": "1"}"#;
        assert!(
            parse("k", missing)
                .unwrap_err()
                .message
                .contains("missing field `vulnerabilities`")
        );
    }
}
