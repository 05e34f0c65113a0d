//! HTTP/1.1 requests and responses (User-Agent from the client's model, Server from the
//! responder's), including WinRM's SOAP POST to /wsman.

use super::text_filler;
use crate::seed::Rng;

/// An HTTP request. `body` is sent with a Content-Length when non-empty.
pub fn request(
    method: &str,
    host: &str,
    path: &str,
    user_agent: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
    if let Some(ua) = user_agent {
        head.push_str(&format!("User-Agent: {ua}\r\n"));
    }
    head.push_str("Accept: */*\r\nConnection: keep-alive\r\n");
    if !body.is_empty() {
        head.push_str(&format!(
            "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// An HTTP response with `body`.
pub fn response(
    status: u16,
    reason: &str,
    server: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
    if let Some(s) = server {
        head.push_str(&format!("Server: {s}\r\n"));
    }
    head.push_str(&format!(
        "Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n",
        body.len()
    ));
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON-ish status document of about `len` bytes (device status reports, API replies).
pub fn json_body(rng: &mut Rng, len: usize) -> Vec<u8> {
    let filler = text_filler(rng, len.saturating_sub(24));
    format!("{{\"status\":\"ok\",\"log\":\"{filler}\"}}").into_bytes()
}

/// A WinRM (WS-Management) SOAP request of the kind remote shells send.
pub fn winrm_request(host: &str, port: u16, action: &str) -> Vec<u8> {
    let body = format!(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" \
         xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" \
         xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><s:Header>\
         <a:To>http://{host}:{port}/wsman</a:To>\
         <w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>\
         <a:Action>{action}</a:Action></s:Header><s:Body/></s:Envelope>"
    );
    request(
        "POST",
        &format!("{host}:{port}"),
        "/wsman",
        Some("Microsoft WinRM Client"),
        "application/soap+xml;charset=UTF-8",
        body.as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_are_well_formed() {
        let r = String::from_utf8(request("GET", "h", "/a", Some("UA/1"), "", b"")).unwrap();
        assert_eq!(
            r,
            "GET /a HTTP/1.1\r\nHost: h\r\nUser-Agent: UA/1\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"
        );
        let s = String::from_utf8(response(
            200,
            "OK",
            Some("lighttpd/1.4.59"),
            "text/plain",
            b"hello",
        ))
        .unwrap();
        assert!(s.starts_with("HTTP/1.1 200 OK\r\nServer: lighttpd/1.4.59\r\n"));
        assert!(s.contains("Content-Length: 5\r\n"));
        assert!(s.ends_with("\r\n\r\nhello"));
        let w = String::from_utf8(winrm_request(
            "10.0.0.5",
            5985,
            "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create",
        ))
        .unwrap();
        assert!(w.starts_with("POST /wsman HTTP/1.1\r\n"));
    }
}
