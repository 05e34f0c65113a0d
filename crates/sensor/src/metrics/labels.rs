//! Label values. Every label the sensor exports comes from one of the fixed enums here or from
//! the [`LabelPolicy`], which admits only catalog values (model ids, classes, vendors, the
//! catalog's software versions) and maps anything else to `other`. No IP, MAC, port or wire
//! string can become a label value.

use std::collections::{BTreeMap, BTreeSet};
use wardwatch_flow::ModelId;
use wardwatch_flow::catalog::Catalog;

/// Label value for "no value known" (e.g. an unidentified device's model).
pub const UNKNOWN: &str = "unknown";
/// Label value for a value outside the admitted set.
pub const OTHER: &str = "other";

macro_rules! label_enum {
    ($(#[$meta:meta])* $name:ident { $( $variant:ident = $text:literal, $doc:literal; )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $( #[doc = $doc] $variant, )*
        }

        #[allow(dead_code)] // Not every enum needs every helper.
        impl $name {
            /// Every value, in declaration order (the index of a value is its position here).
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];
            /// Number of values.
            pub const COUNT: usize = Self::ALL.len();

            /// The label text.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            /// Position in [`Self::ALL`], for per-value arrays of counters.
            pub fn index(self) -> usize {
                self as usize
            }
        }
    };
}

label_enum! {
    /// Where packets were lost before the pipeline saw them.
    DropStage {
        Queue = "queue", "The capture-to-pipeline queue was full (live capture only).";
        Kernel = "kernel", "libpcap `ps_drop`: the kernel buffer overflowed.";
        Interface = "interface", "libpcap `ps_ifdrop`: the interface or driver dropped.";
    }
}

label_enum! {
    /// Protocol layer at which a packet failed to decode: the flow decoder's
    /// `wardwatch_flow::decode::DecodeLayer` (same names, same order), plus the capture link types
    /// the engine does not decode at all.
    DecodeErrorKind {
        Link = "link", "Ethernet, Linux cooked (SLL/SLL2), loopback or LLC header.";
        Vlan = "vlan", "802.1Q / QinQ tag or MACsec header.";
        Arp = "arp", "ARP packet.";
        Ip = "ip", "IPv4 or IPv6 header.";
        IpExtension = "ip_extension", "IPv4 authentication header or IPv6 extension header chain.";
        Tcp = "tcp", "TCP header.";
        Udp = "udp", "UDP header.";
        Icmp = "icmp", "ICMP, ICMPv6 or IGMP header.";
        UnsupportedLinktype = "unsupported_linktype", "A capture link type the decoder does not read.";
    }
}

label_enum! {
    /// Why a flow left the flow table: the flow table's `EndReason` (same names, same order).
    EvictReason {
        Idle = "idle", "Idle timeout of its protocol.";
        Closed = "closed", "TCP FIN/RST exchange completed and quiet for the closed timeout.";
        Failed = "failed", "A failed connection (no handshake within the half-open timeout, refused or unreachable).";
        EmergencyTimeout = "emergency_timeout", "Expired by the shortened timeouts of emergency mode.";
        Capacity = "capacity", "The table was full and this flow was the eviction victim (oldest first).";
        Flush = "flush", "End of input (a replay ended or the sensor stopped).";
    }
}

label_enum! {
    /// Device-table partition.
    DeviceState {
        Established = "established", "Bidirectional traffic seen; protected from eviction by newcomers.";
        Tentative = "tentative", "Seen sending only; evicted first under pressure.";
    }
}

label_enum! {
    /// Why an alert was not sent.
    SuppressReason {
        Duplicate = "duplicate", "Same device and kind within the suppression interval.";
        RateLimit = "rate_limit", "Global alert rate limit reached.";
    }
}

label_enum! {
    /// Why a sink dropped an alert.
    SinkDropReason {
        QueueFull = "queue_full", "The sink's buffer was full; the oldest alert was dropped.";
        Rejected = "rejected", "The receiver refused the alert permanently (HTTP 4xx).";
        Shutdown = "shutdown", "Still undelivered when the shutdown deadline passed.";
    }
}

label_enum! {
    /// HTTP endpoint.
    HttpHandler {
        Metrics = "metrics", "`/metrics`.";
        Healthz = "healthz", "`/healthz`.";
        Readyz = "readyz", "`/readyz`.";
        NotFound = "not_found", "Any other path.";
    }
}

label_enum! {
    /// Outcome of an operation that can fail.
    Outcome {
        Success = "success", "It worked.";
        Failure = "failure", "It failed (logged with the reason).";
    }
}

label_enum! {
    /// Capture mode.
    CaptureMode {
        Live = "live", "A live interface.";
        Replay = "replay", "A pcap/pcapng file.";
    }
}

/// The catalog values admitted as label values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelPolicy {
    models: BTreeSet<String>,
    classes: BTreeSet<String>,
    vendors: BTreeSet<String>,
    versions: BTreeMap<String, BTreeSet<String>>,
}

/// Longest label value admitted (longer catalog text becomes `other`).
const MAX_LABEL_LEN: usize = 64;

fn admissible(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_LABEL_LEN && !text.chars().any(char::is_control)
}

impl LabelPolicy {
    /// Admits the catalog's model ids, classes, vendors and per-model software versions.
    pub fn from_catalog(catalog: &Catalog) -> LabelPolicy {
        let mut policy = LabelPolicy::default();
        for model in &catalog.models {
            policy.models.insert(model.id.as_str().to_owned());
            policy.classes.insert(model.class.clone());
            if admissible(&model.vendor) {
                policy.vendors.insert(model.vendor.clone());
            }
            let versions = model
                .software_versions
                .iter()
                .filter(|v| admissible(v))
                .cloned()
                .collect();
            policy
                .versions
                .insert(model.id.as_str().to_owned(), versions);
        }
        for hint in &catalog.class_hints {
            policy.classes.insert(hint.class.clone());
        }
        policy
    }

    /// Also admits these vendor names (e.g. the OUI registry's, which is a file, not the wire).
    pub fn allow_vendors<'a>(&mut self, vendors: impl IntoIterator<Item = &'a str>) {
        self.vendors.extend(
            vendors
                .into_iter()
                .filter(|v| admissible(v))
                .map(str::to_owned),
        );
    }

    /// `model` label: the catalog id, `unknown` for none, `other` for a non-catalog id.
    pub fn model<'a>(&self, model: Option<&'a ModelId>) -> &'a str {
        match model {
            None => UNKNOWN,
            Some(id) if self.models.contains(id.as_str()) => id.as_str(),
            Some(_) => OTHER,
        }
    }

    /// `class` label.
    pub fn class<'a>(&self, class: Option<&'a str>) -> &'a str {
        Self::pick(&self.classes, class)
    }

    /// `vendor` label.
    pub fn vendor<'a>(&self, vendor: Option<&'a str>) -> &'a str {
        Self::pick(&self.vendors, vendor)
    }

    /// `version` label: only a version the catalog lists for this model is admitted.
    pub fn version<'a>(&self, model: Option<&ModelId>, version: Option<&'a str>) -> &'a str {
        match (model, version) {
            (_, None) => UNKNOWN,
            (Some(model), Some(v))
                if self
                    .versions
                    .get(model.as_str())
                    .is_some_and(|set| set.contains(v)) =>
            {
                v
            }
            _ => OTHER,
        }
    }

    fn pick<'a>(set: &BTreeSet<String>, value: Option<&'a str>) -> &'a str {
        match value {
            None => UNKNOWN,
            Some(v) if set.contains(v) => v,
            Some(_) => OTHER,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> LabelPolicy {
        let text = r#"
            format = 1
            [[model]]
            id = "bd-alaris-pcu-8015"
            vendor = "BD (CareFusion)"
            name = "Alaris PC Unit 8015"
            class = "infusion_pump"
            software_versions = ["9.19.2", "12.1.3"]
            [[model.fingerprint]]
            evidence = "mac"
            pattern = '^(f8:c6:78)'
            weight = 0.2
        "#;
        LabelPolicy::from_catalog(&Catalog::parse(text).unwrap())
    }

    #[test]
    fn only_catalog_values_pass() {
        let p = policy();
        let alaris = ModelId::from("bd-alaris-pcu-8015");
        let spoofed = ModelId::from("10.0.0.1");
        assert_eq!(p.model(Some(&alaris)), "bd-alaris-pcu-8015");
        assert_eq!(p.model(Some(&spoofed)), "other");
        assert_eq!(p.model(None), "unknown");
        assert_eq!(p.class(Some("infusion_pump")), "infusion_pump");
        assert_eq!(p.class(Some("<script>")), "other");
        assert_eq!(p.vendor(Some("BD (CareFusion)")), "BD (CareFusion)");
        assert_eq!(p.version(Some(&alaris), Some("12.1.3")), "12.1.3");
        assert_eq!(p.version(Some(&alaris), Some("12.1.3-evil")), "other");
        assert_eq!(p.version(None, Some("12.1.3")), "other");
        assert_eq!(p.version(Some(&alaris), None), "unknown");
    }

    #[test]
    fn enums_have_stable_indices() {
        assert_eq!(DecodeErrorKind::COUNT, 9);
        assert_eq!(DecodeErrorKind::Tcp.index(), 5);
        assert_eq!(DecodeErrorKind::ALL[5].label(), "tcp");
        for layer in wardwatch_flow::decode::DecodeLayer::ALL {
            assert_eq!(DecodeErrorKind::ALL[layer.index()].label(), layer.name());
        }
        for (i, reason) in wardwatch_flow::flow_table::END_REASONS.iter().enumerate() {
            assert_eq!(EvictReason::ALL[i].label(), reason.name());
        }
        assert_eq!(DropStage::Kernel.label(), "kernel");
    }
}
