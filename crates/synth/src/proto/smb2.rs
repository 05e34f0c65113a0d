//! SMB2/3 over TCP 445 (MS-SMB2): negotiate, NTLMSSP session setup in SPNEGO, tree connect,
//! create, read/write, close, tree disconnect, logoff; and DCE-RPC over a named pipe (bind to
//! svcctl and OpenSCManagerW, as PsExec does). Hand-written: no crate here encodes SMB2.

use super::ntlm::{self, Names};
use super::opaque;
use crate::seed::Rng;
use crate::wire::conv::{Message, Side};
use rand::RngCore;

const NEGOTIATE: u16 = 0;
const SESSION_SETUP: u16 = 1;
const LOGOFF: u16 = 2;
const TREE_CONNECT: u16 = 3;
const TREE_DISCONNECT: u16 = 4;
const CREATE: u16 = 5;
const CLOSE: u16 = 6;
const READ: u16 = 8;
const WRITE: u16 = 9;
const MORE_PROCESSING: u32 = 0xc000_0016;
/// Largest READ/WRITE a client issues in one request.
pub const IO_CHUNK: usize = 65_536;

/// svcctl interface (service control manager), version 2.0.
pub const SVCCTL_UUID: &str = "367abb81-9844-35f1-ad32-98f038001003";
/// spoolss interface (print spooler), version 1.0.
pub const SPOOLSS_UUID: &str = "12345678-1234-abcd-ef00-0123456789ab";
const NDR_UUID: &str = "8a885d04-1ceb-11c9-9fe8-08002b104860";

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// State shared by the messages of one SMB2 session.
pub struct Session {
    message_id: u64,
    session_id: u64,
    tree_id: u32,
    file_id: [u8; 16],
}

struct Hdr {
    command: u16,
    status: u32,
    response: bool,
}

impl Session {
    /// A new session with random ids.
    pub fn new(rng: &mut Rng) -> Session {
        let mut file_id = [0u8; 16];
        rng.fill_bytes(&mut file_id);
        Session {
            message_id: 0,
            session_id: rng.next_u64() | 1,
            tree_id: 0,
            file_id,
        }
    }

    fn header(&self, h: &Hdr) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&[0xfe, b'S', b'M', b'B']);
        out.extend_from_slice(&64u16.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes()); // credit charge
        out.extend_from_slice(&h.status.to_le_bytes());
        out.extend_from_slice(&h.command.to_le_bytes());
        out.extend_from_slice(&(if h.response { 32u16 } else { 31 }).to_le_bytes());
        out.extend_from_slice(&(if h.response { 1u32 } else { 0 }).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&self.message_id.to_le_bytes());
        out.extend_from_slice(&0xfeffu32.to_le_bytes()); // reserved (process id)
        let tree = if matches!(h.command, NEGOTIATE | SESSION_SETUP | LOGOFF) {
            0
        } else {
            self.tree_id
        };
        out.extend_from_slice(&tree.to_le_bytes());
        let session = if h.command == NEGOTIATE {
            0
        } else {
            self.session_id
        };
        out.extend_from_slice(&session.to_le_bytes());
        out.extend_from_slice(&[0; 16]);
        out
    }

    /// A request and its response, each with the NetBIOS session header.
    fn pair(
        &mut self,
        command: u16,
        request: &[u8],
        status: u32,
        response: &[u8],
        think_us: u64,
    ) -> [Message; 2] {
        let rq = frame(
            &self.header(&Hdr {
                command,
                status: 0,
                response: false,
            }),
            request,
        );
        let rs = frame(
            &self.header(&Hdr {
                command,
                status,
                response: true,
            }),
            response,
        );
        self.message_id += 1;
        [
            Message::new(Side::A, rq),
            Message::after(Side::B, rs, think_us),
        ]
    }
}

fn frame(header: &[u8], body: &[u8]) -> Vec<u8> {
    let len = (header.len() + body.len()) as u32;
    let mut out = Vec::with_capacity(len as usize + 4);
    out.push(0);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(header);
    out.extend_from_slice(body);
    out
}

fn le16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn le64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Negotiate (SMB 2.0.2 … 3.0.2) and the two-round NTLMSSP session setup.
pub fn login(s: &mut Session, rng: &mut Rng, names: &Names) -> Vec<Message> {
    let mut out = Vec::new();
    let mut rq = Vec::new();
    le16(&mut rq, 36);
    le16(&mut rq, 4); // dialect count
    le16(&mut rq, 1); // signing enabled
    le16(&mut rq, 0);
    le32(&mut rq, 0x7f); // capabilities
    rq.extend_from_slice(&opaque(rng, 16)); // client guid
    le64(&mut rq, 0); // client start time
    for d in [0x0202u16, 0x0210, 0x0300, 0x0302] {
        le16(&mut rq, d);
    }
    let mut rs = Vec::new();
    le16(&mut rs, 65);
    le16(&mut rs, 1);
    le16(&mut rs, 0x0302);
    le16(&mut rs, 0);
    rs.extend_from_slice(&opaque(rng, 16)); // server guid
    le32(&mut rs, 0x2f);
    for _ in 0..3 {
        le32(&mut rs, 8 * 1024 * 1024);
    }
    le64(&mut rs, names.filetime);
    le64(&mut rs, 0);
    le16(&mut rs, 0x80); // security buffer offset
    le16(&mut rs, 0); // empty: the client starts SPNEGO itself
    le32(&mut rs, 0);
    out.extend(s.pair(NEGOTIATE, &rq, 0, &rs, 300));

    let token1 = ntlm::neg_token_init(&ntlm::negotiate());
    let challenge = ntlm::neg_token_resp(1, true, Some(&ntlm::challenge(rng, names)));
    out.extend(s.pair(
        SESSION_SETUP,
        &setup_request(&token1),
        MORE_PROCESSING,
        &setup_response(&challenge),
        500,
    ));
    let token2 = ntlm::neg_token_resp_client(&ntlm::authenticate(rng, names));
    let done = ntlm::neg_token_resp(0, false, None);
    out.extend(s.pair(
        SESSION_SETUP,
        &setup_request(&token2),
        0,
        &setup_response(&done),
        2_000,
    ));
    out
}

fn setup_request(token: &[u8]) -> Vec<u8> {
    let mut rq = Vec::new();
    le16(&mut rq, 25);
    rq.push(0);
    rq.push(1);
    le32(&mut rq, 1);
    le32(&mut rq, 0);
    le16(&mut rq, 64 + 24);
    le16(&mut rq, token.len() as u16);
    le64(&mut rq, 0);
    rq.extend_from_slice(token);
    rq
}

fn setup_response(token: &[u8]) -> Vec<u8> {
    let mut rs = Vec::new();
    le16(&mut rs, 9);
    le16(&mut rs, 0);
    le16(&mut rs, 64 + 8);
    le16(&mut rs, token.len() as u16);
    rs.extend_from_slice(token);
    rs
}

/// Tree connect to `\\server\share`; `pipe` for IPC$.
pub fn tree_connect(
    s: &mut Session,
    rng: &mut Rng,
    server: &str,
    share: &str,
    pipe: bool,
) -> [Message; 2] {
    let path = utf16(&format!("\\\\{server}\\{share}"));
    let mut rq = Vec::new();
    le16(&mut rq, 9);
    le16(&mut rq, 0);
    le16(&mut rq, 64 + 8);
    le16(&mut rq, path.len() as u16);
    rq.extend_from_slice(&path);
    s.tree_id = (rng.next_u32() & 0xffff) | 1;
    let mut rs = Vec::new();
    le16(&mut rs, 16);
    rs.push(if pipe { 2 } else { 1 });
    rs.push(0);
    le32(&mut rs, 0);
    le32(&mut rs, 0);
    le32(&mut rs, 0x001f_01ff);
    s.pair(TREE_CONNECT, &rq, 0, &rs, 400)
}

/// Create (open) `name` on the connected share: a file, or a named pipe on IPC$.
pub fn create(s: &mut Session, name: &str, size: u64, write: bool) -> [Message; 2] {
    let n = utf16(name);
    let mut rq = Vec::new();
    le16(&mut rq, 57);
    rq.push(0);
    rq.push(0);
    le32(&mut rq, 2); // impersonation
    le64(&mut rq, 0);
    le64(&mut rq, 0);
    le32(&mut rq, if write { 0x0013_019f } else { 0x0012_0089 });
    le32(&mut rq, 0x80);
    le32(&mut rq, 7);
    le32(&mut rq, if write { 5 } else { 1 }); // overwrite-if or open
    le32(&mut rq, 0x40);
    le16(&mut rq, 64 + 56);
    le16(&mut rq, n.len() as u16);
    le32(&mut rq, 0);
    le32(&mut rq, 0);
    rq.extend_from_slice(&n);
    if n.is_empty() {
        rq.push(0);
    }
    let mut rs = Vec::new();
    le16(&mut rs, 89);
    rs.push(0);
    rs.push(0);
    le32(&mut rs, if write { 2 } else { 1 });
    for _ in 0..4 {
        le64(&mut rs, 0x01dc_7e00_0000_0000);
    }
    le64(&mut rs, size.next_multiple_of(4096));
    le64(&mut rs, size);
    le32(&mut rs, 0x80);
    le32(&mut rs, 0);
    rs.extend_from_slice(&s.file_id);
    le32(&mut rs, 0);
    le32(&mut rs, 0);
    s.pair(CREATE, &rq, 0, &rs, 500)
}

/// Reads `len` bytes from the open file in [`IO_CHUNK`] requests.
pub fn read(s: &mut Session, rng: &mut Rng, len: usize) -> Vec<Message> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    while offset < len.max(1) {
        let n = (len - offset.min(len)).clamp(1, IO_CHUNK);
        let mut rq = Vec::new();
        le16(&mut rq, 49);
        rq.push(0x50);
        rq.push(0);
        le32(&mut rq, n as u32);
        le64(&mut rq, offset as u64);
        rq.extend_from_slice(&s.file_id);
        le32(&mut rq, 1);
        le32(&mut rq, 0);
        le32(&mut rq, 0);
        le32(&mut rq, 0);
        rq.push(0);
        let mut rs = Vec::new();
        le16(&mut rs, 17);
        rs.push(0x50);
        rs.push(0);
        le32(&mut rs, n as u32);
        le32(&mut rs, 0);
        le32(&mut rs, 0);
        rs.extend_from_slice(&opaque(rng, n));
        out.extend(s.pair(READ, &rq, 0, &rs, 300));
        offset += n;
    }
    out
}

/// Writes `data` to the open file (or pipe) in [`IO_CHUNK`] requests.
pub fn write(s: &mut Session, data: &[u8]) -> Vec<Message> {
    let mut out = Vec::new();
    for (i, chunk) in data.chunks(IO_CHUNK).enumerate() {
        let mut rq = Vec::new();
        le16(&mut rq, 49);
        le16(&mut rq, 64 + 48);
        le32(&mut rq, chunk.len() as u32);
        le64(&mut rq, (i * IO_CHUNK) as u64);
        rq.extend_from_slice(&s.file_id);
        le32(&mut rq, 0);
        le32(&mut rq, 0);
        le32(&mut rq, 0);
        le32(&mut rq, 0);
        rq.extend_from_slice(chunk);
        let mut rs = Vec::new();
        le16(&mut rs, 17);
        le16(&mut rs, 0);
        le32(&mut rs, chunk.len() as u32);
        le32(&mut rs, 0);
        le32(&mut rs, 0);
        out.extend(s.pair(WRITE, &rq, 0, &rs, 300));
    }
    out
}

/// Close of the open file, then tree disconnect.
pub fn close(s: &mut Session) -> Vec<Message> {
    let mut rq = Vec::new();
    le16(&mut rq, 24);
    le16(&mut rq, 0);
    le32(&mut rq, 0);
    rq.extend_from_slice(&s.file_id);
    let mut rs = Vec::new();
    le16(&mut rs, 60);
    le16(&mut rs, 0);
    le32(&mut rs, 0);
    rs.extend_from_slice(&[0; 52]);
    let mut out: Vec<Message> = s.pair(CLOSE, &rq, 0, &rs, 200).into();
    out.extend(s.pair(TREE_DISCONNECT, &[4, 0, 0, 0], 0, &[4, 0, 0, 0], 200));
    out
}

/// Logoff.
pub fn logoff(s: &mut Session) -> [Message; 2] {
    s.pair(LOGOFF, &[4, 0, 0, 0], 0, &[4, 0, 0, 0], 200)
}

/// A UUID in DCE little-endian byte order.
fn uuid_le(text: &str) -> [u8; 16] {
    let hex: Vec<u8> = text
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| (c as char).to_digit(16).unwrap_or(0) as u8)
        .collect::<Vec<u8>>()
        .chunks(2)
        .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0))
        .collect();
    let mut b = [0u8; 16];
    if hex.len() == 16 {
        b.copy_from_slice(&hex);
        b[..4].reverse();
        b[4..6].reverse();
        b[6..8].reverse();
    }
    b
}

fn rpc_header(ptype: u8, call_id: u32, body: &[u8]) -> Vec<u8> {
    let mut out = vec![5, 0, ptype, 3, 0x10, 0, 0, 0];
    le16(&mut out, (16 + body.len()) as u16);
    le16(&mut out, 0);
    le32(&mut out, call_id);
    out.extend_from_slice(body);
    out
}

/// DCE-RPC bind to `uuid` version `major.minor` with NDR transfer syntax.
pub fn rpc_bind(uuid: &str, major: u16, minor: u16) -> Vec<u8> {
    let mut b = Vec::new();
    le16(&mut b, 4280);
    le16(&mut b, 4280);
    le32(&mut b, 0);
    b.extend_from_slice(&[1, 0, 0, 0]);
    le16(&mut b, 0); // context id
    b.extend_from_slice(&[1, 0]);
    b.extend_from_slice(&uuid_le(uuid));
    le16(&mut b, major);
    le16(&mut b, minor);
    b.extend_from_slice(&uuid_le(NDR_UUID));
    le32(&mut b, 2);
    rpc_header(11, 1, &b)
}

/// The bind acknowledgement naming the pipe.
pub fn rpc_bind_ack(pipe: &str) -> Vec<u8> {
    let mut b = Vec::new();
    le16(&mut b, 4280);
    le16(&mut b, 4280);
    le32(&mut b, 0x0001_2345);
    let addr = format!("\\PIPE\\{pipe}\0");
    le16(&mut b, addr.len() as u16);
    b.extend_from_slice(addr.as_bytes());
    while (b.len() + 16) % 4 != 0 {
        b.push(0);
    }
    b.extend_from_slice(&[1, 0, 0, 0]);
    le16(&mut b, 0);
    le16(&mut b, 0);
    b.extend_from_slice(&uuid_le(NDR_UUID));
    le32(&mut b, 2);
    rpc_header(12, 1, &b)
}

/// svcctl OpenSCManagerW request (opnum 15) for `machine`, all access.
pub fn open_sc_manager(machine: &str) -> Vec<u8> {
    let mut stub = Vec::new();
    let name: Vec<u8> = utf16(&format!("\\\\{machine}\0"));
    let chars = (name.len() / 2) as u32;
    le32(&mut stub, 0x0002_0000);
    le32(&mut stub, chars);
    le32(&mut stub, 0);
    le32(&mut stub, chars);
    stub.extend_from_slice(&name);
    while stub.len() % 4 != 0 {
        stub.push(0);
    }
    le32(&mut stub, 0); // DatabaseName: null
    le32(&mut stub, 0x000f_003f);
    let mut b = Vec::new();
    le32(&mut b, stub.len() as u32);
    le16(&mut b, 0);
    le16(&mut b, 15);
    b.extend_from_slice(&stub);
    rpc_header(0, 2, &b)
}

/// The OpenSCManagerW response: a policy handle and success.
pub fn open_sc_manager_reply(rng: &mut Rng) -> Vec<u8> {
    let mut stub = vec![0u8; 4];
    stub.extend_from_slice(&opaque(rng, 16));
    le32(&mut stub, 0);
    let mut b = Vec::new();
    le32(&mut b, stub.len() as u32);
    le16(&mut b, 0);
    b.extend_from_slice(&[0, 0]);
    b.extend_from_slice(&stub);
    rpc_header(2, 2, &b)
}

/// Client host and share names of a file-share session.
pub struct ShareAccess<'a> {
    /// NTLM names.
    pub names: Names<'a>,
    /// Server name in the UNC path.
    pub server: &'a str,
    /// Share name.
    pub share: &'a str,
    /// File to open.
    pub file: &'a str,
}

/// A whole file-share session: login, tree connect, open, read `read_len`, write `write_len`,
/// close, logoff.
pub fn file_session(
    rng: &mut Rng,
    a: &ShareAccess,
    read_len: usize,
    write_len: usize,
) -> Vec<Message> {
    let mut s = Session::new(rng);
    let mut m = login(&mut s, rng, &a.names);
    m.extend(tree_connect(&mut s, rng, a.server, a.share, false));
    m.extend(create(&mut s, a.file, read_len as u64, write_len > 0));
    if read_len > 0 {
        m.extend(read(&mut s, rng, read_len));
    }
    if write_len > 0 {
        let data = opaque(rng, write_len);
        m.extend(write(&mut s, &data));
    }
    m.extend(close(&mut s));
    m.extend(logoff(&mut s));
    m
}

/// PsExec-style remote execution: copy `PSEXESVC.exe` to ADMIN$, then open the svcctl pipe on
/// IPC$, bind to the service control manager and open it.
pub fn psexec(rng: &mut Rng, names: &Names, server: &str, binary_len: usize) -> Vec<Message> {
    let mut s = Session::new(rng);
    let mut m = login(&mut s, rng, names);
    m.extend(tree_connect(&mut s, rng, server, "ADMIN$", false));
    m.extend(create(&mut s, "PSEXESVC.exe", binary_len as u64, true));
    let data = opaque(rng, binary_len);
    m.extend(write(&mut s, &data));
    m.extend(close(&mut s));
    m.extend(tree_connect(&mut s, rng, server, "IPC$", true));
    m.extend(create(&mut s, "svcctl", 0, false));
    m.extend(pipe_call(
        &mut s,
        &rpc_bind(SVCCTL_UUID, 2, 0),
        &rpc_bind_ack("svcctl"),
    ));
    m.extend(pipe_call(
        &mut s,
        &open_sc_manager(server),
        &open_sc_manager_reply(rng),
    ));
    m.extend(close(&mut s));
    m.extend(logoff(&mut s));
    m
}

/// A DCE-RPC request written to the open pipe and its reply read back.
fn pipe_call(s: &mut Session, request: &[u8], reply: &[u8]) -> Vec<Message> {
    let mut m = write(s, request);
    let mut rq = Vec::new();
    le16(&mut rq, 49);
    rq.push(0x50);
    rq.push(0);
    le32(&mut rq, 4280);
    le64(&mut rq, 0);
    rq.extend_from_slice(&s.file_id);
    le32(&mut rq, 0);
    le32(&mut rq, 0);
    le32(&mut rq, 0);
    le32(&mut rq, 0);
    rq.push(0);
    let mut rs = Vec::new();
    le16(&mut rs, 17);
    rs.push(0x50);
    rs.push(0);
    le32(&mut rs, reply.len() as u32);
    le32(&mut rs, 0);
    le32(&mut rs, 0);
    rs.extend_from_slice(reply);
    m.extend(s.pair(READ, &rq, 0, &rs, 400));
    m
}

/// Print-server session: IPC$, the spoolss pipe, a bind (the job follows in opaque writes).
pub fn spoolss_session(rng: &mut Rng, names: &Names, server: &str, job_len: usize) -> Vec<Message> {
    let mut s = Session::new(rng);
    let mut m = login(&mut s, rng, names);
    m.extend(tree_connect(&mut s, rng, server, "IPC$", true));
    m.extend(create(&mut s, "spoolss", 0, false));
    m.extend(pipe_call(
        &mut s,
        &rpc_bind(SPOOLSS_UUID, 1, 0),
        &rpc_bind_ack("spoolss"),
    ));
    m.extend(close(&mut s));
    if job_len > 0 {
        m.extend(tree_connect(&mut s, rng, server, "print$", false));
        m.extend(create(&mut s, "spool\\job.spl", job_len as u64, true));
        let data = opaque(rng, job_len);
        m.extend(write(&mut s, &data));
        m.extend(close(&mut s));
    }
    m.extend(logoff(&mut s));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn names() -> Names<'static> {
        Names {
            domain: "WARD",
            dns_domain: "ward.example",
            server: "FS01",
            workstation: "WS-001",
            user: "nurse01",
            filetime: ntlm::filetime(0),
        }
    }

    fn smb_messages(msgs: &[Message]) -> Vec<(Side, u16, u32)> {
        msgs.iter()
            .map(|m| {
                let d = &m.data;
                let len = u32::from_be_bytes([0, d[1], d[2], d[3]]) as usize;
                assert_eq!(len, d.len() - 4, "NetBIOS length");
                assert_eq!(&d[4..8], &[0xfe, b'S', b'M', b'B']);
                let cmd = u16::from_le_bytes([d[16], d[17]]);
                let status = u32::from_le_bytes(d[12..16].try_into().unwrap());
                (m.from, cmd, status)
            })
            .collect()
    }

    #[test]
    fn file_session_has_the_command_sequence() {
        let mut rng = Rng::seed_from_u64(1);
        let a = ShareAccess {
            names: names(),
            server: "fs01",
            share: "clinical",
            file: "forms\\admission.docx",
        };
        let m = file_session(&mut rng, &a, 100_000, 0);
        let cmds: Vec<u16> = smb_messages(&m)
            .iter()
            .filter(|x| x.0 == Side::A)
            .map(|x| x.1)
            .collect();
        assert_eq!(
            cmds,
            [
                NEGOTIATE,
                SESSION_SETUP,
                SESSION_SETUP,
                TREE_CONNECT,
                CREATE,
                READ,
                READ,
                CLOSE,
                TREE_DISCONNECT,
                LOGOFF
            ]
        );
        assert_eq!(smb_messages(&m)[3].2, MORE_PROCESSING);
    }

    #[test]
    fn psexec_opens_the_svcctl_pipe_and_binds() {
        let mut rng = Rng::seed_from_u64(2);
        let m = psexec(&mut rng, &names(), "10.10.40.25", 20_000);
        let svcctl = utf16("svcctl");
        assert!(
            m.iter().any(
                |x| x.from == Side::A && x.data.windows(svcctl.len()).any(|w| w == &svcctl[..])
            )
        );
        assert!(
            m.iter()
                .any(|x| x.data.windows(16).any(|w| w == uuid_le(SVCCTL_UUID)))
        );
        assert_eq!(uuid_le(SVCCTL_UUID)[..4], [0x81, 0xbb, 0x7a, 0x36]);
        let bind = rpc_bind(SVCCTL_UUID, 2, 0);
        assert_eq!(u16::from_le_bytes([bind[8], bind[9]]) as usize, bind.len());
        let ack = rpc_bind_ack("svcctl");
        assert_eq!(u16::from_le_bytes([ack[8], ack[9]]) as usize, ack.len());
        let open = open_sc_manager("WS-007");
        assert_eq!(u16::from_le_bytes([open[8], open[9]]) as usize, open.len());
    }
}
