//! DCE-RPC (connection-oriented, C706 chapter 12) bind and alter-context requests to the
//! interfaces remote-execution tools use: service control (svcctl, MS-SCMR), the task scheduler
//! (atsvc and ITaskSchedulerService, MS-TSCH) and the remote registry (winreg, MS-RRP); and
//! DCOM activation (IRemoteSCMActivator, also shown as ISystemActivator, and the older
//! IActivation, MS-DCOM) on the endpoint mapper port 135, the first step of WMI/DCOM execution.
//!
//! Hand-written: no maintained Rust crate parses DCE-RPC PDUs; the bind layout is fixed and
//! small. The data representation byte says whether integers (and the first three UUID fields)
//! are little- or big-endian. At most [`MAX_CONTEXTS`] presentation contexts are looked at.

use super::bytes::Reader;
use crate::event::RemoteExecKind;
use crate::identify::{PayloadContext, PayloadFact};

const PTYPE_BIND: u8 = 11;
const PTYPE_ALTER_CONTEXT: u8 = 14;
const MAX_CONTEXTS: usize = 16;

/// Interface UUIDs as text (lower case), from the MS-SCMR, MS-TSCH, MS-RRP and MS-DCOM IDL.
const EXEC_INTERFACES: [&str; 4] = [
    "367abb81-9844-35f1-ad32-98f038001003", // svcctl
    "1ff70682-0a51-30e8-076d-740be8cee98b", // atsvc
    "86d35949-83c9-4044-b424-db363231fd0c", // ITaskSchedulerService
    "338cd001-2244-31f1-aaaa-900038001003", // winreg
];
const ACTIVATION_INTERFACES: [&str; 2] = [
    "000001a0-0000-0000-c000-000000000046", // IRemoteSCMActivator (ISystemActivator)
    "4d9f4ab8-7d1c-11cf-861e-0020af6e7c57", // IActivation
];

/// Formats a wire UUID; `little` when the first three fields are little-endian.
fn uuid_text(raw: [u8; 16], little: bool) -> String {
    let mut b = raw;
    if little {
        b[..4].reverse();
        b[4..6].reverse();
        b[6..8].reverse();
    }
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |range: std::ops::Range<usize>| hex.get(range).unwrap_or_default().to_owned();
    format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    )
}

/// Appends a remote-execution fact for a bind to one of the interfaces above.
pub(super) fn inspect(ctx: &PayloadContext<'_>, out: &mut Vec<PayloadFact>) {
    let mut r = Reader::new(ctx.payload);
    let Some([version, minor, ptype, _flags]) = r.array::<4>() else {
        return;
    };
    let Some(drep) = r.array::<4>() else {
        return;
    };
    if version != 5 || minor != 0 || !matches!(ptype, PTYPE_BIND | PTYPE_ALTER_CONTEXT) {
        return;
    }
    let little = drep[0] & 0x10 != 0;
    let u16_of = |r: &mut Reader<'_>| {
        if little { r.u16_le() } else { r.u16_be() }
    };
    // frag_length, auth_length, call_id, max_xmit, max_recv, assoc_group
    if r.skip(2 + 2 + 4 + 2 + 2 + 4).is_none() {
        return;
    }
    let Some(count) = r.u8() else {
        return;
    };
    if r.skip(3).is_none() {
        return;
    }
    for _ in 0..usize::from(count).min(MAX_CONTEXTS) {
        let (Some(_id), Some(transfer_count)) = (u16_of(&mut r), r.u8()) else {
            return;
        };
        let Some(uuid) = r.skip(1).and_then(|()| r.array::<16>()) else {
            return;
        };
        let uuid = uuid_text(uuid, little);
        if EXEC_INTERFACES.contains(&uuid.as_str()) {
            out.push(PayloadFact::RemoteExec(RemoteExecKind::DcerpcBind));
            return;
        }
        if ACTIVATION_INTERFACES.contains(&uuid.as_str()) && ctx.dst_port == 135 {
            out.push(PayloadFact::RemoteExec(RemoteExecKind::DcomActivation));
            return;
        }
        // interface version (4) + transfer syntaxes (20 each)
        let skip = 4usize.saturating_add(usize::from(transfer_count).saturating_mul(20));
        if r.skip(skip).is_none() {
            return;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::Transport;

    /// Wire bytes (little-endian fields) of a text UUID.
    fn uuid_le(text: &str) -> [u8; 16] {
        let hex: String = text.chars().filter(|c| *c != '-').collect();
        let mut b = [0u8; 16];
        for (i, slot) in b.iter_mut().enumerate() {
            *slot = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap();
        }
        b[..4].reverse();
        b[4..6].reverse();
        b[6..8].reverse();
        b
    }

    /// A little-endian bind request proposing `interfaces`, written byte by byte.
    pub(crate) fn bind(interfaces: &[&str]) -> Vec<u8> {
        let mut body = vec![];
        body.extend_from_slice(&4280u16.to_le_bytes());
        body.extend_from_slice(&4280u16.to_le_bytes());
        body.extend_from_slice(&0u32.to_le_bytes());
        body.push(interfaces.len() as u8);
        body.extend_from_slice(&[0, 0, 0]);
        for (i, iface) in interfaces.iter().enumerate() {
            body.extend_from_slice(&(i as u16).to_le_bytes());
            body.push(1);
            body.push(0);
            body.extend_from_slice(&uuid_le(iface));
            body.extend_from_slice(&2u32.to_le_bytes());
            body.extend_from_slice(&uuid_le("8a885d04-1ceb-11c9-9fe8-08002b104860"));
            body.extend_from_slice(&2u32.to_le_bytes());
        }
        let mut pdu = vec![5, 0, PTYPE_BIND, 3, 0x10, 0, 0, 0];
        pdu.extend_from_slice(&((16 + body.len()) as u16).to_le_bytes());
        pdu.extend_from_slice(&0u16.to_le_bytes());
        pdu.extend_from_slice(&1u32.to_le_bytes());
        pdu.extend_from_slice(&body);
        pdu
    }

    fn run(payload: &[u8], dst_port: u16) -> Vec<PayloadFact> {
        let ctx = PayloadContext {
            transport: Transport::Tcp,
            src_port: 50000,
            dst_port,
            from_initiator: true,
            payload,
        };
        let mut out = Vec::new();
        inspect(&ctx, &mut out);
        out
    }

    #[test]
    fn binds_to_execution_interfaces() {
        let epm = "e1af8308-5d1f-11c9-91a4-08002b14a0fa";
        for iface in EXEC_INTERFACES {
            assert_eq!(
                run(&bind(&[epm, iface]), 49667),
                vec![PayloadFact::RemoteExec(RemoteExecKind::DcerpcBind)],
                "{iface}"
            );
        }
        assert!(run(&bind(&[epm]), 135).is_empty());
    }

    #[test]
    fn dcom_activation_counts_on_135_only() {
        let bytes = bind(&["000001a0-0000-0000-c000-000000000046"]);
        assert_eq!(
            run(&bytes, 135),
            vec![PayloadFact::RemoteExec(RemoteExecKind::DcomActivation)]
        );
        assert!(run(&bytes, 49700).is_empty());
    }

    #[test]
    fn wire_uuid_layout_and_truncation() {
        // ITaskSchedulerService as it appears on the wire (little-endian fields).
        let wire = [
            0x49, 0x59, 0xd3, 0x86, 0xc9, 0x83, 0x44, 0x40, 0xb4, 0x24, 0xdb, 0x36, 0x32, 0x31,
            0xfd, 0x0c,
        ];
        assert_eq!(
            uuid_text(wire, true),
            "86d35949-83c9-4044-b424-db363231fd0c"
        );
        let data = bind(&["367abb81-9844-35f1-ad32-98f038001003"]);
        for end in 0..data.len() {
            let cut = run(&data[..end], 49667);
            assert_eq!(cut.len(), usize::from(end >= 48), "cut at {end}");
        }
    }
}
