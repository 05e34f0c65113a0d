//! Identity evidence a model puts on the wire. The synthetic ward uses it to make each device
//! speak like the real one; the fingerprint rules of the same model must recognise it.
//! Text fields are templates: `{version}` is the device's software version, `{n}` its index
//! in the ward (zero-padded to 3 digits), `{serial}` a seeded 8-digit serial number.

use serde::Deserialize;

/// Everything a model may reveal about itself.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmittedIdentity {
    /// MAC OUI prefixes the model's NICs carry, e.g. `00:09:fb` (the generator picks one).
    #[serde(default)]
    pub oui: Vec<String>,
    /// DHCP client behaviour; absent for statically addressed devices.
    #[serde(default)]
    pub dhcp: Option<DhcpIdentity>,
    /// HTTP User-Agent of requests the device makes.
    #[serde(default)]
    pub http_user_agent: Option<String>,
    /// HTTP Server header of responses the device gives.
    #[serde(default)]
    pub http_server: Option<String>,
    /// TLS server names the device connects to.
    #[serde(default)]
    pub tls_sni: Vec<String>,
    /// DICOM association identity (modalities, PACS).
    #[serde(default)]
    pub dicom: Option<DicomIdentity>,
    /// HL7 MSH identity.
    #[serde(default)]
    pub hl7: Option<Hl7Identity>,
    /// mDNS service types announced, e.g. `_ipp._tcp.local`.
    #[serde(default)]
    pub mdns_services: Vec<String>,
    /// mDNS TXT entries, `key=value`.
    #[serde(default)]
    pub mdns_txt: Vec<String>,
    /// SSDP SERVER header.
    #[serde(default)]
    pub ssdp_server: Option<String>,
    /// LLDP system name (network gear, phones).
    #[serde(default)]
    pub lldp_system_name: Option<String>,
    /// LLDP system description.
    #[serde(default)]
    pub lldp_system_description: Option<String>,
    /// CDP platform.
    #[serde(default)]
    pub cdp_platform: Option<String>,
    /// NetBIOS name.
    #[serde(default)]
    pub netbios_name: Option<String>,
    /// SNMP sysDescr answered to the management station.
    #[serde(default)]
    pub snmp_sysdescr: Option<String>,
}

/// DHCP client identity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DhcpIdentity {
    /// Option 12 host name template.
    #[serde(default)]
    pub hostname: Option<String>,
    /// Option 60 vendor class template.
    #[serde(default)]
    pub vendor_class: Option<String>,
    /// Option 55 parameter request list, in the client's order.
    #[serde(default)]
    pub params: Vec<u8>,
    /// Whether the client sends option 61 (client identifier = type 1 + MAC).
    #[serde(default)]
    pub client_id: bool,
}

/// DICOM association identity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DicomIdentity {
    /// Own AE title template (calling AE as requester, called AE as acceptor).
    pub ae_title: String,
    /// Implementation class UID.
    pub impl_class_uid: String,
    /// Implementation version name template (max 16 characters after expansion).
    #[serde(default)]
    pub impl_version: Option<String>,
    /// SOP class UIDs the device proposes (the first is used for storage).
    #[serde(default)]
    pub sop_classes: Vec<String>,
}

/// HL7 v2 message header identity.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hl7Identity {
    /// MSH-3 sending application template.
    pub sending_app: String,
    /// MSH-4 sending facility template.
    #[serde(default)]
    pub sending_facility: Option<String>,
    /// MSH-12 version, e.g. `2.6`.
    pub version: String,
    /// MSH-9 message type, e.g. `ORU^R01^ORU_R01`.
    #[serde(default)]
    pub message_type: Option<String>,
}
