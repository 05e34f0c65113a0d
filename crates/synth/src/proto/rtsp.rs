//! RTSP 1.0 (RFC 2326) as a VMS pulls a camera stream: DESCRIBE (SDP answer), SETUP, PLAY,
//! GET_PARAMETER keep-alives, TEARDOWN; and the RTP (RFC 3550) H.264 stream (FU-A fragments,
//! RFC 6184) the camera sends meanwhile, as a lazy script.

use super::opaque;
use crate::seed::Rng;
use crate::wire::conv::{Message, Script, Side};
use rand::{Rng as _, RngCore};
use std::net::Ipv4Addr;

/// RTP payload bytes per packet.
const RTP_CHUNK: usize = 1400;

/// What the session needs to know.
pub struct Session<'a> {
    /// Camera address.
    pub camera: Ipv4Addr,
    /// Camera's Server header.
    pub server: Option<&'a str>,
    /// VMS User-Agent.
    pub user_agent: &'a str,
    /// VMS RTP port (even) and camera RTP port.
    pub ports: (u16, u16),
    /// RTP SSRC.
    pub ssrc: u32,
    /// Session id.
    pub session: u32,
    /// Stream length, microseconds.
    pub duration_us: u64,
}

fn request(method: &str, url: &str, cseq: u32, ua: &str, extra: &str) -> Vec<u8> {
    format!("{method} {url} RTSP/1.0\r\nCSeq: {cseq}\r\nUser-Agent: {ua}\r\n{extra}\r\n")
        .into_bytes()
}

fn reply(cseq: u32, server: Option<&str>, extra: &str, body: &str) -> Vec<u8> {
    let server = server
        .map(|s| format!("Server: {s}\r\n"))
        .unwrap_or_default();
    let length = if body.is_empty() {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    format!("RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{server}{extra}{length}\r\n{body}").into_bytes()
}

/// A request from the VMS and the camera's answer after `think_us`.
fn exchange(
    s: &Session,
    (method, url): (&str, &str),
    cseq: u32,
    headers: (&str, &str),
    think_us: u64,
) -> [Message; 2] {
    [
        Message::new(Side::A, request(method, url, cseq, s.user_agent, headers.0)),
        Message::after(Side::B, reply(cseq, s.server, headers.1, ""), think_us),
    ]
}

/// DESCRIBE (with the SDP answer), SETUP and PLAY.
fn start(s: &Session, url: &str, session: &str) -> Vec<Message> {
    let sdp = format!(
        "v=0\r\no=- {0} 1 IN IP4 {1}\r\ns=Media Presentation\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n\
         m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;profile-level-id=4d0029\r\n\
         a=control:trackID=1\r\n",
        s.session, s.camera
    );
    let (client, server) = (s.ports.0, s.ports.1);
    let describe_reply = reply(
        1,
        s.server,
        &format!("Content-Base: {url}/\r\nContent-Type: application/sdp\r\n"),
        &sdp,
    );
    let mut m = vec![
        Message::new(
            Side::A,
            request(
                "DESCRIBE",
                url,
                1,
                s.user_agent,
                "Accept: application/sdp\r\n",
            ),
        ),
        Message::after(Side::B, describe_reply, 1500),
    ];
    let transport = format!(
        "Transport: RTP/AVP;unicast;client_port={client}-{}\r\n",
        client + 1
    );
    let answer = format!(
        "{session};timeout=60\r\nTransport: RTP/AVP;unicast;client_port={client}-{};server_port={server}-{};ssrc={:08X}\r\n",
        client + 1,
        server + 1,
        s.ssrc
    );
    m.extend(exchange(
        s,
        ("SETUP", &format!("{url}/trackID=1")),
        2,
        (&transport, &answer),
        800,
    ));
    let play = format!("{session}\r\nRange: npt=0.000-\r\n");
    let info = format!("{session}\r\nRTP-Info: url={url}/trackID=1;seq=1;rtptime=0\r\n");
    m.extend(exchange(s, ("PLAY", url), 3, (&play, &info), 600));
    m
}

/// The RTSP control messages of one streaming session (keep-alives every 30 s, TEARDOWN at the
/// end of `duration_us`).
pub fn control(s: &Session) -> Vec<Message> {
    let url = format!("rtsp://{}/axis-media/media.amp", s.camera);
    let session = format!("Session: {:08X}", s.session);
    let mut m = start(s, &url, &session);
    let line = format!("{session}\r\n");
    let keepalives = (s.duration_us / 30_000_000).min(1000) as u32;
    for i in 0..keepalives {
        let [mut ask, answer] = exchange(s, ("GET_PARAMETER", &url), 4 + i, (&line, &line), 300);
        ask.delay_us = 30_000_000;
        m.extend([ask, answer]);
    }
    let [mut teardown, answer] =
        exchange(s, ("TEARDOWN", &url), 4 + keepalives, (&line, &line), 300);
    teardown.delay_us = s
        .duration_us
        .saturating_sub(u64::from(keepalives) * 30_000_000);
    m.extend([teardown, answer]);
    m
}

/// The camera's RTP stream: `total_bytes` of H.264 at `fps` frames per second, spread over
/// `duration_us`. Side A is the camera.
pub struct RtpStream {
    rng: Rng,
    ssrc: u32,
    seq: u16,
    timestamp: u32,
    frames_left: u64,
    frame_bytes: usize,
    frame_gap_us: u64,
    packets_left_in_frame: usize,
    packet_in_frame: usize,
    frame_index: u64,
}

impl RtpStream {
    /// A stream of about `total_bytes` over `duration_us` at `fps`. Thin volumes (scaled-down
    /// wards) send fewer frames of at least 1 kB instead of many tiny ones.
    pub fn new(
        mut rng: Rng,
        ssrc: u32,
        total_bytes: usize,
        duration_us: u64,
        fps: u32,
    ) -> RtpStream {
        let fps = fps.max(1);
        let frames = (duration_us * u64::from(fps) / 1_000_000)
            .min(total_bytes as u64 / 1_000)
            .max(1);
        let frame_bytes = (total_bytes as u64 / frames).max(200) as usize;
        let frame_gap_us = duration_us / frames;
        let seq = rng.r#gen();
        let timestamp = rng.r#gen();
        RtpStream {
            rng,
            ssrc,
            seq,
            timestamp,
            frames_left: frames,
            frame_bytes,
            frame_gap_us: frame_gap_us.max(1000),
            packets_left_in_frame: 0,
            packet_in_frame: 0,
            frame_index: 0,
        }
    }

    fn packet(&mut self, start: bool, end: bool, len: usize, idr: bool) -> Vec<u8> {
        let mut p = Vec::with_capacity(len + 14);
        p.push(0x80);
        p.push(if end { 0x80 | 96 } else { 96 });
        p.extend_from_slice(&self.seq.to_be_bytes());
        p.extend_from_slice(&self.timestamp.to_be_bytes());
        p.extend_from_slice(&self.ssrc.to_be_bytes());
        let nal_type = if idr { 5 } else { 1 };
        p.push(0x60 | 28); // FU indicator: NRI 3, type 28 (FU-A)
        p.push(nal_type | if start { 0x80 } else { 0 } | if end { 0x40 } else { 0 });
        let mut payload = opaque(&mut self.rng, len);
        if let Some(first) = payload.first_mut() {
            *first |= 0x80; // first_mb_in_slice = 0 in Exp-Golomb
        }
        p.extend_from_slice(&payload);
        self.seq = self.seq.wrapping_add(1);
        p
    }
}

impl Script for RtpStream {
    fn next_message(&mut self) -> Option<Message> {
        let mut delay = 0;
        if self.packets_left_in_frame == 0 {
            if self.frames_left == 0 {
                return None;
            }
            self.frames_left -= 1;
            let jitter = self.rng.gen_range(0..=self.frame_gap_us / 20);
            delay = if self.frame_index == 0 {
                0
            } else {
                self.frame_gap_us - self.frame_gap_us / 40 + jitter
            };
            // Every second a larger key frame.
            let bytes = if self.frame_index.is_multiple_of(25) {
                self.frame_bytes * 3
            } else {
                self.frame_bytes
            };
            self.packets_left_in_frame = bytes.div_ceil(RTP_CHUNK).max(1);
            self.packet_in_frame = 0;
            self.frame_index += 1;
            self.timestamp = self
                .timestamp
                .wrapping_add((self.frame_gap_us * 9 / 100) as u32);
        }
        let start = self.packet_in_frame == 0;
        let end = self.packets_left_in_frame == 1;
        let idr = (self.frame_index - 1).is_multiple_of(25);
        let len = RTP_CHUNK.min(self.frame_bytes.max(100));
        let data = self.packet(start, end, len, idr);
        self.packet_in_frame += 1;
        self.packets_left_in_frame -= 1;
        let mut m = Message::new(Side::A, data);
        m.delay_us = if start { delay } else { 40 };
        Some(m)
    }
}

/// A random even RTP port.
pub fn rtp_port(rng: &mut Rng) -> u16 {
    (rng.next_u32() % 7_000) as u16 * 2 + 50_000
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn control_and_stream() {
        let s = Session {
            camera: Ipv4Addr::new(10, 10, 50, 20),
            server: Some("Axis/11.5"),
            user_agent: "VMS/1.0",
            ports: (50000, 50100),
            ssrc: 0x1234,
            session: 0xabcd,
            duration_us: 65_000_000,
        };
        let m = control(&s);
        assert_eq!(m.len(), 6 + 4 + 2);
        let describe = String::from_utf8(m[1].data.clone()).unwrap();
        assert!(describe.contains("a=rtpmap:96 H264/90000"));
        let cl: usize = describe
            .split("Content-Length: ")
            .nth(1)
            .unwrap()
            .split("\r\n")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(cl, describe.split("\r\n\r\n").nth(1).unwrap().len());
        assert!(
            String::from_utf8(m[11].data.clone())
                .unwrap()
                .contains("CSeq: 6")
        );

        let mut stream = RtpStream::new(Rng::seed_from_u64(1), 0x1234, 500_000, 10_000_000, 10);
        let mut total = 0;
        let mut delay = 0;
        let mut markers = 0;
        while let Some(p) = stream.next_message() {
            assert_eq!(p.data[0], 0x80);
            total += p.data.len();
            delay += p.delay_us;
            if p.data[1] & 0x80 != 0 {
                markers += 1;
            }
        }
        assert_eq!(markers, 100, "one marker per frame");
        assert!(total > 500_000 && total < 800_000, "{total}");
        assert!(delay > 9_000_000 && delay < 11_000_000, "{delay}");
    }
}
