//! Printing: raw jobs on TCP 9100 (PJL-wrapped PCL, or ZPL for label printers) and IPP 2.0
//! Print-Job (RFC 8011) in an HTTP POST on 631.

use super::http;
use super::opaque;
use crate::seed::Rng;

/// A raw PJL/PCL job of about `len` bytes named `job`.
pub fn pjl_job(rng: &mut Rng, job: &str, len: usize) -> Vec<u8> {
    let mut out =
        format!("\x1b%-12345X@PJL JOB NAME=\"{job}\"\r\n@PJL ENTER LANGUAGE=PCL\r\n\x1bE")
            .into_bytes();
    out.extend_from_slice(&opaque(rng, len.saturating_sub(80)));
    out.extend_from_slice(b"\x1bE\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X");
    out
}

/// A ZPL label job (patient wristband) of about `len` bytes.
pub fn zpl_job(len: usize) -> Vec<u8> {
    let mut out = String::from(
        "^XA^CI28^PW812^FO50,40^A0N,40,40^FDDOE, JANE^FS^FO50,90^BCN,80,Y,N,N^FDMRN123456^FS",
    );
    while out.len() + 4 < len {
        out.push_str("^FO50,200^A0N,30,30^FDICU-4^FS");
    }
    out.push_str("^XZ");
    out.into_bytes()
}

fn attr(out: &mut Vec<u8>, tag: u8, name: &str, value: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(name.len() as u16).to_be_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&(value.len() as u16).to_be_bytes());
    out.extend_from_slice(value);
}

/// An IPP Print-Job request to `printer` (host or address) with a document of `len` bytes.
pub fn ipp_print_job(
    rng: &mut Rng,
    printer: &str,
    user: &str,
    request_id: u32,
    len: usize,
) -> Vec<u8> {
    let mut body = vec![2, 0, 0, 2];
    body.extend_from_slice(&request_id.to_be_bytes());
    body.push(0x01);
    attr(&mut body, 0x47, "attributes-charset", b"utf-8");
    attr(&mut body, 0x48, "attributes-natural-language", b"en");
    attr(
        &mut body,
        0x45,
        "printer-uri",
        format!("ipp://{printer}/ipp/print").as_bytes(),
    );
    attr(&mut body, 0x42, "requesting-user-name", user.as_bytes());
    attr(
        &mut body,
        0x49,
        "document-format",
        b"application/octet-stream",
    );
    body.push(0x03);
    body.extend_from_slice(&opaque(rng, len));
    http::request(
        "POST",
        &format!("{printer}:631"),
        "/ipp/print",
        Some("CUPS/2.3.3 (Linux 5.10; x86_64) IPP/2.0"),
        "application/ipp",
        &body,
    )
}

/// The printer's successful-ok answer with a job id.
pub fn ipp_response(server: Option<&str>, request_id: u32, job_id: u32) -> Vec<u8> {
    let mut body = vec![2, 0, 0, 0];
    body.extend_from_slice(&request_id.to_be_bytes());
    body.push(0x01);
    attr(&mut body, 0x47, "attributes-charset", b"utf-8");
    attr(&mut body, 0x48, "attributes-natural-language", b"en");
    body.push(0x02);
    attr(&mut body, 0x21, "job-id", &job_id.to_be_bytes());
    attr(&mut body, 0x23, "job-state", &5u32.to_be_bytes());
    body.push(0x03);
    http::response(200, "OK", server, "application/ipp", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn jobs_have_their_markers() {
        let mut rng = Rng::seed_from_u64(1);
        let j = pjl_job(&mut rng, "lab.pdf", 5000);
        assert!(j.starts_with(b"\x1b%-12345X@PJL JOB NAME=\"lab.pdf\""));
        assert!(j.len() >= 5000 - 80);
        let z = zpl_job(400);
        assert!(z.starts_with(b"^XA") && z.ends_with(b"^XZ"));
        let ipp = ipp_print_job(&mut rng, "10.10.40.30", "nurse01", 7, 1000);
        let s = String::from_utf8_lossy(&ipp);
        assert!(s.starts_with("POST /ipp/print HTTP/1.1\r\n"));
        let body_start = ipp.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(&ipp[body_start..body_start + 4], &[2, 0, 0, 2]);
    }
}
