//! SMB2 CREATE requests of the named pipes remote-execution tools open on IPC$: `svcctl`
//! (service control: PsExec, smbexec), `atsvc` (scheduled tasks: atexec), `winreg` (remote
//! registry) and `samr` (account enumeration). MS-SMB2 2.2.1 (header) and 2.2.13 (CREATE).
//!
//! Hand-written: no maintained SMB2 parser crate fits a sans-IO, allocation-free read of one
//! request. Stateless: the share of the tree id is not tracked, so the pipe name alone decides
//! (these names do not occur as file names on data shares in practice). Compounded requests are
//! followed through `NextCommand`, at most [`MAX_COMPOUND`] of them.

use super::bytes::{Reader, le_u16_at, le_u32_at};
use crate::event::RemoteExecKind;
use crate::identify::PayloadFact;

const HEADER_LEN: usize = 64;
const COMMAND_CREATE: u16 = 0x0005;
const FLAG_SERVER_TO_REDIR: u32 = 0x0000_0001;
/// CREATE request StructureSize.
const CREATE_STRUCTURE_SIZE: u16 = 57;
const MAX_COMPOUND: usize = 8;
/// Longest pipe name looked at, in UTF-16 code units.
const MAX_NAME_UNITS: usize = 32;

/// Appends the remote-execution facts of an SMB2 message behind its 4-byte session header.
pub(super) fn inspect(data: &[u8], out: &mut Vec<PayloadFact>) {
    let Some(mut message) = data.get(4..) else {
        return;
    };
    for _ in 0..MAX_COMPOUND {
        if !message.starts_with(b"\xfeSMB")
            || le_u16_at(message, 4).map(usize::from) != Some(HEADER_LEN)
        {
            return;
        }
        let (Some(command), Some(flags), Some(next)) = (
            le_u16_at(message, 12),
            le_u32_at(message, 16),
            le_u32_at(message, 20),
        ) else {
            return;
        };
        if command == COMMAND_CREATE
            && flags & FLAG_SERVER_TO_REDIR == 0
            && let Some(kind) = create_pipe(message)
        {
            out.push(PayloadFact::RemoteExec(kind));
        }
        if next == 0 {
            return;
        }
        let Some(following) = usize::try_from(next).ok().and_then(|n| message.get(n..)) else {
            return;
        };
        message = following;
    }
}

/// The remote-execution pipe a CREATE request opens, if any. `message` starts at the header.
fn create_pipe(message: &[u8]) -> Option<RemoteExecKind> {
    let body = message.get(HEADER_LEN..)?;
    if le_u16_at(body, 0)? != CREATE_STRUCTURE_SIZE {
        return None;
    }
    let name_offset = usize::from(le_u16_at(body, 44)?);
    let name_length = usize::from(le_u16_at(body, 46)?);
    let raw = message.get(name_offset..)?;
    let raw = raw.get(..name_length.min(MAX_NAME_UNITS * 2))?;
    let mut units = [0u16; MAX_NAME_UNITS];
    let mut count = 0;
    let mut reader = Reader::new(raw);
    while let Some(unit) = reader.u16_le() {
        let slot = units.get_mut(count)?;
        *slot = unit;
        count = count.saturating_add(1);
    }
    let name: String = char::decode_utf16(units.iter().take(count).copied())
        .map(|c| {
            c.unwrap_or(char::REPLACEMENT_CHARACTER)
                .to_ascii_lowercase()
        })
        .collect();
    let name = name.trim_start_matches('\\');
    let name = name.strip_prefix("pipe\\").unwrap_or(name);
    match name {
        "svcctl" => Some(RemoteExecKind::SvcctlPipe),
        "atsvc" => Some(RemoteExecKind::AtsvcPipe),
        "winreg" => Some(RemoteExecKind::WinregPipe),
        "samr" => Some(RemoteExecKind::SamrPipe),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An SMB2 CREATE request for `name`, written byte by byte (MS-SMB2 2.2.1.2 + 2.2.13).
    pub(crate) fn create_request(name: &str, next_command: u32) -> Vec<u8> {
        let mut header = vec![0u8; HEADER_LEN];
        header[..4].copy_from_slice(b"\xfeSMB");
        header[4..6].copy_from_slice(&64u16.to_le_bytes());
        header[12..14].copy_from_slice(&COMMAND_CREATE.to_le_bytes());
        header[20..24].copy_from_slice(&next_command.to_le_bytes());
        let name: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut body = vec![0u8; 56];
        body[..2].copy_from_slice(&CREATE_STRUCTURE_SIZE.to_le_bytes());
        body[4..8].copy_from_slice(&2u32.to_le_bytes()); // impersonation
        body[24..28].copy_from_slice(&0x0012_019fu32.to_le_bytes()); // desired access
        body[36..40].copy_from_slice(&1u32.to_le_bytes()); // FILE_OPEN
        body[44..46].copy_from_slice(&((HEADER_LEN + 56) as u16).to_le_bytes());
        body[46..48].copy_from_slice(&(name.len() as u16).to_le_bytes());
        body.extend_from_slice(&name);
        header.extend_from_slice(&body);
        header
    }

    pub(crate) fn with_session_header(message: &[u8]) -> Vec<u8> {
        let mut data = vec![0, 0, 0, 0];
        data[1..4].copy_from_slice(&(message.len() as u32).to_be_bytes()[1..]);
        data.extend_from_slice(message);
        data
    }

    #[test]
    fn create_of_each_pipe_is_recognised() {
        for (name, kind) in [
            ("svcctl", RemoteExecKind::SvcctlPipe),
            ("ATSVC", RemoteExecKind::AtsvcPipe),
            ("\\winreg", RemoteExecKind::WinregPipe),
            ("samr", RemoteExecKind::SamrPipe),
        ] {
            let mut out = Vec::new();
            inspect(&with_session_header(&create_request(name, 0)), &mut out);
            assert_eq!(out, vec![PayloadFact::RemoteExec(kind)], "{name}");
        }
        let mut out = Vec::new();
        inspect(&with_session_header(&create_request("srvsvc", 0)), &mut out);
        inspect(
            &with_session_header(&create_request("report.docx", 0)),
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn compounded_create_and_responses() {
        let first = create_request("lsarpc", 0);
        let mut padded = first.clone();
        padded.resize(first.len().next_multiple_of(8), 0);
        let mut compound = create_request("lsarpc", padded.len() as u32);
        compound.resize(padded.len(), 0);
        compound.extend_from_slice(&create_request("svcctl", 0));
        let mut out = Vec::new();
        inspect(&with_session_header(&compound), &mut out);
        assert_eq!(
            out,
            vec![PayloadFact::RemoteExec(RemoteExecKind::SvcctlPipe)]
        );
        let mut response = create_request("svcctl", 0);
        response[16] = 1; // SMB2_FLAGS_SERVER_TO_REDIR
        out.clear();
        inspect(&with_session_header(&response), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn truncation_and_self_referencing_compound_are_safe() {
        let data = with_session_header(&create_request("svcctl", 0));
        for end in 0..data.len() {
            let mut out = Vec::new();
            inspect(&data[..end], &mut out);
            assert!(out.is_empty(), "cut at {end}");
        }
        // Each NextCommand moves forward; a chain longer than MAX_COMPOUND stops there.
        let mut chain = Vec::new();
        for _ in 0..(MAX_COMPOUND + 2) {
            let mut part = create_request("svcctl", 0);
            let len = part.len().next_multiple_of(8);
            part.resize(len, 0);
            part[20..24].copy_from_slice(&(len as u32).to_le_bytes());
            chain.extend_from_slice(&part);
        }
        let mut out = Vec::new();
        inspect(&with_session_header(&chain), &mut out);
        assert_eq!(out.len(), MAX_COMPOUND);
    }
}
