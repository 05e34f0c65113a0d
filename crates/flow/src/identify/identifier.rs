//! Matching a device's evidence against the catalog's weighted fingerprint rules.
//!
//! Scoring: a model's score is the sum of the weights of its distinct rules that match some
//! evidence value of their kind (each rule counts once however many values match), capped at 1.
//! The best model whose score reaches the threshold wins; ties go to the higher score, then to
//! more matched rules, then to the model listed first in the catalog. Scores are compared in
//! millionths so that float summation order cannot flip a decision.
//!
//! The identifier derives two kinds of evidence itself from the MAC it is given: `mac` (when the
//! device table has not added it) and `oui_vendor` (from the registry), so rules on either work.

use super::{Evidence, EvidenceSet, OuiTable};
use crate::catalog::{Catalog, EvidenceKind};
use crate::event::Identity;
use crate::ids::{MacAddr, ModelId};
use regex::{Regex, RegexBuilder};

/// Default confidence a model needs to be reported.
pub const DEFAULT_THRESHOLD: f64 = 0.7;
/// Compiled size limit of one rule's regular expression.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
const MICROS: f64 = 1_000_000.0;

/// The outcome of identification for one device.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identification {
    /// Model, class, vendor, OS, version and confidence.
    pub identity: Identity,
    /// The evidence whose rules decided the match (or the class guess).
    pub decided_by: Vec<Evidence>,
    /// Best host name seen (DHCP, mDNS, NetBIOS), if any.
    pub hostname: Option<String>,
    /// Readable label of a class-level guess (e.g. `Windows host`) when no model matched.
    pub class_label: Option<String>,
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

#[derive(Debug, Clone)]
struct Rule {
    kind: EvidenceKind,
    regex: Regex,
    weight_micros: i64,
    version: bool,
}

#[derive(Debug, Clone)]
struct Model {
    id: ModelId,
    vendor: String,
    class: String,
    os: String,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Hint {
    kind: EvidenceKind,
    regex: Regex,
    class: String,
    label: String,
    os: String,
}

/// Compiled catalog rules plus the OUI registry.
#[derive(Debug, Clone)]
pub struct Identifier {
    threshold: f64,
    threshold_micros: i64,
    models: Vec<Model>,
    hints: Vec<Hint>,
    oui: OuiTable,
}

fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

fn micros(value: f64) -> i64 {
    // Weights are validated to (0, 1] and thresholds to [0, 1]: the product fits easily.
    (value * MICROS).round() as i64
}

/// Per-model result of scoring one device.
struct Score {
    micros: i64,
    matched: usize,
    decided_by: Vec<Evidence>,
    version: Option<String>,
}

/// The device's evidence plus what the identifier derives from its MAC.
struct View<'a> {
    set: &'a EvidenceSet,
    derived: Vec<Evidence>,
}

impl View<'_> {
    fn values(&self, kind: EvidenceKind) -> impl Iterator<Item = &str> {
        self.set.of_kind(kind).chain(
            self.derived
                .iter()
                .filter(move |e| e.kind == kind)
                .map(|e| e.value.as_str()),
        )
    }
}

impl Identifier {
    /// Compiles the catalog's rules; a model matches at `threshold` (default
    /// [`DEFAULT_THRESHOLD`]), which must lie in 0..=1.
    pub fn new(
        catalog: &Catalog,
        oui: &OuiTable,
        threshold: f64,
    ) -> Result<Identifier, IdentifierError> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(IdentifierError {
                model: String::new(),
                reason: format!("threshold {threshold} is outside 0..=1"),
            });
        }
        let mut models = Vec::with_capacity(catalog.models.len());
        for model in &catalog.models {
            let mut rules = Vec::with_capacity(model.fingerprint.len());
            for (i, rule) in model.fingerprint.iter().enumerate() {
                let regex = compile(&rule.pattern).map_err(|reason| IdentifierError {
                    model: model.id.as_str().to_owned(),
                    reason: format!("fingerprint[{i}]: {reason}"),
                })?;
                rules.push(Rule {
                    kind: rule.evidence,
                    regex,
                    weight_micros: micros(rule.weight.clamp(0.0, 1.0)),
                    version: rule.version,
                });
            }
            models.push(Model {
                id: model.id.clone(),
                vendor: model.vendor.clone(),
                class: model.class.clone(),
                os: model.os.clone(),
                rules,
            });
        }
        let mut hints = Vec::with_capacity(catalog.class_hints.len());
        for (i, hint) in catalog.class_hints.iter().enumerate() {
            let regex = compile(&hint.pattern).map_err(|reason| IdentifierError {
                model: format!("class_hint[{i}]"),
                reason,
            })?;
            hints.push(Hint {
                kind: hint.evidence,
                regex,
                class: hint.class.clone(),
                label: hint.label.clone(),
                os: hint.os.clone(),
            });
        }
        Ok(Identifier {
            threshold,
            threshold_micros: micros(threshold),
            models,
            hints,
            oui: oui.clone(),
        })
    }

    /// The confidence a model needs.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The OUI registry the identifier uses.
    pub fn oui(&self) -> &OuiTable {
        &self.oui
    }

    fn view<'a>(&self, mac: Option<MacAddr>, evidence: &'a EvidenceSet) -> View<'a> {
        let mut derived = Vec::new();
        if let Some(mac) = mac {
            let text = mac.to_string();
            if !evidence.of_kind(EvidenceKind::Mac).any(|v| v == text) {
                derived.push(Evidence::new(EvidenceKind::Mac, &text));
            }
            if let Some(vendor) = self.oui.vendor(mac) {
                derived.push(Evidence::new(EvidenceKind::OuiVendor, vendor));
            }
        }
        View {
            set: evidence,
            derived,
        }
    }

    fn score(model: &Model, view: &View<'_>) -> Score {
        let mut score = Score {
            micros: 0,
            matched: 0,
            decided_by: Vec::new(),
            version: None,
        };
        for rule in &model.rules {
            let Some(value) = view.values(rule.kind).find(|v| rule.regex.is_match(v)) else {
                continue;
            };
            score.micros = score.micros.saturating_add(rule.weight_micros);
            score.matched = score.matched.saturating_add(1);
            let evidence = Evidence::new(rule.kind, value);
            if !score.decided_by.contains(&evidence) {
                score.decided_by.push(evidence);
            }
            // The newest value carrying a version wins: after a firmware change the device
            // reports the new one while the old one stays in its evidence.
            if rule.version && score.version.is_none() {
                score.version = view
                    .values(rule.kind)
                    .filter_map(|v| {
                        let group = rule.regex.captures(v)?.get(1)?;
                        (!group.as_str().is_empty()).then(|| group.as_str().to_owned())
                    })
                    .last();
            }
        }
        score.micros = score.micros.min(micros(1.0));
        score
    }

    /// Identifies a device from its MAC and collected evidence.
    pub fn identify(&self, mac: Option<MacAddr>, evidence: &EvidenceSet) -> Identification {
        let view = self.view(mac, evidence);
        let oui_vendor = view
            .values(EvidenceKind::OuiVendor)
            .next()
            .map(str::to_owned);
        let mut best: Option<(&Model, Score)> = None;
        for model in &self.models {
            let score = Self::score(model, &view);
            if score.matched == 0 || score.micros < self.threshold_micros {
                continue;
            }
            let better = match &best {
                None => true,
                Some((_, current)) => {
                    (score.micros, score.matched) > (current.micros, current.matched)
                }
            };
            if better {
                best = Some((model, score));
            }
        }
        let mut identification = Identification {
            hostname: hostname(&view),
            ..Identification::default()
        };
        identification.identity.vendor = oui_vendor;
        if let Some((model, score)) = best {
            identification.identity = Identity {
                model: Some(model.id.clone()),
                class: Some(model.class.clone()),
                vendor: Some(model.vendor.clone()),
                os: (!model.os.is_empty()).then(|| model.os.clone()),
                software_version: score.version,
                confidence: score.micros as f64 / MICROS,
            };
            identification.decided_by = score.decided_by;
        } else if let Some((hint, value)) = self.class_hint(&view) {
            identification.identity.class = Some(hint.class.clone());
            identification.identity.os = (!hint.os.is_empty()).then(|| hint.os.clone());
            identification.class_label = Some(hint.label.clone());
            identification.decided_by = vec![Evidence::new(hint.kind, value)];
        }
        identification
    }

    /// The first hint (catalog order) whose pattern matches, and the value it matched.
    fn class_hint<'v>(&self, view: &'v View<'_>) -> Option<(&Hint, &'v str)> {
        self.hints.iter().find_map(|hint| {
            view.values(hint.kind)
                .find(|v| hint.regex.is_match(v))
                .map(|v| (hint, v))
        })
    }
}

/// DHCP host name first, then an mDNS host name (without `.local`), then a NetBIOS name.
fn hostname(view: &View<'_>) -> Option<String> {
    if let Some(name) = view.values(EvidenceKind::DhcpHostname).next() {
        return Some(name.to_owned());
    }
    if let Some(name) = view.values(EvidenceKind::MdnsHostname).next() {
        let name = name.trim_end_matches('.');
        return Some(name.strip_suffix(".local").unwrap_or(name).to_owned());
    }
    view.values(EvidenceKind::NetbiosName)
        .next()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"
format = 1
[[class_hint]]
evidence = "dhcp_vendor_class"
pattern = '^MSFT 5\.0$'
class = "workstation"
label = "Windows host"
os = "Windows"
[[class_hint]]
evidence = "dhcp_vendor_class"
pattern = '^udhcp '
class = "embedded_linux"
label = "embedded Linux"
os = "Linux"

[[model]]
id = "monitor-a"
vendor = "Acme"
name = "Monitor A"
class = "patient_monitor"
os = "embedded"
[[model.fingerprint]]
evidence = "mac"
pattern = '^00:09:fb'
weight = 0.2
[[model.fingerprint]]
evidence = "protocol"
pattern = '^intellivue_export$'
weight = 0.3
[[model.fingerprint]]
evidence = "snmp_sysdescr"
pattern = '^Monitor A ([A-Z]\.[0-9]{2})'
weight = 0.4
version = true

[[model]]
id = "monitor-b"
vendor = "Acme"
name = "Monitor B"
class = "patient_monitor"
[[model.fingerprint]]
evidence = "mac"
pattern = '^00:09:fb'
weight = 0.2
[[model.fingerprint]]
evidence = "protocol"
pattern = '^intellivue_export$'
weight = 0.3
[[model.fingerprint]]
evidence = "dhcp_hostname"
pattern = '^MB'
weight = 0.4

[[model]]
id = "pc"
vendor = "Various"
name = "PC"
class = "workstation"
[[model.fingerprint]]
evidence = "oui_vendor"
pattern = '^Dell'
weight = 0.3
[[model.fingerprint]]
evidence = "dhcp_vendor_class"
pattern = '^MSFT'
weight = 0.2
[[model.fingerprint]]
evidence = "dhcp_vendor_class"
pattern = '5\.0$'
weight = 0.2
"#;

    fn identifier(threshold: f64) -> Identifier {
        let catalog = Catalog::parse(CATALOG).unwrap();
        let oui =
            OuiTable::parse("0009FB/24\tPhilips Patient Monitoring\nF48E38/24\tDell\n").unwrap();
        Identifier::new(&catalog, &oui, threshold).unwrap()
    }

    fn set(items: &[(EvidenceKind, &str)]) -> EvidenceSet {
        let mut set = EvidenceSet::default();
        for (kind, value) in items {
            set.insert(Evidence::new(*kind, value));
        }
        set
    }

    fn mac(text: &str) -> Option<MacAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn rules_sum_once_and_version_comes_from_the_capture_group() {
        let id = identifier(DEFAULT_THRESHOLD);
        let evidence = set(&[
            (EvidenceKind::Protocol, "intellivue_export"),
            (EvidenceKind::SnmpSysDescr, "Monitor A M.04 build 7"),
            (EvidenceKind::SnmpSysDescr, "Monitor A N.01"),
        ]);
        let result = id.identify(mac("00:09:fb:01:02:03"), &evidence);
        assert_eq!(
            result.identity.model.as_ref().map(ModelId::as_str),
            Some("monitor-a")
        );
        assert_eq!(result.identity.confidence, 0.9);
        // The newest value wins (the device was upgraded after it first reported M.04).
        assert_eq!(result.identity.software_version.as_deref(), Some("N.01"));
        assert_eq!(result.identity.vendor.as_deref(), Some("Acme"));
        assert_eq!(result.identity.os.as_deref(), Some("embedded"));
        assert_eq!(
            result.decided_by,
            vec![
                Evidence::new(EvidenceKind::Mac, "00:09:fb:01:02:03"),
                Evidence::new(EvidenceKind::Protocol, "intellivue_export"),
                Evidence::new(EvidenceKind::SnmpSysDescr, "Monitor A M.04 build 7"),
            ]
        );
        assert_eq!(result.class_label, None);
    }

    #[test]
    fn shared_oui_and_protocol_alone_stay_below_the_threshold() {
        let id = identifier(DEFAULT_THRESHOLD);
        let evidence = set(&[(EvidenceKind::Protocol, "intellivue_export")]);
        let result = id.identify(mac("00:09:fb:01:02:03"), &evidence);
        assert_eq!(result.identity.model, None);
        assert_eq!(result.identity.confidence, 0.0);
        assert_eq!(
            result.identity.vendor.as_deref(),
            Some("Philips Patient Monitoring")
        );
    }

    #[test]
    fn ties_go_to_more_rules_then_catalog_order() {
        let id = identifier(0.5);
        let evidence = set(&[(EvidenceKind::Protocol, "intellivue_export")]);
        // Both monitors score 0.5 with 2 rules: the first listed wins.
        let result = id.identify(mac("00:09:fb:01:02:03"), &evidence);
        assert_eq!(
            result.identity.model.as_ref().map(ModelId::as_str),
            Some("monitor-a")
        );
        assert_eq!(result.identity.confidence, 0.5);
        // 0.3 + 0.2 + 0.2 = 0.7 for the PC with three rules beats nothing else.
        let pc = id.identify(
            mac("f4:8e:38:00:00:01"),
            &set(&[(EvidenceKind::DhcpVendorClass, "MSFT 5.0")]),
        );
        assert_eq!(pc.identity.model.as_ref().map(ModelId::as_str), Some("pc"));
        assert_eq!(pc.identity.confidence, 0.7);
        assert_eq!(pc.identity.vendor.as_deref(), Some("Various"));
        assert_eq!(
            pc.decided_by[0],
            Evidence::new(EvidenceKind::OuiVendor, "Dell")
        );
    }

    #[test]
    fn class_hint_when_no_model_matches() {
        let id = identifier(DEFAULT_THRESHOLD);
        let evidence = set(&[
            (EvidenceKind::DhcpVendorClass, "udhcp 1.19.4"),
            (EvidenceKind::DhcpHostname, "Philips-hue"),
        ]);
        let result = id.identify(mac("00:17:88:24:76:ff"), &evidence);
        assert_eq!(result.identity.model, None);
        assert_eq!(result.identity.class.as_deref(), Some("embedded_linux"));
        assert_eq!(result.identity.os.as_deref(), Some("Linux"));
        assert_eq!(result.identity.vendor, None, "OUI not in the test table");
        assert_eq!(result.class_label.as_deref(), Some("embedded Linux"));
        assert_eq!(result.hostname.as_deref(), Some("Philips-hue"));
        assert_eq!(
            result.decided_by,
            vec![Evidence::new(EvidenceKind::DhcpVendorClass, "udhcp 1.19.4")]
        );
    }

    #[test]
    fn hostname_prefers_dhcp_then_mdns_then_netbios() {
        let id = identifier(DEFAULT_THRESHOLD);
        let mdns = set(&[
            (EvidenceKind::NetbiosName, "CAM01"),
            (EvidenceKind::MdnsHostname, "DCS-935L-B0C554255B0E.local"),
        ]);
        assert_eq!(
            id.identify(None, &mdns).hostname.as_deref(),
            Some("DCS-935L-B0C554255B0E")
        );
        let netbios = set(&[(EvidenceKind::NetbiosName, "CAM01")]);
        assert_eq!(
            id.identify(None, &netbios).hostname.as_deref(),
            Some("CAM01")
        );
        assert_eq!(
            id.identify(None, &EvidenceSet::default()),
            Identification::default()
        );
    }

    #[test]
    fn bad_threshold_and_rules_are_refused() {
        let catalog = Catalog::parse(CATALOG).unwrap();
        let oui = OuiTable::default();
        assert!(Identifier::new(&catalog, &oui, 1.5).is_err());
        assert!(Identifier::new(&catalog, &oui, f64::NAN).is_err());
    }
}
