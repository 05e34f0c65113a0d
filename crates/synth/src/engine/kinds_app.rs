//! Application-heavy kinds: DICOM, SMB2, Kerberos, LDAP, RDP, RTSP/RTP and printing.

use super::job::Job;
use super::kinds::ntlm_names;
use super::world::{Peer, World};
use crate::proto::dicom::{self, AeIdentity, StoreParams, StoreScript};
use crate::proto::{self, compact_time, kerberos, ldap, print, rdp, rtsp, smb2, tls};
use crate::seed::{self, Rng};
use crate::ward::HostId;
use crate::wire::conv::{ListScript, Message, Side};
use rand::{Rng as _, RngCore, SeedableRng};
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::TrafficKind;
use wardwatch_flow::event::Direction;

/// The DICOM identity of a host: its model's, or a neutral one (hostname AE title and a UUID-
/// derived implementation class UID that claims no toolkit).
pub fn ae_identity(w: &World, host: HostId) -> AeIdentity {
    let h = &w.ward.hosts[host];
    match &h.identity.dicom {
        Some(d) => AeIdentity {
            ae_title: d.ae_title.clone(),
            impl_class_uid: d.impl_class_uid.clone(),
            impl_version: d.impl_version.clone(),
        },
        None => {
            let ae: String = h
                .hostname
                .to_ascii_uppercase()
                .replace('-', "_")
                .chars()
                .take(16)
                .collect();
            let model = h
                .model
                .map(|m| w.catalog.models[m].id.as_str())
                .unwrap_or("host");
            AeIdentity {
                ae_title: ae,
                impl_class_uid: format!("2.25.{}", seed::derive(0, model) >> 1),
                impl_version: None,
            }
        }
    }
}

/// DICOM modality code of a device class.
pub fn modality(class: &str) -> &'static str {
    match class {
        "ct" => "CT",
        "mri" => "MR",
        "xray" => "DX",
        "xray_carm" => "XA",
        "ultrasound" => "US",
        _ => "OT",
    }
}

/// A DICOM association of the item's kind (store, echo or worklist find).
pub fn dicom(w: &World, rng: &mut Rng, job: &Job, port: u16) -> crate::wire::conv::Conversation {
    let (client, server) = (job.client_host(), job.server_host());
    let (calling, called) = (ae_identity(w, client), ae_identity(w, server));
    let class = w.ward.hosts[client].class.clone();
    let date: String = compact_time(Timestamp(job.t)).chars().take(8).collect();
    match job.spec.kind {
        TrafficKind::DicomStore => {
            let sop_class = w.ward.hosts[client]
                .identity
                .dicom
                .as_ref()
                .and_then(|d| d.sop_classes.first().cloned())
                .unwrap_or_else(|| dicom::SECONDARY_CAPTURE.to_owned());
            let total = job.bytes(w, rng, [5_000_000, 50_000_000]);
            let params = StoreParams {
                calling,
                called,
                sop_class,
                modality: modality(&class).to_owned(),
                date,
                total_bytes: total,
            };
            let script = StoreScript::new(params, Rng::seed_from_u64(rng.next_u64()));
            job.tcp_script(w, rng, port, Box::new(script))
        }
        TrafficKind::DicomFind => {
            let answers = rng.gen_range(0..6);
            let msgs =
                dicom::find_exchange(&calling, &called, modality(&class), &date, answers, rng);
            job.tcp(w, rng, port, msgs)
        }
        _ => job.tcp(w, rng, port, dicom::echo_exchange(&calling, &called)),
    }
}

fn user_of(w: &World, host: HostId) -> String {
    let h = &w.ward.hosts[host];
    if h.class == "workstation" {
        format!("nurse{:02}", h.n % 100)
    } else {
        format!("{}$", h.hostname.to_ascii_uppercase())
    }
}

const FILES: [&str; 4] = [
    "forms\\admission.docx",
    "protocols\\sepsis_bundle.pdf",
    "rosters\\icu4_week02.xlsx",
    "handover\\icu4_beds.docx",
];

/// An SMB2 session: group policy from the DC, the spooler on the print server, files elsewhere.
pub fn smb(w: &World, rng: &mut Rng, job: &Job, port: u16) -> crate::wire::conv::Conversation {
    let (client, server) = (job.client_host(), job.server_host());
    let user = user_of(w, client);
    let names = ntlm_names(w, client, server, &user, job.t);
    let server_name = w.ward.hosts[server].hostname.clone();
    let (up, down) = (
        job.bytes(w, rng, [0, 0]),
        job.reply_bytes(w, rng, [2_000, 200_000]),
    );
    let msgs = match job.spec.peer.as_str() {
        "dc" => {
            let file = format!(
                "{}\\Policies\\{{31B2F340-016D-11D2-945F-00C04FB984F9}}\\GPT.INI",
                w.ward.domain
            );
            let access = smb2::ShareAccess {
                names,
                server: &w.ward.domain,
                share: "SYSVOL",
                file: &file,
            };
            smb2::file_session(rng, &access, down.min(4_096), 0)
        }
        "print_server" => smb2::spoolss_session(rng, &names, &server_name, up),
        _ => {
            let file = FILES[rng.gen_range(0..FILES.len())];
            let access = smb2::ShareAccess {
                names,
                server: &server_name,
                share: "clinical",
                file,
            };
            smb2::file_session(rng, &access, down, up)
        }
    };
    job.tcp(w, rng, port, msgs)
}

/// Kerberos: a TGT (AS exchange) and a service ticket (TGS exchange) on two connections.
pub fn kerberos(
    w: &World,
    rng: &mut Rng,
    job: &Job,
    port: u16,
) -> Vec<crate::wire::conv::Conversation> {
    let client = job.client_host();
    let user = user_of(w, client);
    let realm = w.ward.domain.to_ascii_uppercase();
    let (service, host) = match w.ward.role("file_server") {
        Some(fs) if job.count.is_multiple_of(2) => {
            ("cifs", w.ward.hosts[fs].fqdn.clone().unwrap_or_default())
        }
        _ => (
            "ldap",
            w.ward.hosts[job.server_host()]
                .fqdn
                .clone()
                .unwrap_or_default(),
        ),
    };
    let r = kerberos::Request {
        realm: &realm,
        client: &user,
        service,
        service_host: &host,
        now: Timestamp(job.t),
    };
    let first = vec![
        Message::new(Side::A, kerberos::as_req(rng, &r)),
        Message::after(Side::B, kerberos::as_rep(rng, &r), 3_000),
    ];
    let second = vec![
        Message::new(Side::A, kerberos::tgs_req(rng, &r)),
        Message::after(Side::B, kerberos::tgs_rep(rng, &r), 2_000),
    ];
    let a = job.tcp(w, rng, port, first);
    let later = Job {
        t: job.t + 15_000,
        ephemeral: job.ephemeral.wrapping_add(1).max(49152),
        ..*job
    };
    vec![a, later.tcp(w, rng, port, second)]
}

/// An LDAP bind and search.
pub fn ldap(w: &World, rng: &mut Rng, job: &Job, port: u16) -> crate::wire::conv::Conversation {
    let (client, server) = (job.client_host(), job.server_host());
    let user = user_of(w, client);
    let names = ntlm_names(w, client, server, &user, job.t);
    let msgs = ldap::session(rng, &names, &user);
    job.tcp(w, rng, port, msgs)
}

/// An RDP session: X.224 negotiation, TLS, then screen updates and input of the item's volumes.
pub fn rdp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> crate::wire::conv::Conversation {
    let (up, down) = (
        job.bytes(w, rng, [20_000, 200_000]),
        job.reply_bytes(w, rng, [200_000, 2_000_000]),
    );
    let sni = w.ward.hosts[job.server_host()].hostname.clone();
    let mss = usize::from(w.cfg.traffic.mss);
    let msgs = rdp_messages(rng, &user_of(w, job.client_host()), &sni, (up, down), mss);
    job.tcp(w, rng, port, msgs)
}

/// RDP messages with interactive bursts (`up` bytes of input, `down` of screen updates).
pub fn rdp_messages(
    rng: &mut Rng,
    user: &str,
    server_name: &str,
    (up, down): (usize, usize),
    mss: usize,
) -> Vec<Message> {
    let mut session = [0u8; 32];
    rng.fill_bytes(&mut session);
    let mut m = vec![
        Message::new(Side::A, rdp::connection_request(user)),
        Message::after(Side::B, rdp::connection_confirm(), 1_000),
        Message::new(Side::A, tls::client_hello(rng, server_name, &session)),
        Message::after(Side::B, tls::server_flight_rdp(rng, &session, 1_800), 2_000),
        Message::new(Side::A, tls::client_finish(rng)),
    ];
    let bursts = (down / 50_000).clamp(2, 200);
    for _ in 0..bursts {
        m.push(Message::after(
            Side::A,
            tls::app_data_rdp(rng, up / bursts, mss),
            rng.gen_range(200_000..3_000_000),
        ));
        m.push(Message::after(
            Side::B,
            tls::app_data_rdp(rng, down / bursts, mss),
            20_000,
        ));
    }
    m
}

/// A camera stream pulled over RTSP: the control connection and the RTP stream.
pub fn rtsp(
    w: &World,
    rng: &mut Rng,
    job: &Job,
    port: u16,
) -> Vec<crate::wire::conv::Conversation> {
    let camera = job.device;
    let (client, _) = job.sides();
    let camera_is_server = job.spec.direction == Direction::Inbound;
    let media = if camera_is_server {
        job.reply_bytes(w, rng, [75_000_000, 150_000_000])
    } else {
        job.bytes(w, rng, [75_000_000, 150_000_000])
    };
    let duration = ((job.spec.every_s * 0.95) * 1e6) as u64;
    let (vms_port, cam_port) = (rtsp::rtp_port(rng), rtsp::rtp_port(rng));
    let s = w.party(camera);
    let session = rtsp::Session {
        camera: s.ip,
        server: s.identity.http_server.as_deref(),
        user_agent: "VMS RTSP client/1.0",
        ports: (vms_port, cam_port),
        ssrc: rng.next_u32(),
        session: rng.next_u32(),
        duration_us: duration,
    };
    let control = job.tcp(w, rng, port, rtsp::control(&session));
    let stream = rtsp::RtpStream::new(
        Rng::seed_from_u64(rng.next_u64()),
        session.ssrc,
        media,
        duration,
        15,
    );
    let path = w.path(
        rng,
        camera,
        (Peer::Host(camera), cam_port),
        (client, vms_port),
    );
    let rtp = w.udp(
        rng,
        path,
        job.t + 50_000,
        false,
        Box::new(stream),
        job.origin,
    );
    if job.fail {
        vec![control]
    } else {
        vec![control, rtp]
    }
}

/// A raw print job to port 9100 (ZPL for label printers, PJL/PCL otherwise).
pub fn print_raw(
    w: &World,
    rng: &mut Rng,
    job: &Job,
    port: u16,
) -> crate::wire::conv::Conversation {
    let len = job.bytes(w, rng, [20_000, 400_000]);
    let printer = &w.ward.hosts[job.server_host()];
    let data = if printer.vendor.contains("Zebra") {
        print::zpl_job(len)
    } else {
        print::pjl_job(rng, &format!("job{}.pdf", job.count), len)
    };
    job.tcp(w, rng, port, vec![Message::new(Side::A, data)])
}

/// An IPP Print-Job.
pub fn ipp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> crate::wire::conv::Conversation {
    let len = job.bytes(w, rng, [20_000, 400_000]);
    let printer = w.party(job.server_host());
    let request_id = (job.count % 100_000) as u32 + 1;
    let user = user_of(w, job.client_host());
    let msgs = vec![
        Message::new(
            Side::A,
            print::ipp_print_job(rng, &printer.ip.to_string(), &user, request_id, len),
        ),
        Message::after(
            Side::B,
            print::ipp_response(
                printer.identity.http_server.as_deref(),
                request_id,
                rng.gen_range(1..10_000),
            ),
            50_000,
        ),
    ];
    job.tcp(w, rng, port, msgs)
}

/// Opaque filler used by scenario scripts (TeamViewer-like sessions).
pub fn opaque_burst(rng: &mut Rng, side: Side, len: usize, delay_us: u64) -> Message {
    Message::after(side, proto::opaque(rng, len), delay_us)
}

/// A script of ready messages (re-exported for scenario builders).
pub fn list(messages: Vec<Message>) -> Box<ListScript> {
    ListScript::new(messages)
}
