//! SBOMs: CycloneDX JSON 1.4–1.6 and SPDX JSON 2.2/2.3, reduced to the components and dependency
//! paths the assessment needs. Each format has its own module with typed serde models of the
//! fields used; this module owns the shared component type, dependency paths and merging.

pub mod cyclonedx;
pub mod spdx;

use crate::error::{InputError, InputKind};
use crate::identity::{Cpe, Purl, name_key};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Most components read from one SBOM; more is refused as an input error.
pub const MAX_COMPONENTS: usize = 50_000;
/// Most dependency edges read from one SBOM.
pub const MAX_EDGES: usize = 500_000;
/// Longest text kept from one SBOM field (names, versions, identifiers).
pub const MAX_FIELD_LEN: usize = 1024;

/// SBOM format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SbomFormat {
    /// CycloneDX JSON.
    #[serde(rename = "cyclonedx")]
    CycloneDx,
    /// SPDX JSON.
    Spdx,
}

impl SbomFormat {
    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            SbomFormat::CycloneDx => "CycloneDX",
            SbomFormat::Spdx => "SPDX",
        }
    }
}

/// One software component of a device, as an SBOM lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Component {
    /// Component name.
    pub name: String,
    /// Version, when the SBOM gives one.
    pub version: Option<String>,
    /// Package URL as written in the SBOM.
    pub purl: Option<String>,
    /// CPE name as written in the SBOM.
    pub cpe: Option<String>,
    /// Supplier, when given.
    pub supplier: Option<String>,
    /// Dependency path from the SBOM's root component to this one (labels `name version`),
    /// inclusive; empty when the SBOM has no dependency information reaching it.
    pub path: Vec<String>,
    /// SBOM files that list this component.
    pub sboms: Vec<String>,
    /// True for the SBOM's root component (the device software itself).
    pub is_root: bool,
    #[serde(skip)]
    pub(crate) purl_parsed: Option<Purl>,
    #[serde(skip)]
    pub(crate) cpe_parsed: Option<Cpe>,
}

impl Component {
    /// `name version` (or `name`) as reports show it.
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {}", self.name, v),
            None => self.name.clone(),
        }
    }

    /// True when the component has a machine identifier (a valid purl or CPE).
    pub fn has_identifier(&self) -> bool {
        self.purl_parsed.is_some() || self.cpe_parsed.is_some()
    }

    /// Version for matching: the SBOM's version, else the purl's, else the CPE's.
    pub fn effective_version(&self) -> Option<&str> {
        self.version
            .as_deref()
            .or_else(|| self.purl_parsed.as_ref().and_then(|p| p.version.as_deref()))
            .or_else(|| self.cpe_parsed.as_ref().and_then(|c| c.version.as_deref()))
    }

    pub(crate) fn purl(&self) -> Option<&Purl> {
        self.purl_parsed.as_ref()
    }

    pub(crate) fn cpe(&self) -> Option<&Cpe> {
        self.cpe_parsed.as_ref()
    }
}

/// A parsed SBOM.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sbom {
    /// The file as the user named it.
    pub file: String,
    /// Format.
    pub format: SbomFormat,
    /// Declared spec version (`1.5`, `SPDX-2.3`).
    pub spec_version: String,
    /// Components, the root first when there is one.
    pub components: Vec<Component>,
    /// True when the SBOM carries dependency relationships.
    pub has_dependencies: bool,
    /// Problems that did not stop reading (an unparsable purl, a dangling reference).
    pub warnings: Vec<String>,
}

/// Reads an SBOM, detecting CycloneDX (`bomFormat`) or SPDX (`spdxVersion`).
pub fn parse(file: &str, bytes: &[u8]) -> Result<Sbom, InputError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "bomFormat")]
        bom_format: Option<serde::de::IgnoredAny>,
        #[serde(rename = "spdxVersion")]
        spdx_version: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = crate::json::decode(InputKind::Sbom, file, bytes)?;
    match (probe.bom_format, probe.spdx_version) {
        (Some(_), _) => cyclonedx::parse(file, bytes),
        (None, Some(_)) => spdx::parse(file, bytes),
        (None, None) => Err(InputError::new(
            InputKind::Sbom,
            file,
            "(document)",
            "neither `bomFormat` (CycloneDX) nor `spdxVersion` (SPDX) is present",
        )),
    }
}

/// A component as a format module found it, before paths are computed.
pub(crate) struct Node {
    pub id: String,
    pub field: String,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub supplier: Option<String>,
}

/// Everything a format module hands over to build an [`Sbom`].
pub(crate) struct Parts {
    pub format: SbomFormat,
    pub spec_version: String,
    pub root: Option<String>,
    pub nodes: Vec<Node>,
    pub edges: Vec<(String, String)>,
    pub has_dependencies: bool,
    pub warnings: Vec<String>,
}

pub(crate) fn clip(text: &str) -> String {
    clip_to(text, MAX_FIELD_LEN)
}

/// Cuts `text` to at most `max` bytes on a character boundary, trimmed.
pub(crate) fn clip_to(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default().trim().to_owned()
}

/// Builds the SBOM: parses identifiers, computes dependency paths from the root.
pub(crate) fn build(file: &str, parts: Parts) -> Result<Sbom, InputError> {
    let Parts {
        format,
        spec_version,
        root,
        nodes,
        edges,
        has_dependencies,
        mut warnings,
    } = parts;
    if nodes.len() > MAX_COMPONENTS {
        return Err(InputError::new(
            InputKind::Sbom,
            file,
            "(document)",
            format!("more than {MAX_COMPONENTS} components"),
        ));
    }
    let mut adjacency: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in edges.iter().take(MAX_EDGES) {
        adjacency.entry(from).or_default().insert(to);
    }
    let labels: BTreeMap<&str, String> = nodes
        .iter()
        .map(|n| (n.id.as_str(), node_label(n)))
        .collect();
    let parents = root
        .as_deref()
        .map(|r| bfs_parents(r, &adjacency))
        .unwrap_or_default();
    let mut components = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let is_root = root.as_deref() == Some(node.id.as_str());
        let path = if is_root || parents.contains_key(node.id.as_str()) {
            path_to(&node.id, &parents, &labels)
        } else {
            Vec::new()
        };
        let (purl_parsed, cpe_parsed) = identifiers(node, &mut warnings);
        components.push(Component {
            name: node.name.clone(),
            version: node.version.clone(),
            purl: node.purl.clone(),
            cpe: node.cpe.clone(),
            supplier: node.supplier.clone(),
            path,
            sboms: vec![file.to_owned()],
            is_root,
            purl_parsed,
            cpe_parsed,
        });
    }
    // Root first, the rest in document order.
    components.sort_by_key(|c| !c.is_root);
    Ok(Sbom {
        file: file.to_owned(),
        format,
        spec_version,
        components,
        has_dependencies,
        warnings,
    })
}

/// Parses a node's purl and CPE; an unparsable one is dropped with a warning.
fn identifiers(node: &Node, warnings: &mut Vec<String>) -> (Option<Purl>, Option<Cpe>) {
    let purl = node.purl.as_deref().and_then(|p| match Purl::parse(p) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            warnings.push(format!(
                "{}.purl: {e}; component counted as unidentified",
                node.field
            ));
            None
        }
    });
    let cpe = node.cpe.as_deref().and_then(|c| match Cpe::parse(c) {
        Ok(parsed) => Some(parsed),
        Err(e) => {
            warnings.push(format!("{}.cpe: {e}; CPE ignored", node.field));
            None
        }
    });
    (purl, cpe)
}

fn node_label(node: &Node) -> String {
    match &node.version {
        Some(v) => format!("{} {}", node.name, v),
        None => node.name.clone(),
    }
}

/// Breadth-first search from the root; children visited in sorted order, so the first (shortest,
/// then lexicographically smallest) path wins deterministically.
fn bfs_parents<'a>(
    root: &'a str,
    adjacency: &BTreeMap<&'a str, BTreeSet<&'a str>>,
) -> BTreeMap<&'a str, &'a str> {
    let mut parents: BTreeMap<&str, &str> = BTreeMap::new();
    let mut seen: BTreeSet<&str> = BTreeSet::from([root]);
    let mut queue = VecDeque::from([root]);
    while let Some(current) = queue.pop_front() {
        for &child in adjacency.get(current).into_iter().flatten() {
            if seen.insert(child) {
                parents.insert(child, current);
                queue.push_back(child);
            }
        }
    }
    parents
}

fn path_to(
    id: &str,
    parents: &BTreeMap<&str, &str>,
    labels: &BTreeMap<&str, String>,
) -> Vec<String> {
    let mut chain = vec![id];
    let mut current = id;
    while let Some(&parent) = parents.get(current) {
        if chain.len() > parents.len() {
            break; // cannot happen with BFS parents; a guard against cycles all the same
        }
        chain.push(parent);
        current = parent;
    }
    chain
        .iter()
        .rev()
        .map(|id| labels.get(id).cloned().unwrap_or_else(|| (*id).to_owned()))
        .collect()
}

/// Merges the components of several SBOMs. Two entries are the same component when their
/// versions are equal and either both have purls with the same identity, or at least one has no
/// purl and their names are equal. The merged component names every SBOM and keeps the
/// identifiers either gave.
pub fn merge(sboms: &[Sbom]) -> Vec<Component> {
    let mut merged: Vec<Component> = Vec::new();
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for component in sboms.iter().flat_map(|s| s.components.iter()) {
        let name = name_key(&component.name);
        let same = by_name
            .get(&name)
            .into_iter()
            .flatten()
            .copied()
            .find(|&i| {
                merged.get(i).is_some_and(|m| {
                    m.effective_version() == component.effective_version()
                        && match (m.purl(), component.purl()) {
                            (Some(a), Some(b)) => a.key == b.key,
                            _ => true,
                        }
                })
            });
        match same.and_then(|i| merged.get_mut(i)) {
            Some(existing) => {
                for file in &component.sboms {
                    if !existing.sboms.contains(file) {
                        existing.sboms.push(file.clone());
                    }
                }
                if existing.purl_parsed.is_none() && component.purl_parsed.is_some() {
                    existing.purl = component.purl.clone();
                    existing.purl_parsed = component.purl_parsed.clone();
                }
                if existing.cpe_parsed.is_none() && component.cpe_parsed.is_some() {
                    existing.cpe = component.cpe.clone();
                    existing.cpe_parsed = component.cpe_parsed.clone();
                }
                if existing.path.is_empty() {
                    existing.path = component.path.clone();
                }
                existing.is_root |= component.is_root;
            }
            None => {
                by_name.entry(name).or_default().push(merged.len());
                merged.push(component.clone());
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, name: &str, version: Option<&str>, purl: Option<&str>) -> Node {
        Node {
            id: id.into(),
            field: format!("components[{id}]"),
            name: name.into(),
            version: version.map(Into::into),
            purl: purl.map(Into::into),
            cpe: None,
            supplier: None,
        }
    }

    #[test]
    fn paths_follow_shortest_dependency_chain_from_root() {
        let parts = Parts {
            format: SbomFormat::CycloneDx,
            spec_version: "1.5".into(),
            root: Some("fw".into()),
            nodes: vec![
                node("fw", "fw", Some("3.2.1"), None),
                node("web", "lighttpd", Some("1.4.45"), None),
                node(
                    "ssl",
                    "openssl",
                    Some("1.0.2k"),
                    Some("pkg:conan/openssl@1.0.2k"),
                ),
                node("lonely", "tool", None, Some("not-a-purl")),
            ],
            edges: vec![
                ("fw".into(), "web".into()),
                ("web".into(), "ssl".into()),
                ("fw".into(), "ssl".into()),
                ("ssl".into(), "fw".into()),
            ],
            has_dependencies: true,
            warnings: vec![],
        };
        let sbom = build("a.json", parts).unwrap();
        assert!(sbom.components[0].is_root);
        assert_eq!(sbom.components[0].path, vec!["fw 3.2.1"]);
        assert_eq!(sbom.components[1].path, vec!["fw 3.2.1", "lighttpd 1.4.45"]);
        assert_eq!(sbom.components[2].path, vec!["fw 3.2.1", "openssl 1.0.2k"]);
        assert!(sbom.components[3].path.is_empty());
        assert!(!sbom.components[3].has_identifier());
        assert_eq!(sbom.warnings.len(), 1);
        assert!(sbom.warnings[0].starts_with("components[lonely].purl: not a package URL"));
    }

    #[test]
    fn merge_joins_the_same_package_from_two_sboms() {
        let mk = |file: &str, nodes: Vec<Node>| {
            build(
                file,
                Parts {
                    format: SbomFormat::Spdx,
                    spec_version: "SPDX-2.3".into(),
                    root: None,
                    nodes,
                    edges: vec![],
                    has_dependencies: false,
                    warnings: vec![],
                },
            )
            .unwrap()
        };
        let a = mk(
            "a",
            vec![node(
                "1",
                "zlib",
                Some("1.2.11"),
                Some("pkg:conan/zlib@1.2.11"),
            )],
        );
        let b = mk(
            "b",
            vec![
                node("1", "zlib", Some("1.2.11"), Some("pkg:conan/zlib@1.2.11")),
                node("2", "zlib", Some("1.2.13"), Some("pkg:conan/zlib@1.2.13")),
            ],
        );
        let merged = merge(&[a, b]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].sboms, vec!["a", "b"]);
        assert_eq!(merged[1].sboms, vec!["b"]);
    }
}
