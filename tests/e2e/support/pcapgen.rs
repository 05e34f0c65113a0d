//! Small pcap files written by tests (etherparse frames, libpcap savefile).

use std::path::Path;

/// An Ethernet/IPv4/UDP frame between two ward hosts 10.20.0.`src` → 10.20.0.`dst`.
pub fn udp_frame(src: u8, dst: u8, payload_len: usize) -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ethernet2(
        [0x00, 0x09, 0xfb, 0, 0, src],
        [0x00, 0x09, 0xfb, 0, 0, dst],
    )
    .ipv4([10, 20, 0, src], [10, 20, 0, dst], 64)
    .udp(40_000 + u16::from(src), 5_000);
    let payload = vec![0x5a; payload_len];
    let mut frame = Vec::with_capacity(builder.size(payload.len()));
    builder.write(&mut frame, &payload).expect("frame");
    frame
}

/// Writes `count` UDP frames, one every 10 ms of packet time from 2026-01-05T08:00:00Z, with
/// sizes varying from 60 to 559 bytes of payload; returns the sum of their wire lengths.
pub fn write_ward_pcap(path: &Path, count: u32) -> u64 {
    let dead = pcap::Capture::dead(pcap::Linktype::ETHERNET).expect("dead capture");
    let mut file = dead.savefile(path).expect("create pcap");
    let mut bytes = 0u64;
    for i in 0..count {
        let frame = udp_frame(1 + (i % 7) as u8, 200, 60 + (i as usize * 37) % 500);
        let micros = 1_767_600_000_000_000u64 + u64::from(i) * 10_000;
        let len = u32::try_from(frame.len()).expect("small frame");
        let header = pcap::PacketHeader {
            ts: libc::timeval {
                tv_sec: libc::time_t::try_from(micros / 1_000_000).expect("time"),
                tv_usec: libc::suseconds_t::try_from(micros % 1_000_000).expect("micros"),
            },
            caplen: len,
            len,
        };
        file.write(&pcap::Packet::new(&header, &frame));
        bytes += u64::from(len);
    }
    file.flush().expect("flush pcap");
    bytes
}
