//! A device's emitted identity: the catalog model's `[model.emits]` with the templates filled
//! in for one device (`{version}`, `{n}` = the device's 1-based index among its model's devices
//! zero-padded to 3 digits, `{serial}` = its seeded 8-digit serial number).

use wardwatch_flow::catalog::{DicomIdentity, EmittedIdentity, Hl7Identity};

/// DICOM AE titles and implementation version names hold at most 16 characters.
const DICOM_MAX: usize = 16;

/// Values substituted into identity templates.
#[derive(Clone, Copy, Debug)]
pub struct Vars<'a> {
    /// Software/firmware version.
    pub version: &'a str,
    /// 1-based index of the device among its model's devices.
    pub n: u32,
    /// 8-digit serial number.
    pub serial: &'a str,
}

/// Fills the templates of one text.
pub fn expand(template: &str, vars: &Vars) -> String {
    template
        .replace("{version}", vars.version)
        .replace("{n}", &format!("{:03}", vars.n))
        .replace("{serial}", vars.serial)
}

fn opt(template: &Option<String>, vars: &Vars) -> Option<String> {
    template.as_ref().map(|t| expand(t, vars))
}

fn list(templates: &[String], vars: &Vars) -> Vec<String> {
    templates.iter().map(|t| expand(t, vars)).collect()
}

fn cut(mut text: String, max: usize) -> String {
    while text.len() > max {
        text.pop();
    }
    text
}

/// True when the software version reaches the wire in what a device says on its own, at boot
/// and periodically (DHCP, LLDP/CDP, mDNS, SSDP, its HTTP client): the identity filled with two
/// different versions differs. DICOM, HL7, SNMP, TLS names and an HTTP server header appear only
/// when someone else starts an exchange, which may not happen for hours.
pub fn shows_version(emits: &EmittedIdentity) -> bool {
    let emits = EmittedIdentity {
        dhcp: emits.dhcp.clone(),
        lldp_system_name: emits.lldp_system_name.clone(),
        lldp_system_description: emits.lldp_system_description.clone(),
        cdp_platform: emits.cdp_platform.clone(),
        http_user_agent: emits.http_user_agent.clone(),
        mdns_txt: emits.mdns_txt.clone(),
        ssdp_server: emits.ssdp_server.clone(),
        ..EmittedIdentity::default()
    };
    let fill = |version: &str| {
        let vars = Vars {
            version,
            n: 1,
            serial: "00000001",
        };
        format!("{:?}", for_device(&emits, &vars))
    };
    fill("1.0") != fill("2.0")
}

/// The identity of one device: every template of `emits` filled in.
pub fn for_device(emits: &EmittedIdentity, vars: &Vars) -> EmittedIdentity {
    let mut out = emits.clone();
    if let Some(dhcp) = out.dhcp.as_mut() {
        dhcp.hostname = opt(&dhcp.hostname, vars);
        dhcp.vendor_class = opt(&dhcp.vendor_class, vars);
    }
    out.http_user_agent = opt(&emits.http_user_agent, vars);
    out.http_server = opt(&emits.http_server, vars);
    out.tls_sni = list(&emits.tls_sni, vars);
    out.dicom = emits.dicom.as_ref().map(|d| DicomIdentity {
        ae_title: cut(expand(&d.ae_title, vars), DICOM_MAX),
        impl_class_uid: expand(&d.impl_class_uid, vars),
        impl_version: d
            .impl_version
            .as_ref()
            .map(|v| cut(expand(v, vars), DICOM_MAX)),
        sop_classes: d.sop_classes.clone(),
    });
    out.hl7 = emits.hl7.as_ref().map(|h| Hl7Identity {
        sending_app: expand(&h.sending_app, vars),
        sending_facility: opt(&h.sending_facility, vars),
        version: h.version.clone(),
        message_type: h.message_type.clone(),
    });
    out.mdns_services = list(&emits.mdns_services, vars);
    out.mdns_txt = list(&emits.mdns_txt, vars);
    out.ssdp_server = opt(&emits.ssdp_server, vars);
    out.lldp_system_name = opt(&emits.lldp_system_name, vars);
    out.lldp_system_description = opt(&emits.lldp_system_description, vars);
    out.cdp_platform = opt(&emits.cdp_platform, vars);
    out.netbios_name = opt(&emits.netbios_name, vars);
    out.snmp_sysdescr = opt(&emits.snmp_sysdescr, vars);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wardwatch_flow::catalog::DhcpIdentity;

    #[test]
    fn templates_are_filled_and_dicom_fields_cut() {
        let vars = Vars {
            version: "3.6.8",
            n: 7,
            serial: "12345678",
        };
        assert_eq!(
            expand("PACS-{n}/{serial} v{version}", &vars),
            "PACS-007/12345678 v3.6.8"
        );
        let emits = EmittedIdentity {
            dhcp: Some(DhcpIdentity {
                hostname: Some("MX450-{n}".into()),
                vendor_class: Some("Philips {version}".into()),
                params: vec![1, 3, 6],
                client_id: true,
            }),
            dicom: Some(DicomIdentity {
                ae_title: "CT_SCANNER_NUMBER_{n}".into(),
                impl_class_uid: "1.2.840.113619.6.{n}".into(),
                impl_version: Some("OFFIS_DCMTK_{version}".into()),
                sop_classes: vec![],
            }),
            ..Default::default()
        };
        let id = for_device(&emits, &vars);
        let dhcp = id.dhcp.unwrap();
        assert_eq!(dhcp.hostname.as_deref(), Some("MX450-007"));
        assert_eq!(dhcp.vendor_class.as_deref(), Some("Philips 3.6.8"));
        assert_eq!(dhcp.params, vec![1, 3, 6]);
        let dicom = id.dicom.unwrap();
        assert_eq!(dicom.ae_title, "CT_SCANNER_NUMBE");
        assert_eq!(dicom.impl_class_uid, "1.2.840.113619.6.007");
        assert_eq!(dicom.impl_version.as_deref(), Some("OFFIS_DCMTK_3.6."));
    }
}
