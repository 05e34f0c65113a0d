//! Normal traffic of a model, for the synthetic ward: which protocol, to which server role,
//! how often, how much, and when.

use crate::event::Direction;
use serde::Deserialize;

/// The protocol generator a traffic item uses. Each speaks the real wire format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrafficKind {
    /// DHCP DISCOVER/REQUEST with the model's options (renewals at `every_s`).
    Dhcp,
    /// DNS A/AAAA queries for `names` to the DNS server.
    Dns,
    /// NTP client request/response.
    Ntp,
    /// mDNS announcements of the model's services.
    Mdns,
    /// SSDP NOTIFY with the model's SERVER header.
    Ssdp,
    /// NetBIOS name service registration/query.
    NetbiosNs,
    /// HTTP request with the model's User-Agent (or response with its Server header when inbound).
    Http,
    /// TLS ClientHello with SNI, then opaque application data.
    Tls,
    /// HL7 v2 over MLLP with the model's MSH, answered by an ACK.
    Hl7,
    /// DICOM association + C-STORE data (P-DATA) to a PACS.
    DicomStore,
    /// DICOM association + C-ECHO.
    DicomEcho,
    /// DICOM association + modality worklist C-FIND.
    DicomFind,
    /// SMB2 negotiate/session/tree connect/read (file sharing).
    Smb2,
    /// Kerberos AS/TGS exchange with the domain controller.
    Kerberos,
    /// LDAP bind/search with the domain controller.
    Ldap,
    /// RDP connection request and TLS-wrapped session.
    Rdp,
    /// BACnet/IP Who-Is / I-Am / ReadProperty.
    Bacnet,
    /// RTSP DESCRIBE/SETUP/PLAY then RTP media.
    Rtsp,
    /// Raw printing to port 9100.
    PrintRaw,
    /// IPP printing on 631.
    Ipp,
    /// Syslog messages (UDP 514).
    Syslog,
    /// SNMP get of sysDescr from the management station (device answers).
    Snmp,
    /// SIP REGISTER / OPTIONS keepalive.
    Sip,
    /// Philips IntelliVue Data Export association and polls (UDP 24105).
    IntellivueExport,
    /// GE Unity/CARESCAPE discovery heartbeat broadcast (UDP 7000).
    UnityHeartbeat,
    /// LLDP advertisements (network gear, phones).
    Lldp,
    /// A TCP exchange with opaque payload on `port`.
    GenericTcp,
    /// A UDP exchange with opaque payload on `port`.
    GenericUdp,
}

/// When a traffic item is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// Around the clock.
    #[default]
    Always,
    /// 07:00-19:00 local ward time.
    Day,
    /// 19:00-07:00.
    Night,
    /// Bursts around shift changes (07:00, 19:00).
    ShiftChange,
}

/// One recurring traffic pattern of a model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficSpec {
    /// Protocol generator.
    pub kind: TrafficKind,
    /// Server role in the ward config this traffic goes to (e.g. `dns`, `pacs`, `hl7_engine`,
    /// `dc`, `vendor_cloud`), or `same_model` / `broadcast`.
    pub peer: String,
    /// Destination port; the kind's well-known port when absent.
    #[serde(default)]
    pub port: Option<u16>,
    /// Who starts the exchange: the device (`outbound`, default) or the peer (`inbound`).
    #[serde(default = "default_direction")]
    pub direction: Direction,
    /// Mean seconds between exchanges.
    pub every_s: f64,
    /// Relative jitter of the period, 0..1.
    #[serde(default)]
    pub jitter: f64,
    /// Application bytes the initiator sends per exchange, `[min, max]`.
    #[serde(default)]
    pub bytes: Option<[u32; 2]>,
    /// Application bytes the responder sends per exchange, `[min, max]`.
    #[serde(default)]
    pub reply_bytes: Option<[u32; 2]>,
    /// When the traffic happens.
    #[serde(default)]
    pub active: Activity,
    /// Fraction of exchanges that fail (no answer or reset), 0..1.
    #[serde(default)]
    pub fail_rate: f64,
    /// Names for DNS queries / TLS SNI / HTTP Host, when the kind uses names.
    #[serde(default)]
    pub names: Vec<String>,
}

fn default_direction() -> Direction {
    Direction::Outbound
}

impl TrafficSpec {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(self.every_s.is_finite() && self.every_s >= 0.05) {
            return Err(format!("every_s {} must be at least 0.05", self.every_s));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(format!("jitter {} is outside 0..1", self.jitter));
        }
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return Err(format!("fail_rate {} is outside 0..1", self.fail_rate));
        }
        for range in [self.bytes, self.reply_bytes].into_iter().flatten() {
            if range[0] > range[1] || range[1] > 1 << 30 {
                return Err(format!(
                    "byte range {range:?} must be [min, max] with max <= 1 GiB"
                ));
            }
        }
        if self.peer.is_empty() {
            return Err("peer must name a server role".into());
        }
        Ok(())
    }
}
