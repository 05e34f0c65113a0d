//! The MDS2 2019 questions (ANSI/NEMA HN 1-2019) this assessment reads, by question id, and the
//! security capability each one evidences. Question ids were confirmed against a filled 2019-form
//! MDS2 in the public corpus (sections DOC, MPII, ALOF, AUDT, AUTH, CSUP, DIDT, DTBK, EMRG, IGAU,
//! MLDP, NAUT, CONN, PAUT, PLOK, RDMP, SBOM, SAHD, SGUD, STCF, TXCF, TXIG, RMOT). `CNFS`
//! ("configuration of security features") belongs to the 2013 form and was not found in the 2019
//! one; its 2019 counterparts used here are CONN (connectivity) and RMOT (remote service). The
//! short texts below are our paraphrases, not NEMA's wording.

use serde::Serialize;

/// A security capability the form can evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Users must log in with their own credentials.
    Authentication,
    /// Personal data is encrypted on the network.
    EncryptionInTransit,
    /// Personal data is encrypted on the device.
    EncryptionAtRest,
    /// Security events are logged, exportable and protected.
    AuditLogging,
    /// The manufacturer assesses, announces and signs updates.
    Patching,
    /// Anti-malware or compensating controls (allow-listing).
    MalwareProtection,
    /// The network ports and services are disclosed.
    PortsDisclosed,
}

impl Capability {
    /// Name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Authentication => "authentication",
            Capability::EncryptionInTransit => "encryption in transit",
            Capability::EncryptionAtRest => "encryption at rest",
            Capability::AuditLogging => "audit logging",
            Capability::Patching => "patching and update path",
            Capability::MalwareProtection => "malware protection",
            Capability::PortsDisclosed => "network ports disclosed",
        }
    }
}

/// How the answers of a capability's questions combine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Every question must be Yes; the missing share is the mean of the answers
    /// (Yes 0, No 1, unknown 0.5; N/A left out).
    AllOf,
    /// Any Yes is enough (alternatives such as anti-malware or allow-listing).
    AnyOf,
}

/// The questions behind one capability.
#[derive(Clone, Copy, Debug)]
pub struct CapabilityQuestions {
    /// The capability.
    pub capability: Capability,
    /// How answers combine.
    pub combine: Combine,
    /// Question ids.
    pub questions: &'static [&'static str],
}

/// Capabilities and their questions.
pub const CAPABILITIES: [CapabilityQuestions; 7] = [
    CapabilityQuestions {
        capability: Capability::Authentication,
        combine: Combine::AllOf,
        questions: &["AUTH-1", "PAUT-1", "PAUT-5"],
    },
    CapabilityQuestions {
        capability: Capability::EncryptionInTransit,
        combine: Combine::AllOf,
        questions: &["TXCF-2", "CONN-7"],
    },
    CapabilityQuestions {
        capability: Capability::EncryptionAtRest,
        combine: Combine::AllOf,
        questions: &["STCF-1"],
    },
    CapabilityQuestions {
        capability: Capability::AuditLogging,
        combine: Combine::AllOf,
        questions: &["AUDT-2", "AUDT-5", "AUDT-7"],
    },
    CapabilityQuestions {
        capability: Capability::Patching,
        combine: Combine::AllOf,
        questions: &["CSUP-7", "CSUP-11", "SAHD-3.2"],
    },
    CapabilityQuestions {
        capability: Capability::MalwareProtection,
        combine: Combine::AnyOf,
        questions: &["MLDP-2", "MLDP-3", "MLDP-4"],
    },
    CapabilityQuestions {
        capability: Capability::PortsDisclosed,
        combine: Combine::AnyOf,
        questions: &["CONN-2"],
    },
];

/// Remote service connections permitted.
pub const REMOTE_SERVICE: &str = "RMOT-1";
/// The owner/operator initiates remote sessions.
pub const REMOTE_OPERATOR_INITIATED: &str = "RMOT-1.1";
/// An indicator shows an active remote session.
pub const REMOTE_INDICATOR: &str = "RMOT-1.2";
/// The device talks to systems outside the customer's environment.
pub const EXTERNAL_CONNECTIVITY: &str = "CONN-4";
/// The manufacturer publishes software support dates.
pub const SUPPORT_DATES: &str = "RDMP-3";
/// The manufacturer plans for third-party component end-of-life.
pub const THIRD_PARTY_EOL_PLAN: &str = "RDMP-4";
/// Wi-Fi, Bluetooth, other wireless, RJ45 Ethernet.
pub const NETWORK_INTERFACES: [&str; 4] = ["CONN-1.1.1", "CONN-1.1.2", "CONN-1.1.3", "CONN-1.2.1"];
/// The manufacturer lists the network ports and protocols (its note may carry the list).
pub const PORT_LIST: &str = "CONN-2";

/// Our paraphrase of each question read, for reports.
pub fn paraphrase(id: &str) -> &'static str {
    match id {
        "AUTH-1" => "prevents access by unauthorised users (login)",
        "PAUT-1" => "unique IDs and passwords for all users and roles",
        "PAUT-5" => "all passwords can be changed",
        "TXCF-2" => "personal data encrypted before transmission",
        "CONN-7" => "supports TLS",
        "STCF-1" => "can encrypt data at rest",
        "AUDT-2" => "records events in an audit log",
        "AUDT-5" => "audit log can be exported",
        "AUDT-7" => "audit log protected from modification",
        "CSUP-7" => "customer notified when updates are approved",
        "CSUP-11" => "manufacturer assesses vulnerabilities and updates",
        "SAHD-3.2" => "updates checked as manufacturer-authorised",
        "MLDP-2" => "supports anti-malware software",
        "MLDP-3" => "compensating controls where anti-malware cannot run",
        "MLDP-4" => "application allow-listing",
        "CONN-2" => "list of network ports and protocols provided",
        "RMOT-1" => "permits remote service connections",
        "RMOT-1.1" => "owner/operator initiates remote sessions",
        "RMOT-1.2" => "indicator for an active remote session",
        "CONN-4" => "communicates with systems outside the customer environment",
        "RDMP-3" => "software support dates published",
        "RDMP-4" => "plan for third-party component end-of-life",
        "CONN-1.1.1" => "Wi-Fi",
        "CONN-1.1.2" => "Bluetooth",
        "CONN-1.1.3" => "other wireless",
        "CONN-1.2.1" => "RJ45 Ethernet",
        _ => "",
    }
}
