//! CSAF 2.0 advisories: typed serde models of the fields used (document.csaf_version and title,
//! product_tree branches / full_product_names / relationships with purl and CPE helpers,
//! vulnerabilities[].cve, ids, scores[].cvss_v3, product_status, remediations, flags, threats).
//!
//! Why no crate: `csaf` 0.5.1 pulls 149 crates (rustsec, crates-index) for a handful of fields
//! (stack.md section 12).
//!
//! Product versions: a `product_version` branch is an exact version; a `product_version_range`
//! branch is evaluated when it is a `vers:` URI (see [`crate::vers`]), free text is unknown.
//! Known exploitation: a `threats[]` entry of category `exploit_status` whose details say the
//! vulnerability is exploited ("exploited", without "no known", "not known", "not been
//! exploited", "not exploited" or "no public").

use super::{PackageRef, Record, SourceStatus, Statement, VersionSpec, primary_id};
use crate::error::{InputError, InputKind};
use crate::identity::{Cpe, Purl, name_key};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Most products resolved from one product tree.
pub const MAX_PRODUCTS: usize = 20_000;

#[derive(Deserialize)]
struct Csaf {
    document: Document,
    #[serde(default)]
    product_tree: Option<ProductTree>,
    #[serde(default)]
    vulnerabilities: Vec<Vulnerability>,
}

#[derive(Deserialize)]
struct Document {
    csaf_version: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize, Default)]
struct ProductTree {
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    full_product_names: Vec<FullProductName>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct Branch {
    category: String,
    name: String,
    #[serde(default)]
    branches: Vec<Branch>,
    #[serde(default)]
    product: Option<FullProductName>,
}

#[derive(Deserialize)]
struct FullProductName {
    product_id: String,
    name: String,
    #[serde(default)]
    product_identification_helper: Option<Helper>,
}

#[derive(Deserialize)]
struct Helper {
    #[serde(default)]
    cpe: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct Relationship {
    product_reference: String,
    full_product_name: FullProductName,
}

#[derive(Deserialize)]
struct Vulnerability {
    #[serde(default)]
    cve: Option<String>,
    #[serde(default)]
    ids: Vec<VulnId>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    product_status: Option<ProductStatus>,
    #[serde(default)]
    scores: Vec<Score>,
    #[serde(default)]
    remediations: Vec<Remediation>,
    #[serde(default)]
    flags: Vec<Flag>,
    #[serde(default)]
    threats: Vec<Threat>,
}

#[derive(Deserialize)]
struct VulnId {
    text: String,
}

#[derive(Deserialize, Default)]
struct ProductStatus {
    #[serde(default)]
    first_affected: Vec<String>,
    #[serde(default)]
    known_affected: Vec<String>,
    #[serde(default)]
    last_affected: Vec<String>,
    #[serde(default)]
    known_not_affected: Vec<String>,
    #[serde(default)]
    first_fixed: Vec<String>,
    #[serde(default)]
    fixed: Vec<String>,
    #[serde(default)]
    under_investigation: Vec<String>,
}

#[derive(Deserialize)]
struct Score {
    #[serde(default)]
    products: Vec<String>,
    #[serde(default)]
    cvss_v3: Option<CvssV3>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssV3 {
    vector_string: String,
    #[serde(default)]
    base_score: Option<f64>,
}

#[derive(Deserialize)]
struct Remediation {
    category: String,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Flag {
    label: String,
    #[serde(default)]
    product_ids: Vec<String>,
}

#[derive(Deserialize)]
struct Threat {
    category: String,
    details: String,
}

/// A product of the tree, with what identifies it and its version.
#[derive(Clone, Debug)]
struct Product {
    package: PackageRef,
    versions: VersionSpec,
    label: String,
}

/// Reads one CSAF 2.0 advisory into records (one per vulnerability).
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<Record>, InputError> {
    let doc: Csaf = crate::json::decode(InputKind::Csaf, file, bytes)?;
    let err =
        |field: String, message: String| InputError::new(InputKind::Csaf, file, field, message);
    if doc.document.csaf_version != "2.0" {
        return Err(err(
            "document.csaf_version".into(),
            format!(
                "{:?} is not supported (CSAF 2.0 is)",
                doc.document.csaf_version
            ),
        ));
    }
    let tree = doc.product_tree.unwrap_or_default();
    let products = resolve_products(&tree).map_err(|(field, m)| err(field, m))?;
    doc.vulnerabilities
        .iter()
        .enumerate()
        .map(|(i, vuln)| {
            record(
                vuln,
                &format!("vulnerabilities[{i}]"),
                &products,
                file,
                doc.document.title.as_deref(),
            )
            .map_err(|(field, m)| err(field, m))
        })
        .collect()
}

/// One vulnerability of the advisory as a record.
fn record(
    vuln: &Vulnerability,
    field: &str,
    products: &BTreeMap<String, Product>,
    file: &str,
    title: Option<&str>,
) -> Result<Record, (String, String)> {
    let ids: Vec<String> = vuln.ids.iter().map(|id| id.text.clone()).collect();
    let Some(first) = vuln.cve.clone().or_else(|| ids.first().cloned()) else {
        return Err((field.to_owned(), "has neither `cve` nor `ids`".into()));
    };
    if let Some(cve) = &vuln.cve
        && !super::is_cve(cve)
    {
        return Err((format!("{field}.cve"), format!("{cve:?} is not a CVE id")));
    }
    let (id, aliases) = primary_id(&first, &ids);
    let status = vuln.product_status.as_ref();
    let mut statements = Vec::new();
    for (status_kind, list_name, list) in status_lists(status) {
        for (j, pid) in list.iter().enumerate() {
            let product = products.get(pid.as_str()).ok_or_else(|| {
                (
                    format!("{field}.product_status.{list_name}[{j}]"),
                    format!("product id {pid:?} is not defined in product_tree"),
                )
            })?;
            statements.push(statement(
                vuln,
                pid,
                product,
                status_kind.clone(),
                products,
                status,
            ));
        }
    }
    let exploited = vuln
        .threats
        .iter()
        .find(|t| t.category == "exploit_status" && says_exploited(&t.details))
        .map(|t| format!("CSAF threat: {}", crate::sbom::clip(&t.details)));
    Ok(Record {
        id,
        aliases,
        file: file.to_owned(),
        summary: vuln.title.clone().or_else(|| title.map(str::to_owned)),
        cvss: vuln
            .scores
            .iter()
            .find_map(|s| s.cvss_v3.as_ref())
            .map(|c| (c.vector_string.clone(), c.base_score)),
        known_exploited: exploited,
        statements,
    })
}

fn status_lists(status: Option<&ProductStatus>) -> Vec<(SourceStatus, &'static str, &[String])> {
    let Some(s) = status else {
        return Vec::new();
    };
    vec![
        (SourceStatus::Affected, "first_affected", &s.first_affected),
        (SourceStatus::Affected, "known_affected", &s.known_affected),
        (SourceStatus::Affected, "last_affected", &s.last_affected),
        (
            SourceStatus::NotAffected {
                justification: None,
            },
            "known_not_affected",
            &s.known_not_affected,
        ),
        (SourceStatus::Fixed, "first_fixed", &s.first_fixed),
        (SourceStatus::Fixed, "fixed", &s.fixed),
        (
            SourceStatus::UnderInvestigation,
            "under_investigation",
            &s.under_investigation,
        ),
    ]
}

fn statement(
    vuln: &Vulnerability,
    pid: &str,
    product: &Product,
    status: SourceStatus,
    products: &BTreeMap<String, Product>,
    product_status: Option<&ProductStatus>,
) -> Statement {
    let status = match status {
        SourceStatus::NotAffected { .. } => SourceStatus::NotAffected {
            justification: vuln
                .flags
                .iter()
                .find(|f| f.product_ids.iter().any(|p| p == pid))
                .map(|f| f.label.clone()),
        },
        other => other,
    };
    // Fixed versions: the fixed products that name the same software.
    let fixed_versions = product_status
        .map(|s| s.fixed.iter().chain(s.first_fixed.iter()))
        .into_iter()
        .flatten()
        .filter_map(|id| products.get(id.as_str()))
        .filter(|p| same_software(&p.package, &product.package))
        .map(|p| match &p.versions {
            VersionSpec::Exact(v) | VersionSpec::Range(v) => v.clone(),
            _ => p.label.clone(),
        })
        .collect();
    let remediation = vuln
        .remediations
        .iter()
        .find(|r| r.product_ids.iter().any(|p| p == pid))
        .map(|r| match &r.details {
            Some(d) => format!("{}: {}", r.category, crate::sbom::clip(d)),
            None => r.category.clone(),
        });
    let cvss = vuln
        .scores
        .iter()
        .find(|s| s.products.iter().any(|p| p == pid))
        .and_then(|s| s.cvss_v3.as_ref())
        .map(|c| (c.vector_string.clone(), c.base_score));
    Statement {
        package: product.package.clone(),
        versions: product.versions.clone(),
        status,
        fixed_versions,
        remediation,
        cvss,
    }
}

fn same_software(a: &PackageRef, b: &PackageRef) -> bool {
    match (&a.purl, &b.purl, &a.cpe, &b.cpe) {
        (Some(x), Some(y), _, _) => x.matches(y),
        (_, _, Some(x), Some(y)) => x.matches(y),
        _ => a.name.is_some() && a.name == b.name,
    }
}

fn says_exploited(details: &str) -> bool {
    let d = details.to_ascii_lowercase();
    d.contains("exploited")
        && ![
            "no known",
            "not known",
            "not been exploited",
            "not exploited",
            "no public",
        ]
        .iter()
        .any(|neg| d.contains(neg))
}

/// Walks the product tree: every leaf product gets the identity and version its branch path and
/// helpers give it; relationship products inherit the identity of their `product_reference`.
fn resolve_products(tree: &ProductTree) -> Result<BTreeMap<String, Product>, (String, String)> {
    let mut out = BTreeMap::new();
    // (branch, field path, inherited product name, inherited version spec)
    let mut stack: Vec<(&Branch, String, Option<String>, Option<VersionSpec>)> = tree
        .branches
        .iter()
        .enumerate()
        .rev()
        .map(|(i, b)| (b, format!("product_tree.branches[{i}]"), None, None))
        .collect();
    while let Some((branch, field, name, version)) = stack.pop() {
        let (name, version) = match branch.category.as_str() {
            "product_name" | "product_family" => (Some(branch.name.clone()), version),
            "product_version" => (name, Some(VersionSpec::Exact(branch.name.clone()))),
            "product_version_range" => (name, Some(VersionSpec::Range(branch.name.clone()))),
            _ => (name, version),
        };
        if let Some(p) = &branch.product {
            insert(
                &mut out,
                p,
                name.as_deref(),
                version.clone(),
                &format!("{field}.product"),
            )?;
        }
        for (i, child) in branch.branches.iter().enumerate().rev() {
            stack.push((
                child,
                format!("{field}.branches[{i}]"),
                name.clone(),
                version.clone(),
            ));
        }
    }
    for (i, p) in tree.full_product_names.iter().enumerate() {
        insert(
            &mut out,
            p,
            None,
            None,
            &format!("product_tree.full_product_names[{i}]"),
        )?;
    }
    for (i, r) in tree.relationships.iter().enumerate() {
        let base = out.get(&r.product_reference).cloned().ok_or_else(|| {
            (
                format!("product_tree.relationships[{i}].product_reference"),
                format!("product id {:?} is not defined", r.product_reference),
            )
        })?;
        out.insert(r.full_product_name.product_id.clone(), base);
    }
    Ok(out)
}

fn insert(
    out: &mut BTreeMap<String, Product>,
    p: &FullProductName,
    branch_name: Option<&str>,
    version: Option<VersionSpec>,
    field: &str,
) -> Result<(), (String, String)> {
    if out.len() >= MAX_PRODUCTS {
        return Err((
            field.to_owned(),
            format!("more than {MAX_PRODUCTS} products"),
        ));
    }
    let helper = p.product_identification_helper.as_ref();
    let purl = helper
        .and_then(|h| h.purl.as_deref())
        .map(|t| {
            Purl::parse(t).map_err(|e| (format!("{field}.product_identification_helper.purl"), e))
        })
        .transpose()?;
    let cpe = helper
        .and_then(|h| h.cpe.as_deref())
        .map(|t| {
            Cpe::parse(t).map_err(|e| (format!("{field}.product_identification_helper.cpe"), e))
        })
        .transpose()?;
    let helper_version = purl
        .as_ref()
        .and_then(|p| p.version.clone())
        .or_else(|| cpe.as_ref().and_then(|c| c.version.clone()));
    let versions = match (helper_version, version) {
        (Some(v), _) => VersionSpec::Exact(v),
        (None, Some(spec)) => spec,
        (None, None) => VersionSpec::All,
    };
    let package = PackageRef {
        purl: purl.map(|p| p.key),
        cpe: cpe.map(|c| c.key),
        name: Some(name_key(branch_name.unwrap_or(&p.name))),
        model: false,
    };
    out.insert(
        p.product_id.clone(),
        Product {
            package,
            versions,
            label: p.name.clone(),
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &[u8] = br#"{
      "document": {"category": "csaf_security_advisory", "csaf_version": "2.0", "title": "T"},
      "product_tree": {"branches": [
        {"category": "vendor", "name": "BusyBox", "branches": [
          {"category": "product_name", "name": "busybox", "branches": [
            {"category": "product_version_range", "name": "vers:intdot/<=1.27.2",
             "product": {"product_id": "BB-OLD", "name": "BusyBox <=1.27.2",
               "product_identification_helper": {"cpe": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}}},
            {"category": "product_version", "name": "1.28.0",
             "product": {"product_id": "BB-128", "name": "BusyBox 1.28.0",
               "product_identification_helper": {"cpe": "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}}}]}]}]},
      "vulnerabilities": [
        {"cve": "CVE-2017-16544", "product_status": {"known_affected": ["BB-OLD"], "fixed": ["BB-128"]},
         "scores": [{"products": ["BB-OLD"], "cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "baseScore": 8.8}}],
         "remediations": [{"category": "vendor_fix", "details": "Update", "product_ids": ["BB-OLD"]}],
         "threats": [{"category": "exploit_status", "details": "Exploited in the wild."}]},
        {"cve": "CVE-2018-1000517", "product_status": {"known_not_affected": ["BB-OLD"]},
         "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["BB-OLD"]}]}
      ]}"#;

    #[test]
    fn resolves_products_statuses_and_fixes() {
        let records = parse("a.json", DOC).unwrap();
        assert_eq!(records.len(), 2);
        let r = &records[0];
        assert_eq!(r.id, "CVE-2017-16544");
        assert_eq!(
            r.known_exploited.as_deref(),
            Some("CSAF threat: Exploited in the wild.")
        );
        let affected = &r.statements[0];
        assert_eq!(affected.status, SourceStatus::Affected);
        assert!(matches!(&affected.versions, VersionSpec::Range(v) if v == "vers:intdot/<=1.27.2"));
        assert_eq!(affected.fixed_versions, ["1.28.0"]);
        assert_eq!(affected.remediation.as_deref(), Some("vendor_fix: Update"));
        assert_eq!(affected.cvss.as_ref().unwrap().1, Some(8.8));
        assert_eq!(affected.package.cpe.as_ref().unwrap().product, "busybox");
        assert_eq!(r.statements[1].status, SourceStatus::Fixed);
        assert_eq!(
            records[1].statements[0].status,
            SourceStatus::NotAffected {
                justification: Some("vulnerable_code_not_in_execute_path".into())
            }
        );
    }

    #[test]
    fn undefined_product_ids_and_versions_are_named() {
        let text = std::str::from_utf8(DOC)
            .unwrap()
            .replace("\"fixed\": [\"BB-128\"]", "\"fixed\": [\"NOPE\"]");
        let e = parse("a.json", text.as_bytes()).unwrap_err();
        assert_eq!(e.field, "vulnerabilities[0].product_status.fixed[0]");
        let text = std::str::from_utf8(DOC)
            .unwrap()
            .replace("\"2.0\"", "\"1.2\"");
        assert_eq!(
            parse("a.json", text.as_bytes()).unwrap_err().field,
            "document.csaf_version"
        );
        assert!(says_exploited("Known exploited (CISA KEV)"));
        assert!(!says_exploited(
            "No known public exploits specifically target this vulnerability."
        ));
    }
}
