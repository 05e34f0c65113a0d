//! HTTP/1.x and SSDP message heads, parsed with `httparse`.
//!
//! A request gives the User-Agent of its sender (and WinRM, `POST /wsman` on 5985/5986, as a
//! remote-execution fact); a response gives the Server header of its sender. SSDP (HTTP over UDP
//! 1900) gives SERVER and LOCATION from NOTIFY announcements and M-SEARCH answers.
//!
//! `httparse` only hands out headers once the head is complete. When a segment is cut short, the
//! complete lines that did arrive (at most [`MAX_HEAD`] bytes) are copied, closed with an empty
//! line and parsed again, so a truncated head still yields the headers it holds.

use super::bytes::text_evidence;
use crate::catalog::EvidenceKind;
use crate::event::RemoteExecKind;
use crate::identify::{Evidence, PayloadContext, PayloadFact, Subject};

/// Longest message head looked at.
const MAX_HEAD: usize = 8192;
/// Most headers parsed; a head with more is ignored.
const MAX_HEADERS: usize = 48;

/// The parts of a message head the parsers use.
#[derive(Debug, Default, PartialEq)]
struct Head {
    /// Request method, `None` for a response.
    method: Option<String>,
    /// Request target.
    path: Option<String>,
    user_agent: Option<Evidence>,
    server: Option<Evidence>,
    location: Option<Evidence>,
}

fn header_value<'h>(headers: &'h [httparse::Header<'_>], name: &str) -> Option<&'h [u8]> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value)
}

fn fill(head: &mut Head, headers: &[httparse::Header<'_>]) {
    head.user_agent = header_value(headers, "user-agent")
        .and_then(|v| text_evidence(EvidenceKind::HttpUserAgent, v));
    head.server =
        header_value(headers, "server").and_then(|v| text_evidence(EvidenceKind::HttpServer, v));
    head.location = header_value(headers, "location")
        .and_then(|v| text_evidence(EvidenceKind::SsdpLocation, v));
}

/// Parses a complete head; `Ok(None)` when it is incomplete.
fn parse_complete(data: &[u8]) -> Result<Option<Head>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    if data.starts_with(b"HTTP/") {
        let mut response = httparse::Response::new(&mut headers);
        return match response.parse(data) {
            Ok(httparse::Status::Complete(_)) => {
                let mut head = Head::default();
                fill(&mut head, response.headers);
                Ok(Some(head))
            }
            Ok(httparse::Status::Partial) => Ok(None),
            Err(_) => Err(()),
        };
    }
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(data) {
        Ok(httparse::Status::Complete(_)) => {
            let mut head = Head {
                method: request.method.map(str::to_owned),
                path: request.path.map(|p| p.chars().take(64).collect()),
                ..Head::default()
            };
            fill(&mut head, request.headers);
            Ok(Some(head))
        }
        Ok(httparse::Status::Partial) => Ok(None),
        Err(_) => Err(()),
    }
}

/// Parses the head at the start of `data`, closing a truncated one after its last whole line.
fn parse_head(data: &[u8]) -> Option<Head> {
    let data = data.get(..MAX_HEAD).unwrap_or(data);
    match parse_complete(data) {
        Ok(Some(head)) => Some(head),
        Err(()) => None,
        Ok(None) => {
            let last_line_end = data.windows(2).rposition(|w| w == b"\r\n")?;
            let mut closed = data.get(..last_line_end.saturating_add(2))?.to_vec();
            closed.extend_from_slice(b"\r\n");
            parse_complete(&closed).ok().flatten()
        }
    }
}

fn push(out: &mut Vec<PayloadFact>, evidence: Option<Evidence>) {
    if let Some(evidence) = evidence {
        out.push(PayloadFact::Evidence {
            subject: Subject::Source,
            evidence,
        });
    }
}

/// HTTP over TCP.
pub(super) fn inspect_tcp(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let data = ctx.payload;
    // RTSP and SIP share the syntax but not the version token; they have their own parsers.
    if !(data.starts_with(b"HTTP/1.") || looks_like_http_request(data)) {
        return;
    }
    let Some(head) = parse_head(data) else {
        return;
    };
    if head.method.is_some() {
        push(out, head.user_agent);
        let wsman = head
            .path
            .as_deref()
            .is_some_and(|p| p.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("/wsman")));
        if head.method.as_deref() == Some("POST") && wsman && matches!(ctx.dst_port, 5985 | 5986) {
            out.push(PayloadFact::RemoteExec(RemoteExecKind::Winrm));
        }
    } else {
        push(out, head.server);
    }
}

/// True when the first line ends in an HTTP/1.x version (checked on the first 2 KiB).
fn looks_like_http_request(data: &[u8]) -> bool {
    let window = data.get(..2048).unwrap_or(data);
    let line_end = window
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(window.len());
    window
        .get(..line_end)
        .is_some_and(|line| line.ends_with(b" HTTP/1.1") || line.ends_with(b" HTTP/1.0"))
}

/// SSDP over UDP 1900: NOTIFY announcements and M-SEARCH answers describe their sender.
pub(super) fn inspect_ssdp(data: &[u8], out: &mut Vec<PayloadFact>) {
    let Some(head) = parse_head(data) else {
        return;
    };
    let announces = match head.method.as_deref() {
        None => true,
        Some(method) => method.eq_ignore_ascii_case("NOTIFY"),
    };
    if announces {
        push(
            out,
            head.server
                .map(|e| Evidence::new(EvidenceKind::SsdpServer, &e.value)),
        );
        push(out, head.location);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::Transport;

    fn ctx(payload: &[u8], dst_port: u16) -> PayloadContext<'_> {
        PayloadContext {
            transport: Transport::Tcp,
            src_port: 50000,
            dst_port,
            from_initiator: true,
            payload,
        }
    }

    pub(crate) const REQUEST: &[u8] = b"GET /lib/update HTTP/1.1\r\nHost: prov.hospital.local\r\nUser-Agent: FileTransport PolycomVVX-VVX_450-UA/6.3.1 Type/Application\r\nAccept: */*\r\n\r\n";

    #[test]
    fn request_gives_user_agent_and_response_gives_server() {
        let mut out = Vec::new();
        inspect_tcp(&ctx(REQUEST, 80), &mut out);
        let response =
            b"HTTP/1.1 200 OK\r\nServer: Niagara Web Server/4.10.1\r\nContent-Length: 0\r\n\r\n";
        inspect_tcp(&ctx(response, 50000), &mut out);
        assert_eq!(
            out,
            vec![
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(
                        EvidenceKind::HttpUserAgent,
                        "FileTransport PolycomVVX-VVX_450-UA/6.3.1 Type/Application"
                    ),
                },
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(EvidenceKind::HttpServer, "Niagara Web Server/4.10.1"),
                },
            ]
        );
    }

    #[test]
    fn truncated_head_keeps_whole_lines() {
        let cut = REQUEST.len() - 8; // inside "Accept: */*"
        let mut out = Vec::new();
        inspect_tcp(&ctx(&REQUEST[..cut], 80), &mut out);
        assert_eq!(out.len(), 1);
        for end in 0..REQUEST.len() {
            let mut out = Vec::new();
            inspect_tcp(&ctx(&REQUEST[..end], 80), &mut out);
            inspect_ssdp(&REQUEST[..end], &mut out);
        }
    }

    #[test]
    fn winrm_post_is_remote_execution_only_on_its_ports() {
        let winrm = b"POST /wsman HTTP/1.1\r\nHost: ws-001:5985\r\nUser-Agent: Microsoft WinRM Client\r\nContent-Length: 0\r\n\r\n";
        let mut out = Vec::new();
        inspect_tcp(&ctx(winrm, 5985), &mut out);
        assert_eq!(
            out.last(),
            Some(&PayloadFact::RemoteExec(RemoteExecKind::Winrm))
        );
        out.clear();
        inspect_tcp(&ctx(winrm, 8080), &mut out);
        assert!(!out.contains(&PayloadFact::RemoteExec(RemoteExecKind::Winrm)));
    }

    #[test]
    fn ssdp_notify_gives_server_and_location() {
        let notify = b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nLOCATION: http://10.0.0.9:49152/description.xml\r\nSERVER: Linux/3.14.0 UPnP/1.0 IpBridge/1.19.0\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n";
        let mut out = Vec::new();
        inspect_ssdp(notify, &mut out);
        assert_eq!(
            out,
            vec![
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(
                        EvidenceKind::SsdpServer,
                        "Linux/3.14.0 UPnP/1.0 IpBridge/1.19.0"
                    ),
                },
                PayloadFact::Evidence {
                    subject: Subject::Source,
                    evidence: Evidence::new(
                        EvidenceKind::SsdpLocation,
                        "http://10.0.0.9:49152/description.xml"
                    ),
                },
            ]
        );
        let search = b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nST: ssdp:all\r\nUSER-AGENT: Chrome\r\n\r\n";
        out.clear();
        inspect_ssdp(search, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn rtsp_and_mid_stream_text_are_not_http() {
        let mut out = Vec::new();
        inspect_tcp(
            &ctx(b"OPTIONS rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\n\r\n", 554),
            &mut out,
        );
        inspect_tcp(
            &ctx(b"Some body text that continues a stream\r\n", 80),
            &mut out,
        );
        assert!(out.is_empty());
    }
}
