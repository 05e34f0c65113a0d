//! Network-service kinds: DHCP renewals, DNS, NTP, mDNS, SSDP, NetBIOS, syslog, SNMP, LLDP/CDP,
//! GE Unity broadcasts, BACnet/IP and the generic TCP/UDP exchanges of proprietary protocols.

use super::job::Job;
use super::kinds::{Group, chunked, group_udp, subnet_broadcast};
use super::world::{Peer, World};
use crate::proto::{self, bacnet, dhcp, dns, lldp, netbios, ntp, snmp, ssdp, syslog, unity};
use crate::seed::Rng;
use crate::ward::HostKind;
use crate::wire::conv::{Body, Conversation, FrameConv, Message, Side};
use crate::wire::frame;
use dhcproto::v4::MessageType;
use rand::{Rng as _, RngCore, SeedableRng};
use std::net::Ipv4Addr;
use wardwatch_flow::Timestamp;

/// NTP request and response (stratum 3 behind the configured external source).
pub fn ntp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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
    job.udp(w, rng, (123, port), msgs)
}

/// An mDNS announcement of the device's services.
pub fn mdns(w: &World, rng: &mut Rng, job: &Job) -> Conversation {
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
    group_udp(
        w,
        rng,
        job,
        Group {
            src_port: 5353,
            ip: dns::MDNS_GROUP,
            mac: dns::MDNS_MAC,
            ttl: 255,
        },
        payload,
    )
}

/// An SSDP NOTIFY with the device's SERVER header.
pub fn ssdp(w: &World, rng: &mut Rng, job: &Job) -> Conversation {
    let d = w.party(job.device);
    let server = d.identity.ssdp_server.as_deref().unwrap_or("UPnP/1.0");
    let payload = ssdp::notify(d.ip, server, &ssdp::uuid_from_mac(d.mac));
    group_udp(
        w,
        rng,
        job,
        Group {
            src_port: job.ephemeral,
            ip: ssdp::SSDP_GROUP,
            mac: ssdp::SSDP_MAC,
            ttl: 4,
        },
        payload,
    )
}

/// A NetBIOS name registration (or, every fourth time, a query for the DC).
pub fn netbios(w: &World, rng: &mut Rng, job: &Job) -> Conversation {
    let d = w.party(job.device);
    let name = d.identity.netbios_name.as_deref().unwrap_or(d.hostname);
    let id = rng.r#gen();
    let payload = if job.count % 4 == 3 {
        netbios::query(id, "DC01")
    } else {
        netbios::registration(id, name, d.ip.octets())
    };
    group_udp(w, rng, job, subnet_broadcast(w, job, 137, 128), payload)
}

/// Syslog lines (about 200 bytes each) of the item's volume.
pub fn syslog(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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
    job.udp(w, rng, (job.ephemeral, port), msgs)
}

/// An SNMP get of the system group and the device's answer with its sysDescr.
pub fn snmp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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
    job.udp(w, rng, (job.ephemeral, port), msgs)
}

/// A GE Unity discovery heartbeat (UDP 7000), or the time sync (UDP 2000) when the item says so.
pub fn unity(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let d = w.party(job.device);
    let payload = if port == unity::TIMESYNC_PORT {
        unity::timesync(d.ip, d.location, Timestamp(job.t))
    } else {
        unity::heartbeat(d.ip, d.mac, d.location, d.hostname, d.version)
    };
    group_udp(w, rng, job, subnet_broadcast(w, job, port, 64), payload)
}

/// A proprietary request/response over TCP.
pub fn generic_tcp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (a, b) = (
        job.bytes(w, rng, [200, 800]),
        job.reply_bytes(w, rng, [100, 400]),
    );
    let seq = job.count as u32;
    let think = rng.gen_range(500..5_000);
    let msgs = vec![
        Message::new(Side::A, proto::proprietary(rng, a, port, seq)),
        Message::after(Side::B, proto::proprietary(rng, b, port, seq), think),
    ];
    job.tcp(w, rng, port, msgs)
}

/// Proprietary datagrams (a stream chunk, a keep-alive, or a broadcast announcement).
pub fn generic_udp(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let (a, b) = (
        job.bytes(w, rng, [100, 400]),
        job.reply_bytes(w, rng, [0, 0]),
    );
    let mut msgs = chunked(rng, Side::A, a, port, job.count);
    if b > 1 {
        msgs.extend(chunked(rng, Side::B, b, port, job.count));
    }
    match job.peer {
        Peer::Group(..) => {
            let first = msgs.into_iter().next().map(|m| m.data).unwrap_or_default();
            group_udp(w, rng, job, subnet_broadcast(w, job, port, 64), first)
        }
        Peer::Host(_) | Peer::Remote(_) => job.udp(w, rng, (job.session_port, port), msgs),
    }
}

/// A DHCP renewal: unicast REQUEST and the server's ACK.
pub fn dhcp_renewal(w: &World, rng: &mut Rng, job: &Job) -> Conversation {
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

/// A DNS A query for one of the item's names and the server's answer.
pub fn dns_query(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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

/// BACnet/IP: Who-Is/I-Am broadcasts, or a ReadProperty poll and its ComplexACK.
pub fn bacnet_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
    let d = &w.ward.hosts[job.device];
    let instance = 100_000 + d.n * 100;
    match job.peer {
        Peer::Group(..) => {
            let payload = if job.count.is_multiple_of(8) {
                bacnet::who_is()
            } else {
                bacnet::i_am(instance, 36)
            };
            group_udp(
                w,
                rng,
                job,
                subnet_broadcast(w, job, bacnet::PORT, 64),
                payload,
            )
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

/// LLDP advertisement (LLDP-MED inventory for end stations), plus CDP when the model emits a CDP platform.
pub fn lldp_frames(w: &World, job: &Job) -> Conversation {
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
