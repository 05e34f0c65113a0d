//! Traffic kinds → conversations: for each [`TrafficKind`], the messages of one exchange in the
//! real wire format, with the identity of the hosts involved.

use super::job::Job;
use super::world::{Peer, World};
use crate::proto::{
    self, bacnet, dhcp, dns, hl7, http, intellivue, lldp, netbios, ntlm, ntp, sip, snmp, ssdp,
    syslog, tls, unity,
};
use crate::seed::Rng;
use crate::ward::HostKind;
use crate::wire::conv::{Body, Conversation, FrameConv, Message, Side};
use crate::wire::frame;
use crate::wire::tcp::TcpOutcome;
use dhcproto::v4::MessageType;
use rand::{Rng as _, RngCore, SeedableRng};
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;
use wardwatch_flow::catalog::TrafficKind;

/// Default port of each kind (generic kinds have none: the catalog must give one).
pub fn default_port(kind: TrafficKind) -> u16 {
    use TrafficKind::*;
    match kind {
        Dhcp => 67,
        Dns => 53,
        Ntp => 123,
        Mdns => 5353,
        Ssdp => 1900,
        NetbiosNs => 137,
        Http => 80,
        Tls => 443,
        Hl7 => 2575,
        DicomStore | DicomEcho | DicomFind => 104,
        Smb2 => 445,
        Kerberos => 88,
        Ldap => 389,
        Rdp => 3389,
        Bacnet => bacnet::PORT,
        Rtsp => 554,
        PrintRaw => 9100,
        Ipp => 631,
        Syslog => 514,
        Snmp => 161,
        Sip => 5060,
        IntellivueExport => intellivue::PORT,
        UnityHeartbeat => unity::HEARTBEAT_PORT,
        Lldp | GenericTcp | GenericUdp => 0,
    }
}

/// The conversations of one exchange.
pub fn build(w: &World, rng: &mut Rng, job: &Job) -> Vec<Conversation> {
    use TrafficKind::*;
    let port = job.port(default_port(job.spec.kind));
    match job.spec.kind {
        Dhcp => vec![dhcp_renewal(w, rng, job)],
        Dns => vec![dns_query(w, rng, job, port)],
        Ntp => {
            let t = Timestamp(job.t);
            let reference = w
                .ward
                .role("ntp_pool")
                .map(|h| w.ward.hosts[h].ip.octets())
                .unwrap_or([127, 127, 1, 0]);
            let msgs = vec![
                Message::new(Side::A, ntp::request(t)),
                Message::after(
                    Side::B,
                    ntp::response(t, Timestamp(job.t + 300), 3, reference),
                    50,
                ),
            ];
            vec![job.udp(w, rng, (123, port), msgs)]
        }
        Mdns => {
            let d = w.party(job.device);
            let svc_port = w.ward.hosts[job.device]
                .model
                .and_then(|m| w.catalog.models[m].services.first().map(|s| s.port))
                .unwrap_or(80);
            let payload = dns::mdns_announce(
                d.hostname,
                d.ip,
                &d.identity.mdns_services,
                &d.identity.mdns_txt,
                svc_port,
            );
            vec![group_udp(
                w,
                rng,
                job,
                5353,
                dns::MDNS_GROUP,
                dns::MDNS_MAC,
                255,
                payload,
            )]
        }
        Ssdp => {
            let d = w.party(job.device);
            let server = d.identity.ssdp_server.as_deref().unwrap_or("UPnP/1.0");
            let payload = ssdp::notify(d.ip, server, &ssdp::uuid_from_mac(d.mac));
            vec![group_udp(
                w,
                rng,
                job,
                job.ephemeral,
                ssdp::SSDP_GROUP,
                ssdp::SSDP_MAC,
                4,
                payload,
            )]
        }
        NetbiosNs => {
            let d = w.party(job.device);
            let name = d.identity.netbios_name.as_deref().unwrap_or(d.hostname);
            let id = rng.r#gen();
            let payload = if job.count % 4 == 3 {
                netbios::query(id, "DC01")
            } else {
                netbios::registration(id, name, d.ip.octets())
            };
            let bcast = w.broadcast(job.device);
            vec![group_udp(w, rng, job, 137, bcast, [0xff; 6], 128, payload)]
        }
        Http => vec![http_exchange(w, rng, job, port)],
        Tls => vec![tls_exchange(w, rng, job, port)],
        Hl7 => vec![hl7_exchange(w, rng, job, port)],
        DicomStore | DicomEcho | DicomFind => vec![super::kinds_app::dicom(w, rng, job, port)],
        Smb2 => vec![super::kinds_app::smb(w, rng, job, port)],
        Kerberos => super::kinds_app::kerberos(w, rng, job, port),
        Ldap => vec![super::kinds_app::ldap(w, rng, job, port)],
        Rdp => vec![super::kinds_app::rdp(w, rng, job, port)],
        Bacnet => vec![bacnet_exchange(w, rng, job, port)],
        Rtsp => super::kinds_app::rtsp(w, rng, job, port),
        PrintRaw => vec![super::kinds_app::print_raw(w, rng, job, port)],
        Ipp => vec![super::kinds_app::ipp(w, rng, job, port)],
        Syslog => {
            let c = w.party(job.client_host());
            let lines = job.bytes(w, rng, [80, 300]).div_ceil(200).clamp(1, 20);
            let msgs = (0..lines)
                .map(|i| {
                    let text = proto::text_filler(rng, 120);
                    Message::after(
                        Side::A,
                        syslog::message(Timestamp(job.t), 16, 6, c.hostname, "app", &text),
                        i as u64 * 2_000,
                    )
                })
                .collect();
            vec![job.udp(w, rng, (job.ephemeral, port), msgs)]
        }
        Snmp => {
            let s = w.party(job.server_host());
            let descr = s.identity.snmp_sysdescr.clone().unwrap_or_default();
            let id = i64::from(rng.next_u32() >> 1);
            let uptime = ((job.t / 10_000) % 4_000_000_000) as u32;
            let msgs = vec![
                Message::new(Side::A, snmp::get_request("public", id)),
                Message::after(
                    Side::B,
                    snmp::get_response(
                        "public",
                        id,
                        &descr,
                        "1.3.6.1.4.1.8072.3.2.10",
                        uptime,
                        s.hostname,
                    ),
                    800,
                ),
            ];
            vec![job.udp(w, rng, (job.ephemeral, port), msgs)]
        }
        Sip => vec![sip_exchange(w, rng, job, port)],
        IntellivueExport => vec![intellivue_exchange(w, rng, job, port)],
        UnityHeartbeat => {
            let d = w.party(job.device);
            let payload = if port == unity::TIMESYNC_PORT {
                unity::timesync(d.ip, d.location, Timestamp(job.t))
            } else {
                unity::heartbeat(d.ip, d.mac, d.location, d.hostname, d.version)
            };
            let bcast = w.broadcast(job.device);
            vec![group_udp(w, rng, job, port, bcast, [0xff; 6], 64, payload)]
        }
        Lldp => vec![lldp_frames(w, job)],
        GenericTcp => {
            let (a, b) = (
                job.bytes(w, rng, [200, 800]),
                job.reply_bytes(w, rng, [100, 400]),
            );
            let seq = job.count as u32;
            let msgs = vec![
                Message::new(Side::A, proto::proprietary(rng, a, port, seq)),
                Message::after(
                    Side::B,
                    proto::proprietary(rng, b, port, seq),
                    rng.gen_range(500..5_000),
                ),
            ];
            vec![job.tcp(w, rng, port, msgs)]
        }
        GenericUdp => {
            let (a, b) = (
                job.bytes(w, rng, [100, 400]),
                job.reply_bytes(w, rng, [0, 0]),
            );
            let mut msgs = chunked(rng, Side::A, a, port, job.count);
            if b > 1 {
                msgs.extend(chunked(rng, Side::B, b, port, job.count));
            }
            let ports = if job.spec.peer == "broadcast" {
                (port, port)
            } else {
                (job.session_port, port)
            };
            match job.peer {
                Peer::Group(..) => {
                    let bcast = w.broadcast(job.device);
                    vec![group_udp(
                        w,
                        rng,
                        job,
                        ports.0,
                        bcast,
                        [0xff; 6],
                        64,
                        msgs.into_iter().next().map(|m| m.data).unwrap_or_default(),
                    )]
                }
                Peer::Host(_) | Peer::Remote(_) => vec![job.udp(w, rng, ports, msgs)],
            }
        }
    }
}

fn chunked(rng: &mut Rng, side: Side, len: usize, tag: u16, count: u64) -> Vec<Message> {
    let mut out = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(1200);
        let counter = (count as u32)
            .wrapping_mul(64)
            .wrapping_add(out.len() as u32);
        out.push(Message::after(
            side,
            proto::proprietary(rng, n, tag, counter),
            if out.is_empty() { 0 } else { 200 },
        ));
        left -= n;
    }
    out
}

/// A one-datagram announcement from the device to a group address.
#[allow(clippy::too_many_arguments)]
fn group_udp(
    w: &World,
    rng: &mut Rng,
    job: &Job,
    src_port: u16,
    group: Ipv4Addr,
    mac: [u8; 6],
    ttl: u8,
    payload: Vec<u8>,
) -> Conversation {
    let dst_port = job.port(default_port(job.spec.kind));
    let mut path = w.path(
        rng,
        job.device,
        (Peer::Host(job.device), src_port),
        (Peer::Group(group, mac), dst_port),
    );
    path.a.ttl = ttl;
    w.udp(
        rng,
        path,
        job.t,
        true,
        crate::wire::conv::ListScript::new(vec![Message::new(Side::A, payload)]),
        job.origin,
    )
}

fn dhcp_renewal(w: &World, rng: &mut Rng, job: &Job) -> Conversation {
    let d = &w.ward.hosts[job.device];
    let server = job.server_host();
    let area = &w.ward.areas[w.capture_area(job.device)];
    let client = dhcp::Client {
        mac: d.mac,
        identity: d.identity.dhcp.as_ref(),
    };
    let xid = rng.next_u32();
    let lease = lease_for(w, job.device, job.spec.every_s, server, area.gateway_ip);
    let msgs = vec![
        Message::new(
            Side::A,
            dhcp::client_message(MessageType::Request, xid, &client, d.ip, None, None, 0),
        ),
        Message::after(
            Side::B,
            dhcp::server_message(MessageType::Ack, xid, d.mac, d.ip, &lease, false),
            2_000,
        ),
    ];
    let path = w.path(
        rng,
        job.device,
        (Peer::Host(job.device), 68),
        (Peer::Host(server), 67),
    );
    w.udp(
        rng,
        path,
        job.t,
        job.fail,
        crate::wire::conv::ListScript::new(msgs),
        job.origin,
    )
}

/// The lease a DHCP server gives `device` (renewal period `every_s` = half the lease).
pub fn lease_for<'a>(
    w: &'a World,
    device: usize,
    every_s: f64,
    server: usize,
    router: Ipv4Addr,
) -> dhcp::Lease<'a> {
    let d = &w.ward.hosts[device];
    let area = &w.ward.areas[w.capture_area(device)];
    let same_subnet = w.ward.hosts[server].area == d.area;
    let dns = w
        .ward
        .role("dns")
        .map(|h| w.ward.hosts[h].ip)
        .unwrap_or(router);
    dhcp::Lease {
        yiaddr: d.ip,
        server: w.ward.hosts[server].ip,
        relay: if same_subnet {
            Ipv4Addr::UNSPECIFIED
        } else {
            area.gateway_ip
        },
        router,
        mask: area.subnet.netmask(),
        dns,
        domain: &w.ward.domain,
        lease_s: ((every_s * 2.0) as u32).max(120),
    }
}

/// The address a DNS server answers for `name`: a ward name, NXDOMAIN inside the domain, or a
/// stable address in 198.18.0.0/15 (RFC 2544, never internal) for other external names.
pub fn resolve(w: &World, name: &str) -> Option<Ipv4Addr> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if let Some(ip) = w.ward.names.get(&name) {
        return Some(*ip);
    }
    if name.ends_with(&w.ward.domain) {
        return None;
    }
    let h = crate::seed::derive(0, &name);
    Some(Ipv4Addr::new(
        198,
        18 + (h & 1) as u8,
        (h >> 8) as u8,
        ((h >> 16) as u8).max(1),
    ))
}

fn dns_query(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let mut ctx_rng = Rng::seed_from_u64(rng.next_u64());
    let name = if job.spec.names.is_empty() {
        w.ward.hosts[job.server_host()]
            .fqdn
            .clone()
            .unwrap_or_else(|| format!("{}.{}", "wpad", w.ward.domain))
    } else {
        job.spec.names[ctx_rng.gen_range(0..job.spec.names.len())].clone()
    };
    let id = rng.r#gen();
    let answer = resolve(w, &name);
    let ttl = if answer.is_some_and(|ip| w.ward.area_of(ip).is_some()) {
        3600
    } else {
        300
    };
    let msgs = vec![
        Message::new(Side::A, dns::query(id, &name)),
        Message::after(Side::B, dns::response(id, &name, answer, ttl), 400),
    ];
    job.udp(w, rng, (job.ephemeral, port), msgs)
}

fn http_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (c, s) = (w.party(job.client_host()), w.party(job.server_host()));
    let (up, down) = (
        job.bytes(w, rng, [0, 400]),
        job.reply_bytes(w, rng, [500, 4000]),
    );
    let host = match job.spec.names.first() {
        Some(n) if job.spec.names.len() == 1 => n.clone(),
        Some(_) => job.spec.names[rng.gen_range(0..job.spec.names.len())].clone(),
        None => s
            .fqdn
            .map(str::to_owned)
            .unwrap_or_else(|| s.ip.to_string()),
    };
    let ua = c.identity.http_user_agent.clone().or_else(|| {
        matches!(w.ward.hosts[job.client_host()].kind, HostKind::Server(_))
            .then(|| "Java/1.8.0_381".to_owned())
    });
    let request = if up > 400 {
        let body = http::json_body(rng, up);
        http::request(
            "POST",
            &host,
            "/api/v1/status",
            ua.as_deref(),
            "application/json",
            &body,
        )
    } else {
        http::request("GET", &host, "/", ua.as_deref(), "", &[])
    };
    let body = http::json_body(rng, down);
    let response = http::response(
        200,
        "OK",
        s.identity.http_server.as_deref(),
        "application/json",
        &body,
    );
    let think = rng.gen_range(1_000..20_000);
    job.tcp(
        w,
        rng,
        port,
        vec![
            Message::new(Side::A, request),
            Message::after(Side::B, response, think),
        ],
    )
}

fn tls_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (c, s) = (w.party(job.client_host()), w.party(job.server_host()));
    let sni = if !c.identity.tls_sni.is_empty()
        && job.spec.direction == wardwatch_flow::event::Direction::Outbound
    {
        c.identity.tls_sni[rng.gen_range(0..c.identity.tls_sni.len())].clone()
    } else if !job.spec.names.is_empty() {
        job.spec.names[rng.gen_range(0..job.spec.names.len())].clone()
    } else {
        s.fqdn.map(str::to_owned).unwrap_or_default()
    };
    let (up, down) = (
        job.bytes(w, rng, [300, 2000]),
        job.reply_bytes(w, rng, [500, 6000]),
    );
    let mut session = [0u8; 32];
    rng.fill_bytes(&mut session);
    // A full handshake (certificate chain) now and then; PSK resumption in between.
    let cert = if job.count.is_multiple_of(20) {
        rng.gen_range(2_500..4_500)
    } else {
        rng.gen_range(80..160)
    };
    let msgs = vec![
        Message::new(Side::A, tls::client_hello(rng, &sni, &session)),
        Message::after(Side::B, tls::server_flight(rng, &session, cert), 2_000),
        Message::new(
            Side::A,
            [tls::client_finish(rng), tls::app_data(rng, up)].concat(),
        ),
        Message::after(
            Side::B,
            tls::app_data(rng, down),
            rng.gen_range(2_000..30_000),
        ),
    ];
    job.tcp(w, rng, port, msgs)
}

fn hl7_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (c, s) = (w.party(job.client_host()), w.party(job.server_host()));
    let id = c.identity.hl7.as_ref();
    let header = hl7::Header {
        sending_app: id.map(|h| h.sending_app.clone()).unwrap_or_default(),
        sending_facility: id
            .and_then(|h| h.sending_facility.clone())
            .unwrap_or_default(),
        receiving_app: s
            .identity
            .hl7
            .as_ref()
            .map(|h| h.sending_app.clone())
            .unwrap_or_else(|| "ENGINE".into()),
        receiving_facility: "HOSP".into(),
        message_type: id
            .and_then(|h| h.message_type.clone())
            .unwrap_or_else(|| "ORU^R01^ORU_R01".into()),
        control_id: format!(
            "{}{:06}",
            c.hostname
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(6)
                .collect::<String>(),
            job.count % 1_000_000
        ),
        version: id
            .map(|h| h.version.clone())
            .unwrap_or_else(|| "2.6".into()),
    };
    let t = Timestamp(job.t);
    let size = job.bytes(w, rng, [400, 1500]);
    let msg = hl7::observation(&header, t, rng, c.location, size);
    let ack = hl7::ack(
        &header,
        Timestamp(job.t + 5_000),
        &format!("ENG{:07}", rng.gen_range(0..10_000_000u32)),
    );
    let think = rng.gen_range(2_000..40_000);
    job.tcp(
        w,
        rng,
        port,
        vec![
            Message::new(Side::A, hl7::mllp(&msg)),
            Message::after(Side::B, hl7::mllp(&ack), think),
        ],
    )
}

fn bacnet_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let d = &w.ward.hosts[job.device];
    let instance = 100_000 + d.n * 100;
    match job.peer {
        Peer::Group(..) => {
            let payload = if job.count.is_multiple_of(8) {
                bacnet::who_is()
            } else {
                bacnet::i_am(instance, 36)
            };
            let bcast = w.broadcast(job.device);
            group_udp(w, rng, job, bacnet::PORT, bcast, [0xff; 6], 64, payload)
        }
        Peer::Host(_) | Peer::Remote(_) => {
            let invoke = (job.count % 256) as u8;
            let object = rng.gen_range(1..40);
            let value = rng.gen_range(180..260) as f32 / 10.0;
            let msgs = vec![
                Message::new(Side::A, bacnet::read_property(invoke, object)),
                Message::after(
                    Side::B,
                    bacnet::read_property_ack(invoke, object, value),
                    rng.gen_range(2_000..20_000),
                ),
            ];
            job.udp(w, rng, (bacnet::PORT, port), msgs)
        }
    }
}

fn sip_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (c, s) = (w.party(job.client_host()), w.party(job.server_host()));
    let ext = format!("4{:03}", w.ward.hosts[job.client_host()].n % 1000);
    let ua = c
        .identity
        .http_user_agent
        .clone()
        .unwrap_or_else(|| format!("{} {}", c.vendor, c.product));
    let d = sip::Dialog {
        phone: c.ip,
        registrar: s.ip,
        domain: &w.ward.domain,
        extension: &ext,
        user_agent: &ua,
    };
    let raw = if job.count.is_multiple_of(6) {
        sip::register(rng, &d)
    } else {
        sip::options(rng, &d)
    };
    let msgs = raw
        .into_iter()
        .enumerate()
        .map(|(i, data)| {
            if i % 2 == 0 {
                Message::new(Side::A, data)
            } else {
                Message::after(Side::B, data, 3_000)
            }
        })
        .collect();
    job.udp(w, rng, (5060, port), msgs)
}

fn intellivue_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let monitor = w.party(job.server_host());
    let period_s = job.spec.every_s.round().max(1.0) as u32;
    let relative = ((job.t / 125) & 0xffff_ffff) as u32;
    let t = Timestamp(job.t);
    let poll = (job.count % 65_536) as u16;
    let mut msgs = Vec::new();
    if job.count.is_multiple_of(450) {
        msgs.push(Message::new(
            Side::A,
            intellivue::association_request(period_s),
        ));
        msgs.push(Message::after(
            Side::B,
            intellivue::association_result(period_s),
            5_000,
        ));
        msgs.push(Message::after(
            Side::B,
            intellivue::mds_create_event(
                t,
                relative,
                monitor.vendor,
                monitor.product,
                monitor.version,
            ),
            20_000,
        ));
        msgs.push(Message::after(
            Side::A,
            intellivue::mds_create_result(relative),
            1_000,
        ));
    }
    msgs.push(Message::after(
        Side::A,
        intellivue::poll_request(poll),
        1_000,
    ));
    msgs.push(Message::after(
        Side::B,
        intellivue::poll_result(poll, t, relative, rng),
        8_000,
    ));
    job.udp(w, rng, (job.session_port, port), msgs)
}

fn lldp_frames(w: &World, job: &Job) -> Conversation {
    let h = &w.ward.hosts[job.device];
    let id = &h.identity;
    let network = matches!(h.kind, HostKind::Gateway) || h.class == "network_switch";
    let port_name = if network {
        format!("GigabitEthernet1/0/{}", 1 + job.count % 48)
    } else {
        "Port 1".into()
    };
    let product = h
        .model
        .map(|m| w.catalog.models[m].name.as_str())
        .unwrap_or("");
    let advert = lldp::Advert {
        mac: h.mac,
        ip: h.ip,
        port: &port_name,
        system_name: id.lldp_system_name.as_deref().unwrap_or(&h.hostname),
        system_description: id.lldp_system_description.as_deref().unwrap_or(""),
        network_device: network,
        inventory: (!network).then_some((
            h.version.as_str(),
            h.serial.as_str(),
            h.vendor.as_str(),
            product,
        )),
    };
    let mut frames = Vec::new();
    let mut out = Vec::new();
    frame::ethertype(
        &mut out,
        h.mac,
        lldp::LLDP_MAC,
        lldp::LLDP_ETHERTYPE,
        &lldp::lldpdu(&advert),
    );
    frames.push((job.t, out.clone()));
    if let Some(platform) = &id.cdp_platform {
        let software = id
            .lldp_system_description
            .clone()
            .unwrap_or_else(|| h.version.clone());
        let vlan = w.ward.areas[w.capture_area(job.device)].vlan;
        if frame::llc_snap(
            &mut out,
            h.mac,
            lldp::CDP_MAC,
            lldp::CDP_SNAP,
            &lldp::cdp(&advert, platform, &software, vlan),
        )
        .is_ok()
        {
            frames.push((job.t + 1_000, out));
        }
    }
    Conversation {
        origin: job.origin,
        owner: None,
        body: Body::Frames(FrameConv::new(frames)),
    }
}

/// NTLM names of a Windows client talking to `server`.
pub fn ntlm_names<'a>(
    w: &'a World,
    client: usize,
    server: usize,
    user: &'a str,
    t: u64,
) -> ntlm::Names<'a> {
    ntlm::Names {
        domain: w.ward.domain.split('.').next().unwrap_or("WARD"),
        dns_domain: &w.ward.domain,
        server: &w.ward.hosts[server].hostname,
        workstation: &w.ward.hosts[client].hostname,
        user,
        filetime: ntlm::filetime(t),
    }
}

/// A TCP outcome that is refused unless `open`.
pub fn open_or_refused(open: bool) -> TcpOutcome {
    if open {
        TcpOutcome::Complete
    } else {
        TcpOutcome::Refused
    }
}
