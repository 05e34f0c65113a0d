//! Frames of a capture file (pcap or pcapng, through libpcap) as `(time, link type, bytes)`,
//! for the fuzz seed generator and the corpus tests. Frames of unsupported link types are skipped.

use std::path::Path;
use wardwatch_flow::Timestamp;
use wardwatch_flow::decode::LinkType;

/// At most `limit` frames of the capture at `path`.
pub fn read_frames(
    path: &Path,
    limit: usize,
) -> Result<Vec<(Timestamp, LinkType, Vec<u8>)>, String> {
    let mut cap = pcap::Capture::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dlt = u32::try_from(cap.get_datalink().0).unwrap_or(u32::MAX);
    let Some(link) = LinkType::from_dlt(dlt) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    while out.len() < limit {
        match cap.next_packet() {
            Ok(p) => {
                let ts = Timestamp::from_parts(p.header.ts.tv_sec, p.header.ts.tv_usec);
                out.push((ts, link, p.data.to_vec()));
            }
            Err(pcap::Error::NoMorePackets) => break,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        }
    }
    Ok(out)
}
