//! CycloneDX JSON 1.4, 1.5 and 1.6: typed serde models of the fields the assessment uses
//! (metadata.component, components with their nesting, purl, cpe, version, supplier, and the
//! dependency graph); every other field is ignored.
//!
//! Why not the `cyclonedx-bom` crate (0.8.1): it has models for 1.3–1.5 only and refuses a 1.6
//! document outright ("Unsupported Spec Version '1.6'", checked 2026-11 against this workspace's
//! lock file), and its errors carry no field path. These few fields are identical in 1.4–1.6.

use super::{Node, Parts, SbomFormat, build, clip};
use crate::error::{InputError, InputKind};
use serde::Deserialize;
use std::collections::BTreeSet;

/// CycloneDX spec versions read.
pub const SUPPORTED_VERSIONS: [&str; 3] = ["1.4", "1.5", "1.6"];

#[derive(Deserialize)]
struct Bom {
    #[serde(rename = "bomFormat")]
    bom_format: String,
    #[serde(rename = "specVersion")]
    spec_version: String,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<CdxComponent>,
    #[serde(default)]
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    component: Option<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxComponent {
    #[serde(rename = "bom-ref", default)]
    bom_ref: Option<String>,
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    purl: Option<String>,
    #[serde(default)]
    cpe: Option<String>,
    #[serde(default)]
    supplier: Option<Supplier>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct Supplier {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn", default)]
    depends_on: Vec<String>,
}

/// Reads a CycloneDX JSON SBOM.
pub fn parse(file: &str, bytes: &[u8]) -> Result<super::Sbom, InputError> {
    let bom: Bom = crate::json::decode(InputKind::Sbom, file, bytes)?;
    let err = |field: &str, message: String| InputError::new(InputKind::Sbom, file, field, message);
    if bom.bom_format != "CycloneDX" {
        return Err(err(
            "bomFormat",
            format!("is {:?}, expected \"CycloneDX\"", bom.bom_format),
        ));
    }
    if !SUPPORTED_VERSIONS.contains(&bom.spec_version.as_str()) {
        return Err(err(
            "specVersion",
            format!(
                "{:?} is not supported (CycloneDX 1.4, 1.5 and 1.6 are)",
                bom.spec_version
            ),
        ));
    }
    let mut walker = Walker {
        file,
        nodes: Vec::new(),
        edges: Vec::new(),
        ids: BTreeSet::new(),
        warnings: Vec::new(),
    };
    let root = match bom.metadata.as_ref().and_then(|m| m.component.as_ref()) {
        Some(component) => Some(walker.walk(component, "metadata.component".into(), None)?),
        None => None,
    };
    for (i, component) in bom.components.iter().enumerate() {
        walker.walk(component, format!("components[{i}]"), None)?;
    }
    let nested = !walker.edges.is_empty();
    for dep in &bom.dependencies {
        for target in &dep.depends_on {
            walker.edges.push((dep.reference.clone(), target.clone()));
        }
    }
    build(
        file,
        Parts {
            format: SbomFormat::CycloneDx,
            spec_version: bom.spec_version,
            root,
            nodes: walker.nodes,
            edges: walker.edges,
            has_dependencies: nested || !bom.dependencies.is_empty(),
            warnings: walker.warnings,
        },
    )
}

struct Walker<'a> {
    file: &'a str,
    nodes: Vec<Node>,
    edges: Vec<(String, String)>,
    ids: BTreeSet<String>,
    warnings: Vec<String>,
}

impl Walker<'_> {
    /// Adds `component` and its nested components (iteratively: nesting depth is bounded by the
    /// JSON decoder's recursion limit, but no recursion happens here either). Returns its id.
    fn walk(
        &mut self,
        component: &CdxComponent,
        field: String,
        parent: Option<String>,
    ) -> Result<String, InputError> {
        let mut stack = vec![(component, field, parent)];
        let mut first_id = None;
        while let Some((c, field, parent)) = stack.pop() {
            if self.nodes.len() >= super::MAX_COMPONENTS {
                return Err(InputError::new(
                    InputKind::Sbom,
                    self.file,
                    field,
                    format!("more than {} components", super::MAX_COMPONENTS),
                ));
            }
            let id = self.add(c, &field)?;
            if let Some(p) = parent {
                self.edges.push((p, id.clone()));
            }
            first_id.get_or_insert_with(|| id.clone());
            for (i, child) in c.components.iter().enumerate().rev() {
                stack.push((child, format!("{field}.components[{i}]"), Some(id.clone())));
            }
        }
        Ok(first_id.unwrap_or_default())
    }

    fn add(&mut self, c: &CdxComponent, field: &str) -> Result<String, InputError> {
        let name = clip(&c.name);
        if name.is_empty() {
            return Err(InputError::new(
                InputKind::Sbom,
                self.file,
                format!("{field}.name"),
                "is empty",
            ));
        }
        let id = match c.bom_ref.as_deref().map(clip).filter(|r| !r.is_empty()) {
            Some(r) => r,
            None => format!("#{field}"),
        };
        if !self.ids.insert(id.clone()) {
            self.warnings.push(format!(
                "{field}.bom-ref: {id:?} is used twice; dependencies may attach to either"
            ));
        }
        self.nodes.push(Node {
            id: id.clone(),
            field: field.to_owned(),
            name,
            version: non_empty(c.version.as_deref()),
            purl: non_empty(c.purl.as_deref()),
            cpe: non_empty(c.cpe.as_deref()),
            supplier: c
                .supplier
                .as_ref()
                .and_then(|s| non_empty(s.name.as_deref())),
        });
        Ok(id)
    }
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(clip).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_components_and_dependencies() {
        let doc = br#"{
          "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
          "metadata": {"component": {"type": "firmware", "bom-ref": "fw", "name": "fw", "version": "3.2.1"}},
          "components": [
            {"type": "library", "bom-ref": "web", "name": "lighttpd", "version": "1.4.45",
             "components": [{"type": "library", "name": "mod_x"}]},
            {"type": "library", "bom-ref": "ssl", "name": "openssl", "version": "1.0.2k",
             "purl": "pkg:conan/openssl@1.0.2k", "cpe": "cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*",
             "supplier": {"name": "OpenSSL"}, "evidence": {"future": true}}
          ],
          "dependencies": [{"ref": "fw", "dependsOn": ["web"]}, {"ref": "web", "dependsOn": ["ssl"]}]
        }"#;
        let sbom = parse("p.cdx.json", doc).unwrap();
        assert_eq!(sbom.spec_version, "1.6");
        let names: Vec<_> = sbom.components.iter().map(|c| c.label()).collect();
        assert_eq!(
            names,
            ["fw 3.2.1", "lighttpd 1.4.45", "mod_x", "openssl 1.0.2k"]
        );
        assert_eq!(
            sbom.components[2].path,
            ["fw 3.2.1", "lighttpd 1.4.45", "mod_x"]
        );
        assert_eq!(
            sbom.components[3].path,
            ["fw 3.2.1", "lighttpd 1.4.45", "openssl 1.0.2k"]
        );
        assert_eq!(sbom.components[3].supplier.as_deref(), Some("OpenSSL"));
        assert!(sbom.has_dependencies);
    }

    #[test]
    fn reads_1_4_and_1_5_the_same_way() {
        for version in ["1.4", "1.5"] {
            let doc = format!(
                r#"{{"bomFormat":"CycloneDX","specVersion":"{version}","version":1,
                    "components":[{{"type":"library","name":"zlib","version":"1.2.11","purl":"pkg:conan/zlib@1.2.11"}}]}}"#
            );
            let sbom = parse("v.json", doc.as_bytes()).unwrap();
            assert_eq!(sbom.spec_version, version);
            assert_eq!(sbom.components[0].label(), "zlib 1.2.11");
            assert!(sbom.components[0].has_identifier());
            assert!(!sbom.has_dependencies);
        }
    }

    #[test]
    fn refuses_unsupported_versions_and_bad_fields_with_their_path() {
        let old = br#"{"bomFormat":"CycloneDX","specVersion":"1.2","components":[]}"#;
        let e = parse("x.json", old).unwrap_err();
        assert_eq!(e.field, "specVersion");
        let bad = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a"},{"name":"b","version":7}]}"#;
        let e = parse("x.json", bad).unwrap_err();
        assert_eq!(e.field, "components[1].version");
        let empty = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":" "}]}"#;
        assert_eq!(
            parse("x.json", empty).unwrap_err().field,
            "components[0].name"
        );
        let format = br#"{"bomFormat":"SPDX","specVersion":"1.5"}"#;
        assert_eq!(parse("x.json", format).unwrap_err().field, "bomFormat");
    }
}
