//! Session kinds: HTTP, TLS, HL7 over MLLP, SIP, and Philips IntelliVue Data Export.

use super::job::Job;
use super::world::World;
use crate::proto::{hl7, http, intellivue, sip, tls};
use crate::seed::Rng;
use crate::ward::HostKind;
use crate::wire::conv::{Conversation, Message, Side};
use rand::{Rng as _, RngCore};
use wardwatch_flow::Timestamp;

/// An HTTP GET (or POST when the client sends a body) with User-Agent and Server identities.
pub fn http_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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

/// A TLS 1.3-shaped session with SNI: a full handshake now and then, resumption otherwise.
pub fn tls_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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

/// An HL7 ORU^R01 over MLLP with the client's MSH identity, and the engine's ACK.
pub fn hl7_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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

/// SIP REGISTER with digest challenge every sixth exchange, OPTIONS keep-alives otherwise.
pub fn sip_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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

/// IntelliVue Data Export: association every 450 polls (about 30 min at 4 s), then one poll.
pub fn intellivue_exchange(w: &World, rng: &mut Rng, job: &Job, port: u16) -> Conversation {
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
