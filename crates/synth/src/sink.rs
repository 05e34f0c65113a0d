//! Where generated frames go. The generator hands every frame, in packet-time order, to a
//! [`PacketSink`]; [`PcapWriter`] writes the documented libpcap file format (a 24-byte global
//! header, then a 16-byte record header before each frame) to any `io::Write`.
//!
//! Written here rather than through libpcap's `pcap_dump` so the library needs no system
//! library and can stream to any writer; the format is small and fixed (see
//! <https://www.tcpdump.org/manpages/pcap-savefile.5.txt>). Measured against the `pcap` crate's
//! savefile in docs/synth.md.

use std::io::{self, Write};
use wardwatch_flow::Timestamp;

/// Which part of the ward produced a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Normal traffic of a device, a server or the gateway.
    Normal,
    /// Traffic of the attack scenario with this index in the labels file.
    Scenario(usize),
}

/// Receives generated frames in packet-time order.
pub trait PacketSink {
    /// Takes one Ethernet frame captured at `ts`.
    fn write_frame(&mut self, ts: Timestamp, frame: &[u8], origin: Origin) -> io::Result<()>;
    /// Flushes buffered output.
    fn finish(&mut self) -> io::Result<()>;
}

/// Snap length written in the file header; frames are never longer than this.
pub const SNAPLEN: u32 = 65_535;
/// Link type of the file: Ethernet (LINKTYPE_ETHERNET).
pub const LINKTYPE_ETHERNET: u32 = 1;

/// A libpcap (microsecond, little-endian) file writer.
pub struct PcapWriter<W: Write> {
    out: W,
    header_written: bool,
    /// Frames written so far.
    pub frames: u64,
    /// Bytes written so far, headers included.
    pub bytes: u64,
}

impl<W: Write> PcapWriter<W> {
    /// A writer over `out`; wrap files in a `BufWriter`.
    pub fn new(out: W) -> Self {
        PcapWriter {
            out,
            header_written: false,
            frames: 0,
            bytes: 0,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        let mut h = [0u8; 24];
        h[0..4].copy_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h[4..6].copy_from_slice(&2u16.to_le_bytes());
        h[6..8].copy_from_slice(&4u16.to_le_bytes());
        // thiszone and sigfigs stay 0.
        h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        h[20..24].copy_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        self.out.write_all(&h)?;
        self.bytes += 24;
        self.header_written = true;
        Ok(())
    }

    /// Gives the inner writer back (after [`PacketSink::finish`]).
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> PacketSink for PcapWriter<W> {
    fn write_frame(&mut self, ts: Timestamp, frame: &[u8], _origin: Origin) -> io::Result<()> {
        if !self.header_written {
            self.header()?;
        }
        let len = u32::try_from(frame.len())
            .ok()
            .filter(|&l| l <= SNAPLEN)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too long"))?;
        let secs = u32::try_from(ts.secs())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "time after 2106"))?;
        let micros = (ts.micros() % 1_000_000) as u32;
        let mut rec = [0u8; 16];
        rec[0..4].copy_from_slice(&secs.to_le_bytes());
        rec[4..8].copy_from_slice(&micros.to_le_bytes());
        rec[8..12].copy_from_slice(&len.to_le_bytes());
        rec[12..16].copy_from_slice(&len.to_le_bytes());
        self.out.write_all(&rec)?;
        self.out.write_all(frame)?;
        self.frames += 1;
        self.bytes += 16 + u64::from(len);
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.header()?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_global_and_record_headers() {
        let mut w = PcapWriter::new(Vec::new());
        w.write_frame(
            Timestamp(1_767_600_000_123_456),
            &[0xaa; 60],
            Origin::Normal,
        )
        .unwrap();
        w.finish().unwrap();
        let out = w.into_inner();
        assert_eq!(out.len(), 24 + 16 + 60);
        assert_eq!(&out[0..4], &[0xd4, 0xc3, 0xb2, 0xa1]);
        assert_eq!(u32::from_le_bytes(out[20..24].try_into().unwrap()), 1);
        assert_eq!(
            u32::from_le_bytes(out[24..28].try_into().unwrap()),
            1_767_600_000
        );
        assert_eq!(u32::from_le_bytes(out[28..32].try_into().unwrap()), 123_456);
        assert_eq!(u32::from_le_bytes(out[32..36].try_into().unwrap()), 60);
    }

    #[test]
    fn empty_capture_still_has_a_header() {
        let mut w = PcapWriter::new(Vec::new());
        w.finish().unwrap();
        assert_eq!(w.into_inner().len(), 24);
    }
}
