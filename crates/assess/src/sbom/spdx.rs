//! SPDX JSON 2.2 and 2.3: typed serde models of the fields the assessment uses (packages with
//! name, versionInfo, supplier and purl/CPE external references; documentDescribes; the
//! DESCRIBES / DEPENDS_ON / CONTAINS / link relationships); every other field is ignored.
//!
//! Why not the `spdx-rs` crate (0.5.5): it decodes every licence field as an SPDX expression and
//! denies unknown fields, so a single free-text licence ("GPL v2 or later", common in vendor
//! SBOMs) or one extension field such as `$schema` rejects the whole document (both checked
//! 2026-11 against this workspace's lock file). Licences play no part in this assessment.

use super::{Node, Parts, SbomFormat, build, clip};
use crate::error::{InputError, InputKind};
use serde::Deserialize;

/// SPDX versions read.
pub const SUPPORTED_VERSIONS: [&str; 2] = ["SPDX-2.2", "SPDX-2.3"];

#[derive(Deserialize)]
struct Document {
    #[serde(rename = "spdxVersion")]
    spdx_version: String,
    #[serde(rename = "SPDXID", default)]
    spdx_id: Option<String>,
    #[serde(rename = "documentDescribes", default)]
    document_describes: Vec<String>,
    #[serde(default)]
    packages: Vec<Package>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct Package {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    #[serde(rename = "versionInfo", default)]
    version_info: Option<String>,
    #[serde(default)]
    supplier: Option<String>,
    #[serde(rename = "externalRefs", default)]
    external_refs: Vec<ExternalRef>,
}

#[derive(Deserialize)]
struct ExternalRef {
    #[serde(rename = "referenceType")]
    reference_type: String,
    #[serde(rename = "referenceLocator")]
    reference_locator: String,
}

#[derive(Deserialize)]
struct Relationship {
    #[serde(rename = "spdxElementId")]
    element: String,
    #[serde(rename = "relationshipType")]
    kind: String,
    #[serde(rename = "relatedSpdxElement")]
    related: String,
}

/// Reads an SPDX JSON SBOM.
pub fn parse(file: &str, bytes: &[u8]) -> Result<super::Sbom, InputError> {
    let doc: Document = crate::json::decode(InputKind::Sbom, file, bytes)?;
    if !SUPPORTED_VERSIONS.contains(&doc.spdx_version.as_str()) {
        return Err(InputError::new(
            InputKind::Sbom,
            file,
            "spdxVersion",
            format!(
                "{:?} is not supported (SPDX-2.2 and SPDX-2.3 are)",
                doc.spdx_version
            ),
        ));
    }
    let document_id = doc
        .spdx_id
        .clone()
        .unwrap_or_else(|| "SPDXRef-DOCUMENT".into());
    let mut nodes = Vec::with_capacity(doc.packages.len().min(super::MAX_COMPONENTS));
    let mut warnings = Vec::new();
    for (i, package) in doc.packages.iter().enumerate() {
        if i >= super::MAX_COMPONENTS {
            return Err(InputError::new(
                InputKind::Sbom,
                file,
                "packages",
                format!("more than {} packages", super::MAX_COMPONENTS),
            ));
        }
        nodes.push(node(file, i, package, &mut warnings)?);
    }
    let (edges, mut described) = relationships(&doc.relationships, &document_id);
    let has_dependencies = !edges.is_empty();
    described.splice(0..0, doc.document_describes.iter().cloned());
    let root = described
        .into_iter()
        .find(|id| nodes.iter().any(|n| &n.id == id));
    build(
        file,
        Parts {
            format: SbomFormat::Spdx,
            spec_version: doc.spdx_version,
            root,
            nodes,
            edges,
            has_dependencies,
            warnings,
        },
    )
}

/// Dependency edges (parent, child) and the packages the document describes.
fn relationships(rels: &[Relationship], document_id: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut edges = Vec::new();
    let mut described = Vec::new();
    for rel in rels {
        let (from, to) = match rel.kind.as_str() {
            "DESCRIBES" if rel.element == document_id => {
                described.push(rel.related.clone());
                continue;
            }
            "DESCRIBED_BY" if rel.related == document_id => {
                described.push(rel.element.clone());
                continue;
            }
            "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" => {
                (&rel.element, &rel.related)
            }
            "DEPENDENCY_OF" | "CONTAINED_BY" => (&rel.related, &rel.element),
            _ => continue,
        };
        edges.push((from.clone(), to.clone()));
    }
    (edges, described)
}

fn node(file: &str, i: usize, p: &Package, warnings: &mut Vec<String>) -> Result<Node, InputError> {
    let field = format!("packages[{i}]");
    let name = clip(&p.name);
    if name.is_empty() {
        return Err(InputError::new(
            InputKind::Sbom,
            file,
            format!("{field}.name"),
            "is empty",
        ));
    }
    let mut purl = None;
    let mut cpe = None;
    for (j, r) in p.external_refs.iter().enumerate() {
        let locator = clip(&r.reference_locator);
        match r.reference_type.as_str() {
            "purl" if purl.is_none() => purl = Some(locator),
            "cpe23Type" | "cpe22Type" if cpe.is_none() => cpe = Some(locator),
            "purl" | "cpe23Type" | "cpe22Type" => warnings.push(format!(
                "{field}.externalRefs[{j}]: a second {} reference is ignored",
                r.reference_type
            )),
            _ => {}
        }
    }
    let version = p
        .version_info
        .as_deref()
        .map(clip)
        .filter(|v| !v.is_empty() && v != "NOASSERTION" && v != "NONE");
    let supplier = p
        .supplier
        .as_deref()
        .map(clip)
        .filter(|s| !s.is_empty() && s != "NOASSERTION")
        .map(|s| {
            s.strip_prefix("Organization:")
                .or_else(|| s.strip_prefix("Person:"))
                .unwrap_or(&s)
                .trim()
                .to_owned()
        });
    Ok(Node {
        id: p.spdx_id.clone(),
        field,
        name,
        version,
        purl,
        cpe,
        supplier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_refs_and_relationships() {
        let doc = br#"{
          "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "x",
          "$schema": "ignored", "documentNamespace": "https://example.com/x",
          "packages": [
            {"SPDXID": "SPDXRef-fw", "name": "fw", "versionInfo": "3.2.1", "supplier": "Organization: Acme",
             "licenseConcluded": "GPL v2 or later"},
            {"SPDXID": "SPDXRef-zlib", "name": "zlib", "versionInfo": "1.2.11",
             "externalRefs": [
               {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:conan/zlib@1.2.11"},
               {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*"}]},
            {"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "NOASSERTION"}
          ],
          "relationships": [
            {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-fw"},
            {"spdxElementId": "SPDXRef-fw", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-app"},
            {"spdxElementId": "SPDXRef-zlib", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app"}
          ]
        }"#;
        let sbom = parse("p.spdx.json", doc).unwrap();
        assert_eq!(sbom.components[0].supplier.as_deref(), Some("Acme"));
        assert!(sbom.components[0].is_root);
        let zlib = &sbom.components[1];
        assert_eq!(zlib.path, ["fw 3.2.1", "app", "zlib 1.2.11"]);
        assert!(zlib.has_identifier());
        assert_eq!(sbom.components[2].version, None);
    }

    #[test]
    fn refuses_wrong_version_and_names_the_package_field() {
        let old = br#"{"spdxVersion": "SPDX-2.1", "packages": []}"#;
        assert_eq!(parse("s.json", old).unwrap_err().field, "spdxVersion");
        let bad = br#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "a", "name": "a"}, {"SPDXID": "b"}]}"#;
        let e = parse("s.json", bad).unwrap_err();
        assert_eq!(e.field, "packages[1]");
        assert!(e.message.contains("missing field `name`"), "{}", e.message);
    }
}
