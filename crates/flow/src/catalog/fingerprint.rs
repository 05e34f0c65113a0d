//! Fingerprint rules: weighted patterns over passive identification evidence.

use serde::Deserialize;

/// Longest pattern text accepted (regexes are compiled with a size limit too).
pub const MAX_PATTERN_LEN: usize = 512;

/// A kind of identification evidence extracted from traffic.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// The MAC address as `aa:bb:cc:dd:ee:ff` (rules match prefixes, so /28 and /36 blocks work).
    Mac,
    /// Vendor name of the MAC OUI from the IEEE registry.
    OuiVendor,
    /// DHCP option 12 host name.
    DhcpHostname,
    /// DHCP option 60 vendor class identifier.
    DhcpVendorClass,
    /// DHCP option 55 parameter request list, in order, as `1,3,6,15`.
    DhcpParams,
    /// DHCP option 61 client identifier, hex.
    DhcpClientId,
    /// mDNS service type announced or answered, e.g. `_ipp._tcp.local`.
    MdnsService,
    /// mDNS TXT entry as `key=value`.
    MdnsTxt,
    /// mDNS host name.
    MdnsHostname,
    /// SSDP SERVER header.
    SsdpServer,
    /// SSDP LOCATION header.
    SsdpLocation,
    /// LLDP system name.
    LldpSystemName,
    /// LLDP system description.
    LldpSystemDescription,
    /// CDP device id.
    CdpDeviceId,
    /// CDP platform.
    CdpPlatform,
    /// CDP software version.
    CdpSoftware,
    /// NetBIOS name.
    NetbiosName,
    /// HTTP User-Agent sent by the device.
    HttpUserAgent,
    /// HTTP Server header sent by the device.
    HttpServer,
    /// TLS ClientHello server name.
    TlsSni,
    /// TLS ClientHello fingerprint (JA4-style).
    TlsFingerprint,
    /// DICOM A-ASSOCIATE calling AE title (of the device as requester).
    DicomCallingAe,
    /// DICOM A-ASSOCIATE called AE title (of the device as acceptor).
    DicomCalledAe,
    /// DICOM implementation class UID.
    DicomImplClassUid,
    /// DICOM implementation version name.
    DicomImplVersion,
    /// HL7 MSH-3 sending application.
    Hl7SendingApp,
    /// HL7 MSH-4 sending facility.
    Hl7SendingFacility,
    /// HL7 MSH-12 version.
    Hl7Version,
    /// SNMP sysDescr.
    #[serde(rename = "snmp_sysdescr", alias = "snmp_sys_descr")]
    SnmpSysDescr,
    /// A service the device accepts connections on, as `tcp/104` or `udp/24105`.
    ServedPort,
    /// A recognised device protocol seen from the device, e.g. `intellivue_export`, `ge_unity`, `bacnet`.
    Protocol,
    /// Manufacturer, model and software revision a Philips IntelliVue monitor reports in its
    /// Data Export MDS Create Event Report, as `Philips IntelliVue MX450 N.02.05`.
    IntellivueModel,
}

impl EvidenceKind {
    /// The snake_case name used in the catalog, inventory JSON and explanations.
    pub fn name(self) -> &'static str {
        use EvidenceKind::*;
        match self {
            Mac => "mac",
            OuiVendor => "oui_vendor",
            DhcpHostname => "dhcp_hostname",
            DhcpVendorClass => "dhcp_vendor_class",
            DhcpParams => "dhcp_params",
            DhcpClientId => "dhcp_client_id",
            MdnsService => "mdns_service",
            MdnsTxt => "mdns_txt",
            MdnsHostname => "mdns_hostname",
            SsdpServer => "ssdp_server",
            SsdpLocation => "ssdp_location",
            LldpSystemName => "lldp_system_name",
            LldpSystemDescription => "lldp_system_description",
            CdpDeviceId => "cdp_device_id",
            CdpPlatform => "cdp_platform",
            CdpSoftware => "cdp_software",
            NetbiosName => "netbios_name",
            HttpUserAgent => "http_user_agent",
            HttpServer => "http_server",
            TlsSni => "tls_sni",
            TlsFingerprint => "tls_fingerprint",
            DicomCallingAe => "dicom_calling_ae",
            DicomCalledAe => "dicom_called_ae",
            DicomImplClassUid => "dicom_impl_class_uid",
            DicomImplVersion => "dicom_impl_version",
            Hl7SendingApp => "hl7_sending_app",
            Hl7SendingFacility => "hl7_sending_facility",
            Hl7Version => "hl7_version",
            SnmpSysDescr => "snmp_sysdescr",
            ServedPort => "served_port",
            Protocol => "protocol",
            IntellivueModel => "intellivue_model",
        }
    }
}

/// One weighted rule: evidence of `evidence` kind matching `pattern` adds `weight` to the model's score.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintRule {
    /// Kind of evidence the rule looks at.
    pub evidence: EvidenceKind,
    /// Regular expression (Rust `regex` syntax; anchor it yourself).
    pub pattern: String,
    /// Score added when the rule matches (0..1). A model matches at the configured threshold (default 0.7).
    pub weight: f64,
    /// When true, the first capture group of `pattern` is the software/firmware version.
    #[serde(default)]
    pub version: bool,
    /// Why the rule holds: source reference or `A` for assumption.
    #[serde(default)]
    pub note: String,
}

impl FingerprintRule {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(self.weight > 0.0 && self.weight <= 1.0) {
            return Err(format!("weight {} is outside (0, 1]", self.weight));
        }
        check_pattern(&self.pattern)?;
        if self.version {
            let re = regex::Regex::new(&self.pattern).map_err(|e| e.to_string())?;
            if re.captures_len() < 2 {
                return Err("version = true needs a capture group in pattern".into());
            }
        }
        Ok(())
    }
}

/// A class-level guess for devices no model matches, e.g. `MSFT 5.0` → Windows host.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassHint {
    /// Kind of evidence.
    pub evidence: EvidenceKind,
    /// Regular expression over the evidence value.
    pub pattern: String,
    /// Class id to guess.
    pub class: String,
    /// Readable label, e.g. `Windows workstation`, `embedded Linux`.
    pub label: String,
    /// Operating system implied, if any.
    #[serde(default)]
    pub os: String,
}

impl ClassHint {
    pub(crate) fn validate(&self) -> Result<(), (&'static str, String)> {
        check_pattern(&self.pattern).map_err(|r| ("pattern", r))?;
        if self.class.is_empty()
            || !self
                .class
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            return Err(("class", "use lowercase letters and underscores".into()));
        }
        Ok(())
    }
}

fn check_pattern(pattern: &str) -> Result<(), String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("pattern longer than {MAX_PATTERN_LEN} characters"));
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .build()
        .map(|_| ())
        .map_err(|e| format!("pattern does not compile: {e}"))
}
